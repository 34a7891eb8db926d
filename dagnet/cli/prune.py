"""``dagnet prune``: remove the least salient weights of a trained network and write the smaller topology."""
import argparse
import os

from dagnet import growth_plots, plots
from dagnet.engine import ENGINES
from dagnet.optimizers import OPTIMIZERS
from dagnet.pruning import SCOPES, prune
from dagnet.saliency import METHODS

from .common import (EXIT_OK, InputError, UsageError, choice, command, count, load, note, positive_float,
                     positive_int)
from .data import add_data_arguments, fit_targets, read_data


def _amount(text):
    """--amount: a fraction in [0, 1) of the weights to remove, or a whole number of them."""
    try:
        value = int(text)
    except ValueError:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a fraction in [0, 1) or a whole number, got {text!r}") from None
        if not 0.0 <= value < 1.0:
            raise argparse.ArgumentTypeError(f"expected a fraction in [0, 1) of the weights to remove, got {text!r}")
        return value
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected a whole number >= 0 of weights, got {text!r}")
    return value


def add(subparsers):
    p = command(
        subparsers, "prune", "remove the least salient weights and write the smaller topology",
        "Rank the weights of a (trained) network by magnitude, Optimal Brain Damage saliency\n"
        "(½ ∂²E/∂w² w², LeCun et al. 1990) or Fisher saliency (½ w² Σ (δ_k z_j)²), remove the\n"
        "--amount least salient (0.9 keeps 10 %) and every perceptron left with no path to an\n"
        "output, fold perceptrons with no path from an input into biases, optionally retrain,\n"
        "and write an ordinary topology file that trains and predicts faster. obd, fisher and\n"
        "retraining need --data.",
        "  dagnet prune runs/moons/trained.yaml --amount 0.9 --method obd --data moons \\\n"
        "      --retrain-epochs 50 --optimizer adam --lr 0.01 --out pruned.yaml --picture pruned.png\n"
        "  dagnet prune trained.yaml --amount 0.5 --method magnitude --scope node --out half.yaml")
    p.add_argument("topology", metavar="FILE", help="topology or trained YAML file")
    p.add_argument("--out", required=True, metavar="YAML", help="the pruned topology file to write")
    p.add_argument("--amount", type=_amount, default=0.9, metavar="A",
                   help="fraction of the trainable weights to remove (default 0.9), or a number of them")
    p.add_argument("--method", type=choice(list(METHODS), "method"), default="magnitude", metavar="NAME",
                   help="magnitude (default), obd or fisher")
    p.add_argument("--scope", choices=SCOPES, default="global",
                   help="rank all weights together (global, default) or each perceptron's in-weights (node)")
    p.add_argument("--rounds", type=positive_int, default=1, metavar="N",
                   help="prune in N rounds, retraining after each when --retrain-epochs is given")
    add_data_arguments(p, required=False)
    train = p.add_argument_group("retraining")
    train.add_argument("--retrain-epochs", type=count, default=0, metavar="N",
                       help="train this many epochs after each round (default 0: no retraining)")
    train.add_argument("--optimizer", type=choice(list(OPTIMIZERS), "optimizer"), default="adam",
                       metavar="NAME", help="adam (default), sgd, momentum, nesterov")
    train.add_argument("--lr", type=positive_float, metavar="η", help="learning rate (default: the optimiser's)")
    train.add_argument("--batch-size", type=positive_int, metavar="N", help="default: all samples at once")
    train.add_argument("--seed", type=int, default=0, metavar="N",
                       help="seeds shuffling and weights the file leaves out (default 0)")
    p.add_argument("--picture", metavar="PNG|SVG|PDF", help="also draw the network before and after")
    p.add_argument("--engine", choices=list(ENGINES), default="compiled", help="which engine runs (see docs/engines.md)")
    p.set_defaults(func=run)


def _summary(net, X, Y):
    if Y is None:
        return ""
    text = f"loss {net.evaluate(X, Y):.6g}"
    if net.is_classifier or set(map(float, Y.ravel())) <= {0.0, 1.0}:
        text += f", accuracy {net.score(X, Y):.4f}"
    return text


def run(args):
    needs_data = METHODS[args.method].needs_data or args.retrain_epochs
    if needs_data and not args.data:
        why = f"--method {args.method}" if METHODS[args.method].needs_data else "--retrain-epochs"
        raise UsageError(f"{why} needs --data NAME|CSV (the samples to measure and train on)")
    if not args.out.lower().endswith((".yaml", ".yml")):
        raise UsageError(f"--out {args.out!r}: give a .yaml file for the pruned topology")
    for path in (args.out, args.picture):
        if path and not os.path.isdir(os.path.dirname(os.path.abspath(path))):
            raise InputError(f"{path}: folder {os.path.dirname(os.path.abspath(path))} does not exist")
    net = load(args.topology, args)
    X = Y = None
    if args.data:
        X, Y, about = read_data(args.data, net, args)
        Y = fit_targets(net, X, Y, about)
    retrain = None
    if args.retrain_epochs:
        retrain = {"epochs": args.retrain_epochs, "optimizer": args.optimizer, "lr": args.lr,
                   "batch_size": args.batch_size, "seed": args.seed}
    before = _summary(net, X, Y)
    small = prune(net, args.amount, args.method, X, Y, scope=args.scope, rounds=args.rounds, retrain=retrain)
    small.save(args.out)
    w0, w1 = len(net.plan.edge_slot), len(small.plan.edge_slot)
    n0, n1 = net.plan.n_nodes, small.plan.n_nodes
    print(f"pruned {net.name or args.topology} by {args.method} ({args.scope}): {w0} -> {w1} weights "
          f"({100 * w1 / max(w0, 1):.1f} % kept), {n0} -> {n1} nodes, {net.n_params} -> {small.n_params} parameters")
    if before:
        after = _summary(small, X, Y)
        print(f"on {about['source']}: before {before}; after{' retraining' if retrain else ''} {after}")
    written = [args.out]
    if args.picture:
        try:
            growth_plots.pruned_network(net, small, args.picture)
            written.append(args.picture)
        except plots.MissingMatplotlib:
            note(plots.PICTURES_SKIPPED)
    print("wrote " + ", ".join(written))
    return EXIT_OK
