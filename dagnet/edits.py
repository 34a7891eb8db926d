"""Structural edits that keep every other weight: edges and perceptrons in and out, freezing.

Each edit checks the change against the topology rules first (names,
cycles, what it cuts off), then changes ``net.graph`` in place and calls
:meth:`dagnet.Network.restructure` once: one recompile of the Plan, every
other weight and bias unchanged. A failed check raises
:class:`~dagnet.errors.TopologyError` and leaves the network as it was.

Each edit returns the :class:`~dagnet.slotmap.SlotMap` from old to new parameter slots.
Given ``optimizer=`` (an :class:`~dagnet.optimizers.Optimizer`), it also
carries the optimiser's per-parameter state across: surviving parameters
keep their Adam moments and momentum buffers, new ones start at zero, and
frozen ones are zeroed (so they stay put). Inside :meth:`Network.fit`, pass
the same optimiser object to ``fit`` and to the edits a callback makes.

:func:`rewire` takes many edges out and puts many in with one array-level
recompile (no graph walk), for dynamic sparse training; see :mod:`dagnet.rewiring`.

Removing an edge or a perceptron also removes what it alone fed: every
perceptron that can then no longer reach an output. Cutting an input off
from every output is refused (a topology file needs each input to reach
an output), unless ``cut_inputs="reconnect"``.

Examples
--------
>>> import dagnet, numpy as np
>>> from dagnet import edits
>>> net = dagnet.load("topologies/xor_2_2_1.yaml", seed=0)
>>> X = np.array([[0, 1], [1, 1]])
>>> before = net.predict(X)
>>> _ = edits.add_node(net, "n", sources=["a", "b"], targets=["y"], seed=0)
>>> bool(np.array_equal(net.predict(X), before))    # new out-weights start at 0
True
>>> _ = edits.remove_edge(net, "h.1", "y")          # h.1 fed only y: it goes too
>>> "h.1" in net.graph, len(net.plan.edge_slot)
(False, 6)
"""
import networkx as nx
import numpy as np

from . import activations
from .errors import TopologyError, suggest
from .graph import is_number
from .initializers import DEFAULT_BIAS_INIT, INITIALIZERS
from .reach import cut_off
from .rewiring import rewire   # noqa: F401  (many edges out and in at once, from arrays)
from .slotmap import carry_state

CUT_INPUTS = ("error", "reconnect")


def _restructure(net, optimizer):
    slots = net.restructure(net.graph)
    if optimizer is not None:
        carry_state(optimizer, slots, net.plan.mask)
    return slots


# -- checks ---------------------------------------------------------------------

def _node(G, node, what="node"):
    try:
        present = node in G
    except TypeError:           # an unhashable name
        present = False
    if not present:
        raise TopologyError(f"no {what} {node!r}{suggest(node, G.nodes) if len(G) <= 5000 else ''}")
    return node


def _edge(G, edge):
    try:
        i, j = edge
    except (TypeError, ValueError):
        raise TopologyError(f"an edge is a pair (source, target), got {edge!r}") from None
    _node(G, i, "source node")
    _node(G, j, "target node")
    return i, j


def _values(values, keys, what):
    """One float per key from a number, a sequence (in ``keys`` order) or a mapping by key."""
    if is_number(values):
        out = [float(values)] * len(keys)
    elif isinstance(values, dict):
        missing = [k for k in keys if k not in values]
        if missing:
            raise TopologyError(f"{what}: no value for {missing[0]!r}")
        out = [values[k] for k in keys]
    else:
        out = list(values)
        if len(out) != len(keys):
            raise TopologyError(f"{what}: {len(out)} values for {len(keys)} edges")
    for k, v in zip(keys, out):
        if not is_number(v) or not np.isfinite(v):
            raise TopologyError(f"{what} for {k!r} must be a finite number, got {v!r}")
    return [float(v) for v in out]


def _check_acyclic(G, undo):
    """Raise (after ``undo()``) if ``G`` has a cycle, naming it."""
    if nx.is_directed_acyclic_graph(G):
        return
    cycle = nx.find_cycle(G)
    undo()
    path = " -> ".join(repr(u) for u, _ in cycle) + f" -> {cycle[0][0]!r}"
    raise TopologyError(f"this edit would make the cycle {path}: a topology must be loop-free")


