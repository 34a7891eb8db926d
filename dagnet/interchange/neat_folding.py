"""neat-python genomes as plain data, and the folding of their gains into a dagnet network.

neat-python evaluates a node as ``v_j = act_j(bias_j + response_j · agg_j(v_i · w_ij))``
with ``act(x) = scale · σ(gain · x)`` for dagnet's σ (its sigmoid has gain 5).
:func:`build` folds gains, responses and the ``mean`` aggregation's 1/n
into weights and biases, so that z_j = σ_j(s_j) with s_j = b'_j + Σ w'_ij z_i:

    w'_ij = gain_j · response_j · c_j · w_ij · scale_i       b'_j = gain_j · bias_j

The readers (genome objects, JSON export, files) are in
:mod:`dagnet.interchange.neat`; the table of what maps to what is there too.

Examples
--------
>>> g = Genome(inputs=[-1], outputs=[0], nodes={0: ("tanh", "sum", 0.5, 2.0)},
...            connections=[(-1, 0, 3.0, True)])
>>> net = build(g)
>>> net.weight(-1, 0), net.bias(0)                 # 2.5 · 2 · 3 and 2.5 · 0.5
(15.0, 1.25)
"""
import math
from dataclasses import dataclass

import networkx as nx
import numpy as np

from .. import graph as graph_rules
from .. import limits
from ..graph import finite, is_number
from ..blueprint import Blueprint
from ..errors import TopologyError
from ..network import Network
from ..text import names
from ..wiring import generations
from . import InterchangeError


@dataclass(frozen=True)
class NeatActivation:
    """neat-python's ``act(x) = scale · σ(gain · x)`` for dagnet's activation σ."""

    dagnet: str
    gain: float = 1.0
    scale: float = 1.0


#: neat-python activation name -> its dagnet form.
NEAT_ACTIVATIONS = {
    "sigmoid": NeatActivation("sigmoid", 5.0),
    "tanh": NeatActivation("tanh", 2.5),
    "gauss": NeatActivation("gaussian", math.sqrt(5.0)),
    "relu": NeatActivation("relu"),
    "elu": NeatActivation("elu"),
    "identity": NeatActivation("linear"),
    "sin": NeatActivation("sin", 5.0),
    "softplus": NeatActivation("softplus", 5.0, 0.2),
}

#: Why a built-in neat-python activation cannot be imported.
REFUSED = {
    "lelu": "its slope below 0 is 0.005, dagnet's leaky_relu has 0.01",
    "selu": "its α is 1.67, dagnet's elu has α = 1",
}

#: neat-python aggregation -> the factor c_j for a node with n_j links.
AGGREGATIONS = {"sum": lambda n: 1.0, "mean": lambda n: 1.0 / n if n else 1.0}


@dataclass
class Genome:
    """A neat-python genome as plain data: what the importer reads from any source.

    ``nodes`` maps a key to ``(activation, aggregation, bias, response)``;
    ``connections`` is a list of ``(from, to, weight, enabled)``. For errors
    that name a place in the source: ``node_where`` maps a node key to its
    place, and ``listed`` says the connections are the source's list
    ``connections`` in its order.
    """

    inputs: list
    outputs: list
    nodes: dict
    connections: list
    name: str = None
    source: str = None
    node_where: dict = None
    listed: bool = False
    metadata: dict = None

    def fail(self, message, key=None):
        raise InterchangeError(message, source=self.source, key=key)

    def node_at(self, key):
        return (self.node_where or {}).get(key)

    def connection_at(self, k):
        return f"connections[{k}]" if self.listed else None


def check_size(g, nodes, connections):
    """Refuse a genome of more nodes (inputs included) or connections than :mod:`dagnet.limits` allows.

    Called on the counts, before anything is built.
    """
    problem = limits.excess(nodes, connections)
    if problem:
        g.fail(problem)


def _is_finite_number(value):
    if type(value) is float:
        return value - value == 0.0          # the common case: not nan (nan - nan) nor ±inf
    return is_number(value) and finite(value)


def _hashable(key):
    try:
        hash(key)
    except TypeError:
        return False
    return True


