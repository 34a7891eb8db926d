"""``dagnet train``: train a topology on data and write the network, its history and pictures."""
import argparse
import os
import time

import numpy as np

import dagnet
from dagnet import datasets, plots
from dagnet.activations import record
from dagnet.text import plural, rounded
from dagnet.engine import ENGINES
from dagnet.optimizers import OPTIMIZERS, make_optimizer

from .common import (EXIT_INTERRUPTED, EXIT_INVALID, EXIT_OK, InputError, UsageError, choice, command,
                     count, error, fraction, interrupts_deferred, load, non_negative_float, note,
                     positive_float, positive_int, seed)
from .data import add_data_arguments, fit_targets, read_data
from .sparse import add_sparse_arguments, setup as sparse_setup, write_report

TRAINED_FILE = "trained.yaml"


def add(subparsers):
    p = command(
        subparsers, "train", "train a topology on built-in data or a CSV file",
        "Train a topology and write into --out DIR: trained.yaml (load it with dagnet.load or\n"
        "'dagnet predict'), history.csv (one row per epoch), loss.png, network.png, and for\n"
        "two-input networks decision.png and neurons.png (pictures need matplotlib).\n"
        "Built-in data: " + ", ".join(datasets.names()) + ".",
        "  dagnet train topologies/tutorial_2_5_1.yaml --data nonlinear --epochs 800 --lr 0.5 \\\n"
        "      --batch-size 1 --seed 0 --out runs/tutorial\n"
        "  dagnet train net.yaml --data points.csv --inputs x,y --targets label --out runs/mine")
    p.add_argument("topology", metavar="FILE", help="topology YAML file")
    add_data_arguments(p)
    train = p.add_argument_group("training")
    train.add_argument("--epochs", type=count, default=100, metavar="N", help="default 100")
    train.add_argument("--lr", type=positive_float, metavar="η",
                       help="learning rate (default: the optimiser's own: " + ", ".join(
                           f"{name} {cls.hyperparameters['lr'].default:g}" for name, cls in OPTIMIZERS.items())
                           + ")")
    train.add_argument("--batch-size", type=positive_int, metavar="N",
                       help="1 = update after every example (sequential); default: all samples "
                            "at once (batch)")
    train.add_argument("--optimizer", type=choice(list(OPTIMIZERS), "optimizer"), default="sgd",
                       metavar="NAME",
                       help="sgd (default), momentum, nesterov, adam")
    train.add_argument("--momentum", type=non_negative_float, metavar="μ",
                       help="momentum of the momentum/nesterov optimisers")
    train.add_argument("--weight-decay", type=non_negative_float, default=0.0, metavar="λ",
                       help="L2 penalty (default 0)")
    train.add_argument("--seed", type=seed, default=0, metavar="N",
                       help="seeds initial weights and shuffling (default 0)")
    train.add_argument("--init", metavar="SCHEME",
                       help="weight initialisation for nodes whose topology names none "
                            "(glorot_uniform, he_normal, uniform, ...)")
    train.add_argument("--no-shuffle", action="store_true", help="visit examples in file order")
    train.add_argument("--val-split", type=fraction, default=0.0, metavar="F",
                       help="hold out this fraction of the data, drawn at random (seeded; for "
                            "classes, this fraction of each), for validation")
    train.add_argument("--patience", type=positive_int, metavar="N",
                       help="stop after N epochs without improvement (validation loss if any), "
                            "keeping the best weights")
    train.add_argument("--engine", choices=list(ENGINES), default="compiled",
                       help="which engine runs (default compiled: the native kernel when built; "
                            "see docs/engines.md)")
    add_sparse_arguments(p)
    out = p.add_argument_group("output")
    out.add_argument("--out", metavar="DIR", required=True, help="folder for the results (created)")
    out.add_argument("--gif", action="store_true",
                     help="also write training.gif: the decision regions as training goes (two inputs)")
    out.add_argument("--no-pictures", action="store_true", help="write no PNGs")
    out.add_argument("--quiet", "-q", action="store_true", help="no progress bar")
    p.set_defaults(func=run)


#: Without tqdm, a progress line at least this often (seconds), and at most ten in a quick run.
PROGRESS_EVERY = 2.0


