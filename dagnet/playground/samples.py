"""The data of a playground session: a built-in set or an uploaded CSV, fitted to the network and split.

:func:`builtin` and :func:`from_csv` give a :class:`Table` (every column
the data has); :func:`fit` picks the columns a network needs, turns class
labels into its targets (:func:`dagnet.samples.targets_for`) and splits
the samples into training and test sets, seeded, so that the same
settings always give the same split.

Examples
--------
>>> import dagnet
>>> net = dagnet.load("topologies/tutorial_2_5_1.yaml", seed=0)
>>> data = fit(net, builtin("nonlinear", n_samples=50), test_fraction=0.2)
>>> data.X_train.shape, data.X_test.shape, data.task, data.labels[:5].tolist()
((40, 2), (10, 2), 'classification', [1, 0, 0, 1, 0])
"""
import csv
import functools
import io
from dataclasses import dataclass

import numpy as np

from .. import datasets
from ..features import arrange, split_inputs
from ..errors import suggest
from ..samples import is_binary, is_labels, targets_for
from ..text import names
from . import limits


@dataclass(frozen=True)
class Table:
    """Samples as read: ``values`` (n_samples, n_columns) float64 and what they are.

    ``n_inputs`` columns come first for a built-in set (its targets after
    them); a CSV names its columns in ``header`` and the network picks them.
    """

    source: str
    header: tuple
    values: np.ndarray
    task: str = None
    n_classes: int = None
    n_inputs: int = None


@dataclass(frozen=True)
class Data:
    """A table fitted to a network: inputs, targets and labels, split into training and test.

    ``X`` (n_samples, n_inputs) are the network's inputs, its derived
    ones (:mod:`dagnet.features`) computed from the data's own columns
    ``X[:, own]``, whose box ``extent`` is the plane the pictures show.
    ``labels`` (n_samples,) int are the classes for pictures (None for
    regression); ``Y`` (n_samples, n_outputs) are the targets the loss takes.
    ``train`` and ``test`` are index arrays into the samples.
    """

    source: str
    X: np.ndarray
    Y: np.ndarray
    labels: object
    task: str
    train: np.ndarray
    test: np.ndarray
    extent: tuple
    inputs: tuple
    own: tuple

    def inputs_at(self, points):
        """The network's inputs at ``points`` (m, len(own)) of the data's own columns: shape (m, n_inputs)."""
        return arrange(points, self.inputs) if len(self.own) != len(self.inputs) else points

    @property
    def X_train(self):
        return self.X[self.train]

    @property
    def Y_train(self):
        return self.Y[self.train]

    @property
    def X_test(self):
        return self.X[self.test]

    @property
    def Y_test(self):
        return self.Y[self.test]


def builtin(name, n_samples=None, noise=None, seed=0):
    """A built-in data set as a :class:`Table` (``n_samples`` bounded by ``limits.MAX_SAMPLES``)."""
    if n_samples is not None and not (isinstance(n_samples, int) and 1 <= n_samples <= limits.MAX_SAMPLES):
        raise ValueError(f"n_samples must be a whole number from 1 to {limits.MAX_SAMPLES}, "
                         f"got {n_samples!r}")
    if noise is not None and not (isinstance(noise, (int, float)) and not isinstance(noise, bool)
                                  and 0 <= noise <= 10):
        raise ValueError(f"noise must be a number from 0 to 10, got {noise!r}")
    X, Y = datasets.load(name, n_samples=n_samples, noise=noise, seed=seed)
    info = datasets.info(name)
    header = tuple(f"x{k + 1}" for k in range(X.shape[1])) + ("y",)
    return Table(name, header, np.hstack([X, Y]), info["task"], info["n_classes"], X.shape[1])


#: Points in a data set's thumbnail.
PREVIEW_SAMPLES = 120


