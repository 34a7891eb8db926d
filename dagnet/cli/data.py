"""Samples for a command: a built-in data set by name, or a CSV file with a header row.

Columns are picked by name (``--inputs``/``--targets``, else the
network's own input and output names) and by position only when the file
has exactly the columns the network needs; anything else is one
:class:`InputError` naming the file and what to do. Columns matched by
position, or left out, are named in one line on stderr. The file is read
once, through :mod:`dagnet.tables` (regular files only, a size limit).
"""
import os

import numpy as np

from dagnet import datasets, tables
from dagnet.errors import suggest
from dagnet.samples import targets_for
from dagnet.text import names, plural

from .common import InputError, columns, non_negative_float, note, positive_int, seed


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


def read_table(path):
    """The :class:`dagnet.tables.Table` of a CSV file, read once (bounded, regular files only).

    A missing file names the built-in data sets too, in case one was meant.
    """
    if not os.path.lexists(path):
        raise InputError(f"{path}: no such file (expected a CSV file or a built-in data set: "
                         f"{', '.join(datasets.names())})")
    return tables.read_table(path)


def csv_header(path):
    """The stripped column names of a CSV file's first row."""
    return read_table(path).header


def pick_columns(table, net, inputs, targets, need_targets):
    """Input and target column names: as given, else the network's own names, else by position.

    Position decides only when the header has exactly the network's inputs
    (and, with targets, one label column or one column per output after them).
    Returns ``(inputs, targets, by_position)``.
    """
    path, header = table.source, table.header
    table.require((inputs or []) + (targets or []))
    n_in, n_out = len(net.inputs), len(net.outputs)
    by_position = False
    if inputs is None:
        own = [str(i) for i in net.inputs]
        widths = {n_in} | ({n_in + 1, n_in + n_out} if targets is None or targets else set())
        if all(n in header for n in own):
            inputs = own
        elif len(header) in widths:
            inputs, by_position = header[:n_in], True
        else:
            raise InputError(f"{path}: columns {names(header)} do not name the network's "
                             f"{plural(n_in, 'input')} ({names(net.inputs)}); name them with --inputs")
    if len(inputs) != n_in:
        raise InputError(f"{path}: {len(inputs)} input columns given for {n_in} network inputs "
                         f"({names(net.inputs)})")
    if targets is None:
        own = [str(o) for o in net.outputs]
        rest = [c for c in header if c not in inputs]
        targets = own if all(n in header for n in own) else rest
    if need_targets and not targets:
        raise InputError(f"{path}: no target columns besides the inputs {names(inputs)}; "
                         f"name them with --targets")
    return inputs, targets, by_position


def columns_used(table, net, inputs, targets, by_position):
    """One line saying which columns were taken and which left out, or None when every column
    is used as the network's own names say."""
    ignored = [c for c in table.header if c not in inputs and c not in targets]
    if not (by_position or ignored):
        return None
    line = f"{table.source}: inputs {names(inputs)}"
    if by_position:
        line += f" (by position, as the network's {names(net.inputs)})"
    line += f", targets {names(targets)}" if targets else ", no targets"
    return line + (f"; ignored: {names(ignored)}" if ignored else "")


def read_csv(table, net, inputs=None, targets=None, need_targets=True):
    """(X, Y or None, about) from a CSV table (:func:`read_table`); a note on stderr says which
    columns were matched by position or ignored."""
    inputs, targets, by_position = pick_columns(table, net, inputs, targets, need_targets)
    said = columns_used(table, net, inputs, targets, by_position)
    if said:
        note(said)
    X, Y = table.arrays(inputs, targets) if targets else (table.arrays(inputs)[0], None)
    about = {"source": table.source, "task": None, "n_classes": None, "columns": inputs + list(targets)}
    return X, Y, about


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
        return read_csv(read_table(spec), net, getattr(args, "inputs", None),
                        getattr(args, "targets", None), need_targets)
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
