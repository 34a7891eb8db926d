"""Sweeps: train every combination of topologies, data sets, hyperparameters and seeds.

An experiment (a YAML file read with dagnet's strict reader, or the same data as
a dict) names what to combine; :func:`run` trains each combination once and
appends one row per finished run to ``results.csv`` in the output folder,
then writes ``summary.csv``, ``summary.md`` and (with matplotlib)
``loss_curves.png`` and ``accuracy.png``. The format is in docs/sweeps.md.

Each run has a stable id, a hash of its configuration, so running the same
experiment into the same folder again skips the runs already recorded: an
interrupted sweep resumes where it stopped. Runs execute in worker
processes (joblib) or on a Dask cluster; only this process writes files.

Examples
--------
>>> experiment = {"topologies": {"small": {"generate": "mlp", "sizes": [4]}},
...               "datasets": {"moons": {"n_samples": 40}},
...               "grid": {"lr": [0.05, 0.2], "epochs": 5, "optimizer": "adam"},
...               "seeds": 2}
>>> [(r.topology, r.hyperparameters["lr"], r.seed) for r in load_experiment(experiment).runs()]
[('small', 0.05, 0), ('small', 0.05, 1), ('small', 0.2, 0), ('small', 0.2, 1)]
>>> result = run(experiment, getfixture("tmp_path"), n_jobs=1, pictures=False, log=None)
>>> result.ran, len(result.rows), result.summary[0]["seeds"]
(4, 4, 2)
"""
import contextlib
import csv
import hashlib
import inspect
import io
import itertools
import json
import math
import os
import re
import statistics
import sys
import time
from dataclasses import dataclass, field

import numpy as np

from . import datasets as builtin
from . import generate, plots
from .errors import ExperimentError, suggest
from .files import atomic_write, read_text
from .strictyaml import read_document
from .io import loads
from .optimizers import OPTIMIZERS
from .samples import targets_for
from .text import one_line, plural
from .training import TrainingDiverged, fit

RESULTS, SUMMARY_CSV, SUMMARY_MD = "results.csv", "summary.csv", "summary.md"
LOSS_PICTURE, ACCURACY_PICTURE = "loss_curves.png", "accuracy.png"
LOCK = ".sweep.lock"
KEYS = ("name", "description", "topologies", "datasets", "grid", "seeds", "threshold")
#: Options of :func:`dagnet.training.fit` a grid may set (``seed`` has its own key).
FIT_OPTIONS = tuple(p for p in inspect.signature(fit).parameters
                    if p not in ("net", "X", "Y", "seed", "verbose", "callback", "validation_data",
                                 "optimizer_params"))
#: Optimiser parameters a grid may set besides ``lr``.
OPTIMIZER_OPTIONS = tuple(dict.fromkeys(k for cls in OPTIMIZERS.values() for k in cls.hyperparameters
                                        if k != "lr"))
BUILTIN_OPTIONS = ("builtin", "n_samples", "noise", "seed", "classes")
CSV_OPTIONS = ("csv", "inputs", "targets", "task")
#: Columns of results.csv after the run's topology, dataset, grid values and seed.
MEASURES = ("status", "epochs_run", "n_params", "final_loss", "best_loss", "final_accuracy",
            "final_val_loss", "final_val_accuracy", "epochs_to_threshold", "seconds",
            "loss_curve", "accuracy_curve")
class MissingDependency(ImportError):
    """An optional extra (joblib, dask) is needed for what was asked."""


def _stderr(message):
    print(message, file=sys.stderr, flush=True)


# -- the experiment ---------------------------------------------------------------

@dataclass(frozen=True)
class Run:
    """One training run: a topology on a data set with hyperparameters and a seed."""

    run_id: str
    topology: str
    dataset: str
    hyperparameters: dict
    seed: int