def _can_feed(G, node, outputs):
    if node in outputs and G.nodes[node].get("activation") == "softmax":
        raise TopologyError(f"softmax output {node!r} cannot feed other nodes")


def _remove(net, edges, nodes, cut_inputs, optimizer):
    if cut_inputs not in CUT_INPUTS:
        raise ValueError(f"cut_inputs must be one of {', '.join(CUT_INPUTS)}, got {cut_inputs!r}")
    G = net.graph
    dead, _ = cut_off(G, net.outputs, edges, nodes)
    inputs = set(net.inputs)
    cut = [n for n in dead if n in inputs]
    if cut and cut_inputs == "error":
        raise TopologyError(f"this edit cuts input(s) {', '.join(map(repr, cut))} off from every "
                            f"output; a network must use every input (cut_inputs='reconnect' keeps "
                            f"each with a fixed zero weight to the first output)")
    G.remove_edges_from(edges)
    G.remove_nodes_from([n for n in dead if n not in inputs])
    # A fixed zero weight changes nothing the network computes and keeps the input in the file.
    G.add_edges_from((x, net.outputs[0], {"weight": 0.0, "trainable": False}) for x in cut)
    return _restructure(net, optimizer)


# -- edges ------------------------------------------------------------------------

def add_edges(net, edges, weights=0.0, trainable=True, optimizer=None):
    """Add the edges ``[(i, j), ...]`` to ``net`` in place, with one recompile.

    Parameters
    ----------
    net : Network
    edges : list of (source, target)
    weights : float, sequence or dict
        One value for all (default 0: the network computes what it did),
        one per edge in order, or ``{(i, j): w}``.
    trainable : bool
    optimizer : Optimizer or None
        Its per-parameter state is carried over (new weights start at 0).

    Returns
    -------
    SlotMap
    """
    G = net.graph
    edges = [_edge(G, e) for e in edges]
    weights = _values(weights, edges, "weight")
    inputs, outputs = set(net.inputs), set(net.outputs)
    if len(set(edges)) != len(edges):
        twice = next(e for e in edges if edges.count(e) > 1)
        raise TopologyError(f"edge {twice[0]!r} -> {twice[1]!r} is listed twice")
    for i, j in edges:
        if j in inputs:
            raise TopologyError(f"edge {i!r} -> {j!r} goes into input {j!r}; inputs take no edges")
        if G.has_edge(i, j):
            raise TopologyError(f"edge {i!r} -> {j!r} is already in the network")
        _can_feed(G, i, outputs)
    G.add_edges_from((i, j, {"weight": w, "trainable": bool(trainable)})
                     for (i, j), w in zip(edges, weights))
    _check_acyclic(G, lambda: G.remove_edges_from(edges))
    return _restructure(net, optimizer)


def add_edge(net, i, j, weight=0.0, trainable=True, optimizer=None):
    """Add the edge ``i -> j`` with ``weight`` (default 0: the function stays the same); see :func:`add_edges`.

    >>> import dagnet
    >>> net = dagnet.load("topologies/xor_2_2_1.yaml", seed=0)
    >>> _ = add_edge(net, "a", "y", weight=0.5)           # a skip edge past the hidden layer
    >>> net.weight("a", "y"), len(net.plan.edge_slot)
    (0.5, 7)
    """
    return add_edges(net, [(i, j)], weight, trainable, optimizer)


def remove_edges(net, edges, optimizer=None, cut_inputs="error"):
    """Remove the edges ``[(i, j), ...]`` and every perceptron left with no path to an output.

    ``cut_inputs="reconnect"`` lets an input lose every path to an output;
    it then keeps one fixed zero-weight edge to the first output. Returns
    the :class:`SlotMap`.
    """
    G = net.graph
    edges = [_edge(G, e) for e in edges]
    for i, j in edges:
        if not G.has_edge(i, j):
            raise TopologyError(f"no edge {i!r} -> {j!r}{suggest(j, G.successors(i))}")
    return _remove(net, list(dict.fromkeys(edges)), (), cut_inputs, optimizer)


