"""The experiment: read, check and expand into runs, every problem named by file and key.

An experiment file is read with dagnet's strict YAML reader (duplicate
keys, aliases and deep nesting are errors); the same data may come as a
dict. :func:`load_experiment` first checks everything that costs nothing
to check (every key, the grid and its optimisers, the seeds, the number
of runs, every data set's options and sizes, every topology's generator
and parameter names), then reads the files, builds every data set, and
builds every topology on every data set with every grid setting (for
zero epochs) before anything trains, so a sweep never fails half way for
a mistake in its file, and a mistake costs no data set or network.

Examples
--------
>>> experiment = {"topologies": {"small": {"generate": "mlp", "sizes": [4]}},
...               "datasets": {"moons": {"n_samples": 40}},
...               "grid": {"lr": [0.05, 0.2], "epochs": 5}, "seeds": 2}
>>> [(r.topology, r.hyperparameters["lr"], r.seed) for r in load_experiment(experiment).runs()]
[('small', 0.05, 0), ('small', 0.05, 1), ('small', 0.2, 0), ('small', 0.2, 1)]
>>> load_experiment({**experiment, "seeds": 1e11})
Traceback (most recent call last):
...
dagnet.errors.ExperimentError: experiment: seeds: 100,000,000,000 seeds are over the limit of 100,000 runs (MAX_RUNS; load_experiment(..., max_runs=N) for more)
"""
import hashlib
import inspect
import itertools
import json
import math
import os
from dataclasses import dataclass, field

from .. import generate
from ..errors import ExperimentError, suggest
from ..files import read_text
from ..graph import is_number
from ..optimizers import OPTIMIZERS, make_optimizer
from ..samples import targets_for
from ..strictyaml import read_document
from ..text import one_line
from ..training import fit
from .data import label_of, request
from .results import cell
from .worker import SPARSE_KEYS, Recipe, fit_arguments

KEYS = ("name", "description", "topologies", "datasets", "grid", "seeds", "threshold")
#: Options of :func:`dagnet.training.fit` a grid may set (``seed`` has its own key).
FIT_OPTIONS = tuple(p for p in inspect.signature(fit).parameters
                    if p not in ("net", "X", "Y", "seed", "verbose", "callback", "validation_data",
                                 "optimizer_params"))
#: Optimiser parameters a grid may set besides ``lr``.
OPTIMIZER_OPTIONS = tuple(dict.fromkeys(k for cls in OPTIMIZERS.values() for k in cls.hyperparameters
                                        if k != "lr"))