@dataclass
class Experiment:
    """A validated experiment: every topology built on every data set it meets."""

    source: str
    name: str
    topologies: dict         # label -> {"text", "path", "identity"} or {"generate", "params", "identity"}
    datasets: dict           # label -> {"spec", "X", "Y", "task", "n_classes"}
    grid: dict               # fit option -> list of values
    seeds: list
    threshold: float = None
    recipes: dict = field(default_factory=dict)   # (topology, dataset) -> (how to build the net, Y)

    def runs(self):
        """Every run, topology by topology, then data set, grid setting and seed."""
        keys = list(self.grid)
        out = []
        for t, d in itertools.product(self.topologies, self.datasets):
            for values in itertools.product(*self.grid.values()):
                hp = dict(zip(keys, values))
                for seed in self.seeds:
                    out.append(Run(self._run_id(t, d, hp, seed), t, d, hp, seed))
        return out

    def _run_id(self, t, d, hp, seed):
        config = {"topology": [t, self.topologies[t]["identity"]],
                  "dataset": [d, self.datasets[d]["spec"]], "hyperparameters": hp, "seed": seed,
                  "threshold": self.threshold}
        return hashlib.sha256(json.dumps(config, sort_keys=True).encode()).hexdigest()[:16]


def read_experiment(path):
    """The data of an experiment file (the strict YAML reader), or an ExperimentError naming it."""
    path = os.fspath(path)
    text = read_text(path, ExperimentError, what="experiment file")
    data = read_document(text, source=path, error=ExperimentError)
    if not isinstance(data, dict):
        raise ExperimentError(f"an experiment is a mapping with {', '.join(KEYS)}; got "
                              f"{'nothing' if data is None else type(data).__name__}", source=path)
    return data


def load_experiment(experiment, base=None):
    """Read and check an experiment (a file path or a dict); build every data set and network.

    Files named in a dict are relative to ``base`` (default: the current
    folder); in a file, relative to the file's folder.

    Raises
    ------
    ExperimentError
        For anything that would make a run fail: the message names the
        file and the key (``sweep.yaml: grid.lr: ...``).
    """
    if isinstance(experiment, dict):
        source, data = "experiment", experiment
        base = os.getcwd() if base is None else os.fspath(base)
    else:
        source = os.fspath(experiment)
        data = read_experiment(source)
        base = os.path.dirname(os.path.abspath(source)) if base is None else os.fspath(base)
    fail = lambda key, message: ExperimentError(message, source=source, key=key)  # noqa: E731
    for key in data:
        if key not in KEYS:
            raise fail(None, f"unknown key {key!r}{suggest(key, KEYS)}; an experiment has "
                             f"{', '.join(KEYS)}")
    for key in ("topologies", "datasets"):
        if not data.get(key):
            raise fail(key, "missing: name at least one (see docs/sweeps.md)")
    name = data.get("name") or (os.path.splitext(os.path.basename(source))[0])
    exp = Experiment(source=source, name=str(name),
                     topologies=_topologies(data["topologies"], base, fail),
                     datasets=_datasets(data["datasets"], base, fail),
                     grid=_grid(data.get("grid") or {}, fail),
                     seeds=_seeds(data.get("seeds", [0]), fail),
                     threshold=_threshold(data.get("threshold"), fail))
    _check_runs(exp, fail)
    return exp


def _labelled(value, key, fail, label_of):
    """``{label: spec}`` from a mapping, or from a list whose labels ``label_of`` derives."""
    if isinstance(value, dict):
        for label in value:
            if not isinstance(label, (str, int)) or isinstance(label, bool):
                raise fail(key, f"labels must be names, got {label!r}")
        return {str(k): v for k, v in value.items()}
    if not isinstance(value, list):
        raise fail(key, f"expected a mapping of label: spec, or a list; got {value!r}")
    out = {}
    for i, spec in enumerate(value):
        label = label_of(spec, f"{key}[{i}]")
        if label in out:
            raise fail(f"{key}[{i}]", f"the label {label!r} is used twice; give labels with a "
                                      f"mapping ({key}: {{label: spec, ...}})")
        out[label] = spec
    return out


