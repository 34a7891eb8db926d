"""Sweeps: every run recorded once, resumable after a kill, equal across n_jobs and on Dask."""
import csv
import importlib
import socket
import json
import os
import re
import shutil
import subprocess
import sys
import time
import tracemalloc

import numpy as np
import pytest
from script_support import load_script

from dagnet import datasets, generate, plots, sweep
from dagnet.cli import main

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

EXPERIMENT = """\
name: moons-test
topologies:
  plain: {{generate: mlp, sizes: [6]}}
  residual: {{generate: residual, sizes: [4, 4, 4]}}
datasets:
  moons: {{n_samples: 60, noise: 0.2}}
grid:
  lr: [0.02, 0.1]
  epochs: {epochs}
  batch_size: 4
  optimizer: adam
seeds: 3
threshold: 0.9
"""


def write_experiment(folder, epochs=40, text=None):
    path = os.path.join(folder, "experiment.yaml")
    with open(path, "w") as f:
        f.write(text if text is not None else EXPERIMENT.format(epochs=epochs))
    return path


def without_time(rows):
    """Rows keyed by run id, minus the wall-clock column (the only one that may differ)."""
    return {r["run_id"]: {k: v for k, v in r.items() if k != "seconds"} for r in rows}


def results_lines(folder):
    with open(os.path.join(folder, sweep.RESULTS), encoding="utf-8") as f:
        return f.read().splitlines(keepends=True)


@pytest.fixture(scope="module")
def serial(tmp_path_factory):
    """The 12-run experiment swept once, serially: ``(experiment path, result)``."""
    folder = str(tmp_path_factory.mktemp("serial"))
    path = write_experiment(folder)
    return path, sweep.run(path, os.path.join(folder, "out"), n_jobs=1, log=None)


# -- what a sweep records ---------------------------------------------------------------

def test_a_sweep_records_every_run_once_with_its_measures(serial):
    path, result = serial
    rows = sweep.read_results(os.path.join(result.out_dir, sweep.RESULTS))
    assert (result.ran, result.skipped) == (12, 0)
    assert len(rows) == 12 and len({r["run_id"] for r in rows}) == 12
    assert list(rows[0])[:9] == ["run_id", "topology", "dataset", "lr", "epochs", "batch_size",
                                 "optimizer", "seed", "status"]
    for r in rows:
        loss, accuracy = json.loads(r["loss_curve"]), json.loads(r["accuracy_curve"])
        assert len(loss) == len(accuracy) == int(r["epochs_run"]) == 40 and r["status"] == "ok"
        assert float(r["final_loss"]) == loss[-1] and float(r["best_loss"]) == min(loss)
        assert float(r["final_accuracy"]) == accuracy[-1]
        reached = [e for e, a in enumerate(accuracy, 1) if a >= 0.9]
        assert r["epochs_to_threshold"] == (str(reached[0]) if reached else "")
        assert float(r["seconds"]) > 0 and r["final_val_loss"] == ""
    assert {r["n_params"] for r in rows if r["topology"] == "plain"} == {"25"}   # 2·6 + 6 + 7 biases


def test_each_run_is_the_fit_its_seed_gives(serial):
    _, result = serial
    row = next(r for r in result.rows if r["topology"] == "residual" and r["seed"] == "2"
               and r["lr"] == "0.1")
    X, Y = datasets.load("moons", n_samples=60, noise=0.2)
    net = generate.generate("residual", sizes=[4, 4, 4], seed=2)
    history = net.fit(X, Y, lr=0.1, epochs=40, batch_size=4, optimizer="adam", seed=2, verbose=False)
    assert json.loads(row["loss_curve"]) == history.loss              # bit for bit
    assert row["final_accuracy"] == repr(history.accuracy[-1])


