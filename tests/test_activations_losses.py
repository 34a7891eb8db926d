"""Activations and losses: stable at extreme sums, derivatives that match their functions."""
import warnings

import numpy as np
import pytest

from dagnet.activations import ACTIVATIONS, canonical
from dagnet.losses import LOSSES, activation_groups, log_softmax, softmax

EXTREME = np.array([-1000.0, -50.0, -1.0, 0.0, 1e-12, 1.0, 50.0, 1000.0])


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_activation_is_finite_and_warning_free_at_extremes(name):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(over="raise", invalid="raise", divide="raise", under="ignore"):
            z = ACTIVATIONS[name].forward(EXTREME)
            d = ACTIVATIONS[name].derivative(EXTREME, z)
    assert np.all(np.isfinite(z)) and np.all(np.isfinite(d))


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_derivative_matches_central_difference(name):
    s = np.array([-3.0, -0.7, -0.2, 0.3, 0.9, 2.5])   # away from relu-like kinks at 0
    h = 1e-6
    act = ACTIVATIONS[name]
    numeric = (act.forward(s + h) - act.forward(s - h)) / (2 * h)
    np.testing.assert_allclose(act.derivative(s, act.forward(s)), numeric, rtol=1e-7, atol=1e-9)


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_the_in_place_derivative_equals_the_derivative(name):
    """The compiled engine's fused ``d *= σ'(s)`` and the reference's σ'(s) are one function."""
    act = ACTIVATIONS[name]
    s = np.linspace(-4.0, 4.0, 41)
    z = act.forward(s)
    d = np.random.default_rng(0).normal(size=s.shape)
    scaled = d.copy()
    act.scale_by_derivative(scaled, s, z)
    np.testing.assert_allclose(scaled, d * act.derivative(s, z), rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_apply_writes_the_forward_rule(name):
    s = np.linspace(-4.0, 4.0, 9)
    out = np.empty_like(s)
    ACTIVATIONS[name].apply(s, out)
    np.testing.assert_array_equal(out, ACTIVATIONS[name].forward(s))


def test_sigmoid_keeps_relative_precision_far_out():
    assert ACTIVATIONS["sigmoid"].forward(np.array([-700.0]))[0] == pytest.approx(np.exp(-700.0), rel=1e-12)


def test_aliases():
    assert canonical("identity") == "linear" and canonical("logistic") == "sigmoid"
    assert canonical("softmax") == "softmax" and canonical("sigmiod") is None


def test_log_softmax_is_stable():
    s = np.array([[1000.0, -1000.0], [0.0, 0.0]])
    with np.errstate(over="raise", invalid="raise", divide="raise", under="ignore"):
        out = log_softmax(s)
    np.testing.assert_allclose(out, [[0.0, -2000.0], [np.log(0.5), np.log(0.5)]])


def saturated(loss):
    s = np.array([[800.0, -800.0], [-800.0, 800.0]])
    if loss == "cross_entropy":
        z = np.exp(log_softmax(s))
        groups = activation_groups(["softmax", "softmax"])
    else:
        z = ACTIVATIONS["sigmoid"].forward(s)
        groups = activation_groups(["sigmoid", "sigmoid"])
    return s, z, groups


@pytest.mark.parametrize("loss", sorted(LOSSES))
def test_losses_are_finite_at_saturated_outputs(loss):
    s, z, groups = saturated(loss)
    wrong = np.array([[0.0, 1.0], [1.0, 0.0]])   # confidently wrong: log(0) territory
    with np.errstate(over="raise", invalid="raise", divide="raise", under="ignore"):
        E = LOSSES[loss].value(s, z, wrong)
        delta = LOSSES[loss].delta(s, z, wrong, groups)
    assert np.isfinite(E) and np.all(np.isfinite(delta))
    if loss in ("cross_entropy", "binary_cross_entropy"):
        assert E > 100   # the loss of being wrong with |s| = 800 is large, not clipped


def test_loss_definitions():
    s = np.array([[0.0], [1.0]])
    z = ACTIVATIONS["sigmoid"].forward(s)
    y = np.array([[1.0], [0.0]])
    sse = np.sum((z - y) ** 2)
    assert LOSSES["sse"].value(s, z, y) == pytest.approx(sse)
    assert LOSSES["mse"].value(s, z, y) == pytest.approx(sse / 2)
    bce = -np.mean(y * np.log(z) + (1 - y) * np.log(1 - z))
    assert LOSSES["binary_cross_entropy"].value(s, z, y) == pytest.approx(bce, rel=1e-14)


def test_integer_labels_become_one_hot():
    Y = LOSSES["cross_entropy"].targets(np.array([2, 0, 1]), 3)
    np.testing.assert_array_equal(Y, np.eye(3)[[2, 0, 1]])
    with pytest.raises(ValueError, match="class labels must lie in 0..2"):
        LOSSES["cross_entropy"].targets(np.array([3, 0]), 3)


@pytest.mark.parametrize("loss", sorted(LOSSES))
def test_value_and_delta_in_one_pass_equal_the_two_apart(loss):
    rng = np.random.default_rng(0)
    s = rng.normal(size=(6, 3))
    act = {"cross_entropy": "softmax", "binary_cross_entropy": "sigmoid"}.get(loss, "tanh")
    z = softmax(s) if act == "softmax" else ACTIVATIONS[act].forward(s)
    y = np.eye(3)[rng.integers(0, 3, 6)]
    groups = [(act, np.arange(3))]
    E, delta = LOSSES[loss].value_and_delta(s, z, y, groups)
    assert E == pytest.approx(LOSSES[loss].value(s, z, y), rel=1e-15)
    np.testing.assert_allclose(delta, LOSSES[loss].delta(s, z, y, groups), rtol=1e-14)


def test_binary_cross_entropy_refuses_targets_outside_0_1():
    with pytest.raises(ValueError, match=r"needs targets in \[0, 1\]; found 0..2"):
        LOSSES["binary_cross_entropy"].targets(np.array([0.0, 1.0, 2.0]), 1)
