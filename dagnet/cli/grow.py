"""``dagnet grow``: grow a cascade-correlation network on data and write it as a topology file."""
import os

import numpy as np

from dagnet import datasets, growth_plots, plots
from dagnet.cascade import CANDIDATE_PHASE, OUTPUT_PHASE, Phase, grow
from dagnet.optimizers import OPTIMIZERS
from dagnet.text import plural

from .common import (EXIT_OK, InputError, UsageError, choice, columns, command, count, note, positive_float,
                     positive_int)
from .data import add_data_arguments, csv_header, looks_like_file


def add(subparsers):
    p = command(
        subparsers, "grow", "grow a cascade-correlation network on data (Fahlman & Lebiere 1990)",
        "Start from the inputs wired to the outputs; train the output weights; train a pool of\n"
        "candidate perceptrons (fed by every input and earlier hidden perceptron) to maximise the\n"
        "covariance of their value with the residual error; install the best with its in-weights\n"
        "frozen; repeat until every output is within --threshold of its target on every sample, or\n"
        "--max-units are installed. Writes an ordinary topology file (load it with dagnet.load);\n"
        "--picture and --gif show the decision regions growing (two inputs). From a CSV file, name\n"
        "the --inputs (the targets are the remaining columns) or the --targets (the inputs are the\n"
        "remaining columns). Built-in data: "
        + ", ".join(datasets.names()) + ".",
        "  dagnet grow --data two_spirals --seed 0 --out spirals.yaml --picture growth.png --gif growth.gif\n"
        "  dagnet grow --data points.csv --inputs x,y --targets label --out grown.yaml")
    add_data_arguments(p, required=True, targets="the columns besides --inputs (0/1 values)")
    cascade = p.add_argument_group("cascade-correlation")
    cascade.add_argument("--max-units", type=count, default=25, metavar="N",
                         help="hidden perceptrons to install at most (default 25)")
    cascade.add_argument("--pool", type=positive_int, default=8, metavar="N",
                         help="candidates trained at once (default 8)")
    cascade.add_argument("--activations", type=columns, default=["tanh"], metavar="NAMES",
                         help="the candidates' activations, taken in turn (default tanh; e.g. tanh,sigmoid,gaussian)")
    cascade.add_argument("--threshold", type=positive_float, default=0.4, metavar="X",
                         help="solved when every output is within X of its target (default 0.4)")
    cascade.add_argument("--optimizer", type=choice(["quickprop", *OPTIMIZERS], "optimizer"),
                         default="quickprop", metavar="NAME",
                         help="quickprop (default, with Fahlman's constants) or sgd, momentum, nesterov, adam")
    cascade.add_argument("--epochs", type=positive_int, metavar="N",
                         help=f"most epochs per phase (default {OUTPUT_PHASE.epochs})")
    cascade.add_argument("--patience", type=positive_int, metavar="N",
                         help=f"epochs without change that end a phase (default {OUTPUT_PHASE.patience} "
                              f"outputs, {CANDIDATE_PHASE.patience} candidates)")
    cascade.add_argument("--lr", type=positive_float, metavar="η",
                         help="learning rate of both phases (default: Fahlman's ε for quickprop, 0.01 otherwise)")
    cascade.add_argument("--seed", type=int, default=0, metavar="N", help="seeds the weights (default 0)")
    out = p.add_argument_group("output")
    out.add_argument("--out", required=True, metavar="YAML", help="the grown topology file to write")
    out.add_argument("--history", metavar="CSV", help="also write one row per unit installed")
    out.add_argument("--picture", metavar="PNG|SVG|PDF", help="also draw the cascade growing (two inputs)")
    out.add_argument("--gif", metavar="GIF", help="also animate it, one frame per unit (two inputs)")
    p.set_defaults(func=run)


def csv_columns(path, inputs, targets):
    """The input and target columns of a CSV file: those named, the rest of the header for the other.

    One of the two must be given; a column named in both is an InputError.
    """
    if not (inputs or targets):
        raise UsageError("a CSV file needs --inputs or --targets (the other defaults to the remaining columns)")
    header = csv_header(path)
    if inputs and targets:
        both = [c for c in targets if c in inputs]
        if both:
            raise InputError(f"{path}: column {both[0]!r} is named by both --inputs and --targets")
    rest = [c for c in header if c not in (inputs or targets)]
    inputs, targets = (inputs, targets or rest) if inputs else (rest, targets)
    if not (inputs and targets):
        raise InputError(f"{path}: no columns left for the {'targets' if inputs else 'inputs'} "
                         f"(columns: {', '.join(header)})")
    return inputs, targets


