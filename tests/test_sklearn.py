"""dagnet.sklearn: the estimators pass scikit-learn's checks and work in its tools."""
import os
import pathlib
import pickle
import re
import subprocess
import sys

import networkx as nx
import numpy as np
import pytest

pytest.importorskip("sklearn")

from sklearn.model_selection import GridSearchCV, cross_val_score  # noqa: E402
from sklearn.pipeline import Pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402
from sklearn.utils.estimator_checks import parametrize_with_checks  # noqa: E402

import dagnet  # noqa: E402
from dagnet import datasets, generate  # noqa: E402
from dagnet.sklearn import DAGNetClassifier, DAGNetRegressor  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TUTORIAL = os.path.join(ROOT, "topologies", "tutorial_2_5_1.yaml")   # 2 in, 1 sigmoid out, sse
CE_2 = os.path.join(ROOT, "topologies", "mlp_one_hidden_ce.yaml")    # 2 in, 2 softmax outs


@pytest.fixture(scope="module")
def moons():
    X, y = datasets.load("moons", seed=0)
    return X, y.ravel().astype(int)


@pytest.fixture(scope="module")
def blobs():
    X, y = datasets.load("blobs", seed=0, classes=3)
    return X, y.ravel().astype(int)


# -- scikit-learn's own checks -----------------------------------------------------------

def _in_a_process_with_array_api(check, estimator):
    """Run ``check`` (a partial of a public check) on ``estimator`` in a Python with SCIPY_ARRAY_API=1.

    SciPy reads the variable once, when it is first imported, so it cannot be set in this process.
    """
    code = (f"from sklearn.utils.estimator_checks import {check.func.__name__} as check\n"
            f"from dagnet.sklearn import {type(estimator).__name__} as Estimator\n"
            f"check(*{check.args!r}, Estimator(**{estimator.get_params(deep=False)!r}), **{check.keywords!r})\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT,
                          env={**os.environ, "SCIPY_ARRAY_API": "1"}, timeout=300)
    assert done.returncode == 0, done.stderr


@pytest.mark.slow
@parametrize_with_checks([DAGNetClassifier(), DAGNetRegressor()])
def test_sklearn_estimator_checks(estimator, check):
    name = getattr(check, "func", check).__name__
    if name == "check_array_api_input" and not os.environ.get("SCIPY_ARRAY_API"):
        _in_a_process_with_array_api(check, estimator)
    else:
        check(estimator)


def test_docs_state_how_many_checks_run():
    """docs/sklearn.md gives the number of scikit-learn's checks for the version it names."""
    import sklearn
    text = open(os.path.join(ROOT, "docs", "sklearn.md"), encoding="utf-8").read()
    version, classifier, regressor = re.search(
        r"With scikit-learn (\S+) both estimators pass every check .*? \((\d+) for the\s+classifier, "
        r"(\d+) for the regressor\)", text, re.S).groups()
    if version != sklearn.__version__:
        pytest.skip(f"docs/sklearn.md counts the checks of scikit-learn {version}, "
                    f"not {sklearn.__version__}")
    from sklearn.utils.estimator_checks import estimator_checks_generator
    counted = [sum(1 for _ in estimator_checks_generator(e, legacy=True))
               for e in (DAGNetClassifier(), DAGNetRegressor())]
    assert counted == [int(classifier), int(regressor)]


# -- the optional dependency -------------------------------------------------------------

def _python(code):
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)


@pytest.mark.slow
def test_import_dagnet_never_imports_sklearn():
    run = _python("import sys, dagnet, dagnet.generate, dagnet.io\n"
                  "print(sorted(m for m in sys.modules if m.split('.')[0] == 'sklearn'))")
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "[]"


@pytest.mark.slow
def test_without_sklearn_the_import_fails_with_one_line():
    run = _python("import sys; sys.modules['sklearn'] = None\n"   # as if not installed
                  "try:\n    import dagnet.sklearn\n"
                  "except ImportError as err:\n    print(type(err).__name__ + ': ' + str(err))")
    assert run.returncode == 0, run.stderr
    assert run.stdout == ("ImportError: dagnet.sklearn needs scikit-learn: "
                          "pip install 'dagnet[sklearn]'\n")


# -- classes and output nodes ------------------------------------------------------------

