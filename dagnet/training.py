"""The training loop: epochs of (mini-)batch gradient descent with a chosen optimiser.

``batch_size=1`` updates after every example (the tutorial's sequential
update), ``batch_size=None`` once per epoch over all data (its batch
update), any other n after every n examples. Each update follows the
gradient of the loss as defined on that batch: the summed error for
``sse``, the mean for the others.
"""
import csv
import math
import os
import time
from dataclasses import dataclass, field

import numpy as np

from . import metrics
from .optimizers import make_optimizer
from .samples import as_inputs, is_binary


class TrainingDiverged(RuntimeError):
    """The loss became NaN or infinite; the network keeps its last finite weights.

    ``history`` holds the epochs recorded before it happened.
    """

    def __init__(self, message, history):
        super().__init__(message)
        self.history = history


@dataclass
class History:
    """What :meth:`Network.fit` recorded, one entry per finished epoch.

    ``loss`` is the epoch's running loss: each batch's E as the epoch
    computed it (before that batch's update), summed for ``sse`` and
    averaged over the samples for the mean losses, as Keras and
    scikit-learn report it; with ``fit(..., exact_loss=True)`` it is E on
    the whole training set after the epoch. ``accuracy`` (for classifiers:
    classification losses, or 0/1 targets) follows the same rule;
    ``val_*`` (when validation data was given) are always measured after
    the epoch; ``seconds`` is the training time of each epoch.
    """

    loss: list = field(default_factory=list)
    val_loss: list = field(default_factory=list)
    accuracy: list = field(default_factory=list)
    val_accuracy: list = field(default_factory=list)
    seconds: list = field(default_factory=list)
    best_epoch: int = None
    stopped_early: bool = False
    diverged: bool = False
    interrupted: bool = False

    @property
    def epochs(self):
        """Number of epochs finished."""
        return len(self.loss)

    def as_dict(self):
        """The per-epoch lists and the flags as plain Python data."""
        return {"epochs": self.epochs, "loss": self.loss, "val_loss": self.val_loss,
                "accuracy": self.accuracy, "val_accuracy": self.val_accuracy,
                "seconds": self.seconds, "best_epoch": self.best_epoch,
                "stopped_early": self.stopped_early, "diverged": self.diverged,
                "interrupted": self.interrupted}

    def columns(self):
        """``{column name: per-epoch list}`` of the columns that have values."""
        cols = {"epoch": list(range(1, self.epochs + 1)), "loss": self.loss,
                "val_loss": self.val_loss, "accuracy": self.accuracy,
                "val_accuracy": self.val_accuracy, "seconds": self.seconds}
        return {k: v for k, v in cols.items() if len(v) == self.epochs and self.epochs}

    def to_csv(self, path):
        """Write one row per epoch to ``path`` (atomically)."""
        from .files import atomic_write

        cols = self.columns()
        def write(f):
            out = csv.writer(f)
            out.writerow(list(cols))
            out.writerows(zip(*cols.values()))
        atomic_write(path, write)

    def __repr__(self):
        last = f", loss {self.loss[-1]:.6g}" if self.loss else ""
        return f"History({self.epochs} epochs{last})"


def _progress(epochs, verbose):
    if not verbose:
        return None
    try:
        from tqdm.auto import tqdm
    except ImportError:
        return None
    return tqdm(total=epochs, unit="epoch", leave=True, dynamic_ncols=True)


def _split(X, Y, validation_data, validation_split, net):
    if validation_data is not None:
        if validation_split:
            raise ValueError("give validation_data or validation_split, not both")
        Xv, Yv = validation_data
        Xv, Yv = as_inputs(Xv, net.inputs), net.targets(Yv)
        if len(Xv) != len(Yv):
            raise ValueError(f"validation X has {len(Xv)} samples but Y has {len(Yv)}")
        return X, Y, Xv, Yv
    if not validation_split:
        return X, Y, None, None
    if not 0 < validation_split < 1:
        raise ValueError(f"validation_split must lie between 0 and 1, got {validation_split}")
    n_val = int(round(len(X) * validation_split))
    if n_val < 1 or n_val >= len(X):
        raise ValueError(f"validation_split={validation_split} leaves no {'validation' if n_val < 1 else 'training'} "
                         f"samples out of {len(X)}")
    # the last fraction, as Keras does: deterministic and independent of shuffling
    return X[:-n_val], Y[:-n_val], X[-n_val:], Y[-n_val:]


