"""Built-in data sets (seeded, no download) and CSV files as ``X, Y`` arrays.

Classification sets return ``Y`` as one column of class labels 0, 1, ... (floats),
the shape ``binary_cross_entropy``/``sse`` on one output and ``cross_entropy`` on
k outputs take; ``one_hot=True`` gives one column per class instead. Regression
sets return the target values.

>>> from dagnet import datasets
>>> X, Y = datasets.load("xor")
>>> X.tolist(), Y.ravel().tolist()
([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]], [0.0, 1.0, 1.0, 0.0])
>>> X, Y = datasets.load("moons", n_samples=6, seed=0)
>>> X.shape, Y.shape
((6, 2), (6, 1))

``datasets.features(X, ["x^2", "sin(x)"])`` adds derived input columns
(:mod:`dagnet.features`) for a network with inputs of those names.
"""
import os
from dataclasses import dataclass
from typing import Callable

import numpy as np

from .errors import suggest
from .graph import finite, is_number
from .limits import LIMITS, hint
from .files import atomic_write
from .tables import read_table
from .features import features  # noqa: F401 (derived input columns: x^2, xy, sin(x), ...)
from . import mnist1d

_TRUTH = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])


def _gate(table):
    def make(n_samples, noise, rng):
        if n_samples is None:
            return _TRUTH.copy(), np.array(table, dtype=float)
        corner = rng.integers(0, 4, n_samples)
        X = _TRUTH[corner] + rng.normal(0.0, 0.1 if noise is None else noise, (n_samples, 2))
        return X, np.asarray(table, dtype=float)[corner]
    return make


def _linear(n_samples, noise, rng):
    """Red/blue points in the unit square either side of a line, with a clear margin."""
    X = _sample_square(n_samples, rng, lambda X: np.abs(X[:, 1] - 0.8 * X[:, 0] - 0.1) > 0.05)
    return X, (X[:, 1] > 0.8 * X[:, 0] + 0.1).astype(float)


def _nonlinear(n_samples, noise, rng):
    """Red/blue points in the unit square that no line separates: a disc of blue in red."""
    r2 = lambda X: (X[:, 0] - 0.5) ** 2 + (X[:, 1] - 0.5) ** 2  # noqa: E731
    X = _sample_square(n_samples, rng, lambda X: np.abs(np.sqrt(r2(X)) - 0.3) > 0.03)
    return X, (r2(X) < 0.09).astype(float)


def _sample_square(n, rng, keep):
    """n points uniform in [0, 1]², rejecting those ``keep`` refuses (the margin)."""
    points = np.empty((0, 2))
    while len(points) < n:
        draw = rng.random((2 * n, 2))
        points = np.vstack([points, draw[keep(draw)]])
    return points[:n]


def _moons(n_samples, noise, rng):
    labels = rng.integers(0, 2, n_samples)
    t = rng.uniform(0.0, np.pi, n_samples)
    upper = np.c_[np.cos(t), np.sin(t)]
    lower = np.c_[1.0 - np.cos(t), 0.5 - np.sin(t)]
    X = np.where(labels[:, None] == 0, upper, lower)
    return X + rng.normal(0.0, 0.1 if noise is None else noise, X.shape), labels.astype(float)


def _circles(n_samples, noise, rng):
    labels = rng.integers(0, 2, n_samples)
    angle = rng.uniform(0.0, 2 * np.pi, n_samples)
    radius = np.where(labels == 0, 1.0, 0.5)
    X = radius[:, None] * np.c_[np.cos(angle), np.sin(angle)]
    return X + rng.normal(0.0, 0.05 if noise is None else noise, X.shape), labels.astype(float)


def _spirals(n_samples, noise, rng):
    """Two interleaved spirals of 1.5 turns each, in about [-1, 1]²."""
    labels = rng.integers(0, 2, n_samples)
    t = np.sqrt(rng.uniform(0.0, 1.0, n_samples)) * 3 * np.pi
    angle = t + np.pi * labels
    X = (t / (3 * np.pi))[:, None] * np.c_[np.cos(angle), np.sin(angle)]
    return X + rng.normal(0.0, 0.02 if noise is None else noise, X.shape), labels.astype(float)


