"""Sample weights, L2 penalties and learning-rate schedules."""
import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from strategies import dags, data_for

import dagnet
from dagnet.engine import ENGINES
from dagnet.optimizers import SGD, make_optimizer
from dagnet.regularization import L2
from dagnet.schedules import Adaptive, InvScaling, make_schedule


@given(dags(), st.sampled_from(["compiled", "reference"]), st.data())
def test_integer_sample_weights_equal_repeated_samples(case, engine, data):
    """Weight k counts a sample k times: the loss and gradient of the data with rows repeated."""
    G, inputs, outputs, loss, seed = case
    net = dagnet.Network.from_graph(G, inputs, outputs, loss=loss, seed=seed, engine=engine)
    X, Y = data_for(net, seed, n=5)
    Y = net.targets(Y)
    w = np.array(data.draw(st.lists(st.integers(0, 3), min_size=5, max_size=5).filter(any)))
    E_w, g_w = net.gradients(X, Y, sample_weight=w)
    E_r, g_r = net.gradients(np.repeat(X, w, axis=0), np.repeat(Y, w, axis=0))
    assert E_w == pytest.approx(E_r, rel=1e-12, abs=1e-14)
    np.testing.assert_allclose(g_w.vector, g_r.vector, rtol=1e-10, atol=1e-13)
    assert net.evaluate(X, Y, sample_weight=w) == pytest.approx(E_r, rel=1e-12, abs=1e-14)


@given(dags(), st.sampled_from(sorted(ENGINES)), st.sampled_from([1, 2, None]),
       st.sampled_from(["sgd", "momentum", "adam"]), st.data())
