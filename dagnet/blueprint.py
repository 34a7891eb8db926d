"""A topology as arrays: what a topology file or a networkx graph becomes before a network is built.

A :class:`Blueprint` holds the nodes in graph order (their *position*)
with their attributes as columns, and the edges in the order they were
added as arrays of positions with their weights. Everything between a
file (or a graph) and a :class:`~dagnet.network.Network` works on it:
:mod:`dagnet.topology` reads files into one, :func:`dagnet.graph.complete`
checks and completes it, and a network is built from its arrays without a
networkx graph (a million edges load in about a second). The networkx
graph is made from it only when asked for (:meth:`Blueprint.structure`,
:meth:`Blueprint.to_graph`), with the same nodes, edges, order and
attributes a graph built edge by edge would have.

Examples
--------
>>> import networkx as nx
>>> from dagnet.graph import blueprint
>>> bp = blueprint(nx.DiGraph([("x", "h"), ("h", "y"), ("x", "y")]), seed=0)
>>> bp.names, bp.src.tolist(), bp.dst.tolist(), bp.role
(['x', 'h', 'y'], [0, 0, 1], [1, 2, 2], ['input', 'hidden', 'output'])
>>> sorted(bp.structure().edges)
[('h', 'y'), ('x', 'h'), ('x', 'y')]
"""
from dataclasses import dataclass, field

import numpy as np

from . import collector
from .errors import TopologyError
from .values import finite, is_number
from .wiring import Wiring

#: Node attributes a blueprint keeps as columns; any other is kept as given, per node.
NODE_COLUMNS = ("group", "activation", "init", "bias_init", "trainable", "bias")
_KNOWN_NODE_KEYS = frozenset(NODE_COLUMNS + ("role",))     # a given role is replaced by the computed one