@pytest.mark.parametrize("names", [["blue", "red"], [-1, 7], [0.0, 3.0]])
def test_binary_labels_of_any_type_map_onto_one_output(moons, names):
    X, y = moons
    labels = np.array(names)[y]
    clf = DAGNetClassifier(random_state=0).fit(X, labels)
    assert len(clf.network_.outputs) == 1 and clf.network_.loss == "binary_cross_entropy"
    assert list(clf.classes_) == names and clf.classes_.dtype == labels.dtype
    P = clf.predict_proba(X)
    y_hat = clf.network_.predict(X)[:, 0]
    np.testing.assert_allclose(P[:, 1], y_hat)                     # ŷ = P(classes_[1])
    np.testing.assert_allclose(P.sum(axis=1), 1.0)
    expected = np.where(y_hat > 0.5, names[1], names[0]).astype(labels.dtype)
    assert np.array_equal(clf.predict(X), expected)
    assert clf.score(X, labels) > 0.9


def test_k_classes_map_onto_k_softmax_outputs(blobs):
    X, y = blobs
    labels = np.array(["c", "a", "b"])[y]                             # classes_ = a, b, c
    clf = DAGNetClassifier(random_state=0).fit(X, labels)
    net = clf.network_
    assert len(net.outputs) == 3 and net.loss == "cross_entropy"
    assert list(clf.classes_) == ["a", "b", "c"]
    P = clf.predict_proba(X)
    assert P.shape == (len(X), 3)
    np.testing.assert_allclose(P.sum(axis=1), 1.0)
    np.testing.assert_allclose(P, net.predict(X), atol=1e-12)          # output j is classes_[j]
    assert np.array_equal(clf.predict(X), clf.classes_[P.argmax(axis=1)])
    assert clf.score(X, labels) > 0.9


def test_two_classes_on_two_softmax_outputs_from_a_file(moons):
    X, y = moons
    clf = DAGNetClassifier(CE_2, epochs=100, lr=0.05, random_state=0).fit(X, y)
    assert clf.network_.outputs == ["y.0", "y.1"]
    np.testing.assert_allclose(clf.predict_proba(X), clf.network_.predict(X), atol=1e-12)
    assert clf.score(X, y) > 0.85


def test_squared_error_outputs_still_give_probabilities(blobs, moons):
    X, y = blobs     # three linear outputs with mse: clipped at 0, rows scaled to sum to 1
    clf = DAGNetClassifier({"generate": "mlp", "loss": "mse"}, random_state=0).fit(X, y)
    assert clf.network_.loss == "mse"
    P = clf.predict_proba(X)
    assert (P >= 0).all() and np.allclose(P.sum(axis=1), 1.0)
    X, y = moons     # the tutorial's one sigmoid output with sse
    clf = DAGNetClassifier(TUTORIAL, epochs=30, lr=0.5, batch_size=1, optimizer="sgd",
                           random_state=0).fit(X, y)
    P = clf.predict_proba(X)
    assert ((0 <= P) & (P <= 1)).all() and np.allclose(P.sum(axis=1), 1.0)
    assert clf.score(X, y) > 0.85


def test_output_count_that_does_not_fit_the_classes_names_both(blobs, moons):
    X, y = blobs
    with pytest.raises(ValueError, match=r"3 classes but the network has one output"):
        DAGNetClassifier({"generate": "mlp", "outputs": 1}).fit(X, y)
    with pytest.raises(ValueError, match=r"3 classes but the network has 2 outputs"):
        DAGNetClassifier(CE_2).fit(X, y)
    with pytest.raises(ValueError, match=r"y has 1 class"):
        DAGNetClassifier().fit(X, np.zeros(len(X)))


def test_input_count_that_does_not_fit_the_features_names_both(moons):
    X, y = moons
    X3 = np.column_stack([X, X[:, 0]])
    with pytest.raises(ValueError, match=r"topology has 2 inputs \['in_x', 'in_y'\] but X "
                                         r"has 3 features"):
        DAGNetClassifier(TUTORIAL).fit(X3, y)
    with pytest.raises(ValueError, match=r"topology has 2 inputs .* but X has 3 features"):
        DAGNetRegressor(TUTORIAL).fit(X3, X[:, 0])


# -- every form of topology ------------------------------------------------------------------

TUTORIAL_TEXT = open(TUTORIAL, encoding="utf-8").read()


