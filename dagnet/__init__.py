"""dagnet: neural networks whose topology is any loop-free graph of single perceptrons.

The public names load on first use, so ``import dagnet`` (and the
command line's start-up) stays quick.

Examples
--------
>>> import dagnet, numpy as np
>>> net = dagnet.loads('''
... inputs: [a, b]
... outputs: [y]
... nodes:
...   n: {bias: -15}
...   y: {bias: -5}
... edges:
...   - {from: [a, b], to: n, weight: 10}
...   - {from: [a, b], to: y, weight: 10}
...   - {from: n, to: y, weight: -20}
... ''')
>>> net.predict(np.array([[0, 0], [0, 1], [1, 0], [1, 1]])).round(2).ravel()
array([0.01, 0.99, 0.99, 0.01])
"""
import importlib

__version__ = "0.1.0"

#: public name -> the module that defines it
_PUBLIC = {
    "History": "dagnet.history",
    "Network": "dagnet.network",
    "TopologyError": "dagnet.errors",
    "TrainingDiverged": "dagnet.training",
    "from_neat": "dagnet.interchange.neat",
    "gradcheck": "dagnet.gradient_check",
    "grow": "dagnet.cascade",
    "prune": "dagnet.pruning",
    "load": "dagnet.io",
    "loads": "dagnet.io",
}
_SUBMODULES = ("datasets", "metrics", "generate", "plots", "limits", "writer", "structure", "samples",
               "specs", "edits")

__all__ = sorted([*_PUBLIC, "datasets", "edits", "metrics"])


def __getattr__(name):
    if name in _PUBLIC:
        value = getattr(importlib.import_module(_PUBLIC[name]), name)
    elif name in _SUBMODULES:
        value = importlib.import_module(f"dagnet.{name}")
    else:
        raise AttributeError(f"module 'dagnet' has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__():
    return sorted([*globals(), *_PUBLIC, *_SUBMODULES])
