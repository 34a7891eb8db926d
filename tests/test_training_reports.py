"""What training reports is true: the figures of the weights kept, divergence and saturation said plainly."""
import re
import warnings

import networkx as nx
import numpy as np
import pytest

import dagnet
from dagnet import datasets

from test_cli import topology, write_csv


def saved_figures(net, X, Y, tmp_path):
    """E and accuracy of ``net`` as saved to a file and loaded back."""
    path = tmp_path / "saved.yaml"
    net.save(path)
    saved = dagnet.load(path)
    return saved.evaluate(X, Y), saved.score(X, Y)


# -- the figures of the weights kept -----------------------------------------------------

def test_fit_reports_the_figures_of_the_weights_it_keeps(topology_path, tmp_path):
    X, Y = datasets.load("nonlinear", seed=0)
    net = dagnet.load(topology_path("tutorial_2_5_1.yaml"), seed=0)
    history = net.fit(X, Y, epochs=30, lr=0.5, batch_size=1, seed=0, verbose=False)
    E, accuracy = saved_figures(net, X, Y, tmp_path)
    final = history.final()
    assert final["loss"] == pytest.approx(E, rel=1e-12, abs=1e-15)
    assert final["accuracy"] == accuracy
    assert history.loss[-1] != pytest.approx(E, rel=1e-3)     # the running curve stays the curve


def test_the_figures_are_those_of_the_best_weights_restored(topology_path, tmp_path):
    X, Y = datasets.load("moons", n_samples=120, noise=0.3, seed=0)
    net = dagnet.load(topology_path("deep_skip.yaml"), seed=0)
    history = net.fit(X, Y, epochs=300, lr=0.05, optimizer="adam", batch_size=8, validation_split=0.25,
                      patience=5, seed=0, verbose=False)
    assert history.stopped_early and history.weights_epoch == history.best_epoch < history.epochs
    train = np.setdiff1d(np.arange(len(X)), history.validation_indices)
    held = history.validation_indices
    final = history.final()
    E, accuracy = saved_figures(net, X[train], Y[train], tmp_path)
    assert final["loss"] == pytest.approx(E, rel=1e-12) and final["accuracy"] == accuracy
    E_val, accuracy_val = saved_figures(net, X[held], Y[held], tmp_path)
    assert final["val_loss"] == pytest.approx(E_val, rel=1e-12) and final["val_accuracy"] == accuracy_val


def linear_chain():
    G = nx.DiGraph([("x", "h"), ("h", "y"), ("x", "y")])
    G.nodes["h"]["activation"] = "linear"
    G.nodes["y"]["activation"] = "linear"
    return dagnet.Network.from_graph(G, inputs=["x"], outputs=["y"], loss="mse", seed=0)


def test_after_a_divergence_the_figures_are_those_of_the_weights_kept(tmp_path):
    X, Y = datasets.load("sine", n_samples=50, seed=0)
    net = linear_chain()
    with warnings.catch_warnings():
        warnings.simplefilter("error")              # no numpy warning on the way to the error
        with pytest.raises(dagnet.TrainingDiverged, match="in epoch 9: the loss became inf; the "
                           "weights are those after epoch 7;") as info:
            net.fit(X * 10, Y, epochs=100, lr=0.002, verbose=False)
    history = info.value.history
    # E after epoch 8 is what epoch 9 measured first (one batch): inf; those after epoch 7 are kept
    assert history.epochs == 8 and history.weights_epoch == 7
    E, _ = saved_figures(net, X * 10, Y, tmp_path)
    assert np.isfinite(E) and history.final()["loss"] == pytest.approx(E, rel=1e-12)


def test_the_loss_picture_states_the_kept_figures():
    pytest.importorskip("matplotlib")
    history = dagnet.History(loss=[3.0, 1.0, 2.0], accuracy=[0.5, 0.9, 0.8], weights_epoch=3,
                             kept={"loss": 1.5, "accuracy": 0.75})
    title = dagnet.plots.loss_curves(history)._suptitle.get_text()
    assert "3 epochs, loss 1.5, accuracy 0.750" in title


# -- the command line ----------------------------------------------------------------------

def printed_figures(out):
    """``{name: text}`` of the figures on the ``trained ...: loss X, accuracy Y`` line."""
    line = next(line for line in out.splitlines() if line.startswith("trained "))
    return dict(re.findall(r"(loss|accuracy|R²) (\S+?)(?:,|$)", line.split(": ", 1)[1]))


def test_train_prints_the_figures_of_the_file_it_saves(run, tmp_path):
    X, Y = datasets.load("moons", n_samples=150, noise=0.3, seed=1)
    data = write_csv(tmp_path / "points.csv", ["x1", "x2", "out"], np.column_stack([X, Y]).tolist())
    code, out, err = run("train", topology("tutorial_2_5_1.yaml"), "--data", data, "--epochs", 20,
                         "--lr", 0.5, "--batch-size", 1, "--seed", 0, "--out", tmp_path / "run",
                         "--no-pictures", "--quiet")
    assert code == 0, err
    saved = dagnet.load(tmp_path / "run" / "trained.yaml")
    printed = printed_figures(out)
    assert printed == {"loss": f"{saved.evaluate(X, Y):.6g}", "accuracy": f"{saved.score(X, Y):.4f}"}


def test_train_says_when_the_perceptrons_saturated(run, tmp_path):
    code, out, err = run("train", topology("tutorial_2_5_1.yaml"), "--data", "nonlinear", "--epochs", 20,
                         "--lr", 1e6, "--seed", 0, "--out", tmp_path, "--no-pictures", "--quiet")
    assert code == 0, err
    notes = [line for line in err.splitlines() if line.startswith("note:")]
    assert len(notes) == 1 and "saturated" in notes[0] and notes[0].endswith("try a smaller --lr")
    code, out, err = run("train", topology("tutorial_2_5_1.yaml"), "--data", "nonlinear", "--epochs", 2,
                         "--lr", 1e-9, "--seed", 0, "--out", tmp_path, "--no-pictures", "--quiet")
    notes = [line for line in err.splitlines() if line.startswith("note:")]
    assert len(notes) == 1 and "saturated" not in notes[0] and "try a larger --lr" in notes[0]


@pytest.mark.parametrize("engine", ["numpy", "reference", "float32"])
def test_a_diverging_run_prints_one_error_line_and_no_warning(run, tmp_path, engine):
    path = tmp_path / "linear.yaml"
    path.write_text("inputs: [x]\noutputs: [y]\nloss: mse\ndefaults: {activation: relu}\n"
                    "nodes: {h: {size: 4}, y: {activation: linear}}\n"
                    "edges: [{from: x, to: h}, {from: h, to: y}]\n")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        code, out, err = run("train", path, "--data", "sine", "--epochs", 50, "--lr", 1, "--seed", 0,
                             "--engine", engine, "--out", tmp_path / "out", "--quiet")
    assert code == 1
    assert [str(w.message) for w in caught] == []
    opening, error = err.splitlines()                  # the opening note, then the error alone
    assert opening.startswith("training ") and error.startswith("dagnet: error: training diverged")
