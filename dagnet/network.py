"""The Network: a perceptron graph, its parameters, and the engines that run it."""
from collections.abc import Mapping

import networkx as nx
import numpy as np

from . import graph as graph_rules
from . import metrics
from .compiled import CompiledEngine
from .initializers import DEFAULT_BIAS_INIT, INITIALIZERS
from .layout import Layout
from .losses import LOSSES
from .reference import ReferenceEngine

ENGINES = {"compiled": CompiledEngine, "reference": ReferenceEngine}


class ByNode(Mapping):
    """Read-only ``{node name: column of a matrix}``, without copying.

    Examples
    --------
    >>> import numpy as np
    >>> m = ByNode(np.arange(6.0).reshape(3, 2), {"a": 0, "b": 1})
    >>> m["b"]
    array([1., 3., 5.])
    """

    def __init__(self, matrix, column):
        self.matrix = matrix
        self._column = column

    def __getitem__(self, node):
        return self.matrix[:, self._column[node]]

    def __iter__(self):
        return iter(self._column)

    def __len__(self):
        return len(self._column)

    def __repr__(self):
        return f"<{len(self)} nodes × {self.matrix.shape[0]} samples>"


class BySlot(Mapping):
    """Read-only ``{edge or node: float}`` over a flat vector and a slot table."""

    def __init__(self, vector, slot):
        self.vector = vector
        self._slot = slot

    def __getitem__(self, key):
        return float(self.vector[self._slot[key]])

    def __iter__(self):
        return iter(self._slot)

    def __len__(self):
        return len(self._slot)

    def __repr__(self):
        return f"<{len(self)} values>"


class Trace:
    """What a forward pass computed: ``s[node]`` and ``z[node]``, arrays of shape (n_samples,).

    ``S`` and ``Z`` hold the same numbers as matrices of shape
    (n_samples, n_nodes), columns in ``nodes`` order.
    """

    def __init__(self, S, Z, layout):
        self.S, self.Z = S, Z
        self.nodes = layout.nodes
        self.s = ByNode(S, layout.column)
        self.z = ByNode(Z, layout.column)
        self._out = layout.output_columns

    @property
    def outputs(self):
        """The output activations ŷ, shape (n_samples, n_outputs)."""
        return self.Z[:, self._out]


class Gradients:
    """∂E/∂w for every edge, ∂E/∂b for every bias, ∂E/∂s per sample for every node.

    ``weight[(i, j)]`` and ``bias[j]`` are floats; ``delta[j]`` has shape
    (n_samples,) (for an input it is ∂E/∂x). ``vector`` is the flat gradient
    in the network's parameter order (see :attr:`Network.params`).
    """

    def __init__(self, vector, D, layout):
        self.vector = vector
        self.weight = BySlot(vector, layout.edge_slot)
        self.bias = BySlot(vector, layout.bias_slot)
        self.delta = ByNode(D, layout.column)


def _as_matrix(X, inputs):
    """Check the samples ``X`` and return them as float64 of shape (n_samples, n_inputs)."""
    if isinstance(X, Mapping):
        missing = [i for i in inputs if i not in X]
        if missing:
            raise ValueError(f"X has no column for input(s) {missing}; expected {inputs}")
        X = np.column_stack([np.asarray(X[i], dtype=np.float64) for i in inputs])
    X = np.asarray(X)
    if X.dtype.kind not in "biuf":
        raise ValueError(f"X must be numeric, got dtype {X.dtype}")
    X = X.astype(np.float64, copy=False)
    if X.ndim == 1 and len(inputs) == 1:
        X = X.reshape(-1, 1)
    if X.ndim != 2 or X.shape[1] != len(inputs):
        raise ValueError(f"X must have shape (n_samples, {len(inputs)}), one column per input "
                         f"{inputs}; got shape {X.shape}")
    bad = ~np.isfinite(X)
    if bad.any():
        row, col = np.argwhere(bad)[0]
        raise ValueError(f"X has a non-finite value ({X[row, col]}) at row {row}, "
                         f"input {inputs[col]!r}")
    return X


