"""fit's fast path (whole runs of epochs in one native call) equals the epoch-by-epoch loop bit for bit."""
import numpy as np
import pytest

import dagnet
from dagnet import datasets, fused_fit, native

pytestmark = pytest.mark.skipif(not native.available(), reason="the native kernel is not built")


def _pair(path, **fit):
    """(history, params) by the fast path, and by the per-epoch loop (a callback forces it)."""
    X, Y = fit.pop("data")
    out = []
    for callback in (None, lambda epoch, history: None):
        net = dagnet.load(path, seed=3)
        history = net.fit(X, Y, verbose=False, seed=5, callback=callback, **fit)
        out.append((history, net.params.copy()))
    return out


@pytest.mark.parametrize("topology, data, fit", [
    ("xor_2_2_1.yaml", "xor", dict(epochs=40, lr=0.5)),
    ("xor_2_2_1.yaml", "xor", dict(epochs=40, lr=0.5, shuffle=False, optimizer="momentum")),
    ("tutorial_2_5_1.yaml", "nonlinear", dict(epochs=15, lr=0.05, batch_size=7, optimizer="adam")),
    ("tutorial_2_5_1.yaml", "nonlinear", dict(epochs=15, lr=0.05, batch_size=1, optimizer="nesterov",
                                              weight_decay=1e-3)),
    ("mlp_one_hidden_ce.yaml", "moons", dict(epochs=12, lr=0.05, batch_size=32, optimizer="adam")),
])
def test_fast_path_equals_the_epoch_loop_bit_for_bit(topology_path, topology, data, fit):
    (fast, p_fast), (slow, p_slow) = _pair(topology_path(topology), data=datasets.load(data, seed=0), **fit)
    assert fast.loss == slow.loss and fast.accuracy == slow.accuracy
    assert fast.best_epoch == slow.best_epoch and fast.weights_epoch == slow.weights_epoch
    assert np.array_equal(p_fast, p_slow)


def test_fast_path_runs_in_pieces_the_same(topology_path, monkeypatch):
    whole = _pair(topology_path("tutorial_2_5_1.yaml"), data=datasets.load("nonlinear", seed=0), epochs=9,
                  lr=0.05, batch_size=10)[0]
    monkeypatch.setattr(fused_fit, "MAX_RECORDED", 250)       # 100 samples: two epochs a call
    pieces = _pair(topology_path("tutorial_2_5_1.yaml"), data=datasets.load("nonlinear", seed=0), epochs=9,
                   lr=0.05, batch_size=10)[0]
    assert whole[0].loss == pieces[0].loss and np.array_equal(whole[1], pieces[1])


def test_fast_path_diverges_as_the_loop_does(topology_path):
    """The weights kept, and their figures, too: a diverged fast run runs again on the loop."""
    X, Y = datasets.load("sine", seed=0)
    results = []
    for callback in (None, lambda epoch, history: None):
        net = dagnet.load(topology_path("tutorial_2_5_1.yaml").replace("tutorial_2_5_1", "chain_1_1_1"), seed=0)
        net.fit(X, Y * 1e6, epochs=1, lr=1e-9, verbose=False, callback=callback)   # one whole epoch first
        with pytest.raises(dagnet.TrainingDiverged) as caught:
            net.fit(X, Y * 1e160, epochs=50, lr=1e3, verbose=False, seed=1, callback=callback)
        history = caught.value.history
        results.append(((history.loss, history.weights_epoch, history.kept), net.params.copy()))
    assert results[0][0] == results[1][0]
    assert np.array_equal(results[0][1], results[1][1]) and np.all(np.isfinite(results[0][1]))


@pytest.mark.parametrize("n, count", [(1, 3), (2, 1), (4, 100), (97, 7), (4000, 2)])
def test_the_epochs_orders_are_the_draws_of_one_permutation_per_epoch(n, count):
    loop, fast = np.random.default_rng(n), np.random.default_rng(n)
    expected = np.stack([loop.permutation(n) for _ in range(count)])
    assert np.array_equal(fused_fit.epoch_orders(fast, n, count), expected)
    assert fast.random() == loop.random()          # and the generator goes on from the same state
