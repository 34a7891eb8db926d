"""Samples in: X and Y checked against a network and shaped as its engines and loss take them.

Every way data reaches a network (``forward``, ``fit``, the command line,
sweeps, the scikit-learn estimators, pictures) goes through here, so the
rules live once: which column is which input, when a column of whole
numbers is class labels, and how labels become targets for one output
(two classes) or one output per class.

Examples
--------
>>> import numpy as np
>>> class_targets(np.array([0, 2, 1]), n_outputs=3)
array([[1., 0., 0.],
       [0., 0., 1.],
       [0., 1., 0.]])
>>> is_labels(np.array([[0.0], [1.0], [3.0]]))
True
"""
from collections.abc import Mapping

import numpy as np

from .activations import record


def as_inputs(X, inputs, engine=None):
    """Check the samples ``X`` and return them as float64 of shape (n_samples, n_inputs).

    ``X`` may be an array (columns in ``inputs`` order), a mapping of input
    name to column, or a table with named columns (a pandas DataFrame),
    whose columns are then picked by name. ``engine``, the engine X is for,
    bounds the values: one that computes in float32 (``engine="float32"``)
    refuses a value beyond float32's range instead of reading it as inf.
    """
    names = [str(i) for i in inputs]
    columns = getattr(X, "columns", None)
    if columns is not None and not isinstance(X, np.ndarray):
        found = [str(c) for c in columns]
        if set(names) <= set(found):
            X = {name: X[c] for name, c in zip(found, columns) if name in names}
            inputs = names
        elif found != [str(k) for k in range(len(found))]:
            raise ValueError(f"X has columns {found} but the network's inputs are {names}; "
                             f"name the columns after the inputs, or pass an array")
    if isinstance(X, Mapping):
        missing = [i for i in inputs if i not in X]
        if missing:
            raise ValueError(f"X has no column for input(s) {missing}; expected {list(inputs)}")
        X = np.column_stack([np.asarray(X[i], dtype=np.float64).reshape(-1) for i in inputs]) \
            if len(inputs) else np.empty((0, 0))
    X = np.asarray(X)
    if X.dtype.kind not in "biuf":
        raise ValueError(f"X must be numeric, got dtype {X.dtype}")
    X = X.astype(np.float64, copy=False)
    if X.ndim == 1 and len(inputs) == 1:
        X = X.reshape(-1, 1)
    if X.ndim != 2 or X.shape[1] != len(inputs):
        raise ValueError(f"X must have shape (n_samples, {len(inputs)}), one column per input "
                         f"{list(inputs)}; got shape {X.shape}")
    bad = ~np.isfinite(X)
    if bad.any():
        row, col = np.argwhere(bad)[0]
        raise ValueError(f"X has a non-finite value ({X[row, col]}) at row {row}, "
                         f"input {list(inputs)[col]!r}")
    dtype = np.dtype(getattr(engine, "dtype", np.float64))
    largest = np.finfo(dtype).max if dtype.kind == "f" else np.inf
    if largest < np.finfo(np.float64).max and X.size and np.abs(X).max() > largest:
        row, col = np.argwhere(np.abs(X) > largest)[0]
        raise ValueError(f"X has a value ({X[row, col]:g}) at row {row}, input {list(inputs)[col]!r} "
                         f"beyond the range of the {dtype.name} engine (±{largest:.4g}); scale the "
                         f"inputs or use a float64 engine")
    return X


def as_sample_weights(sample_weight, n):
    """Check per-sample weights and return them as float64 of shape (n,), or None for None.

    Each weight must be a finite number >= 0 (0: the sample does not
    count), and at least one must be above 0, else no sample counts and
    the weighted loss is undefined.
    """
    if sample_weight is None:
        return None
    w = np.asarray(sample_weight)
    if w.dtype.kind not in "biuf":
        raise ValueError(f"sample_weight must be numeric, got dtype {w.dtype}")
    w = w.astype(np.float64, copy=False).reshape(-1)
    if len(w) != n:
        raise ValueError(f"sample_weight has {len(w)} values for {n} samples")
    bad = ~np.isfinite(w) | (w < 0)
    if bad.any():
        row = int(np.argmax(bad))
        raise ValueError(f"sample_weight must be finite numbers >= 0; row {row} has {w[row]}")
    if n and not w.any():
        raise ValueError(f"sample_weight is zero for all {n} samples: no sample would count")
    return w


