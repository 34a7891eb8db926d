"""Topology generators: layered MLPs, skip patterns, cascades and randomly wired DAGs.

Every generator in :data:`GENERATORS` returns a ``networkx.DiGraph`` ready
for :meth:`dagnet.Network.from_graph`: the graph attributes ``inputs``,
``outputs``, ``loss``, ``name`` and ``description`` are set, weights and
biases are left for the network's seed to initialise, and perceptrons that
belong together carry the node attribute ``group`` (so pictures can draw a
layer as one box and :func:`to_yaml` can write it as ``{size: N}``).

Names follow the topology file's group convention: the inputs are the group
``x`` (``x.0``, ``x.1``, ...), hidden layer k is the group ``hk``
(``h1.0``, ...), cascade and random-graph perceptrons are the group ``h``,
and the output is ``y`` (one output) or the group ``y`` (``y.0``, ...).

Parameters every generator takes:

``inputs`` (2)
    Number of inputs, or a list of input names.
``outputs`` (1)
    Number of outputs, or a list of output names.
``loss`` (None)
    None picks ``binary_cross_entropy`` for one output and ``cross_entropy``
    for several, the classification pairs; say ``mse`` for regression.
``output_activation`` (None)
    None follows the loss: ``sigmoid`` for ``binary_cross_entropy``,
    ``softmax`` for ``cross_entropy``, ``linear`` for ``mse`` and ``sse``.
``bias`` (True), ``init`` (None: the file default, ``glorot_uniform``), ``name`` (None).

Examples
--------
>>> G = GENERATORS["residual"](sizes=[4, 4, 4, 4], every=2)
>>> sorted({d["group"] for _, d in G.nodes(data=True) if d.get("group")})
['h1', 'h2', 'h3', 'h4', 'x']
>>> G.has_edge("h1.0", "h3.0"), G.has_edge("h1.0", "h3.1")     # one-to-one skip over h2
(True, False)
>>> net = generate("dense", sizes=[3, 3], seed=0)
>>> net.n_params                               # 2·3 + 2·3 + 2·1 + 3·3 + 3·1 + 3·1 weights, 7 biases
36
"""
import inspect
import json
import math
import re

import networkx as nx

from .errors import suggest
from .graph import is_number

#: ``{kind: function(**params) -> networkx.DiGraph}``, filled by :func:`generator`.
GENERATORS = {}

#: The output activation each loss needs (or suits best).
OUTPUT_ACTIVATION = {"binary_cross_entropy": "sigmoid", "cross_entropy": "softmax",
                     "mse": "linear", "sse": "linear"}

#: The random kinds, whose structure depends on ``graph_seed``.
RANDOM_KINDS = ("erdos_renyi", "barabasi_albert", "watts_strogatz")


def generator(fn):
    """Register ``fn`` in :data:`GENERATORS` under its own name."""
    GENERATORS[fn.__name__] = fn
    return fn


# -- parameter checks (a bad value is a ValueError naming the parameter) --------

def _whole(value, what, low=0):
    if isinstance(value, bool) or not is_number(value) or value != int(value) or value < low:
        raise ValueError(f"{what} must be a whole number >= {low}, got {value!r}")
    return int(value)


def _fraction(value, what):
    if isinstance(value, bool) or not is_number(value) or not 0 <= value <= 1:
        raise ValueError(f"{what} must be a number between 0 and 1, got {value!r}")
    return float(value)


def _sizes(sizes, what="sizes", allow_empty=True):
    if is_number(sizes):
        sizes = [sizes]
    if isinstance(sizes, (str, bytes)) or not hasattr(sizes, "__iter__"):
        raise ValueError(f"{what} must be a list of layer widths like [8, 8], got {sizes!r}")
    sizes = [_whole(s, f"every layer width in {what}", low=1) for s in sizes]
    if not sizes and not allow_empty:
        raise ValueError(f"{what} must name at least one hidden layer, got []")
    return sizes


def _activations(activations, n, what="activations"):
    """One activation name per layer, from a name or a list of ``n`` names."""
    if isinstance(activations, str):
        return [activations] * n
    if isinstance(activations, (list, tuple)) and all(isinstance(a, str) for a in activations):
        if len(activations) != n:
            raise ValueError(f"{what} has {len(activations)} names for {n} hidden layers; give one "
                             f"name for all or one per layer")
        return list(activations)
    raise ValueError(f"{what} must be an activation name or a list of names, got {activations!r}")


