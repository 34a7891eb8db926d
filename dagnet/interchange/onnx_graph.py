"""The ONNX graph of a network: standard operators, one block per topological generation.

The graph follows the compiled engine (:mod:`dagnet.compiled`): node
values are held node-major, one row per node (inputs, then generation by
generation, each generation's nodes grouped by activation), so that a
generation's sources are rows of one growing tensor ``Z`` of shape
(n_rows_so_far, batch):

- a dense step is ``s = Wᵀ · Z[sources] + b`` (MatMul, Add);
- a sparse step keeps per edge one weight, one source row (int32) and one
  byte for its target, and nothing else (onnxruntime would make a sparse
  initialiser dense at load time): ``Gather`` the source rows, ``Mul`` by
  the weights, and ``ScatterND`` with ``reduction="add"`` into the bias
  rows, which is s_j = b_j + Σ_{i→j} z_i · w_{i→j} for every target of the
  generation (a random DAG of 20,373 edges, 60 of its 80 generations
  sparse, is a 0.34 MiB file in float64, 0.24 MiB in float32);
- each activation is one operator, or a few where onnxruntime has no
  kernel for float64 (``elu``, ``softplus``, ``softsign``, ``leaky_relu``);
- softmax outputs get one ``Softmax`` over all outputs.

:func:`add_network` adds these nodes to a :class:`GraphBuilder`, which
:mod:`dagnet.interchange.onnx` makes a model of and
:mod:`dagnet.interchange.sklearn_onnx` puts into a scikit-learn pipeline's graph.

Examples
--------
>>> import dagnet, pytest
>>> _ = pytest.importorskip("onnx")
>>> g = GraphBuilder("float64")
>>> y = add_network(dagnet.load("topologies/xor_skip.yaml"), g, "X")
>>> [op for op, *_ in g.ops][:4]
['Transpose', 'Shape', 'Slice', 'MatMul']
"""
import itertools

import numpy as np

from ..plan import DenseStep
from . import require


def _onnx():
    return require("onnx", "ONNX export")


class GraphBuilder:
    """ONNX nodes and initialisers under construction, every name starting with ``prefix``.

    Parameters
    ----------
    dtype : {"float64", "float32"}
        The floating type of every value and weight.
    prefix : str
        Keeps the names unique when the nodes go into a larger graph (skl2onnx).
    """

    def __init__(self, dtype="float64", prefix=""):
        onnx = _onnx()
        self.helper, self.numpy_helper = onnx.helper, onnx.numpy_helper
        self.dtype = np.dtype(dtype)
        self.prefix = prefix
        self.ops, self.initializers = [], []   # ops: (op_type, inputs, output, attributes)
        self._count = itertools.count()
        self._scalars = {}

    def fresh(self, stem):
        """A new tensor name."""
        return f"{self.prefix}{stem}_{next(self._count)}"

    def constant(self, stem, array, dtype=None):
        """An initialiser holding ``array`` (in the builder's float type unless ``dtype``); its name."""
        name = self.fresh(stem)
        array = np.ascontiguousarray(array, dtype=dtype or self.dtype)
        self.initializers.append(self.numpy_helper.from_array(array, name))
        return name

    def scalar(self, value):
        """A shared float scalar initialiser."""
        if value not in self._scalars:
            self._scalars[value] = self.constant("c", np.array(value))
        return self._scalars[value]

    def ints(self, values):
        """A shared int64 initialiser for a short list of integers (shapes, axes, bounds)."""
        key = ("ints", *values)
        if key not in self._scalars:
            self._scalars[key] = self.constant("i", np.array(values, dtype=np.int64), np.int64)
        return self._scalars[key]

    def op(self, op_type, inputs, stem=None, **attributes):
        """Append one ``op_type`` node; return the name of its (single) output."""
        out = self.fresh(stem or op_type.lower())
        self.ops.append((op_type, list(inputs), out, attributes))
        return out

    def node_protos(self):
        """The ops as ``onnx.NodeProto``, each named after its output."""
        return [self.helper.make_node(op, inputs, [out], name=out, **attributes)
                for op, inputs, out, attributes in self.ops]


