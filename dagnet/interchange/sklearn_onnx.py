"""skl2onnx converters for the estimators ``DAGNetClassifier`` and ``DAGNetRegressor``.

After :func:`register`, ``skl2onnx.to_onnx`` converts any scikit-learn
Pipeline that ends in (or contains) a dagnet estimator: the network is
written with the operators of :mod:`dagnet.interchange.onnx`, then

- the classifier's probabilities as ``predict_proba`` makes them (one
  output: [1 − ŷ, ŷ] with ŷ clipped to [0, 1]; several: the outputs clipped
  at 0 and scaled to sum to 1, a row of zeros uniform) and its label as
  ``classes_[argmax]`` (integer or string labels), followed by skl2onnx's
  usual ZipMap unless ``options={"zipmap": False}`` (``"nocl": True`` gives
  class indices instead of labels);
- the regressor's outputs, shape (N, n_targets).

The model computes in the type of its input: ``DoubleTensorType`` gives
float64 throughout (equal to ``predict_proba`` to about 1e-15; ZipMap,
which takes float32 only, gets the probabilities cast to float32),
``FloatTensorType`` float32. Needs the ``skl2onnx`` extra
(``pip install "dagnet[skl2onnx]"``) and opset 17 or later.

Examples
--------
>>> import numpy as np, pytest
>>> _ = pytest.importorskip("skl2onnx"); _ = pytest.importorskip("onnxruntime")
>>> from sklearn.pipeline import make_pipeline
>>> from sklearn.preprocessing import StandardScaler
>>> from dagnet import datasets
>>> from dagnet.sklearn import DAGNetClassifier
>>> X, y = datasets.load("moons", seed=0)
>>> pipe = make_pipeline(StandardScaler(), DAGNetClassifier(epochs=5, random_state=0)).fit(X, y.ravel())
>>> proto = convert(pipe, X, options={"zipmap": False})
>>> import onnxruntime as ort
>>> labels, proba = ort.InferenceSession(proto.SerializeToString()).run(None, {"X": X})
>>> bool(np.abs(proba - pipe.predict_proba(X)).max() < 1e-12), bool((labels == pipe.predict(X)).all())
(True, True)
"""
import numbers

import numpy as np

from . import InterchangeError, require
from .onnx import MIN_OPSET
from .onnx_graph import GraphBuilder, add_network

CLASSIFIER_ALIAS = "DagnetDAGNetClassifier"
REGRESSOR_ALIAS = "DagnetDAGNetRegressor"


def _estimators():
    require("sklearn", "the dagnet estimators")
    from ..sklearn import DAGNetClassifier, DAGNetRegressor
    return DAGNetClassifier, DAGNetRegressor


def _begin(scope, operator, container):
    """(builder, input name) for the operator's network, in the input's float type."""
    data_types = require("skl2onnx.common.data_types", "converting pipelines with skl2onnx")
    if container.target_opset is not None and container.target_opset < MIN_OPSET:
        raise InterchangeError(f"a dagnet network needs opset {MIN_OPSET} or later; skl2onnx was "
                               f"asked for {container.target_opset} (target_opset=)")
    x = operator.inputs[0]
    dtype = "float64" if isinstance(x.type, data_types.DoubleTensorType) else "float32"
    g = GraphBuilder(dtype, prefix=scope.get_unique_operator_name("dagnet") + "_")
    name = x.full_name
    if not isinstance(x.type, (data_types.DoubleTensorType, data_types.FloatTensorType)):
        name = g.op("Cast", [name], "x", to=g.helper.np_dtype_to_tensor_dtype(g.dtype))
    return g, name


def _emit(g, container, renames):
    """Move the builder's initialisers and ops into the skl2onnx container."""
    for tensor in g.initializers:
        container.add_initializer(tensor.name, tensor.data_type, list(tensor.dims), tensor)
    for op_type, inputs, out, attributes in g.ops:
        container.add_node(op_type, inputs, [renames.get(out, out)], name=out, **attributes)


