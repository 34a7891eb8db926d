"""The seeds' hand-derived formulas against dagnet's numbers."""
import numpy as np
import pytest

import dagnet
from dagnet.activations import sigmoid


def test_seed002_section_4_1_closed_forms(topology_path):
    """∂E_i/∂w for the 2-5-1 network equals the tutorial's products, for one example i."""
    net = dagnet.load(topology_path("tutorial_2_5_1.yaml"), seed=7)
    x = np.array([[0.3, 0.8]])
    y = np.array([[1.0]])
    _, grads = net.gradients(x, y)
    trace = net.forward(x)
    s6, z6 = trace.s["out"][0], trace.z["out"][0]
    d6 = sigmoid(s6) * (1 - sigmoid(s6))
    # ∂E_i/∂w_{in_1→6} (the bias of 6) = 2 (z6 − y) σ(s6)(1 − σ(s6))
    assert grads.bias["out"] == pytest.approx(2 * (z6 - 1) * d6, rel=1e-14)
    for k in range(5):
        h = f"h.{k}"
        s_k, z_k = trace.s[h][0], trace.z[h][0]
        # ∂E_i/∂w_{k→6} = 2 (z6 − y) σ(s6)(1 − σ(s6)) z_k
        assert grads.weight[h, "out"] == pytest.approx(2 * (z6 - 1) * d6 * z_k, rel=1e-14)
        # ∂E_i/∂w_{in_x→k} = 2 (z6 − y) σ(s_k)(1 − σ(s_k)) in_x σ(s6)(1 − σ(s6)) w_{k→6}
        common = 2 * (z6 - 1) * sigmoid(s_k) * (1 - sigmoid(s_k)) * d6 * net.weight(h, "out")
        assert grads.weight["in_x", h] == pytest.approx(common * 0.3, rel=1e-13)
        assert grads.weight["in_y", h] == pytest.approx(common * 0.8, rel=1e-13)
        assert grads.bias[h] == pytest.approx(common, rel=1e-13)     # w_{in_1→k}


def test_seed002_batch_gradient_is_the_sum_of_per_example_gradients(topology_path):
    net = dagnet.load(topology_path("tutorial_2_5_1.yaml"), seed=3)
    X = np.random.default_rng(0).random((6, 2))
    Y = np.array([0, 1, 1, 0, 1, 0.0]).reshape(-1, 1)
    E, batch = net.gradients(X, Y)
    parts = [net.gradients(X[i:i + 1], Y[i:i + 1]) for i in range(6)]
    assert E == pytest.approx(sum(e for e, _ in parts), rel=1e-13)
    np.testing.assert_allclose(batch.vector, sum(g.vector for _, g in parts), rtol=1e-12, atol=1e-15)


def test_seed002_perceptron_gradient(topology_path):
    """Section 3.1: ∂E/∂w = 2 Σ_i (σ(w·x_i) − y_i) σ(w·x_i)(1 − σ(w·x_i)) x_i."""
    net = dagnet.load(topology_path("perceptron.yaml"), seed=1)
    X = np.random.default_rng(1).random((5, 2))
    y = np.array([1, 0, 1, 1, 0.0])
    _, grads = net.gradients(X, y)
    h = net.predict(X)[:, 0]
    common = 2 * (h - y) * h * (1 - h)
    assert grads.weight["in_x", "out"] == pytest.approx(np.sum(common * X[:, 0]), rel=1e-13)
    assert grads.weight["in_y", "out"] == pytest.approx(np.sum(common * X[:, 1]), rel=1e-13)
    assert grads.bias["out"] == pytest.approx(np.sum(common), rel=1e-13)


def test_xor_skip_outputs_xor_with_its_given_weights(topology_path):
    net = dagnet.load(topology_path("xor_skip.yaml"))
    X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]])
    np.testing.assert_allclose(net.predict(X)[:, 0], [0, 1, 1, 0], atol=0.2)