def remove_edge(net, i, j, optimizer=None):
    """Remove the edge ``i -> j`` (and what then reaches no output); see :func:`remove_edges`."""
    return remove_edges(net, [(i, j)], optimizer)


# -- perceptrons ----------------------------------------------------------------------

def add_node(net, node, sources, targets, activation="sigmoid", bias=0.0, in_weights=None,
             out_weights=0.0, init="glorot_uniform", seed=None, trainable=True, optimizer=None):
    """Add perceptron ``node`` fed by ``sources`` and feeding ``targets``, in place.

    Parameters
    ----------
    net : Network
    node : hashable
        A new name.
    sources, targets : list of node names
        ``targets`` must not be empty (a perceptron must reach an output).
    activation : str
    bias : float, True or None
        A value, True to initialise (zeros), None for no bias.
    in_weights : None, float, sequence or dict
        None draws them with the scheme ``init`` (fan-in ``len(sources)``,
        fan-out ``len(targets)``), seeded by ``seed``.
    out_weights : float, sequence or dict
        Default 0: the network computes exactly what it did before.
    trainable : bool
        False fixes the new in-weights and bias (as cascade-correlation
        installs a unit); the out-weights are always trainable.
    optimizer : Optimizer or None

    Returns
    -------
    SlotMap
    """
    G = net.graph
    try:
        taken = node in G
    except TypeError:
        raise TopologyError(f"a node name must be hashable, got {node!r}") from None
    if taken:
        raise TopologyError(f"node {node!r} is already in the network")
    sources, targets = list(sources), list(targets)
    outputs, inputs = set(net.outputs), set(net.inputs)
    for s in sources:
        _node(G, s, "source node")
        _can_feed(G, s, outputs)
    for t in targets:
        _node(G, t, "target node")
        if t in inputs:
            raise TopologyError(f"target {t!r} is an input; inputs take no edges")
    if not targets:
        raise TopologyError(f"new node {node!r} feeds nothing, so it cannot reach an output; give targets")
    for what, names in (("sources", sources), ("targets", targets)):
        if len(set(names)) != len(names):
            raise TopologyError(f"{what} of {node!r} list a node twice")
    name = activations.canonical(activation) if isinstance(activation, str) else None
    if name is None or name == "softmax":
        raise TopologyError(f"activation of {node!r} must be one of {', '.join(activations.ACTIVATIONS)}"
                            f"{suggest(activation, activations.NAMES)}, got {activation!r}")
    if init not in INITIALIZERS:
        raise TopologyError(f"unknown init {init!r}{suggest(init, INITIALIZERS)}; "
                            f"known: {', '.join(INITIALIZERS)}")
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    fan = (len(sources), len(targets))
    if in_weights is None:
        in_weights = INITIALIZERS[init](rng, *fan, len(sources)).tolist()
    if bias is True:                    # as a topology file's ``bias: true`` is initialised
        bias = float(INITIALIZERS[DEFAULT_BIAS_INIT](rng, *fan, 1)[0])
    elif bias is not None and bias is not False:
        bias = _values(bias, [node], "bias")[0]
    else:
        bias = None
    in_weights = _values(in_weights, sources, "in_weights")
    out_weights = _values(out_weights, targets, "out_weights")
    G.add_node(node, activation=name, bias=bias, role="hidden", group=None, trainable=bool(trainable))
    G.add_edges_from((s, node, {"weight": w, "trainable": bool(trainable)})
                     for s, w in zip(sources, in_weights))
    G.add_edges_from((node, t, {"weight": w, "trainable": True}) for t, w in zip(targets, out_weights))
    _check_acyclic(G, lambda: G.remove_node(node))
    return _restructure(net, optimizer)