#: The most runs an experiment may have unless :func:`load_experiment` is told otherwise.
MAX_RUNS = 100_000


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
    """A checked experiment: every topology built on every data set it meets.

    ``topologies`` maps a label to ``{"spec", "source", "identity"}``,
    ``datasets`` a label to a :class:`~dagnet.sweep.data.Data`, ``grid`` a
    fit option to its list of values; ``recipes[topology, dataset]`` is
    ``(Recipe, targets)``.
    """

    source: str
    name: str
    topologies: dict
    datasets: dict
    grid: dict
    seeds: list
    threshold: float = None
    recipes: dict = field(default_factory=dict)

    def runs(self):
        """Every run, topology by topology, then data set, grid setting and seed."""
        out = []
        for t, d in itertools.product(self.topologies, self.datasets):
            for values in itertools.product(*self.grid.values()):
                hp = dict(zip(self.grid, values))
                out.extend(Run(self.run_id(t, d, hp, seed), t, d, hp, seed) for seed in self.seeds)
        return out

    def run_id(self, t, d, hp, seed):
        """The stable id of a run: a hash of everything that defines it."""
        config = {"topology": [t, self.topologies[t]["identity"]],
                  "dataset": [d, self.datasets[d].spec], "hyperparameters": hp, "seed": seed,
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


def load_experiment(experiment, base=None, max_runs=MAX_RUNS):
    """Read and check an experiment (a file path or a dict); build every data set and network.

    Files named in a dict are relative to ``base`` (default: the current
    folder); in a file, relative to the file's folder. An experiment of
    more than ``max_runs`` runs is refused before any is listed.

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

    def fail(key, message):
        return ExperimentError(message, source=source, key=key)

    for key in data:
        if key not in KEYS:
            raise fail(None, f"unknown key {key!r}{suggest(key, KEYS)}; an experiment has "
                             f"{', '.join(KEYS)}")
    for key in ("topologies", "datasets"):
        if not data.get(key):
            raise fail(key, "missing: name at least one (see docs/sweeps.md)")
    name = data.get("name") or os.path.splitext(os.path.basename(source))[0]
    # first everything that costs nothing to check, then the data sets and networks
    topology_specs = _labelled(data["topologies"], "topologies", fail, _topology_label)
    dataset_specs = _labelled(data["datasets"], "datasets", fail, label_of)
    grid = _grid(data.get("grid") or {}, fail)
    seeds = _seeds(data.get("seeds", [0]), max_runs, fail)
    threshold = _threshold(data.get("threshold"), fail)
    _check_size([len(topology_specs), len(dataset_specs), math.prod(map(len, grid.values())), len(seeds)],
                max_runs, fail)
    _check_optimizers(grid, fail)
    requests = _requests(dataset_specs, base, fail)
    for label, spec in topology_specs.items():
        _check_topology(label, spec, fail)
    topologies = _topologies(topology_specs, base, fail)
    exp = Experiment(source=source, name=str(name), topologies=topologies, datasets=_made(requests, fail),
                     grid=grid, seeds=seeds, threshold=threshold)
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
        label = label_of(spec)
        if label is None:
            raise fail(f"{key}[{i}]", f"cannot name {spec!r}; give labels with a mapping "
                                      f"({key}: {{label: spec, ...}})")
        if label in out:
            raise fail(f"{key}[{i}]", f"the label {label!r} is used twice; give labels with a "
                                      f"mapping ({key}: {{label: spec, ...}})")
        out[label] = spec
    return out


def _topology_label(spec):
    if isinstance(spec, str):
        return os.path.splitext(os.path.basename(spec))[0]
    if isinstance(spec, dict) and isinstance(spec.get("generate"), str):
        return spec["generate"]
    return None


def _check_topology(label, spec, fail):
    """The form of a topology spec, its generator and the names of its parameters (nothing built)."""
    key = f"topologies.{label}"
    if isinstance(spec, dict) and "generate" in spec:
        kind = spec["generate"]
        if not isinstance(kind, str) or kind not in generate.GENERATORS:
            raise fail(key, f"unknown generator {kind!r}{suggest(kind, generate.GENERATORS)}; known: "
                            f"{', '.join(generate.GENERATORS)}")
        known = generate.parameters(kind)
        for name in spec:
            if name != "generate" and name not in known:
                raise fail(key, f"{kind} has no parameter {name!r}{suggest(name, known)}; its "
                                f"parameters: {', '.join(known)}")
    elif not isinstance(spec, str):
        raise fail(key, f"expected a topology file (relative to the experiment) or "
                        f"{{generate: KIND, ...}} (kinds: {', '.join(generate.GENERATORS)}); got {spec!r}")


def _topologies(specs, base, fail):
    """Each topology: a file read, or a generator call checked (sizes before anything is built)."""
    out = {}
    for label, spec in specs.items():
        key = f"topologies.{label}"
        if isinstance(spec, str):
            path = spec if os.path.isabs(spec) else os.path.join(base, spec)
            text = read_text(path, lambda problem, source: fail(key, f"{spec}: {problem}"),
                             what="topology file")
            digest = hashlib.sha256(text.encode()).hexdigest()
            # a newline marks the spec as YAML text for dagnet.specs.network, even for a one-line file
            out[label] = {"spec": text if text.endswith("\n") else text + "\n", "source": path,
                          "identity": {"file": spec, "sha256": digest}}
        else:
            params = {k: v for k, v in spec.items() if k != "generate"}
            try:
                generate.graph(spec["generate"], **params)
            except (ValueError, TypeError) as err:
                raise fail(key, one_line(err)) from None
            out[label] = {"spec": spec, "source": key, "identity": spec}
    return out


def _requests(specs, base, fail):
    """Each data set checked (options, types, sizes), none drawn or read."""
    out = {}
    for label, spec in specs.items():
        try:
            out[label] = request(label, spec, base)
        except ValueError as err:
            raise fail(f"datasets.{label}", one_line(err)) from None
    return out


def _made(requests, fail):
    """Each data set drawn or read."""
    out = {}
    for label, wanted in requests.items():
        try:
            out[label] = wanted.make()
        except ValueError as err:
            raise fail(f"datasets.{label}", one_line(err)) from None
    return out


def _grid(value, fail):
    if not isinstance(value, dict):
        raise fail("grid", f"expected a mapping of fit options to values or lists, got {value!r}")
    known = FIT_OPTIONS + OPTIMIZER_OPTIONS + SPARSE_KEYS
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


def _check_optimizers(grid, fail):
    """Every grid setting's optimiser, its learning rate and parameters (no network needed)."""
    keys = [k for k in grid if k in ("optimizer", "lr") or k in OPTIMIZER_OPTIONS]
    for values in itertools.product(*(grid[k] for k in keys)):
        hp = dict(zip(keys, values))
        try:
            make_optimizer(hp.pop("optimizer", "sgd"), lr=hp.pop("lr", None), **hp)
        except (ValueError, TypeError) as err:
            raise fail("grid", f"{describe(dict(zip(keys, values)))}: {one_line(err)}") from None


def _seeds(value, max_runs, fail):
    """The seeds: a count (3 means 0, 1, 2; at most ``max_runs``) or a list."""
    if isinstance(value, list):
        if value and all(isinstance(s, int) and not isinstance(s, bool) and s >= 0 for s in value):
            if len(set(value)) != len(value):
                raise fail("seeds", f"a seed is listed twice: {value!r}")
            return value
    elif is_number(value) and math.isfinite(value) and value == int(value) and value >= 1:
        if value > max_runs:     # checked again with the other factors; here before listing them
            raise fail("seeds", f"{int(value):,} seeds are over the limit of {max_runs:,} runs "
                                f"(MAX_RUNS; load_experiment(..., max_runs=N) for more)")
        return list(range(int(value)))
    raise fail("seeds", f"expected a count (3 means seeds 0, 1, 2) or a list of whole numbers "
                        f">= 0, got {value!r}")


def _check_size(factors, max_runs, fail):
    """Refuse more than ``max_runs`` runs: ``factors`` are the topologies, data sets, grid settings
    and seeds."""
    runs = math.prod(factors)
    if runs > max_runs:
        raise fail(None, f"{' × '.join(f'{n:,}' for n in factors)} (topologies × datasets × grid "
                        f"settings × seeds) = {runs:,} runs, over the limit of {max_runs:,} "
                        f"(MAX_RUNS; load_experiment(..., max_runs=N) for more)")


def _threshold(value, fail):
    if value is None:
        return None
    if isinstance(value, bool) or not is_number(value) or not 0 < value <= 1:
        raise fail("threshold", f"expected an accuracy between 0 and 1, got {value!r}")
    return float(value)


def _recipe(topology, data):
    """The Recipe of a topology on a data set: a generator call that leaves out ``inputs``,
    ``outputs`` or ``loss`` is sized from the data: as many inputs as X has columns, one output
    for two classes or a regression target, one per class otherwise, and ``mse`` for regression."""
    classes = data.n_classes if data.task == "classification" and data.n_classes > 2 else None
    return Recipe(topology["spec"], topology["source"], n_inputs=data.X.shape[1],
                  n_outputs=classes or data.Y.shape[1], loss="mse" if data.task == "regression" else None)


def describe(hp):
    """``"lr=0.1, epochs=5"``: grid values as the messages give them."""
    return ", ".join(f"{k}={cell(v)}" for k, v in hp.items()) or "the fit() defaults"


def _check_runs(exp, fail):
    """Build each topology on each data set and try every grid setting for zero epochs."""
    settings = [dict(zip(exp.grid, v)) for v in itertools.product(*exp.grid.values())]
    for t, d in itertools.product(exp.topologies, exp.datasets):
        data = exp.datasets[d]
        recipe = _recipe(exp.topologies[t], data)
        try:
            net = recipe.build(0)
            Y = targets_for(net, data.Y, task=data.task, n_classes=data.n_classes)
            net.fit(data.X, Y, epochs=0, verbose=False)
        except ValueError as err:
            raise fail(f"topologies.{t}", f"does not fit datasets.{d}: {one_line(err)}") from None
        exp.recipes[t, d] = recipe, Y
        for hp in settings:
            try:
                net.fit(data.X, Y, **{**fit_arguments(hp), "epochs": 0}, verbose=False)
            except (ValueError, TypeError) as err:
                raise fail("grid", f"{describe(hp)} on topologies.{t}: {one_line(err)}") from None