def _topologies(value, base, fail):
    def label_of(spec, key):
        if isinstance(spec, str):
            return os.path.splitext(os.path.basename(spec))[0]
        if isinstance(spec, dict) and isinstance(spec.get("generate"), str):
            return spec["generate"]
        raise fail(key, f"expected a topology file or {{generate: KIND, ...}}, got {spec!r}")

    out = {}
    for label, spec in _labelled(value, "topologies", fail, label_of).items():
        key = f"topologies.{label}"
        if isinstance(spec, str):
            path = spec if os.path.isabs(spec) else os.path.join(base, spec)
            try:
                with open(path, encoding="utf-8") as f:
                    text = f.read()
            except (OSError, UnicodeDecodeError) as err:
                reason = "no such file" if isinstance(err, FileNotFoundError) else one_line(err)
                raise fail(key, f"{spec}: {reason}") from None
            digest = hashlib.sha256(text.encode()).hexdigest()
            out[label] = {"text": text, "path": path, "identity": {"file": spec, "sha256": digest}}
        elif isinstance(spec, dict) and "generate" in spec:
            params = {k: v for k, v in spec.items() if k != "generate"}
            try:
                generate.graph(spec["generate"], **params)
            except (ValueError, TypeError) as err:
                raise fail(key, one_line(err)) from None
            out[label] = {"generate": spec["generate"], "params": params, "identity": spec}
        else:
            raise fail(key, f"expected a topology file (relative to the experiment) or "
                            f"{{generate: KIND, ...}} (kinds: {', '.join(generate.GENERATORS)}); "
                            f"got {spec!r}")
    return out


def _datasets(value, base, fail):
    def label_of(spec, key):
        if isinstance(spec, str):
            return spec
        if isinstance(spec, dict) and isinstance(spec.get("builtin"), str):
            return spec["builtin"]
        if isinstance(spec, dict) and isinstance(spec.get("csv"), str):
            return os.path.splitext(os.path.basename(spec["csv"]))[0]
        raise fail(key, f"expected a built-in data set name or {{csv: FILE, ...}}, got {spec!r}")

    out = {}
    for label, spec in _labelled(value, "datasets", fail, label_of).items():
        key = f"datasets.{label}"
        if spec is None or isinstance(spec, str):
            spec = {"builtin": spec or label}
        if not isinstance(spec, dict):
            raise fail(key, f"expected a mapping of options (n_samples, noise, ...), got {spec!r}")
        try:
            out[label] = _csv(spec, base) if "csv" in spec else _builtin(label, spec)
        except ValueError as err:
            raise fail(key, one_line(err)) from None
    return out


def _unknown(spec, allowed):
    for k in spec:
        if k not in allowed:
            raise ValueError(f"unknown option {k!r}{suggest(k, allowed)}; options: {', '.join(allowed)}")


def _builtin(label, spec):
    _unknown(spec, BUILTIN_OPTIONS)
    name = spec.get("builtin", label)
    options = {k: v for k, v in spec.items() if k != "builtin"}
    X, Y = builtin.load(name, **options)
    about = builtin.info(name)
    n_classes = options.get("classes", about["n_classes"])
    return {"spec": {"builtin": name, **options}, "X": X, "Y": Y, "task": about["task"],
            "n_classes": n_classes}


def _csv(spec, base):
    _unknown(spec, CSV_OPTIONS)
    columns = {}
    for key in ("inputs", "targets"):
        names = spec.get(key)
        names = [names] if isinstance(names, str) else names
        if not isinstance(names, list) or not names or not all(isinstance(n, str) for n in names):
            raise ValueError(f"{key}: name the CSV columns, e.g. {key}: [x1, x2]")
        columns[key] = names
    path = spec["csv"] if os.path.isabs(spec["csv"]) else os.path.join(base, spec["csv"])
    X, Y = builtin.load_csv(path, **columns)
    labels = Y.shape[1] == 1 and bool(np.all(Y >= 0) and np.all(Y == np.round(Y)))
    task = spec.get("task", "classification" if labels else "regression")
    if task not in ("classification", "regression"):
        raise ValueError(f"task must be classification or regression, got {task!r}")
    if task == "classification" and not labels:
        raise ValueError("task classification needs one target column of class labels 0, 1, ...")
    with open(path, "rb") as f:
        digest = hashlib.sha256(f.read()).hexdigest()
    return {"spec": {**spec, "sha256": digest}, "X": X, "Y": Y, "task": task,
            "n_classes": int(Y.max()) + 1 if task == "classification" else None}


def _grid(value, fail):
    if not isinstance(value, dict):
        raise fail("grid", f"expected a mapping of fit options to values or lists, got {value!r}")
    known = FIT_OPTIONS + OPTIMIZER_OPTIONS
    grid = {}
    for key, values in value.items():
        if key not in known:
            hint = " (seeds have their own key: seeds)" if key == "seed" else suggest(key, known)
            raise fail(f"grid.{key}", f"not a fit() option{hint}; options: {', '.join(known)}")
        values = values if isinstance(values, list) else [values]
        if not values:
            raise fail(f"grid.{key}", "an empty list leaves nothing to run")
        if len({json.dumps(v, sort_keys=True) for v in values}) != len(values):
            raise fail(f"grid.{key}", f"a value is listed twice: {values!r}")
        if key == "epochs":
            for v in values:
                if isinstance(v, bool) or not isinstance(v, int) or v < 0:
                    raise fail("grid.epochs", f"expected whole numbers >= 0, got {v!r}")
        grid[key] = values
    return grid


