"""What every generator shares: the registry, the size limit, and the builder of the graph.

A generator validates its own parameters, says how many hidden
perceptrons and (at most) how many edges its graph will have, and only
then builds it with a :class:`Builder`, so an absurd size is refused
before anything is allocated.

Examples
--------
>>> b = Builder("demo", {}, shared_parameters(), hidden=1, edges=lambda n_in, n_out: n_in + n_out)
>>> b.connect(b.inputs, b.perceptron("h", "tanh"))
>>> b.connect(["h"], b.output_layer()[0])
>>> sorted(b.G.edges), b.G.graph["loss"]
([('h', 'y'), ('x.0', 'h'), ('x.1', 'h')], 'binary_cross_entropy')
>>> check_size("mlp", nodes=10**9, edges=0)
Traceback (most recent call last):
...
ValueError: mlp would have 1,000,000,000 perceptrons (inputs and outputs included), over 100,000 (the limit dagnet.limits.LIMITS.max_nodes is 100,000; raise it if you mean it)
"""
import networkx as nx
import numpy as np

from ..graph import is_number
from ..limits import LIMITS, hint
from ..sparse import init as sparse_init
from ..writer import flow
from . import checks

#: A sparse topology's dense candidates may number this many times ``LIMITS.max_edges``.
SPARSE_DRAW_FACTOR = 10

#: ``{kind: function(**params) -> networkx.DiGraph}``, filled by :func:`generator`.
GENERATORS = {}

#: The output activation each loss needs (or suits best).
OUTPUT_ACTIVATION = {"binary_cross_entropy": "sigmoid", "cross_entropy": "softmax",
                     "mse": "linear", "sse": "linear"}


def generator(fn):
    """Register ``fn`` in :data:`GENERATORS` under its own name."""
    GENERATORS[fn.__name__] = fn
    return fn


def check_size(kind, nodes, edges):
    """Refuse a graph of ``nodes`` perceptrons and up to ``edges`` edges beyond dagnet's limits.

    The limits are those of topology files (:data:`dagnet.limits.LIMITS`):
    near them a generated network takes tens of seconds and most of a
    gigabyte to build (docs/sweeps.md gives a measurement).
    """
    if nodes > LIMITS.max_nodes:
        raise ValueError(f"{kind} would have {nodes:,} perceptrons (inputs and outputs included), "
                         f"over {LIMITS.max_nodes:,} {hint('max_nodes')}")
    if edges > LIMITS.max_edges:
        raise ValueError(f"{kind} can have up to {edges:,} edges, over {LIMITS.max_edges:,} "
                         f"{hint('max_edges')}")


def shared_parameters(inputs=2, outputs=1, loss=None, output_activation=None, bias=True, init=None,
                      name=None, density=None, distribution="erdos_renyi", sparse_seed=0, **own):
    """The parameters every generator takes, with their defaults (its own ones are ignored here)."""
    return {"inputs": inputs, "outputs": outputs, "loss": loss,
            "output_activation": output_activation, "bias": bias, "init": init, "name": name,
            "density": density, "distribution": distribution, "sparse_seed": sparse_seed}


def describe(params):
    """``"sizes=[8], activations=tanh"``: a generator call as the topology's description gives it."""
    return ", ".join(f"{k}={flow(list(v) if isinstance(v, tuple) else v)}"
                     for k, v in params.items() if v is not None)


