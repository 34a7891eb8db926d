"""Backprop against central differences, forward mode, and the other engine, on random DAGs."""
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import ALL, dags, data_for

import dagnet
from dagnet.engine import make_engine
from dagnet.plan import DenseStep
from dagnet.gradient_check import forward_mode_gradients, gradcheck, numerical_gradients, relative_error

WORST = {"numerical": 0.0}


@given(dags())
def test_backprop_matches_central_differences_on_random_dags(case):
    """Within 1e-6, or within what the central differences themselves resolve: beside a loss
    large next to a gradient, they lose digits to rounding (on 400 random DAGs, 2 were off by
    1.5e-5 and 1.4e-4 at the default step while forward mode agreed with backprop to 1e-15), and
    then they move by as much when the step is halved."""
    G, inputs, outputs, loss, seed = case
    net = dagnet.Network.from_graph(G, inputs, outputs, loss=loss, seed=seed)
    X, Y = data_for(net, seed)
    result = gradcheck(net, X, Y, tolerance=1e-6)
    WORST["numerical"] = max(WORST["numerical"], result.max_rel_error)
    if result.max_rel_error > 1e-6:
        m = net.plan.mask.astype(bool)
        backprop = net.gradients(X, Y)[1].vector[m]
        coarse = numerical_gradients(net, X, Y)[m]
        fine = numerical_gradients(net, X, Y, step=5e-4)[m]
        scale = np.maximum(np.abs(backprop), 1e-4 * np.abs(backprop).max())
        assert np.all(np.abs(backprop - coarse) <= 1e-6 * scale + 10 * np.abs(coarse - fine)), str(result)


@given(dags())
def test_forward_mode_matches_backprop_on_random_dags(case):
    G, inputs, outputs, loss, seed = case
    net = dagnet.Network.from_graph(G, inputs, outputs, loss=loss, seed=seed)
    X, Y = data_for(net, seed)
    _, grads = net.gradients(X, Y)
    forward = forward_mode_gradients(net, X, Y)
    assert relative_error(grads.vector, forward, 1e-9).max() <= 1e-9


def _engines_agree(case):
    G, inputs, outputs, loss, seed = case
    fast = dagnet.Network.from_graph(G, inputs, outputs, loss=loss, seed=seed)
    slow = dagnet.Network.from_graph(G, inputs, outputs, loss=loss, seed=seed, engine="reference")
    X, Y = data_for(fast, seed, n=7)
    t_fast, t_slow = fast.forward(X), slow.forward(X)
    for node in fast.plan.nodes:
        np.testing.assert_allclose(t_fast.s[node], t_slow.s[node], rtol=0, atol=1e-10)
        np.testing.assert_allclose(t_fast.z[node], t_slow.z[node], rtol=0, atol=1e-10)
    e_fast, g_fast = fast.gradients(X, Y)
    e_slow, g_slow = slow.gradients(X, Y)
    assert abs(e_fast - e_slow) <= 1e-10 * max(1.0, abs(e_slow))
    for edge in G.edges:
        assert abs(g_fast.weight[edge] - g_slow.weight[edge]) <= 1e-10 * max(1, abs(g_slow.weight[edge]))
    for node in g_slow.bias:
        assert abs(g_fast.bias[node] - g_slow.bias[node]) <= 1e-10 * max(1, abs(g_slow.bias[node]))
    for node in fast.plan.nodes:
        np.testing.assert_allclose(g_fast.delta[node], g_slow.delta[node], rtol=1e-10, atol=1e-12)
    # the training path (buffers reused between steps) gives the same numbers, every time
    engine = make_engine(fast.engine, fast.plan, fast.loss_function)
    for _ in range(2):
        E, grad = engine.train_gradient(fast.params, np.asarray(X, dtype=float), fast.targets(Y))
        assert E == e_fast and np.array_equal(grad, g_fast.vector)
    return fast, g_fast


@given(dags(activations=ALL))
def test_reference_and_compiled_engines_agree_on_random_dags(case):
    _engines_agree(case)


@pytest.mark.parametrize("fill", [0.0, 1.01], ids=["all-dense", "all-sparse"])
@settings(max_examples=30, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(case=dags(activations=ALL), fixed=st.floats(0.0, 0.5), data=st.data())
def test_engines_agree_with_every_block_dense_or_sparse_and_fixed_weights(monkeypatch, fill, case, fixed,
                                                                          data):
    """Force each generation into a dense (padded) or a sparse (CSR, chunked) block; fix some weights."""
    from dagnet import compiled, plan
    monkeypatch.setattr(plan, "DENSE_MIN_FILL", fill)
    monkeypatch.setattr(compiled, "CHUNK_ELEMENTS", 20)    # sparse gradients in chunks of 2 edges
    G = case[0]
    rng = np.random.default_rng(data.draw(st.integers(0, 2**31)))
    for u, v in G.edges:
        if rng.random() < fixed:
            G.edges[u, v]["trainable"] = False
    net, grads = _engines_agree(case)
    assert all(isinstance(step, DenseStep) == (fill == 0.0) for step in net.plan.steps)
    for (u, v), d in G.edges.items():
        if d.get("trainable", True) is False:
            assert grads.weight[u, v] == 0.0


def test_gradients_are_keyed_by_the_users_node_names():
    G = dagnet.Network.from_graph(
        __import__("networkx").DiGraph([((0, "a"), 7), (7, "out"), ((0, "a"), "out")]), seed=1)
    X = np.array([[0.3], [-0.2]])
    _, grads = G.gradients(X, np.array([[1.0], [0.0]]))
    assert set(grads.weight) == {((0, "a"), 7), (7, "out"), ((0, "a"), "out")}
    assert set(grads.bias) == {7, "out"}
    assert grads.delta[(0, "a")].shape == (2,)


@pytest.mark.parametrize("engine, path", [("numpy", "scale"), ("reference", "derivative")])
def test_a_wrong_derivative_in_the_engines_own_path_is_caught(monkeypatch, topology_path, engine, path):
    """The check can fail: flip the sign of tanh's derivative where this engine takes it from.

    The numpy engine scales δ in place (``scale``), the reference engine
    multiplies by ``derivative``; either broken alone must make backprop
    disagree with central differences (forward mode is not needed to see it).
    """
    from dataclasses import replace

    from dagnet import activations
    X = np.random.default_rng(0).normal(size=(5, 2))
    Y = np.array([[0.0], [1.0], [1.0], [0.0], [1.0]])
    net = dagnet.load(topology_path("deep_skip.yaml"), seed=0, engine=engine)
    assert gradcheck(net, X, Y).max_rel_error < 1e-6
    tanh = activations.ACTIVATIONS["tanh"]
    wrong = {"scale": lambda d, s, z: tanh.scale(d, s, z) or d.__imul__(-1.0),
             "derivative": lambda s, z: -tanh.derivative(s, z)}
    monkeypatch.setitem(activations.ACTIVATIONS, "tanh", replace(tanh, **{path: wrong[path]}))
    net = dagnet.load(topology_path("deep_skip.yaml"), seed=0, engine=engine)
    assert gradcheck(net, X, Y).max_rel_error > 1e-2


def test_numerical_gradients_leave_the_parameters_unchanged():
    net = dagnet.load(__import__("os").path.join(__import__("os").path.dirname(__file__), "..",
                                                 "topologies", "xor_2_2_1.yaml"), seed=3)
    before = net.params.copy()
    numerical_gradients(net, np.eye(2), np.ones((2, 1)))
    assert np.array_equal(before, net.params)
