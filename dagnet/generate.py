"""Topology generators: layered MLPs, skip patterns, cascades and randomly wired DAGs.

Every generator in :data:`GENERATORS` returns a ``networkx.DiGraph`` ready
for :meth:`dagnet.Network.from_graph`: the graph attributes ``inputs``,
``outputs``, ``loss``, ``name`` and ``description`` are set, weights and
biases are left for the network's seed to initialise, and perceptrons that
belong together carry the node attribute ``group`` (so pictures can draw a
layer as one box and :func:`dagnet.writer.to_yaml` can write it as ``{size: N}``).

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
from .writer import flow, to_data, to_yaml, write  # noqa: F401  (the topology file of a generated graph)

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
    return ", ".join(f"{k}={flow(list(v) if isinstance(v, tuple) else v)}"
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