class Builder:
    """A DiGraph with the inputs and graph attributes set, and helpers to add perceptrons and edges.

    Parameters
    ----------
    kind : str
        The generator, for names and messages.
    params : dict
        The generator's own parameters, written into the description.
    shared : dict
        :func:`shared_parameters` of the call.
    hidden : int
        How many hidden perceptrons the generator will add.
    edges : callable
        ``edges(n_inputs, n_outputs)``: the most edges the graph can have.
    """

    def __init__(self, kind, params, shared, hidden, edges):
        n_in, n_out = checks.count(shared["inputs"], "inputs"), checks.count(shared["outputs"], "outputs")
        n_nodes, n_edges = n_in + hidden + n_out, edges(n_in, n_out)
        self.sparse = None
        if shared["density"] is not None:     # draw the edges of a sparse topology (see dagnet.sparse)
            density, distribution = sparse_init.check(shared["density"], shared["distribution"])
            self.sparse = (density, distribution, checks.whole(shared["sparse_seed"], "sparse_seed"), [])
            if n_edges > SPARSE_DRAW_FACTOR * LIMITS.max_edges:
                raise ValueError(f"{kind} would draw from {n_edges:,} edges, over {SPARSE_DRAW_FACTOR} × "
                                 f"{LIMITS.max_edges:,} {hint('max_edges')}")
            n_edges = int(density * n_edges) + n_nodes
        check_size(kind, n_nodes, n_edges)
        loss = shared["loss"]
        if loss is None:
            loss = "cross_entropy" if n_out > 1 else "binary_cross_entropy"
        if not isinstance(loss, str):
            raise ValueError(f"loss must be a name, got {loss!r}")
        bias = shared["bias"]
        if not (bias is True or bias is False or bias is None or is_number(bias)):
            raise ValueError(f"bias must be true, false or a number, got {bias!r}")
        self.bias = bias
        self.output_activation = shared["output_activation"] or OUTPUT_ACTIVATION.get(loss, "sigmoid")
        self.inputs = checks.names(shared["inputs"], "inputs", "x")
        self.outputs = checks.names(shared["outputs"], "outputs", "y")
        both = sorted(map(str, set(self.inputs) & set(self.outputs)))
        if both:
            raise ValueError(f"name(s) {both} used twice: inputs, outputs and the generated hidden "
                             f"perceptrons need names of their own")
        self.graph = nx.DiGraph()
        input_group = "x" if is_number(shared["inputs"]) else None
        self.graph.add_nodes_from((n, {"group": input_group}) if input_group else (n, {}) for n in self.inputs)
        self.graph.graph.update(inputs=list(self.inputs), outputs=list(self.outputs), loss=loss,
                            name=shared["name"] or kind.replace("_", "-"),
                            description=f"dagnet.generate {kind}: {describe(params)}" + (
                                "" if self.sparse is None else f", density={self.sparse[0]:g}, "
                                f"distribution={self.sparse[1]}, sparse_seed={self.sparse[2]}"))
        if shared["init"] is not None:
            self.graph.graph["init"] = shared["init"]
        self.output_group = "y" if is_number(shared["outputs"]) and n_out > 1 else None

    def perceptron(self, node, activation, group=None):
        """Add one perceptron; a name already taken (by an input, say) is a ValueError."""
        if node in self.graph:
            raise ValueError(f"name(s) [{str(node)!r}] used twice: inputs, outputs and the generated "
                             f"hidden perceptrons need names of their own")
        attrs = {"activation": activation, "bias": self.bias}
        if group is not None:
            attrs["group"] = group
        self.graph.add_node(node, **attrs)
        return node

    def layer(self, group, size, activation):
        """``size`` perceptrons ``group.0`` ... of one group."""
        return [self.perceptron(f"{group}.{k}", activation, group) for k in range(size)]

    def output_layer(self):
        """The output perceptrons, with the output activation."""
        return [self.perceptron(o, self.output_activation, self.output_group) for o in self.outputs]

    def connect(self, sources, target, weight=None):
        """Edges from every node of ``sources`` into ``target`` (of a sparse topology: candidates, drawn later)."""
        attrs = {} if weight is None else {"weight": float(weight)}
        if self.sparse is not None:
            self.sparse[3].append((list(sources), target, attrs))
            return
        self.graph.add_edges_from((u, target, dict(attrs)) for u in sources)

    @property
    def G(self):
        """The graph built; a sparse topology's edges are drawn on first access."""
        if self.sparse is not None and self.sparse[3]:
            density, distribution, seed, pending = self.sparse
            position = {n: k for k, n in enumerate(self.graph)}
            sizes = [len(s) for s, _, _ in pending]
            src = np.array([position[u] for sources, _, _ in pending for u in sources], dtype=np.intp)
            dst = np.repeat(np.array([position[t] for _, t, _ in pending], dtype=np.intp), sizes)
            group = np.repeat(np.arange(len(pending)), sizes)
            keep = sparse_init.keep_mask(src, dst, len(position), density, distribution, seed,
                                         [position[o] for o in self.outputs])
            names = list(self.graph)
            self.graph.add_edges_from((names[u], names[v], dict(pending[g][2]))
                                      for u, v, g in zip(src[keep].tolist(), dst[keep].tolist(),
                                                         group[keep].tolist()))
            self.sparse = (density, distribution, seed, [])
        return self.graph