def _seeds(value, fail):
    if isinstance(value, int) and not isinstance(value, bool) and value >= 1:
        return list(range(value))
    if (isinstance(value, list) and value and all(isinstance(s, int) and not isinstance(s, bool)
                                                   and s >= 0 for s in value)):
        if len(set(value)) != len(value):
            raise fail("seeds", f"a seed is listed twice: {value!r}")
        return value
    raise fail("seeds", f"expected a count (3 means seeds 0, 1, 2) or a list of whole numbers "
                        f">= 0, got {value!r}")


def _threshold(value, fail):
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value <= 1:
        raise fail("threshold", f"expected an accuracy between 0 and 1, got {value!r}")
    return float(value)


def _recipe(topology, data):
    """How a worker builds the network: ("yaml", text, source) or ("generate", kind, params).

    A generator call that leaves out ``inputs``, ``outputs`` or ``loss``
    gets them from the data set: as many inputs as X has columns, one
    output for two classes or a regression target, one per class otherwise,
    and ``mse`` for regression.
    """
    if "text" in topology:
        return ("yaml", topology["text"], topology["path"])
    X, Y = data["X"], data["Y"]
    k = data["n_classes"]
    fitted = {"inputs": X.shape[1],
              "outputs": k if data["task"] == "classification" and k > 2 else Y.shape[1]}
    if data["task"] == "regression":
        fitted["loss"] = "mse"
    return ("generate", topology["generate"], {**fitted, **topology["params"]})


def _build(recipe, seed):
    if recipe[0] == "yaml":
        return loads(recipe[1], seed=seed, source=recipe[2])
    return generate.generate(recipe[1], seed=seed, **recipe[2])


def _targets(net, data):
    """Y as ``net`` takes it: labels, or one-hot rows for several outputs without softmax."""
    return targets_for(net, data["Y"], task=data["task"], n_classes=data["n_classes"])


def _check_runs(exp, fail):
    """Build each topology on each data set and try every grid setting for zero epochs."""
    settings = [dict(zip(exp.grid, v)) for v in itertools.product(*exp.grid.values())]
    for t, d in itertools.product(exp.topologies, exp.datasets):
        data = exp.datasets[d]
        recipe = _recipe(exp.topologies[t], data)
        try:
            net = _build(recipe, 0)
            Y = _targets(net, data)
            net.fit(data["X"], Y, epochs=0, verbose=False)
        except ValueError as err:
            raise fail(f"topologies.{t}", f"does not fit datasets.{d}: {one_line(err)}") from None
        exp.recipes[t, d] = recipe, Y
        for hp in settings:
            try:
                net.fit(data["X"], Y, **{**hp, "epochs": 0}, verbose=False)
            except (ValueError, TypeError) as err:
                raise fail("grid", f"{_describe(hp)} on topologies.{t}: {one_line(err)}") from None


def _describe(hp):
    return ", ".join(f"{k}={_cell(v)}" for k, v in hp.items()) or "the fit() defaults"


# -- one run (in a worker) -----------------------------------------------------------

def _train(task):
    """Train one run and return ``(run_id, measures)``; runs in a worker process."""
    run_id, recipe, Y, X, hp, seed, threshold = task
    net = _build(recipe, seed)
    started = time.perf_counter()
    try:
        history, status = net.fit(X, Y, seed=seed, verbose=False, **hp), "ok"
    except TrainingDiverged as err:
        history, status = err.history, "diverged"
    seconds = time.perf_counter() - started
    reached = None
    if threshold is not None:
        reached = next((e for e, a in enumerate(history.accuracy, 1) if a >= threshold), None)
    last = lambda values: values[-1] if values else None  # noqa: E731
    return run_id, {
        "status": status, "epochs_run": history.epochs, "n_params": net.n_params,
        "final_loss": last(history.loss), "best_loss": min(history.loss, default=None),
        "final_accuracy": last(history.accuracy), "final_val_loss": last(history.val_loss),
        "final_val_accuracy": last(history.val_accuracy), "epochs_to_threshold": reached,
        "seconds": seconds, "loss_curve": history.loss, "accuracy_curve": history.accuracy}