@dataclass
class Blueprint:
    """Nodes by position with their attributes as columns, edges as arrays of positions.

    Attributes
    ----------
    names : list
        Node names in graph order.
    graph : dict
        Graph attributes (``name``, ``description``, ``metadata``, ``inputs``,
        ``outputs``, ``loss``, ``init``).
    group, activation, init, bias_init, trainable : list
        One value per node; None where not given.
    bias : list
        Per node: True (to be drawn; once a network holds the values, in its
        parameter vector), False or None (no bias), or a number.
    role : list or None
        ``"input"``, ``"hidden"`` or ``"output"`` per node, once completed.
    generation : ndarray of shape (n_nodes,) or None
        Each node's topological generation, once completed.
    extra : dict
        Position -> the node's other attributes (graphs may have any).
    src, dst : ndarray of shape (n_edges,), intp
        Positions of each edge's ends, in the order the edges were added.
    weight : ndarray of shape (n_edges,), float64
        Each edge's weight; NaN where none was given (until completed).
    trainable_edge : ndarray of shape (n_edges,), bool
    edge_extra : dict
        Edge index -> the edge's attributes besides ``weight`` (graphs only;
        a file's fixed edge is ``trainable_edge`` False without an entry).
    """

    names: list
    graph: dict
    group: list
    activation: list
    init: list
    bias_init: list
    trainable: list
    bias: list
    src: np.ndarray
    dst: np.ndarray
    weight: np.ndarray
    trainable_edge: np.ndarray
    extra: dict = field(default_factory=dict)
    edge_extra: dict = field(default_factory=dict)
    role: list = None
    generation: np.ndarray = None
    _position: dict = field(default=None, repr=False)
    _in_edge_order: np.ndarray = field(default=None, repr=False)

    @classmethod
    def of_graph(cls, G, source=None):
        """A blueprint of networkx graph ``G``: its nodes, edges (in ``G.edges`` order) and attributes, copied.

        Raises TopologyError (naming ``source``) for the first weight, in
        ``in_edges`` order, that is not a finite number.
        """
        names = list(G)
        datas = [d for _, d in G.nodes(data=True)]
        columns = {key: [d.get(key) for d in datas] for key in NODE_COLUMNS if key != "bias"}
        extra = {k: {key: v for key, v in d.items() if key not in _KNOWN_NODE_KEYS}
                 for k, d in enumerate(datas) if not _KNOWN_NODE_KEYS.issuperset(d)}
        targets, edge_datas, counts = [], [], []
        for _, successors in G.adjacency():
            counts.append(len(successors))
            targets.extend(successors)
            edge_datas.extend(successors.values())
        bp = cls(names, dict(G.graph), columns["group"], columns["activation"], columns["init"],
                 columns["bias_init"], columns["trainable"], [d.get("bias", True) for d in datas],
                 np.repeat(np.arange(len(names), dtype=np.intp), counts), None, None,
                 np.ones(len(targets), dtype=bool), extra)
        bp.dst = np.fromiter(map(bp.position.__getitem__, targets), dtype=np.intp, count=len(targets))
        weights = [d.get("weight") for d in edge_datas] if any(edge_datas) else [None] * len(edge_datas)
        if sum(map(len, edge_datas)) > len(weights) - weights.count(None):    # attributes besides weights
            bp.edge_extra = {k: {key: v for key, v in d.items() if key != "weight"}
                             for k, d in enumerate(edge_datas) if len(d) > ("weight" in d)}
        for k, d in bp.edge_extra.items():
            if d.get("trainable", True) is False:
                bp.trainable_edge[k] = False
        bp.weight = bp._given_weights(weights, source)
        return bp

    def _given_weights(self, values, source):
        """The weights ``values`` as floats (NaN for None), or the first bad one named, in ``in_edges`` order."""
        kinds = set(map(type, values))
        if kinds <= {float, int, np.float64, type(None)}:      # the common cases, at C speed
            try:
                weight = np.array(values, dtype=np.float64)
            except OverflowError:                               # an integer beyond any float
                weight = None
            given = np.array([v is not None for v in values], dtype=bool) if type(None) in kinds else slice(None)
            if weight is not None and np.isfinite(weight[given]).all():
                return weight
        weight = np.full(len(values), np.nan)
        for k in self.in_edge_order().tolist():
            value = values[k]
            if value is not None:
                if not is_number(value) or not finite(value):
                    u, v = self.names[self.src[k]], self.names[self.dst[k]]
                    raise TopologyError(f"weight of edge {u!r} -> {v!r} must be a finite number, got {value!r}",
                                        source=source)
                weight[k] = value
        return weight

    @property
    def n_nodes(self):
        return len(self.names)

    @property
    def n_edges(self):
        return len(self.src)

    @property
    def position(self):
        """Node name -> position."""
        if self._position is None:
            self._position = {name: k for k, name in enumerate(self.names)}
        return self._position

    def in_edge_order(self):
        """The edge indices in ``G.in_edges`` order: by target position, each target's in the order added."""
        if self._in_edge_order is None or len(self._in_edge_order) != self.n_edges:
            self._in_edge_order = np.argsort(self.dst, kind="stable")
        return self._in_edge_order

    def node_attributes(self, k, values=True):
        """The attribute dict of the node at position ``k`` (``values=False``: no bias values)."""
        d = {"group": self.group[k]}
        if self.role is not None:
            d["role"] = self.role[k]
        for key, column in (("activation", self.activation), ("init", self.init),
                            ("bias_init", self.bias_init), ("trainable", self.trainable)):
            if column[k] is not None or (key == "activation" and self.role is not None):
                d[key] = column[k]
        bias = self.bias[k]
        if self.role is None or values or bias is None:
            d["bias"] = bias
        extra = self.extra.get(k)
        return {**extra, **d} if extra else d

    def edge_attributes(self, k, values=True):
        """The attribute dict of edge ``k`` (``values=False``: no weight)."""
        d = dict(self.edge_extra[k]) if k in self.edge_extra else (
            {} if self.trainable_edge[k] else {"trainable": False})
        if values and not np.isnan(self.weight[k]):
            d["weight"] = float(self.weight[k])
        return d

    def to_graph(self, values=True, graph_class=None):
        """A networkx graph (``graph_class``, a DiGraph by default) of these nodes and edges (in order),
        with the weights and biases unless ``values=False``."""
        if graph_class is None:
            import networkx as nx   # here, not above: loading a file needs no graph
            graph_class = nx.DiGraph
        G = graph_class()
        G.graph.update(self.graph)
        names = self.names
        with collector.paused():
            G.add_nodes_from(zip(names, (self.node_attributes(k, values) for k in range(self.n_nodes))))
            G.add_edges_from(zip(map(names.__getitem__, self.src.tolist()), map(names.__getitem__, self.dst.tolist()),
                                 (self.edge_attributes(k, values) for k in range(self.n_edges))))
        return G

    def structure(self):
        """The graph of a completed blueprint without its values: what a network keeps as ``structure``."""
        return self.to_graph(values=False)

    def wiring(self):
        """The :class:`~dagnet.wiring.Wiring` of a completed blueprint (edges in ``G.in_edges`` order)."""
        order = self.in_edge_order()
        position = self.position
        inputs, outputs = tuple(self.graph["inputs"]), tuple(self.graph["outputs"])
        return Wiring(tuple(self.names), inputs, outputs, tuple(self.activation),
                      np.array([b is not None for b in self.bias], dtype=bool),
                      np.array([True if t is None else bool(t) for t in self.trainable], dtype=bool),
                      self.src[order], self.dst[order], self.trainable_edge[order],
                      np.array([position[i] for i in inputs], dtype=np.intp),
                      np.array([position[o] for o in outputs], dtype=np.intp), tuple(self.group))

    def parameters(self, plan, take=False):
        """The parameter vector of ``plan`` (compiled from :meth:`wiring`) holding these weights and biases.

        ``take=True`` also drops them from the blueprint, for a caller that
        keeps the vector as their one copy.
        """
        params = np.zeros(plan.n_params)
        params[plan.wiring_slot] = self.weight[self.in_edge_order()]
        biased = np.flatnonzero(plan.has_bias)
        bias = self.bias
        params[plan.n_weight_slots + biased] = [bias[k] for k in plan.position[biased].tolist()]
        if take:
            self.weight = np.full(self.n_edges, np.nan)
            self.bias = [None if b is None else True for b in bias]
        return params
