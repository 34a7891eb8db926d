"""The Network: a perceptron graph, its parameter vector, and the engines that run it.

The parameter vector :attr:`Network.params` is the one source of truth for
every weight and bias; :attr:`Network.graph` shows it as graph attributes
(live views, see :mod:`dagnet.graphview`), and the engines read it through
the compiled :class:`~dagnet.plan.Plan` (see :mod:`dagnet.engine`).
"""
import numpy as np

from . import graph as graph_rules
from . import initializers, training, writer
from .computing import Computing
from .engine import ENGINES, engine_info, make_engine
from .blueprint import Blueprint
from .losses import LOSSES
from .plan import Plan
from .slotmap import SlotMap
from .swap import swapped
from .text import plural


class Network(Computing):
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
            plan = Plan.of_wiring(topology.wiring(), topology.generation)
            params = topology.parameters(plan, take=True)
        else:
            plan = Plan(topology)
            params = plan.read(topology, take=True)
        self._hold(plan, params, topology)   # the graph (or its blueprint) without the values, now in params
        self.engine = engine

    def _hold(self, plan, params, structure, view=None):
        """Take ``plan``, the parameter vector and the graph without its values; engines start anew."""
        self.plan, self._params, self.structure, self._view = plan, params, structure, view
        self._engines = {}

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

        Raises
        ------
        TopologyError
            For a graph that is not a valid topology, or one over the size
            limits of :mod:`dagnet.limits` (the limits of a topology file, so
            that the network loads again from the file it saves).
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

        Setting a ``weight`` or ``bias`` attribute changes the parameter at once;
        to change the structure, use :mod:`dagnet.edits`. Built on first use;
        :attr:`structure` is the same graph without the values.
        """
        if self._view is None:
            from .graphview import view    # networkx, imported when a graph is first asked for
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
        """An independent network with the same structure and current parameters.

        It shares the immutable :class:`~dagnet.plan.Plan` (compiling it is the
        whole cost of a small network); its parameters, graph and engines are its own.

        >>> import dagnet
        >>> net = dagnet.load("topologies/xor_skip.yaml"); twin = net.copy(); twin.set_weight("a", "n", 1.0)
        >>> twin.plan is net.plan, net.weight("a", "n"), twin.weight("a", "n")
        (True, 10.0, 1.0)
        """
        twin = Network.__new__(Network)
        twin.seed, twin.loss = self.seed, self.loss
        twin.inputs, twin.outputs = list(self.inputs), list(self.outputs)
        if isinstance(self._structure, Blueprint):   # never changed once made: shared, a graph on first use
            twin._hold(self.plan, self._params.copy(), self._structure)
            twin._stale = self._stale
        else:
            twin._hold(self.plan, self._params.copy(), self.structure.copy())
        twin.engine = self.engine
        return twin

    def restructure(self, graph):
        """Swap in a new structure: ``graph``, a new Plan, a new parameter vector, new engines.

        ``graph`` is a completed ParameterGraph: ``net.graph`` edited in place,
        as :mod:`dagnet.edits` does (the edit functions check the topology;
        this trusts it). Its ``inputs``, ``outputs`` and ``loss`` (graph
        attributes) become the network's. Every parameter keeps its value;
        :attr:`params` becomes a new array (its length may change), so
        copies of the old one go stale.

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
        self.inputs, self.outputs = list(graph.graph["inputs"]), list(graph.graph["outputs"])
        self.loss = graph.graph["loss"]
        from .graphview import ParameterGraph, rebind, structure_of
        self._hold(plan, params, structure_of(graph),
                   rebind(graph, plan, params) if isinstance(graph, ParameterGraph) else None)
        self.engine = self._engine_name
        return SlotMap.between(old_plan, plan)

    def rewire(self, remove=(), add=(), trainable=True):
        """Take edges out and put edges in, from arrays: a new Plan without a graph walk; returns the SlotMap.

        ``remove``, ``add``: (source column, target column) pairs of the current
        ``plan``, shape (k, 2), many at once (dynamic sparse training swaps
        thousands). Survivors keep their values, new weights start at 0; the graph
        follows when next asked for. :func:`dagnet.edits.rewire` checks the rules.
        """
        fast = swapped(self.plan, remove, add, trainable)     # every generation stays: a merge
        if fast is not None:
            plan, slots = fast
        else:
            old, plan = self.plan, self.plan.rewired(remove, add, trainable)
            slots = SlotMap.between(old, plan).without(old.slots_of(remove))  # removed-and-added: anew
        self._hold(plan, slots.carry(self._params), self._structure)
        self._stale = True
        self.engine = self._engine_name
        return slots

    @property
    def structure(self):
        """The networkx.DiGraph of the network without its values (which live in :attr:`params`)."""
        if isinstance(self._structure, Blueprint):   # a network from a file or a graph: made on first use
            self._structure = self._structure.structure()
        if self._stale:       # bring the edges in line with the plan after rewire()
            from .graphview import follow_wiring
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

    def _repr_html_(self):
        """The network drawn for a notebook (a summary when too big to draw): :func:`dagnet.display.network_html`."""
        from .display import network_html

        return network_html(self)

    def _repr_svg_(self):
        """The network as SVG (None when too big to draw): :func:`dagnet.plots.svg.network_svg`."""
        from .plots.svg import network_svg

        return network_svg(self)

    # -- training ----------------------------------------------------------

    # the training loop, one update step, and drawing the weights anew live in their modules
    fit, train_step = training.fit, training.train_step
    initialize = initializers.initialize

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