def _samples(args):
    """(X, Y, input names, output names, output activation) from a built-in data set or a CSV file."""
    if looks_like_file(args.data):
        inputs, targets = csv_columns(args.data, args.inputs, args.targets)
        X, Y = datasets.load_csv(args.data, inputs, targets)
        return X, Y, inputs, targets, "sigmoid"
    try:
        info = datasets.info(args.data)
    except ValueError as err:
        raise InputError(f"{err} (or give a CSV file)") from None
    kwargs = {"seed": args.data_seed}
    if args.n_samples is not None:
        kwargs["n_samples"] = args.n_samples
    if args.noise is not None:
        kwargs["noise"] = args.noise
    classes = info["n_classes"]
    X, Y = datasets.load(args.data, one_hot=bool(classes and classes > 2), **kwargs)
    return X, Y, None, None, "sigmoid" if info["task"] == "classification" else "linear"


def _phases(args):
    quickprop = args.optimizer == "quickprop"
    phases = []
    for default in (OUTPUT_PHASE, CANDIDATE_PHASE):
        lr = args.lr if args.lr is not None else (default.lr if quickprop else 0.01)
        phases.append(Phase(args.epochs or default.epochs, args.patience or default.patience, default.change, lr))
    return phases


def run(args):
    for path in (args.out, args.history, args.picture, args.gif):
        if path and not os.path.isdir(os.path.dirname(os.path.abspath(path))):
            raise InputError(f"{path}: folder {os.path.dirname(os.path.abspath(path))} does not exist")
    if not args.out.lower().endswith((".yaml", ".yml")):
        raise UsageError(f"--out {args.out!r}: give a .yaml file for the grown topology")
    if args.gif and not args.gif.lower().endswith(".gif"):
        raise UsageError(f"--gif {args.gif!r}: give a .gif file")
    X, Y, inputs, outputs, output_activation = _samples(args)
    if (args.picture or args.gif) and X.shape[1] != 2:
        raise InputError(f"--picture and --gif need two inputs; the data has {X.shape[1]}")
    output, candidates = _phases(args)
    sizes = f"{plural(len(X), 'sample')}, {plural(X.shape[1], 'input')}, {plural(Y.shape[1], 'output')}"
    if inputs is not None:
        sizes += f"; inputs {', '.join(inputs)}; targets {', '.join(outputs)}"
    note(f"growing on {args.data} ({sizes}): pool of {args.pool}, at most {args.max_units} units, "
         f"{args.optimizer}, seed {args.seed}")

    def report(net, history):
        stage = history.stages[-1]
        note(f"  {stage.hidden:3d} hidden: loss {stage.loss:.4g}, {stage.wrong} of {len(X)} samples wrong "
             f"({history.epochs} epochs)")
    net, history = grow(X, Y, max_units=args.max_units, pool=args.pool, activations=args.activations,
                        threshold=args.threshold, output_activation=output_activation, optimizer=args.optimizer,
                        output=output, candidates=candidates, seed=args.seed, inputs=inputs, outputs=outputs,
                        callback=report)
    net.graph.graph["name"] = f"cascade-{args.data if inputs is None else 'csv'}-seed{args.seed}"
    net.save(args.out)
    written = [args.out]
    if args.history:
        history.to_csv(args.history)
        written.append(args.history)
    try:
        if args.picture:
            growth_plots.cascade_growth(net, history, X, Y, args.picture)
            written.append(args.picture)
        if args.gif:
            growth_plots.animate_cascade(net, history, X, Y, args.gif)
            written.append(args.gif)
    except plots.MissingMatplotlib:
        note(plots.PICTURES_SKIPPED)
    worst = float(np.abs(net.predict(X) - Y).max())
    print(f"{'solved' if history.solved else 'not solved'}: {history.hidden_units} hidden perceptrons, "
          f"{history.epochs} epochs, largest output error {worst:.3f} (threshold {args.threshold:g})")
    print("wrong samples by stage: " + " ".join(str(s.wrong) for s in history.stages))
    print("wrote " + ", ".join(written))
    return EXIT_OK
