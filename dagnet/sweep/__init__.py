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

The package: :mod:`.experiment` (the file, checked, expanded into runs),
:mod:`.data` (its data sets), :mod:`.worker` (one run: build, train,
measure), :mod:`.execution` (serial, joblib, Dask), :mod:`.results`
(results.csv), :mod:`.summary` (summary.csv and summary.md),
:mod:`.pictures` (loss_curves.png, accuracy.png) and :mod:`.runner`
(:func:`run`, which ties them together).

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
from ..errors import ExperimentError
from .data import BUILTIN_OPTIONS, CSV_OPTIONS, Data
from .execution import MissingDependency, WorkersLost, execute
from .experiment import (FIT_OPTIONS, KEYS, MAX_RUNS, OPTIMIZER_OPTIONS, Experiment, Run,
                         load_experiment, read_experiment)
from .pictures import ACCURACY_PICTURE, LOSS_PICTURE, draw
from .results import LOCK, MEASURES, RESULTS, read_results
from .runner import SweepResult, run
from .summary import SUMMARY_CSV, SUMMARY_MD, markdown, summarize, write_summary
from .worker import Recipe, Task, train

__all__ = ["ACCURACY_PICTURE", "BUILTIN_OPTIONS", "CSV_OPTIONS", "Data", "Experiment",
           "ExperimentError", "FIT_OPTIONS", "KEYS", "LOCK", "LOSS_PICTURE", "MAX_RUNS", "MEASURES",
           "MissingDependency", "OPTIMIZER_OPTIONS", "RESULTS", "Recipe", "Run", "SUMMARY_CSV",
           "SUMMARY_MD", "SweepResult", "Task", "WorkersLost", "draw", "execute", "load_experiment",
           "markdown", "read_experiment", "read_results", "run", "summarize", "train",
           "write_summary"]
