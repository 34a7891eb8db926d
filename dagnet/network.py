"""The Network: a perceptron graph, its parameter vector, and the engines that run it.

The parameter vector :attr:`Network.params` is the one source of truth for
every weight and bias; :attr:`Network.graph` shows it as graph attributes
(live views, see :mod:`dagnet.graphview`), and the engines read it through
the compiled :class:`~dagnet.plan.Plan` (see :mod:`dagnet.engine`).
"""
import numpy as np

from . import graph as graph_rules
from . import metrics, writer
from .engine import ENGINES, engine_info, make_engine
from .graphview import bind
from .initializers import DEFAULT_BIAS_INIT, INITIALIZERS, fans
from .losses import LOSSES
from .plan import Plan
from .results import Gradients, Trace
from .errors import suggest
from .samples import as_inputs, is_binary


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
        """Wrap a graph completed by :func:`dagnet.graph.build` (a ParameterGraph, taken over)."""
        self._graph = G
        self.inputs = list(G.graph["inputs"])
        self.outputs = list(G.graph["outputs"])
        self.loss = G.graph["loss"]
        self.plan = Plan(G)
        self._params = self.plan.read(G)
        bind(G, self.plan, self._params)
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
        engine : {"compiled", "native", "float32", "numpy", "reference"}
            See :mod:`dagnet.engine`; :meth:`engine_info` says what runs.
        init : str or None
            Weight initialisation scheme for nodes that name none.
        """
        return cls(graph_rules.build(G, inputs, outputs, loss, seed=seed, init=init), engine=engine)

    # -- parameters and the graph -----------------------------------------

    @property
    def engine(self):
        """The engine's name: ``"compiled"`` (the fastest backend), ``"native"``, ``"float32"``,
        ``"numpy"`` or ``"reference"`` (node by node); see :meth:`engine_info`."""
        return self._engine_name

    @engine.setter
    def engine(self, name):
        if name not in ENGINES:
            raise ValueError(f"unknown engine {name!r}; known: {', '.join(ENGINES)}")
        if name not in self._engines:
            self._engines[name] = make_engine(name, self.plan, self.loss_function)
        self._engine_name = name
        self._runner = self._engines[name]

    @property
    def runner(self):
        """The engine object behind :attr:`engine` (see :mod:`dagnet.engine`)."""
        return self._runner

    def engine_info(self):
        """Which backend runs, in which dtype and why: ``{"engine", "backend", "dtype", "threads", "reason"}``.

        >>> import dagnet
        >>> dagnet.load("topologies/xor_skip.yaml").engine_info()["backend"] in ("native", "numpy")
        True
        """
        return engine_info(self.engine, self._runner)

    @property
    def params(self):
        """The parameter vector, float64 of shape (plan.n_params,): every weight and bias.

        Assigning to it copies the values in (the vector itself stays, so
        views of it stay current); slots are given by ``net.plan.edge_slot``
        and ``net.plan.bias_slot``.
        """
        return self._params

    @params.setter
    def params(self, values):
        values = np.asarray(values, dtype=np.float64)
        if values.shape != self._params.shape:
            raise ValueError(f"params must have shape {self._params.shape}, got {values.shape}")
        if values is not self._params:
            self._params[...] = values

    @property
    def graph(self):
        """The networkx.DiGraph of the network; ``weight`` and ``bias`` are live views of :attr:`params`.

        Setting a ``weight`` or ``bias`` attribute changes the parameter at
        once; to change the structure, build a new network with
        ``Network.from_graph(net.graph)``.
        """
        return self._graph

    @property
    def loss_function(self):
        """The :class:`~dagnet.losses.Loss` record of :attr:`loss`."""
        return LOSSES[self.loss]

    @property
    def name(self):
        return self._graph.graph.get("name")

    @property
    def n_params(self):
        """Number of trainable weights and biases."""
        return int(self.plan.mask.sum())

    def weight(self, i, j):
        """w_{i→j} as a float."""
        return float(self._params[self.plan.edge_slot[i, j]])

    def bias(self, j):
        """b_j as a float, or None for a node without bias."""
        slot = self.plan.bias_slot.get(j)
        return None if slot is None else float(self._params[slot])

    def set_weight(self, i, j, value):
        self._params[self.plan.edge_slot[i, j]] = value

    def set_bias(self, j, value):
        self._params[self.plan.bias_slot[j]] = value

    def copy(self):
        """An independent network with the same structure and current parameters."""
        return Network(self._graph.copy(), engine=self.engine)

    def __repr__(self):
        return (f"<dagnet.Network {self.name or ''} {len(self.inputs)} inputs, "
                f"{len(self.outputs)} outputs, {self.plan.n_nodes} nodes, "
                f"{len(self.plan.edge_slot)} edges, loss={self.loss}>")

    # -- computing ---------------------------------------------------------

    def forward(self, X):
        """Propagate ``X`` of shape (n_samples, n_inputs); return the :class:`~dagnet.results.Trace`.

        Examples
        --------
        >>> import dagnet
        >>> net = dagnet.load("topologies/xor_skip.yaml")
        >>> trace = net.forward([[0, 1], [1, 1]])
        >>> trace.s["n"], trace.z["n"].round(3)
        (array([-5.,  5.]), array([0.007, 0.993]))
        """
        X = as_inputs(X, self.inputs)
        return Trace(*self._runner.forward(self._params, X), self.plan)

    def predict(self, X):
        """Output activations, shape (n_samples, n_outputs), columns in ``outputs`` order."""
        return self.forward(X).outputs

    def targets(self, Y):
        """``Y`` checked and shaped as the loss takes it: float64 (n_samples, n_outputs)."""
        return self.loss_function.targets(Y, len(self.outputs))

    def evaluate(self, X, Y):
        """The loss E (as defined for ``self.loss``) on ``X``, ``Y``."""
        trace = self.forward(X)
        Y = self._check_pair(trace.S, Y)
        return self.loss_function.value(trace.output_sums, trace.outputs, Y)

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
        X = as_inputs(X, self.inputs)
        S, Z = self._runner.forward(self._params, X)
        Y = self._check_pair(S, Y)
        E, vector, D = self._runner.backward(self._params, S, Z, Y)
        return E, Gradients(vector, D, self.plan)

    def _check_pair(self, S, Y):
        Y = self.targets(Y)
        if len(Y) != len(S):
            raise ValueError(f"X has {len(S)} samples but Y has {len(Y)}")
        if len(Y) == 0:
            raise ValueError("no samples: the loss of an empty batch is undefined")
        return Y

    # -- training ----------------------------------------------------------

    def train_step(self, X, Y, optimizer, weight_decay=0.0):
        """One update on a batch: forward, backward, ``optimizer.step``; returns E before it.

        ``X`` (n, n_inputs) and ``Y`` (n, n_outputs) must already be checked
        float64 arrays (see :meth:`targets`); ``fit`` calls this in its loop.
        """
        E, grad = self._runner.train_gradient(self._params, X, Y)
        if weight_decay:
            grad += weight_decay * self.plan.mask * self._params   # ∂/∂θ of (λ/2)‖θ‖²
        optimizer.step(self._params, grad)
        return E

    def fit(self, X, Y, epochs=100, lr=None, batch_size=None, optimizer="sgd", shuffle=True,
            seed=None, weight_decay=0.0, validation_data=None, validation_split=0.0, patience=None,
            min_delta=0.0, restore_best=True, verbose=True, callback=None, init=None,
            exact_loss=False, **optimizer_params):
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
        exact_loss : bool
            False (default): an epoch's ``loss`` (and ``accuracy``) is the running figure
            over its batches, each as computed before that batch's update (free);
            True: E on the whole training set after each epoch (one more forward pass
            over all of it per epoch). Validation data are measured after every epoch either way.

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
                   verbose=verbose, callback=callback, init=init, exact_loss=exact_loss,
                   **optimizer_params)

    def initialize(self, init="glorot_uniform", seed=None, bias_init=DEFAULT_BIAS_INIT):
        """Draw every trainable weight (scheme ``init``) and bias (``bias_init``) anew.

        Fan-in and fan-out are per node, as when a topology is loaded.
        """
        for name in (init, bias_init):
            if name not in INITIALIZERS:
                raise ValueError(f"unknown init {name!r}{suggest(name, INITIALIZERS)}; "
                                 f"known: {', '.join(INITIALIZERS)}")
        rng = np.random.default_rng(seed)
        G, plan = self._graph, self.plan
        outputs = set(self.outputs)
        for node in G:
            if plan.activation[node] is None:
                continue
            fan_in, fan_out = fans(G, node, outputs)
            slots = [plan.edge_slot[u, node] for u in G.predecessors(node)]
            slots = [s for s in slots if plan.mask[s]]
            self._params[slots] = INITIALIZERS[init](rng, fan_in, fan_out, len(slots))
            slot = plan.bias_slot.get(node)
            if slot is not None and plan.mask[slot]:
                self._params[slot] = INITIALIZERS[bias_init](rng, fan_in, fan_out, 1)[0]

    # -- results -----------------------------------------------------------

    @property
    def is_classifier(self):
        """True for the classification losses (cross-entropy, binary cross-entropy)."""
        return self.loss_function.classification

    def predict_classes(self, X):
        """Class labels, int array of shape (n_samples,).

        One output: 1 where ŷ > 0.5; several: the output with the largest ŷ.
        """
        return metrics.classes(self.predict(X))

    def score(self, X, Y):
        """Accuracy for classifiers (or 0/1 targets), else R² averaged over outputs."""
        Y_hat = self.predict(X)
        Y = self._check_pair(Y_hat, Y)
        if self.is_classifier or is_binary(Y):
            return metrics.accuracy(metrics.labels(Y), metrics.classes(Y_hat))
        return metrics.r2(Y, Y_hat)

    def save(self, path, form="flat"):
        """Write the topology with every current weight and bias to ``path`` (atomically).

        ``dagnet.load(path)`` gives a network that predicts bit-identically.
        ``form="grouped"`` writes groups as ``{size: N}`` (see :mod:`dagnet.writer`).

        Examples
        --------
        >>> import dagnet, os, tempfile
        >>> net = dagnet.load("topologies/xor_2_2_1.yaml", seed=0)
        >>> path = os.path.join(tempfile.mkdtemp(), "xor.yaml")
        >>> net.save(path)
        >>> bool((dagnet.load(path).params == net.params).all())
        True
        """
        writer.write(self, path, form)

    def to_yaml(self, form="flat"):
        """The topology with every current weight and bias, as YAML text."""
        return writer.to_yaml(self, form)