# -- where runs execute -----------------------------------------------------------------

def _workers(n_jobs, n_tasks):
    """Processes to use: joblib's n_jobs (-1 = every core), never more than the runs."""
    if isinstance(n_jobs, bool) or not isinstance(n_jobs, int) or n_jobs == 0:
        raise ValueError(f"n_jobs must be a whole number other than 0 (-1: every core), got {n_jobs!r}")
    n = n_jobs if n_jobs > 0 else max(1, (os.cpu_count() or 1) + 1 + n_jobs)
    return max(1, min(n, n_tasks))


def _execute(tasks, n_jobs, scheduler, log):
    """Yield ``(run_id, measures)`` for each task as it finishes."""
    if scheduler is not None:
        yield from _on_dask(tasks, n_jobs, scheduler)
        return
    n = _workers(n_jobs, len(tasks))
    if n > 1:
        try:
            import joblib
        except ImportError:
            log('joblib is not installed: running the sweep serially (pip install "dagnet[sweep]")')
            n = 1
    if n == 1:
        yield from map(_train, tasks)
        return
    yield from joblib.Parallel(n_jobs=n, return_as="generator_unordered")(
        joblib.delayed(_train)(task) for task in tasks)


def _on_dask(tasks, n_jobs, scheduler):
    """Run the tasks through joblib on a Dask cluster (an address or a distributed.Client)."""
    try:
        import joblib
        from dask.distributed import Client
    except ImportError:
        raise MissingDependency('a Dask scheduler needs dask.distributed and joblib: '
                                'pip install "dagnet[dask]"') from None
    if isinstance(scheduler, str):
        try:
            client = Client(scheduler)
        except OSError as err:
            raise ValueError(f"cannot reach the Dask scheduler at {scheduler}: {one_line(err)}") from None
    else:
        client = scheduler
    try:
        with joblib.parallel_config(backend="dask", client=client):
            yield from joblib.Parallel(n_jobs=n_jobs, return_as="generator_unordered")(
                joblib.delayed(_train)(task) for task in tasks)
    finally:
        if client is not scheduler:
            client.close()


# -- results.csv ------------------------------------------------------------------------

def _cell(value):
    """A CSV cell that reads back exactly: floats by repr, lists as JSON, None empty."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (float, np.floating)):
        return repr(float(value))
    if isinstance(value, (list, tuple)):
        return json.dumps([float(v) for v in value])
    return str(value)


def _header(exp):
    return ["run_id", "topology", "dataset", *exp.grid, "seed", *MEASURES]


def read_results(path):
    """The rows of a results.csv as dicts of text cells (complete lines only)."""
    with open(path, encoding="utf-8", newline="") as f:
        text = f.read()
    return list(csv.DictReader(io.StringIO(text[:text.rfind("\n") + 1])))


@contextlib.contextmanager
def _exclusive(folder):
    """Hold an exclusive lock on ``folder`` (one sweep writes there at a time)."""
    path = os.path.join(folder, LOCK)
    with open(path, "a") as f:
        try:
            try:
                import fcntl
            except ImportError:   # Windows
                import msvcrt
                msvcrt.locking(f.fileno(), msvcrt.LK_NBLCK, 1)
            else:
                fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            raise ValueError(f"{folder}: another sweep is writing to this folder; wait for it to "
                             f"finish or choose another output folder") from None
        yield


def _open_results(path, header, log):
    """Open results.csv for appending: ``(file, finished rows by run id)``.

    An incomplete last line (the process was killed while writing it) is
    cut off; a file with other columns (another experiment) is an error.
    """
    with open(path, "ab+") as f:
        f.seek(0)
        data = f.read()
        complete = data.rfind(b"\n") + 1
        if complete < len(data):
            f.truncate(complete)
            log(f"{path}: discarded an incomplete last line (a run interrupted while written)")
    rows = list(csv.reader(io.StringIO(data[:complete].decode("utf-8"), newline="")))
    out = open(path, "a", encoding="utf-8", newline="")
    if not rows:
        _append(out, header)
        return out, {}
    if rows[0] != header:
        out.close()
        raise ValueError(f"{path}: its columns ({', '.join(rows[0])}) are not this experiment's "
                         f"({', '.join(header)}); write this sweep into another folder")
    done = {}
    for number, row in enumerate(rows[1:], start=2):
        if len(row) != len(header):
            out.close()
            raise ValueError(f"{path}: line {number} has {len(row)} cells, the header {len(header)}")
        done.setdefault(row[0], dict(zip(header, row)))
    return out, done


def _append(f, cells):
    """Write one CSV line and make it durable before going on."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow(cells)
    f.write(buffer.getvalue())
    f.flush()
    os.fsync(f.fileno())


