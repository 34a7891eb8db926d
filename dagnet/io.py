"""Load networks from topology files and YAML text."""
import os

from . import graph as graph_rules
from . import topology
from .errors import TopologyError
from .network import Network


def loads(text, seed=None, engine="compiled", init=None, source=None):
    """Build a :class:`Network` from topology YAML ``text``.

    ``seed`` seeds the initialisation of weights and biases the text leaves
    out; ``init`` names the weight scheme for nodes that name none.
    """
    G, locate = topology.parse(text, source=source)
    G = graph_rules.build(G, seed=seed, init=init, source=source, locate=locate, copy=False)
    return Network(G, engine=engine)


def load(path, seed=None, engine="compiled", init=None):
    """Build a :class:`Network` from a topology file (or a file saved by ``Network.save``)."""
    path = os.fspath(path)
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except FileNotFoundError:
        raise TopologyError("no such file", source=path) from None
    except IsADirectoryError:
        raise TopologyError("is a directory, not a topology file", source=path) from None
    except UnicodeDecodeError as err:
        raise TopologyError(f"not UTF-8 text ({err.reason} at byte {err.start})", source=path) from None
    return loads(text, seed=seed, engine=engine, init=init, source=path)
