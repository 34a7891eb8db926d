"""Check a perceptron topology and complete its attributes.

Every way into dagnet (a topology file, YAML text, a networkx graph) ends
here, so every rule lives once: what a valid topology is, and what a missing
weight, bias or activation becomes. The rules run on a
:class:`~dagnet.blueprint.Blueprint` (nodes by position, edges as arrays),
so that a million edges are checked and initialised with array operations;
:func:`blueprint` reads a networkx graph into one, :func:`complete` checks
and completes it, :func:`build` returns the completed graph.
"""
import numpy as np

from . import activations, limits
from .blueprint import Blueprint
from .errors import TopologyError, suggest
from .initializers import DEFAULT_BIAS_INIT, DEFAULT_WEIGHT_INIT, INITIALIZERS, zeros
from .losses import LOSSES
from .text import plural
from .values import finite, is_name, is_number  # noqa: F401 (imported from here across the package)
from .wiring import generations, reaches

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


class _Checker:
    """Raises TopologyError with the source and the key path of the culprit."""

    def __init__(self, source, locate):
        self.source = source
        self.locate = locate or (lambda kind, item: None)

    def fail(self, message, kind=None, item=None, key=None):
        if key is None and kind is not None:
            key = self.locate(kind, item)
        raise TopologyError(message, source=self.source, key=key)


def build(G, inputs=None, outputs=None, loss=None, seed=None, init=None, source=None):
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
    return blueprint(G, inputs, outputs, loss, seed=seed, init=init, source=source).to_graph()


def blueprint(G, inputs=None, outputs=None, loss=None, seed=None, init=None, source=None):
    """The completed :class:`~dagnet.blueprint.Blueprint` of graph ``G`` (see :func:`build`); ``G`` is not changed."""
    import networkx as nx   # here, not above: a topology file is checked without networkx

    check = _Checker(source, None)
    if not isinstance(G, nx.DiGraph) or G.is_multigraph():
        check.fail(f"expected a networkx.DiGraph, got {type(G).__name__}")
    too_big = limits.excess(G.number_of_nodes(), G.number_of_edges())
    if too_big:   # the same limits as a topology file's, so a network dagnet saves loads again
        check.fail(too_big)
    return complete(Blueprint.of_graph(G, source), inputs, outputs, loss, seed=seed, init=init, source=source)


def complete(bp, inputs=None, outputs=None, loss=None, seed=None, init=None, source=None, locate=None):
    """Check blueprint ``bp`` and complete it in place: roles, activations, every weight and bias.

    ``inputs``, ``outputs``, ``loss``, ``seed``, ``init``, ``source`` are as in
    :func:`build`; ``locate(kind, item) -> key path`` names where a node or
    edge came from, ``kind`` one of ``"node"``, ``"edge"``, ``"inputs"``,
    ``"outputs"``, ``"loss"``. Returns ``bp``.
    """
    check = _Checker(source, locate)
    n = bp.n_nodes
    in_degree = np.bincount(bp.dst, minlength=n)
    out_degree = np.bincount(bp.src, minlength=n)
    names = bp.names
    inputs = _endpoints(bp, inputs, "inputs", check, lambda: [names[k] for k in np.flatnonzero(in_degree == 0)])
    outputs = _endpoints(bp, outputs, "outputs", check,
                         lambda: [names[k] for k in np.flatnonzero(out_degree == 0)])
    loss = _loss_name(bp.graph, loss, check)
    _check_structure(bp, inputs, outputs, check)
    _complete_nodes(bp, inputs, outputs, loss, check)
    _initialise(bp, outputs, seed, init or bp.graph.get("init") or DEFAULT_WEIGHT_INIT, check,
                in_degree, out_degree)
    bp.graph.update(inputs=list(inputs), outputs=list(outputs), loss=loss)
    bp.graph.setdefault("name", None)
    bp.graph.pop("init", None)
    return bp