def _check_keys_and_numbers(g):
    for what, keys in (("input", g.inputs), ("output", g.outputs)):
        for key in keys:
            if not _hashable(key):
                g.fail(f"{what} key {key!r} is not a node key (neat-python's keys are integers)")
    inputs = set(g.inputs)
    for key in g.outputs:
        if key not in g.nodes:
            g.fail(f"output {key!r} is not among the genome's nodes")
        if key in inputs:
            g.fail(f"node {key!r} is both an input and an output")
    for key, (_, _, bias, response) in g.nodes.items():
        for what, value in (("bias", bias), ("response", response)):
            if not _is_finite_number(value):
                g.fail(f"node {key!r}: {what} must be a finite number, got {value!r}", g.node_at(key))


def _connections_look_right(g):
    """One pass over all connections at C speed: True when none can be at fault."""
    conns, inputs = g.connections, set(g.inputs)
    try:
        if len({(u, v) for u, v, _, _ in conns}) < len(conns):
            return False
    except TypeError:            # an unhashable key
        return False
    if not all(on is True or on is False for _, _, _, on in conns):
        return False
    on = [(u, v, w) for u, v, w, flag in conns if flag]
    ends = {u for u, _, _ in on} | {v for _, v, _ in on}
    if not ends <= inputs | g.nodes.keys() or not inputs.isdisjoint(v for _, v, _ in on):
        return False
    if not all(type(w) is float for _, _, w in on):
        return False
    return bool(np.isfinite(np.fromiter((w for _, _, w in on), float, len(on))).all())


def _check_each_connection(g):
    """The connection at fault, named with its place: run when :func:`_connections_look_right` is False."""
    inputs, known, first = set(g.inputs), set(g.inputs) | g.nodes.keys(), {}
    for k, (u, v, weight, on) in enumerate(g.connections):
        at = g.connection_at(k)
        if not (_hashable(u) and _hashable(v)):
            g.fail(f"connection {u!r} -> {v!r}: node keys are integers in neat-python", at)
        if first.setdefault((u, v), k) != k:   # two weights for one link: which one is meant?
            g.fail(f"connection {u!r} -> {v!r} is listed twice (first at "
                   f"{g.connection_at(first[u, v]) or 'an earlier gene'})", at)
        if not isinstance(on, bool):
            g.fail(f"connection {u!r} -> {v!r}: enabled must be true or false, got {on!r}", at)
        if not on:
            continue
        for end in (u, v):
            if end not in known:
                g.fail(f"connection {u!r} -> {v!r}: {end!r} is neither an input nor a node", at)
        if v in inputs:
            g.fail(f"connection {u!r} -> {v!r} goes into input {v!r}", at)
        if not _is_finite_number(weight):
            g.fail(f"connection {u!r} -> {v!r}: weight must be a finite number, got {weight!r}", at)


def _check_genome(g):
    """Keys, numbers, endpoints, duplicates; returns the enabled connections as (index, from, to, weight)."""
    _check_keys_and_numbers(g)
    if not _connections_look_right(g):
        _check_each_connection(g)
    return [(k, u, v, float(w)) for k, (u, v, w, on) in enumerate(g.connections) if on]


def _required(g, enabled):
    """Nodes that reach an output along enabled connections (neat-python's required_for_output)."""
    into = {}
    for _, u, v, _ in enabled:
        into.setdefault(v, []).append(u)
    required, stack = set(g.outputs), list(g.outputs)
    while stack:
        for u in into.get(stack.pop(), ()):
            if u not in required and u in g.nodes:
                required.add(u)
                stack.append(u)
    return required


def _activation(g, key):
    activation, aggregation, _, _ = g.nodes[key]
    at = g.node_at(key)
    if activation in REFUSED:
        g.fail(f"node {key!r}: neat-python's {activation!r} cannot be imported: {REFUSED[activation]}", at)
    if activation not in NEAT_ACTIVATIONS:
        g.fail(f"node {key!r}: neat-python activation {activation!r} has no dagnet counterpart; "
               f"dagnet imports {', '.join(NEAT_ACTIVATIONS)}", at)
    if aggregation not in AGGREGATIONS:
        g.fail(f"node {key!r}: aggregation {aggregation!r} is not a weighted sum; dagnet imports "
               f"{' and '.join(AGGREGATIONS)}", at)
    return NEAT_ACTIVATIONS[activation], AGGREGATIONS[aggregation]


