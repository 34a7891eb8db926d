"""Export a network to ONNX, and run ONNX files with onnxruntime to check them.

The model takes one input ``X`` (batch, n_inputs) and gives one output ``Y``
(batch, n_outputs), as :meth:`dagnet.Network.predict`; the node names of
their columns are in the model's metadata (``dagnet.inputs``,
``dagnet.outputs``, JSON) and in each tensor's doc string. How the network
becomes standard operators is in :mod:`dagnet.interchange.onnx_graph`.

Needs the ``onnx`` extra (``pip install "dagnet[onnx]"``: onnx, and
onnxruntime for :func:`run` and :func:`verify`).

Examples
--------
>>> import dagnet, os, tempfile, pytest
>>> _ = pytest.importorskip("onnxruntime")
>>> net = dagnet.load("topologies/xor_skip.yaml")
>>> path = write(net, os.path.join(tempfile.mkdtemp(), "xor.onnx"))
>>> run(path, [[0, 0], [0, 1], [1, 0], [1, 1]]).round(2).ravel()
array([0.01, 0.99, 0.99, 0.01])
"""
import json
import os

import numpy as np

from .. import __version__
from ..files import MAX_BYTES, atomic_write
from . import InterchangeError, require
from .onnx_graph import GraphBuilder, add_network

#: The opset written unless another is asked for: the lowest with ScatterND's ``reduction="add"``
#: and Shape's ``start``/``end`` that every onnxruntime since 1.13 runs.
DEFAULT_OPSET = 17
MIN_OPSET = 17

#: A single ONNX file is one protobuf message, which cannot exceed 2 GiB.
MAX_MODEL_BYTES = 2**31 - (1 << 20)

DTYPES = ("float64", "float32")


def _onnx():
    return require("onnx", "ONNX export")


def _check_options(dtype, opset):
    dtype = np.dtype(dtype).name
    if dtype not in DTYPES:
        raise ValueError(f"dtype must be one of {', '.join(DTYPES)}, got {dtype!r}")
    newest = _onnx().defs.onnx_opset_version()
    if not isinstance(opset, int) or not MIN_OPSET <= opset <= newest:
        raise ValueError(f"opset must be a whole number from {MIN_OPSET} to {newest} (the newest this "
                         f"onnx knows), got {opset!r}")
    return dtype


def _names_json(names):
    return json.dumps([n if isinstance(n, (str, int)) else repr(n) for n in names])


def model(net, dtype="float64", opset=DEFAULT_OPSET, input_name="X", output_name="Y"):
    """The network as an ``onnx.ModelProto``, checked by ``onnx.checker``.

    Parameters
    ----------
    net : dagnet.Network
    dtype : {"float64", "float32"}
        Type of the input, the output and every weight.
    opset : int
        ONNX opset of the default domain, at least 17.
    input_name, output_name : str
        Names of the input X of shape (batch, n_inputs) and output ŷ of
        shape (batch, n_outputs).

    Returns
    -------
    onnx.ModelProto

    Examples
    --------
    >>> import dagnet, pytest
    >>> _ = pytest.importorskip("onnx")
    >>> proto = model(dagnet.load("topologies/tutorial_2_5_1.yaml", seed=0), dtype="float32")
    >>> [i.name for i in proto.graph.input], [o.name for o in proto.graph.output]
    (['X'], ['Y'])
    """
    onnx = _onnx()
    dtype = _check_options(dtype, opset)
    itemsize = np.dtype(dtype).itemsize
    estimate = net.plan.n_params * itemsize + 12 * len(net.plan.edge_slot)
    if estimate > MAX_MODEL_BYTES:
        raise InterchangeError(f"the network's {net.plan.n_params:,} parameters need about "
                               f"{estimate / 2**30:.1f} GiB, over the 2 GiB an ONNX file can hold")
    g = GraphBuilder(dtype)
    y = add_network(net, g, input_name)
    nodes = g.node_protos() + [onnx.helper.make_node("Identity", [y], [output_name], name=output_name)]
    elem = onnx.helper.np_dtype_to_tensor_dtype(np.dtype(dtype))
    x_info = onnx.helper.make_tensor_value_info(input_name, elem, ["batch", len(net.inputs)])
    y_info = onnx.helper.make_tensor_value_info(output_name, elem, ["batch", len(net.outputs)])
    x_info.doc_string = "columns: " + ", ".join(map(str, net.inputs))
    y_info.doc_string = "columns: " + ", ".join(map(str, net.outputs))
    graph = onnx.helper.make_graph(nodes, net.name or "dagnet", [x_info], [y_info],
                                   initializer=g.initializers,
                                   doc_string=net.graph.graph.get("description") or "")
    proto = onnx.helper.make_model(graph, opset_imports=[onnx.helper.make_opsetid("", opset)],
                                   producer_name="dagnet", producer_version=__version__)
    onnx.helper.set_model_props(proto, {"dagnet.inputs": _names_json(net.inputs),
                                        "dagnet.outputs": _names_json(net.outputs),
                                        "dagnet.loss": net.loss})
    onnx.checker.check_model(proto)
    return proto


