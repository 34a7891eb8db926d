"""Built-in data sets and CSV files."""
import numpy as np
import pytest

from dagnet import datasets


@pytest.mark.parametrize("name", datasets.names(published=False))
def test_every_data_set_is_seeded_shaped_and_finite(name):
    X, Y = datasets.load(name, seed=3)
    X2, Y2 = datasets.load(name, seed=3)
    info = datasets.info(name)
    assert X.tobytes() == X2.tobytes() and Y.tobytes() == Y2.tobytes()
    assert X.shape == (info["n_samples"], info["n_inputs"]) and Y.shape == (len(X), 1)
    assert np.isfinite(X).all() and np.isfinite(Y).all()
    if info["task"] == "classification":
        assert set(np.unique(Y)) == set(range(info["n_classes"]))


@pytest.mark.parametrize("name", ["linear", "moons", "circles", "spirals", "blobs", "sine"])
def test_a_different_seed_gives_different_points(name):
    assert not np.array_equal(datasets.load(name, seed=0)[0], datasets.load(name, seed=1)[0])


def test_truth_tables():
    X, _ = datasets.load("xor")
    for name, expected in [("xor", [0, 1, 1, 0]), ("and", [0, 0, 0, 1]), ("or", [0, 1, 1, 1])]:
        Xn, Y = datasets.load(name)
        assert np.array_equal(Xn, X) and Y.ravel().tolist() == expected
    X, Y = datasets.load("xor", n_samples=40, noise=0.05, seed=0)
    assert X.shape == (40, 2) and np.array_equal(Y.ravel(), np.logical_xor(*(X.round().T > 0.5)))


def test_linear_is_separable_and_nonlinear_is_not_by_that_line():
    X, Y = datasets.load("linear", n_samples=500)
    assert np.array_equal(Y.ravel(), X[:, 1] > 0.8 * X[:, 0] + 0.1)
    X, Y = datasets.load("nonlinear", n_samples=500)
    assert 0.2 < Y.mean() < 0.4
    inside = ((X - 0.5) ** 2).sum(axis=1) < 0.09
    assert np.array_equal(Y.ravel(), inside)


def test_blobs_with_k_classes_and_one_hot():
    X, Y = datasets.load("blobs", n_samples=100, classes=5, one_hot=True, seed=0)
    assert Y.shape == (100, 5) and np.array_equal(Y.sum(axis=1), np.ones(100))
    with pytest.raises(ValueError, match="classes must be a whole number >= 2"):
        datasets.load("blobs", classes=1)


def test_sine_is_regression():
    X, Y = datasets.load("sine", n_samples=30, seed=0)
    assert np.allclose(Y, np.sin(X))
    assert datasets.info("sine")["task"] == "regression"


def test_bad_names_and_arguments_are_clear():
    with pytest.raises(ValueError, match=r"unknown data set 'moon' \(did you mean 'moons'\?\); built-in: xor"):
        datasets.load("moon")
    with pytest.raises(ValueError, match="n_samples must be a whole number"):
        datasets.load("moons", n_samples=0)
    with pytest.raises(ValueError, match="noise must be a finite number"):
        datasets.load("moons", noise=-1)
    with pytest.raises(ValueError, match="unknown option 'classes'"):
        datasets.load("moons", classes=3)


def test_csv_round_trip_by_named_columns(tmp_path):
    X, Y = datasets.load("moons", n_samples=20, seed=0)
    path = tmp_path / "points.csv"
    datasets.save_csv(path, X, Y, inputs=["u", "v"], targets=["label"])
    X2, Y2 = datasets.load_csv(path, inputs=["u", "v"], targets=["label"])
    assert X2.tobytes() == X.tobytes() and Y2.tobytes() == Y.tobytes()
    X3, none = datasets.load_csv(path, inputs=["v"])
    assert none is None and np.array_equal(X3[:, 0], X[:, 1])


@pytest.mark.parametrize("text, message", [
    ("a,b\n1,2\n", "no column 'lable'"),
    ("a,b,label\n1,x,0\n", r"row 2, column 'b': 'x' is not a number"),
    ("a,b,label\n1,2\n", "row 2: 2 cells, the header has 3"),
    ("a,b,label\n1,nan,0\n", "is not finite"),
    ("a,b,label\n", "no data rows"),
    ("", "empty file"),
])
def test_bad_csv_files_name_the_row_and_column(tmp_path, text, message):
    path = tmp_path / "bad.csv"
    path.write_text(text)
    with pytest.raises(ValueError, match=message) as info:
        datasets.load_csv(path, inputs=["a", "b"], targets=["lable" if "lable" in message else "label"])
    assert str(path) in str(info.value)


def test_missing_csv_file_is_clear(tmp_path):
    with pytest.raises(ValueError, match="no such file"):
        datasets.load_csv(tmp_path / "nowhere.csv", inputs=["a"])


def test_derived_features_are_columns_named_by_their_formula_for_a_network_of_those_inputs():
    X, Y = datasets.load("circles", n_samples=200, seed=0)
    wide = datasets.features(X, ["x^2", "y^2", "xy", "sin(x)", "sin(y)"])
    x, y = X[:, 0], X[:, 1]
    np.testing.assert_array_equal(wide, np.column_stack([x, y, x * x, y * y, x * y, np.sin(x), np.sin(y)]))
    import dagnet
    net = dagnet.loads("inputs: [x, y, x^2, y^2]\noutputs: [out]\nloss: binary_cross_entropy\n"
                       "nodes: {out: {activation: sigmoid}}\nedges: [{from: [x, y, x^2, y^2], to: out}]\n", seed=0)
    net.fit(datasets.features(X, ["x^2", "y^2"]), Y, epochs=300, lr=0.5, batch_size=None)
    assert net.score(datasets.features(X, ["x^2", "y^2"]), Y) > 0.9    # one perceptron: a circle, not a line


def test_an_unknown_feature_or_too_few_columns_is_one_clear_error():
    with pytest.raises(ValueError, match=r"unknown feature 'x\^3' \(did you mean 'x\^2'\?\)"):
        datasets.features([[1.0, 2.0]], ["x^3"])
    with pytest.raises(ValueError, match="feature 'xy' needs x and y: two input columns, but there is 1"):
        datasets.features([[1.0], [2.0]], ["xy"])
