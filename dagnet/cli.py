"""The ``dagnet`` command: check, inspect, train, run, gradient-check and draw topologies.

Built on argparse from the standard library, so the command costs no
dependency beyond dagnet's own. Every subcommand is a pair of functions:
``add_<name>(subparsers)`` declares its flags (with an example in its
``--help``), ``run_<name>(args)`` does the work through dagnet's public API
and returns the exit code.

Exit codes: 0 success; 1 invalid input (a file that is missing or broken,
data that does not fit the network, a diverged training run, a failed
gradient check); 2 a wrong command line; 130 interrupted (Ctrl-C). Every
error is one line on stderr, ``dagnet: error: ...``, never a traceback
(set ``DAGNET_DEBUG=1`` to see one for an unexpected failure).
"""
import argparse
import csv
import io
import json
import math
import os
import sys
import time

import networkx as nx
import numpy as np

import dagnet
from dagnet import plots
from dagnet.optimizers import make_optimizer

EXIT_OK, EXIT_INVALID, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130
PICTURES_SKIPPED = 'pictures skipped: pip install "dagnet[plot]"'
TRAINED_FILE = "trained.yaml"


class UsageError(Exception):
    """The command line itself is wrong (exit 2)."""


class InputError(Exception):
    """A file, a data set or a value does not fit (exit 1)."""


class Parser(argparse.ArgumentParser):
    """argparse that reports a usage error as one line instead of printing the usage block."""

    def error(self, message):
        raise UsageError(f"{message} (see '{self.prog} --help')")


def _formatter(prog):
    return argparse.RawDescriptionHelpFormatter(prog, max_help_position=32)


def _command(subparsers, name, summary, description, example):
    return subparsers.add_parser(name, help=summary, description=description,
                                 epilog="example:\n" + example, formatter_class=_formatter)


# -- argument types (a bad value is a usage error, exit 2) ------------------------