@pytest.mark.parametrize("form", ["path", "pathlib", "yaml", "graph", "network"])
def test_every_form_of_a_fixed_topology_trains_the_same_network(moons, form):
    X, y = moons
    topology = {"path": TUTORIAL, "pathlib": pathlib.Path(TUTORIAL), "yaml": TUTORIAL_TEXT,
                "graph": dagnet.load(TUTORIAL, seed=0).graph,
                "network": dagnet.load(TUTORIAL, seed=0)}[form]
    before = topology.params.copy() if form == "network" else None
    clf = DAGNetClassifier(topology, epochs=5, lr=0.5, optimizer="sgd", random_state=0).fit(X, y)
    net = dagnet.load(TUTORIAL, seed=0)
    net.fit(X, y, epochs=5, lr=0.5, batch_size=32, optimizer="sgd", seed=0, verbose=False)
    np.testing.assert_array_equal(clf.network_.params, net.params)
    if form == "network":
        np.testing.assert_array_equal(topology.params, before)   # the caller's network: untouched
        assert clf.network_ is not topology


def test_random_state_is_fits_seed_bit_for_bit(moons):
    X, y = moons
    options = dict(epochs=15, lr=0.5, batch_size=1, optimizer="momentum")
    clf = DAGNetClassifier(TUTORIAL, random_state=7, optimizer_params={"momentum": 0.5},
                           **options).fit(X, y)
    net = dagnet.load(TUTORIAL, seed=7)
    history = net.fit(X, y, seed=7, verbose=False, momentum=0.5, **options)
    np.testing.assert_array_equal(clf.network_.params, net.params)
    assert clf.loss_curve_ == history.loss and clf.n_iter_ == 15
    again = DAGNetClassifier(TUTORIAL, random_state=np.random.RandomState(0), **options).fit(X, y)
    assert again.n_iter_ == 15
    with pytest.raises(ValueError, match="random_state must be"):
        DAGNetClassifier(random_state="zero").fit(X, y)


@pytest.mark.parametrize("kind", sorted(generate.GENERATORS))
def test_every_generator_kind_sizes_itself_from_the_data(blobs, kind):
    X, y = blobs
    clf = DAGNetClassifier(kind, epochs=2, random_state=0).fit(X, y)
    net = clf.network_
    assert len(net.inputs) == X.shape[1] and len(net.outputs) == 3
    reg = DAGNetRegressor(kind, epochs=2, random_state=0).fit(X, np.column_stack([X, X[:, 0]]))
    assert len(reg.network_.outputs) == 3 and reg.network_.loss == "mse"
    assert reg.predict(X).shape == (len(X), 3)


def test_a_generator_spec_is_read_not_changed(moons):
    X, y = moons
    spec = {"generate": "dense", "sizes": [4, 3], "activations": "relu"}
    clf = DAGNetClassifier(spec, epochs=3, random_state=0).fit(X, y)
    assert spec == {"generate": "dense", "sizes": [4, 3], "activations": "relu"}
    G = generate.graph("dense", sizes=[4, 3], activations="relu", inputs=2, outputs=1)
    assert clf.network_.n_params == dagnet.Network.from_graph(G).n_params


def test_bad_topologies_fail_with_a_clear_message(moons):
    X, y = moons
    with pytest.raises(ValueError, match=r"'mpl' is not a file, YAML text or generator kind "
                                         r"\(did you mean 'mlp'\?\)"):
        DAGNetClassifier("mpl").fit(X, y)
    with pytest.raises(ValueError, match="generator spec like"):
        DAGNetClassifier({"sizes": [8]}).fit(X, y)
    with pytest.raises(ValueError, match="mlp has no parameter 'size'"):
        DAGNetClassifier({"generate": "mlp", "size": [8]}).fit(X, y)
    with pytest.raises(ValueError, match="topology must be"):
        DAGNetClassifier(42).fit(X, y)
    with pytest.raises(dagnet.TopologyError, match="no such file"):
        DAGNetClassifier(os.path.join(ROOT, "topologies", "missing.yaml")).fit(X, y)


def test_init_names_the_weight_scheme(moons):
    X, y = moons
    zero = DAGNetClassifier({"generate": "mlp"}, init="zeros", epochs=0, random_state=0).fit(X, y)
    net = zero.network_
    assert all(net.weight(u, v) == 0 for u, v in net.graph.edges)
    drawn = DAGNetClassifier(dagnet.load(TUTORIAL, seed=0), init="he_normal", epochs=0,
                             random_state=0).fit(X, y)
    assert not np.array_equal(drawn.network_.params, dagnet.load(TUTORIAL, seed=0).params)


# -- training options pass through ---------------------------------------------------------

def test_engine_reaches_the_network(moons):
    X, y = moons
    fits = {engine: DAGNetClassifier(engine=engine, epochs=3, random_state=0).fit(X, y)
            for engine in ("compiled", "reference")}
    assert fits["reference"].network_.engine == "reference"
    np.testing.assert_allclose(fits["reference"].predict_proba(X),
                               fits["compiled"].predict_proba(X), atol=1e-10)
    with pytest.raises(ValueError, match="unknown engine"):
        DAGNetClassifier(engine="fast").fit(X, y)


