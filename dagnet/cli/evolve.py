"""``dagnet evolve``: NEAT's topology search (neat-python) with every genome trained by dagnet."""
import logging
import os

import numpy as np

from dagnet import datasets
from dagnet.interchange import MissingDependency
from dagnet.optimizers import OPTIMIZERS
from dagnet.sweep.execution import WorkersLost

from .common import (EXIT_INTERRUPTED, EXIT_OK, InputError, choice, columns, command, count, fraction,
                     non_negative_float, note, positive_float, positive_int, seed)
from .data import looks_like_file, read_builtin

#: Data sets smaller than this are scored on themselves (XOR's four points cannot spare any).
SMALL = 20


def add(subparsers):
    p = command(subparsers, "evolve", "evolve a topology: NEAT's search with backpropagation inside",
                "Search for a topology with neat-python (population, speciation, crossover, stagnation,\n"
                "its config file format) while dagnet trains every genome by backpropagation: each\n"
                "genome becomes a dagnet network, trains for --epochs on the data, and its fitness is\n"
                "its accuracy on held-out rows (--validation), less --complexity per connection.\n"
                "Lamarckian by default: the trained weights go back into the genome, so children\n"
                "inherit what their parents learned (--baldwinian keeps the genome as it was).\n\n"
                "With no --config, a default starts from inputs wired to outputs and no hidden nodes.\n"
                "Any neat-python config file for DefaultGenome works whose networks dagnet computes\n"
                "exactly (sum aggregation; sigmoid, tanh, gauss, relu, elu, identity).\n\n"
                "One line per generation shows best and mean fitness, species, the best genome's\n"
                "hidden nodes and connections, and seconds. Ctrl-C stops and keeps the champion so\n"
                "far; --resume goes on from the last checkpoint (even after kill -9) and ends with\n"
                "the champion an uninterrupted run finds. OUT gets champion.yaml (a dagnet topology),\n"
                "champion.pkl (the genome, beside config-feedforward) and champion.json\n"
                "(neat-python's JSON export), history.csv, species.csv, summary.json, neat-python\n"
                "checkpoints and pictures (fitness.png, species.png, champion.png, regions.png).",
                "  dagnet evolve --data spirals --out runs/evo\n"
                "  dagnet evolve --data xor --out runs/xor --config docs/interchange-xor-config.ini --generations 20\n"
                "  dagnet evolve --data moons --out runs/moons --generations 20 --jobs 2 --complexity 0.002\n"
                "  dagnet evolve --data spirals --out runs/evo --resume")
    p.add_argument("--data", required=True, metavar="NAME|CSV",
                   help="a built-in data set name or a CSV file with a header row")
    p.add_argument("--targets", type=columns, metavar="COLS", help="CSV target columns (default: the last)")
    p.add_argument("--inputs", type=columns, metavar="COLS", help="CSV input columns (default: the others)")
    p.add_argument("--n-samples", type=positive_int, metavar="N", help="samples of a built-in data set")
    p.add_argument("--noise", type=non_negative_float, metavar="X", help="noise of a built-in data set")
    p.add_argument("--data-seed", type=seed, default=0, metavar="N",
                   help="seed of a built-in data set (default 0); the test set uses N+1")
    p.add_argument("--no-test", action="store_true",
                   help="no test set (by default a built-in set other than a truth table gets one of "
                        "the same size, never seen by the run, on which the champion is scored)")
    p.add_argument("--out", required=True, metavar="DIR", help="the run's folder (created)")
    p.add_argument("--config", metavar="FILE", help="a neat-python config file (default: dagnet's, written "
                                                    "to DIR/config-feedforward)")
    p.add_argument("--generations", type=positive_int, default=30, metavar="N",
                   help="at most N generations (default 30; fewer when the fitness threshold is met)")
    p.add_argument("--pop-size", type=positive_int, metavar="N",
                   help="population of the default config (default 60; a --config sets its own)")
    p.add_argument("--epochs", type=count, default=300, metavar="N",
                   help="training epochs per genome and generation (default 300; 0: plain NEAT)")
    p.add_argument("--lr", type=positive_float, default=0.03, metavar="X", help="learning rate (default 0.03)")
    p.add_argument("--optimizer", type=choice(list(OPTIMIZERS), "optimizer"), default="adam", metavar="NAME",
                   help=f"{', '.join(OPTIMIZERS)} (default adam)")
    p.add_argument("--batch-size", type=positive_int, default=16, metavar="N",
                   help="samples per update (default 16)")
    p.add_argument("--full-batch", action="store_true",
                   help="one update per epoch on all the training samples instead of batches")
    p.add_argument("--fitness", choices=["accuracy", "loss"],
                   help="held-out accuracy, or minus the held-out loss (default: accuracy for classes, "
                        "loss for other targets)")
    p.add_argument("--complexity", type=non_negative_float, default=0.0, metavar="X",
                   help="fitness penalty per connection (default 0)")
    p.add_argument("--validation", type=fraction, metavar="F",
                   help=f"fraction of the data held out to score fitness (default 0.25; 0, scoring on "
                        f"the training data, for sets under {SMALL} samples)")
    p.add_argument("--baldwinian", action="store_true",
                   help="keep genomes as they were (fitness after training only), not Lamarckian")
    p.add_argument("--seed", type=seed, default=0, metavar="N", help="seed of the whole run (default 0)")
    p.add_argument("--jobs", "-j", type=int, default=1, metavar="N",
                   help='worker processes (default 1; -1: every core; needs "dagnet[sweep]")')
    p.add_argument("--scheduler", metavar="ADDRESS",
                   help='train on a Dask cluster, e.g. tcp://HOST:8786 (needs "dagnet[dask]")')
    p.add_argument("--resume", action="store_true",
                   help="go on from DIR's newest checkpoint, with the settings stored there")
    p.add_argument("--no-pictures", action="store_true", help="write no PNGs")
    p.set_defaults(func=run)