def _folded(g, value, factors, what, at):
    """``value`` times the factors neat-python applies, or an error when float64 overflows."""
    product = value
    for factor in factors:
        product *= factor
    if not math.isfinite(product):
        g.fail(f"{what} {value!r} becomes {product} with neat-python's gain and response folded in "
               f"(×{math.prod(factors):g}), beyond float64", at)
    return product


def _folded_bias(g, key, form):
    bias = form.gain * g.nodes[key][2]
    if bias - bias != 0.0:   # inf - inf is nan
        _folded(g, g.nodes[key][2], (form.gain,), f"node {key!r}: bias", g.node_at(key))
    return bias


def _folded_weights(g, kept, forms):
    """w'_ij = gain_j · response_j · c_j · w_ij · scale_i for every kept connection, at numpy speed."""
    links = dict.fromkeys(forms, 0)
    for _, _, v, _ in kept:
        links[v] += 1
    target = {v: (form.gain, g.nodes[v][3], aggregation(links[v])) for v, (form, aggregation) in forms.items()}
    factor = {v: gain * response * c for v, (gain, response, c) in target.items()}   # the order of the
    n = len(kept)                                                                    # scalar product below
    w = np.fromiter((c[3] for c in kept), float, n)
    by_target = np.fromiter((factor[c[2]] for c in kept), float, n)
    scale = np.fromiter((forms[c[1]][0].scale if c[1] in forms else 1.0 for c in kept), float, n)
    with np.errstate(over="ignore", invalid="ignore"):
        folded = by_target * w * scale
    overflow = np.flatnonzero(~np.isfinite(folded))
    if len(overflow):
        k, u, v, weight = kept[overflow[0]]
        _folded(g, weight, (*target[v], scale[overflow[0]]), f"connection {u!r} -> {v!r}: weight",
                g.connection_at(k))
    return folded.tolist()


def build(g, loss="mse", name=None):
    """The Network of a :class:`Genome`, gains, responses and aggregations folded into the weights."""
    return Network(graph_rules.complete(blueprint(g, name), inputs=g.inputs, outputs=g.outputs, loss=loss))


def _network_lists(g, name):
    """The network of genome ``g`` as lists: ``(names, node attributes, edges, graph attributes)``.

    Edges are ``(source, target, attributes)`` in the order they join; nodes are the inputs, then
    the expressed nodes in key order, then the outputs that a helper perceptron computes.
    """
    enabled = _check_genome(g)
    required = _required(g, enabled)
    kept = [c for c in enabled if c[2] in required]
    order = _in_order(required)
    known = {}        # (activation, aggregation) -> its forms: looked up once per pair, not per node
    forms = {key: known.get(g.nodes[key][:2]) or known.setdefault(g.nodes[key][:2], _activation(g, key))
             for key in order}
    # An output whose activation has an output scale (softplus: 0.2·softplus(5x)) is computed by a
    # perceptron "KEY:softplus" feeding the output KEY, linear, through a fixed weight 0.2.
    scaled = {key: f"{key}:{g.nodes[key][0]}" for key in g.outputs if forms[key][0].scale != 1.0}
    node = {key: scaled.get(key, key) for key in required}
    node.update({i: i for i in g.inputs})
    nodes = [(i, {}) for i in g.inputs]
    nodes += [(node[key], {"activation": forms[key][0].dagnet, "bias": _folded_bias(g, key, forms[key][0])})
              for key in order]
    edges = [(node[u], node[v], {"weight": w}) for (_, u, v, _), w in zip(kept, _folded_weights(g, kept, forms))]
    _check_feed_forward(g, nodes, edges, {inner: key for key, inner in scaled.items()})
    for key, inner in scaled.items():
        nodes.append((key, {"activation": "linear", "bias": None}))
        edges.append((inner, key, {"weight": forms[key][0].scale, "trainable": False}))
    feeding = {u for u, _, _ in edges}
    dead = [i for i in g.inputs if i not in feeding]
    for i in dead:   # X keeps every input column: a fixed zero weight says "not connected"
        edges.append((i, g.outputs[0], {"weight": 0.0, "trainable": False}))
    dropped = _in_order(k for k in g.nodes if k not in required)
    description = [f"imported from neat-python: {len(required)} nodes, {len(kept)} connections"]
    if len(enabled) < len(g.connections):
        description.append(f"{len(g.connections) - len(enabled)} disabled connections dropped")
    if dropped:
        description.append(f"nodes reaching no output dropped: {names(dropped)}")
    if dead:
        description.append(f"inputs reaching no output, fixed at weight 0: {names(dead)}")
    if scaled:
        description.append(f"outputs with a scaled activation, computed by {names(scaled.values())}")
    attributes = {"name": name or g.name, "description": "; ".join(description),
                  "metadata": {"source": "neat-python", **(g.metadata or {})}}
    return nodes, edges, attributes


