"""The training loop: epochs of (mini-)batch gradient descent with a chosen optimiser.

``batch_size=1`` updates after every example (the tutorial's sequential
update), ``batch_size=None`` once per epoch over all data (its batch
update), any other n after every n examples. Each update follows the
gradient of the loss as defined on that batch: the summed error for
``sse``, the mean for the others.
"""
import math
import time

import numpy as np

from . import fused_fit, metrics
from .callbacks import Hooks, as_callbacks
from .errors import suggest
from .history import History
from .measure import figures, keep_figures
from .optimizers import OPTIMIZERS, Optimizer, make_optimizer
from .regularization import penalty
from .samples import as_inputs, as_sample_weights, is_binary
from .schedules import make_schedule
from .validation import split


class TrainingDiverged(RuntimeError):
    """The loss became NaN or infinite; the network keeps its last finite weights.

    ``history`` holds the epochs recorded before it happened.
    """

    def __init__(self, message, history):
        super().__init__(message)
        self.history = history


def _progress(epochs, verbose):
    if not verbose:
        return None
    try:
        from tqdm.auto import tqdm
    except ImportError:
        return None
    return tqdm(total=epochs, unit="epoch", leave=True, dynamic_ncols=True)


#: fit's own keyword arguments (besides the optimiser's hyperparameters).
FIT_OPTIONS = ("epochs", "lr", "batch_size", "optimizer", "shuffle", "seed", "weight_decay",
               "validation_data", "validation_split", "patience", "min_delta", "restore_best",
               "verbose", "callback", "init", "sample_weight", "lr_schedule")


def train_step(net, X, Y, optimizer, weight_decay=0.0, weights=None):
    """One update on a batch: forward, backward, ``optimizer.step``; returns E before it.

    ``X`` (n, n_inputs) and ``Y`` (n, n_outputs) must already be checked
    float64 arrays (see :meth:`~dagnet.Network.targets`), ``weights`` (n,)
    per-sample weights or None, ``weight_decay`` a number or an
    :class:`~dagnet.regularization.L2`; ``fit`` calls this in its loop.
    A batch whose weights are all 0 makes no update and returns 0.
    """
    if weights is not None and not weights.any():
        return 0.0      # no sample counts: no update at all (no penalty, no optimiser step)
    E, grad = net.runner.train_gradient(net.params, X, Y, weights)
    if weight_decay:
        grad += penalty(weight_decay).gradient(net.params, net.plan, len(X))   # ∂/∂θ of (λ/2)‖θ‖²
    optimizer.step(net.params, grad)
    return E