# -- the sweep --------------------------------------------------------------------------

@dataclass
class SweepResult:
    """What :func:`run` did: ``rows`` as in results.csv (text cells), ``summary`` (numbers)."""

    out_dir: str
    rows: list
    summary: list
    files: list
    ran: int
    skipped: int


def run(experiment, out_dir, n_jobs=-1, scheduler=None, pictures=True, log=_stderr):
    """Train every run of ``experiment`` not yet in ``out_dir``/results.csv; write the summary.

    Parameters
    ----------
    experiment : str, path, dict or Experiment
        An experiment file, its data, or :func:`load_experiment`'s result.
    out_dir : str or path
        Folder for results.csv, summary.csv, summary.md and the pictures
        (created). Runs already recorded there are skipped.
    n_jobs : int
        Worker processes (joblib; -1: every core); never more than the
        runs left. Without joblib the runs go one after another.
    scheduler : str, distributed.Client or None
        A Dask scheduler address (``"tcp://host:8786"``) or client: the
        runs go to its workers through joblib's Dask backend.
    pictures : bool
        Draw loss_curves.png and accuracy.png (needs matplotlib).
    log : callable or None
        Receives one line per finished run and notes; None is silent.

    Results do not depend on ``n_jobs`` or ``scheduler``: each run seeds
    its initial weights and its shuffling from its own seed.
    """
    log = log or (lambda message: None)
    exp = experiment if isinstance(experiment, Experiment) else load_experiment(experiment)
    out_dir = os.fspath(out_dir)
    os.makedirs(out_dir, exist_ok=True)
    runs = exp.runs()
    header = _header(exp)
    path = os.path.join(out_dir, RESULTS)
    with _exclusive(out_dir):
        f, done = _open_results(path, header, log)
        with f:
            pending = [r for r in runs if r.run_id not in done]
            log(f"sweep {exp.name}: {plural(len(runs), 'run')}, {len(runs) - len(pending)} already "
                f"in {path}, {len(pending)} to go")
            by_id = {r.run_id: r for r in pending}
            tasks = [(r.run_id, *exp.recipes[r.topology, r.dataset], exp.datasets[r.dataset]["X"],
                      r.hyperparameters, r.seed, exp.threshold) for r in pending]
            for k, (run_id, measures) in enumerate(_execute(tasks, n_jobs, scheduler, log), 1):
                r = by_id[run_id]
                cells = [run_id, r.topology, r.dataset, *map(_cell, r.hyperparameters.values()),
                         r.seed, *(_cell(measures[m]) for m in MEASURES)]
                _append(f, cells)
                done[run_id] = dict(zip(header, map(str, cells)))
                log(f"[{k}/{len(pending)}] {_label(exp, r)}: {_progress(measures)}")
        rows = [done[r.run_id] for r in runs]
        summary = summarize(exp, rows)
        files = [path, *write_summary(exp, summary, out_dir)]
        if pictures:
            try:
                files += draw(exp, rows, out_dir)
            except plots.MissingMatplotlib:
                log(plots.PICTURES_SKIPPED)
    return SweepResult(out_dir, rows, summary, files, len(pending), len(runs) - len(pending))


def _varying(exp, values):
    """``key=value`` texts of the grid options that take several values."""
    return [f"{k}={_cell(v)}" for (k, options), v in zip(exp.grid.items(), values) if len(options) > 1]


def _label(exp, r):
    hp = ", ".join(_varying(exp, r.hyperparameters.values()))
    return f"{r.topology} on {r.dataset}" + (f" ({hp})" if hp else "") + f", seed {r.seed}"