@functools.lru_cache(maxsize=None)
def preview(name):
    """A few points of built-in set ``name`` for its thumbnail: ``{"x": [[x1, x2], ...], "label" or "y": [...]}``.

    >>> sorted(preview("moons")), len(preview("moons")["x"])
    (['label', 'x'], 120)
    """
    X, Y = datasets.load(name, n_samples=PREVIEW_SAMPLES, seed=0)
    target = "label" if datasets.info(name)["task"] == "classification" else "y"
    values = Y[:, 0].astype(int).tolist() if target == "label" else np.round(Y[:, 0], 3).tolist()
    return {"x": np.round(X, 3).tolist(), target: values}


def from_csv(text, source="upload.csv"):
    """A :class:`Table` from CSV text with a header row (every cell a finite number)."""
    if len(text.encode("utf-8")) > limits.MAX_CSV_BYTES:
        raise ValueError(f"{source}: over the limit of {limits.MAX_CSV_BYTES // 2**20} MiB for a CSV file")
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff"), newline=""))   # any line ending, as load_csv
    try:
        rows = [row for row in reader if any(c.strip() for c in row)]
    except csv.Error as err:
        raise ValueError(f"{source}: line {reader.line_num}: not CSV this reader takes ({err})") from None
    if not rows:
        raise ValueError(f"{source}: empty; expected a header row of column names, then numbers")
    header = tuple(c.strip() for c in rows[0])
    if len(header) > limits.MAX_COLUMNS:
        raise ValueError(f"{source}: {len(header)} columns is over the limit of {limits.MAX_COLUMNS}")
    if len(set(header)) != len(header) or not all(header):
        raise ValueError(f"{source}: the header row needs distinct, non-empty column names")
    body = rows[1:]
    if not body:
        raise ValueError(f"{source}: no data rows below the header")
    if len(body) > limits.MAX_SAMPLES:
        raise ValueError(f"{source}: {len(body)} rows is over the limit of {limits.MAX_SAMPLES}")
    values = np.empty((len(body), len(header)))
    for i, row in enumerate(body):
        if len(row) != len(header):
            raise ValueError(f"{source}: row {i + 2} has {len(row)} cells, the header {len(header)}")
        for j, cell in enumerate(row):
            try:
                values[i, j] = float(cell)
            except ValueError:
                raise ValueError(f"{source}: row {i + 2}, column {header[j]!r}: {cell.strip()!r} "
                                 f"is not a number") from None
    if not np.all(np.isfinite(values)):
        i, j = np.argwhere(~np.isfinite(values))[0]
        raise ValueError(f"{source}: row {i + 2}, column {header[j]!r} is not finite")
    return Table(source, header, values)


def from_arrays(X, Y, source="X, Y"):
    """A :class:`Table` of inputs ``X`` (n_samples, n_inputs) and targets ``Y`` (n_samples,) or (n_samples, n_targets).

    >>> from_arrays([[0, 1], [1, 0]], [1, 0]).header
    ('x1', 'x2', 'y1')
    """
    arrays = []
    for name, value in (("X", X), ("Y", Y)):
        try:
            value = np.asarray(value, dtype=np.float64)
        except (TypeError, ValueError):
            raise ValueError(f"{name} must be an array of numbers") from None
        value = value.reshape(-1, 1) if value.ndim == 1 else value
        if value.ndim != 2:
            raise ValueError(f"{name} must have shape (n_samples, n_columns), got {value.shape}")
        if not np.all(np.isfinite(value)):
            raise ValueError(f"{name} has values that are not finite")
        arrays.append(value)
    X, Y = arrays
    if len(X) != len(Y):
        raise ValueError(f"X has {len(X)} samples but Y has {len(Y)}")
    if not 1 <= len(X) <= limits.MAX_SAMPLES:
        raise ValueError(f"the playground takes from 1 to {limits.MAX_SAMPLES} samples, got {len(X)}")
    if X.shape[1] + Y.shape[1] > limits.MAX_COLUMNS:
        raise ValueError(f"{X.shape[1] + Y.shape[1]} columns is over the playground's limit of {limits.MAX_COLUMNS}")
    header = tuple(f"x{k + 1}" for k in range(X.shape[1])) + tuple(f"y{k + 1}" for k in range(Y.shape[1]))
    return Table(source, header, np.hstack([X, Y]), n_inputs=X.shape[1])