def number(convert, ok, wanted):
    """An argparse type: ``convert(text)``, then ``ok(value)`` or a usage error "expected {wanted}"."""
    kind = "a whole number" if convert is int else "a number"

    def parse(text):
        try:
            value = convert(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected {kind}, got {text!r}") from None
        if not (math.isfinite(value) and ok(value)):
            raise argparse.ArgumentTypeError(f"expected {wanted}, got {text!r}")
        return value
    return parse


_positive_int = number(int, lambda v: v >= 1, "a whole number >= 1")
_count = number(int, lambda v: v >= 0, "a whole number >= 0")
_positive_float = number(float, lambda v: v > 0, "a number > 0")
_non_negative_float = number(float, lambda v: v >= 0, "a number >= 0")
_fraction = number(float, lambda v: 0 <= v < 1, "a fraction in [0, 1)")


def _columns(text):
    names = [c.strip() for c in text.split(",") if c.strip()]
    if not names:
        raise argparse.ArgumentTypeError("expected comma-separated column names")
    return names


def _collapse(text):
    """--collapse: auto | all | none | N | group,group."""
    words = {"auto": None, "all": True, "none": False}
    if text in words:
        return words[text]
    if text.isdigit():
        return int(text)
    return _columns(text)


# -- data ------------------------------------------------------------------------

def _datasets():
    try:
        from dagnet import datasets
    except ImportError as err:   # pragma: no cover - datasets ships with dagnet
        raise InputError(f"built-in data sets are unavailable ({err})") from None
    return datasets


def _dataset_names():
    try:
        return list(_datasets().names())
    except Exception:   # the listing is help text only; never fail on it
        return []


def _info_value(info, key, default=None):
    if isinstance(info, dict):
        return info.get(key, default)
    return getattr(info, key, default)


def _looks_like_file(spec):
    return os.path.isfile(spec) or spec.lower().endswith((".csv", ".tsv", ".txt")) or os.sep in spec


def _csv_header(path):
    try:
        with open(path, newline="", encoding="utf-8") as f:
            row = next(csv.reader(f), None)
    except FileNotFoundError:
        raise InputError(f"{path}: no such file (expected a CSV file or a built-in data set: "
                         f"{', '.join(_dataset_names())})") from None
    except UnicodeDecodeError:
        raise InputError(f"{path}: not a UTF-8 text file") from None
    if not row:
        raise InputError(f"{path}: empty file; expected a header row of column names")
    return [c.strip() for c in row]


def _pick_columns(path, header, net, inputs, targets, need_targets):
    """Input and target column names: as given, else the network's own names, else by position."""
    for given in (inputs or []) + (targets or []):
        if given not in header:
            from difflib import get_close_matches
            near = get_close_matches(given, header, n=1)
            hint = f" (did you mean {near[0]!r}?)" if near else ""
            raise InputError(f"{path}: no column {given!r}{hint}; columns: {', '.join(header)}")
    n_in = len(net.inputs)
    if inputs is None:
        names = [str(i) for i in net.inputs]
        if all(n in header for n in names):
            inputs = names
        elif len(header) >= n_in:
            inputs = header[:n_in]
        else:
            raise InputError(f"{path}: {len(header)} columns, but the network has {n_in} inputs "
                             f"({_names(net.inputs)}); name them with --inputs")
    if len(inputs) != n_in:
        raise InputError(f"{path}: {len(inputs)} input columns given for {n_in} network inputs "
                         f"({_names(net.inputs)})")
    if targets is None:
        names = [str(o) for o in net.outputs]
        rest = [c for c in header if c not in inputs]
        if all(n in header for n in names):
            targets = names
        elif rest:
            targets = rest
        else:
            targets = []
    if need_targets and not targets:
        raise InputError(f"{path}: no target columns besides the inputs {', '.join(inputs)}; "
                         f"name them with --targets")
    return inputs, targets


def _read_csv(path, net, inputs=None, targets=None, need_targets=True):
    """(X, Y or None, description) from a CSV file with a header row."""
    header = _csv_header(path)
    inputs, targets = _pick_columns(path, header, net, inputs, targets, need_targets)
    datasets = _datasets()
    try:
        X, Y = datasets.load_csv(path, inputs=inputs, targets=targets or None)
    except (KeyError, IndexError) as err:
        raise InputError(f"{path}: {err}") from None
    if not targets:
        Y = None
    return np.asarray(X, dtype=float), (None if Y is None else np.asarray(Y, dtype=float)), \
        {"source": path, "task": None, "n_classes": None, "columns": inputs + list(targets)}


def _read_builtin(name, args):
    datasets = _datasets()
    known = _dataset_names()
    if known and name not in known:
        from difflib import get_close_matches
        near = get_close_matches(name, known, n=1)
        hint = f" (did you mean {near[0]!r}?)" if near else ""
        raise InputError(f"unknown data set {name!r}{hint}: not a file and not built in; built-in: "
                         f"{', '.join(known)}")
    kwargs = {"seed": getattr(args, "data_seed", 0)}
    if getattr(args, "n_samples", None) is not None:
        kwargs["n_samples"] = args.n_samples
    if getattr(args, "noise", None) is not None:
        kwargs["noise"] = args.noise
    X, Y = datasets.load(name, **kwargs)
    try:
        info = datasets.info(name)
    except Exception:   # pragma: no cover - info is advisory
        info = {}
    about = {"source": name, "task": _info_value(info, "task"),
             "n_classes": _info_value(info, "n_classes"), "columns": None}
    return np.asarray(X, dtype=float), np.asarray(Y, dtype=float), about


def read_data(spec, net, args, need_targets=True):
    """Samples for ``net`` from a built-in data set name or a CSV path: (X, Y, about)."""
    if _looks_like_file(spec):
        return _read_csv(spec, net, getattr(args, "inputs", None), getattr(args, "targets", None),
                         need_targets)
    return _read_builtin(spec, args)


def fit_targets(net, X, Y, about):
    """Check that (X, Y) suits ``net`` and return Y in the form its loss takes.

    Class labels (one column of whole numbers) go to one output for two
    classes, or one output per class (as labels for cross-entropy, one-hot
    rows for the squared errors). Anything that does not fit is one clear
    InputError.
    """
    source = about["source"]
    n_in, n_out = len(net.inputs), len(net.outputs)
    if X.ndim != 2 or X.shape[1] != n_in:
        raise InputError(f"data {source!r} has {X.shape[1] if X.ndim == 2 else 1} input column(s) "
                         f"but the network has {n_in} input(s) ({_names(net.inputs)})")
    if Y is None:
        return None
    Y = Y.reshape(len(Y), -1)
    whole = bool(np.all(np.isfinite(Y)) and np.all(Y == np.round(Y)) and np.all(Y >= 0))
    labels = Y.shape[1] == 1 and whole and (about["task"] == "classification" or (
        about["task"] is None and (net.is_classifier or n_out > 1)))
    if not labels:
        if Y.shape[1] != n_out:
            raise InputError(f"data {source!r} has {Y.shape[1]} target column(s) but the network has "
                             f"{n_out} output(s) ({_names(net.outputs)})")
        return Y
    k = int(about["n_classes"] or int(Y.max()) + 1)
    if n_out == 1:
        if k > 2:
            raise InputError(f"data {source!r} has {k} classes but the network has one output; a "
                             f"classifier needs one output per class (softmax with cross_entropy)")
        return Y
    if n_out != k:
        raise InputError(f"data {source!r} has {k} classes but the network has {n_out} outputs "
                         f"({_names(net.outputs)}); a classifier needs one output per class, or one "
                         f"output for two classes")
    if net.loss == "cross_entropy":
        return Y
    return np.eye(k)[Y.astype(int).ravel()]


# -- text helpers ------------------------------------------------------------------

def _names(nodes, limit=8):
    nodes = [str(n) for n in nodes]
    if len(nodes) <= limit:
        return ", ".join(nodes)
    return f"{', '.join(nodes[:3])}, …, {', '.join(nodes[-2:])} ({len(nodes)})"


def _count_of(n, noun):
    return f"{n} {noun}" + ("" if n == 1 else "s")


def _one_line(text):
    return "; ".join(part.strip() for part in str(text).splitlines() if part.strip())


def _error(message):
    print(f"dagnet: error: {_one_line(message)}", file=sys.stderr)


def _note(message):
    print(message, file=sys.stderr)


def _os_error(err):
    if err.filename is not None:
        return f"{err.filename}: {(err.strerror or str(err)).lower()}"
    return str(err)


def _load(path, args=None, seed=None):
    return dagnet.load(path, seed=seed if seed is not None else getattr(args, "seed", None),
                       engine=getattr(args, "engine", "compiled"),
                       init=getattr(args, "init", None))


def _generations(G):
    return {n: k for k, gen in enumerate(nx.topological_generations(G)) for n in gen}


# -- validate ------------------------------------------------------------------------

def add_validate(subparsers):
    p = _command(subparsers, "validate", "check topology files",
                 "Load each topology and report 'ok' or the first problem in it (file, key, node).",
                 "  dagnet validate topologies/*.yaml")
    p.add_argument("files", nargs="+", metavar="FILE", help="topology YAML files")
    p.set_defaults(func=run_validate)


def run_validate(args):
    bad = 0
    for path in args.files:
        try:
            net = dagnet.load(path, seed=0)
        except (dagnet.TopologyError, ValueError, OSError) as err:
            bad += 1
            _error(_os_error(err) if isinstance(err, OSError) else err)
            continue
        G = net.graph
        print(f"ok  {path}: {_count_of(len(net.inputs), 'input')}, {_count_of(len(net.outputs), 'output')}, "
              f"{_count_of(len(G), 'node')}, {_count_of(G.number_of_edges(), 'edge')}, "
              f"{_count_of(net.n_params, 'parameter')}")
    return EXIT_INVALID if bad else EXIT_OK


# -- info ------------------------------------------------------------------------------

def add_info(subparsers):
    p = _command(subparsers, "info", "describe a topology: sizes, depth, generations, skips",
                 "Inputs, outputs, nodes, edges, parameters, groups, depth (longest path), "
                 "topological generations,\nskip edges (edges that jump over a generation) "
                 "and in/out-degrees of a topology or trained file.",
                 "  dagnet info topologies/deep_skip.yaml\n  dagnet info runs/xor/trained.yaml --json")
    p.add_argument("file", metavar="FILE", help="topology YAML file (or one written by train)")
    p.add_argument("--json", action="store_true", help="print the facts as JSON")
    p.set_defaults(func=run_info)


def describe(net):
    """The structural facts ``dagnet info`` prints, as plain data."""
    G = net.graph
    generation = _generations(G)
    sizes = [0] * (max(generation.values()) + 1)
    for g in generation.values():
        sizes[g] += 1
    skips = [(u, v) for u, v in G.edges if generation[v] - generation[u] > 1]
    groups = {}
    for n, d in G.nodes(data=True):
        if d.get("group") is not None:
            groups.setdefault(d["group"], []).append(n)
    activations = {}
    for n, d in G.nodes(data=True):
        if d["role"] != "input":
            activations[d["activation"]] = activations.get(d["activation"], 0) + 1
    roles = {r: sum(1 for _, d in G.nodes(data=True) if d["role"] == r) for r in ("input", "hidden", "output")}
    fixed_edges = sum(1 for *_, d in G.edges(data=True) if not d.get("trainable", True))
    biases = sum(1 for _, d in G.nodes(data=True) if d.get("bias") is not None)
    non_inputs = [n for n in G if G.nodes[n]["role"] != "input"]
    in_deg = [G.in_degree(n) for n in non_inputs]
    out_deg = [G.out_degree(n) for n in G if G.out_degree(n) or G.nodes[n]["role"] != "output"]
    widest = max(non_inputs, key=G.in_degree) if non_inputs else None

    def summary(values):
        return {"min": int(min(values)), "mean": round(float(np.mean(values)), 2),
                "max": int(max(values))} if values else None

    return {
        "name": net.name,
        "description": " ".join(str(G.graph["description"]).split()) if G.graph.get("description") else None,
        "inputs": [str(n) for n in net.inputs], "outputs": [str(n) for n in net.outputs],
        "loss": net.loss, "nodes": G.number_of_nodes(), "roles": roles,
        "edges": G.number_of_edges(), "parameters": net.n_params,
        "weights": G.number_of_edges(), "biases": biases, "fixed_weights": fixed_edges,
        "activations": activations,
        "groups": {str(g): len(ms) for g, ms in groups.items()},
        "depth": len(sizes) - 1, "generations": sizes,
        "skip_edges": len(skips), "skip_edge_list": [[str(u), str(v)] for u, v in skips],
        "in_degree": summary(in_deg), "out_degree": summary(out_deg),
        "widest_fan_in": None if widest is None else [str(widest), G.in_degree(widest)],
    }


def run_info(args):
    net = _load(args.file, seed=0)
    facts = describe(net)
    if args.json:
        print(json.dumps(facts, indent=2, ensure_ascii=False))
        return EXIT_OK
    roles = facts["roles"]
    lines = [("name", facts["name"] or "(none)")]
    if facts["description"]:
        lines.append(("description", facts["description"]))
    lines += [
        ("inputs", f"{len(facts['inputs'])}: {_names(facts['inputs'])}"),
        ("outputs", f"{len(facts['outputs'])}: {_names(facts['outputs'])}"),
        ("loss", facts["loss"]),
        ("nodes", f"{facts['nodes']} ({_count_of(roles['input'], 'input')}, {roles['hidden']} hidden, "
                  f"{_count_of(roles['output'], 'output')})"),
        ("edges", f"{facts['edges']}" + (f" ({facts['fixed_weights']} fixed)" if facts["fixed_weights"] else "")),
        ("parameters", f"{facts['parameters']} trainable (of {facts['weights']} weights and "
                       f"{facts['biases']} biases)"),
        ("activations", ", ".join(f"{a} ×{k}" for a, k in sorted(facts["activations"].items()))),
        ("groups", ", ".join(f"{g} ({k})" for g, k in facts["groups"].items()) or "none"),
        ("depth", f"{facts['depth']} (edges on the longest input-to-output path)"),
        ("generations", f"{len(facts['generations'])}, sizes {' | '.join(map(str, facts['generations'][:16]))}"
                        + (" | …" if len(facts["generations"]) > 16 else "")),
    ]
    skips = facts["skip_edge_list"]
    shown = ", ".join(f"{u} -> {v}" for u, v in skips[:4]) + (", …" if len(skips) > 4 else "")
    lines.append(("skip edges", f"{len(skips)}" + (f": {shown}" if skips else "")))
    for key, label in (("in_degree", "in-degree"), ("out_degree", "out-degree")):
        s = facts[key]
        if s:
            lines.append((label, f"min {s['min']}, mean {s['mean']:g}, max {s['max']}"))
    width = max(len(k) for k, _ in lines)
    for key, value in lines:
        print(f"{key + ':':<{width + 1}} {value}")
    return EXIT_OK


# -- train ------------------------------------------------------------------------------

def add_train(subparsers):
    names = _dataset_names()
    p = _command(
        subparsers, "train", "train a topology on built-in data or a CSV file",
        "Train a topology and write into --out DIR: trained.yaml (load it with dagnet.load or\n"
        "'dagnet predict'), history.csv (one row per epoch), loss.png, network.png, and for\n"
        "two-input networks decision.png and neurons.png (pictures need matplotlib).\n"
        "Built-in data: " + (", ".join(names) or "see dagnet.datasets") + ".",
        "  dagnet train topologies/tutorial_2_5_1.yaml --data nonlinear --epochs 800 --lr 0.5 \\\n"
        "      --batch-size 1 --seed 0 --out runs/tutorial\n"
        "  dagnet train net.yaml --data points.csv --inputs x,y --targets label --out runs/mine")
    p.add_argument("topology", metavar="FILE", help="topology YAML file")
    data = p.add_argument_group("data")
    data.add_argument("--data", metavar="NAME|CSV",
                      help="a built-in data set name or a CSV file with a header row (required)")
    data.add_argument("--inputs", type=_columns, metavar="COLS",
                      help="CSV input columns, comma-separated (default: the network's input "
                           "names, else the first columns)")
    data.add_argument("--targets", type=_columns, metavar="COLS",
                      help="CSV target columns (default: the network's output names, else the "
                           "remaining columns)")
    data.add_argument("--n-samples", type=_positive_int, metavar="N", help="samples of a built-in data set")
    data.add_argument("--noise", type=_non_negative_float, metavar="X", help="noise of a built-in data set")
    data.add_argument("--data-seed", type=int, default=0, metavar="N",
                      help="seed of a built-in data set (default 0)")
    train = p.add_argument_group("training")
    train.add_argument("--epochs", type=_count, default=100, metavar="N", help="default 100")
    train.add_argument("--lr", type=_positive_float, metavar="η",
                       help="learning rate (default: the optimiser's)")
    train.add_argument("--batch-size", type=_positive_int, metavar="N",
                       help="1 = update after every example (sequential); default: all samples "
                            "at once (batch)")
    train.add_argument("--optimizer", default="sgd", metavar="NAME",
                       help="sgd (default), momentum, nesterov, adam")
    train.add_argument("--momentum", type=_non_negative_float, metavar="μ",
                       help="momentum of the momentum/nesterov optimisers")
    train.add_argument("--weight-decay", type=_non_negative_float, default=0.0, metavar="λ",
                       help="L2 penalty (default 0)")
    train.add_argument("--seed", type=int, default=0, metavar="N",
                       help="seeds initial weights and shuffling (default 0)")
    train.add_argument("--init", metavar="SCHEME",
                       help="weight initialisation for nodes whose topology names none "
                            "(glorot_uniform, he_normal, uniform, ...)")
    train.add_argument("--no-shuffle", action="store_true", help="visit examples in file order")
    train.add_argument("--val-split", type=_fraction, default=0.0, metavar="F",
                       help="hold out this last fraction of the data for validation")
    train.add_argument("--patience", type=_positive_int, metavar="N",
                       help="stop after N epochs without improvement (validation loss if any), "
                            "keeping the best weights")
    train.add_argument("--engine", choices=["compiled", "reference"], default="compiled",
                       help=argparse.SUPPRESS)
    out = p.add_argument_group("output")
    out.add_argument("--out", metavar="DIR", required=True, help="folder for the results (created)")
    out.add_argument("--gif", action="store_true",
                     help="also write training.gif: the decision regions as training goes (two inputs)")
    out.add_argument("--no-pictures", action="store_true", help="write no PNGs")
    out.add_argument("--quiet", "-q", action="store_true", help="no progress bar")
    p.set_defaults(func=run_train)


def _progress_printer(epochs, started):
    """A fit callback printing about ten progress lines (used when tqdm is not installed)."""
    every = max(1, epochs // 10)

    def report(epoch, history):
        if epoch % every == 0 or epoch == epochs:
            extra = f", accuracy {history.accuracy[-1]:.3f}" if history.accuracy else ""
            extra += f", val_loss {history.val_loss[-1]:.4g}" if history.val_loss else ""
            _note(f"epoch {epoch}/{epochs}: loss {history.loss[-1]:.4g}{extra} "
                  f"({time.perf_counter() - started:.1f} s)")
        return None
    return report


def _chain(*callbacks):
    callbacks = [c for c in callbacks if c is not None]
    if not callbacks:
        return None

    def call(epoch, history):
        keep_going = True
        for c in callbacks:
            keep_going = (c(epoch, history) is not False) and keep_going
        return None if keep_going else False
    return call


def _has_tqdm():
    try:
        import tqdm  # noqa: F401
    except ImportError:
        return False
    return True


def _metrics_text(history, net, X, Y):
    parts = [f"loss {history.loss[-1]:.6g}"] if history.loss else []
    if history.accuracy:
        parts.append(f"accuracy {history.accuracy[-1]:.4f}")
    elif Y is not None and history.epochs:
        parts.append(f"R² {net.score(X, Y):.4f}")
    if history.val_loss:
        parts.append(f"val_loss {history.val_loss[-1]:.6g}")
    if history.val_accuracy:
        parts.append(f"val_accuracy {history.val_accuracy[-1]:.4f}")
    return ", ".join(parts)


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


def run_train(args):
    if not args.data:
        raise UsageError("train needs --data NAME|CSV: a built-in data set ("
                         + (", ".join(_dataset_names()) or "see dagnet.datasets")
                         + ") or a CSV file (see 'dagnet train --help')")
    if args.gif and args.no_pictures:
        raise UsageError("--gif and --no-pictures contradict each other")
    if args.momentum is not None and args.optimizer not in ("momentum", "nesterov"):
        raise UsageError(f"--momentum applies to --optimizer momentum or nesterov, not {args.optimizer}")
    net = _load(args.topology, args)
    X, Y, about = read_data(args.data, net, args)
    Y = fit_targets(net, X, Y, about)
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
    _note(f"training {net.name or args.topology} ({net.n_params} parameters) on {about['source']} "
          f"({len(X)} samples): {args.epochs} epochs, {optimizer.name}, {lr}, {batch}, seed {args.seed}")
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
                          patience=args.patience, verbose=tqdm_bar, callback=_chain(recorder, printer))
    except dagnet.TrainingDiverged as err:
        history, failure = err.history, err
    seconds = time.perf_counter() - started

    folder = args.out
    net.save(os.path.join(folder, TRAINED_FILE))
    history.to_csv(os.path.join(folder, "history.csv"))
    written = [TRAINED_FILE, "history.csv"]
    if not args.no_pictures:
        try:
            written += _write_pictures(net, X, Y, history, folder, recorder)
        except plots.MissingMatplotlib:
            _note(PICTURES_SKIPPED)
    status = f"trained {net.name or args.topology} for {history.epochs} epochs in {seconds:.1f} s"
    if history.stopped_early:
        status += f" (stopped early; best epoch {history.best_epoch})"
    metrics = _metrics_text(history, net, X, Y)
    print(status + (f": {metrics}" if metrics else ""))
    print("wrote " + ", ".join(os.path.join(folder, name) for name in written))
    if failure is not None:
        _error(failure)
        return EXIT_INVALID
    if getattr(history, "interrupted", False):
        _error(f"interrupted; kept the weights after epoch {history.epochs}")
        return EXIT_INTERRUPTED
    return EXIT_OK


# -- predict ------------------------------------------------------------------------------

def add_predict(subparsers):
    p = _command(subparsers, "predict", "run a trained network on a CSV file",
                 "Write the network's outputs for every row of a CSV file (or a built-in data set):\n"
                 "the input columns, one column per output node, and 'class' for classifiers.\n"
                 "When the file also holds the targets, the score goes to stderr.",
                 "  dagnet predict runs/tutorial/trained.yaml --data points.csv --out predictions.csv")
    p.add_argument("model", metavar="FILE", help="trained (or any) topology file")
    p.add_argument("--data", required=True, metavar="CSV|NAME", help="CSV file with a header row")
    p.add_argument("--inputs", type=_columns, metavar="COLS",
                   help="input columns (default: the network's input names, else the first columns)")
    p.add_argument("--targets", type=_columns, metavar="COLS",
                   help="target columns for a score (default: the network's output names if present)")
    p.add_argument("--out", metavar="CSV", help="write here instead of stdout")
    p.add_argument("--n-samples", type=_positive_int, metavar="N", help=argparse.SUPPRESS)
    p.add_argument("--noise", type=_non_negative_float, metavar="X", help=argparse.SUPPRESS)
    p.add_argument("--data-seed", type=int, default=0, metavar="N", help=argparse.SUPPRESS)
    p.set_defaults(func=run_predict)


def _has_outputs_columns(path, net):
    try:
        header = _csv_header(path)
    except InputError:
        return False
    return all(str(o) in header for o in net.outputs)


def run_predict(args):
    net = _load(args.model, seed=0)
    if _looks_like_file(args.data):
        targets = args.targets
        if targets is None and not _has_outputs_columns(args.data, net):
            targets = []
        X, Y, about = _read_csv(args.data, net, args.inputs, targets, need_targets=False)
        columns = about["columns"][:len(net.inputs)]
    else:
        X, Y, about = _read_builtin(args.data, args)
        columns = [str(i) for i in net.inputs]
    Y = fit_targets(net, X, Y, about)
    P = net.predict(X)
    header = columns + [str(o) for o in net.outputs]
    rows = [list(map(float, x)) + list(map(float, p)) for x, p in zip(X, P)]
    if net.is_classifier or (Y is not None and about.get("n_classes")):
        header.append("class")
        for row, c in zip(rows, net.predict_classes(X)):
            row.append(int(c))
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows([[repr(v) if isinstance(v, float) else v for v in row] for row in rows])
    if args.out:
        from dagnet.saving import atomic_write
        atomic_write(args.out, lambda f: f.write(buffer.getvalue()))
        _note(f"wrote {len(rows)} predictions to {args.out}")
    else:
        sys.stdout.write(buffer.getvalue())
    if Y is not None and len(X):
        labels = net.is_classifier or dagnet.metrics.looks_like_labels(net.targets(Y))
        _note(f"{'accuracy' if labels else 'R²'} {net.score(X, Y):.4f} on {len(X)} samples")
    return EXIT_OK


# -- gradcheck ----------------------------------------------------------------------------

def add_gradcheck(subparsers):
    p = _command(subparsers, "gradcheck", "compare backprop with numerical and forward-mode gradients",
                 "Compute ∂E/∂w and ∂E/∂b three ways (backpropagation, central differences, forward\n"
                 "mode) and print the worst relative error of each against backprop and the time\n"
                 "each took. Exit 1 when an error exceeds --tolerance.",
                 "  dagnet gradcheck topologies/deep_skip.yaml --data moons --samples 16")
    p.add_argument("topology", metavar="FILE", help="topology YAML file")
    p.add_argument("--data", metavar="NAME|CSV",
                   help="samples to check on (default: random inputs and targets)")
    p.add_argument("--inputs", type=_columns, metavar="COLS", help="CSV input columns")
    p.add_argument("--targets", type=_columns, metavar="COLS", help="CSV target columns")
    p.add_argument("--samples", type=_positive_int, default=8, metavar="N",
                   help="use this many samples (default 8)")
    p.add_argument("--seed", type=int, default=0, metavar="N",
                   help="seeds the initial weights and random data (default 0)")
    p.add_argument("--max-params", type=_positive_int, metavar="N",
                   help="check at most N parameters, chosen at random (default: all, or 300 when "
                        "there are more than 1000)")
    p.add_argument("--tolerance", type=_positive_float, default=1e-6, metavar="X",
                   help="largest relative error accepted (default 1e-6)")
    p.set_defaults(func=run_gradcheck)


def _random_pair(net, n, seed):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, len(net.inputs)))
    m = len(net.outputs)
    if net.loss == "cross_entropy":
        Y = rng.integers(0, m, size=n)
    elif net.loss == "binary_cross_entropy":
        Y = rng.integers(0, 2, size=(n, m)).astype(float)
    else:
        Y = rng.uniform(0.0, 1.0, size=(n, m))
    return X, Y