def _endpoints(bp, names, key, check, default):
    if names is None:
        names = bp.graph.get(key)
    if names is None:
        names = _sorted_names(default())
    if isinstance(names, (str, bytes)) or not hasattr(names, "__iter__"):
        check.fail(f"{key} must be a list of node names, got {names!r}", kind=key)
    names = list(names)
    if not names:
        check.fail(f"no {key}: a network needs at least one", kind=key)
    position = bp.position
    try:                                       # the common case at C speed: known, each once
        if len(set(names)) == len(names) and position.keys() >= set(names):
            return names
    except TypeError:                          # an unhashable name: named below
        pass
    seen = set()
    for name in names:
        try:
            hash(name)
        except TypeError:
            check.fail(f"{key} must list node names, got {name!r}", kind=key)
        if name not in position:
            check.fail(f"{key[:-1]} {name!r} is not a node{suggest(name, bp.names)}", kind=key, item=name)
        if name in seen:
            check.fail(f"{key[:-1]} {name!r} is listed twice", kind=key, item=name)
        seen.add(name)
    return names


def _loss_name(graph, loss, check):
    loss = loss if loss is not None else graph.get("loss", DEFAULT_LOSS)
    if not isinstance(loss, str) or loss not in LOSSES:
        check.fail(f"unknown loss {loss!r}{suggest(loss, LOSSES)}; known: {', '.join(LOSSES)}",
                   kind="loss")
    return loss


def _check_structure(bp, inputs, outputs, check):
    names, position, src, dst, n = bp.names, bp.position, bp.src, bp.dst, bp.n_nodes
    input_set = set(inputs)
    for node in outputs:
        if node in input_set:
            check.fail(f"{node!r} is both an input and an output", kind="outputs", item=node)
    loops = src[src == dst]
    if len(loops):
        u = names[int(loops.min())]
        check.fail(f"self-loop on {u!r}: an edge {u!r} -> {u!r} would make a cycle", kind="edge", item=(u, u))
    input_rank = np.full(n, -1)
    input_rank[[position[i] for i in inputs]] = np.arange(len(inputs))
    into = np.flatnonzero(input_rank[dst] >= 0)
    if len(into):           # the first input (in input order) with a predecessor, its first one
        k = into[np.lexsort((into, input_rank[dst[into]]))[0]]
        u, node = names[src[k]], names[dst[k]]
        check.fail(f"edge {u!r} -> {node!r} goes into input {node!r}; inputs take no edges",
                   kind="edge", item=(u, node))
    try:
        bp.generation = generations(n, src, dst)
    except ValueError:      # find_cycle only to report one, on the graph as it was given
        import networkx as nx

        H = nx.DiGraph()
        H.add_nodes_from(names)
        H.add_edges_from(zip([names[k] for k in src.tolist()], [names[k] for k in dst.tolist()]))
        cycle = nx.find_cycle(H)
        path = " -> ".join(repr(u) for u, _ in cycle) + f" -> {cycle[0][0]!r}"
        check.fail(f"cycle {path}: a topology must be loop-free", kind="edge", item=cycle[-1][:2])
    dead = np.flatnonzero(~reaches(n, src, dst, [position[o] for o in outputs]))
    if len(dead):
        dead = _sorted_names([names[k] for k in dead])
        what = "input" if all(d in input_set for d in dead) else "node"
        check.fail(f"{plural(len(dead), what)} cannot reach any output: {_listing(dead)}; connect "
                   f"them or remove them", kind="node", item=dead[0])


def _complete_nodes(bp, inputs, outputs, loss, check):
    position = bp.position
    role = ["hidden"] * bp.n_nodes
    for o in outputs:
        role[position[o]] = "output"
    for i in inputs:
        role[position[i]] = "input"
    bp.role = role
    canonical = _canonical_activations(bp, role, check)
    acts = bp.activation = [None if r == "input" else canonical[a or DEFAULT_ACTIVATION]
                            for a, r in zip(bp.activation, role)]
    bp.bias = [None if r == "input" else b for b, r in zip(bp.bias, role)]
    out_acts = [acts[position[o]] for o in outputs]
    if "softmax" in out_acts:
        if any(a != "softmax" for a in out_acts):
            plain = [o for o, a in zip(outputs, out_acts) if a != "softmax"]
            check.fail(f"softmax covers all outputs or none; outputs {_listing(plain)} are not "
                       f"softmax", kind="outputs", item=plain[0])
        feeding = np.bincount(bp.src, minlength=bp.n_nodes)
        for o in outputs:
            if feeding[position[o]]:
                check.fail(f"softmax output {o!r} feeds other nodes; a softmax output must be "
                           f"a sink", kind="node", item=o)
    required = LOSSES[loss].output_activation
    if required:
        wrong = [o for o, a in zip(outputs, out_acts) if a != required]
        if wrong:
            check.fail(f"loss {loss!r} needs {required} outputs; {_listing(wrong)} "
                       f"{'has' if len(wrong) == 1 else 'have'} activation "
                       f"{acts[position[wrong[0]]]!r}", kind="node", item=wrong[0])
    if len(outputs) < LOSSES[loss].min_outputs:
        check.fail(f"{loss} needs at least {LOSSES[loss].min_outputs} {required or ''} outputs; for one output use a "
                   f"sigmoid with binary_cross_entropy", kind="outputs")


