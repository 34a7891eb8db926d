"""fit's fast path: whole runs of epochs in one engine call, when no epoch needs Python in between.

Many small fits (evolution trains thousands of tiny networks) spend
almost all their time in the per-epoch Python of :func:`dagnet.training.fit`
(shuffling, slicing, history, checks), not in arithmetic. When nothing
has to happen between epochs (no validation data, early stopping,
callback, learning-rate schedule, sample weights or progress bar) and the
engine can run epochs itself (the native kernel's ``train_epochs``), fit
hands it all of them at once: the epochs' orders are drawn up front from
the same generator in the same sequence (``rng.permutation(n)`` per
epoch), so the weights, losses and accuracies are bit-identical to the
epoch-by-epoch loop's; only the per-epoch ``seconds`` are the run's time
shared evenly.
"""
import copy
import math
import time

import numpy as np

from . import metrics
from .measure import keep_figures

#: The most output values (epochs × samples × outputs) one call records; longer runs go in pieces.
MAX_RECORDED = 1 << 20


def applies(net, opt, fusable, validation, patience, callback, lr_schedule, exact_loss, bar, epochs):
    """True when fit may run its epochs through :func:`run` (one epoch is one engine call either way)."""
    runner = net.runner
    return (epochs > 1 and fusable and validation is None and patience is None and callback is None and bar is None
            and lr_schedule in (None, "constant") and not exact_loss
            and hasattr(runner, "train_epochs") and runner.fuses(opt))


def _accuracies(labels, outputs):
    """Accuracy per epoch: ``labels`` (n,), ``outputs`` (epochs, n, m) -> (epochs,)."""
    if outputs.shape[2] == 1:
        predicted = (outputs[:, :, 0] > 0.5).astype(np.intp)
    else:
        predicted = np.argmax(outputs, axis=2)
    return np.mean(predicted == labels[None, :], axis=1)


def epoch_orders(rng, n, count):
    """``count`` shuffles of ``range(n)``, one row each: the very draws of ``count`` calls of
    ``rng.permutation(n)`` (as the epoch-by-epoch loop makes them), made in one call.

    >>> a, b = np.random.default_rng(0), np.random.default_rng(0)
    >>> bool(np.array_equal(epoch_orders(a, 5, 3), [b.permutation(5) for _ in range(3)]))
    True
    """
    return rng.permuted(np.tile(np.arange(n), (count, 1)), axis=1)


def run(net, X, Y, epochs, size, opt, decay, shuffle, rng, track_accuracy, history, min_delta):
    """Train ``epochs`` epochs in as few engine calls as the record allows; fill ``history``.

    Calls hold at most :data:`MAX_RECORDED` sample visits, so that Ctrl-C is
    answered between them. Returns ``(epochs run, diverged, interrupted)``;
    after divergence the parameters are those after the last finite epoch,
    after an interruption those after the last whole call (as fit keeps them).
    """
    runner, params = net.runner, net.params
    n, m = len(X), len(net.outputs)
    weights = None
    if net.loss_function.mean and size < n:      # each batch's mean E weighed by its share of the samples
        shares = np.add.reduceat(np.ones(n), np.arange(0, n, size))
        weights = shares / shares.sum()
    labels = metrics.labels(Y) if track_accuracy else None
    piece = max(1, MAX_RECORDED // (n * (m if track_accuracy else 1)))
    best, done, good = math.inf, 0, params.copy()
    try:
        while done < epochs:
            count = min(piece, epochs - done)
            started = time.perf_counter()
            orders = epoch_orders(rng, n, count) if shuffle else None
            outputs = np.empty((count, n, m)) if track_accuracy else None
            losses, diverged = runner.train_epochs(params, X, Y, size, opt, count, orders,
                                                   decay.strength if decay else 0.0, outputs)
            whole = len(losses)
            E = np.sum(losses * weights if weights is not None else losses, axis=1)
            seconds = (time.perf_counter() - started) / max(1, whole)
            accuracy = _accuracies(labels, outputs[:whole]).tolist() if track_accuracy else []
            for k, value in enumerate(E.tolist(), start=done + 1):
                if value < best - min_delta:
                    best, history.best_epoch = value, k
            history.loss.extend(E.tolist())
            history.accuracy.extend(accuracy)
            history.seconds.extend([seconds] * whole)
            done += whole
            history.weights_epoch = done
            good[:] = params
            if diverged:
                return done, True, False
    except KeyboardInterrupt:
        params[:] = good
        for values in (history.loss, history.accuracy, history.seconds):
            del values[done:]
        history.weights_epoch = done
        return done, False, True
    return done, False, False


def attempt(net, X, Y, epochs, size, opt, decay, shuffle, rng, track_accuracy, history, min_delta, verbose):
    """fit's epochs by :func:`run`: True when done (``history`` filled, ``kept`` measured).

    False when the run diverged: the parameters, the optimiser's state and
    the generator are put back as they were, for fit to run the epochs
    again on its own loop, which knows which weights to keep.
    """
    start = net.params.copy(), copy.deepcopy(opt.__dict__), rng.bit_generator.state if rng else None
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        done, diverged, interrupted = run(net, X, Y, epochs, size, opt, decay, shuffle, rng,
                                          track_accuracy, history, min_delta)
    if diverged:
        net.params[:] = start[0]
        opt.__dict__.update(copy.deepcopy(start[1]))
        if rng is not None:
            rng.bit_generator.state = start[2]
        return False
    if interrupted:
        history.interrupted = True
        if verbose:
            print(f"\ninterrupted; keeping the weights after epoch {done}")
    if history.weights_epoch:
        keep_figures(net, history, (X, Y, None), (None, None), track_accuracy)
    return True