def run_gradcheck(args):
    from dagnet.gradcheck import gradcheck, relative_error

    net = _load(args.topology, args)
    if args.data:
        X, Y, about = read_data(args.data, net, args)
        Y = fit_targets(net, X, Y, about)
        X, Y = X[:args.samples], Y[:args.samples]
        source = f"the first {len(X)} samples of {about['source']}"
    else:
        X, Y = _random_pair(net, args.samples, args.seed)
        source = f"{len(X)} random samples (seed {args.seed})"
    max_params = args.max_params
    if max_params is None and net.n_params > 1000:
        max_params = 300
    result = gradcheck(net, X, Y, tolerance=args.tolerance, max_params=max_params)
    checked = net.n_params if max_params is None else min(max_params, net.n_params)
    print(f"{net.name or args.topology}: {checked} of {net.n_params} parameters on {source}")
    # where forward mode disagrees most, over the parameters gradcheck compared
    slots = np.flatnonzero(net.plan.mask)
    if max_params is not None:
        slots = slots[(result.numerical[slots] != 0) | (result.forward_mode[slots] != 0)]
    forward_where = ""
    if len(slots):
        worst = slots[int(np.argmax(relative_error(result.backprop[slots], result.forward_mode[slots])))]
        forward_where = f" at {net.plan.parameter_name(int(worst))}"
    rows = [("method", "worst relative error vs backprop", "time"),
            ("backprop", "-", f"{result.seconds['backprop'] * 1e3:.2f} ms"),
            ("numerical", f"{result.max_rel_error:.2e} at {result.where}",
             f"{result.seconds['numerical'] * 1e3:.2f} ms"),
            ("forward mode", f"{result.forward_mode_error:.2e}{forward_where}",
             f"{result.seconds['forward_mode'] * 1e3:.2f} ms")]
    widths = [max(len(r[k]) for r in rows) for k in range(3)]
    for r in rows:
        print(f"  {r[0]:<{widths[0]}}  {r[1]:<{widths[1]}}  {r[2]:>{widths[2]}}")
    if result.ok:
        print(f"ok: every gradient agrees within {args.tolerance:g}")
        return EXIT_OK
    _error(f"gradients disagree: worst relative error {max(result.max_rel_error, result.forward_mode_error):.2e} "
           f"> tolerance {args.tolerance:g}")
    return EXIT_INVALID