def test_zero_sample_weights_train_like_dropped_samples(case, engine, batch_size, optimizer, data):
    """A sample of weight 0 does not count: training is that on the data without it, shuffled or not."""
    G, inputs, outputs, loss, seed = case
    net = dagnet.Network.from_graph(G, inputs, outputs, loss=loss, seed=seed, engine=engine)
    X, Y = data_for(net, seed, n=6)
    Y = net.targets(Y)
    w = np.array(data.draw(st.lists(st.sampled_from([0.0, 0.0, 1.0, 2.5]), min_size=6, max_size=6)
                           .filter(any)))
    kept = w > 0
    dropped = net.copy()
    options = dict(epochs=3, lr=0.1, batch_size=batch_size, optimizer=optimizer, seed=1, verbose=False)
    weighted = net.fit(X, Y, sample_weight=w, **options)
    alone = dropped.fit(X[kept], Y[kept], sample_weight=w[kept], **options)
    np.testing.assert_allclose(net.params, dropped.params, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(weighted.loss, alone.loss, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("engine", sorted(ENGINES))
def test_a_batch_whose_weights_are_all_zero_makes_no_update(topology_path, engine):
    X, Y = dagnet.datasets.load("xor")
    net = dagnet.load(topology_path("xor_2_2_1.yaml"), seed=0, engine=engine)
    before = net.params.copy()
    opt = make_optimizer("adam", lr=0.1)
    with warnings.catch_warnings():
        warnings.simplefilter("error")              # no 0/0 anywhere
        assert net.train_step(X, Y, opt, weights=np.zeros(len(X))) == 0.0
        S, Z = net.runner.forward(net.params, X)
        E, grad, D = net.runner.backward(net.params, S, Z, Y, weights=np.zeros(len(X)))
    np.testing.assert_array_equal(net.params, before)
    assert opt.t == 0 and E == 0.0 and not grad.any() and np.isfinite(D).all()


def test_sample_weights_are_checked_wherever_they_are_given(topology_path):
    X, Y = dagnet.datasets.load("xor")
    net = dagnet.load(topology_path("xor_2_2_1.yaml"), seed=0)
    for call in (net.fit, net.evaluate, net.gradients):
        with pytest.raises(ValueError, match="sample_weight is zero for all 4 samples"):
            call(X, Y, sample_weight=np.zeros(4))
        with pytest.raises(ValueError, match="row 2 has -1.0"):
            call(X, Y, sample_weight=[1, 1, -1, 1])
        with pytest.raises(ValueError, match="sample_weight has 3 values for 4 samples"):
            call(X, Y, sample_weight=[1, 1, 1])


def test_validation_indices_are_rows_of_the_x_given_when_weights_drop_some(topology_path):
    X, Y = dagnet.datasets.load("nonlinear", n_samples=20, seed=0)
    w = np.ones(20)
    w[:10] = 0.0
    net = dagnet.load(topology_path("tutorial_2_5_1.yaml"), seed=0)
    history = net.fit(X, Y, epochs=1, sample_weight=w, validation_split=0.2, verbose=False)
    assert len(history.validation_indices) == 2 and history.validation_indices.min() >= 10


def test_fit_with_sample_weights_follows_the_weighted_gradient(topology_path):
    X, Y = dagnet.datasets.load("nonlinear", n_samples=6, seed=0)
    w = np.array([1.0, 0.0, 2.0, 1.0, 0.5, 3.0])
    net = dagnet.load(topology_path("tutorial_2_5_1.yaml"), seed=0)
    by_hand = net.copy()
    by_hand.params -= 0.3 * by_hand.gradients(X, Y, sample_weight=w)[1].vector
    net.fit(X, Y, epochs=1, lr=0.3, batch_size=None, sample_weight=w, verbose=False)
    np.testing.assert_allclose(net.params, by_hand.params, rtol=1e-13, atol=1e-15)
    with pytest.raises(ValueError, match="sample_weight has 2 values for 6 samples"):
        net.fit(X, Y, sample_weight=[1, 2])


def test_the_l2_gradient_is_that_of_the_penalty(topology_path):
    net = dagnet.load(topology_path("tutorial_2_5_1.yaml"), seed=0)
    theta = net.params
    for pen, n in [(L2(0.3), 1), (L2(0.3, biases=False, per_sample=True), 8)]:
        mask = pen.mask(net.plan)
        value = lambda p: pen.strength / (n if pen.per_sample else 1) / 2 * np.sum(mask * p * p)  # noqa: E731
        h = 1e-6
        numeric = np.array([(value(theta + h * e) - value(theta - h * e)) / (2 * h)
                            for e in np.eye(len(theta))])
        np.testing.assert_allclose(pen.gradient(theta, net.plan, n), numeric, atol=1e-8)
    assert not L2(0.3, biases=False).mask(net.plan)[net.plan.n_weight_slots:].any()
    with pytest.raises(ValueError, match="weight_decay must be a finite number >= 0"):
        L2(-1.0)


def test_invscaling_follows_its_formula_and_adaptive_divides_by_five():
    opt = SGD(lr=0.2)
    schedule = make_schedule("invscaling")
    for seen in (10, 40, 90):
        schedule(opt, 1, None, seen)
        assert opt.lr == pytest.approx(0.2 / (seen + 1) ** 0.5, rel=1e-15)

    class History:
        loss, val_loss = [], []
    opt, adaptive = SGD(lr=1.0), Adaptive()
    for loss in [1.0, 0.5, 0.5, 0.5, 0.5, 0.49999]:
        History.loss.append(loss)
        assert adaptive(opt, len(History.loss), History, 0)
    assert opt.lr == pytest.approx(0.2)        # three epochs without improvement: once divided by 5
    opt.lr = 2e-6
    History.loss += [0.5] * 3
    assert [adaptive(opt, 9, History, 0) for _ in range(3)][-1] is False   # below min_lr: stop
    with pytest.raises(ValueError, match="unknown lr_schedule 'adaptiv' \\(did you mean 'adaptive'\\?\\)"):
        make_schedule("adaptiv")
    assert isinstance(make_schedule(InvScaling(power_t=0.25)), InvScaling)


def test_an_adaptive_schedule_stops_training_when_the_rate_is_spent(topology_path):
    X, Y = dagnet.datasets.load("xor")
    net = dagnet.load(topology_path("xor_2_2_1.yaml"), seed=0)
    history = net.fit(X, Y, epochs=500, lr=1e-5, lr_schedule=Adaptive(tol=1.0, min_lr=1e-7),
                      verbose=False)
    assert history.stopped_early and history.epochs < 20