def test_validation_split_and_patience_reach_fit(moons):
    X, y = moons
    clf = DAGNetClassifier(epochs=500, lr=0.05, validation_split=0.25, patience=5,
                           random_state=0).fit(X, y)
    history = clf.history_
    assert len(history.val_loss) == history.epochs == clf.n_iter_ < 500
    assert history.stopped_early and clf.loss_curve_ == history.loss


def test_bad_training_options_fail_in_fit_not_in_init(moons):
    X, y = moons
    clf = DAGNetClassifier(epochs=-1, optimizer="adma")      # stored as given
    assert clf.get_params()["epochs"] == -1
    with pytest.raises(ValueError, match="epochs must be"):
        clf.set_params(optimizer="adam").fit(X, y)
    with pytest.raises(ValueError, match="did you mean 'adam'"):
        DAGNetClassifier(optimizer="adma").fit(X, y)
    with pytest.raises(ValueError, match="takes no parameter 'momentun'"):
        DAGNetClassifier(optimizer="momentum", optimizer_params={"momentun": 0.5}).fit(X, y)
    assert DAGNetClassifier(epochs=np.int64(3)).fit(X, y).n_iter_ == 3   # as from np.arange grids


# -- the regressor -----------------------------------------------------------------------------

def test_regressor_keeps_the_shape_of_y():
    X, y = datasets.load("sine", seed=0)
    reg = DAGNetRegressor({"generate": "mlp", "sizes": [16]}, lr=0.01, random_state=0)
    assert reg.fit(X, y.ravel()).predict(X).shape == (len(X),)
    assert reg.score(X, y.ravel()) > 0.9 and reg.n_outputs_ == 1
    assert reg.network_.loss == "mse"
    assert reg.fit(X, y).predict(X).shape == (len(X), 1)
    Y2 = np.column_stack([y.ravel(), -y.ravel()])
    assert reg.fit(X, Y2).predict(X).shape == (len(X), 2) and reg.n_outputs_ == 2
    with pytest.raises(ValueError, match=r"topology has 1 output but y has 2 targets"):
        DAGNetRegressor({"generate": "mlp", "outputs": 1}).fit(X, Y2)


# -- scikit-learn's tools ------------------------------------------------------------------------

def test_pipeline_with_scaler(moons):
    X, y = moons
    X = X * [100.0, 0.01] + [5000.0, -3.0]                       # far from unit scale
    pipe = Pipeline([("scale", StandardScaler()), ("net", DAGNetClassifier(random_state=0))])
    assert pipe.fit(X, y).score(X, y) > 0.95
    assert pipe.predict_proba(X).shape == (len(X), 2)
    assert pipe.named_steps["net"].n_features_in_ == 2


@pytest.mark.slow
def test_cross_val_score(blobs):
    X, y = blobs
    scores = cross_val_score(DAGNetClassifier(random_state=0), X, y, cv=3)
    assert scores.shape == (3,) and scores.min() > 0.85


@pytest.mark.slow
def test_grid_search_over_topologies_and_options(moons):
    X, y = moons
    grid = {"net__topology": ["mlp", {"generate": "cascade", "n_hidden": 2}, TUTORIAL],
            "net__lr": [0.01, 0.05], "net__epochs": np.arange(40, 61, 20)}
    pipe = Pipeline([("scale", StandardScaler()), ("net", DAGNetClassifier(random_state=0))])
    search = GridSearchCV(pipe, grid, cv=3).fit(X, y)
    assert len(search.cv_results_["params"]) == 12
    assert search.best_score_ > 0.85
    assert search.best_estimator_.score(X, y) > 0.85


def test_pickled_estimator_predicts_the_same(blobs):
    X, y = blobs
    clf = DAGNetClassifier(random_state=0, epochs=20).fit(X, y)
    twin = pickle.loads(pickle.dumps(clf))
    np.testing.assert_array_equal(twin.predict_proba(X), clf.predict_proba(X))


def _sklearn_mlp_as_network(sk):
    """The dagnet network holding a fitted MLPClassifier's (2-k-1, tanh, logistic) weights."""
    G = nx.DiGraph(inputs=["x0", "x1"], outputs=["y"], loss="binary_cross_entropy")
    k = sk.coefs_[0].shape[1]
    for j in range(k):
        G.add_node(f"h{j}", activation="tanh", bias=float(sk.intercepts_[0][j]))
        for i in range(2):
            G.add_edge(f"x{i}", f"h{j}", weight=float(sk.coefs_[0][i, j]))
        G.add_edge(f"h{j}", "y", weight=float(sk.coefs_[1][j, 0]))
    G.add_node("y", activation="sigmoid", bias=float(sk.intercepts_[1][0]))
    return dagnet.Network.from_graph(G)


