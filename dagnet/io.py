"""Load networks from topology files and YAML text."""
import os

from . import graph as graph_rules
from . import topology
from .errors import TopologyError
from .files import read_text
from .network import Network


def loads(text, seed=None, engine="compiled", init=None, source=None):
    """Build a :class:`Network` from topology YAML ``text``.

    ``seed`` seeds the initialisation of weights and biases the text leaves
    out; ``init`` names the weight scheme for nodes that name none.
    """
    blueprint, locate = topology.read(text, source=source)
    graph_rules.complete(blueprint, seed=seed, init=init, source=source, locate=locate)
    return Network(blueprint, engine=engine, seed=seed)


def load(path, seed=None, engine="compiled", init=None):
    """Build a :class:`Network` from a topology file (or a file saved by ``Network.save``)."""
    path = os.fspath(path)
    text = read_text(path, TopologyError, what="topology file")
    return loads(text, seed=seed, engine=engine, init=init, source=path)
