"""dagnet: neural networks whose topology is any loop-free graph of single perceptrons.

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
from . import datasets, edits, metrics
from .cascade import grow
from .errors import TopologyError
from .gradcheck import gradcheck
from .io import load, loads
from .network import Network
from .pruning import prune
from .training import History, TrainingDiverged

__version__ = "0.1.0"
__all__ = ["History", "Network", "TopologyError", "TrainingDiverged", "datasets", "edits", "gradcheck",
           "grow", "load", "loads", "metrics", "prune"]