def remove_nodes(net, nodes, optimizer=None, cut_inputs="error"):
    """Remove perceptrons ``nodes``, their edges, and every perceptron then left with no path to an output.

    Inputs and outputs stay (they are the network's interface). Returns
    the :class:`SlotMap`.

    >>> import dagnet
    >>> net = dagnet.load("topologies/xor_skip.yaml")
    >>> _ = remove_nodes(net, ["n"])
    >>> sorted(net.graph.edges)
    [('a', 'y'), ('b', 'y')]
    """
    G = net.graph
    nodes = list(dict.fromkeys(_node(G, n) for n in nodes))
    for n in nodes:
        role = "input" if n in set(net.inputs) else ("output" if n in set(net.outputs) else None)
        if role:
            raise TopologyError(f"cannot remove {role} {n!r}: inputs and outputs are the network's "
                                f"interface (X's columns and predict's)")
    return _remove(net, (), nodes, cut_inputs, optimizer)


def remove_node(net, node, optimizer=None):
    """Remove perceptron ``node`` (and what it alone fed); see :func:`remove_nodes`."""
    return remove_nodes(net, [node], optimizer)


def fold_constants(net, optimizer=None):
    """Remove the hidden perceptrons no input reaches, folding their constant z into later biases.

    Such a perceptron computes the same z_c for every sample, so each
    successor o that stays gets ``b_o += w_{c→o} z_c`` and the network
    computes what it did (to rounding). A constant feeding a node without
    a bias stays. Returns the :class:`SlotMap`, or None when nothing changed.
    """
    G, plan = net.graph, net.plan
    reached = set(net.inputs)
    stack = list(net.inputs)
    while stack:
        for v in G.successors(stack.pop()):
            if v not in reached:
                reached.add(v)
                stack.append(v)
    outputs = set(net.outputs)
    constants = [n for n in plan.nodes if n not in reached and n not in outputs]
    if not constants:
        return None
    z = net.forward(np.zeros((1, len(net.inputs)))).z
    removable = set()
    for c in reversed(constants):        # successors are decided first
        kept = [o for o in G.successors(c) if o not in removable]
        if all(o in plan.bias_slot for o in kept):
            removable.add(c)
    if not removable:
        return None
    for c in constants:                  # in column order: the same sums in the same order every run
        if c not in removable:
            continue
        for o in G.successors(c):
            if o not in removable:
                net.set_bias(o, net.bias(o) + net.weight(c, o) * float(z[c][0]))
    G.remove_nodes_from([c for c in constants if c in removable])
    return _restructure(net, optimizer)


# -- freezing ----------------------------------------------------------------------

def _set_trainable(net, value, edges, nodes, biases, optimizer):
    G = net.graph
    edges = [_edge(G, e) for e in edges]
    for i, j in edges:
        if not G.has_edge(i, j):
            raise TopologyError(f"no edge {i!r} -> {j!r}")
    inputs = set(net.inputs)
    nodes, biases = [_node(G, n) for n in nodes], [_node(G, n) for n in biases]
    for n in nodes + biases:
        if n in inputs:
            raise TopologyError(f"{n!r} is an input: it has no weights or bias")
    for n in biases:
        if G.nodes[n].get("bias") is None:
            raise TopologyError(f"node {n!r} has no bias")
    if not (edges or nodes or biases):
        raise TopologyError("nothing given: name edges, nodes (their in-weights and bias) or biases")
    for i, j in edges + [e for n in nodes for e in G.in_edges(n)]:
        G.edges[i, j]["trainable"] = value
    for n in nodes + biases:
        G.nodes[n]["trainable"] = value
    return _restructure(net, optimizer)


def freeze(net, edges=(), nodes=(), biases=(), optimizer=None):
    """Fix weights so training leaves them alone: ``edges`` [(i, j)], ``nodes`` (in-weights and bias), ``biases``.

    A fixed parameter keeps its value and is saved as ``trainable: false``.
    Returns the :class:`SlotMap` (slots do not move; the mask changes).

    >>> import dagnet
    >>> net = dagnet.load("topologies/xor_skip.yaml")
    >>> trainable = net.n_params
    >>> _ = freeze(net, nodes=["n"])                       # its two in-weights and its bias
    >>> trainable - net.n_params
    3
    """
    return _set_trainable(net, False, edges, nodes, biases, optimizer)


def unfreeze(net, edges=(), nodes=(), biases=(), optimizer=None):
    """Make weights trainable again; the arguments are those of :func:`freeze`."""
    return _set_trainable(net, True, edges, nodes, biases, optimizer)