def _two_spirals(n_samples, noise, rng):
    """Lang & Witbrock's two spirals (1988), as the CMU benchmark and Fahlman's cascade-correlation code build them.

    Point i of 97 (i = 0..96) lies at angle iπ/16 and radius 6.5(104 − i)/104:
    (r sin θ, r cos θ) is class 1, its mirror image (−x, −y) class 0; three
    turns each, inner points first. Other even sizes space the points along
    the same spirals; ``noise`` (default 0) adds gaussian noise to X.
    """
    if n_samples % 2 or n_samples < 4:
        raise ValueError(f"two_spirals: n_samples must be an even number >= 4 (two spirals of equal "
                         f"length; 194 is Lang & Witbrock's), not {n_samples}")
    i = np.linspace(0.0, 96.0, n_samples // 2)
    angle, radius = i * np.pi / 16, 6.5 * (104 - i) / 104
    spiral = np.c_[radius * np.sin(angle), radius * np.cos(angle)]
    X = np.empty((n_samples, 2))
    X[0::2], X[1::2] = spiral, -spiral
    labels = np.tile([1.0, 0.0], n_samples // 2)
    X, labels = X[::-1].copy(), labels[::-1].copy()
    if noise:
        X += rng.normal(0.0, noise, X.shape)
    return X, labels


def _blobs_options(n_samples, classes=3):
    """Refuse a number of classes ``_blobs`` cannot draw: at least 2, at most one a sample."""
    if isinstance(classes, bool) or not isinstance(classes, (int, np.integer)) or classes < 2:
        raise ValueError(f"blobs: classes must be a whole number >= 2, not {classes!r}")
    if classes > n_samples:
        raise ValueError(f"blobs: classes {classes:,} is more than n_samples {n_samples:,} "
                         f"(at most one class a sample)")


def _blobs(n_samples, noise, rng, classes=3):
    """``classes`` gaussian clouds with centres evenly spaced on a circle of radius 2."""
    labels = rng.integers(0, classes, n_samples)
    angle = 2 * np.pi * np.arange(classes) / classes
    centres = 2.0 * np.c_[np.cos(angle), np.sin(angle)]
    X = centres[labels] + rng.normal(0.0, 0.5 if noise is None else noise, (n_samples, 2))
    return X, labels.astype(float)


def _sine(n_samples, noise, rng):
    X = np.sort(rng.uniform(-np.pi, np.pi, n_samples))[:, None]
    return X, np.sin(X).ravel() + rng.normal(0.0, 0.0 if noise is None else noise, n_samples)


def _check_split(n_samples, split="train"):
    if not isinstance(split, str) or split not in SPLITS:
        raise ValueError(f"mnist1d: split must be one of {', '.join(SPLITS)}, got {split!r}")


def _mnist1d(n_samples, noise, rng, split="train"):
    """The published MNIST-1D split (see :mod:`dagnet.mnist1d`): ``split`` "train" (4,000) or "test" (1,000)."""
    _check_split(n_samples, split)
    X_train, y_train, X_test, y_test = mnist1d.published_split()
    return (X_train, y_train) if split == "train" else (X_test, y_test)


#: The parts of a data set that has a published train/test split.
SPLITS = ("train", "test")


@dataclass(frozen=True)
class Dataset:
    """A built-in data set: how to make it and what it is.

    ``make(n_samples, noise, rng, **options)`` returns ``(X, y)``;
    ``n_samples`` is the default size (None: a fixed truth table);
    ``n_classes`` is None for regression; ``options`` lists the extra
    keyword arguments ``make`` takes, and ``check_options(n_samples, **options)``
    refuses values of them ``make`` cannot draw, before anything is drawn. A set
    with ``fixed=True`` is a published one: its size, noise and seed are its own,
    and its ``split="train"`` (the default) and ``split="test"`` are the published split.
    """

    name: str
    make: Callable
    n_samples: int
    task: str
    n_classes: int
    description: str
    n_inputs: int = 2
    options: tuple = ()
    check_options: Callable = None
    fixed: bool = False

    def info(self):
        """What the data set is, as plain data."""
        return {"name": self.name, "task": self.task, "n_classes": self.n_classes,
                "n_samples": self.n_samples or len(_TRUTH), "n_inputs": self.n_inputs,
                "description": self.description}


DATASETS = {d.name: d for d in [
    Dataset("xor", _gate([0, 1, 1, 0]), None, "classification", 2,
            "the XOR truth table (n_samples: noisy corners)"),
    Dataset("and", _gate([0, 0, 0, 1]), None, "classification", 2, "the AND truth table"),
    Dataset("or", _gate([0, 1, 1, 1]), None, "classification", 2, "the OR truth table"),
    Dataset("linear", _linear, 100, "classification", 2, "red/blue points in [0,1]² a line separates"),
    Dataset("nonlinear", _nonlinear, 100, "classification", 2,
            "red/blue points in [0,1]² no line separates"),
    Dataset("moons", _moons, 200, "classification", 2, "two interleaving half circles"),
    Dataset("circles", _circles, 200, "classification", 2, "a small circle inside a large one"),
    Dataset("spirals", _spirals, 300, "classification", 2, "two interleaved spirals"),
    Dataset("two_spirals", _two_spirals, 194, "classification", 2,
            "Lang & Witbrock's two spirals: 2 × 97 points, three turns (the cascade-correlation benchmark)"),
    Dataset("blobs", _blobs, 300, "classification", 3, "gaussian clouds, one per class (classes=k)",
            options=("classes",), check_options=_blobs_options),
    Dataset("sine", _sine, 100, "regression", None, "y = sin(x) on [-π, π]", n_inputs=1),
    Dataset("mnist1d", _mnist1d, 4000, "classification", 10,
            "MNIST-1D (Greydanus & Kobak 2020): 40-value signals of 10 digits, the published 4,000/1,000 "
            "train/test split, made by the mnist1d package (an extra)", n_inputs=40, options=("split",),
            fixed=True, check_options=_check_split),
]}


def names(published=True):
    """The built-in data set names; ``published=False`` leaves out the published ones (``fixed``)."""
    return [name for name, d in DATASETS.items() if published or not d.fixed]


def info(name):
    """What a data set is: ``{"name", "task", "n_classes", "n_samples", "n_inputs", "description"}``."""
    return get(name).info()


def get(name):
    """The :class:`Dataset` called ``name``, or ValueError with the near miss."""
    if not isinstance(name, str) or name not in DATASETS:
        raise ValueError(f"unknown data set {name!r}{suggest(str(name), DATASETS)}; "
                         f"built-in: {', '.join(DATASETS)}")
    return DATASETS[name]


def check(name, n_samples=None, noise=None, seed=0, **options):
    """Refuse a request :func:`load` would refuse (ValueError), drawing nothing; the number of samples.

    >>> check("blobs", n_samples=300, classes=100_000_000)
    Traceback (most recent call last):
    ...
    ValueError: blobs: classes 100,000,000 is more than n_samples 300 (at most one class a sample)
    """
    data = get(name)
    unknown = sorted(set(options) - set(data.options))
    if unknown:
        raise ValueError(f"{name}: unknown option {unknown[0]!r}{suggest(unknown[0], data.options)}")
    if data.fixed and (n_samples is not None or noise is not None):
        raise ValueError(f"{name} is a published data set: its size and noise are its own "
                         f"(split='train' or 'test' picks a part)")
    if n_samples is None:
        n_samples = data.n_samples
    elif isinstance(n_samples, bool) or not isinstance(n_samples, (int, np.integer)) or n_samples < 1:
        raise ValueError(f"{name}: n_samples must be a whole number >= 1, not {n_samples!r}")
    elif n_samples > LIMITS.max_samples:
        raise ValueError(f"{name}: n_samples {n_samples:,} is over {LIMITS.max_samples:,} "
                         f"{hint('max_samples')}")
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0):
        raise ValueError(f"{name}: seed must be a whole number >= 0, not {seed!r}")
    if noise is not None and not (is_number(noise) and finite(noise) and noise >= 0):
        raise ValueError(f"{name}: noise must be a finite number >= 0, not {noise!r}")
    if data.check_options is not None:
        data.check_options(len(_TRUTH) if n_samples is None else n_samples, **options)
    return n_samples


def load(name, n_samples=None, noise=None, seed=0, one_hot=False, **options):
    """``X, Y`` of a built-in data set; the same arguments always give the same arrays.

    n_samples: number of points (default per set; the truth tables give their 4 rows).
    noise: standard deviation of the gaussian noise added to X (to y for ``sine``).
    one_hot: class labels as one column per class instead of one label column.
    options: ``classes=k`` for ``blobs``; ``split="train"`` or ``"test"`` for a published set
    (``mnist1d``), whose size, noise and seed are its own.
    Every argument is checked (:func:`check`) before anything is drawn.
    """
    data = get(name)
    n_samples = check(name, n_samples, noise, seed, **options)
    X, y = data.make(n_samples, noise, np.random.default_rng(seed), **options)
    Y = y.reshape(len(y), 1)
    if one_hot and data.task == "classification":
        Y = _one_hot(Y, options.get("classes", data.n_classes))
    return X.astype(float), Y.astype(float)


def one_hot(labels, classes=None):
    """Rows of 0/1 with a 1 in each label's column.

    >>> one_hot([0, 2, 1])
    array([[1., 0., 0.],
           [0., 0., 1.],
           [0., 1., 0.]])
    """
    labels = np.asarray(labels).ravel()
    if labels.size and (np.any(labels < 0) or np.any(labels != np.round(labels))):
        raise ValueError("one_hot: labels must be whole numbers >= 0")
    labels = labels.astype(int)
    classes = int(labels.max()) + 1 if classes is None else int(classes)
    return np.eye(classes)[labels]


_one_hot = one_hot   # load's own one_hot argument shadows the function's name


def load_csv(path, inputs, targets=None, delimiter=","):
    """``X, Y`` from a CSV file with a header row, picking columns by name.

    ``Y`` is None when ``targets`` is None. The file is read through
    :func:`dagnet.tables.read_table`: a missing column, a ragged row, a cell
    that is not a finite number or a file that is not CSV text raises
    :class:`~dagnet.errors.CSVError` (a ValueError) naming the file, row and column.
    """
    groups = [list(inputs)] + ([] if targets is None else [list(targets)])
    arrays = read_table(os.fspath(path), delimiter).arrays(*groups)
    return arrays[0], (None if targets is None else arrays[1])


def save_csv(path, X, Y=None, inputs=None, targets=None):
    """Write ``X`` (and ``Y``) with a header row, atomically; floats written exactly (repr)."""
    X = np.asarray(X, dtype=float).reshape(len(X), -1)
    columns = [X] if Y is None else [X, np.asarray(Y, dtype=float).reshape(len(X), -1)]
    inputs = list(inputs) if inputs is not None else [f"x{i}" for i in range(X.shape[1])]
    names = inputs
    if Y is not None:
        width = columns[1].shape[1]
        names = inputs + (list(targets) if targets is not None else
                          (["y"] if width == 1 else [f"y{i}" for i in range(width)]))
    data = np.hstack(columns)

    def write(f):
        f.write(",".join(str(n) for n in names) + "\n")
        for row in data:
            f.write(",".join(repr(float(v)) for v in row) + "\n")

    atomic_write(path, write)