def _names(value, what, prefix):
    """Names for ``inputs``/``outputs``: a count (a group ``prefix``) or a list of names."""
    if is_number(value) and not isinstance(value, bool):
        n = _whole(value, what, low=1)
        return [prefix] if what == "outputs" and n == 1 else [f"{prefix}.{k}" for k in range(n)]
    if isinstance(value, (list, tuple)) and value:
        for name in value:
            if isinstance(name, bool) or not isinstance(name, (str, int)):
                raise ValueError(f"{what} names must be strings or integers, got {name!r}")
        if len(set(value)) != len(value):
            raise ValueError(f"{what} lists a name twice: {list(value)!r}")
        return list(value)
    raise ValueError(f"{what} must be a whole number >= 1 or a list of names, got {value!r}")


class _Builder:
    """A DiGraph with the inputs, the graph attributes, and helpers to add perceptrons and edges."""

    def __init__(self, kind, params, inputs, outputs, loss, output_activation, bias, init, name,
                 taken=()):
        n_out = outputs if is_number(outputs) else len(outputs) if isinstance(outputs, (list, tuple)) else None
        if loss is None:
            loss = "cross_entropy" if n_out and n_out > 1 else "binary_cross_entropy"
        if not isinstance(loss, str):
            raise ValueError(f"loss must be a name, got {loss!r}")
        if output_activation is None:
            output_activation = OUTPUT_ACTIVATION.get(loss, "sigmoid")
        if not (bias is True or bias is False or bias is None or is_number(bias)):
            raise ValueError(f"bias must be true, false or a number, got {bias!r}")
        self.bias = bias
        self.G = nx.DiGraph()
        self.inputs = _names(inputs, "inputs", "x")
        self.outputs = _names(outputs, "outputs", "y")
        clash = set(self.inputs) & (set(self.outputs) | set(taken))
        clash |= set(self.outputs) & set(taken)
        if clash:
            raise ValueError(f"name(s) {sorted(map(str, clash))} used twice: inputs, outputs and "
                             f"the generated hidden perceptrons need names of their own")
        group_in = "x" if is_number(inputs) else None
        self.G.add_nodes_from((n, {"group": group_in}) if group_in else (n, {}) for n in self.inputs)
        self.G.graph.update(inputs=list(self.inputs), outputs=list(self.outputs), loss=loss,
                            name=name or kind.replace("_", "-"),
                            description=f"dagnet.generate {kind}: {_describe(params)}")
        if init is not None:
            self.G.graph["init"] = init
        self._group_out = "y" if is_number(outputs) and len(self.outputs) > 1 else None
        self.output_activation = output_activation

    def perceptron(self, node, activation, group=None):
        attrs = {"activation": activation, "bias": self.bias}
        if group is not None:
            attrs["group"] = group
        self.G.add_node(node, **attrs)
        return node

    def layer(self, group, size, activation):
        return [self.perceptron(f"{group}.{k}", activation, group) for k in range(size)]

    def output_layer(self):
        return [self.perceptron(o, self.output_activation, self._group_out) for o in self.outputs]

    def connect(self, sources, target, weight=None):
        """Edges from every node of ``sources`` into ``target``."""
        attrs = {} if weight is None else {"weight": float(weight)}
        self.G.add_edges_from((u, target, dict(attrs)) for u in sources)


def _describe(params):
    return ", ".join(f"{k}={_flow(list(v) if isinstance(v, tuple) else v)}"
                     for k, v in params.items() if v is not None)


def _io(**kw):
    """The parameters every generator shares, with their defaults."""
    return {"inputs": kw.get("inputs", 2), "outputs": kw.get("outputs", 1), "loss": kw.get("loss"),
            "output_activation": kw.get("output_activation"), "bias": kw.get("bias", True),
            "init": kw.get("init"), "name": kw.get("name")}


def _layered(kind, params, sizes, activations, io):
    """An MLP's builder and layers: ``[inputs, h1, ..., hL, outputs]`` (node lists)."""
    taken = [f"h{i + 1}.{k}" for i, s in enumerate(sizes) for k in range(s)]
    b = _Builder(kind, params, taken=taken, **io)
    acts = _activations(activations, len(sizes))
    hidden = []
    for i, (size, act) in enumerate(zip(sizes, acts)):
        hidden.append(b.layer(f"h{i + 1}", size, act))
    out = b.output_layer()
    return b, [b.inputs, *hidden, out]