def fit(net, X, Y, epochs=100, lr=None, batch_size=None, optimizer="sgd", shuffle=True, seed=None,
        weight_decay=0.0, validation_data=None, validation_split=0.0, patience=None, min_delta=0.0,
        restore_best=True, verbose=True, callback=None, init=None, sample_weight=None,
        lr_schedule=None, exact_loss=False, **optimizer_params):
    """Train by gradient descent; return a :class:`~dagnet.history.History`.

    Parameters
    ----------
    X : array of shape (n_samples, n_inputs)
    Y : array of shape (n_samples, n_outputs)
        For ``cross_entropy`` also integer labels of shape (n_samples,) or (n_samples, 1).
    epochs : int
    lr : float or None
        Learning rate η; None takes the optimiser's default (sgd, momentum,
        nesterov: 0.01; adam: 0.001).
    batch_size : int or None
        1 updates after each example (sequential), None once per epoch
        on all data (batch), n after every n examples.
    optimizer : {"sgd", "momentum", "nesterov", "adam"} or Optimizer
        Further keyword arguments (``momentum``, ``beta1``, ...) go to it.
    shuffle : bool
        Visit the examples in a new random order every epoch.
    seed : int or None
        Seeds shuffling, the validation split (and ``init``): same seed,
        same weights, bit for bit. None takes the network's own seed
        (the one it was loaded with), so ``load(..., seed=s)`` then
        ``fit`` is reproducible too.
    weight_decay : float or dagnet.regularization.L2
        L2 penalty λ: adds λθ to the gradient of every trainable parameter
        (an ``L2`` can leave the biases out or scale with the batch).
    validation_data : (X_val, Y_val) or None
    validation_split : float
        Hold out this fraction of (X, Y), drawn at random (seeded), for
        validation instead; for classifiers the fraction of every class.
    patience : int or None
        Stop when the validation loss (else the training loss) has not
        improved by ``min_delta`` for this many epochs; with
        ``restore_best`` the best epoch's weights are put back.
    verbose : bool
        A progress bar (when tqdm is installed).
    callback : callable, Callback, list of them, or None
        A function ``callback(epoch, history)`` is called after each epoch
        (returning False stops); a :class:`dagnet.callbacks.Callback` can
        also act at the start, after chosen update steps (``every``) and
        at the end, and may change the network's structure (see
        :mod:`dagnet.callbacks`).
    init : str or None
        Re-initialise all trainable weights with this scheme first.
    sample_weight : array of shape (n_samples,) or None
        Weigh the samples: each counts this many times in the loss (for the
        mean losses, the weighted mean); validation data stay unweighted.
        A sample of weight 0 is left out, as if it were not in X.
    exact_loss : bool
        False (default): an epoch's ``loss`` (and ``accuracy``) is the running
        figure over its batches, each as computed before that batch's update
        (free, as Keras and scikit-learn report it); True: E on the whole
        training set after each epoch (one more forward pass over all of it).
        Validation data are measured after every epoch either way.
    lr_schedule : {"constant", "invscaling", "adaptive"}, callable or None
        How the learning rate changes after each epoch (see
        :mod:`dagnet.schedules`); a callable ``(optimizer, epoch, history,
        samples_seen)`` may set ``optimizer.lr`` and return False to stop.

    Returns
    -------
    History

    Raises
    ------
    TrainingDiverged
        When the loss becomes NaN or infinite; the network keeps the
        weights of the last finite epoch and the error carries the history.

    Examples
    --------
    >>> import dagnet, numpy as np
    >>> net = dagnet.load("topologies/xor_2_2_1.yaml", seed=1)
    >>> X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]]); Y = np.array([0, 1, 1, 0])
    >>> history = net.fit(X, Y, epochs=2000, lr=0.5, optimizer="momentum", seed=0, verbose=False)
    >>> net.score(X, Y)
    1.0
    """
    _check_options(optimizer, optimizer_params)
    X = as_inputs(X, net.inputs, net.runner)
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
    decay = penalty(weight_decay)
    if patience is not None and patience < 1:
        raise ValueError(f"patience must be >= 1, got {patience}")
    weights = as_sample_weights(sample_weight, len(X))
    rows = None                       # the rows of X trained on, when some have weight 0
    if weights is not None and not weights.all():
        rows = np.flatnonzero(weights)
        X, Y, weights = X[rows], Y[rows], weights[rows]
    if weights is not None and np.all(weights == 1.0):
        weights = None                # plain samples (the engines' whole-epoch loops take these)
    schedule = make_schedule(lr_schedule)
    seed = net.seed if seed is None else seed     # a seeded network trains reproducibly
    # drawn from only to shuffle and to split: a generator costs more than a small fit's epochs
    rng = np.random.default_rng(seed) if shuffle or validation_split else None
    track_accuracy = net.is_classifier or is_binary(Y)
    X, Y, Xv, Yv, held = split(X, Y, validation_data, validation_split, net, rng, stratify=track_accuracy)
    if weights is not None and held is not None:
        weights = np.delete(weights, held)
    opt = make_optimizer(optimizer, lr=lr, **optimizer_params)
    if init is not None:
        net.initialize(init, seed=seed)
    n = len(X)
    size = n if batch_size is None else min(int(batch_size), n)
    # the engine's whole-epoch loop (the native kernel's) can run a plain penalty, unweighted samples
    fusable = weights is None and (not decay or (decay.biases and not decay.per_sample))
    seen = np.empty((n, len(net.outputs))) if track_accuracy and not exact_loss else None

    history = History(validation_indices=held if rows is None or held is None else rows[held])
    hooks = Hooks(as_callbacks(callback))
    hooks.begin(net, opt, -(-n // size), epochs)
    params = net.params
    last_good = params.copy()           # the weights after the last finished epoch
    previous = None                     # and after the one before (see measure.keep_figures)
    best, best_params, waited = math.inf, None, 0
    bar = _progress(epochs, verbose)
    epoch, diverged = 0, None
    if fused_fit.applies(net, opt, fusable, Xv, patience, callback, lr_schedule, exact_loss, bar, epochs):
        if fused_fit.attempt(net, X, Y, epochs, size, opt, decay, shuffle, rng, seen is not None, history,
                             min_delta, verbose):
            return history
        # It diverged and put everything back: the loop below knows which weights to keep.
        history = History(validation_indices=history.validation_indices)
    try:
        # Overflow is how divergence shows (an inf loss, inf weights): it is detected and
        # reported below, as TrainingDiverged; numpy's warnings would only repeat it.
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            for epoch in range(1, epochs + 1):
                started = time.perf_counter()
                order = rng.permutation(n) if shuffle else np.arange(n)
                Xs, Ys, Ws = X[order], Y[order], None if weights is None else weights[order]
                E, acc, restructured = _epoch(net, Xs, Ys, Ws, size, opt, decay, fusable, seen, hooks)
                seconds = time.perf_counter() - started
                if restructured is not None:   # an on_step callback changed the structure mid-epoch
                    params, last_good, previous = net.params, restructured, None
                    best, best_params, waited = math.inf, None, 0
                if exact_loss or (track_accuracy and acc is None):
                    E_all, acc = figures(net, X, Y, track_accuracy, weights)
                    E = E_all if exact_loss else E
                if not math.isfinite(E) or not np.all(np.isfinite(params)):
                    params[:] = last_good
                    history.diverged = True
                    history.weights_epoch = history.epochs
                    what = f"the loss became {E}" if not math.isfinite(E) else \
                        "the weights became infinite or NaN"
                    diverged = f"training diverged in epoch {epoch}: {what}"
                    break
                if previous is None:
                    previous = last_good.copy()
                else:
                    previous[:] = last_good
                last_good[:] = params
                history.weights_epoch = epoch
                history.loss.append(E)
                history.seconds.append(seconds)
                if acc is not None:
                    history.accuracy.append(acc)
                if Xv is not None:
                    Ev, acc_v = figures(net, Xv, Yv, track_accuracy)
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
                if schedule(opt, epoch, history, epoch * n) is False:
                    history.stopped_early = True
                    break
                stop = not hooks.epoch_end(net, epoch, history)
                if net.params is not params:   # the callback changed the structure (dagnet.edits)
                    params, last_good, previous = net.params, net.params.copy(), None
                    best, best_params, waited = math.inf, None, 0
                    _follow_structure(net, opt)
                if stop:
                    history.stopped_early = True
                    break
                if patience is not None and waited >= patience:
                    history.stopped_early = True
                    break
    except KeyboardInterrupt:
        # An update may have been cut off halfway: go back to the last whole epoch.
        params[:] = last_good
        history.interrupted = True
        history.weights_epoch = history.epochs
        if verbose:
            print(f"\ninterrupted in epoch {epoch}; keeping the weights after epoch {history.epochs}")
    finally:
        if bar is not None:
            bar.close()
    if best_params is not None and history.stopped_early and not history.interrupted:
        params[:] = best_params
        history.weights_epoch = history.best_epoch
    if diverged is None:
        hooks.end(net, history)
    if history.weights_epoch:
        keep_figures(net, history, (X, Y, weights), (Xv, Yv), track_accuracy,
                      earlier=previous if diverged is not None else None)
    if diverged is not None:
        raise TrainingDiverged(f"{diverged}; the weights are those after epoch {history.weights_epoch}; "
                               f"try a smaller lr (now {opt.lr:g})", history)
    return history


def _follow_structure(net, opt):
    """After a callback changed the structure: start the optimiser afresh unless its state was carried."""
    if any(np.shape(a) != net.params.shape for a in opt.state.values()):
        opt.reset()            # state not carried across (the edits' optimizer=)


def _epoch(net, X, Y, W, size, opt, decay, fusable, seen, hooks):
    """One epoch of updates; returns (running loss, running accuracy or None, restructured).

    The running loss gathers each batch's E as the epoch computed it: summed
    for a loss that sums over samples, else each batch's mean weighed by its
    share of the samples (of the sample weights). ``seen`` (n, n_outputs),
    when given, collects each batch's outputs, for the running accuracy.
    The batches run in stretches between the steps where a callback's
    ``on_step`` is due (the whole epoch when none is); ``restructured`` is
    a copy of the parameters right after the last callback that changed
    the structure, else None.
    """
    n = len(X)
    n_batches = -(-n // size)
    losses, fused_any, restructured = [], False, None
    start = 0
    for stop in hooks.stops(n_batches) + [n_batches]:
        if stop == start:
            continue
        lo, hi = start * size, min(stop * size, n)
        stretch, fused = _stretch(net, X[lo:hi], Y[lo:hi], None if W is None else W[lo:hi], size, opt,
                                  decay, fusable, None if seen is None else seen[lo:hi])
        losses += stretch
        fused_any = fused_any or fused
        if len(stretch) < stop - start or not math.isfinite(stretch[-1]):
            break
        params = net.params
        last = (stop - 1) * size                  # the stretch's last batch
        hooks.after(net, opt, stop - start, X[last:hi], Y[last:hi])
        if net.params is not params:
            _follow_structure(net, opt)
            restructured = net.params.copy()
        start = stop
    if len(losses) < n_batches:
        return math.nan, None, restructured
    losses = np.asarray(losses)
    if net.loss_function.mean:
        shares = np.add.reduceat(np.ones(n) if W is None else W, np.arange(0, n, size))
        losses = losses * (shares / shares.sum())
    E = float(np.sum(losses))
    if seen is None or (not fused_any and getattr(net.runner, "train_outputs", None) is None):
        return E, None, restructured
    return E, metrics.accuracy(metrics.labels(Y), metrics.classes(seen)), restructured


def _stretch(net, X, Y, W, size, opt, decay, fusable, seen):
    """The updates on consecutive batches of (X, Y); returns (their losses, whether fused).

    Stops after the first batch whose loss is not finite.
    """
    runner = net.runner                 # (a callback may have restructured the network: ask anew)
    batch_outputs = getattr(runner, "train_outputs", None)
    fused = getattr(runner, "train_epoch", None) if fusable and getattr(runner, "fuses", None) else None
    fused = fused if fused is not None and runner.fuses(opt) else None
    if fused is not None:
        return list(fused(net.params, X, Y, size, opt, decay.strength if decay else 0.0, seen)), True
    losses = []
    for lo in range(0, len(X), size):
        losses.append(net.train_step(X[lo:lo + size], Y[lo:lo + size], opt, decay,
                                     None if W is None else W[lo:lo + size]))
        if seen is not None and batch_outputs is not None:
            seen[lo:lo + size] = batch_outputs()
        if not math.isfinite(losses[-1]):
            break
    return losses, False


def _check_options(optimizer, options):
    """Keyword arguments beyond fit's own must be the optimiser's hyperparameters; suggest near misses."""
    if isinstance(optimizer, Optimizer) or not options:
        return
    anywhere = {k for c in OPTIMIZERS.values() for k in c.hyperparameters}
    for key in options:   # a misspelt fit option; an optimiser's own are make_optimizer's to check
        near = suggest(key, FIT_OPTIONS)
        if key not in anywhere and near:
            raise TypeError(f"fit() got an unexpected keyword argument {key!r}{near}")


def _postfix(history):
    out = {"loss": f"{history.loss[-1]:.4g}"}
    if history.accuracy:
        out["acc"] = f"{history.accuracy[-1]:.3f}"
    if history.val_loss:
        out["val_loss"] = f"{history.val_loss[-1]:.4g}"
    return out