def write(net, path, dtype="float64", opset=DEFAULT_OPSET, input_name="X", output_name="Y"):
    """Write :func:`model` to ``path`` atomically; return ``path``.

    Examples
    --------
    >>> import dagnet, os, tempfile, pytest
    >>> _ = pytest.importorskip("onnx")
    >>> net = dagnet.load("topologies/xor_2_2_1.yaml", seed=0)
    >>> os.path.getsize(write(net, os.path.join(tempfile.mkdtemp(), "xor.onnx"))) < 2000
    True
    """
    data = model(net, dtype, opset, input_name, output_name).SerializeToString()
    atomic_write(path, lambda f: f.write(data), mode="wb")
    return path


# -- reading back, for checks ---------------------------------------------------------------------

def _read_model_bytes(path):
    path = os.fspath(path)
    try:
        size = os.path.getsize(path)
        if size > MAX_BYTES:
            raise InterchangeError(f"is {size / 2**20:.1f} MiB, over the {MAX_BYTES >> 20} MiB limit "
                                   f"(dagnet.files.MAX_BYTES)", source=path)
        with open(path, "rb") as f:
            return f.read()
    except FileNotFoundError:
        raise InterchangeError("no such file", source=path) from None
    except IsADirectoryError:
        raise InterchangeError("is a directory, not an ONNX file", source=path) from None


def session(path):
    """An onnxruntime ``InferenceSession`` (CPU) for the ONNX file ``path``, or one clear error."""
    ort = require("onnxruntime", "running ONNX models")
    onnx = _onnx()
    data = _read_model_bytes(path)
    try:
        onnx.checker.check_model(onnx.load_from_string(data))
    except Exception as err:   # protobuf's DecodeError, onnx's ValidationError
        reason = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        raise InterchangeError(f"not a valid ONNX model ({reason})", source=os.fspath(path)) from None
    try:
        return ort.InferenceSession(data, providers=["CPUExecutionProvider"])
    except Exception as err:
        raise InterchangeError(f"onnxruntime cannot run it ({str(err).strip().splitlines()[0]})",
                               source=os.fspath(path)) from None


def run(path, X):
    """Outputs of the ONNX model in ``path`` for ``X`` of shape (n_samples, n_inputs), by onnxruntime.

    ``X`` is converted to the model's input type; the result is
    (n_samples, n_outputs) in that type.
    """
    sess = session(path)
    x = sess.get_inputs()[0]
    dtype = np.float32 if x.type == "tensor(float)" else np.float64
    X = np.atleast_2d(np.asarray(X, dtype=dtype))
    return sess.run(None, {x.name: X})[0]


def verify(net, path, n_samples=64, seed=0):
    """Largest |ŷ_onnx − ŷ_dagnet| over ``n_samples`` standard-normal inputs (onnxruntime runs ``path``).

    Examples
    --------
    >>> import dagnet, os, tempfile, pytest
    >>> _ = pytest.importorskip("onnxruntime")
    >>> net = dagnet.load("topologies/deep_skip.yaml", seed=0)
    >>> verify(net, write(net, os.path.join(tempfile.mkdtemp(), "net.onnx"))) < 1e-12
    True
    """
    X = np.random.default_rng(seed).normal(size=(n_samples, len(net.inputs)))
    Y = run(path, X)
    expected = net.predict(X)
    if Y.shape != expected.shape:
        raise InterchangeError(f"gives outputs of shape {Y.shape}; the network gives {expected.shape}",
                               source=os.fspath(path))
    return float(np.max(np.abs(Y.astype(np.float64) - expected))) if Y.size else 0.0
