"""Check a perceptron graph and complete its attributes.

Every way into dagnet (a topology file, YAML text, a networkx graph) ends
here, so every rule lives once: what a valid topology is, and what a missing
weight, bias or activation becomes.
"""
import math
import numbers

import networkx as nx
import numpy as np

from . import activations, limits
from .errors import TopologyError, suggest
from .initializers import DEFAULT_BIAS_INIT, DEFAULT_WEIGHT_INIT, INITIALIZERS, fan_out, fans
from .losses import LOSSES
from .text import plural

DEFAULT_ACTIVATION = "sigmoid"
DEFAULT_LOSS = "mse"


def _listing(items, limit=10):
    items = [repr(i) for i in items]
    more = f" and {len(items) - limit} more" if len(items) > limit else ""
    return ", ".join(items[:limit]) + more


def _sorted_names(nodes):
    try:
        return sorted(nodes)
    except TypeError:  # names of mixed types
        return sorted(nodes, key=repr)


def is_number(value):
    """True for an int or float that is not a bool."""
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def is_name(value):
    """True for what a topology file may use as a node name: text or a whole number (not a bool)."""
    return isinstance(value, (str, int)) and not isinstance(value, bool)


def finite(value):
    """True for a number that is finite as a float (a 400-digit integer is not)."""
    try:
        return math.isfinite(value)
    except OverflowError:
        return False


class _Checker:
    """Raises TopologyError with the source and the key path of the culprit."""

    def __init__(self, source, locate):
        self.source = source
        self.locate = locate or (lambda kind, item: None)

    def fail(self, message, kind=None, item=None, key=None):
        if key is None and kind is not None:
            key = self.locate(kind, item)
        raise TopologyError(message, source=self.source, key=key)


def build(G, inputs=None, outputs=None, loss=None, seed=None, init=None, source=None,
          locate=None, copy=True):
    """Validate ``G`` and return a completed copy with its inputs, outputs and loss.

    Parameters
    ----------
    G : networkx.DiGraph
        One node per perceptron (or input), one edge per weight.
    inputs, outputs : list or None
        Node names; None reads ``G.graph`` and then falls back to the nodes
        without predecessors / successors, sorted by name.
    loss : str or None
        A name in :data:`dagnet.losses.LOSSES`; None reads ``G.graph["loss"]``, then ``mse``.
    seed : int, numpy Generator or None
        Seeds the initialisation of missing weights and biases.
    init : str or None
        Weight scheme for nodes that name none (default ``glorot_uniform``).
    source : str or None
        The file the graph came from, for error messages.
    locate : callable or None
        ``locate(kind, item) -> key path`` for error messages, ``kind`` one of
        ``"node"``, ``"edge"``, ``"inputs"``, ``"outputs"``, ``"loss"``.
    copy : bool
        False completes ``G`` itself (for graphs dagnet has just parsed).

    Returns
    -------
    graph : networkx.DiGraph
        A new graph; every node has ``role``, ``activation``, ``bias`` and
        ``group``, every edge a float ``weight``.

    Raises
    ------
    TopologyError
        For a graph that breaks a rule, or is larger than :data:`dagnet.limits.LIMITS`
        (checked before anything is copied).
    """
    check = _Checker(source, locate)
    if not isinstance(G, nx.DiGraph) or G.is_multigraph():
        check.fail(f"expected a networkx.DiGraph, got {type(G).__name__}")
    too_big = limits.excess(G.number_of_nodes(), G.number_of_edges())
    if too_big:   # the same limits as a topology file's, so a network dagnet saves loads again
        check.fail(too_big)
    if copy:  # attribute dicts of our own, so the caller's graph is never changed
        H = nx.DiGraph()
        H.graph.update(G.graph)
        H.add_nodes_from((n, dict(d)) for n, d in G.nodes(data=True))
        H.add_edges_from((u, v, dict(d)) for u, v, d in G.edges(data=True))
    else:
        H = G

    inputs = _endpoints(H, inputs, "inputs", check, default=lambda: [n for n in H if H.in_degree(n) == 0])
    outputs = _endpoints(H, outputs, "outputs", check, default=lambda: [n for n in H if H.out_degree(n) == 0])
    loss = _loss_name(H, loss, check)
    _check_structure(H, inputs, outputs, check)
    _complete_nodes(H, inputs, outputs, loss, check)
    _initialise(H, inputs, outputs, seed, init or H.graph.get("init") or DEFAULT_WEIGHT_INIT, check)
    H.graph.update(inputs=list(inputs), outputs=list(outputs), loss=loss)
    H.graph.setdefault("name", None)
    H.graph.pop("init", None)
    return H


