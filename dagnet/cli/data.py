"""Samples for a command: a built-in data set by name, or a CSV file with a header row.

Columns are picked by name (``--inputs``/``--targets``, else the
network's own input and output names) and by position only when the file
has exactly the columns the network needs; anything else is one
:class:`InputError` naming the file and what to do.
"""
import csv
import os

import numpy as np

from dagnet import datasets
from dagnet.errors import suggest
from dagnet.samples import targets_for
from dagnet.text import names, plural

from .common import InputError, columns, non_negative_float, positive_int, seed


def add_data_arguments(parser, required=True, targets="the network's output names, else the remaining "
                       "columns"):
    """The group of flags that name a command's data: --data, the CSV columns, a built-in set's options."""
    data = parser.add_argument_group("data")
    data.add_argument("--data", metavar="NAME|CSV", required=required,
                      help="a built-in data set name or a CSV file with a header row")
    data.add_argument("--inputs", type=columns, metavar="COLS",
                      help="CSV input columns, comma-separated (default: the network's input "
                           "names, else the first columns)")
    data.add_argument("--targets", type=columns, metavar="COLS", help=f"CSV target columns (default: {targets})")
    data.add_argument("--n-samples", type=positive_int, metavar="N", help="samples of a built-in data set")
    data.add_argument("--noise", type=non_negative_float, metavar="X", help="noise of a built-in data set")
    data.add_argument("--data-seed", type=seed, default=0, metavar="N",
                      help="seed of a built-in data set (default 0)")
    return data


def looks_like_file(spec):
    """True when ``--data`` names a file rather than a built-in data set."""
    return os.path.isfile(spec) or spec.lower().endswith((".csv", ".tsv", ".txt")) or os.sep in spec


def csv_header(path):
    """The stripped column names of a CSV file's first row."""
    try:
        with open(path, newline="", encoding="utf-8-sig") as f:
            row = next(csv.reader(f), None)
    except FileNotFoundError:
        raise InputError(f"{path}: no such file (expected a CSV file or a built-in data set: "
                         f"{', '.join(datasets.names())})") from None
    except UnicodeDecodeError:
        raise InputError(f"{path}: not a UTF-8 text file") from None
    if not row:
        raise InputError(f"{path}: empty file; expected a header row of column names")
    return [c.strip() for c in row]


def pick_columns(path, header, net, inputs, targets, need_targets):
    """Input and target column names: as given, else the network's own names, else by position.

    Position decides only when the header has exactly the network's inputs
    (and, with targets, one label column or one column per output after them).
    """
    for given in (inputs or []) + (targets or []):
        if given not in header:
            raise InputError(f"{path}: no column {given!r}{suggest(given, header)}; "
                             f"columns: {', '.join(header)}")
    n_in, n_out = len(net.inputs), len(net.outputs)
    if inputs is None:
        own = [str(i) for i in net.inputs]
        widths = {n_in} | ({n_in + 1, n_in + n_out} if targets is None or targets else set())
        if all(n in header for n in own):
            inputs = own
        elif len(header) in widths:
            inputs = header[:n_in]
        else:
            raise InputError(f"{path}: columns {', '.join(header)} do not name the network's "
                             f"{n_in} input{'s' if n_in != 1 else ''} ({names(net.inputs)}); "
                             f"name them with --inputs")
    if len(inputs) != n_in:
        raise InputError(f"{path}: {len(inputs)} input columns given for {n_in} network inputs "
                         f"({names(net.inputs)})")
    if targets is None:
        own = [str(o) for o in net.outputs]
        rest = [c for c in header if c not in inputs]
        targets = own if all(n in header for n in own) else rest
    if need_targets and not targets:
        raise InputError(f"{path}: no target columns besides the inputs {', '.join(inputs)}; "
                         f"name them with --targets")
    return inputs, targets


def read_csv(path, net, inputs=None, targets=None, need_targets=True):
    """(X, Y or None, about) from a CSV file with a header row."""
    header = csv_header(path)
    inputs, targets = pick_columns(path, header, net, inputs, targets, need_targets)
    X, Y = datasets.load_csv(path, inputs=inputs, targets=targets or None)
    about = {"source": path, "task": None, "n_classes": None, "columns": inputs + list(targets)}
    return X, (Y if targets else None), about


def read_builtin(name, args):
    """(X, Y, about) of a built-in data set, with the command's --n-samples, --noise, --data-seed."""
    if name not in datasets.DATASETS:
        raise InputError(f"unknown data set {name!r}{suggest(name, datasets.DATASETS)}: not a file "
                         f"and not built in; built-in: {', '.join(datasets.names())}")
    kwargs = {"seed": getattr(args, "data_seed", 0)}
    if getattr(args, "n_samples", None) is not None:
        kwargs["n_samples"] = args.n_samples
    if getattr(args, "noise", None) is not None:
        kwargs["noise"] = args.noise
    if datasets.get(name).fixed:           # a published set: its own size and seed, and a test split
        if "n_samples" in kwargs or "noise" in kwargs:
            raise InputError(f"{name} is a published data set: --n-samples and --noise do not apply")
        X, Y = datasets.load(name)
        test = datasets.load(name, split="test")
    else:
        X, Y = datasets.load(name, **kwargs)
        test = None
    info = datasets.info(name)
    about = {"source": name, "task": info["task"], "n_classes": info["n_classes"], "columns": None, "test": test}
    return X, Y, about


def read_data(spec, net, args, need_targets=True):
    """Samples for ``net`` from a built-in data set name or a CSV path: (X, Y, about)."""
    if looks_like_file(spec):
        return read_csv(spec, net, getattr(args, "inputs", None), getattr(args, "targets", None),
                        need_targets)
    return read_builtin(spec, args)


def fit_targets(net, X, Y, about):
    """Check that (X, Y) suits ``net`` and return Y in the form its loss takes (None stays None).

    Class labels go to one output for two classes, or one output per class
    (see :func:`dagnet.samples.targets_for`); anything that does not fit is
    one InputError naming the data.
    """
    source = about["source"]
    n_in = len(net.inputs)
    if X.ndim != 2 or X.shape[1] != n_in:
        raise InputError(f"data {source!r} has {plural(X.shape[1] if X.ndim == 2 else 1, 'input column')} "
                         f"but the network has {plural(n_in, 'input')} ({names(net.inputs)})")
    if Y is None:
        return None
    try:
        return targets_for(net, np.asarray(Y).reshape(len(Y), -1), task=about["task"],
                           n_classes=about["n_classes"])
    except ValueError as err:
        raise InputError(f"data {source!r}: {err}") from None