def convert_classifier(scope, operator, container):
    """skl2onnx converter: label (N,) and probabilities (N, n_classes) of a fitted DAGNetClassifier."""
    estimator = operator.raw_operator
    classes = np.asarray(estimator.classes_)
    if scope.get_options(estimator, dict(nocl=False))["nocl"]:   # labels as class indices
        classes = np.arange(len(classes))
    g, x = _begin(scope, operator, container)
    y = add_network(estimator.network_, g, x)
    if len(estimator.network_.outputs) == 1:
        p = g.op("Clip", [y, g.scalar(0.0), g.scalar(1.0)])
        proba = g.op("Concat", [g.op("Sub", [g.scalar(1.0), p]), p], axis=1)
    else:
        P = g.op("Relu", [y])
        total = g.op("ReduceSum", [P, g.constant("axis", [1], np.int64)], keepdims=1)
        positive = g.op("Greater", [total, g.scalar(0.0)])
        scaled = g.op("Div", [P, g.op("Where", [positive, total, g.scalar(1.0)])])
        proba = g.op("Where", [positive, scaled, g.scalar(1.0 / len(estimator.network_.outputs))])
    index = g.op("ArgMax", [proba], axis=1, keepdims=0)
    if classes.dtype.kind in "OSU":
        table = g.fresh("classes")
        container.add_initializer(table, require("onnx", "ONNX export").TensorProto.STRING,
                                  [len(classes)], [str(c) for c in classes])
    else:
        if not all(float(c).is_integer() for c in classes if isinstance(c, numbers.Real)):
            raise InterchangeError(f"class labels must be integers or strings for ONNX, got "
                                   f"{classes.tolist()[:5]}")
        table = g.constant("classes", classes.astype(np.int64), np.int64)
    label = g.op("Gather", [table, index], "label", axis=0)
    declared = operator.outputs[1].type.to_onnx_type().tensor_type.elem_type
    if declared != g.helper.np_dtype_to_tensor_dtype(g.dtype):   # float for skl2onnx's ZipMap
        proba = g.op("Cast", [proba], "probabilities", to=declared)
    else:
        proba = g.op("Identity", [proba], "probabilities")
    _emit(g, container, {label: operator.outputs[0].full_name, proba: operator.outputs[1].full_name})


def convert_regressor(scope, operator, container):
    """skl2onnx converter: the outputs (N, n_targets) of a fitted DAGNetRegressor."""
    g, x = _begin(scope, operator, container)
    y = g.op("Identity", [add_network(operator.raw_operator.network_, g, x)], "variable")
    _emit(g, container, {y: operator.outputs[0].full_name})


def classifier_shapes(operator):
    """skl2onnx shape calculator: label (N,) int64 or string, probabilities (N, n_classes)."""
    shapes = require("skl2onnx.common.shape_calculator", "converting pipelines with skl2onnx")
    data_types = require("skl2onnx.common.data_types", "converting pipelines with skl2onnx")
    shapes.calculate_linear_classifier_output_shapes(operator)
    zipmap = operator.scope_inst.get_options(operator.raw_operator, dict(zipmap=True))["zipmap"]
    double = isinstance(operator.inputs[0].type, data_types.DoubleTensorType) and zipmap is False
    kind = data_types.DoubleTensorType if double else data_types.FloatTensorType   # ZipMap takes float
    operator.outputs[1].type = kind([operator.inputs[0].get_first_dimension(),
                                     len(operator.raw_operator.classes_)])


def regressor_shapes(operator):
    """skl2onnx shape calculator: outputs (N, n_targets) in the input's float type."""
    data_types = require("skl2onnx.common.data_types", "converting pipelines with skl2onnx")
    x = operator.inputs[0]
    kind = x.type.__class__ if isinstance(x.type, data_types.DoubleTensorType) else data_types.FloatTensorType
    operator.outputs[0].type = kind([x.get_first_dimension(), operator.raw_operator.n_outputs_])


def register():
    """Register both converters with skl2onnx (again is harmless); return the skl2onnx module."""
    skl2onnx = require("skl2onnx", "converting pipelines with skl2onnx")
    classifier, regressor = _estimators()
    skl2onnx.update_registered_converter(classifier, CLASSIFIER_ALIAS, classifier_shapes, convert_classifier,
                                         options={"zipmap": [True, False, "columns"], "nocl": [False, True]})
    skl2onnx.update_registered_converter(regressor, REGRESSOR_ALIAS, regressor_shapes, convert_regressor)
    return skl2onnx


def convert(model, X, dtype="float64", options=None, target_opset=None):
    """``skl2onnx.to_onnx`` of a fitted estimator or Pipeline, after :func:`register`.

    Parameters
    ----------
    model : fitted scikit-learn estimator or Pipeline
    X : array of shape (n_samples, n_features)
        A sample of the input (its width and the input name ``X``).
    dtype : {"float64", "float32"}
        The input type, and so the type the whole model computes in.
    options : dict or None
        Options of the final estimator, e.g. ``{"zipmap": False}``.
    target_opset : int or None
        Default: the newest skl2onnx supports (at least 17 is needed).

    Returns
    -------
    onnx.ModelProto
    """
    skl2onnx = register()
    if dtype not in ("float64", "float32"):
        raise ValueError(f"dtype must be float64 or float32, got {dtype!r}")
    data_types = require("skl2onnx.common.data_types", "converting pipelines with skl2onnx")
    kind = data_types.DoubleTensorType if dtype == "float64" else data_types.FloatTensorType
    X = np.asarray(X)
    final = model.steps[-1][1] if hasattr(model, "steps") else model
    opts = {id(final): options} if options else None
    return skl2onnx.convert_sklearn(model, initial_types=[("X", kind([None, X.shape[1]]))],
                                    options=opts, target_opset=target_opset)