def _endpoints(H, names, key, check, default):
    if names is None:
        names = H.graph.get(key)
    if names is None:
        names = _sorted_names(default())
    if isinstance(names, (str, bytes)) or not hasattr(names, "__iter__"):
        check.fail(f"{key} must be a list of node names, got {names!r}", kind=key)
    names = list(names)
    if not names:
        check.fail(f"no {key}: a network needs at least one", kind=key)
    seen = set()
    for name in names:
        try:
            hash(name)
        except TypeError:
            check.fail(f"{key} must list node names, got {name!r}", kind=key)
        if name not in H:
            check.fail(f"{key[:-1]} {name!r} is not a node{suggest(name, H.nodes)}", kind=key, item=name)
        if name in seen:
            check.fail(f"{key[:-1]} {name!r} is listed twice", kind=key, item=name)
        seen.add(name)
    return names


def _loss_name(H, loss, check):
    loss = loss if loss is not None else H.graph.get("loss", DEFAULT_LOSS)
    if not isinstance(loss, str) or loss not in LOSSES:
        check.fail(f"unknown loss {loss!r}{suggest(loss, LOSSES)}; known: {', '.join(LOSSES)}",
                   kind="loss")
    return loss


def _check_structure(H, inputs, outputs, check):
    for node in outputs:
        if node in inputs:
            check.fail(f"{node!r} is both an input and an output", kind="outputs", item=node)
    for u, v in nx.selfloop_edges(H):
        check.fail(f"self-loop on {u!r}: an edge {u!r} -> {u!r} would make a cycle",
                   kind="edge", item=(u, v))
    for node in inputs:
        for u in H.predecessors(node):
            check.fail(f"edge {u!r} -> {node!r} goes into input {node!r}; inputs take no edges",
                       kind="edge", item=(u, node))
    if not nx.is_directed_acyclic_graph(H):  # linear time; find_cycle only to report one
        cycle = nx.find_cycle(H)
        path = " -> ".join(repr(u) for u, _ in cycle) + f" -> {cycle[0][0]!r}"
        check.fail(f"cycle {path}: a topology must be loop-free", kind="edge", item=cycle[-1][:2])
    reaches_output = set(outputs)   # one backward search from all outputs at once
    stack = list(outputs)
    while stack:
        for u in H.predecessors(stack.pop()):
            if u not in reaches_output:
                reaches_output.add(u)
                stack.append(u)
    dead = [n for n in H if n not in reaches_output]
    if dead:
        dead = _sorted_names(dead)
        what = "input" if all(n in inputs for n in dead) else "node"
        check.fail(f"{plural(len(dead), what)} cannot reach any output: {_listing(dead)}; connect "
                   f"them or remove them", kind="node", item=dead[0])