# -- activations: z = σ(s), elementwise, from standard operators ---------------------------------

def _leaky_relu(g, s):
    from ..activations import LEAKY_SLOPE
    return g.op("Where", [g.op("Greater", [s, g.scalar(0.0)]), s, g.op("Mul", [s, g.scalar(LEAKY_SLOPE)])])


def _elu(g, s):
    # s > 0 ? s : e^min(s, 0) − 1 (the min keeps e^s finite where the branch is not taken)
    negative = g.op("Sub", [g.op("Exp", [g.op("Min", [s, g.scalar(0.0)])]), g.scalar(1.0)])
    return g.op("Where", [g.op("Greater", [s, g.scalar(0.0)]), s, negative])


def _softplus(g, s):
    # max(s, 0) + log(1 + e^−|s|): finite for any finite s
    tail = g.op("Log", [g.op("Add", [g.scalar(1.0), g.op("Exp", [g.op("Neg", [g.op("Abs", [s])])])])])
    return g.op("Add", [g.op("Relu", [s]), tail])


#: dagnet activation name -> builder(graph, s) -> z. Every dagnet activation has one (a test checks).
ACTIVATION_OPS = {
    "sigmoid": lambda g, s: g.op("Sigmoid", [s]),
    "tanh": lambda g, s: g.op("Tanh", [s]),
    "linear": lambda g, s: s,
    "relu": lambda g, s: g.op("Relu", [s]),
    "leaky_relu": _leaky_relu,
    "elu": _elu,
    "softplus": _softplus,
    "swish": lambda g, s: g.op("Mul", [s, g.op("Sigmoid", [s])]),
    "softsign": lambda g, s: g.op("Div", [s, g.op("Add", [g.scalar(1.0), g.op("Abs", [s])])]),
    "gaussian": lambda g, s: g.op("Exp", [g.op("Neg", [g.op("Mul", [s, s])])]),
    "sin": lambda g, s: g.op("Sin", [s]),
    "softmax": lambda g, s: s,   # one Softmax over all outputs, at the end
}


# -- the network ----------------------------------------------------------------------------------

def _columns(index):
    """A plan's column index (slice or array) as an int array."""
    if isinstance(index, slice):
        return np.arange(index.start, index.stop)
    return np.asarray(index)


def _runs(block_runs, start):
    """(activation name, row offset, length) per run, and the block's columns in run order."""
    runs, order = [], []
    for run in block_runs:
        columns = _columns(run.columns)
        runs.append((run.activation.name, len(order), len(columns)))
        order.extend(columns.tolist())
    return runs, np.asarray(order, dtype=np.intp)


def layout(plan):
    """``row[column]``: the row of each plan column in the exported graph.

    Inputs and steps keep their blocks; inside a block the columns are
    ordered by activation, so that every activation works on one
    contiguous run of rows.
    """
    row = np.arange(plan.n_nodes)
    c0 = plan.n_inputs
    blocks = [(c0, plan.constant_runs)] + [(step.start, step.runs) for step in plan.steps]
    for start, block_runs in blocks:
        _, order = _runs(block_runs, start)
        row[order] = start + np.arange(len(order))
    return row


def _rows(g, Z, rows, index_type=np.int64):
    """Rows ``rows`` of the node-major tensor ``Z``: a Slice for a contiguous run, else a Gather."""
    rows = np.asarray(rows)
    if len(rows) and np.array_equal(rows, np.arange(rows[0], rows[0] + len(rows))):
        start, stop = int(rows[0]), int(rows[0]) + len(rows)
        return g.op("Slice", [Z, g.ints([start]), g.ints([stop]), g.ints([0])])
    return g.op("Gather", [Z, g.constant("rows", rows, index_type)], axis=0)