def is_labels(Y):
    """True when ``Y`` is one column (or a vector) of whole numbers >= 0: class labels."""
    Y = np.asarray(Y)
    if Y.size == 0 or Y.dtype.kind not in "biuf" or (Y.ndim == 2 and Y.shape[1] != 1) or Y.ndim > 2:
        return False
    return bool(np.all(np.isfinite(Y)) and np.all(Y >= 0) and np.all(Y == np.round(Y)))


def is_binary(Y):
    """True when every target is 0 or 1 (labels of two classes, or one-hot rows)."""
    Y = np.asarray(Y)
    return Y.size > 0 and bool(np.all((Y == 0) | (Y == 1)))


def class_targets(labels, n_outputs, n_classes=None):
    """Targets for ``n_outputs`` outputs from class labels 0..k−1, float64 (n_samples, n_outputs).

    One output takes two classes as they are (ŷ = 1 means class 1);
    k outputs take k classes as one-hot rows (output j is class j), which
    every loss reads. Anything else is a ValueError saying what fits.
    """
    labels = np.asarray(labels).reshape(-1)
    k = int(n_classes) if n_classes else (int(labels.max()) + 1 if labels.size else 0)
    if labels.size and labels.max() >= k:
        raise ValueError(f"class label {labels.max():g} found but only {k} classes declared")
    if n_outputs == 1 and k <= 2:
        return labels.astype(np.float64).reshape(-1, 1)
    if n_outputs == k:
        return np.eye(k)[labels.astype(np.intp)]
    if n_outputs == 1:
        raise ValueError(f"{k} classes but the network has one output; a classifier of more than "
                         f"two classes needs one output per class (softmax with cross_entropy)")
    raise ValueError(f"{k} classes but the network has {n_outputs} outputs; a classifier needs one "
                     f"output per class, or one output for two classes")


def targets_for(net, Y, task=None, n_classes=None):
    """``Y`` as ``net``'s loss takes it: class labels become targets, anything else is checked.

    A column of whole numbers >= 0 is taken as class labels when ``task`` is
    ``"classification"``, or when no task is given and the network is a
    classifier or has several outputs; labels go through
    :func:`class_targets`. The result passes ``net.targets`` (the loss's
    own rules), so any problem is one ValueError.
    """
    Y = np.asarray(Y)
    n_out = len(net.outputs)
    labels = is_labels(Y) and (task == "classification" or (
        task is None and (net.is_classifier or n_out > 1)))
    if labels:
        Y = class_targets(Y, n_out, n_classes)
    elif task == "classification":
        raise ValueError("classification needs one target column of class labels 0, 1, ...")
    elif Y.ndim == 2 and Y.shape[1] != n_out:
        raise ValueError(f"{Y.shape[1]} target column{'s' if Y.shape[1] != 1 else ''} but the "
                         f"network has {n_out} output{'s' if n_out != 1 else ''}")
    Y = net.targets(Y)
    _check_reachable(net, Y)
    return Y


def _check_reachable(net, Y):
    """Refuse targets that an output's activation can never produce (0..2 for a sigmoid)."""
    for m, node in enumerate(net.outputs):
        low, high = record(net.plan.activation[node]).range
        y = Y[:, m]
        if y.size and ((low is not None and y.min() < low) or (high is not None and y.max() > high)):
            bounds = f"[{'-∞' if low is None else f'{low:g}'}, {'∞' if high is None else f'{high:g}'}]"
            raise ValueError(f"targets of output {node!r} run {y.min():g}..{y.max():g}, outside what "
                             f"its {net.plan.activation[node]} activation can give, {bounds}; for "
                             f"classes give one output per class, for regression a linear output")