def _chain(b, layers):
    """Connect every layer to the next, all to all."""
    for j in range(1, len(layers)):
        for v in layers[j]:
            b.connect(layers[j - 1], v)


# -- layered networks -------------------------------------------------------

@generator
def mlp(sizes=(8,), activations="tanh", inputs=2, outputs=1, loss=None, output_activation=None,
        bias=True, init=None, name=None):
    """A layered perceptron: inputs → h1 → ... → hL → outputs, each layer all-to-all.

    Parameters
    ----------
    sizes : list of int
        Hidden layer widths; ``[]`` connects the inputs straight to the outputs.
    activations : str or list of str
        One name for every hidden layer, or one per layer.

    Returns
    -------
    networkx.DiGraph
        Σ n_k·n_{k+1} edges over consecutive layers (inputs and outputs included).

    Examples
    --------
    >>> G = mlp(sizes=[3, 2], inputs=2, outputs=1)
    >>> G.number_of_edges(), G.graph["loss"]                # 2·3 + 3·2 + 2·1
    (14, 'binary_cross_entropy')
    """
    params = {"sizes": sizes, "activations": activations}
    b, layers = _layered("mlp", params, _sizes(sizes), activations, _io(**locals()))
    _chain(b, layers)
    return b.G


@generator
def input_output_skips(sizes=(8,), activations="tanh", inputs=2, outputs=1, loss=None,
                       output_activation=None, bias=True, init=None, name=None):
    """An MLP plus an edge from every input to every output, skipping all hidden layers.

    Examples
    --------
    >>> G = input_output_skips(sizes=[3], inputs=2, outputs=1)
    >>> G.number_of_edges(), G.has_edge("x.0", "y")        # 2·3 + 3·1 + 2·1
    (11, True)
    """
    params = {"sizes": sizes, "activations": activations}
    sizes = _sizes(sizes, allow_empty=False)
    b, layers = _layered("input_output_skips", params, sizes, activations, _io(**locals()))
    _chain(b, layers)
    for o in layers[-1]:
        b.connect(layers[0], o)
    return b.G


@generator
def residual(sizes=(8, 8, 8, 8), every=2, connect="one_to_one", skip_weight=None, activations="tanh",
             inputs=2, outputs=1, loss=None, output_activation=None, bias=True, init=None, name=None):
    """An MLP with ResNet-style skips around blocks of ``every`` hidden layers.

    Skips run from hidden layer i to layer i + every for i = 1, 1 + every,
    1 + 2·every, ... (blocks one after another, as in ResNet).

    Parameters
    ----------
    every : int >= 2
        Layers per block: the skip jumps over ``every - 1`` layers.
    connect : {"one_to_one", "all"}
        ``one_to_one``: perceptron k of layer i feeds perceptron k of layer
        i + every (the identity shortcut at perceptron level; equal widths
        needed); ``all``: every perceptron of layer i feeds every one of
        layer i + every.
    skip_weight : float or None
        Start value of the skip weights (1.0 starts as an identity
        shortcut); None initialises them like every other weight.

    Examples
    --------
    >>> G = residual(sizes=[4, 4, 4, 4, 4], every=2)   # skips h1 -> h3 and h3 -> h5
    >>> sorted(v for u, v in G.out_edges("h1.2") if v.startswith("h3"))
    ['h3.2']
    """
    params = {"sizes": sizes, "every": every, "connect": connect, "skip_weight": skip_weight,
              "activations": activations}
    sizes = _sizes(sizes, allow_empty=False)
    every = _whole(every, "every", low=2)
    if connect not in ("one_to_one", "all"):
        raise ValueError(f"connect must be 'one_to_one' or 'all', got {connect!r}")
    if skip_weight is not None and (not is_number(skip_weight) or not math.isfinite(skip_weight)):
        raise ValueError(f"skip_weight must be a finite number or None, got {skip_weight!r}")
    if len(sizes) <= every:
        raise ValueError(f"residual skips every {every} layers need at least {every + 1} hidden "
                         f"layers, got {len(sizes)} (sizes={sizes})")
    starts = range(1, len(sizes) - every + 1, every)   # hidden layer numbers, 1-based
    if connect == "one_to_one":
        for i in starts:
            if sizes[i - 1] != sizes[i - 1 + every]:
                raise ValueError(f"connect='one_to_one' needs equal widths, but layer h{i} has "
                                 f"{sizes[i - 1]} perceptrons and h{i + every} has "
                                 f"{sizes[i - 1 + every]}; use connect='all' or equal sizes")
    b, layers = _layered("residual", params, sizes, activations, _io(**locals()))
    _chain(b, layers)
    for i in starts:   # ``layers`` counts the inputs as layer 0, so hidden layer i is layers[i]
        source, target = layers[i], layers[i + every]
        for k, v in enumerate(target):
            b.connect(source if connect == "all" else [source[k]], v, skip_weight)
    return b.G