# -- draw ---------------------------------------------------------------------------------

def add_draw(subparsers):
    p = _command(subparsers, "draw", "draw a network (PNG, SVG, PDF) or write Graphviz DOT",
                 "Draw the network by topological generation (inputs left, outputs right), edges\n"
                 "coloured and sized by weight, skip edges as dashed arcs, large groups as one box.\n"
                 "--kind neurons draws each perceptron's z_j over the input plane, --kind decision\n"
                 "the decision regions (both for two-input networks). A .dot file needs no matplotlib.",
                 "  dagnet draw topologies/xor_skip.yaml --out xor_skip.png\n"
                 "  dagnet draw runs/tutorial/trained.yaml --kind decision --data nonlinear --out d.png\n"
                 "  dagnet draw topologies/tanh_softmax_2_500_2.yaml --out net.dot")
    p.add_argument("topology", metavar="FILE", help="topology or trained YAML file")
    p.add_argument("--out", required=True, metavar="PNG|SVG|PDF|DOT", help="picture file to write")
    p.add_argument("--kind", choices=["network", "neurons", "decision"], default="network",
                   help="what to draw (default network)")
    p.add_argument("--data", metavar="NAME|CSV", help="points for --kind neurons/decision")
    p.add_argument("--inputs", type=_columns, metavar="COLS", help=argparse.SUPPRESS)
    p.add_argument("--targets", type=_columns, metavar="COLS", help=argparse.SUPPRESS)
    p.add_argument("--collapse", type=_collapse, default=None, metavar="HOW",
                   help="groups drawn as one box: auto (default), all, none, N (groups larger "
                        "than N) or names")
    p.add_argument("--seed", type=int, default=0, metavar="N",
                   help="seeds weights the file leaves out (default 0)")
    p.set_defaults(func=run_draw)


