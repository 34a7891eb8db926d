"""``dagnet sweep``: train every topology × data × hyperparameter × seed of an experiment file."""
import logging
import os

from dagnet import sweep

from .common import EXIT_OK, InputError, command, note, number, positive_float


_jobs = number(int, lambda v: v != 0, "a whole number other than 0 (-1: every core)")


def add(subparsers):
    p = command(
        subparsers, "sweep", "train every combination of topologies, data, hyperparameters and seeds",
        "Run the experiment file's runs (topologies × datasets × grid × seeds) and write into\n"
        "--out DIR: results.csv (one row per run, appended as each finishes), summary.csv and\n"
        "summary.md (mean, std and min over seeds), loss_curves.png and accuracy.png.\n"
        "Runs already in DIR/results.csv are skipped, so an interrupted sweep resumes where it\n"
        "stopped. Runs go to --jobs worker processes (joblib) or to a Dask cluster (--scheduler).\n"
        "If workers die or the cluster goes away, the sweep stops with one line; the finished\n"
        "runs are kept and the same command trains the rest. The file format: docs/sweeps.md.",
        "  dagnet sweep experiment.yaml --out runs/sweep --jobs 4\n"
        "  dagnet sweep experiment.yaml --out runs/sweep --scheduler tcp://10.0.0.5:8786")
    p.add_argument("experiment", metavar="EXPERIMENT", help="experiment YAML file")
    p.add_argument("--out", required=True, metavar="DIR", help="folder for the results (created)")
    p.add_argument("--jobs", "-j", type=_jobs, default=-1, metavar="N",
                   help='worker processes (default -1: every core; needs "dagnet[sweep]")')
    p.add_argument("--scheduler", metavar="ADDRESS",
                   help='run on a Dask cluster, e.g. tcp://HOST:8786 (needs "dagnet[dask]")')
    p.add_argument("--worker-timeout", type=positive_float, default=60.0, metavar="SECONDS",
                   help="stop when the Dask cluster has had no workers this long (default 60)")
    p.add_argument("--no-pictures", action="store_true", help="write no PNGs")
    p.set_defaults(func=run)


def run(args):
    if os.path.exists(args.out) and not os.path.isdir(args.out):
        raise InputError(f"{args.out}: exists and is not a folder")
    if args.scheduler and not os.environ.get("DAGNET_DEBUG"):
        # a lost scheduler makes distributed log tracebacks; the sweep says it in one line
        logging.disable(logging.CRITICAL)
    try:
        result = sweep.run(args.experiment, args.out, n_jobs=args.jobs, scheduler=args.scheduler,
                           pictures=not args.no_pictures, log=note, worker_timeout=args.worker_timeout)
    except (sweep.MissingDependency, sweep.WorkersLost) as err:
        raise InputError(str(err)) from None
    finally:
        logging.disable(logging.NOTSET)
    with open(os.path.join(args.out, sweep.SUMMARY_MD), encoding="utf-8") as f:
        print(f.read(), end="")
    print("wrote " + ", ".join(result.files))
    return EXIT_OK
