"""``dagnet predict``: run a network on a CSV file (or a built-in set) and write its outputs."""
import argparse
import csv
import io
import sys

from dagnet.activations import record
from dagnet.files import atomic_write
from dagnet.samples import is_binary
from dagnet.text import plural

from .common import EXIT_OK, columns, command, load, non_negative_float, note, positive_int, seed
from .data import fit_targets, looks_like_file, read_builtin, read_csv, read_table


def add(subparsers):
    p = command(subparsers, "predict", "run a trained network on a CSV file",
                 "Write the network's outputs for every row of a CSV file (or a built-in data set):\n"
                 "the input columns, one column per output node, and 'class' for classifiers.\n"
                 "When the file also holds the targets, the score goes to stderr.",
                 "  dagnet predict runs/tutorial/trained.yaml --data points.csv --out predictions.csv")
    p.add_argument("model", metavar="FILE", help="trained (or any) topology file")
    p.add_argument("--data", required=True, metavar="CSV|NAME", help="CSV file with a header row")
    p.add_argument("--inputs", type=columns, metavar="COLS",
                   help="input columns (default: the network's input names, else the first columns)")
    p.add_argument("--targets", type=columns, metavar="COLS",
                   help="target columns for a score (default: the network's output names if present)")
    p.add_argument("--out", metavar="CSV", help="write here instead of stdout")
    p.add_argument("--n-samples", type=positive_int, metavar="N", help=argparse.SUPPRESS)
    p.add_argument("--noise", type=non_negative_float, metavar="X", help=argparse.SUPPRESS)
    p.add_argument("--data-seed", type=seed, default=0, metavar="N", help=argparse.SUPPRESS)
    p.set_defaults(func=run)


def _gives_classes(net):
    """A classifier's loss, or outputs that are probabilities (sigmoid, softmax): a class per row."""
    return net.is_classifier or all(record(net.plan.activation[o]).range == (0.0, 1.0)
                                    for o in net.outputs)


def run(args):
    net = load(args.model, seed=0)
    if looks_like_file(args.data):
        table = read_table(args.data)
        targets = args.targets
        if targets is None and not all(str(o) in table.header for o in net.outputs):
            targets = []            # no score without the outputs' own columns
        X, Y, about = read_csv(table, net, args.inputs, targets, need_targets=False)
        columns = about["columns"][:len(net.inputs)]
    else:
        X, Y, about = read_builtin(args.data, args)
        columns = [str(i) for i in net.inputs]
    Y = fit_targets(net, X, Y, about)
    P = net.predict(X)
    header = columns + [str(o) for o in net.outputs]
    rows = [list(map(float, x)) + list(map(float, p)) for x, p in zip(X, P)]
    if _gives_classes(net) or (Y is not None and about.get("n_classes")):
        header.append("class")
        for row, c in zip(rows, net.predict_classes(X)):
            row.append(int(c))
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows([[repr(v) if isinstance(v, float) else v for v in row] for row in rows])
    if args.out:
        atomic_write(args.out, lambda f: f.write(buffer.getvalue()))
        note(f"wrote {len(rows)} predictions to {args.out}")
    else:
        sys.stdout.write(buffer.getvalue())
    if Y is not None and len(X):
        labels = net.is_classifier or is_binary(net.targets(Y))
        note(f"{'accuracy' if labels else 'R²'} {net.score(X, Y):.4f} on {plural(len(X), 'sample')}")
    return EXIT_OK