def _progress(m):
    text = "no finished epoch" if m["final_loss"] is None else f"loss {m['final_loss']:.4g}"
    if m["final_accuracy"] is not None:
        text += f", accuracy {m['final_accuracy']:.3f}"
    if m["status"] != "ok":
        text += f", {m['status']} after epoch {m['epochs_run']}"
    return text + f" ({m['seconds']:.2f} s)"


# -- summary ----------------------------------------------------------------------------------

def _floats(rows, column):
    return [float(r[column]) for r in rows if r[column] != ""]


def _stats(values):
    """(mean, std, min); std is the sample standard deviation (None for one value)."""
    if not values:
        return None, None, None
    return (statistics.fmean(values), statistics.stdev(values) if len(values) > 1 else None,
            min(values))


def _groups(exp, rows):
    """``{(topology, dataset, grid cells): [rows over seeds]}`` in run order."""
    groups = {}
    for r in rows:
        groups.setdefault((r["topology"], r["dataset"], tuple(r[k] for k in exp.grid)), []).append(r)
    return groups


def summarize(exp, rows):
    """One dict per topology × data set × grid setting, aggregated over the seeds."""
    out = []
    for (t, d, cells), group in _groups(exp, rows).items():
        loss = _stats(_floats(group, "final_loss"))
        acc = _stats(_floats(group, "final_accuracy"))
        reached = _floats(group, "epochs_to_threshold")
        out.append({
            "topology": t, "dataset": d, **dict(zip(exp.grid, cells)),
            "n_params": int(group[0]["n_params"]), "seeds": len(group),
            "final_loss_mean": loss[0], "final_loss_std": loss[1], "final_loss_min": loss[2],
            "final_accuracy_mean": acc[0], "final_accuracy_std": acc[1], "final_accuracy_min": acc[2],
            "epochs_to_threshold_mean": statistics.fmean(reached) if reached else None,
            "reached_threshold": len(reached) if exp.threshold is not None else None,
            "seconds_mean": statistics.fmean(_floats(group, "seconds")),
            "diverged": sum(r["status"] == "diverged" for r in group)})
    return out


def _loss(value):
    """Four decimals, or three significant digits for a loss below 0.001 or above 10⁴."""
    return format(value, ".4f" if value == 0 or 1e-3 <= abs(value) < 1e4 else ".3g")


def _number(value, fmt):
    return "" if value is None else fmt(value)


def _mean_std(mean, std, fmt):
    if mean is None:
        return "–"
    return fmt(mean) + ("" if std is None else f" ± {fmt(std)}")