def run_draw(args):
    ext = os.path.splitext(args.out)[1].lower()
    if ext not in (".png", ".svg", ".pdf", ".dot", ".gv"):
        raise UsageError(f"--out {args.out!r}: give a .png, .svg, .pdf or .dot file")
    if ext in (".dot", ".gv") and args.kind != "network":
        raise UsageError(f"--kind {args.kind} draws a picture; use .png, .svg or .pdf")
    if args.kind == "decision" and not args.data:
        raise UsageError("--kind decision needs --data (the points to show)")
    net = _load(args.topology, args)
    folder = os.path.dirname(os.path.abspath(args.out))
    if not os.path.isdir(folder):
        raise InputError(f"{args.out}: folder {folder} does not exist")
    if ext in (".dot", ".gv"):
        plots.write_dot(net, args.out, collapse_groups=bool(args.collapse) if args.collapse is not None else False)
    elif args.kind == "network":
        plots.draw_network(net, args.out, collapse_groups=args.collapse)
    else:
        X = Y = None
        if args.data:
            X, Y, about = read_data(args.data, net, args, need_targets=args.kind == "decision")
            Y = fit_targets(net, X, Y, about)
        if args.kind == "neurons":
            plots.neuron_maps(net, X, args.out)
        else:
            plots.decision_regions(net, X, Y, args.out)
    print(f"wrote {args.out}")
    return EXIT_OK