def test_the_summary_aggregates_over_seeds(serial):
    _, result = serial
    assert [(s["topology"], s["lr"], s["seeds"]) for s in result.summary] == [
        ("plain", "0.02", 3), ("plain", "0.1", 3), ("residual", "0.02", 3), ("residual", "0.1", 3)]
    for s in result.summary:
        group = [r for r in result.rows if (r["topology"], r["lr"]) == (s["topology"], s["lr"])]
        losses = [float(r["final_loss"]) for r in group]
        assert s["final_loss_mean"] == pytest.approx(np.mean(losses))
        assert s["final_loss_std"] == pytest.approx(np.std(losses, ddof=1))
        assert s["final_loss_min"] == min(losses)
        assert s["final_accuracy_min"] == min(float(r["final_accuracy"]) for r in group)
        reached = [int(r["epochs_to_threshold"]) for r in group if r["epochs_to_threshold"]]
        assert s["reached_threshold"] == len(reached)
    with open(os.path.join(result.out_dir, sweep.SUMMARY_CSV), newline="") as f:
        table = list(csv.DictReader(f))
    assert len(table) == 4 and float(table[0]["final_loss_mean"]) == result.summary[0]["final_loss_mean"]
    with open(os.path.join(result.out_dir, sweep.SUMMARY_MD), encoding="utf-8") as f:
        md = f.read()
    assert "| topology | dataset | lr | params | seeds | final loss |" in md
    assert "epochs=40, batch_size=4, optimizer=adam" in md
    assert md.count("\n| residual | moons |") == 2


def test_pictures_are_written_and_skipped_with_a_note_without_matplotlib(serial, tmp_path, monkeypatch):
    path, result = serial
    pytest.importorskip("matplotlib")
    for name in (sweep.LOSS_PICTURE, sweep.ACCURACY_PICTURE):
        assert os.path.getsize(os.path.join(result.out_dir, name)) > 0

    monkeypatch.setitem(sys.modules, "matplotlib", None)                 # import matplotlib fails
    monkeypatch.setitem(sys.modules, "matplotlib.figure", None)
    shutil.copytree(result.out_dir, tmp_path / "out")
    os.remove(tmp_path / "out" / sweep.LOSS_PICTURE)
    notes = []
    again = sweep.run(path, tmp_path / "out", n_jobs=1, log=notes.append)
    assert again.ran == 0 and notes[-1] == plots.PICTURES_SKIPPED
    assert not (tmp_path / "out" / sweep.LOSS_PICTURE).exists()


def test_a_diverging_run_is_recorded_and_the_sweep_goes_on(tmp_path):
    experiment = {"topologies": {"relu": {"generate": "mlp", "sizes": [5], "activations": "relu"}},
                  "datasets": {"sine": {"n_samples": 30}}, "grid": {"epochs": 20, "lr": [0.01, 1000.0]}}
    result = sweep.run(experiment, tmp_path, n_jobs=1, pictures=False, log=None)
    calm, wild = result.rows
    assert (calm["status"], calm["epochs_run"]) == ("ok", "20")
    assert wild["status"] == "diverged" and 0 < int(wild["epochs_run"]) < 20
    assert float(wild["final_loss"]) == json.loads(wild["loss_curve"])[-1]      # the last finite epoch
    assert [s["diverged"] for s in result.summary] == [0, 1]
    table = (tmp_path / sweep.SUMMARY_MD).read_text()
    assert "| relu (1 diverged) | sine | 1000.0 |" in table
    cells = [c.strip() for line in table.splitlines() if line.startswith("| relu") for c in line.split("|")]
    assert max(map(len, cells)) <= len("relu (1 diverged)"), table      # a diverged loss in a few digits


# -- resuming -----------------------------------------------------------------------------

