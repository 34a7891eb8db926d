"""Sparse training from the command line, sweeps and the estimators."""
import json
import os

import numpy as np
import pytest

import dagnet
from dagnet import datasets
from dagnet.sweep.worker import Recipe, Task, train

TOPOLOGY = os.path.join(os.path.dirname(__file__), "..", "topologies", "mlp_one_hidden_ce.yaml")


def test_train_with_rigl_writes_the_sparse_report(run, tmp_path):
    code, out, err = run("train", TOPOLOGY, "--data", "moons", "--epochs", "6", "--batch-size", "20",
                         "--optimizer", "adam", "--density", "0.6", "--sparse", "rigl", "--update-every", "5",
                         "--candidates", "layers", "--out", tmp_path, "--no-pictures", "-q")
    assert code == 0, err
    report = json.loads((tmp_path / "sparse.json").read_text())
    assert report["method"] == "RigL" and report["candidates"] == "layers" and report["updates"] >= 1
    assert report["grown"] == report["dropped"] and set(report["grown_by_jump"]) <= {"1"}
    assert "sparse start:" in err
    assert len(dagnet.load(tmp_path / "trained.yaml").plan.edges) == report["weights"]


def test_sparse_options_without_a_method_are_a_usage_error(run, tmp_path):
    code, _, err = run("train", TOPOLOGY, "--data", "moons", "--update-every", "5", "--out", tmp_path)
    assert code == 2 and "--update-every needs --sparse set or rigl" in err and err.count("\n") == 1


def test_a_sweep_grid_takes_the_sparse_method_of_each_run():
    X, Y = datasets.load("blobs", n_samples=60, seed=0)
    recipe = Recipe({"generate": "mlp", "sizes": [8, 8], "density": 0.5}, "experiment", 2, 3)
    Y = np.eye(3)[Y.ravel().astype(int)]
    grid = {"epochs": 3, "batch_size": 10, "optimizer": "adam", "sparse": {"method": "set", "every": 4}}
    _, measures = train(Task("id", recipe, X, Y, grid, 0))
    assert measures["status"] == "ok" and measures["epochs_run"] == 3


def test_the_classifier_takes_a_sparse_method_and_keeps_its_log():
    pytest.importorskip("sklearn")
    from dagnet.sklearn import DAGNetClassifier
    X, Y = datasets.load("blobs", n_samples=100, seed=0)
    clf = DAGNetClassifier({"generate": "mlp", "sizes": [12, 12], "density": 0.4}, epochs=5, batch_size=10,
                           sparse={"method": "rigl", "every": 5}, random_state=0).fit(X, Y.ravel())
    assert clf.sparse_.log and len(clf.network_.plan.edges) == clf.sparse_.target
