"""The training loop: epochs of (mini-)batch gradient descent with a chosen optimiser.

``batch_size=1`` updates after every example (the tutorial's sequential
update), ``batch_size=None`` once per epoch over all data (its batch
update), any other n after every n examples. Each update follows the
gradient of the loss as defined on that batch: the summed error for
``sse``, the mean for the others.
"""
import copy
import math
import time

import numpy as np

from . import fused_fit, metrics
from .errors import suggest
from .history import History
from .optimizers import OPTIMIZERS, Optimizer, make_optimizer
from .regularization import penalty
from .samples import as_inputs, as_sample_weights, is_binary
from .schedules import make_schedule


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


def _split(X, Y, validation_data, validation_split, net, rng, stratify):
    if validation_data is not None:
        if validation_split:
            raise ValueError("give validation_data or validation_split, not both")
        Xv, Yv = validation_data
        Xv, Yv = as_inputs(Xv, net.inputs, net.runner), net.targets(Yv)
        if len(Xv) != len(Yv):
            raise ValueError(f"validation X has {len(Xv)} samples but Y has {len(Yv)}")
        return X, Y, Xv, Yv, None
    if not validation_split:
        return X, Y, None, None, None
    if not 0 < validation_split < 1:
        raise ValueError(f"validation_split must lie between 0 and 1, got {validation_split}")
    n_val = int(round(len(X) * validation_split))
    if n_val < 1 or n_val >= len(X):
        raise ValueError(f"validation_split={validation_split} leaves no {'validation' if n_val < 1 else 'training'} "
                         f"samples out of {len(X)}")
    held = _held_out(Y, validation_split, n_val, rng, stratify)
    keep = np.ones(len(X), dtype=bool)
    keep[held] = False
    return X[keep], Y[keep], X[held], Y[held], held


def _held_out(Y, fraction, n_val, rng, stratify):
    """Indices of a seeded random validation set; for classifiers, ``fraction`` of every class."""
    if not stratify:
        return np.sort(rng.permutation(len(Y))[:n_val])
    labels = metrics.labels(Y)
    held = []
    for c in np.unique(labels):
        members = np.flatnonzero(labels == c)
        take = int(round(len(members) * fraction))
        held.append(rng.permutation(members)[:min(take, len(members) - 1)])
    return np.sort(np.concatenate(held))


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
    callback : callable or None
        ``callback(epoch, history)`` after each epoch; returning False stops.
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
    X, Y, Xv, Yv, held = _split(X, Y, validation_data, validation_split, net, rng, stratify=track_accuracy)
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
    params = net.params
    last_good = params.copy()           # the weights after the last finished epoch
    previous = None                     # and after the one before (see _keep_figures)
    best, best_params, waited = math.inf, None, 0
    bar = _progress(epochs, verbose)
    epoch, diverged = 0, None
    if fused_fit.applies(net, opt, fusable, Xv, patience, callback, lr_schedule, exact_loss, bar, epochs):
        start = params.copy(), copy.deepcopy(opt.__dict__), rng.bit_generator.state if rng else None
        if _fused(net, X, Y, epochs, size, opt, decay, shuffle, rng, seen is not None, history, min_delta,
                  verbose):
            return history
        # It diverged: the epochs run again on the loop below, which knows which weights to keep.
        params[:], rng_state = start[0], start[2]
        opt.__dict__.update(copy.deepcopy(start[1]))
        if rng is not None:
            rng.bit_generator.state = rng_state
        history = History(validation_indices=history.validation_indices)
    try:
        # Overflow is how divergence shows (an inf loss, inf weights): it is detected and
        # reported below, as TrainingDiverged; numpy's warnings would only repeat it.
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            for epoch in range(1, epochs + 1):
                started = time.perf_counter()
                order = rng.permutation(n) if shuffle else np.arange(n)
                Xs, Ys, Ws = X[order], Y[order], None if weights is None else weights[order]
                E, acc = _epoch(net, Xs, Ys, Ws, size, opt, decay, fusable, seen)
                seconds = time.perf_counter() - started
                if exact_loss or (track_accuracy and acc is None):
                    E_all, acc = _measure(net, X, Y, track_accuracy, weights)
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
                if schedule(opt, epoch, history, epoch * n) is False:
                    history.stopped_early = True
                    break
                stop = callback is not None and callback(epoch, history) is False
                if net.params is not params:   # the callback changed the structure (dagnet.edits)
                    params, last_good, previous = net.params, net.params.copy(), None
                    best, best_params, waited = math.inf, None, 0
                    if any(np.shape(a) != params.shape for a in opt.state.values()):
                        opt.reset()            # state not carried across (the edits' optimizer=)
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
    if history.weights_epoch:
        _keep_figures(net, history, (X, Y, weights), (Xv, Yv), track_accuracy,
                      earlier=previous if diverged is not None else None)
    if diverged is not None:
        raise TrainingDiverged(f"{diverged}; the weights are those after epoch {history.weights_epoch}; "
                               f"try a smaller lr (now {opt.lr:g})", history)
    return history