def graph(g, name=None):
    """The networkx graph of genome ``g`` (what :func:`blueprint` holds as arrays)."""
    nodes, edges, attributes = _network_lists(g, name)
    G = nx.DiGraph()
    G.add_nodes_from(nodes)
    G.add_edges_from(edges)
    G.graph.update(attributes)
    return G


def blueprint(g, name=None):
    """The :class:`~dagnet.blueprint.Blueprint` of genome ``g``, not yet completed: what
    ``Blueprint.of_graph(graph(g))`` gives, made without a networkx graph (a genome's network is
    built thousands of times a run)."""
    nodes, edges, attributes = _network_lists(g, name)
    names_ = [n for n, _ in nodes]
    too_big = limits.excess(len(names_), len(edges))
    if too_big:
        raise TopologyError(too_big)
    position = {n: k for k, n in enumerate(names_)}
    # a graph lists its edges by source, each source's in the order they joined
    edges = sorted(edges, key=lambda edge: position[edge[0]])
    n_edges = len(edges)
    fixed = [k for k, (_, _, d) in enumerate(edges) if d.get("trainable", True) is False]
    trainable_edge = np.ones(n_edges, dtype=bool)
    trainable_edge[fixed] = False
    bp = Blueprint(names_, attributes, [None] * len(names_), [d.get("activation") for _, d in nodes],
                   [None] * len(names_), [None] * len(names_), [None] * len(names_),
                   [d.get("bias", True) for _, d in nodes],
                   np.array([position[u] for u, _, _ in edges], dtype=np.intp),
                   np.array([position[v] for _, v, _ in edges], dtype=np.intp),
                   None, trainable_edge, {}, {k: {"trainable": False} for k in fixed})
    bp.weight = np.array([d["weight"] for _, _, d in edges], dtype=np.float64)
    if not np.isfinite(bp.weight).all():       # the graph's reading names the first one
        return Blueprint.of_graph(graph(g, name))
    return bp


def _check_feed_forward(g, nodes, edges, names_of):
    """Fail naming a cycle of the enabled connections, if they make one."""
    position = {n: k for k, (n, _) in enumerate(nodes)}
    try:
        generations(len(nodes), [position[u] for u, _, _ in edges], [position[v] for _, v, _ in edges])
        return
    except ValueError:
        pass
    G = nx.DiGraph()
    G.add_nodes_from(nodes)
    G.add_edges_from(edges)
    cycle = nx.find_cycle(G)
    path = " -> ".join(str(names_of.get(u, u)) for u, _ in cycle) + f" -> {names_of.get(cycle[0][0], cycle[0][0])}"
    g.fail(f"the enabled connections form a cycle {path}: dagnet imports feed-forward genomes "
           f"only (neat-python's feed_forward = True)")


def _in_order(keys):
    """Node keys sorted (by their text when they are of mixed types)."""
    keys = list(keys)
    try:
        return sorted(keys)
    except TypeError:
        return sorted(keys, key=repr)