class Network:
    """A feed-forward network whose topology is any DAG of perceptrons.

    Build one with :func:`dagnet.load`, :func:`dagnet.loads` or
    :meth:`Network.from_graph`.

    Examples
    --------
    >>> import networkx as nx, numpy as np
    >>> G = nx.DiGraph([("x", "h"), ("h", "y"), ("x", "y")])  # a skip edge x -> y
    >>> net = Network.from_graph(G, seed=0)
    >>> net.inputs, net.outputs
    (['x'], ['y'])
    >>> net.predict(np.array([[0.5], [1.0]])).shape
    (2, 1)
    """

    def __init__(self, G, engine="compiled"):
        """Wrap a graph already completed by :func:`dagnet.graph.build`."""
        self._graph = G
        self.inputs = list(G.graph["inputs"])
        self.outputs = list(G.graph["outputs"])
        self.loss = G.graph["loss"]
        self.layout = Layout(G, self.inputs, self.outputs)
        self.params = self.layout.read(G)
        self._graph_lent = False
        self._engines = {}
        self.engine = engine

    @classmethod
    def from_graph(cls, G, inputs=None, outputs=None, loss=None, seed=None, engine="compiled",
                   init=None):
        """Build a network from a networkx DiGraph (which is copied, never changed).

        Parameters
        ----------
        G : networkx.DiGraph
            Nodes are perceptrons (any hashable names), edges are weights.
            Optional attributes: node ``activation``, ``bias`` (float, True
            to initialise, None/False for none), ``init``, ``trainable``;
            edge ``weight``, ``trainable``.
        inputs, outputs : list or None
            Default: ``G.graph["inputs"]``/``["outputs"]``, else the nodes
            without predecessors/successors, sorted by name.
        loss : str or None
            Default ``G.graph["loss"]``, else ``"mse"``.
        seed : int or None
            Seeds the initialisation of missing weights and biases.
        engine : {"compiled", "reference"}
        init : str or None
            Weight initialisation scheme for nodes that name none.
        """
        return cls(graph_rules.build(G, inputs, outputs, loss, seed=seed, init=init), engine=engine)

    # -- parameters and the graph -----------------------------------------

    @property
    def engine(self):
        """``"compiled"`` (vectorised per generation) or ``"reference"`` (node by node)."""
        return self._engine_name

    @engine.setter
    def engine(self, name):
        if name not in ENGINES:
            raise ValueError(f"unknown engine {name!r}; known: {', '.join(ENGINES)}")
        if name not in self._engines:
            self._engines[name] = ENGINES[name](self.layout, self._graph, LOSSES[self.loss])
        self._engine_name = name
        self._engine = self._engines[name]

    @property
    def graph(self):
        """The networkx.DiGraph with current weights and biases.

        Edits to ``weight`` and ``bias`` attributes take effect at the next
        computation; to change the structure, build a new network with
        ``Network.from_graph(net.graph)``.
        """
        self._sync()
        self.layout.write(self.params, self._graph)
        self._graph_lent = True
        return self._graph

    def _sync(self):
        """Take in weight edits made through :attr:`graph` since it was lent out."""
        if not self._graph_lent:
            return
        G = self._graph
        if G.number_of_edges() != len(self.layout.edge_slot) or len(G) != self.layout.n_nodes:
            raise ValueError("the graph's structure was changed through net.graph; build a new "
                             "network with dagnet.Network.from_graph(net.graph)")
        self.params[:] = self.layout.read(G)
        self._graph_lent = False

    @property
    def name(self):
        return self._graph.graph.get("name")

    @property
    def n_params(self):
        """Number of trainable weights and biases."""
        return int(self.layout.mask.sum())

    def weight(self, i, j):
        """w_{i→j} as a float."""
        self._sync()
        return float(self.params[self.layout.edge_slot[i, j]])

    def bias(self, j):
        """b_j as a float, or None for a node without bias."""
        self._sync()
        slot = self.layout.bias_slot.get(j)
        return None if slot is None else float(self.params[slot])

    def set_weight(self, i, j, value):
        self._sync()
        self.params[self.layout.edge_slot[i, j]] = value

    def set_bias(self, j, value):
        self._sync()
        self.params[self.layout.bias_slot[j]] = value

    def copy(self):
        """An independent network with the same structure and current parameters."""
        twin = Network(self.graph.copy(), engine=self.engine)
        return twin

    def __repr__(self):
        return (f"<dagnet.Network {self.name or ''} {len(self.inputs)} inputs, "
                f"{len(self.outputs)} outputs, {self.layout.n_nodes} nodes, "
                f"{len(self.layout.edge_slot)} edges, loss={self.loss}>")

    # -- computing ---------------------------------------------------------

    def forward(self, X):
        """Propagate ``X`` of shape (n_samples, n_inputs); return the :class:`Trace`."""
        self._sync()
        X = _as_matrix(X, self.inputs)
        return Trace(*self._engine.forward(self.params, X), self.layout)

    def predict(self, X):
        """Output activations, shape (n_samples, n_outputs), columns in ``outputs`` order."""
        return self.forward(X).outputs

    def targets(self, Y):
        """``Y`` checked and shaped as the loss takes it: float64 (n_samples, n_outputs)."""
        return LOSSES[self.loss].targets(Y, len(self.outputs))

    def evaluate(self, X, Y):
        """The loss E (as defined for ``self.loss``) on ``X``, ``Y``."""
        trace = self.forward(X)
        Y = self._check_pair(trace.S, Y)
        out = self.layout.output_columns
        return LOSSES[self.loss].value(trace.S[:, out], trace.Z[:, out], Y)

    def gradients(self, X, Y):
        """Loss and its gradient by backpropagation.

        Parameters
        ----------
        X : array of shape (n_samples, n_inputs)
        Y : array of shape (n_samples, n_outputs)
            For ``cross_entropy`` also integer labels of shape (n_samples,).

        Returns
        -------
        loss : float
        grads : Gradients
            ``grads.weight[(i, j)]``, ``grads.bias[j]``, ``grads.delta[j]``.
        """
        self._sync()
        X = _as_matrix(X, self.inputs)
        S, Z = self._engine.forward(self.params, X)
        Y = self._check_pair(S, Y)
        E, vector, D = self._engine.backward(self.params, S, Z, Y)
        return E, Gradients(vector, D, self.layout)

    def _check_pair(self, S, Y):
        Y = self.targets(Y)
        if len(Y) != len(S):
            raise ValueError(f"X has {len(S)} samples but Y has {len(Y)}")
        return Y

    # -- training ----------------------------------------------------------

    def train_step(self, X, Y, optimizer, weight_decay=0.0):
        """One update on a batch: forward, backward, ``optimizer.step``; returns E before it.

        ``X`` (n, n_inputs) and ``Y`` (n, n_outputs) must already be checked
        float64 arrays (see :meth:`targets`); ``fit`` calls this in its loop.
        """
        E, grad = self._engine.train_gradient(self.params, X, Y)
        if weight_decay:
            grad += weight_decay * self.layout.mask * self.params   # ∂/∂θ of (λ/2)‖θ‖²
        optimizer.step(self.params, grad)
        return E

    def fit(self, X, Y, epochs=100, lr=None, batch_size=None, optimizer="sgd", shuffle=True,
            seed=None, weight_decay=0.0, validation_data=None, validation_split=0.0, patience=None,
            min_delta=0.0, restore_best=True, verbose=True, callback=None, init=None,
            **optimizer_params):
        """Train by gradient descent; return a :class:`~dagnet.training.History`.

        Parameters
        ----------
        X : array of shape (n_samples, n_inputs)
        Y : array of shape (n_samples, n_outputs)
            For ``cross_entropy`` also integer labels of shape (n_samples,) or (n_samples, 1).
        epochs : int
        lr : float or None
            Learning rate η; None takes the optimiser's default.
        batch_size : int or None
            1 updates after each example (sequential), None once per epoch
            on all data (batch), n after every n examples.
        optimizer : {"sgd", "momentum", "nesterov", "adam"} or Optimizer
            Further keyword arguments (``momentum``, ``beta1``, ...) go to it.
        shuffle : bool
            Visit the examples in a new random order every epoch.
        seed : int or None
            Seeds shuffling (and ``init``): same seed, same weights, bit for bit.
        weight_decay : float
            L2 penalty λ: adds λθ to the gradient of every trainable parameter.
        validation_data : (X_val, Y_val) or None
        validation_split : float
            Hold out this last fraction of (X, Y) for validation instead.
        patience : int or None
            Stop when the validation loss (else the training loss) has not
            improved by ``min_delta`` for this many epochs; with
            ``restore_best`` the best epoch's weights are put back.
        verbose : bool
            A progress bar (when tqdm is installed).
        callback : callable or None
            ``callback(epoch, history)`` after each epoch; returning False stops.
        init : str or None
            Re-initialise all trainable weights with this scheme first.

        Returns
        -------
        History

        Raises
        ------
        TrainingDiverged
            When the loss becomes NaN or infinite; the network keeps the
            weights of the last finite epoch and the error carries the history.

        Examples
        --------
        >>> import dagnet, numpy as np
        >>> net = dagnet.load("topologies/xor_2_2_1.yaml", seed=1)
        >>> X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]]); Y = np.array([0, 1, 1, 0])
        >>> history = net.fit(X, Y, epochs=2000, lr=0.5, optimizer="momentum", seed=0, verbose=False)
        >>> net.score(X, Y)
        1.0
        """
        from .training import fit
        return fit(self, X, Y, epochs=epochs, lr=lr, batch_size=batch_size, optimizer=optimizer,
                   shuffle=shuffle, seed=seed, weight_decay=weight_decay,
                   validation_data=validation_data, validation_split=validation_split,
                   patience=patience, min_delta=min_delta, restore_best=restore_best,
                   verbose=verbose, callback=callback, init=init, **optimizer_params)

    def initialize(self, init="glorot_uniform", seed=None, bias_init=DEFAULT_BIAS_INIT):
        """Draw every trainable weight (scheme ``init``) and bias (``bias_init``) anew.

        Fan-in and fan-out are per node, as when a topology is loaded.
        """
        for name in (init, bias_init):
            if name not in INITIALIZERS:
                raise ValueError(f"unknown init {name!r}; known: {', '.join(INITIALIZERS)}")
        self._sync()
        rng = np.random.default_rng(seed)
        G, L = self._graph, self.layout
        outputs = set(self.outputs)
        for node in G:
            if node in L.column and L.activation[node] is None:
                continue
            fan_in, fan_out = G.in_degree(node), G.out_degree(node) + (node in outputs)
            slots = [L.edge_slot[u, node] for u in G.predecessors(node)]
            slots = [s for s in slots if L.mask[s]]
            self.params[slots] = INITIALIZERS[init](rng, fan_in, fan_out, len(slots))
            slot = L.bias_slot.get(node)
            if slot is not None and L.mask[slot]:
                self.params[slot] = INITIALIZERS[bias_init](rng, fan_in, fan_out, 1)[0]

    # -- results -----------------------------------------------------------

    @property
    def is_classifier(self):
        """True for the classification losses (cross-entropy, binary cross-entropy)."""
        return LOSSES[self.loss].classification

    def predict_classes(self, X):
        """Class labels, int array of shape (n_samples,).

        One output: 1 where ŷ > 0.5; several: the output with the largest ŷ.
        """
        return metrics.classes(self.predict(X))

    def score(self, X, Y):
        """Accuracy for classifiers (or 0/1 targets), else R² averaged over outputs."""
        Y_hat = self.predict(X)
        Y = self._check_pair(Y_hat, Y)
        if self.is_classifier or metrics.looks_like_labels(Y):
            return metrics.accuracy(metrics.labels(Y), metrics.classes(Y_hat))
        return metrics.r2(Y, Y_hat)

    def save(self, path):
        """Write the topology with every current weight and bias to ``path`` (atomically).

        ``dagnet.load(path)`` gives a network that predicts bit-identically.
        """
        from .saving import save
        save(self, path)

    def to_yaml(self):
        """The topology with every current weight and bias, as YAML text."""
        from .saving import to_yaml
        return to_yaml(self)
