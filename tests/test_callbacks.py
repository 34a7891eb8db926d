"""fit's callbacks: when each hook runs, and that stopping for one costs no bit of the result."""
import numpy as np
import pytest

import dagnet
from dagnet import edits
from dagnet.callbacks import Callback


class Recorder(Callback):
    def __init__(self, every):
        self.every = every
        self.calls = []

    def on_fit_begin(self, net, optimizer, steps_per_epoch, epochs):
        self.calls.append(("begin", steps_per_epoch, epochs))

    def on_step(self, net, optimizer, step, X, Y):
        self.calls.append(("step", step, len(X)))

    def on_epoch_end(self, net, epoch, history):
        self.calls.append(("epoch", epoch))

    def on_fit_end(self, net, history):
        self.calls.append(("end", history.epochs))


def data(n=10, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 2))
    return X, (X[:, 0] * X[:, 1] > 0).astype(float)


@pytest.mark.parametrize("engine", ["compiled", "numpy"])
def test_on_step_runs_after_every_nth_update_across_epochs_with_that_updates_batch(engine):
    X, Y = data(10)
    net = dagnet.load("topologies/xor_2_2_1.yaml", seed=0, engine=engine)
    rec = Recorder(every=3)
    net.fit(X, Y, epochs=2, batch_size=4, verbose=False, callback=rec)   # 3 updates an epoch: 4, 4, 2
    assert rec.calls == [("begin", 3, 2), ("step", 3, 2), ("epoch", 1), ("step", 6, 2), ("epoch", 2),
                         ("end", 2)]


@pytest.mark.parametrize("engine", ["compiled", "numpy"])
def test_a_step_callback_changes_no_bit_of_training(engine):
    X, Y = data(40)
    plain = dagnet.load("topologies/xor_2_2_1.yaml", seed=0, engine=engine)
    hooked = plain.copy()
    kwargs = dict(epochs=3, batch_size=4, optimizer="adam", lr=0.05, verbose=False, seed=1)
    a = plain.fit(X, Y, **kwargs)
    b = hooked.fit(X, Y, callback=Recorder(every=3), **kwargs)
    assert np.array_equal(plain.params, hooked.params)
    assert a.loss == b.loss and a.accuracy == b.accuracy


def test_a_step_callback_may_restructure_the_network_mid_epoch_and_training_goes_on():
    X, Y = data(40)
    net = dagnet.load("topologies/xor_2_2_1.yaml", seed=0)

    class Grow(Callback):
        every = 5

        def on_step(self, net, optimizer, step, X, Y):
            if step == 5:
                edits.add_edge(net, "a", "y", optimizer=optimizer)

    history = net.fit(X, Y, epochs=2, batch_size=4, optimizer="adam", lr=0.05, verbose=False,
                      callback=Grow())
    assert net.graph.has_edge("a", "y") and net.weight("a", "y") != 0.0    # added at 0, then trained
    assert history.epochs == 2 and np.all(np.isfinite(net.params))


def test_callback_takes_a_list_of_functions_and_callbacks_and_refuses_anything_else():
    X, Y = data(8)
    net = dagnet.load("topologies/xor_2_2_1.yaml", seed=0)
    seen = []
    net.fit(X, Y, epochs=2, verbose=False, callback=[lambda e, h: seen.append(e), Recorder(every=None)])
    assert seen == [1, 2]
    with pytest.raises(TypeError, match="callback must be"):
        net.fit(X, Y, epochs=1, verbose=False, callback=[42])
    with pytest.raises(ValueError, match="every must be"):
        net.fit(X, Y, epochs=1, verbose=False, callback=Recorder(every=0))
