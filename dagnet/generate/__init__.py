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

A generated graph has at most ``max_nodes`` perceptrons and ``max_edges``
edges (:data:`dagnet.limits.LIMITS`, 100,000 and 1,000,000 unless changed,
as for topology files); a call beyond them is a ValueError before anything
is built.

The package: :mod:`.builder` (the registry, the size check, the graph
builder), :mod:`.checks` (argument checks), :mod:`.layered` and
:mod:`.random_graphs` (the kinds); this module is the front door.

Examples
--------
>>> sorted(GENERATORS)[:3]
['barabasi_albert', 'cascade', 'dense']
>>> net = generate("dense", sizes=[3, 3], seed=0)
>>> net.n_params                               # 2·3 + 2·3 + 2·1 + 3·3 + 3·1 + 3·1 weights, 7 biases
36
"""
import inspect

from ..errors import suggest
from ..network import Network
from ..writer import flow, to_data, to_yaml, write   # the topology file of a generated graph
from .builder import GENERATORS, OUTPUT_ACTIVATION, generator
from .layered import cascade, dense, input_output_skips, mlp, residual
from .random_graphs import RANDOM_KINDS, barabasi_albert, erdos_renyi, watts_strogatz

__all__ = ["GENERATORS", "OUTPUT_ACTIVATION", "RANDOM_KINDS", "barabasi_albert",
           "cascade", "dense", "erdos_renyi", "flow", "generate", "generator", "graph",
           "input_output_skips", "mlp", "parameters", "residual", "to_data", "to_yaml",
           "watts_strogatz", "write"]


def _lookup(kind):
    if not isinstance(kind, str) or kind not in GENERATORS:
        raise ValueError(f"unknown generator {kind!r}{suggest(kind, GENERATORS)}; known: "
                         f"{', '.join(GENERATORS)}")
    return GENERATORS[kind]


def parameters(kind):
    """``{parameter: default}`` of generator ``kind``.

    Examples
    --------
    >>> parameters("cascade")["n_hidden"]
    4
    """
    return {p.name: p.default for p in inspect.signature(_lookup(kind)).parameters.values()}


def graph(kind, **params):
    """The DiGraph of generator ``kind`` with ``params``, every parameter name checked.

    Raises
    ------
    ValueError
        For an unknown kind, an unknown parameter (with the closest known
        one), a value out of range, or a graph larger than :data:`dagnet.limits.LIMITS`.

    Examples
    --------
    >>> G = graph("mlp", sizes=[3], inputs=["a", "b"])
    >>> G.graph["inputs"], G.number_of_edges()
    (['a', 'b'], 9)
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
    return Network.from_graph(graph(kind, **params), seed=seed, engine=engine)