def _columns(table, net, own):
    """(input columns, target columns) of ``table`` for the inputs ``own`` of ``net``: by name, else by position."""
    n_in = len(own)
    header = list(table.header)
    if table.n_inputs is not None:
        if table.n_inputs != n_in:
            derived = len(net.inputs) - n_in
            raise ValueError(f"data set {table.source!r} has {table.n_inputs} input column"
                             f"{'s' if table.n_inputs != 1 else ''} but the network has {n_in} "
                             f"input{'s' if n_in != 1 else ''} ({names(own)})"
                             + (f" besides {derived} derived" if derived else ""))
        return list(range(n_in)), list(range(n_in, len(header)))
    own_in = [str(i) for i in own]
    own_out = [str(o) for o in net.outputs]
    if all(n in header for n in own_in):
        inputs = [header.index(n) for n in own_in]
    elif len(header) > n_in:
        inputs = list(range(n_in))
    else:
        raise ValueError(f"{table.source}: columns {', '.join(header)} do not name the network's inputs "
                         f"({names(own)}), and there are too few to take the first {n_in}")
    if all(n in header for n in own_out):
        targets = [header.index(n) for n in own_out]
    else:
        targets = [k for k in range(len(header)) if k not in inputs]
    if not targets:
        missing = [n for n in own_out if n not in header]
        raise ValueError(f"{table.source}: no target column{suggest(missing[0], header) if missing else ''}; "
                         f"name one after an output ({names(net.outputs)}) or add one after the inputs")
    return inputs, targets


def fit(net, table, test_fraction=0.2, seed=0):
    """The :class:`Data` of ``table`` for ``net``, or ValueError saying what does not fit."""
    if not (isinstance(test_fraction, (int, float)) and 0 <= test_fraction <= 0.9):
        raise ValueError(f"test_fraction must be a number from 0 to 0.9, got {test_fraction!r}")
    own, derived = split_inputs(net.inputs)      # derived inputs (x^2, sin(x), ...) are computed
    inputs, targets = _columns(table, net, own)
    X = table.values[:, inputs]
    if derived:
        X = arrange(X, net.inputs)
    Y = table.values[:, targets]
    task = table.task
    if task is None and is_labels(Y) and (net.is_classifier or len(net.outputs) > 1 or is_binary(Y)):
        task = "classification"   # whole numbers for a classifier, or 0/1 for one output: classes
    try:
        targets_Y = targets_for(net, Y, task=task, n_classes=table.n_classes)
    except ValueError as err:
        raise ValueError(f"data {table.source!r} does not fit the network: {err}") from None
    labels = Y.reshape(-1).astype(np.intp) if task == "classification" and Y.shape[1] == 1 else None
    if labels is None and (net.is_classifier or task == "classification"):
        labels = np.argmax(targets_Y, axis=1) if targets_Y.shape[1] > 1 else \
            (targets_Y[:, 0] > 0.5).astype(np.intp)
    order = np.random.default_rng(seed).permutation(len(X))
    n_test = int(round(len(X) * test_fraction))
    if n_test >= len(X):
        n_test = len(X) - 1
    own_columns = tuple(k for k, i in enumerate(net.inputs) if i in own)
    return Data(table.source, X, targets_Y, labels, task or "regression", np.sort(order[n_test:]),
                np.sort(order[:n_test]), extent(X[:, own_columns]), tuple(net.inputs), own_columns)


def extent(X, padding=0.1):
    """The box drawn around samples ``X`` (n, k): ``[(low, high)]`` per input, padded by 10%."""
    X = np.asarray(X, dtype=float)
    if len(X) == 0:
        return tuple((-1.0, 1.0) for _ in range(X.shape[1]))
    lo, hi = X.min(axis=0), X.max(axis=0)
    pad = np.maximum((hi - lo) * padding, 0.1)
    return tuple((float(a), float(b)) for a, b in zip(lo - pad, hi + pad))