def _progress_printer(epochs, started, every_seconds=PROGRESS_EVERY):
    """A fit callback printing a progress line every tenth of the run or every few seconds."""
    every = max(1, epochs // 10)
    last = [started]

    def report(epoch, history):
        now = time.perf_counter()
        if epoch % every == 0 or epoch == epochs or now - last[0] >= every_seconds:
            last[0] = now
            extra = f", accuracy {history.accuracy[-1]:.3f}" if history.accuracy else ""
            extra += f", val_loss {history.val_loss[-1]:.4g}" if history.val_loss else ""
            note(f"epoch {epoch}/{epochs}: loss {history.loss[-1]:.4g}{extra} ({now - started:.1f} s)")
        return None
    return report


def _has_tqdm():
    try:
        import tqdm  # noqa: F401
    except ImportError:
        return False
    return True


def _metrics_text(history, net, X, Y):
    """The figures of the weights the network holds (and is saved with), not of the last epoch."""
    final = history.final()
    parts = [f"loss {final['loss']:.6g}"] if "loss" in final else []
    if "accuracy" in final:
        parts.append(f"accuracy {final['accuracy']:.4f}")
    elif Y is not None and final:
        parts.append(f"R² {rounded(net.score(X, Y))}")
    if "val_loss" in final:
        parts.append(f"val_loss {final['val_loss']:.6g}")
    if "val_accuracy" in final:
        parts.append(f"val_accuracy {final['val_accuracy']:.4f}")
    return ", ".join(parts)


#: A perceptron is saturated on a sample where its σ'(s) is below this: its gradient no longer passes.
FLAT = 1e-6


def _saturated_share(net, X):
    """The share of (sample, perceptron) pairs where σ'(s) < FLAT (softmax outputs not counted)."""
    trace = net.forward(X)
    flat = total = 0
    for node, name in net.plan.activation.items():
        if name is None or name == "softmax":
            continue
        slope = record(name).derivative(trace.s[node], trace.z[node])
        flat += int(np.count_nonzero(np.abs(slope) < FLAT))
        total += slope.size
    return flat / total if total else 0.0


def _majority_note(history, net, X, Y):
    """A note when a classifier ends no better than always answering the commonest class, and why."""
    accuracy = history.final().get("accuracy")
    if accuracy is None or Y is None or not len(Y):
        return None
    labels = dagnet.metrics.labels(Y)
    majority = np.bincount(labels).max() / len(labels)
    if accuracy > majority:
        return None
    said = (f"note: accuracy {accuracy:.4f} is no better than always answering the commonest "
            f"class ({majority:.4f})")
    saturated = _saturated_share(net, X)
    if saturated >= 0.9:       # steps so large that the units sit on their flat tails
        return (f"{said}: the perceptrons are saturated ({100 * saturated:.0f} % of their outputs "
                f"sit where σ' < {FLAT:g}, so no gradient gets through); try a smaller --lr")
    return f"{said}; try a larger --lr, more --epochs or another --optimizer"


def _write_pictures(net, X, Y, history, folder, recorder):
    """Write the PNGs (and GIF) of a training run; return the file names written."""
    written = []
    two_inputs = len(net.inputs) == 2
    n_neurons = sum(1 for n in net.plan.nodes if n not in set(net.inputs))
    jobs = [("network.png", lambda p: plots.draw_network(net, p))]
    if history.epochs:
        jobs.insert(0, ("loss.png", lambda p: plots.loss_curves(history, p, title=net.name)))
    if two_inputs:
        jobs.append(("decision.png", lambda p: plots.decision_regions(net, X, Y, p)))
        if n_neurons <= 64:
            jobs.append(("neurons.png", lambda p: plots.neuron_maps(net, X, p)))
        if recorder is not None:
            recorder.finish(history)
            jobs.append(("training.gif", lambda p: plots.animate(net, X, Y, recorder.snapshots, p)))
    for name, draw in jobs:
        fig = draw(os.path.join(folder, name))
        del fig
        written.append(name)
    return written


def run(args):
    if args.gif and args.no_pictures:
        raise UsageError("--gif and --no-pictures contradict each other")
    if args.momentum is not None and args.optimizer not in ("momentum", "nesterov"):
        raise UsageError(f"--momentum applies to --optimizer momentum or nesterov, not {args.optimizer}")
    net = load(args.topology, args)
    try:
        net, dynamic = sparse_setup(net, args)
    except argparse.ArgumentTypeError as err:
        raise UsageError(str(err)) from None
    X, Y, about = read_data(args.data, net, args)
    Y = fit_targets(net, X, Y, about)
    validation = None
    if about.get("test") is not None and not args.val_split:     # a published split: test on its test part
        X_test, Y_test = about["test"]
        validation = (X_test, fit_targets(net, X_test, Y_test, about))
        note(f"validation: the test split of {about['source']} ({plural(len(X_test), 'sample')})")
    if os.path.exists(args.out) and not os.path.isdir(args.out):
        raise InputError(f"{args.out}: exists and is not a folder")
    if args.gif and len(net.inputs) != 2:
        raise InputError(f"--gif needs a network with two inputs; this one has {len(net.inputs)}")
    os.makedirs(args.out, exist_ok=True)

    optimizer_params = {} if args.momentum is None else {"momentum": args.momentum}
    optimizer = make_optimizer(args.optimizer, lr=args.lr, **optimizer_params)
    lr = f"lr {optimizer.lr:g}"
    batch = "batch" if args.batch_size is None else (
        "sequential" if args.batch_size == 1 else f"batches of {args.batch_size}")
    note(f"training {net.name or args.topology} ({net.n_params} parameters) on {about['source']} "
          f"({plural(len(X), 'sample')}): {plural(args.epochs, 'epoch')}, {optimizer.name}, {lr}, {batch}, "
          f"seed {args.seed}")
    started = time.perf_counter()
    tqdm_bar = not args.quiet and _has_tqdm()
    printer = None if args.quiet or tqdm_bar else _progress_printer(args.epochs, started)
    recorder = None
    if args.gif:
        recorder = plots.TrainingRecorder(net, args.epochs, frames=30)
    failure = None
    try:
        history = net.fit(X, Y, epochs=args.epochs, batch_size=args.batch_size,
                          optimizer=optimizer, shuffle=not args.no_shuffle, seed=args.seed,
                          weight_decay=args.weight_decay, validation_split=args.val_split,
                          validation_data=validation, patience=args.patience, verbose=tqdm_bar,
                          callback=[c for c in (recorder, printer, dynamic) if c is not None])
    except dagnet.TrainingDiverged as err:
        history, failure = err.history, err
    seconds = time.perf_counter() - started

    folder = args.out
    with interrupts_deferred():     # a second Ctrl-C must not lose the trained network
        net.save(os.path.join(folder, TRAINED_FILE))
        history.to_csv(os.path.join(folder, "history.csv"))
    written = [TRAINED_FILE, "history.csv"]
    # The weights kept after a divergence may be huge: their pictures and figures overflow (R² -inf),
    # which the figures themselves say; numpy's warnings would only repeat it.
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        if not args.no_pictures:
            try:
                written += _write_pictures(net, X, Y, history, folder, recorder)
            except plots.MissingMatplotlib:
                note(plots.PICTURES_SKIPPED)
        metrics = _metrics_text(history, net, X, Y)
        majority = _majority_note(history, net, X, Y)
    if dynamic is not None:
        try:
            written += write_report(dynamic, history, folder, not args.no_pictures)
        except plots.MissingMatplotlib:
            written.append("sparse.json")
    status = f"trained {net.name or args.topology} for {plural(history.epochs, 'epoch')} in {seconds:.1f} s"
    if history.weights_epoch != history.epochs:
        reason = "stopped early" if history.stopped_early else "kept"
        status += f" ({reason}; saved the weights of epoch {history.weights_epoch})"
    print(status + (f": {metrics}" if metrics else ""))
    if majority:
        note(majority)
    print("wrote " + ", ".join(os.path.join(folder, name) for name in written))
    if failure is not None:
        error(failure)
        return EXIT_INVALID
    if getattr(history, "interrupted", False):
        error(f"interrupted; kept the weights after epoch {history.epochs}")
        return EXIT_INTERRUPTED
    return EXIT_OK
