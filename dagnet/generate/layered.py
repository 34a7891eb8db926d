"""The deterministic kinds: layered perceptrons with their skip patterns, and cascades.

Layer k of the hidden layers is the group ``hk`` (``h1.0``, ``h1.1``, ...);
cascade perceptrons are the group ``h``.

Examples
--------
>>> G = residual(sizes=[4, 4, 4, 4], every=2)
>>> sorted({d["group"] for _, d in G.nodes(data=True) if d.get("group")})
['h1', 'h2', 'h3', 'h4', 'x']
>>> G.has_edge("h1.0", "h3.0"), G.has_edge("h1.0", "h3.1")     # one-to-one skip over h2
(True, False)
"""
import itertools
import math

from ..graph import is_number
from . import checks
from .builder import Builder, generator, shared_parameters


def _consecutive(widths):
    """Edges of all-to-all connections between consecutive layers: Σ n_k·n_{k+1}."""
    return sum(a * b for a, b in zip(widths, widths[1:]))


def _layered(kind, params, widths, activations, call, edges):
    """An MLP's builder and layers ``[inputs, h1, ..., hL, outputs]`` (node lists).

    ``edges(widths)`` counts the edges the kind adds over the layer widths
    (inputs and outputs included), checked against the limits first.
    """
    names = checks.activations(activations, len(widths))
    b = Builder(kind, params, shared_parameters(**call), hidden=sum(widths),
                edges=lambda n_in, n_out: edges([n_in, *widths, n_out]))
    hidden = [b.layer(f"h{i + 1}", size, act) for i, (size, act) in enumerate(zip(widths, names))]
    return b, [b.inputs, *hidden, b.output_layer()]


def _chain(b, layers):
    """Connect every layer to the next, all to all."""
    for below, above in zip(layers, layers[1:]):
        for v in above:
            b.connect(below, v)


@generator
def mlp(sizes=(8,), activations="tanh", inputs=2, outputs=1, loss=None, output_activation=None,
        bias=True, init=None, name=None,
        density=None, distribution="erdos_renyi", sparse_seed=0):
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
    b, layers = _layered("mlp", params, checks.sizes(sizes), activations, locals(), _consecutive)
    _chain(b, layers)
    return b.G


@generator
def input_output_skips(sizes=(8,), activations="tanh", inputs=2, outputs=1, loss=None,
                       output_activation=None, bias=True, init=None, name=None,
        density=None, distribution="erdos_renyi", sparse_seed=0):
    """An MLP plus an edge from every input to every output, skipping all hidden layers.

    Examples
    --------
    >>> G = input_output_skips(sizes=[3], inputs=2, outputs=1)
    >>> G.number_of_edges(), G.has_edge("x.0", "y")        # 2·3 + 3·1 + 2·1
    (11, True)
    """
    params = {"sizes": sizes, "activations": activations}
    widths = checks.sizes(sizes, allow_empty=False)
    b, layers = _layered("input_output_skips", params, widths, activations, locals(),
                         lambda w: _consecutive(w) + w[0] * w[-1])
    _chain(b, layers)
    for o in layers[-1]:
        b.connect(layers[0], o)
    return b.G


@generator
def residual(sizes=(8, 8, 8, 8), every=2, connect="one_to_one", skip_weight=None, activations="tanh",
             inputs=2, outputs=1, loss=None, output_activation=None, bias=True, init=None, name=None,
        density=None, distribution="erdos_renyi", sparse_seed=0):
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
    widths = checks.sizes(sizes, allow_empty=False)
    every = checks.whole(every, "every", low=2)
    if connect not in ("one_to_one", "all"):
        raise ValueError(f"connect must be 'one_to_one' or 'all', got {connect!r}")
    if skip_weight is not None and (not is_number(skip_weight) or not math.isfinite(skip_weight)):
        raise ValueError(f"skip_weight must be a finite number or None, got {skip_weight!r}")
    if len(widths) <= every:
        raise ValueError(f"residual skips every {every} layers need at least {every + 1} hidden "
                         f"layers, got {len(widths)} (sizes={widths})")
    starts = range(1, len(widths) - every + 1, every)   # hidden layer numbers, 1-based
    if connect == "one_to_one":
        for i in starts:
            if widths[i - 1] != widths[i - 1 + every]:
                raise ValueError(f"connect='one_to_one' needs equal widths, but layer h{i} has "
                                 f"{widths[i - 1]} perceptrons and h{i + every} has "
                                 f"{widths[i - 1 + every]}; use connect='all' or equal sizes")

    def edges(w):   # w counts the inputs as layer 0, so hidden layer i is w[i]
        skips = (w[i] * w[i + every] if connect == "all" else w[i] for i in starts)
        return _consecutive(w) + sum(skips)

    b, layers = _layered("residual", params, widths, activations, locals(), edges)
    _chain(b, layers)
    for i in starts:
        source, target = layers[i], layers[i + every]
        for k, v in enumerate(target):
            b.connect(source if connect == "all" else [source[k]], v, skip_weight)
    return b.G


@generator
def dense(sizes=(8, 8, 8), activations="tanh", inputs=2, outputs=1, loss=None,
          output_activation=None, bias=True, init=None, name=None,
        density=None, distribution="erdos_renyi", sparse_seed=0):
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
    b, layers = _layered("dense", params, checks.sizes(sizes), activations, locals(),
                         lambda w: sum(a * c for a, c in itertools.combinations(w, 2)))
    for j in range(1, len(layers)):
        for v in layers[j]:
            for i in range(j - 1, -1, -1):   # the layer below first, then the skips
                b.connect(layers[i], v)
    return b.G


@generator
def cascade(n_hidden=4, activation="tanh", inputs=2, outputs=1, loss=None, output_activation=None,
            bias=True, init=None, name=None,
        density=None, distribution="erdos_renyi", sparse_seed=0):
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
    H = checks.whole(n_hidden, "n_hidden")
    checks.activations(activation, 1, "activation")
    b = Builder("cascade", params, shared_parameters(**locals()), hidden=H,
                edges=lambda n_in, n_out: n_in * H + H * (H - 1) // 2 + (n_in + H) * n_out)
    hidden = []
    for k in range(H):
        hidden.append(b.perceptron(f"h.{k}", activation, "h"))
        b.connect(b.inputs + hidden[:-1], hidden[-1])
    for o in b.output_layer():
        b.connect(b.inputs + hidden, o)
    return b.G