@generator
def dense(sizes=(8, 8, 8), activations="tanh", inputs=2, outputs=1, loss=None,
          output_activation=None, bias=True, init=None, name=None):
    """DenseNet-style: every layer (inputs included) feeds every later layer (outputs included).

    Returns
    -------
    networkx.DiGraph
        Σ_{i<j} n_i·n_j edges over the layers [inputs, h1, ..., hL, outputs].

    Examples
    --------
    >>> dense(sizes=[3, 3], inputs=2, outputs=1).number_of_edges()   # 2·3+2·3+2·1+3·3+3·1+3·1
    29
    """
    params = {"sizes": sizes, "activations": activations}
    b, layers = _layered("dense", params, _sizes(sizes), activations, _io(**locals()))
    for j in range(1, len(layers)):
        for v in layers[j]:
            for i in range(j - 1, -1, -1):   # the layer below first, then the skips
                b.connect(layers[i], v)
    return b.G


@generator
def cascade(n_hidden=4, activation="tanh", inputs=2, outputs=1, loss=None, output_activation=None,
            bias=True, init=None, name=None):
    """Cascade-correlation style: hidden perceptron k is fed by the inputs and h.0 ... h.{k-1}.

    The outputs are fed by the inputs and every hidden perceptron, so each
    new perceptron adds one generation of depth (Fahlman & Lebiere, 1990).

    Returns
    -------
    networkx.DiGraph
        n_in·H + H(H−1)/2 + (n_in + H)·n_out edges for H hidden perceptrons.

    Examples
    --------
    >>> G = cascade(n_hidden=3, inputs=2, outputs=1)
    >>> sorted(G.predecessors("h.2")), G.number_of_edges()   # 2·3 + 3 + 5·1
    (['h.0', 'h.1', 'x.0', 'x.1'], 14)
    """
    params = {"n_hidden": n_hidden, "activation": activation}
    n_hidden = _whole(n_hidden, "n_hidden")
    _activations(activation, 1, "activation")
    hidden = [f"h.{k}" for k in range(n_hidden)]
    b = _Builder("cascade", params, taken=hidden, **_io(**locals()))
    for k, v in enumerate(hidden):
        b.perceptron(v, activation, "h")
        b.connect(b.inputs + hidden[:k], v)
    for o in b.output_layer():
        b.connect(b.inputs + hidden, o)
    return b.G


# -- randomly wired networks (Xie et al., 2019) ------------------------------

def _wire(kind, params, U, activation, io):
    """Orient the undirected graph ``U`` on nodes 0..n-1 from lower to higher index.

    Sources (no predecessor after orienting) are fed by every input; sinks
    (no successor) feed every output, as in "Exploring Randomly Wired Neural
    Networks for Image Recognition" (Xie, Kirillov, Girshick, He; 2019).
    """
    _activations(activation, 1, "activation")
    n = U.number_of_nodes()
    hidden = [f"h.{k}" for k in range(n)]
    b = _Builder(kind, params, taken=hidden, **io)
    preds = {k: sorted(u for u in U[k] if u < k) for k in range(n)}
    has_succ = {u for k in range(n) for u in preds[k]}
    for k, v in enumerate(hidden):
        b.perceptron(v, activation, "h")
        b.connect([hidden[u] for u in preds[k]] if preds[k] else b.inputs, v)
    sinks = [hidden[k] for k in range(n) if k not in has_succ]
    for o in b.output_layer():
        b.connect(sinks, o)
    return b.G


@generator
def erdos_renyi(n=16, p=0.25, graph_seed=0, activation="tanh", inputs=2, outputs=1, loss=None,
                output_activation=None, bias=True, init=None, name=None):
    """A random DAG: each pair of the ``n`` perceptrons joined with probability ``p`` (ER model).

    ``graph_seed`` seeds the structure (the same seed gives the same graph);
    the network's own seed then seeds the weights.

    Examples
    --------
    >>> G = erdos_renyi(n=8, p=0.4, graph_seed=1)
    >>> nx.is_directed_acyclic_graph(G), all(G.has_edge(u, v) <= (u < v) for u, v in G.edges
    ...                                      if u.startswith("h.") and v.startswith("h."))
    (True, True)
    """
    params = {"n": n, "p": p, "graph_seed": graph_seed, "activation": activation}
    n = _whole(n, "n", low=1)
    U = nx.gnp_random_graph(n, _fraction(p, "p"), seed=_seed(graph_seed))
    return _wire("erdos_renyi", params, U, activation, _io(**locals()))