def _csv(args):
    from .data import csv_header
    header = csv_header(args.data)
    targets = args.targets or header[-1:]
    inputs = args.inputs or [c for c in header if c not in targets]
    try:
        X, Y = datasets.load_csv(args.data, inputs, targets)
    except ValueError as err:
        raise InputError(str(err)) from None
    whole = bool(np.all(Y == np.rint(Y)) and np.all(Y >= 0))    # class labels or 0/1 columns
    return X, Y, None, {"source": args.data, "task": "classification" if whole else "regression"}


def _data(args):
    """(X, Y, test or None, about): Y as one 0/1 column for two classes, one per class beyond."""
    if looks_like_file(args.data):
        X, Y, test, about = _csv(args)
    else:
        X, Y, about = read_builtin(args.data, args)
        test = None
        if not args.no_test and datasets.get(args.data).n_samples is not None:
            data_seed = args.data_seed
            args.data_seed = data_seed + 1
            test = read_builtin(args.data, args)[:2]
            args.data_seed = data_seed
    if about["task"] == "classification" and Y.shape[1] == 1:
        labels = np.rint(Y[:, 0])
        if len(np.unique(labels)) > 2 or labels.max() > 1:
            n_classes = int(labels.max()) + 1
            Y = datasets.one_hot(labels.astype(int), n_classes)
            test = None if test is None else (test[0], datasets.one_hot(np.rint(test[1][:, 0]).astype(int),
                                                                          n_classes))
    return X, Y, test, about


def run(args):
    from dagnet import evolve
    from dagnet.evolve import neatconfig

    if os.path.exists(args.out) and not os.path.isdir(args.out):
        raise InputError(f"{args.out}: exists and is not a folder")
    if args.jobs == 0:
        raise InputError("--jobs must be a whole number other than 0 (-1: every core)")
    X, Y, test, about = _data(args)
    fitness = args.fitness or ("accuracy" if about["task"] == "classification" else "loss")
    validation = args.validation if args.validation is not None else (0.0 if len(X) < SMALL else 0.25)
    settings = evolve.Settings(epochs=args.epochs, lr=args.lr, optimizer=args.optimizer,
                               batch_size=None if args.full_batch else args.batch_size, fitness=fitness,
                               complexity=args.complexity,
                               inheritance="baldwinian" if args.baldwinian else "lamarckian",
                               validation=validation, seed=args.seed)
    config = args.config
    if config is None and args.pop_size is not None:
        os.makedirs(args.out, exist_ok=True)
        config = os.path.join(args.out, neatconfig.CONFIG_NAME)
        neatconfig.write_config(config, neatconfig.default_text(X.shape[1], Y.shape[1], pop_size=args.pop_size))
    if args.scheduler and not os.environ.get("DAGNET_DEBUG"):
        logging.disable(logging.CRITICAL)    # a lost scheduler makes distributed log tracebacks
    try:
        outcome = evolve.evolve(X, Y, args.out, config=config, settings=settings, generations=args.generations,
                                n_jobs=args.jobs, scheduler=args.scheduler, resume=args.resume, test=test,
                                pictures=not args.no_pictures, log=note)
    except (MissingDependency, WorkersLost) as err:
        raise InputError(str(err)) from None
    finally:
        logging.disable(logging.NOTSET)
    champion = outcome.summary["champion"]
    measures = [f"fitness {champion['fitness']:.4f}"]
    for key in ("accuracy", "test_accuracy"):
        if champion.get(key) is not None:
            measures.append(f"{key.replace('_', ' ')} {champion[key]:.3f}")
    print(f"champion: genome {champion['genome']} of generation {champion['generation']}, "
          f"{champion['hidden']} hidden, {champion['connections']} connections, {', '.join(measures)}")
    print(f"wrote {os.path.join(args.out, 'champion.yaml')} and the rest of the run in {args.out}")
    return EXIT_INTERRUPTED if outcome.interrupted else EXIT_OK