def test_partial_fit_with_alpha_follows_scikit_learns_sgd_step_for_step(moons):
    """alpha is scikit-learn's (α/2n)‖W‖² on the weights of each batch; log loss is dagnet's BCE."""
    from sklearn.neural_network import MLPClassifier
    X, y = moons
    sk = MLPClassifier(hidden_layer_sizes=(4,), activation="tanh", solver="sgd", alpha=0.05,
                       batch_size=16, learning_rate_init=0.2, momentum=0.0, shuffle=False,
                       random_state=0)
    sk.partial_fit(X, y, classes=[0, 1])         # scikit-learn draws the start; dagnet takes it
    ours = DAGNetClassifier(_sklearn_mlp_as_network(sk), optimizer="sgd", lr=0.2, batch_size=16,
                            alpha=0.05, shuffle=False, tol=None)
    for call in range(4):
        sk.partial_fit(X, y)
        ours.partial_fit(X, y, classes=[0, 1] if call == 0 else None)
    back = _sklearn_mlp_as_network(sk)
    np.testing.assert_allclose(ours.network_.params, back.params, rtol=1e-12, atol=1e-14)
    assert ours.n_iter_ == 4


def test_tol_and_n_iter_no_change_stop_as_scikit_learn_counts(moons):
    X, y = moons
    clf = DAGNetClassifier(epochs=100, tol=10.0, n_iter_no_change=3, random_state=0).fit(X, y)
    assert clf.n_iter_ == 5           # epochs 2-5 do not improve by 10: stop once 3 are exceeded
    assert DAGNetClassifier(epochs=7, tol=None, random_state=0).fit(X, y).n_iter_ == 7


def test_warm_start_goes_on_from_the_fitted_network(moons):
    X, y = moons
    clf = DAGNetClassifier(epochs=3, tol=None, warm_start=True, random_state=0).fit(X, y)
    first = clf.network_.params.copy()
    clf.fit(X, y)
    assert clf.n_iter_ == 6 and not np.array_equal(first, clf.network_.params)
    cold = DAGNetClassifier(epochs=3, tol=None, random_state=0).fit(X, y).fit(X, y)
    np.testing.assert_array_equal(cold.network_.params, first)    # without warm_start: anew


def test_sample_weight_of_two_equals_the_sample_twice(moons):
    X, y = moons
    w = np.ones(len(y))
    w[:10] = 2.0
    a = DAGNetRegressor(epochs=3, batch_size=None, tol=None, random_state=0, optimizer="sgd")
    b = DAGNetRegressor(epochs=3, batch_size=None, tol=None, random_state=0, optimizer="sgd")
    a.fit(X, y, sample_weight=w)
    b.fit(np.vstack([X, X[:10]]), np.r_[y, y[:10]])
    np.testing.assert_allclose(a.network_.params, b.network_.params, rtol=1e-12, atol=1e-14)


def test_half_the_weights_zero_train_on_the_other_half(moons):
    X, y = moons
    w = np.tile([0.0, 1.0], len(y) // 2)
    a = DAGNetRegressor(epochs=3, batch_size=1, tol=None, random_state=0).fit(X, y, sample_weight=w)
    b = DAGNetRegressor(epochs=3, batch_size=1, tol=None, random_state=0).fit(X[1::2], y[1::2])
    np.testing.assert_allclose(a.network_.params, b.network_.params, rtol=1e-12, atol=1e-14)


def test_learning_rate_schedules_and_bad_options(moons):
    X, y = moons
    clf = DAGNetClassifier(epochs=4, optimizer="sgd", lr=0.5, learning_rate="invscaling", tol=None,
                           batch_size=50, random_state=0).fit(X, y)
    assert clf.optimizer_.lr == pytest.approx(0.5 / (4 * len(y) + 1) ** 0.5)
    with pytest.raises(ValueError, match="learning_rate must be one of constant, invscaling, adaptive"):
        DAGNetClassifier(learning_rate="optimal").fit(X, y)
    with pytest.raises(ValueError, match="give alpha .* or weight_decay .*, not both"):
        DAGNetClassifier(alpha=0.1, weight_decay=0.1).fit(X, y)
    with pytest.raises(ValueError, match="the first partial_fit needs classes="):
        DAGNetClassifier().partial_fit(X, y)