def _activate(g, runs, s):
    """z = σ(s) for a block whose runs of rows share an activation."""
    if len(runs) == 1:
        return ACTIVATION_OPS[runs[0][0]](g, s)
    parts = [ACTIVATION_OPS[name](g, _rows(g, s, np.arange(offset, offset + length)))
             for name, offset, length in runs]
    return g.op("Concat", parts, axis=0)


def _targets(g, stem, dst):
    """ScatterND's (n_edges, 1) int64 target rows, stored as one byte per edge where possible.

    Sorted targets that each receive an edge rise by 0 or 1 from edge to
    edge: the file keeps those steps (uint8) and the graph sums them up
    (CumSum, which onnxruntime folds into a constant when it loads the model).
    """
    steps = np.diff(dst, prepend=0)
    if len(dst) and dst[0] == 0 and np.all((steps == 0) | (steps == 1)):
        rows = g.op("CumSum", [g.op("Cast", [g.constant(f"{stem}_step", steps, np.uint8)], to=7),
                               g.constant("axis", np.array(0), np.int64)])
        return g.op("Unsqueeze", [rows, g.ints([1])], f"{stem}_target")
    return g.constant(f"{stem}_target", dst[:, None], np.int64)


def add_network(net, g, x):
    """Add the forward pass of ``net`` on ``x`` (batch, n_inputs) to ``g``; return ŷ's name.

    ŷ has shape (batch, n_outputs), columns in ``net.outputs`` order, as
    :meth:`dagnet.Network.predict` gives it.
    """
    plan, params = net.plan, net.params
    bias = plan.biases(params)
    row = layout(plan)
    index = np.int32 if plan.n_nodes < 2**31 else np.int64
    Z = g.op("Transpose", [x], "inputs", perm=[1, 0])          # (n_inputs, batch)
    batch = g.op("Shape", [x], "batch", start=0, end=1)

    def rows_of(width):   # the shape (width, batch)
        return g.op("Concat", [g.ints([width]), batch], axis=0)

    c0, c1 = plan.n_inputs, plan.n_inputs + plan.n_constants
    if c1 > c0:   # nodes without predecessors: s = b
        runs, order = _runs(plan.constant_runs, c0)
        s = g.op("Expand", [g.constant("bias", bias[order, None]), rows_of(c1 - c0)], "s")
        Z = g.op("Concat", [Z, _activate(g, runs, s)], "z", axis=0)
    for k, step in enumerate(plan.steps):
        runs, order = _runs(step.runs, step.start)
        local = row[step.start:step.stop] - step.start          # new position of each target
        W = plan.weights(params, step)
        b = bias[order, None]
        if isinstance(step, DenseStep):
            # s = Wᵀ z[sources] + b for the whole generation
            sources = row[_columns(step.sources)]
            s = g.op("MatMul", [g.constant(f"g{k}_weight", W.T[order - step.start]),
                                _rows(g, Z, sources, index)])
            s = g.op("Add", [s, g.constant(f"g{k}_bias", b)], f"g{k}_s")
        else:
            # one term z_i · w_{i→j} per edge, added into row j of the biases
            dst = local[step.dst]
            by_target = np.argsort(dst, kind="stable")
            terms = g.op("Gather", [Z, g.constant(f"g{k}_source", row[step.src[by_target]], index)], axis=0)
            terms = g.op("Mul", [terms, g.constant(f"g{k}_weight", W[by_target, None])])
            base = g.op("Expand", [g.constant(f"g{k}_bias", b), rows_of(step.stop - step.start)])
            s = g.op("ScatterND", [base, _targets(g, f"g{k}", dst[by_target]), terms], f"g{k}_s",
                     reduction="add")
        Z = g.op("Concat", [Z, _activate(g, runs, s)], f"g{k}_z", axis=0)
    y = g.op("Transpose", [_rows(g, Z, row[plan.output_columns], index)], "outputs", perm=[1, 0])
    if plan.softmax:
        y = g.op("Softmax", [y], "softmax", axis=1)
    return y