@generator
def barabasi_albert(n=16, m=2, graph_seed=0, activation="tanh", inputs=2, outputs=1, loss=None,
                    output_activation=None, bias=True, init=None, name=None):
    """A random DAG by preferential attachment: each new perceptron joins ``m`` earlier ones (BA model).

    Examples
    --------
    >>> G = barabasi_albert(n=6, m=2)        # a star of m + 1 = 3, then 3 perceptrons joining 2 each
    >>> sum(1 for u, v in G.edges if u.startswith("h") and v.startswith("h"))
    8
    """
    params = {"n": n, "m": m, "graph_seed": graph_seed, "activation": activation}
    n = _whole(n, "n", low=2)
    m = _whole(m, "m", low=1)
    if m >= n:
        raise ValueError(f"barabasi_albert needs 1 <= m < n, got m={m}, n={n}")
    U = nx.barabasi_albert_graph(n, m, seed=_seed(graph_seed))
    return _wire("barabasi_albert", params, U, activation, _io(**locals()))


@generator
def watts_strogatz(n=16, k=4, p=0.25, graph_seed=0, activation="tanh", inputs=2, outputs=1,
                   loss=None, output_activation=None, bias=True, init=None, name=None):
    """A random DAG from a small-world ring: ``n`` perceptrons each joined to its ``k`` nearest
    neighbours, each edge rewired with probability ``p`` (WS model, Xie et al.'s best generator).

    Examples
    --------
    >>> G = watts_strogatz(n=8, k=2, p=0.0)        # a ring 0-1-...-7-0 oriented: a chain plus 0 -> 7
    >>> sorted(G.predecessors("h.7")), list(G.predecessors("y"))
    (['h.0', 'h.6'], ['h.7'])
    """
    params = {"n": n, "k": k, "p": p, "graph_seed": graph_seed, "activation": activation}
    n = _whole(n, "n", low=3)
    k = _whole(k, "k", low=2)
    if k % 2 or k >= n:
        raise ValueError(f"watts_strogatz needs an even k (k/2 neighbours on each side) with "
                         f"2 <= k < n, got k={k}, n={n}")
    U = nx.watts_strogatz_graph(n, k, _fraction(p, "p"), seed=_seed(graph_seed))
    return _wire("watts_strogatz", params, U, activation, _io(**locals()))


def _seed(seed):
    if seed is None:
        return None
    return _whole(seed, "graph_seed")


# -- the front door -------------------------------------------------------------

def parameters(kind):
    """``{parameter: default}`` of generator ``kind``."""
    fn = _lookup(kind)
    return {p.name: p.default for p in inspect.signature(fn).parameters.values()}


def _lookup(kind):
    if kind not in GENERATORS:
        raise ValueError(f"unknown generator {kind!r}{suggest(kind, GENERATORS)}; known: "
                         f"{', '.join(GENERATORS)}")
    return GENERATORS[kind]


def graph(kind, **params):
    """The DiGraph of generator ``kind`` with ``params``, every parameter name checked.

    Raises
    ------
    ValueError
        For an unknown kind, an unknown parameter (with the closest known
        one) or a value out of range.
    """
    fn = _lookup(kind)
    known = parameters(kind)
    for key in params:
        if key not in known:
            raise ValueError(f"{kind} has no parameter {key!r}{suggest(key, known)}; its "
                             f"parameters: {', '.join(known)}")
    return fn(**params)


def generate(kind, seed=None, engine="compiled", **params):
    """Build a :class:`dagnet.Network` of generator ``kind``; ``seed`` seeds its weights.

    Parameters
    ----------
    kind : str
        A key of :data:`GENERATORS`.
    seed : int or None
        Seeds the initial weights and biases. The structure of a random kind
        is seeded by its own ``graph_seed`` parameter (default 0), so
        networks with different ``seed`` share one graph.
    **params
        The generator's parameters (see each function).

    Examples
    --------
    >>> net = generate("mlp", sizes=[4], inputs=3, outputs=2, seed=0)
    >>> net.inputs, net.outputs, net.loss
    (['x.0', 'x.1', 'x.2'], ['y.0', 'y.1'], 'cross_entropy')
    """
    from .network import Network

    return Network.from_graph(graph(kind, **params), seed=seed, engine=engine)