def fit(net, X, Y, epochs=100, lr=None, batch_size=None, optimizer="sgd", shuffle=True, seed=None,
        weight_decay=0.0, validation_data=None, validation_split=0.0, patience=None, min_delta=0.0,
        restore_best=True, verbose=True, callback=None, init=None, exact_loss=False, **optimizer_params):
    """Train ``net`` in place; see :meth:`dagnet.Network.fit` for the parameters."""
    X = as_inputs(X, net.inputs)
    Y = net.targets(Y)
    if len(X) != len(Y):
        raise ValueError(f"X has {len(X)} samples but Y has {len(Y)}")
    if len(X) == 0:
        raise ValueError("no training samples")
    if isinstance(epochs, bool) or not isinstance(epochs, (int, np.integer)) or epochs < 0:
        raise ValueError(f"epochs must be a whole number >= 0, got {epochs!r}")
    epochs = int(epochs)
    if batch_size is not None and (not isinstance(batch_size, (int, np.integer)) or batch_size < 1):
        raise ValueError(f"batch_size must be a whole number >= 1 or None, got {batch_size!r}")
    if weight_decay < 0:
        raise ValueError(f"weight_decay must be >= 0, got {weight_decay}")
    if patience is not None and patience < 1:
        raise ValueError(f"patience must be >= 1, got {patience}")
    X, Y, Xv, Yv = _split(X, Y, validation_data, validation_split, net)
    opt = make_optimizer(optimizer, lr=lr, **optimizer_params)
    if init is not None:
        net.initialize(init, seed=seed)
    rng = np.random.default_rng(seed)
    n = len(X)
    size = n if batch_size is None else min(int(batch_size), n)
    track_accuracy = net.is_classifier or is_binary(Y)
    # the engine's whole-epoch loop (the native kernel's), when it runs this optimiser
    fused = getattr(net.runner, "train_epoch", None)
    fused = fused if fused is not None and net.runner.fuses(opt) else None
    seen = np.empty((n, len(net.outputs))) if track_accuracy and not exact_loss else None

    history = History()
    params = net.params
    last_good = params.copy()
    best, best_params, waited = math.inf, None, 0
    bar = _progress(epochs, verbose)
    epoch = 0
    try:
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            for epoch in range(1, epochs + 1):
                started = time.perf_counter()
                Xs, Ys = X, Y
                if shuffle:
                    order = rng.permutation(n)
                    Xs, Ys = X[order], Y[order]
                E, acc = _epoch(net, Xs, Ys, size, opt, weight_decay, fused, seen)
                seconds = time.perf_counter() - started
                if exact_loss or (track_accuracy and acc is None):
                    E_all, acc = _measure(net, X, Y, track_accuracy)
                    E = E_all if exact_loss else E
                if not math.isfinite(E) or not np.all(np.isfinite(params)):
                    params[:] = last_good
                    history.diverged = True
                    raise TrainingDiverged(
                        f"training diverged in epoch {epoch}: the loss became {E}; the weights "
                        f"are those after epoch {epoch - 1}; try a smaller lr (now {opt.lr:g})",
                        history)
                last_good[:] = params
                history.loss.append(E)
                history.seconds.append(seconds)
                if acc is not None:
                    history.accuracy.append(acc)
                if Xv is not None:
                    Ev, acc_v = _measure(net, Xv, Yv, track_accuracy)
                    history.val_loss.append(Ev)
                    if acc_v is not None:
                        history.val_accuracy.append(acc_v)
                monitored = history.val_loss[-1] if Xv is not None else E
                if monitored < best - min_delta:
                    best, waited, history.best_epoch = monitored, 0, epoch
                    if patience is not None and restore_best:
                        best_params = params.copy()
                else:
                    waited += 1
                if bar is not None:
                    bar.update(1)
                    bar.set_postfix(_postfix(history), refresh=False)
                if callback is not None and callback(epoch, history) is False:
                    history.stopped_early = True
                    break
                if patience is not None and waited >= patience:
                    history.stopped_early = True
                    break
    except KeyboardInterrupt:
        # An update may have been cut off halfway: go back to the last whole epoch.
        params[:] = last_good
        history.interrupted = True
        if verbose:
            print(f"\ninterrupted in epoch {epoch}; keeping the weights after epoch {history.epochs}")
    finally:
        if bar is not None:
            bar.close()
    if best_params is not None and history.stopped_early and not history.interrupted:
        params[:] = best_params
    return history


def _postfix(history):
    out = {"loss": f"{history.loss[-1]:.4g}"}
    if history.accuracy:
        out["acc"] = f"{history.accuracy[-1]:.3f}"
    if history.val_loss:
        out["val_loss"] = f"{history.val_loss[-1]:.4g}"
    return out


#: Losses whose E is a sum over the samples (the others are means): an epoch's running
#: loss adds their batch losses instead of averaging them.
SUMMED_LOSSES = {"sse"}


def _epoch(net, X, Y, size, opt, weight_decay, fused, seen):
    """One epoch of updates; returns (running loss, running accuracy or None).

    ``seen`` (n, n_outputs), when given, collects each batch's outputs as the
    forward pass computed them, for the running accuracy.
    """
    n = len(X)
    batch_outputs = getattr(net.runner, "train_outputs", None)
    if fused is not None:
        losses = fused(net.params, X, Y, size, opt, weight_decay, seen)
    else:
        losses = []
        for lo in range(0, n, size):
            losses.append(net.train_step(X[lo:lo + size], Y[lo:lo + size], opt, weight_decay))
            if seen is not None and batch_outputs is not None:
                seen[lo:lo + size] = batch_outputs()
            if not math.isfinite(losses[-1]):
                break
    if len(losses) < -(-n // size):
        return math.nan, None
    losses = np.asarray(losses)
    if net.loss not in SUMMED_LOSSES:   # a mean over each batch: weigh it by the batch's size
        sizes = np.full(len(losses), float(size))
        sizes[-1] = n - size * (len(losses) - 1)
        losses = losses * (sizes / n)
    E = float(np.sum(losses))
    if seen is None or (fused is None and batch_outputs is None):
        return E, None
    return E, metrics.accuracy(metrics.labels(Y), metrics.classes(seen))


def _measure(net, X, Y, track_accuracy):
    """Loss on (X, Y), and accuracy when tracked; one forward pass."""
    trace = net.forward(X)
    E = net.loss_function.value(trace.output_sums, trace.outputs, Y)
    acc = metrics.accuracy(metrics.labels(Y), metrics.classes(trace.outputs)) if track_accuracy else None
    return E, acc
