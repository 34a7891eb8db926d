"""The native kernel against the numpy engine, central differences and itself (threads, runs, epochs)."""
import pickle
import warnings

import networkx as nx
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import ALL, SMOOTH, dags, data_for

import dagnet
from dagnet import native
from dagnet.gradient_check import gradcheck
from dagnet.optimizers import make_optimizer

pytestmark = pytest.mark.skipif(not native.available(), reason="the native kernel is not built")


def close(a, b, rtol=1e-12):
    """|a − b| <= rtol · max(1, |b|), elementwise."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return np.all(np.abs(a - b) <= rtol * np.maximum(1.0, np.abs(b)))


def pair(case, engine="native"):
    G, inputs, outputs, loss, seed = case
    return (dagnet.Network.from_graph(G, inputs, outputs, loss=loss, seed=seed, engine=engine),
            dagnet.Network.from_graph(G, inputs, outputs, loss=loss, seed=seed, engine="numpy"))


def assert_agree(fast, slow, X, Y, rtol=1e-12):
    t_fast, t_slow = fast.forward(X), slow.forward(X)
    assert close(t_fast.S, t_slow.S, rtol) and close(t_fast.Z, t_slow.Z, rtol)
    e_fast, g_fast = fast.gradients(X, Y)
    e_slow, g_slow = slow.gradients(X, Y)
    assert close(e_fast, e_slow, rtol)
    assert close(g_fast.vector, g_slow.vector, rtol)
    assert close(g_fast.delta.matrix, g_slow.delta.matrix, rtol)
    # the fused training pass gives the very same numbers as forward + backward
    E, grad = fast.runner.train_gradient(fast.params, X, fast.targets(Y))
    assert E == e_fast and np.array_equal(grad, g_fast.vector)


@given(dags(activations=ALL), st.sampled_from([1, 7, 256]))
def test_native_agrees_with_the_numpy_engine_on_random_dags(case, n):
    fast, slow = pair(case)
    X, Y = data_for(fast, case[4], n=n)
    assert_agree(fast, slow, X, Y)


@pytest.mark.parametrize("fill", [0.0, 1.01], ids=["all-dense", "all-sparse"])
@settings(max_examples=30, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(case=dags(activations=ALL), fixed=st.floats(0.0, 0.5), data=st.data())
def test_native_agrees_with_dense_or_sparse_steps_and_fixed_weights(monkeypatch, fill, case, fixed, data):
    from dagnet import plan
    monkeypatch.setattr(plan, "DENSE_MIN_FILL", fill)
    G = case[0]
    rng = np.random.default_rng(data.draw(st.integers(0, 2**31)))
    for u, v in G.edges:
        if rng.random() < fixed:
            G.edges[u, v]["trainable"] = False
    fast, slow = pair(case)
    X, Y = data_for(fast, case[4], n=data.draw(st.sampled_from([1, 7, 33])))
    assert_agree(fast, slow, X, Y)
    _, grads = fast.gradients(X, Y)
    assert all(grads.weight[e] == 0.0 for e in G.edges if G.edges[e].get("trainable", True) is False)


@pytest.mark.parametrize("tile_bytes", [1, 1 << 30], ids=["tiles-of-8", "tiles-of-32"])
@pytest.mark.parametrize("n", [1, 7, 37, 256])
def test_tiles_that_do_not_divide_the_batch(monkeypatch, tile_bytes, n):
    """Tiles of 8 or 32 samples over batches of 1, 7, 37, 256: the padding never counts."""
    from dagnet.native import spec
    monkeypatch.setattr(spec, "TILE_BYTES", tile_bytes)
    G = nx.DiGraph([(f"x{i}", f"h{j}") for i in range(3) for j in range(6)]
                   + [(f"h{j}", f"o{k}") for j in range(6) for k in range(3)]
                   + [(f"x{i}", f"o{k}") for i in range(3) for k in range(3)])
    for j in range(6):
        G.add_node(f"h{j}", activation=["tanh", "sigmoid", "relu", "elu", "swish", "sin"][j])
    for k in range(3):
        G.add_node(f"o{k}", activation="softmax")
    case = (G, ["x0", "x1", "x2"], ["o0", "o1", "o2"], "cross_entropy", 3)
    fast, slow = pair(case)
    rng = np.random.default_rng(n)
    X, Y = rng.normal(size=(n, 3)), rng.integers(0, 3, n)
    assert_agree(fast, slow, X, Y)


def w3_like(seed=0, n_hidden=300, batch=256):
    rng = np.random.default_rng(seed)
    G = nx.DiGraph()
    names = [f"x{i}" for i in range(8)]
    for k in range(n_hidden):
        node = f"h{k}"
        for i in rng.choice(len(names), size=min(6, len(names)), replace=False):
            G.add_edge(names[i], node)
        G.nodes[node]["activation"] = "tanh"
        names.append(node)
    for o in range(3):
        for i in rng.choice(range(8, len(names)), size=40, replace=False):
            G.add_edge(names[i], f"y{o}")
        G.nodes[f"y{o}"]["activation"] = "linear"
    outputs = [f"y{o}" for o in range(3)]
    for node in list(G):   # every perceptron must reach an output
        if node.startswith("h") and not any(nx.has_path(G, node, o) for o in outputs):
            G.add_edge(node, "y0")
    G.graph.update(inputs=[f"x{i}" for i in range(8)], outputs=outputs, loss="mse")
    return G, rng.normal(size=(batch, 8)), rng.normal(size=(batch, 3))


def test_results_are_bit_identical_across_runs_and_thread_counts():
    G, X, Y = w3_like(n_hidden=1500)   # big enough that the kernel does use 3 threads (see kernel.c)
    net = dagnet.Network.from_graph(G, seed=0, engine="native")
    results = []
    for threads in (1, 2, 3, 4, 1, 2):
        net.runner.threads = threads
        E, grad = net.runner.train_gradient(net.params, X, Y)
        results.append((E, grad.copy()))
    for E, grad in results[1:]:
        assert E == results[0][0] and np.array_equal(grad, results[0][1])
    assert close(results[0][1], dagnet.Network.from_graph(G, seed=0, engine="numpy").gradients(X, Y)[1].vector)


@settings(max_examples=25)
@given(dags())
def test_native_backprop_matches_central_differences(case):
    G, inputs, outputs, loss, seed = case
    net = dagnet.Network.from_graph(G, inputs, outputs, loss=loss, seed=seed, engine="native")
    X, Y = data_for(net, seed)
    error = gradcheck(net, X, Y, tolerance=1e-6).max_rel_error
    if error > 1e-6:   # a case hard for the finite differences themselves: no worse than numpy there
        net.engine = "numpy"
        assert error <= 2 * gradcheck(net, X, Y).max_rel_error


@settings(max_examples=25)
@given(dags(activations=SMOOTH))
def test_float32_gradients_agree_with_float64_to_about_1e_5(case):
    fast, _ = pair(case, engine="float32")
    exact, _ = pair(case)
    X, Y = data_for(fast, case[4], n=16)
    e32, g32 = fast.gradients(X, Y)
    e64, g64 = exact.gradients(X, Y)
    scale = max(1.0, np.abs(g64.vector).max())
    assert abs(e32 - e64) <= 1e-5 * max(1.0, abs(e64))
    assert np.abs(g32.vector - g64.vector).max() <= 1e-5 * scale
    assert fast.engine_info()["dtype"] == "float32"


def test_the_float32_engine_refuses_inputs_beyond_float32(topology_path):
    X, Y = dagnet.datasets.load("xor")
    X[2, 1] = -4e38                                    # finite in float64, -inf in float32
    net = dagnet.load(topology_path("xor_2_2_1.yaml"), seed=0, engine="float32")
    for call in (lambda: net.forward(X), lambda: net.gradients(X, Y),
                 lambda: net.fit(X, Y, epochs=1, verbose=False),
                 lambda: net.fit(X[:2], Y[:2], epochs=1, validation_data=(X, Y), verbose=False)):
        with pytest.raises(ValueError, match=r"X has a value \(-4e\+38\) at row 2, input 'b' beyond "
                                             r"the range of the float32 engine"):
            call()
    net.engine = "native"                              # float64 takes it
    assert np.isfinite(net.predict(X)).all()


@pytest.mark.parametrize("name", ["tanh", "exp", "expm1", "sigmoid"])
@pytest.mark.parametrize("portable", [True, False], ids=["portable", "libmvec-or-portable"])
def test_vectorised_functions_are_accurate_to_1e_14(name, portable):
    x = np.concatenate([np.linspace(-30, 30, 4001), np.geomspace(1e-300, 1e-3, 400),
                        -np.geomspace(1e-300, 1e-3, 400), [0.0, 700.0, -700.0]])
    x = x[: len(x) // 4 * 4]
    out = np.empty_like(x)
    native.kernel.vmath(name, x, out, portable)
    exact = {"tanh": np.tanh, "exp": np.exp, "expm1": np.expm1,
             "sigmoid": lambda v: 1.0 / (1.0 + np.exp(-v))}[name](x)
    normal = np.abs(exact) >= np.finfo(float).tiny
    assert np.all(np.abs(out - exact)[normal] <= 1e-14 * np.abs(exact)[normal])


OPTIMISERS = [("sgd", {}), ("momentum", {"momentum": 0.8}), ("nesterov", {}), ("adam", {"lr": 0.01})]


@pytest.mark.parametrize("optimizer, hyper", OPTIMISERS, ids=[o for o, _ in OPTIMISERS])
@pytest.mark.parametrize("batch_size, weight_decay", [(1, 0.0), (3, 0.01), (64, 0.001)])
def test_a_fused_epoch_equals_the_per_step_path_to_the_last_bit(optimizer, hyper, batch_size, weight_decay):
    G, X, Y = w3_like(n_hidden=40, batch=50)
    fused = dagnet.Network.from_graph(G, seed=1, engine="native")
    stepped = fused.copy()
    opt_f, opt_s = make_optimizer(optimizer, **hyper), make_optimizer(optimizer, **hyper)
    for _ in range(2):
        losses = fused.runner.train_epoch(fused.params, X, Y, batch_size, opt_f, weight_decay)
        expected = [stepped.train_step(X[lo:lo + batch_size], Y[lo:lo + batch_size], opt_s, weight_decay)
                    for lo in range(0, len(X), batch_size)]
        assert np.array_equal(losses, expected)
        assert np.array_equal(fused.params, stepped.params)
    assert opt_f.t == opt_s.t and all(np.array_equal(opt_f.state[k], opt_s.state[k]) for k in opt_s.state)


def test_fit_on_the_native_engine_matches_fit_on_the_numpy_engine():
    X, Y = dagnet.datasets.load("nonlinear", seed=0)
    nets = [dagnet.load("topologies/tutorial_2_5_1.yaml", seed=0, engine=e) for e in ("native", "numpy")]
    histories = [net.fit(X, Y, epochs=20, lr=0.5, batch_size=1, seed=0, verbose=False) for net in nets]
    assert close(nets[0].params, nets[1].params, 1e-10)
    assert close(histories[0].loss, histories[1].loss, 1e-10)
    assert histories[0].accuracy == histories[1].accuracy


def test_the_running_loss_is_what_the_epoch_computed_and_exact_loss_measures_after_it():
    X, Y = dagnet.datasets.load("moons", n_samples=64, seed=0)
    net = dagnet.load("topologies/mlp_one_hidden_ce.yaml", seed=0, engine="native")
    start = net.copy()
    history = net.fit(X, Y, epochs=1, lr=0.1, batch_size=64, shuffle=False, verbose=False)
    assert history.loss[0] == pytest.approx(start.evaluate(X, Y), rel=1e-12)   # one batch, before its update
    exact = start.fit(X, Y, epochs=1, lr=0.1, batch_size=64, shuffle=False, verbose=False, exact_loss=True)
    assert exact.loss[0] == pytest.approx(start.evaluate(X, Y), rel=1e-12)     # after the update
    assert exact.loss[0] != pytest.approx(history.loss[0], rel=1e-9)


def test_a_network_on_the_native_engine_pickles():
    net = dagnet.load("topologies/deep_skip.yaml", seed=0, engine="native")
    copy = pickle.loads(pickle.dumps(net))
    X = np.random.default_rng(0).normal(size=(5, 2))
    assert np.array_equal(copy.predict(X), net.predict(X))


def test_compiled_means_native_when_built_and_says_so():
    info = dagnet.load("topologies/xor_skip.yaml").engine_info()
    assert info["engine"] == "compiled" and info["backend"] == "native" and "native kernel" in info["reason"]
    assert dagnet.load("topologies/xor_skip.yaml", engine="numpy").engine_info()["backend"] == "numpy"


def test_without_the_kernel_compiled_falls_back_to_numpy_and_says_so_once(monkeypatch):
    monkeypatch.setattr(native, "kernel", None)
    monkeypatch.setattr(native, "_told", False)
    from dagnet.native import engine as native_engine
    monkeypatch.setattr(native_engine, "kernel", None)
    with pytest.warns(native.NativeKernelMissing, match="numpy engine"):
        net = dagnet.load("topologies/xor_skip.yaml")
    info = net.engine_info()
    assert info["backend"] == "numpy" and info["reason"] == "the native kernel is not built"
    with warnings.catch_warnings():
        warnings.simplefilter("error")       # said once: not again
        dagnet.load("topologies/xor_skip.yaml")
    assert native.status().startswith("numpy engine")
    with pytest.raises(ValueError, match="the native kernel is not built"):
        dagnet.load("topologies/xor_skip.yaml", engine="native")


def test_a_network_the_kernel_does_not_cover_runs_on_numpy_and_says_why(monkeypatch):
    from dagnet.native import spec
    monkeypatch.delitem(spec.ACTIVATION_CODES, "sin")
    G = nx.DiGraph([("x", "h"), ("h", "y")])
    G.nodes["h"]["activation"] = "sin"
    info = dagnet.Network.from_graph(G, seed=0).engine_info()
    assert info["backend"] == "numpy" and info["reason"] == "the native kernel has no activation 'sin'"


def test_the_version_line_names_the_engine(run):
    code, out, _ = run("--version")
    assert code == 0 and "native kernel" in out