def _canonical_activations(bp, role, check):
    """``{name a perceptron gives: canonical name}``, or the first node whose activation is wrong, named."""
    given = [a or DEFAULT_ACTIVATION for a, r in zip(bp.activation, role) if r != "input"]
    try:
        names = set(given)
    except TypeError:                          # an unhashable activation: named below
        names = {None}
    if all(isinstance(name, str) for name in names):
        canonical = {name: activations.canonical(name) for name in names}
        softmax = {name for name, known in canonical.items() if known == "softmax"}
        if None not in canonical.values() and not any(
                r == "hidden" and (a or DEFAULT_ACTIVATION) in softmax for a, r in zip(bp.activation, role)):
            return canonical
    for k, r in enumerate(role):                # the first problem in graph order, named
        if r == "input":
            continue
        name = bp.activation[k] or DEFAULT_ACTIVATION
        known = activations.canonical(name) if isinstance(name, str) else None
        if known is None:
            check.fail(f"unknown activation {name!r} for node {bp.names[k]!r}"
                       f"{suggest(name, activations.NAMES)}; known: {', '.join(activations.NAMES)}",
                       kind="node", item=bp.names[k])
        if known == "softmax" and r != "output":
            check.fail(f"softmax on node {bp.names[k]!r}, which is not an output: softmax is one "
                       f"normalisation over all output nodes", kind="node", item=bp.names[k])
    raise AssertionError("an activation check passed on the second look")   # pragma: no cover


def _number(value, what, check, kind, item):
    if not is_number(value) or not finite(value):
        check.fail(f"{what} must be a finite number, got {value!r}", kind=kind, item=item)
    return float(value)


def _scheme(name, node, check, what="init"):
    if not isinstance(name, str) or name not in INITIALIZERS:
        check.fail(f"unknown {what} {name!r} for node {node!r}{suggest(name, INITIALIZERS)}; "
                   f"known: {', '.join(INITIALIZERS)}", kind="node", item=node)
    return INITIALIZERS[name]


def _initialise(bp, outputs, seed, default_init, check, in_degree, out_degree):
    """Give every edge a float weight and every biased node a float bias.

    Draws happen node by node in graph order (a node's missing weights in
    ``in_edges`` order, then its bias), so the same graph and seed give the
    same numbers.
    """
    order = bp.in_edge_order()
    missing = order[np.isnan(bp.weight[order])]            # edges without a weight, in in_edges order
    is_perceptron = [r != "input" for r in bp.role]
    perceptron = np.array(is_perceptron, dtype=bool)
    to_draw = np.flatnonzero(perceptron & (np.bincount(bp.dst[missing], minlength=bp.n_nodes) > 0))
    drawn_bias = np.flatnonzero([b is True for b in bp.bias])           # inputs have None by now
    init, bias_init = bp.init, bp.bias_init
    weight_schemes = [init[k] or default_init for k in to_draw.tolist()]
    bias_schemes = [bias_init[k] or DEFAULT_BIAS_INIT for k in drawn_bias.tolist()]
    if not _plain_values(weight_schemes, bias_schemes, bp.bias):
        _name_bad_value(bp, np.flatnonzero(perceptron).tolist(), to_draw.tolist(), default_init, check)
    bp.bias = [b if type(b) is float else None if b is None or b is False else 0.0 if b is True else float(b)
               for b in bp.bias]
    bp.trainable = [True if t is None and p else t for t, p in zip(bp.trainable, is_perceptron)]
    bp.init = [None if p else value for value, p in zip(init, is_perceptron)]
    bp.bias_init = [None if p else value for value, p in zip(bias_init, is_perceptron)]
    bp.weight[missing] = 0.0
    if len(to_draw) or len(drawn_bias):      # a generator only then: making one costs a small network's build
        rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
        number, functions = {}, {}             # scheme name -> number of its function; function -> number
        for name in set(weight_schemes) | set(bias_schemes):
            number[name] = functions.setdefault(INITIALIZERS[name], len(functions))
        fan_out = out_degree.copy()
        fan_out[list(map(bp.position.__getitem__, outputs))] += 1      # an output feeds the loss too
        _draw(bp, rng, (to_draw, np.array([number[n] for n in weight_schemes], dtype=np.intp)),
              (drawn_bias, np.array([number[n] for n in bias_schemes], dtype=np.intp)), list(functions),
              missing, in_degree, fan_out)