# -- the command -----------------------------------------------------------------------

COMMANDS = [add_validate, add_info, add_train, add_predict, add_gradcheck, add_draw]


def build_parser():
    """The ``dagnet`` argument parser with every subcommand."""
    parser = Parser(prog="dagnet", formatter_class=_formatter,
                    description="Neural networks whose topology is any loop-free graph of perceptrons.",
                    epilog="examples:\n"
                           "  dagnet info topologies/xor_skip.yaml\n"
                           "  dagnet train topologies/tutorial_2_5_1.yaml --data nonlinear --epochs 800 "
                           "--lr 0.5 --batch-size 1 --out runs/tutorial\n"
                           "  dagnet draw runs/tutorial/trained.yaml --out net.png\n\n"
                           "'dagnet COMMAND --help' explains each command.")
    parser.add_argument("--version", action="version", version=f"dagnet {dagnet.__version__}")
    subparsers = parser.add_subparsers(title="commands", metavar="COMMAND")
    for add in COMMANDS:
        add(subparsers)
    try:
        from dagnet import cli_experiments
    except ImportError:
        cli_experiments = None
    if cli_experiments is not None:
        cli_experiments.add_parsers(subparsers)
    return parser


def main(argv=None):
    """Run the ``dagnet`` command with ``argv`` (default ``sys.argv[1:]``); return the exit code."""
    try:
        parser = build_parser()
        args = parser.parse_args(argv)
        if not hasattr(args, "func"):
            names = ", ".join(parser._subparsers._group_actions[0].choices)
            raise UsageError(f"a command is needed: {names} (see 'dagnet --help')")
        code = args.func(args)
        return EXIT_OK if code is None else int(code)
    except UsageError as err:
        _error(err)
        return EXIT_USAGE
    except SystemExit as err:   # --help and --version
        return err.code if isinstance(err.code, int) else (EXIT_OK if err.code is None else EXIT_USAGE)
    except KeyboardInterrupt:
        _error("interrupted")
        return EXIT_INTERRUPTED
    except BrokenPipeError:   # e.g. dagnet predict ... | head
        sys.stdout = open(os.devnull, "w")
        return EXIT_OK
    except plots.MissingMatplotlib as err:
        _error(err)
        return EXIT_INVALID
    except OSError as err:
        _error(_os_error(err))
        return EXIT_INVALID
    except (InputError, dagnet.TopologyError, ValueError) as err:
        _error(err)
        return EXIT_INVALID
    except Exception as err:
        if os.environ.get("DAGNET_DEBUG"):
            raise
        _error(f"unexpected {type(err).__name__}: {err} (a bug in dagnet? DAGNET_DEBUG=1 shows the "
               f"traceback)")
        return EXIT_INVALID


if __name__ == "__main__":   # pragma: no cover
    sys.exit(main())