# -- writing topology files ----------------------------------------------------------

_PLAIN = re.compile(r"[A-Za-z_][A-Za-z0-9_.\-]*\Z")
_RESERVED = {"true", "false", "yes", "no", "on", "off", "null", "~"}   # PyYAML's YAML 1.1 words
NODE_ATTRS = ("activation", "bias", "init", "bias_init", "trainable")


def _scalar(value):
    """One YAML flow scalar that our loader reads back as exactly ``value``."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"cannot write the non-finite number {value!r}")
        return repr(value)
    if isinstance(value, str):
        if _PLAIN.match(value) and value.lower() not in _RESERVED:
            return value
        return json.dumps(value, ensure_ascii=False)   # JSON strings are YAML double-quoted strings
    raise ValueError(f"cannot write {value!r} to a topology file: names must be strings or "
                     f"integers (rename with networkx.relabel_nodes)")


def _flow(value):
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_scalar(k)}: {_flow(v)}" for k, v in value.items()) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_flow(v) for v in value) + "]"
    return _scalar(value)


def _node_attrs(attrs):
    """The topology-file attributes of one perceptron (``bias`` None means no bias)."""
    out = {"activation": attrs.get("activation") or "sigmoid"}
    bias = attrs.get("bias", True)
    out["bias"] = False if bias is None else bias
    for key in ("init", "bias_init"):
        if attrs.get(key) is not None:
            out[key] = attrs[key]
    if attrs.get("trainable", True) is False:
        out["trainable"] = False
    return out


def _groups(G, nodes):
    """``{group: members}`` for the groups among ``nodes`` writable as ``{size: N}``."""
    members = {}
    for n in nodes:
        g = G.nodes[n].get("group")
        if g is not None:
            members.setdefault(g, []).append(n)
    compact = {}
    for g, ms in members.items():
        if not isinstance(g, str) or g in G:
            continue
        if sorted(ms, key=str) != sorted([f"{g}.{k}" for k in range(len(ms))]):
            continue
        ms = [f"{g}.{k}" for k in range(len(ms))]
        compact[g] = ms
    return compact


def _inputs_entry(G, inputs):
    """``inputs`` as file items: runs ``g.0 .. g.N-1`` of a group become ``{g: N}``."""
    items, units, i = [], {}, 0
    while i < len(inputs):
        node = inputs[i]
        g = G.nodes[node].get("group")
        run = 0
        if isinstance(g, str) and g not in G and node == f"{g}.0":
            while i + run < len(inputs) and inputs[i + run] == f"{g}.{run}":
                run += 1
            if any(f"{g}.{run}" == n for n in G) or g in units:
                run = 0   # the group has members elsewhere: not a clean run
        if run:
            items.append({g: run})
            units[g] = inputs[i:i + run]
            i += run
        else:
            items.append(node)
            units[node] = [node]
            i += 1
    if all(isinstance(item, dict) for item in items):
        merged = {}
        for item in items:
            merged.update(item)
        return merged, units
    return items, units


def to_data(G):
    """The graph ``G`` (or a Network's) as plain topology-file data, groups kept compact."""
    from .graph import _sorted_names

    if not isinstance(G, nx.Graph) and isinstance(getattr(G, "graph", None), nx.DiGraph):
        G = G.graph   # a Network: its graph with the current weights
    if not isinstance(G, nx.DiGraph) or G.is_multigraph():
        raise ValueError(f"expected a networkx.DiGraph or a dagnet.Network, got {type(G).__name__}")
    for n in G:
        if isinstance(n, bool) or not isinstance(n, (str, int)):
            _scalar(n)   # raises, naming the node
    inputs = list(G.graph.get("inputs") or _sorted_names([n for n in G if G.in_degree(n) == 0]))
    outputs = list(G.graph.get("outputs") or _sorted_names([n for n in G if G.out_degree(n) == 0]))
    input_set = set(inputs)
    nodes = [n for n in G if n not in input_set]

    data = {key: G.graph[key] for key in ("name", "description") if G.graph.get(key)}
    data["inputs"], units = _inputs_entry(G, inputs)
    data["outputs"] = None   # placed here, filled below
    for key in ("loss", "init"):
        if G.graph.get(key):
            data[key] = G.graph[key]

    attrs = {n: _node_attrs(G.nodes[n]) for n in nodes}
    groups = {g: ms for g, ms in _groups(G, nodes).items() if g not in units and _uniform(attrs, ms)}
    group_of = {m: g for g, ms in groups.items() for m in ms}
    acts = [a["activation"] for a in attrs.values()]
    shared = max(sorted(set(acts)), key=acts.count) if acts else None
    if shared is not None and acts.count(shared) > 1:
        data["defaults"] = {"activation": shared}
    else:
        shared = None
    entries = {}
    for n in nodes:
        unit = group_of.get(n, n)
        if unit in entries:
            continue
        entry = dict(attrs[n])
        if unit in groups:
            biases = [attrs[m]["bias"] for m in groups[unit]]
            entry["bias"] = biases[0] if isinstance(biases[0], bool) else biases
            entry = {"size": len(groups[unit]), **entry}
        elif G.nodes[n].get("group") is not None:
            entry["group"] = G.nodes[n]["group"]
        if entry["bias"] is True:
            del entry["bias"]
        if entry["activation"] == shared:
            del entry["activation"]
        entries[unit] = entry
        units[unit] = groups.get(unit, [n])
    data["outputs"] = _outputs_entry(outputs, groups)
    data["nodes"] = entries
    unit_of = {m: u for u, ms in units.items() for m in ms}
    pos = {n: k for k, n in enumerate(G)}
    data["edges"] = _merge(_merge_targets(
        [e for V in entries for e in _edges_into(G, units, unit_of, V, pos)], units, unit_of))
    return data


def _uniform(attrs, members):
    """True when a group's members differ at most in their bias values (a list is allowed)."""
    first = {k: v for k, v in attrs[members[0]].items() if k != "bias"}
    if any({k: v for k, v in attrs[m].items() if k != "bias"} != first for m in members):
        return False
    biases = [attrs[m]["bias"] for m in members]
    flags = [b for b in biases if isinstance(b, bool)]
    return not flags or (len(flags) == len(biases) and len(set(flags)) == 1)


def _outputs_entry(outputs, groups):
    items, i = [], 0
    while i < len(outputs):
        for g, ms in groups.items():
            if outputs[i:i + len(ms)] == ms:
                items.append(g)
                i += len(ms)
                break
        else:
            items.append(outputs[i])
            i += 1
    return items


def _edges_into(G, units, unit_of, V, pos):
    """Edge entries into unit ``V``: whole source units as group edges, the rest per perceptron.

    ``Network.from_graph`` draws missing weights into each perceptron with
    its predecessors in graph order, and the loader in file order; the
    entries follow graph order (else everything into ``V`` is written
    perceptron by perceptron), so the file and the graph initialise alike.
    """
    members = units[V]
    preds = {v: sorted(G.predecessors(v), key=pos.__getitem__) for v in members}
    sources = sorted({unit_of[u] for v in members for u in preds[v]}, key=lambda U: pos[units[U][0]])
    segments = []   # [(whole unit entry or None, [source units])]
    for U in sources:
        entry = _whole_edge(G, units[U], members, U, V)
        if entry is not None:
            segments.append((entry, [U]))
        elif segments and segments[-1][0] is None:
            segments[-1][1].append(U)
        else:
            segments.append((None, [U]))
    entries, expected = [], {v: [] for v in members}
    for entry, group in segments:
        if entry is not None:
            entries.append(entry)
            for v in members:
                expected[v] += units[group[0]]
            continue
        inside = set(group)
        for v in members:
            rest = [u for u in preds[v] if unit_of[u] in inside]
            entries += _node_entries(G, rest, v, units, unit_of)
            expected[v] += rest
    if any(expected[v] != preds[v] for v in members):   # an order group edges cannot keep
        entries = [e for v in members for e in _node_entries(G, preds[v], v, units, unit_of)]
    return entries


def _whole_edge(G, sources, members, U, V):
    """``{from: U, to: V}`` (with a weight matrix when weighted) if every pair is an edge alike."""
    pairs = [(u, v) for u in sources for v in members]
    if not all(G.has_edge(u, v) for u, v in pairs):
        return None
    weights = [G.edges[p].get("weight") for p in pairs]
    trainable = {G.edges[p].get("trainable", True) for p in pairs}
    weighted = {w is not None for w in weights}
    if len(trainable) > 1 or len(weighted) > 1:
        return None
    entry = {"from": U, "to": V}
    if weighted.pop():
        width = len(members)
        entry["weight"] = [weights[r * width:(r + 1) * width] for r in range(len(sources))]
    if not trainable.pop():
        entry["trainable"] = False
    return entry


def _node_entries(G, sources, v, units, unit_of):
    """Entries for the edges ``sources -> v``, one per run of the same kind (weighted, trainable).

    A run of sources that is a whole group, in order, is written as the group's name.
    """
    runs = []
    kind = None
    for u in sources:
        d = G.edges[u, v]
        w, trainable = d.get("weight"), d.get("trainable", True)
        if (w is None, trainable) != kind:
            kind = (w is None, trainable)
            runs.append(({} if w is None else {"weight": []}) | ({} if trainable else {"trainable": False}))
            runs[-1]["from"] = []
        runs[-1]["from"].append(u)
        if w is not None:
            runs[-1]["weight"].append(w)
    entries = []
    for run in runs:
        names, i, src = [], 0, run["from"]
        while i < len(src):
            members = units[unit_of[src[i]]]
            if len(members) > 1 and src[i:i + len(members)] == members:
                names.append(unit_of[src[i]])
                i += len(members)
            else:
                names.append(src[i])
                i += 1
        entry = {"from": names[0] if len(names) == 1 else names, "to": v}
        if "weight" in run:
            entry["weight"] = run["weight"][0] if len(run["weight"]) == 1 else run["weight"]
        if "trainable" in run:
            entry["trainable"] = False
        entries.append(entry)
    return entries


def _plain(entry):
    return set(entry) == {"from", "to"}


def _merge_targets(entries, units, unit_of):
    """Consecutive plain entries with the same sources share one entry with a list of targets.

    Each target keeps its predecessors' order: the parser adds an entry's
    edges source by source for every target.
    """
    merged = []
    for e in entries:
        prev = merged[-1] if merged else None
        if prev is not None and _plain(prev) and _plain(e) and prev["from"] == e["from"]:
            prev["to"] = (prev["to"] if isinstance(prev["to"], list) else [prev["to"]]) + [e["to"]]
        else:
            merged.append(dict(e))
    for e in merged:   # a list of targets that is a whole group, in order: the group's name
        to = e["to"]
        if isinstance(to, list) and to[0] in unit_of and units[unit_of[to[0]]] == to:
            e["to"] = unit_of[to[0]]
    return merged


def _merge(entries):
    """Consecutive plain entries into the same targets share one entry: ``{from: [x, h1], to: h2}``."""
    merged = []
    as_list = lambda names: names if isinstance(names, list) else [names]
    for e in entries:
        prev = merged[-1] if merged else None
        if prev is not None and _plain(prev) and _plain(e) and prev["to"] == e["to"]:
            prev["from"] = as_list(prev["from"]) + as_list(e["from"])
        else:
            merged.append(e)
    return merged


def to_yaml(G):
    """The graph ``G`` as topology-file text that :func:`dagnet.load` reads back.

    Groups stay groups (``h1: {size: 8}``) and edges between whole groups
    stay one entry (``{from: [x, h1], to: h2}``); everything else is
    written perceptron by perceptron. Weights and biases the graph has are
    written; missing ones are left for the loader's seed.

    Examples
    --------
    >>> print(to_yaml(GENERATORS["mlp"](sizes=[5], inputs=2, outputs=1)), end="")
    name: mlp
    description: "dagnet.generate mlp: sizes=[5], activations=tanh"
    inputs: {x: 2}
    outputs: [y]
    loss: binary_cross_entropy
    defaults: {activation: tanh}
    nodes:
      h1: {size: 5}
      y: {activation: sigmoid}
    edges:
      - {from: x, to: h1}
      - {from: h1, to: y}
    """
    data = to_data(G)
    lines = []
    for key, value in data.items():
        if key == "nodes":
            lines.append("nodes:")
            lines += [f"  {_scalar(n)}: {_flow(a)}" for n, a in value.items()]
        elif key == "edges":
            lines.append("edges:" if value else "edges: []")
            lines += [f"  - {_flow(e)}" for e in value]
        else:
            lines.append(f"{key}: {_flow(value)}")
    return "\n".join(lines) + "\n"


def write(G, path):
    """Write ``to_yaml(G)`` to ``path`` atomically; return ``path``."""
    from .saving import atomic_write

    text = to_yaml(G)
    atomic_write(path, lambda f: f.write(text))
    return path
