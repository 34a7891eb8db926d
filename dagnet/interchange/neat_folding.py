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

from ..graph import is_number
from ..network import Network
from ..text import names
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
    ``connections`` is a list of ``(from, to, weight, enabled)``; names in
    ``where`` (node or connection index -> a place in the source) make errors precise.
    """

    inputs: list
    outputs: list
    nodes: dict
    connections: list
    name: str = None
    source: str = None
    where: dict = None
    metadata: dict = None

    def fail(self, message, key=None):
        raise InterchangeError(message, source=self.source, key=key)


def _check_genome(g):
    """Keys, numbers and connection endpoints; returns the enabled connections."""
    inputs, known = set(g.inputs), set(g.inputs) | set(g.nodes)
    where = g.where or {}
    for key in g.outputs:
        if key not in g.nodes:
            g.fail(f"output {key!r} is not among the genome's nodes")
        if key in inputs:
            g.fail(f"node {key!r} is both an input and an output")
    for key, (_, _, bias, response) in g.nodes.items():
        for what, value in (("bias", bias), ("response", response)):
            if not is_number(value) or not math.isfinite(value):
                g.fail(f"node {key!r}: {what} must be a finite number, got {value!r}",
                       where.get(("node", key)))
    enabled = []
    for k, (u, v, weight, on) in enumerate(g.connections):
        at = where.get(("connection", k))
        if not isinstance(on, bool):
            g.fail(f"connection {u!r} -> {v!r}: enabled must be true or false, got {on!r}", at)
        if not on:
            continue
        for end in (u, v):
            if end not in known:
                g.fail(f"connection {u!r} -> {v!r}: {end!r} is neither an input nor a node", at)
        if v in inputs:
            g.fail(f"connection {u!r} -> {v!r} goes into input {v!r}", at)
        if not is_number(weight) or not math.isfinite(weight):
            g.fail(f"connection {u!r} -> {v!r}: weight must be a finite number, got {weight!r}", at)
        enabled.append((u, v, float(weight)))
    return enabled


def _required(g, enabled):
    """Nodes that reach an output along enabled connections (neat-python's required_for_output)."""
    into = {}
    for u, v, _ in enabled:
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
    at = (g.where or {}).get(("node", key))
    if activation in REFUSED:
        g.fail(f"node {key!r}: neat-python's {activation!r} cannot be imported: {REFUSED[activation]}", at)
    if activation not in NEAT_ACTIVATIONS:
        g.fail(f"node {key!r}: neat-python activation {activation!r} has no dagnet counterpart; "
               f"dagnet imports {', '.join(NEAT_ACTIVATIONS)}", at)
    if aggregation not in AGGREGATIONS:
        g.fail(f"node {key!r}: aggregation {aggregation!r} is not a weighted sum; dagnet imports "
               f"{' and '.join(AGGREGATIONS)}", at)
    return NEAT_ACTIVATIONS[activation], AGGREGATIONS[aggregation]


def build(g, loss="mse", name=None):
    """The Network of a :class:`Genome`, gains, responses and aggregations folded into the weights."""
    enabled = _check_genome(g)
    required = _required(g, enabled)
    kept = [(u, v, w) for u, v, w in enabled if v in required]
    order = nx.DiGraph()
    order.add_nodes_from(g.inputs)
    order.add_edges_from((u, v) for u, v, _ in kept)
    if not nx.is_directed_acyclic_graph(order):
        cycle = nx.find_cycle(order)
        path = " -> ".join(str(u) for u, _ in cycle) + f" -> {cycle[0][0]}"
        g.fail(f"the enabled connections form a cycle {path}: dagnet imports feed-forward genomes "
               f"only (neat-python's feed_forward = True)")
    forms = {key: _activation(g, key) for key in required}
    # An output whose activation has an output scale (softplus: 0.2·softplus(5x)) is computed by a
    # perceptron "KEY:softplus" feeding the output KEY, linear, through a fixed weight 0.2.
    scaled = {key: f"{key}:{g.nodes[key][0]}" for key in g.outputs if forms[key][0].scale != 1.0}
    node = {key: scaled.get(key, key) for key in required}
    node.update({i: i for i in g.inputs})
    links = {key: 0 for key in required}
    for _, v, _ in kept:
        links[v] += 1
    G = nx.DiGraph()
    G.add_nodes_from(g.inputs)
    for key in sorted(required):
        form = forms[key][0]
        G.add_node(node[key], activation=form.dagnet, bias=form.gain * g.nodes[key][2])
    for u, v, w in kept:
        form, aggregation = forms[v]
        scale = forms[u][0].scale if u in forms else 1.0
        G.add_edge(node[u], node[v],
                   weight=form.gain * g.nodes[v][3] * aggregation(links[v]) * w * scale)
    for key, inner in scaled.items():
        G.add_node(key, activation="linear", bias=None)
        G.add_edge(inner, key, weight=forms[key][0].scale, trainable=False)
    dead = [i for i in g.inputs if G.out_degree(i) == 0]
    for i in dead:   # X keeps every input column: a fixed zero weight says "not connected"
        G.add_edge(i, g.outputs[0], weight=0.0, trainable=False)
    dropped = sorted(k for k in g.nodes if k not in required)
    description = [f"imported from neat-python: {len(required)} nodes, {len(kept)} connections"]
    if len(enabled) < len(g.connections):
        description.append(f"{len(g.connections) - len(enabled)} disabled connections dropped")
    if dropped:
        description.append(f"nodes reaching no output dropped: {names(dropped)}")
    if dead:
        description.append(f"inputs reaching no output, fixed at weight 0: {names(dead)}")
    if scaled:
        description.append(f"outputs with a scaled activation, computed by {names(scaled.values())}")
    G.graph.update(name=name or g.name, description="; ".join(description),
                   metadata={"source": "neat-python", **(g.metadata or {})})
    return Network.from_graph(G, inputs=g.inputs, outputs=g.outputs, loss=loss)
