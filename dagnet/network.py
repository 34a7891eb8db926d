"""The Network: a perceptron graph, its parameter vector, and the engines that run it.

The parameter vector :attr:`Network.params` is the one source of truth for
every weight and bias; :attr:`Network.graph` shows it as graph attributes
(live views, see :mod:`dagnet.graphview`), and the engines read it through
the compiled :class:`~dagnet.plan.Plan` (see :mod:`dagnet.engine`).
"""
import numpy as np

from . import graph as graph_rules
from . import metrics, training, writer
from .engine import ENGINES, engine_info, make_engine
from .blueprint import Blueprint
from .graphview import ParameterGraph, follow_wiring, rebind, structure_of, view, with_values
from .initializers import DEFAULT_BIAS_INIT, initialize
from .losses import LOSSES
from .plan import Plan
from .results import Gradients, Trace
from .slotmap import SlotMap
from .samples import as_inputs, is_binary
from .text import plural


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

    def __init__(self, topology, engine="compiled", seed=None):
        """Wrap a completed topology, taken over (its values move into :attr:`params`).

        ``topology``: a :class:`~dagnet.blueprint.Blueprint` from :func:`dagnet.graph.complete`
        (:attr:`structure` is then built when first asked for) or a graph from
        :func:`dagnet.graph.build`. ``seed``, the seed the missing weights were drawn with,
        is kept as :attr:`seed`: ``fit`` shuffles with it unless given its own.
        """
        self.seed = seed
        self.inputs, self.outputs = list(topology.graph["inputs"]), list(topology.graph["outputs"])
        self.loss = topology.graph["loss"]
        if isinstance(topology, Blueprint):
            self.plan = Plan.of_wiring(topology.wiring(), topology.generation)
            self._params = topology.parameters(self.plan, take=True)
        else:
            self.plan = Plan(topology)
            self._params = self.plan.read(topology, take=True)
        self.structure = topology         # the graph (or its blueprint) without the values, now in _params
        self._view = None
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
        return cls(graph_rules.blueprint(G, inputs, outputs, loss, seed=seed, init=init), engine=engine,
                   seed=seed)

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
        #: The engine object that runs this network (the interface of :mod:`dagnet.engine`).
        self.runner = self._engines[name]

    def engine_info(self):
        """Which backend runs, in which dtype and why: ``{"engine", "backend", "dtype", "threads", "reason"}``.

        >>> import dagnet
        >>> dagnet.load("topologies/xor_skip.yaml").engine_info()["backend"] in ("native", "numpy")
        True
        """
        return engine_info(self.engine, self.runner)

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
        once; to change the structure, use :mod:`dagnet.edits` (or build a
        new network with ``Network.from_graph(net.graph)``). (Built on first use, in time
        linear in the size of the network; :attr:`structure` is the same
        graph without the values.)
        """
        if self._view is None:
            self._view = view(self.structure, self.plan, self._params)
        return self._view

    @property
    def loss_function(self):
        """The :class:`~dagnet.losses.Loss` record of :attr:`loss`."""
        return LOSSES[self.loss]

    @property
    def attributes(self):
        """``structure.graph`` (``name``, ``description``, ``metadata``, ...), without building the graph."""
        return self._structure.graph

    @property
    def name(self):
        return self.attributes.get("name")

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
        return Network(with_values(self.structure, self.plan, self._params), engine=self.engine,
                       seed=self.seed)

    def restructure(self, graph):
        """Swap in a new structure: ``graph``, a new Plan, a new parameter vector, new engines.

        ``graph`` is a completed ParameterGraph with the same inputs, outputs
        and loss: ``net.graph`` edited in place, as :mod:`dagnet.edits` does
        (the edit functions check the topology; this trusts it). Every
        parameter keeps its value; :attr:`params` becomes a new array (its
        length may change), so copies of the old one go stale.

        Returns
        -------
        SlotMap
            Which old slot each surviving parameter moved to, for carrying
            per-parameter arrays (optimiser state) across.

        Examples
        --------
        >>> import dagnet
        >>> net = dagnet.load("topologies/xor_skip.yaml")
        >>> old = net.params.copy()
        >>> net.graph.remove_edge("a", "y")                # dagnet.edits checks the rules first
        >>> slots = net.restructure(net.graph)
        >>> len(old), len(net.params), bool((slots.carry(old) == net.params).all())
        (9, 8, True)
        """
        old_plan = self.plan
        plan = Plan(graph)
        params = plan.read(graph)       # the old values, through the old bound views
        self.structure = structure_of(graph)
        self.plan, self._params = plan, params
        self._view = rebind(graph, plan, params) if isinstance(graph, ParameterGraph) else None
        self._engines = {}
        self.engine = self._engine_name
        return SlotMap.between(old_plan, plan)

    def rewire(self, remove=(), add=(), trainable=True):
        """Take edges out and put edges in, from arrays: a new Plan without a graph walk; returns the SlotMap.

        ``remove``, ``add``: (source column, target column) pairs of the
        current ``plan``, shape (k, 2). For many edges at once (dynamic sparse
        training swaps thousands): :meth:`Plan.rewired` compiles the new plan
        from the old one's arrays, survivors keep their values, new weights
        start at 0 (``trainable`` or fixed), and the graph (:attr:`structure`,
        :attr:`graph`) follows when next asked for. :func:`dagnet.edits.rewire`
        checks the topology rules; this trusts them.
        """
        old = self.plan
        self.plan = old.rewired(remove, add, trainable)
        slots = SlotMap.between(old, self.plan).without(old.slots_of(remove))  # removed-and-added: anew
        self._params = slots.carry(self._params)
        self._stale, self._view = True, None
        self._engines = {}
        self.engine = self._engine_name
        return slots

    @property
    def structure(self):
        """The networkx.DiGraph of the network without its values (which live in :attr:`params`)."""
        if isinstance(self._structure, Blueprint):   # a network from a file or a graph: made on first use
            self._structure = self._structure.structure()
        if self._stale:       # bring the edges in line with the plan after rewire()
            follow_wiring(self._structure, self.plan.wiring)
            self._stale = False
        return self._structure

    @structure.setter
    def structure(self, G):
        self._structure, self._stale = G, False

    def __repr__(self):
        return (f"<dagnet.Network {self.name or ''} {plural(len(self.inputs), 'input')}, "
                f"{plural(len(self.outputs), 'output')}, {plural(self.plan.n_nodes, 'node')}, "
                f"{plural(len(self.plan.edges), 'edge')}, loss={self.loss}>")

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
        return Trace(*self.runner.forward(self._params, X), self.plan)

    def predict(self, X):
        """Output activations, shape (n_samples, n_outputs), columns in ``outputs`` order."""
        return self.forward(X).outputs

    def targets(self, Y):
        """``Y`` checked and shaped as the loss takes it: float64 (n_samples, n_outputs)."""
        return self.loss_function.targets(Y, len(self.outputs))

    def evaluate(self, X, Y, sample_weight=None):
        """The loss E (as defined for ``self.loss``) on ``X``, ``Y``, optionally with sample weights."""
        trace = self.forward(X)
        Y = self._check_pair(trace.S, Y)
        weights = None if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)
        return self.loss_function.value_and_delta(trace.output_sums, trace.outputs, Y,
                                                  self.plan.output_groups, weights)[0]

    def gradients(self, X, Y, sample_weight=None):
        """Loss and its gradient by backpropagation.

        Parameters
        ----------
        X : array of shape (n_samples, n_inputs)
        Y : array of shape (n_samples, n_outputs)
            For ``cross_entropy`` also integer labels of shape (n_samples,).
        sample_weight : array of shape (n_samples,) or None
            Each sample counts this many times in E (a weighted mean for the mean losses).

        Returns
        -------
        loss : float
        grads : Gradients
            ``grads.weight[(i, j)]``, ``grads.bias[j]``, ``grads.delta[j]``.

        Examples
        --------
        >>> import dagnet
        >>> net = dagnet.load("topologies/xor_skip.yaml")
        >>> loss, grads = net.gradients([[0, 1]], [[1]])
        >>> round(loss, 6), grads.delta["y"].round(6)
        (5.8e-05, array([-0.000116]))
        >>> sorted(grads.weight)
        [('a', 'n'), ('a', 'y'), ('b', 'n'), ('b', 'y'), ('n', 'y')]
        """
        X = as_inputs(X, self.inputs)
        S, Z = self.runner.forward(self._params, X)
        Y = self._check_pair(S, Y)
        weights = None if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)
        E, vector, D = self.runner.backward(self._params, S, Z, Y, weights=weights)
        return E, Gradients(vector, D, self.plan)

    def _check_pair(self, S, Y):
        Y = self.targets(Y)
        if len(Y) != len(S):
            raise ValueError(f"X has {len(S)} samples but Y has {len(Y)}")
        if len(Y) == 0:
            raise ValueError("no samples: the loss of an empty batch is undefined")
        return Y

    # -- training ----------------------------------------------------------

    # the training loop and one update step live in dagnet.training
    fit = training.fit
    train_step = training.train_step

    def initialize(self, init="glorot_uniform", seed=None, bias_init=DEFAULT_BIAS_INIT):
        """Draw every trainable weight (scheme ``init``) and bias (``bias_init``) anew.

        Fan-in and fan-out are per weight, as when a topology is loaded (see
        :func:`dagnet.initializers.fans`).
        """
        initialize(self, init, seed, bias_init)

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

    # saving lives in dagnet.writer
    save = writer.save
    to_yaml = writer.to_yaml

    def to_onnx(self, path, dtype="float64", opset=17):
        """Write the network to ``path`` as ONNX: input ``X`` (batch, n_inputs), output ``Y`` (batch, n_outputs).

        ``dtype``: "float64" or "float32". Needs the ``onnx`` extra; see :mod:`dagnet.interchange.onnx`.
        """
        from .interchange.onnx import write
        return write(self, path, dtype=dtype, opset=opset)

    def to_torch(self, dtype="float64"):
        """A ``torch.nn.Module``: ``module(X)`` is :meth:`predict`, ``module.params`` a copy of :attr:`params`.

        ``dagnet.interchange.torch.load_state(net, module)`` writes trained parameters back.
        """
        from .interchange.torch import to_module
        return to_module(self, dtype)