def test_seed003_chain_analytic_derivative(topology_path):
    """∂L/∂w2 = h e^{−(h w2 + b2)} / (1 + e^{−(h w2 + b2)})² (σ − y_T), with L = ½(y − y_T)²."""
    net = dagnet.load(topology_path("chain_1_1_1.yaml"))
    x, y_T = 0.7, 0.25
    _, grads = net.gradients([[x]], [[y_T]])
    w1, b1, w2, b2 = net.weight("x", "h"), net.bias("h"), net.weight("h", "y"), net.bias("y")
    h = 1 / (1 + np.exp(-(w1 * x + b1)))
    e = np.exp(-(h * w2 + b2))
    seed_dL_dw2 = h * e / (1 + e) ** 2 * (1 / (1 + e) - y_T)
    # the seed's L is half of dagnet's sse, so dagnet's gradient is twice the seed's
    assert grads.weight["h", "y"] == pytest.approx(2 * seed_dL_dw2, rel=1e-14)
    y = 1 / (1 + e)
    seed_dL_dw1 = (y - y_T) * y * (1 - y) * w2 * h * (1 - h) * x
    assert grads.weight["x", "h"] == pytest.approx(2 * seed_dL_dw1, rel=1e-13)


def test_seed004_corrected_matrix_formulas(topology_path):
    """δ2 = (ŷ − y)/n, ∂E/∂W2 = a1ᵀδ2, δ1 = (δ2 W2ᵀ) ⊙ (1 − a1²), ∂E/∂W1 = xᵀδ1."""
    net = dagnet.load(topology_path("tanh_softmax_2_500_2.yaml"), seed=0)
    rng = np.random.default_rng(4)
    x = rng.normal(size=(16, 2))
    labels = rng.integers(0, 2, 16)
    y = np.eye(2)[labels]
    hidden = [f"h.{k}" for k in range(500)]
    W1 = np.array([[net.weight(f"x.{i}", h) for h in hidden] for i in range(2)])
    b1 = np.array([net.bias(h) for h in hidden])
    W2 = np.array([[net.weight(h, f"out.{j}") for j in range(2)] for h in hidden])
    b2 = np.array([net.bias(f"out.{j}") for j in range(2)])
    a1 = np.tanh(x @ W1 + b1)
    z2 = a1 @ W2 + b2
    y_hat = np.exp(z2) / np.exp(z2).sum(axis=1, keepdims=True)
    n = len(x)
    delta2 = (y_hat - y) / n
    dW2 = a1.T @ delta2
    delta1 = (delta2 @ W2.T) * (1 - a1 ** 2)
    dW1 = x.T @ delta1
    E, grads = net.gradients(x, labels)
    assert E == pytest.approx(-np.sum(y * np.log(y_hat)) / n, rel=1e-12)
    np.testing.assert_allclose(net.predict(x), y_hat, rtol=1e-12)
    got_W2 = np.array([[grads.weight[h, f"out.{j}"] for j in range(2)] for h in hidden])
    got_W1 = np.array([[grads.weight[f"x.{i}", h] for h in hidden] for i in range(2)])
    np.testing.assert_allclose(got_W2, dW2, rtol=1e-10, atol=1e-15)
    np.testing.assert_allclose(got_W1, dW1, rtol=1e-10, atol=1e-15)
    np.testing.assert_allclose([grads.bias[h] for h in hidden], delta1.sum(0), rtol=1e-10, atol=1e-15)
    np.testing.assert_allclose([grads.bias[f"out.{j}"] for j in range(2)], delta2.sum(0), rtol=1e-12)
    np.testing.assert_allclose(np.column_stack([grads.delta[f"out.{j}"] for j in range(2)]), delta2,
                               rtol=1e-12)


def test_seed001_forward_mode_visits_grow_with_parameters(topology_path):
    """Forward mode sweeps once per parameter; reverse mode once for all."""
    from dagnet.gradient_check import forward_mode_gradients
    net = dagnet.load(topology_path("tutorial_2_5_1.yaml"), seed=0)
    count = {}
    forward_mode_gradients(net, [[0.1, 0.2]], [[1.0]], count=count)
    assert net.n_params == 21
    # a weight into h.k moves h.k and out (plus the nodes between in column order)
    assert 21 * 2 <= count["node_visits"] <= 21 * 6
