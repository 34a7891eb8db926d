"""``dagnet generate`` and ``dagnet sweep``: topologies from generators, and sweeps over them.

Loaded by :func:`dagnet.cli.build_parser`, which calls :func:`add_parsers`;
errors follow the command's rules (one line, exit 1 for bad input, 2 for
a bad command line).
"""
import os

import yaml

import dagnet
from dagnet import generate, sweep
from dagnet.cli import EXIT_OK, InputError, UsageError, _command, _count_of, _note, number
from dagnet.errors import suggest


def add_parsers(subparsers):
    """Add the ``generate`` and ``sweep`` subcommands."""
    add_generate(subparsers)
    add_sweep(subparsers)


# -- generate ---------------------------------------------------------------------

def _kinds_text():
    """Every generator kind with its own parameters and defaults, then the shared ones."""
    shared = [p for p in generate.parameters("mlp")
              if all(p in generate.parameters(k) for k in generate.GENERATORS)]
    width = max(map(len, generate.GENERATORS))
    lines = ["kinds (parameters and defaults):"]
    for kind, fn in generate.GENERATORS.items():
        own = ", ".join(f"{p}={generate._flow(_plain(v))}" for p, v in generate.parameters(kind).items()
                        if p not in shared)
        summary = " ".join(fn.__doc__.strip().split("\n\n")[0].replace("``", "").split())
        lines.append(f"  {kind:<{width}}  {summary}")
        lines.append(f"  {'':<{width}}  {own}")
    defaults = ", ".join(f"{p}={generate._flow(v)}" for p, v in generate.parameters("mlp").items()
                         if p in shared)
    lines.append(f"every kind also takes: {defaults}")
    return "\n".join(lines)


def _plain(value):
    return list(value) if isinstance(value, tuple) else value


def add_generate(subparsers):
    p = _command(
        subparsers, "generate", "write a topology file from a generator (mlp, residual, dense, ...)",
        "Write the topology of a generator kind as a YAML file that 'dagnet train', 'dagnet sweep'\n"
        "and dagnet.load read. Parameters are KEY=VALUE with YAML values ([8, 8], tanh, 0.5, null);\n"
        "weights are left for the loader's seed.\n\n" + _kinds_text(),
        "  dagnet generate residual --param sizes=[8,8,8,8] every=2 --out residual.yaml\n"
        "  dagnet generate watts_strogatz --param n=32 k=4 p=0.25 graph_seed=1 --out ws.yaml")
    p.add_argument("kind", metavar="KIND", help="generator kind (listed above)")
    p.add_argument("--param", "-p", dest="params", action="extend", nargs="+", default=[],
                   metavar="KEY=VALUE", help="a generator parameter (repeatable)")
    p.add_argument("--out", required=True, metavar="FILE", help="topology YAML file to write")
    p.set_defaults(func=run_generate)


def parse_params(kind, items):
    """``{key: value}`` from ``KEY=VALUE`` texts, values read as YAML; names checked against ``kind``."""
    if kind not in generate.GENERATORS:
        raise UsageError(f"unknown generator kind {kind!r}{suggest(kind, generate.GENERATORS)}; "
                         f"kinds: {', '.join(generate.GENERATORS)}")
    known = generate.parameters(kind)
    params = {}
    for item in items:
        key, equals, text = item.partition("=")
        key = key.strip()
        if not equals or not key:
            raise UsageError(f"--param {item!r}: expected KEY=VALUE, e.g. sizes=[8,8]")
        if key not in known:
            raise UsageError(f"{kind} has no parameter {key!r}{suggest(key, known)}; its parameters: "
                             f"{', '.join(known)}")
        if key in params:
            raise UsageError(f"--param {key} is given twice")
        try:
            params[key] = sweep._numbers(yaml.safe_load(text))
        except yaml.YAMLError as err:
            problem = getattr(err, "problem", None) or sweep._one_line(err)
            raise UsageError(f"--param {item!r}: not a YAML value ({problem})") from None
    return params


def run_generate(args):
    params = parse_params(args.kind, args.params)
    folder = os.path.dirname(os.path.abspath(args.out))
    if not os.path.isdir(folder):
        raise InputError(f"{args.out}: folder {folder} does not exist")
    G = generate.graph(args.kind, **params)
    net = dagnet.Network.from_graph(G, seed=0)   # the file must load: check before writing
    generate.write(G, args.out)
    hidden = len(G) - len(net.inputs) - len(net.outputs)
    print(f"wrote {args.out}: {args.kind}, {_count_of(len(net.inputs), 'input')}, {hidden} hidden, "
          f"{_count_of(len(net.outputs), 'output')}, {_count_of(G.number_of_edges(), 'edge')}, "
          f"{_count_of(net.n_params, 'parameter')}")
    return EXIT_OK


# -- sweep ------------------------------------------------------------------------------

_jobs = number(int, lambda v: v != 0, "a whole number other than 0 (-1: every core)")


def add_sweep(subparsers):
    p = _command(
        subparsers, "sweep", "train every combination of topologies, data, hyperparameters and seeds",
        "Run the experiment file's runs (topologies × datasets × grid × seeds) and write into\n"
        "--out DIR: results.csv (one row per run, appended as each finishes), summary.csv and\n"
        "summary.md (mean, std and min over seeds), loss_curves.png and accuracy.png.\n"
        "Runs already in DIR/results.csv are skipped, so an interrupted sweep resumes where it\n"
        "stopped. Runs go to --jobs worker processes (joblib) or to a Dask cluster (--scheduler).\n"
        "The file format: docs/sweeps.md.",
        "  dagnet sweep experiment.yaml --out runs/sweep --jobs 4\n"
        "  dagnet sweep experiment.yaml --out runs/sweep --scheduler tcp://10.0.0.5:8786")
    p.add_argument("experiment", metavar="EXPERIMENT", help="experiment YAML file")
    p.add_argument("--out", required=True, metavar="DIR", help="folder for the results (created)")
    p.add_argument("--jobs", "-j", type=_jobs, default=-1, metavar="N",
                   help='worker processes (default -1: every core; needs "dagnet[sweep]")')
    p.add_argument("--scheduler", metavar="ADDRESS",
                   help='run on a Dask cluster, e.g. tcp://HOST:8786 (needs "dagnet[dask]")')
    p.add_argument("--no-pictures", action="store_true", help="write no PNGs")
    p.set_defaults(func=run_sweep)


def run_sweep(args):
    if os.path.exists(args.out) and not os.path.isdir(args.out):
        raise InputError(f"{args.out}: exists and is not a folder")
    try:
        result = sweep.run(args.experiment, args.out, n_jobs=args.jobs, scheduler=args.scheduler,
                           pictures=not args.no_pictures, log=_note)
    except sweep.MissingDependency as err:
        raise InputError(str(err)) from None
    with open(os.path.join(args.out, sweep.SUMMARY_MD), encoding="utf-8") as f:
        print(f.read(), end="")
    print("wrote " + ", ".join(result.files))
    return EXIT_OK