@pytest.mark.slow
def test_a_killed_sweep_resumes_with_every_run_exactly_once(serial, tmp_path):
    path = write_experiment(str(tmp_path), epochs=300)           # slower runs: time to kill midway
    out = tmp_path / "out"
    results = out / sweep.RESULTS
    proc = subprocess.Popen([sys.executable, "-m", "dagnet", "sweep", path, "--out", str(out),
                             "--jobs", "1", "--no-pictures"], cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and proc.poll() is None:
            if results.exists() and len(results.read_text().splitlines()) >= 2:   # header + a row
                break
            time.sleep(0.005)
        proc.kill()
    finally:
        proc.wait()
    before = results_lines(out)
    assert 1 <= len(before) - 1 < 12, "the sweep was not stopped midway"

    code = main(["sweep", path, "--out", str(out), "--no-pictures"])
    after = results_lines(out)
    assert code == 0
    assert after[:len(before)] == before                          # finished rows untouched
    rows = sweep.read_results(results)
    assert len(rows) == 12 and len({r["run_id"] for r in rows}) == 12
    assert main(["sweep", path, "--out", str(out), "--no-pictures"]) == 0
    assert results_lines(out) == after                            # nothing left to do


def test_a_truncated_last_line_is_discarded_and_its_run_redone(serial, tmp_path):
    path, result = serial
    out = tmp_path / "out"
    shutil.copytree(result.out_dir, out)
    lines = results_lines(out)
    (out / sweep.RESULTS).write_text("".join(lines[:-1]) + lines[-1][:len(lines[-1]) // 2])
    notes = []
    again = sweep.run(path, out, n_jobs=1, pictures=False, log=notes.append)
    assert (again.ran, again.skipped) == (1, 11)
    assert any("discarded an incomplete last line" in n for n in notes)
    assert results_lines(out)[:-1] == lines[:-1]
    assert without_time(sweep.read_results(out / sweep.RESULTS)) == without_time(result.rows)


def test_more_seeds_reuse_the_runs_already_done(serial, tmp_path):
    path, result = serial
    shutil.copytree(result.out_dir, tmp_path / "out")
    more = write_experiment(str(tmp_path), text=EXPERIMENT.format(epochs=40).replace("seeds: 3", "seeds: 4"))
    again = sweep.run(more, tmp_path / "out", n_jobs=1, pictures=False, log=None)
    assert (again.ran, again.skipped) == (4, 12)
    assert {r["seed"] for r in again.rows} == {"0", "1", "2", "3"}


def test_a_folder_holding_another_experiments_results_is_refused(serial, tmp_path):
    _, result = serial
    shutil.copytree(result.out_dir, tmp_path / "out")
    text = EXPERIMENT.format(epochs=40).replace("batch_size: 4", "batch_size: 4\n  shuffle: true")
    other = write_experiment(str(tmp_path), text=text)                 # one more grid column
    with pytest.raises(ValueError, match="its columns .* are not this experiment's"):
        sweep.run(other, tmp_path / "out", n_jobs=1, log=None)


def test_two_sweeps_cannot_write_one_folder_at_once(serial, tmp_path):
    fcntl = pytest.importorskip("fcntl")
    path, _ = serial
    with open(tmp_path / sweep.LOCK, "a") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        with pytest.raises(ValueError, match="another sweep is writing to this folder"):
            sweep.run(path, tmp_path, n_jobs=1, log=None)


# -- parallel and distributed ---------------------------------------------------------------

@pytest.mark.slow
def test_results_are_the_same_with_two_processes(serial, tmp_path):
    path, result = serial
    parallel = sweep.run(path, tmp_path / "out", n_jobs=2, pictures=False, log=None)
    assert without_time(parallel.rows) == without_time(result.rows)


@pytest.mark.slow
def test_without_joblib_the_sweep_runs_serially_with_a_note(serial, tmp_path, monkeypatch):
    path, result = serial
    monkeypatch.setitem(sys.modules, "joblib", None)              # import joblib raises ImportError
    notes = []
    again = sweep.run(path, tmp_path / "out", n_jobs=2, pictures=False, log=notes.append)
    assert any(n.startswith("joblib is not installed: running the sweep serially") for n in notes)
    assert without_time(again.rows) == without_time(result.rows)


def test_a_scheduler_without_dask_is_one_clear_error(serial, tmp_path, monkeypatch, capsys):
    path, _ = serial
    monkeypatch.setitem(sys.modules, "dask.distributed", None)
    code = main(["sweep", path, "--out", str(tmp_path), "--scheduler", "tcp://127.0.0.1:1"])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 1
    assert err[-1] == 'dagnet: error: a Dask scheduler needs dask.distributed: pip install "dagnet[dask]"'


@pytest.mark.slow
def test_results_are_the_same_on_a_local_dask_cluster(serial, tmp_path):
    distributed = pytest.importorskip("distributed")
    pytest.importorskip("joblib")
    path, result = serial
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, host="127.0.0.1", processes=True,
                                  dashboard_address=None) as cluster:
        remote = sweep.run(path, tmp_path / "out", scheduler=cluster.scheduler_address,
                           pictures=False, log=None)
    assert remote.ran == 12
    assert without_time(remote.rows) == without_time(result.rows)


# -- lost workers and clusters ----------------------------------------------------------------

@pytest.mark.slow
def test_lost_workers_stop_the_sweep_with_its_rows_kept(serial, tmp_path, monkeypatch):
    path, result = serial
    runner = importlib.import_module("dagnet.sweep.runner")
    real = runner.execute

    def two_then_lost(tasks, *args):
        for k, done in enumerate(real(tasks, *args)):
            if k == 2:
                raise sweep.WorkersLost("the cluster went away")
            yield done
    monkeypatch.setattr(runner, "execute", two_then_lost)
    with pytest.raises(sweep.WorkersLost) as err:
        sweep.run(path, tmp_path / "out", n_jobs=1, pictures=False, log=None)
    assert str(err.value) == (f"the cluster went away; 2 of 12 runs are kept in {tmp_path / 'out' / sweep.RESULTS} "
                              f"(2 from this sweep): run the sweep again to train the other 10")
    assert len(sweep.read_results(tmp_path / "out" / sweep.RESULTS)) == 2
    monkeypatch.setattr(runner, "execute", real)
    again = sweep.run(path, tmp_path / "out", n_jobs=1, pictures=False, log=None)
    assert (again.ran, again.skipped) == (10, 2)
    assert without_time(again.rows) == without_time(result.rows)


def sweep_in_background(path, out, *flags):
    """Start ``dagnet sweep`` in another process; return it once a run is recorded."""
    proc = subprocess.Popen([sys.executable, "-m", "dagnet", "sweep", path, "--out", str(out),
                             "--no-pictures", *flags], cwd=ROOT, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)
    results, deadline = out / sweep.RESULTS, time.monotonic() + 120
    while proc.poll() is None and time.monotonic() < deadline:
        if results.exists() and len(results.read_text().splitlines()) >= 2:   # header + a row
            return proc
        time.sleep(0.02)
    proc.kill()
    raise AssertionError(f"no run was recorded: {proc.communicate()[1]}")


def small_experiment(folder):
    """Four runs slow enough (300 epochs of 6,000 points: a second or so each) to stop a sweep midway,
    and few enough to resume."""
    text = EXPERIMENT.format(epochs=300).replace("n_samples: 60,", "n_samples: 6000,").replace("  residual: {generate: residual, sizes: [4, 4, 4]}\n", "")
    return write_experiment(folder, text=text.replace("seeds: 3", "seeds: 2"))


def assert_stopped_in_one_line(proc, message, out):
    """The sweep exits 1 with ``message`` as its one error line; it resumes to all 4 runs."""
    try:
        _, err = proc.communicate(timeout=120)
    except subprocess.TimeoutExpired:
        proc.kill()
        raise
    lines = err.splitlines()
    notes = [line for line in lines[:-1] if not line.startswith(("[", "sweep "))]
    assert proc.returncode == 1 and all(n.startswith("the Dask cluster at") for n in notes), err
    assert lines[-1].startswith(f"dagnet: error: {message}"), err
    assert "are kept in" in lines[-1] and "run the sweep again" in lines[-1]
    assert "Traceback" not in err and "a bug in dagnet" not in err
    kept = sweep.read_results(out / sweep.RESULTS)
    path = os.path.join(out.parent, "experiment.yaml")
    assert main(["sweep", path, "--out", str(out), "--jobs", "1", "--no-pictures"]) == 0
    rows = sweep.read_results(out / sweep.RESULTS)
    assert rows[:len(kept)] == kept and len({r["run_id"] for r in rows}) == len(rows) == 4


@pytest.mark.slow
def test_a_killed_worker_process_stops_the_sweep_in_one_line_and_it_resumes(tmp_path):
    psutil = pytest.importorskip("psutil")
    pytest.importorskip("joblib")
    path = small_experiment(str(tmp_path))
    proc = sweep_in_background(path, tmp_path / "out", "--jobs", "2")
    workers = [p for p in psutil.Process(proc.pid).children(recursive=True)
               if "LokyProcess" in " ".join(p.cmdline())]
    workers[0].kill()
    assert_stopped_in_one_line(proc, "a worker process stopped while training", tmp_path / "out")


@pytest.mark.slow
def test_a_sweep_killed_outright_takes_its_worker_processes_with_it(tmp_path):
    psutil = pytest.importorskip("psutil")
    pytest.importorskip("joblib")
    proc = sweep_in_background(small_experiment(str(tmp_path)), tmp_path / "out", "--jobs", "2")
    children = psutil.Process(proc.pid).children(recursive=True)   # two workers, resource trackers
    assert sum("LokyProcess" in " ".join(p.cmdline()) for p in children) == 2
    proc.kill()                                                      # kill -9: nothing to clean up after it
    proc.wait()

    def alive():
        return [p for p in children if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]
    deadline = time.monotonic() + 20
    while alive() and time.monotonic() < deadline:
        time.sleep(0.1)
    left = alive()
    for p in left:
        p.kill()
    assert left == []


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def dask_process(kind, address, *flags):
    """``dask scheduler`` or ``dask worker`` as a process of its own."""
    module = {"scheduler": "distributed.cli.dask_scheduler", "worker": "distributed.cli.dask_worker"}[kind]
    where = ["--host", "127.0.0.1", "--port", address.rsplit(":", 1)[1]] if kind == "scheduler" else [address]
    return subprocess.Popen([sys.executable, "-m", module, *where, "--no-dashboard", *flags],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


@pytest.fixture
def dask_cluster():
    """``(address, scheduler process, worker process)``: a one-worker cluster, stopped afterwards."""
    distributed = pytest.importorskip("distributed")
    address = f"tcp://127.0.0.1:{free_port()}"
    scheduler = dask_process("scheduler", address)
    worker = dask_process("worker", address, "--nthreads", "1", "--no-nanny")
    try:
        with distributed.Client(address, timeout=60) as client:
            client.wait_for_workers(1, timeout=60)
        yield address, scheduler, worker
    finally:
        for proc in (worker, scheduler):
            proc.kill()
            proc.wait()


@pytest.mark.slow
def test_a_dask_cluster_without_workers_stops_the_sweep_instead_of_waiting(tmp_path, dask_cluster):
    address, _, worker = dask_cluster
    path = small_experiment(str(tmp_path))
    proc = sweep_in_background(path, tmp_path / "out", "--scheduler", address, "--worker-timeout", "2")
    worker.kill()
    assert_stopped_in_one_line(proc, f"the Dask cluster at {address} has had no workers for 2 s",
                               tmp_path / "out")


@pytest.mark.slow
def test_a_worker_killed_holding_finished_runs_does_not_hang_the_sweep(tmp_path, dask_cluster):
    """Runs so quick that the worker dies holding finished results: fetching them must not wait for ever."""
    address, _, worker = dask_cluster
    path = write_experiment(str(tmp_path), text=EXPERIMENT.format(epochs=300).replace("seeds: 3", "seeds: 2"))
    proc = sweep_in_background(path, tmp_path / "out", "--scheduler", address, "--worker-timeout", "2")
    worker.kill()
    try:
        _, err = proc.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        proc.kill()
        raise
    assert proc.returncode in (0, 1), err      # done before the kill, or stopped for want of workers
    assert proc.returncode == 0 or f"the Dask cluster at {address} has had no workers for 2 s" in err


@pytest.mark.slow
def test_a_lost_dask_scheduler_stops_the_sweep_in_one_line(tmp_path, dask_cluster):
    address, scheduler, _ = dask_cluster
    path = small_experiment(str(tmp_path))
    proc = sweep_in_background(path, tmp_path / "out", "--scheduler", address)
    scheduler.kill()
    assert_stopped_in_one_line(proc, f"lost the connection to the Dask scheduler at {address}",
                               tmp_path / "out")


# -- experiment files -----------------------------------------------------------------------------

GOOD = {"topologies": "topologies: {a: {generate: mlp, sizes: [3]}}",
        "datasets": "datasets: [moons]", "grid": "grid: {epochs: 2}"}


@pytest.mark.parametrize("change, message", [
    ({"topologies": "topologies: {a: {generate: resnet}}"}, "topologies.a: unknown generator 'resnet'"),
    ({"topologies": "topologies: {a: {generate: mlp, sizez: [3]}}"},
     "topologies.a: mlp has no parameter 'sizez' (did you mean 'sizes'?)"),
    ({"topologies": "topologies: {a: nets/missing.yaml}"}, "topologies.a: nets/missing.yaml: no such file"),
    ({"topologies": "topologies: {a: 3}"}, "topologies.a: expected a topology file"),
    ({"topologies": "topologies: []"}, "topologies: missing: name at least one"),
    ({"datasets": "datasets: [moonz]"}, "datasets.moonz: unknown data set 'moonz' (did you mean 'moons'?); built-in: xor"),
    ({"datasets": "datasets: {moons: {n_sample: 5}}"},
     "datasets.moons: unknown option 'n_sample' (did you mean 'n_samples'?)"),
    ({"datasets": "datasets: {moons: {noise: -1}}"}, "datasets.moons: moons: noise must be"),
    ({"topologies": "topologies: {a: {generate: mlp, outputs: 1}}",
      "datasets": "datasets: {b: {builtin: blobs}}"},
     "topologies.a: does not fit datasets.b: 3 classes but the network has one output"),
    ({"datasets": "datasets: {c: {csv: missing.csv, inputs: [a], targets: [b]}}"},
     "missing.csv: no such file"),
    ({"grid": "grid: {lrr: 0.1}"}, "grid.lrr: not a fit() option (did you mean 'lr'?)"),
    ({"grid": "grid: {seed: 1}"}, "grid.seed: not a fit() option (seeds have their own key: seeds)"),
    ({"grid": "grid: {epochs: [10, -1]}"}, "grid.epochs: expected whole numbers >= 0, got -1"),
    ({"grid": "grid: {lr: [0.1, 0.1]}"}, "grid.lr: a value is listed twice"),
    ({"grid": "grid: {optimizer: [sgd, adma]}"},
     "grid: optimizer=adma: unknown optimizer 'adma'"),
    ({"grid": "grid: {optimizer: sgd, beta1: 0.8}"},
     "grid: optimizer=sgd, beta1=0.8: sgd takes no parameter 'beta1'"),
    ({"grid": "grid: {batch_size: 0}"}, "grid: batch_size=0 on topologies.a: batch_size must be"),
    ({"grid": "grid: [lr]"}, "grid: expected a mapping of fit options"),
    ({"extra": "seeds: [1, x]"}, "seeds: expected a count (3 means seeds 0, 1, 2) or a list"),
    ({"extra": "seeds: [1, 1]"}, "seeds: a seed is listed twice"),
    ({"extra": "threshold: 90"}, "threshold: expected an accuracy between 0 and 1, got 90"),
    ({"extra": "treshold: 0.9"}, "unknown key 'treshold' (did you mean 'threshold'?)"),
    ({"extra": "seeds: 1e11"}, "seeds: 100,000,000,000 seeds are over the limit of 100,000 runs"),
    ({"extra": "seeds: 100000000000"}, "seeds: 100,000,000,000 seeds are over the limit of 100,000 runs"),
    ({"datasets": "datasets: {moons: {noise: high}}"}, "datasets.moons: noise: expected a number, got 'high'"),
    ({"datasets": "datasets: {moons: {seed: -1}}"}, "datasets.moons: seed: expected a whole number >= 0"),
    ({"datasets": "datasets: {moons: {n_samples: many}}"}, "datasets.moons: n_samples: expected a whole number"),
    ({"grid": "grid: {epochs: 2, epochs: 3}"}, "line 3, column 19: duplicate key 'epochs' (first at line 3)"),
])
def test_a_bad_experiment_names_the_file_and_the_key(tmp_path, change, message):
    parts = {**GOOD, **change}
    text = "\n".join(v for v in parts.values()) + "\n"
    path = write_experiment(str(tmp_path), text=text)
    with pytest.raises(sweep.ExperimentError) as err:
        sweep.load_experiment(path)
    assert str(err.value).startswith(f"{path}: ") and message in str(err.value), str(err.value)
    assert "\n" not in str(err.value)


@pytest.mark.parametrize("text, message", [
    ("", "an experiment is a mapping with name, description, topologies"),
    ("- a\n- b\n", "an experiment is a mapping"),
    ("topologies: {a: [1\n", "line 2, column 1: did not find expected ',' or ']'"),
])
def test_a_broken_experiment_file_is_one_line(tmp_path, text, message):
    path = write_experiment(str(tmp_path), text=text)
    with pytest.raises(sweep.ExperimentError) as err:
        sweep.load_experiment(path)
    assert str(err.value).startswith(f"{path}: ") and message in str(err.value), str(err.value)


@pytest.mark.parametrize("change, message", [
    ({"grid": "grid: {lrr: [0.1]}"}, "grid.lrr: not a fit() option"),
    ({"grid": "grid: {optimizer: [sgd, adma]}"}, "grid: optimizer=adma: unknown optimizer 'adma'"),
    ({"extra": "seeds: [x]"}, "seeds: expected a count"),
    ({"extra": "threshold: 2"}, "threshold: expected an accuracy"),
    ({"datasets": "datasets: [moons, {builtin: blobs, classes: 100000000}]"},
     "datasets.blobs: blobs: classes 100,000,000 is more than n_samples 300"),
    ({"datasets": "datasets: {a: moons, b: {builtin: moons, n_samples: 100000000000}}"},
     "datasets.b: moons: n_samples 100,000,000,000 is over 10,000,000"),
    ({"datasets": "datasets: {a: moons, b: {csv: d.csv, inputs: [x], targets: [y], task: sorting}}"},
     "datasets.b: task must be classification or regression"),
    ({"topologies": "topologies: {a: {generate: mlp}, b: {generate: mlp, sizez: [3]}}"},
     "topologies.b: mlp has no parameter 'sizez'"),
])
def test_the_whole_experiment_is_checked_before_any_data_set_or_network_is_made(tmp_path, monkeypatch,
                                                                                change, message):
    made = []
    monkeypatch.setattr(datasets, "load", lambda *args, **kwargs: made.append(("data set", args)))
    monkeypatch.setattr(sweep.data, "read_table", lambda *args, **kwargs: made.append(("csv", args)), raising=False)
    monkeypatch.setattr(generate, "graph", lambda *args, **kwargs: made.append(("network", args)))
    parts = {**GOOD, **change}
    path = write_experiment(str(tmp_path), text="\n".join(parts.values()) + "\n")
    with pytest.raises(sweep.ExperimentError, match=re.escape(message)):
        sweep.load_experiment(path)
    assert made == []


def test_a_sweep_over_the_run_limit_is_refused_before_its_runs_are_listed(tmp_path):
    experiment = {"topologies": {"a": {"generate": "mlp", "sizes": [3]}}, "datasets": ["moons"],
                  "grid": {"lr": [0.1, 0.2, 0.3, 0.4], "batch_size": [1, 2, 4], "epochs": 1}, "seeds": 5}
    with pytest.raises(sweep.ExperimentError, match=r"experiment: 1 × 1 × 12 × 5 \(topologies × datasets × "
                                                    r"grid settings × seeds\) = 60 runs, over the limit of 50"):
        sweep.load_experiment(experiment, max_runs=50)
    assert len(sweep.load_experiment(experiment, max_runs=60).runs()) == 60
    tracemalloc.start()
    try:
        with pytest.raises(sweep.ExperimentError, match="seeds: 100,000,000,000 seeds are over the limit"):
            sweep.load_experiment({**experiment, "seeds": 10**11})
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 16 << 20                                              # no list of 10¹¹ seeds


def test_the_sweep_command_reports_a_bad_experiment_in_one_line(tmp_path, capsys):
    path = write_experiment(str(tmp_path), text="topologies: {a: {generate: mlp}}\ndatasets: [moonz]\n")
    assert main(["sweep", path, "--out", str(tmp_path / "out")]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [f"dagnet: error: {path}: datasets.moonz: unknown data set 'moonz' (did you mean "
                   f"'moons'?); built-in: {', '.join(datasets.names())}"]
    assert main(["sweep", str(tmp_path / "nope.yaml"), "--out", str(tmp_path / "out")]) == 1
    assert capsys.readouterr().err.strip() == f"dagnet: error: {tmp_path / 'nope.yaml'}: no such file"
    assert main(["sweep", path, "--out", str(tmp_path / "out"), "--jobs", "0"]) == 2
    capsys.readouterr()
    path = write_experiment(str(tmp_path), text="topologies: [{generate: mlp}]\ndatasets: {moons: {noise: high}}\n")
    assert main(["sweep", path, "--out", str(tmp_path / "out")]) == 1
    assert capsys.readouterr().err.strip().splitlines() == [
        f"dagnet: error: {path}: datasets.moons: noise: expected a number, got 'high'"]


def test_files_and_csv_data_are_relative_to_the_experiment_file(tmp_path, monkeypatch):
    (tmp_path / "study" / "nets").mkdir(parents=True)
    generate.write(generate.graph("residual", sizes=[3, 3, 3], inputs=["u", "v"]),
                   tmp_path / "study" / "nets" / "res.yaml")
    X, Y = datasets.load("circles", n_samples=40, seed=1)
    datasets.save_csv(tmp_path / "study" / "points.csv", X, Y, inputs=["u", "v"], targets=["label"])
    text = ("topologies: {res: nets/res.yaml, wide: {generate: mlp, sizes: [5]}}\n"
            "datasets: {points: {csv: points.csv, inputs: [u, v], targets: [label]}}\n"
            "grid: {epochs: 3, lr: 1e-2}\nseeds: [7]\n")
    path = write_experiment(str(tmp_path / "study"), text=text)
    monkeypatch.chdir(tmp_path)                                           # not the experiment's folder
    result = sweep.run(path, "out", n_jobs=1, pictures=False, log=None)
    assert [(r["topology"], r["dataset"], r["seed"]) for r in result.rows] == [
        ("res", "points", "7"), ("wide", "points", "7")]
    assert {r["lr"] for r in result.rows} == {"0.01"}                     # 1e-2 is a number
    assert all(r["final_accuracy"] for r in result.rows)                  # 0/1 labels: classification
    with pytest.raises(sweep.ExperimentError, match="topologies.res: does not fit datasets.sine"):
        sweep.load_experiment(write_experiment(str(tmp_path / "study"), text=text.replace(
            "datasets: {", "datasets: {sine: {n_samples: 20}, ")))


def test_generated_topologies_take_their_inputs_and_outputs_from_the_data(tmp_path):
    experiment = {"topologies": {"wide": {"generate": "mlp", "sizes": [5]}},
                  "datasets": {"sine": {"n_samples": 30}, "blobs": {"classes": 4, "n_samples": 40}},
                  "grid": {"epochs": 3}}
    result = sweep.run(experiment, tmp_path, n_jobs=1, pictures=False, log=None)
    sine, blobs = result.rows
    assert sine["n_params"] == str(1 * 5 + 5 * 1 + 6) and sine["final_accuracy"] == ""   # mse, linear
    assert blobs["n_params"] == str(2 * 5 + 5 * 4 + 9) and blobs["final_accuracy"] != ""  # softmax × 4
    assert result.summary[0]["final_accuracy_mean"] is None


@pytest.mark.slow
def test_the_sweep_command_prints_the_summary_table(serial, tmp_path, capsys):
    path, result = serial
    shutil.copytree(result.out_dir, tmp_path / "out")
    assert main(["sweep", path, "--out", str(tmp_path / "out")]) == 0
    out, err = capsys.readouterr()
    assert "| plain | moons | 0.02 | 25 | 3 |" in out and "wrote " in out
    assert "12 already in" in err and "0 to go" in err


# -- the example ------------------------------------------------------------------------------------

@pytest.mark.slow
def test_skip_sweep_example_compares_plain_residual_and_dense(tmp_path, capsys):
    module = load_script(os.path.join("examples", "skip_sweep.py"), "skip_sweep")
    assert module.__doc__ and "--quick" in module.__doc__
    result = module.main([str(tmp_path), "--quick"])
    out = capsys.readouterr().out
    assert "| topology | dataset | params | seeds | final loss |" in out
    assert [s["topology"] for s in result.summary] == ["plain", "residual", "dense"]
    assert all(s["seeds"] == 3 for s in result.summary)
    params = {s["topology"]: s["n_params"] for s in result.summary}
    assert round(params["dense"] / params["plain"], 1) == 3.7 and params["residual"] - params["plain"] == 12
    accuracy = {s["topology"]: s["final_accuracy_mean"] for s in result.summary}
    assert accuracy["dense"] > accuracy["plain"]
    assert os.path.exists(tmp_path / sweep.SUMMARY_MD)


# -- the documentation --------------------------------------------------------------------------------

def blocks(path, language):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    return [b.split("\n", 1)[1] for b in text.split("```")[1::2] if b.startswith(language + "\n")]


def test_the_example_experiment_of_the_sweeps_page_makes_180_runs(tmp_path):
    example = next(b for b in blocks(os.path.join(ROOT, "docs", "sweeps.md"), "yaml") if "topologies:" in b)
    (tmp_path / "nets").mkdir()
    (tmp_path / "data").mkdir()
    generate.write(generate.graph("mlp", sizes=[3]), tmp_path / "nets" / "my_topology.yaml")
    X, Y = datasets.load("moons", n_samples=20)
    datasets.save_csv(tmp_path / "data" / "points.csv", X, Y, inputs=["x", "y"], targets=["label"])
    exp = sweep.load_experiment(write_experiment(str(tmp_path), text=example))
    assert len(exp.runs()) == 4 * 3 * 3 * 5 == 180                     # as the page says
