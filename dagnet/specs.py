"""A network from any way of naming a topology: a file, YAML text, a generator, a graph, a network.

The command line, sweeps and the scikit-learn estimators all take a
topology "spec" and build the network through :func:`network`, so the
rules live once.

Examples
--------
>>> net = network({"generate": "mlp", "sizes": [4]}, n_inputs=3, n_outputs=2, seed=0)
>>> len(net.inputs), len(net.outputs), net.loss
(3, 2, 'cross_entropy')
>>> network("topologies/xor_skip.yaml").name
'xor-skip'
"""
import os
from collections.abc import Mapping

import networkx as nx

from . import generate
from .errors import suggest
from .io import load, loads
from .network import Network

#: The topology used when none is given: the ``mlp`` generator's defaults
#: (one hidden layer of 8 tanh perceptrons), sized from the data.
DEFAULT = {"generate": "mlp"}

#: What :func:`network` accepts, for error messages.
KINDS = ("None, a path, YAML text, a generator kind or spec ({'generate': 'mlp', ...}), "
         "a networkx.DiGraph or a dagnet.Network")


def _looks_like_path(text):
    return "/" in text or os.sep in text or text.lower().endswith((".yaml", ".yml", ".json"))


def is_yaml_text(text):
    """True for a string that is topology text rather than a path or a name."""
    return "\n" in text or text.lstrip().startswith("{")


def network(spec, *, n_inputs=None, n_outputs=None, loss=None, seed=None, engine="compiled",
            init=None, source=None):
    """The :class:`Network` that ``spec`` describes.

    Parameters
    ----------
    spec : None, str, os.PathLike, Mapping, networkx.DiGraph or Network
        A file path; YAML text (``source`` names it in errors); a generator
        kind (``"mlp"``) or spec (``{"generate": "residual", "every": 2}``);
        a graph (``Network.from_graph``); or a network (copied, never
        changed). None is :data:`DEFAULT`.
    n_inputs, n_outputs, loss :
        Fill a generator spec's ``inputs``, ``outputs`` and ``loss`` when it
        leaves them out (sized from the data); other specs are taken as
        they are.
    seed, engine, init :
        As for :func:`dagnet.load`.
    """
    if spec is None:
        spec = DEFAULT
    if isinstance(spec, Network):
        net = spec.copy()
        net.engine = engine
        if init is not None:
            net.initialize(init, seed=seed)
        return net
    if isinstance(spec, nx.DiGraph):
        return Network.from_graph(spec, seed=seed, engine=engine, init=init)
    if isinstance(spec, os.PathLike):
        return load(spec, seed=seed, engine=engine, init=init)
    if isinstance(spec, str):
        if is_yaml_text(spec):
            return loads(spec, seed=seed, engine=engine, init=init, source=source)
        if spec in generate.GENERATORS:
            spec = {"generate": spec}
        elif os.path.exists(spec) or _looks_like_path(spec):
            return load(spec, seed=seed, engine=engine, init=init)   # or "no such file"
        else:
            raise ValueError(f"topology {spec!r} is not a file, YAML text or generator kind"
                             f"{suggest(spec, generate.GENERATORS)}; generator kinds: "
                             f"{', '.join(generate.GENERATORS)}")
    if isinstance(spec, Mapping):
        if "generate" not in spec:
            raise ValueError(f"a topology mapping is a generator spec like {{'generate': 'mlp', "
                             f"'sizes': [8]}}; got keys {sorted(map(str, spec))}")
        params = dict(spec)         # the caller's spec stays untouched
        kind = params.pop("generate")
        for key, value in (("inputs", n_inputs), ("outputs", n_outputs), ("loss", loss)):
            if value is not None:
                params.setdefault(key, value)
        return Network.from_graph(generate.graph(kind, **params), seed=seed, engine=engine, init=init)
    raise ValueError(f"a topology must be {KINDS}; got {type(spec).__name__}")
