"""Running a sweep: train the runs not yet recorded, record each as it finishes, summarise.

Examples
--------
>>> progress({"final_loss": 0.01234, "final_accuracy": 0.95, "status": "ok", "epochs_run": 5,
...           "seconds": 0.5})
'loss 0.01234, accuracy 0.950 (0.50 s)'
"""
import os
import sys
from dataclasses import dataclass

from ..plots import PICTURES_SKIPPED, MissingMatplotlib
from ..text import plural, rounded
from .execution import WorkersLost, execute
from .experiment import Experiment, load_experiment
from .pictures import draw
from .results import RESULTS, MEASURES, append, cell, exclusive, header, open_results
from .summary import summarize, varying, write_summary
from .worker import Task


def _stderr(message):
    print(message, file=sys.stderr, flush=True)


@dataclass
class SweepResult:
    """What :func:`run` did: ``rows`` as in results.csv (text cells), ``summary`` (numbers)."""

    out_dir: str
    rows: list
    summary: list
    files: list
    ran: int
    skipped: int


def _built(exp, r):
    """``(recipe, X, Y)`` of a run: how to build its network, its inputs and its targets."""
    recipe, Y = exp.recipes[r.topology, r.dataset]
    return recipe, exp.datasets[r.dataset].X, Y


def label(exp, r):
    """``"plain on moons (lr=0.1), seed 2"``: a run as progress lines name it."""
    hp = ", ".join(varying(exp, r.hyperparameters.values()))
    return f"{r.topology} on {r.dataset}" + (f" ({hp})" if hp else "") + f", seed {r.seed}"


def progress(m):
    """A finished run's measures in a few words."""
    text = "no finished epoch" if m["final_loss"] is None else f"loss {m['final_loss']:.4g}"
    if m["final_accuracy"] is not None:
        text += f", accuracy {rounded(m['final_accuracy'], 3)}"
    if m["status"] != "ok":
        text += f", {m['status']} after epoch {m['epochs_run']}"
    return text + f" ({m['seconds']:.2f} s)"


def run(experiment, out_dir, n_jobs=-1, scheduler=None, pictures=True, log=_stderr, worker_timeout=60.0):
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
        runs go to its workers.
    pictures : bool
        Draw loss_curves.png and accuracy.png (needs matplotlib).
    log : callable or None
        Receives one line per finished run and notes; None is silent.
    worker_timeout : float
        Seconds a Dask cluster may have no workers before the sweep stops.

    Raises
    ------
    WorkersLost
        When worker processes or the cluster went away mid-sweep; the runs
        finished so far are in results.csv, and running again trains the rest.

    Notes
    -----
    Results do not depend on ``n_jobs`` or ``scheduler``: each run seeds
    its initial weights and its shuffling from its own seed.
    """
    log = log or (lambda message: None)
    exp = experiment if isinstance(experiment, Experiment) else load_experiment(experiment)
    out_dir = os.fspath(out_dir)
    os.makedirs(out_dir, exist_ok=True)
    runs = exp.runs()
    columns = header(exp.grid)
    path = os.path.join(out_dir, RESULTS)
    with exclusive(out_dir):
        f, done = open_results(path, columns, log)
        with f:
            pending = [r for r in runs if r.run_id not in done]
            log(f"sweep {exp.name}: {plural(len(runs), 'run')}, {len(runs) - len(pending)} already "
                f"in {path}, {len(pending)} to go")
            by_id = {r.run_id: r for r in pending}
            tasks = [Task(r.run_id, *_built(exp, r), r.hyperparameters, r.seed, exp.threshold)
                     for r in pending]
            finished = 0
            try:
                for run_id, measures in execute(tasks, n_jobs, scheduler, log, worker_timeout):
                    r = by_id[run_id]
                    cells = [run_id, r.topology, r.dataset, *map(cell, r.hyperparameters.values()),
                             r.seed, *(cell(measures[m]) for m in MEASURES)]
                    append(f, cells)
                    done[run_id] = dict(zip(columns, map(str, cells)))
                    finished += 1
                    log(f"[{finished}/{len(pending)}] {label(exp, r)}: {progress(measures)}")
            except WorkersLost as err:
                kept = sum(r.run_id in done for r in runs)
                raise WorkersLost(f"{err}; {kept} of {plural(len(runs), 'run')} are kept in {path} "
                                  f"({finished} from this sweep): run the sweep again to train the "
                                  f"other {len(runs) - kept}") from None
        rows = [done[r.run_id] for r in runs]
        summary = summarize(exp, rows)
        files = [path, *write_summary(exp, summary, out_dir)]
        if pictures:
            try:
                files += draw(exp, rows, out_dir)
            except MissingMatplotlib:
                log(PICTURES_SKIPPED)
    return SweepResult(out_dir, rows, summary, files, len(pending), len(runs) - len(pending))
