"""A networkx graph whose ``weight`` and ``bias`` attributes are live views of a parameter vector.

A :class:`~dagnet.network.Network` keeps one source of truth, its flat
parameter vector, beside its structure (a plain graph without the
values). ``net.graph`` is a :class:`ParameterGraph` built from both on
first use, whose edge attribute ``weight`` and node attribute ``bias`` read
and write that vector directly, so the graph is always current and an edit
through it takes effect at once, with no copying in either direction.
Every other attribute is ordinary data. A copy of the graph (``G.copy()``,
``nx.DiGraph(G)``, ``relabel_nodes``) holds plain floats: a snapshot.

Examples
--------
>>> import numpy as np
>>> G = ParameterGraph()
>>> G.add_edge("a", "b", weight=0.5, trainable=True)
>>> params = np.array([0.5])
>>> G.edges["a", "b"].bind("weight", params, 0)
>>> params[0] = 2.0
>>> G.edges["a", "b"]["weight"], dict(G.edges["a", "b"])
(2.0, {'trainable': True, 'weight': 2.0})
>>> G.edges["a", "b"]["weight"] = -1.0; params
array([-1.])
>>> G.copy().edges["a", "b"]["weight"] = 7.0; params
array([-1.])
"""
from collections.abc import MutableMapping

import networkx as nx

from . import collector


class Attributes(MutableMapping):
    """A node's or edge's attributes; at most one of them (``weight`` or ``bias``) lives in a vector."""

    __slots__ = ("data", "key", "vector", "slot")

    def __init__(self):
        self.data = {}
        self.key = self.vector = self.slot = None

    def bind(self, key, vector, slot):
        """Make attribute ``key`` a view of ``vector[slot]`` (its stored value is dropped)."""
        self.data.pop(key, None)
        self.key, self.vector, self.slot = key, vector, slot

    def __getitem__(self, key):
        if key == self.key and self.vector is not None:
            return float(self.vector[self.slot])
        return self.data[key]

    def __setitem__(self, key, value):
        if key == self.key and self.vector is not None:
            try:
                self.vector[self.slot] = value
            except (TypeError, ValueError):
                raise ValueError(f"{key} must be a number, got {value!r} (to change the structure, "
                                 f"edit the network or build a new one with Network.from_graph)") from None
        else:
            self.data[key] = value

    def get(self, key, default=None):
        if key == self.key and self.vector is not None:
            return float(self.vector[self.slot])
        return self.data.get(key, default)

    def __contains__(self, key):
        return key in self.data or (key == self.key and self.vector is not None)

    def update(self, other=(), **more):
        """As ``dict.update``; at C speed while nothing is bound (how graphs are built)."""
        if self.vector is None:
            self.data.update(other, **more)
        else:
            for key, value in dict(other, **more).items():
                self[key] = value

    def __delitem__(self, key):
        if key == self.key and self.vector is not None:
            raise ValueError(f"{key} is a parameter of the network and cannot be deleted")
        del self.data[key]

    def __iter__(self):
        yield from self.data
        if self.vector is not None:
            yield self.key

    def __len__(self):
        return len(self.data) + (self.vector is not None)

    def copy(self):
        """A plain dict snapshot (what networkx copies are made of)."""
        return dict(self)

    def __repr__(self):
        return repr(dict(self))

    def __getstate__(self):
        return (self.data, self.key, self.vector, self.slot)

    def __setstate__(self, state):
        self.data, self.key, self.vector, self.slot = state


class ParameterGraph(nx.DiGraph):
    """A DiGraph whose node and edge attribute dicts are :class:`Attributes`."""

    node_attr_dict_factory = Attributes
    edge_attr_dict_factory = Attributes


def view(structure, plan, params):
    """A ParameterGraph of ``structure`` whose weights and biases are views of ``params``."""
    G = ParameterGraph()
    G.graph.update(structure.graph)
    with collector.paused():           # a million edges make millions of objects, none in a cycle
        G.add_nodes_from(structure.nodes(data=True))
        G.add_edges_from(structure.edges(data=True))
        return rebind(G, plan, params)


def rebind(G, plan, params):
    """Make every weight and bias of the ParameterGraph ``G`` a view of ``params`` at the plan's slots."""
    edge_slot, bias_slot = plan.edge_slot, plan.bias_slot
    for u, v, attributes in G.edges(data=True):
        attributes.bind("weight", params, edge_slot[u, v])
    for n, attributes in G.nodes(data=True):
        if n in bias_slot:
            attributes.bind("bias", params, bias_slot[n])
    return G


def structure_of(G):
    """A plain DiGraph copy of ``G`` without its values (the weights, and the biases that exist)."""
    S = nx.DiGraph()
    S.graph.update(G.graph)
    S.add_nodes_from((n, {k: v for k, v in d.items() if k != "bias" or v is None})
                     for n, d in G.nodes(data=True))
    S.add_edges_from((u, v, {k: w for k, w in d.items() if k != "weight"})
                     for u, v, d in G.edges(data=True))
    return S


def with_values(structure, plan, params):
    """A plain DiGraph copy of ``structure`` holding the values of ``params`` as floats."""
    G = structure.copy()
    values = params.tolist()
    for (u, v), slot in plan.edge_slot.items():
        G.edges[u, v]["weight"] = values[slot]
    for n, slot in plan.bias_slot.items():
        G.nodes[n]["bias"] = values[slot]
    return G


def follow_wiring(G, wiring):
    """Make the edges of structure graph ``G`` those of ``wiring`` (same nodes), in place.

    Edges that stay keep their attributes; new ones get ``trainable`` only.
    """
    names = wiring.names
    wanted = dict(zip(zip([names[k] for k in wiring.src.tolist()], [names[k] for k in wiring.dst.tolist()]),
                      wiring.trainable.tolist()))
    G.remove_edges_from([e for e in G.edges if e not in wanted])
    G.add_edges_from((u, v, {"trainable": t}) for (u, v), t in wanted.items() if not G.has_edge(u, v))
