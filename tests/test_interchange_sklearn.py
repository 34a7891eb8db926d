"""skl2onnx converts Pipelines ending in DAGNetClassifier / DAGNetRegressor; onnxruntime agrees."""
import numpy as np
import pytest

from dagnet import datasets
from dagnet.interchange import InterchangeError

pytest.importorskip("sklearn", reason="the sklearn extra is not installed")
pytest.importorskip("skl2onnx", reason="the skl2onnx extra is not installed")
ort = pytest.importorskip("onnxruntime", reason="the onnx extra (onnxruntime) is not installed")
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402

from dagnet.interchange.sklearn_onnx import convert  # noqa: E402
from dagnet.sklearn import DAGNetClassifier, DAGNetRegressor  # noqa: E402


def run(proto, X, dtype=np.float64):
    session = ort.InferenceSession(proto.SerializeToString(), providers=["CPUExecutionProvider"])
    return session.run(None, {"X": np.asarray(X, dtype=dtype)})


@pytest.fixture(scope="module")
def blobs():
    X, y = datasets.load("blobs", classes=3, seed=0)
    return X, y.ravel()


def test_binary_pipeline_gives_predict_and_predict_proba():
    X, y = datasets.load("moons", seed=0)
    pipe = make_pipeline(StandardScaler(), DAGNetClassifier(epochs=5, random_state=0)).fit(X, y.ravel())
    labels, proba = run(convert(pipe, X, options={"zipmap": False}), X)
    np.testing.assert_allclose(proba, pipe.predict_proba(X), rtol=1e-12, atol=1e-12)
    np.testing.assert_array_equal(labels, pipe.predict(X))


def test_one_linear_output_is_clipped_as_predict_proba_does():
    X, y = datasets.load("moons", seed=0)
    topology = {"generate": "mlp", "sizes": [4], "loss": "mse", "output_activation": "linear"}
    clf = DAGNetClassifier(topology, epochs=5, random_state=0).fit(X, y.ravel())
    X_far = np.vstack([X, [[30.0, -30.0], [-30.0, 30.0], [30.0, 30.0]]])
    outputs = clf.network_.predict(X_far)
    assert outputs.min() < 0 and outputs.max() > 1                  # the clip has work to do
    labels, proba = run(convert(clf, X_far, options={"zipmap": False}), X_far)
    np.testing.assert_allclose(proba, clf.predict_proba(X_far), rtol=1e-12, atol=1e-12)
    np.testing.assert_array_equal(labels, clf.predict(X_far))


def test_multiclass_softmax_with_string_labels(blobs):
    X, y = blobs
    names = np.array(["red", "green", "blue"])[y.astype(int)]
    pipe = make_pipeline(StandardScaler(), DAGNetClassifier(epochs=5, random_state=0)).fit(X, names)
    assert pipe[-1].network_.plan.softmax
    labels, proba = run(convert(pipe, X, options={"zipmap": False}), X)
    np.testing.assert_allclose(proba, pipe.predict_proba(X), rtol=1e-12, atol=1e-12)
    np.testing.assert_array_equal(labels, pipe.predict(X))


def test_several_non_softmax_outputs_are_clipped_and_scaled_as_predict_proba_does(blobs):
    X, y = blobs
    topology = {"generate": "mlp", "sizes": [4], "loss": "mse", "output_activation": "linear"}
    clf = DAGNetClassifier(topology, epochs=3, random_state=1).fit(X, y)
    X_far = np.vstack([X, [[40.0, -40.0], [-40.0, 40.0]]])   # rows where outputs go negative
    labels, proba = run(convert(clf, X_far, options={"zipmap": False}), X_far)
    np.testing.assert_allclose(proba, clf.predict_proba(X_far), rtol=1e-12, atol=1e-12)
    np.testing.assert_array_equal(labels, clf.predict(X_far))


def test_zipmap_by_default_and_class_indices_with_nocl(blobs):
    X, y = blobs
    clf = DAGNetClassifier(epochs=2, random_state=0).fit(X, y + 10)
    labels, maps = run(convert(clf, X[:3]), X[:3])
    assert list(labels) == list(clf.predict(X[:3])) and set(maps[0]) == {10, 11, 12}
    labels, _ = run(convert(clf, X[:3], options={"zipmap": False, "nocl": True}), X[:3])
    assert list(labels) == list(np.argmax(clf.predict_proba(X[:3]), axis=1))


def test_regressor_pipeline_with_several_targets():
    X, y = datasets.load("sine", seed=0)
    Y = np.column_stack([y.ravel(), -2 * y.ravel()])
    pipe = make_pipeline(StandardScaler(), DAGNetRegressor(epochs=5, random_state=0)).fit(X, Y)
    (out,) = run(convert(pipe, X), X)
    np.testing.assert_allclose(out, pipe.predict(X), rtol=1e-12, atol=1e-12)


def test_float32_conversion(blobs):
    X, y = blobs
    pipe = make_pipeline(StandardScaler(), DAGNetClassifier(epochs=5, random_state=0)).fit(X, y)
    _, proba = run(convert(pipe, X, dtype="float32", options={"zipmap": False}), X, np.float32)
    assert proba.dtype == np.float32
    np.testing.assert_allclose(proba, pipe.predict_proba(X), rtol=1e-4, atol=1e-5)


def test_an_opset_below_17_is_refused(blobs):
    X, y = blobs
    clf = DAGNetClassifier(epochs=1, random_state=0).fit(X, y)
    with pytest.raises(InterchangeError, match="needs opset 17 or later"):
        convert(clf, X, target_opset=15)