def _keep_figures(net, history, data, validation, track_accuracy, earlier=None):
    """Measure the weights the network holds (one pass over the data): ``history.kept``.

    ``data`` is (X, Y, weights or None), ``validation`` (X, Y) or (None, None).
    ``earlier``, after a divergence, holds the weights of the epoch before
    the last: the last epoch's weights are finite, but their own E may not
    be (in batch mode that is what the diverging epoch measured first), and
    then the network keeps those earlier weights instead.
    """
    (X, Y, weights), (Xv, Yv) = data, validation
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):   # the weights may be huge
        E, acc = _measure(net, X, Y, track_accuracy, weights)
        if not math.isfinite(E) and earlier is not None:
            net.params[:] = earlier
            history.weights_epoch -= 1
            if not history.weights_epoch:
                return
            E, acc = _measure(net, X, Y, track_accuracy, weights)
        figures = {"loss": E, "accuracy": acc}
        if Xv is not None:
            figures["val_loss"], figures["val_accuracy"] = _measure(net, Xv, Yv, track_accuracy)
    history.kept = {name: value for name, value in figures.items() if value is not None}


def _fused(net, X, Y, epochs, size, opt, decay, shuffle, rng, track_accuracy, history, min_delta, verbose):
    """fit's loop as whole runs of epochs in the engine (see :mod:`dagnet.fused_fit`).

    True when done (``history`` filled, ``kept`` measured); False when the
    run diverged, for fit to run the epochs again on its own loop.
    """
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        done, diverged, interrupted = fused_fit.run(net, X, Y, epochs, size, opt, decay, shuffle, rng,
                                                    track_accuracy, history, min_delta)
    if diverged:
        return False
    if interrupted:
        history.interrupted = True
        if verbose:
            print(f"\ninterrupted; keeping the weights after epoch {done}")
    if history.weights_epoch:
        _keep_figures(net, history, (X, Y, None), (None, None), track_accuracy)
    return True


def _epoch(net, X, Y, W, size, opt, decay, fusable, seen):
    """One epoch of updates; returns (running loss, running accuracy or None).

    The running loss gathers each batch's E as the epoch computed it: summed
    for a loss that sums over samples, else each batch's mean weighed by its
    share of the samples (of the sample weights). ``seen`` (n, n_outputs),
    when given, collects each batch's outputs, for the running accuracy.
    """
    n = len(X)
    runner = net.runner                 # (a callback may have restructured the network: ask anew)
    batch_outputs = getattr(runner, "train_outputs", None)
    fused = getattr(runner, "train_epoch", None) if fusable and getattr(runner, "fuses", None) else None
    fused = fused if fused is not None and runner.fuses(opt) else None
    if fused is not None:
        losses = fused(net.params, X, Y, size, opt, decay.strength if decay else 0.0, seen)
    else:
        losses = []
        for lo in range(0, n, size):
            losses.append(net.train_step(X[lo:lo + size], Y[lo:lo + size], opt, decay,
                                         None if W is None else W[lo:lo + size]))
            if seen is not None and batch_outputs is not None:
                seen[lo:lo + size] = batch_outputs()
            if not math.isfinite(losses[-1]):
                break
    if len(losses) < -(-n // size):
        return math.nan, None
    losses = np.asarray(losses)
    if net.loss_function.mean:
        shares = np.add.reduceat(np.ones(n) if W is None else W, np.arange(0, n, size))
        losses = losses * (shares / shares.sum())
    E = float(np.sum(losses))
    if seen is None or (fused is None and batch_outputs is None):
        return E, None
    return E, metrics.accuracy(metrics.labels(Y), metrics.classes(seen))


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


def _measure(net, X, Y, track_accuracy, weights=None):
    """Loss on (X, Y) (weighted when ``weights`` are given), and accuracy when tracked; one forward pass."""
    trace = net.forward(X)
    E = net.loss_function.value_and_delta(trace.output_sums, trace.outputs, Y, net.plan.output_groups,
                                          weights)[0] if weights is not None else \
        net.loss_function.value(trace.output_sums, trace.outputs, Y)
    acc = metrics.accuracy(metrics.labels(Y), metrics.classes(trace.outputs)) if track_accuracy else None
    return E, acc