def _complete_nodes(H, inputs, outputs, loss, check):
    input_set, output_set = set(inputs), set(outputs)
    for node, attrs in H.nodes(data=True):
        attrs.setdefault("group", None)
        if node in input_set:
            attrs.update(role="input", activation=None, bias=None)
            continue
        attrs["role"] = "output" if node in output_set else "hidden"
        name = attrs.get("activation") or DEFAULT_ACTIVATION
        canonical = activations.canonical(name) if isinstance(name, str) else None
        if canonical is None:
            check.fail(f"unknown activation {name!r} for node {node!r}{suggest(name, activations.NAMES)}; "
                       f"known: {', '.join(activations.NAMES)}", kind="node", item=node)
        if canonical == "softmax" and node not in output_set:
            check.fail(f"softmax on node {node!r}, which is not an output: softmax is one "
                       f"normalisation over all output nodes", kind="node", item=node)
        attrs["activation"] = canonical
    out_acts = [H.nodes[o]["activation"] for o in outputs]
    if "softmax" in out_acts:
        if any(a != "softmax" for a in out_acts):
            plain = [o for o in outputs if H.nodes[o]["activation"] != "softmax"]
            check.fail(f"softmax covers all outputs or none; outputs {_listing(plain)} are not "
                       f"softmax", kind="outputs", item=plain[0])
        for o in outputs:
            if H.out_degree(o):
                check.fail(f"softmax output {o!r} feeds other nodes; a softmax output must be "
                           f"a sink", kind="node", item=o)
    required = LOSSES[loss].output_activation
    if required:
        wrong = [o for o, a in zip(outputs, out_acts) if a != required]
        if wrong:
            check.fail(f"loss {loss!r} needs {required} outputs; {_listing(wrong)} "
                       f"{'has' if len(wrong) == 1 else 'have'} activation "
                       f"{H.nodes[wrong[0]]['activation']!r}", kind="node", item=wrong[0])
    if len(outputs) < LOSSES[loss].min_outputs:
        check.fail(f"{loss} needs at least {LOSSES[loss].min_outputs} {required or ''} outputs; for one output use a "
                   f"sigmoid with binary_cross_entropy", kind="outputs")


def _number(value, what, check, kind, item):
    if not is_number(value) or not finite(value):
        check.fail(f"{what} must be a finite number, got {value!r}", kind=kind, item=item)
    return float(value)


def _scheme(name, node, check, what="init"):
    if not isinstance(name, str) or name not in INITIALIZERS:
        check.fail(f"unknown {what} {name!r} for node {node!r}{suggest(name, INITIALIZERS)}; "
                   f"known: {', '.join(INITIALIZERS)}", kind="node", item=node)
    return INITIALIZERS[name]


def _initialise(H, inputs, outputs, seed, default_init, check):
    """Give every edge a float weight and every biased node a float bias.

    Draws happen node by node in graph order, so the same graph and seed
    give the same numbers.
    """
    generators = []

    def rng():   # made on first draw only: a graph with every value given needs none (and it costs)
        if not generators:
            generators.append(seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed))
        return generators[0]

    output_set = set(outputs)
    missing = {}        # node -> [(source, edge attributes)] of its edges without a weight, in order
    for u, v, d in H.in_edges(data=True):
        w = d.get("weight")
        if w is None:
            missing.setdefault(v, []).append((u, d))
        elif type(w) is not float or w - w != 0.0:   # not a finite float (nan - nan, inf - inf: nan)
            d["weight"] = _number(w, f"weight of edge {u!r} -> {v!r}", check, "edge", (u, v))
    for node, attrs in H.nodes(data=True):
        if attrs["role"] == "input":
            continue
        if node in missing:
            draw = _scheme(attrs.get("init") or default_init, node, check)
            fan_in, fan_outs = fans(H, [u for u, _ in missing[node]], node, output_set)
            for (_, d), w in zip(missing[node], draw(rng(), fan_in, fan_outs, len(missing[node]))):
                d["weight"] = float(w)
        bias = attrs.get("bias", True)
        if bias is True:
            draw = _scheme(attrs.get("bias_init") or DEFAULT_BIAS_INIT, node, check, "bias_init")
            bias = float(draw(rng(), H.in_degree(node), fan_out(H, node, output_set), 1)[0])
        elif bias is False or bias is None:
            bias = None
        else:
            bias = _number(bias, f"bias of node {node!r}", check, "node", node)
        attrs["bias"] = bias
        attrs.setdefault("trainable", True)
        attrs.pop("init", None)
        attrs.pop("bias_init", None)
