"""The data sets an experiment names: built-in ones with their options, or CSV files.

Each is first a checked :class:`Request` (options, types, sizes: nothing
drawn or read), then a :class:`Data` record: the arrays, the task, the
number of classes, and the spec that identifies it in run ids (a CSV
file's content hash included, so an edited file means new runs).

Examples
--------
>>> data = dataset("moons", {"builtin": "moons", "n_samples": 20}, base=".")
>>> data.X.shape, data.task, data.n_classes
((20, 2), 'classification', 2)
>>> dataset("moons", {"noise": "high"}, base=".")
Traceback (most recent call last):
...
ValueError: noise: expected a number, got 'high'
"""
import hashlib
import math
import os
from dataclasses import dataclass

import numpy as np

from .. import datasets as builtin
from ..errors import suggest
from ..tables import read_table
from ..graph import is_number
from ..samples import is_labels

CSV_OPTIONS = ("csv", "inputs", "targets", "task")
TASKS = ("classification", "regression")


def _is_whole(value, low=None):
    return (is_number(value) and math.isfinite(value) and value == int(value)
            and (low is None or value >= low))


#: Options of a built-in data set: ``{option: (accepts(value), what it must be)}``. The types are
#: checked here, to name the key; ranges are :func:`dagnet.datasets.load`'s to check.
BUILTIN_OPTIONS = {
    "builtin": (lambda v: isinstance(v, str), "a built-in data set name"),
    "n_samples": (_is_whole, "a whole number"),
    "noise": (lambda v: is_number(v) and math.isfinite(v), "a number"),
    "seed": (lambda v: _is_whole(v, low=0), "a whole number >= 0"),
    "classes": (_is_whole, "a whole number"),
}


@dataclass(frozen=True)
class Data:
    """A data set of an experiment: ``X`` (n_samples, n_inputs), ``Y`` (n_samples, n_targets)."""

    spec: dict
    X: np.ndarray
    Y: np.ndarray
    task: str
    n_classes: int = None


def label_of(spec):
    """The label of a data set given in a list: its built-in name or its CSV file's name."""
    if isinstance(spec, str):
        return spec
    if isinstance(spec, dict) and isinstance(spec.get("builtin"), str):
        return spec["builtin"]
    if isinstance(spec, dict) and isinstance(spec.get("csv"), str):
        return os.path.splitext(os.path.basename(spec["csv"]))[0]
    return None


def _unknown(spec, allowed):
    for k in spec:
        if k not in allowed:
            raise ValueError(f"unknown option {k!r}{suggest(k, allowed)}; options: {', '.join(allowed)}")


@dataclass(frozen=True)
class Request:
    """A data set of an experiment, checked but not yet made: :meth:`make` draws or reads it.

    ``spec`` is the checked mapping of options (``builtin`` set for a
    built-in data set); ``path`` is a CSV file's path (None for a built-in one).
    """

    spec: dict
    path: str = None

    def make(self):
        """The :class:`Data`: the built-in set drawn, or the CSV file read (ValueError naming the row)."""
        return _read_csv(self.spec, self.path) if self.path else _draw(self.spec)


def request(label, spec, base):
    """The checked :class:`Request` of ``spec`` (None or a name: a built-in set; a mapping of options).

    Everything that needs no arrays is checked here (options, their types and
    ranges, sizes) and nothing is drawn or read; CSV paths are relative to
    ``base``. Raises ValueError naming the option.
    """
    if spec is None or isinstance(spec, str):
        spec = {"builtin": spec or label}
    if not isinstance(spec, dict):
        raise ValueError(f"expected a mapping of options (n_samples, noise, ...), got {spec!r}")
    if "csv" in spec:
        return _csv_request(spec, base)
    _unknown(spec, BUILTIN_OPTIONS)
    for key, value in spec.items():
        accepts, wanted = BUILTIN_OPTIONS[key]
        if not accepts(value):
            raise ValueError(f"{key}: expected {wanted}, got {value!r}")
    options = {k: (v if k == "noise" else int(v)) for k, v in spec.items() if k != "builtin"}
    name = spec.get("builtin", label)
    builtin.check(name, **options)
    return Request({"builtin": name, **options})


def dataset(label, spec, base):
    """The :class:`Data` of ``spec``: :func:`request` checked, then made."""
    return request(label, spec, base).make()


def _draw(spec):
    options = {k: v for k, v in spec.items() if k != "builtin"}
    name = spec["builtin"]
    X, Y = builtin.load(name, **options)
    about = builtin.info(name)
    return Data(spec, X, Y, about["task"], options.get("classes", about["n_classes"]))


def _csv_request(spec, base):
    _unknown(spec, CSV_OPTIONS)
    for key in ("inputs", "targets"):
        names = spec.get(key)
        names = [names] if isinstance(names, str) else names
        if not isinstance(names, list) or not names or not all(isinstance(n, str) for n in names):
            raise ValueError(f"{key}: name the CSV columns, e.g. {key}: [x1, x2]")
    if not isinstance(spec["csv"], str):
        raise ValueError(f"csv: expected a file name, got {spec['csv']!r}")
    if spec.get("task", TASKS[0]) not in TASKS:
        raise ValueError(f"task must be classification or regression, got {spec['task']!r}")
    path = spec["csv"] if os.path.isabs(spec["csv"]) else os.path.join(base, spec["csv"])
    return Request(spec, path)


def _read_csv(spec, path):
    table = read_table(path)
    columns = [[n] if isinstance(n, str) else n for n in (spec["inputs"], spec["targets"])]
    X, Y = table.arrays(*columns)
    labels = is_labels(Y)
    task = spec.get("task", "classification" if labels else "regression")
    if task == "classification" and not labels:
        raise ValueError("task classification needs one target column of class labels 0, 1, ...")
    digest = hashlib.sha256(table.text.encode("utf-8")).hexdigest()   # an edited file: new runs
    return Data({**spec, "sha256": digest}, X, Y, task, int(Y.max()) + 1 if task == "classification" else None)