def markdown(exp, summary):
    """The summary as a markdown table; grid options with one value go in a line above it."""
    varying = [k for k, v in exp.grid.items() if len(v) > 1]
    fixed = ", ".join(f"{k}={_cell(v[0])}" for k, v in exp.grid.items() if len(v) == 1)
    classifier = any(s["final_accuracy_mean"] is not None for s in summary)
    head = ["topology", "dataset", *varying, "params", "seeds", "final loss", "min loss"]
    if classifier:
        head += ["accuracy", "min accuracy"]
        if exp.threshold is not None:
            head.append(f"epochs to {exp.threshold:g}")
    head.append("time (s)")
    lines = [f"Sweep {exp.name}: {plural(sum(s['seeds'] for s in summary), 'run')}, mean ± sample "
             f"std over seeds" + (f"; {fixed}" if fixed else "") + ".", "",
             "| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for s in summary:
        cells = [s["topology"], s["dataset"], *(s[k] for k in varying), str(s["n_params"]),
                 str(s["seeds"]), _mean_std(s["final_loss_mean"], s["final_loss_std"], _loss),
                 _number(s["final_loss_min"], _loss)]
        if classifier:
            cells += [_mean_std(s["final_accuracy_mean"], s["final_accuracy_std"], "{:.3f}".format),
                      _number(s["final_accuracy_min"], "{:.3f}".format)]
            if exp.threshold is not None:
                mean = s["epochs_to_threshold_mean"]
                cells.append(f"{mean:.1f} ({s['reached_threshold']}/{s['seeds']})" if mean is not None
                             else f"– (0/{s['seeds']})")
        cells.append(_number(s["seconds_mean"], "{:.2f}".format))
        if s["diverged"]:
            cells[0] += f" ({s['diverged']} diverged)"
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def write_summary(exp, summary, out_dir):
    """Write summary.csv and summary.md (atomically); return their paths."""
    csv_path, md_path = os.path.join(out_dir, SUMMARY_CSV), os.path.join(out_dir, SUMMARY_MD)
    columns = list(summary[0]) if summary else ["topology", "dataset"]

    def write_csv(f):
        out = csv.writer(f, lineterminator="\n")
        out.writerow(columns)
        out.writerows([[_cell(s[c]) for c in columns] for s in summary])

    atomic_write(csv_path, write_csv)
    text = markdown(exp, summary)
    atomic_write(md_path, lambda f: f.write(text))
    return [csv_path, md_path]


# -- pictures -----------------------------------------------------------------------------------

def _panels(exp, rows):
    """``{(dataset, grid cells): {topology: [rows]}}``: one panel per data set and setting."""
    panels = {}
    for (t, d, cells), group in _groups(exp, rows).items():
        panels.setdefault((d, cells), {})[t] = group
    return panels


def _title(exp, dataset, cells):
    return ", ".join([dataset, *_varying(exp, cells)])


def _figure(n, Figure):
    columns = min(3, n)
    rows = math.ceil(n / columns)
    fig = Figure(figsize=(4.4 * columns, 3.4 * rows), layout="constrained")
    return fig, fig.subplots(rows, columns, squeeze=False).ravel()


def draw(exp, rows, out_dir):
    """Write loss_curves.png (mean and range over seeds, per topology) and accuracy.png
    (final accuracy of every seed, per topology); return the paths written.

    Raises :class:`dagnet.plots.MissingMatplotlib` without matplotlib.
    """
    _, Figure = plots._matplotlib()
    panels = _panels(exp, rows)
    colours = {t: plots.CLASS_COLOURS[k % len(plots.CLASS_COLOURS)]
               for k, t in enumerate(exp.topologies)}
    fig, axes = _figure(len(panels), Figure)
    for ax, ((d, cells), by_topology) in zip(axes, panels.items()):
        positive = True
        for t, group in by_topology.items():
            curves = [json.loads(r["loss_curve"]) for r in group]
            width = max(map(len, curves))
            if not width:
                continue
            M = np.full((len(curves), width), np.nan)
            for i, c in enumerate(curves):
                M[i, :len(c)] = c
            epochs = np.arange(1, width + 1)
            ax.plot(epochs, np.nanmean(M, axis=0), color=colours[t], label=f"{t} ({len(group)} seeds)")
            ax.fill_between(epochs, np.nanmin(M, axis=0), np.nanmax(M, axis=0), color=colours[t],
                            alpha=0.2, linewidth=0)
            positive &= bool(np.nanmin(M) > 0)
        if positive:
            ax.set_yscale("log")
        ax.set_title(_title(exp, d, cells), fontsize=9)
        ax.set_xlabel("epoch")
        ax.set_ylabel("training loss (mean, band: min–max)")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7)
    for ax in axes[len(panels):]:
        ax.set_visible(False)
    written = [plots.save_figure(fig, os.path.join(out_dir, LOSS_PICTURE))]
    scored = {key: by_topology for key, by_topology in panels.items()
              if any(r["final_accuracy"] for group in by_topology.values() for r in group)}
    if scored:
        written.append(_accuracy_picture(exp, scored, colours, Figure, out_dir))
    return written


def _accuracy_picture(exp, panels, colours, Figure, out_dir):
    fig, axes = _figure(len(panels), Figure)
    jitter = np.random.default_rng(0)
    for ax, ((d, cells), by_topology) in zip(axes, panels.items()):
        names = list(by_topology)
        values = [_floats(by_topology[t], "final_accuracy") for t in names]
        ax.boxplot(values, widths=0.5, showfliers=False, medianprops={"color": "black"})
        for k, (t, v) in enumerate(zip(names, values), start=1):
            x = k + jitter.uniform(-0.12, 0.12, len(v))
            ax.scatter(x, v, s=18, color=colours[t], edgecolor="white", linewidth=0.5, zorder=3)
        ax.set_xticks(range(1, len(names) + 1), names, rotation=20, fontsize=8)
        ax.set_title(_title(exp, d, cells), fontsize=9)
        ax.set_ylabel("final accuracy (one dot per seed)")
        ax.grid(alpha=0.3, axis="y")
    for ax in axes[len(panels):]:
        ax.set_visible(False)
    return plots.save_figure(fig, os.path.join(out_dir, ACCURACY_PICTURE))