def _plain_values(weight_schemes, bias_schemes, biases):
    """True when every scheme is known and every bias is true, false, null or a finite number."""
    try:
        if not (set(weight_schemes) | set(bias_schemes)) <= INITIALIZERS.keys():
            return False
    except TypeError:                          # a scheme that is not even a name
        return False
    if not set(map(type, biases)) <= {bool, type(None), float, int}:
        return False
    try:
        numbers = np.array([b for b in biases if type(b) is float or type(b) is int], dtype=np.float64)
    except OverflowError:
        return False
    return bool(np.isfinite(numbers).all())


def _name_bad_value(bp, perceptrons, to_draw, default_init, check):
    """Raise for the first node, in graph order, with an unknown scheme or a bias that is not a number."""
    names, drawing = bp.names, set(to_draw)
    for k in perceptrons:
        if k in drawing:
            _scheme(bp.init[k] or default_init, names[k], check)
        bias = bp.bias[k]
        if bias is True:
            _scheme(bp.bias_init[k] or DEFAULT_BIAS_INIT, names[k], check, "bias_init")
        elif bias is not False and bias is not None:
            _number(bias, f"bias of node {names[k]!r}", check, "node", names[k])


def _draw(bp, rng, weights, biases, schemes, missing, in_degree, fan_out):
    """Draw the missing weights of the nodes ``weights[0]`` and the biases of ``biases[0]``.

    ``weights``, ``biases``: (nodes, the number of each one's scheme in
    ``schemes``). The values are drawn in the order one call per node would
    draw them; consecutive values of one scheme take one call (the same
    numbers, since each value is drawn from its own fans), and ``zeros``,
    which draws nothing from ``rng``, leaves the zeros already in place.
    """
    weight_scheme = np.full(bp.n_nodes, -1)
    weight_scheme[weights[0]] = weights[1]
    biased, bias_scheme = biases
    # one row per value: its node, weight or bias, the edge it goes to (-1 for a bias), scheme, fans
    node = np.concatenate([bp.dst[missing], biased])
    is_bias = np.concatenate([np.zeros(len(missing), dtype=bool), np.ones(len(biased), dtype=bool)])
    edge = np.concatenate([missing, np.full(len(biased), -1)])
    scheme = np.concatenate([weight_scheme[bp.dst[missing]], bias_scheme])
    fan_outs = np.concatenate([fan_out[bp.src[missing]], fan_out[biased]]).astype(float)
    order = np.argsort(node * 2 + is_bias, kind="stable")
    order = order[np.isin(scheme[order], [s for s, draw in enumerate(schemes) if draw is not zeros])]
    node, is_bias, edge, scheme, fan_outs = (a[order] for a in (node, is_bias, edge, scheme, fan_outs))
    values = np.empty(len(node))
    bounds = np.flatnonzero(np.diff(scheme)) + 1
    for a, b in zip([0, *bounds.tolist()], [*bounds.tolist(), len(node)] if len(node) else []):
        values[a:b] = schemes[scheme[a]](rng, in_degree[node[a:b]], fan_outs[a:b], b - a)
    bp.weight[edge[~is_bias]] = values[~is_bias]
    for k, value in zip(node[is_bias].tolist(), values[is_bias].tolist()):
        bp.bias[k] = value
