"""Cascade-correlation: quickprop, the candidates' score and its gradient, frozen units, two spirals solved."""
import os
import subprocess
import sys

import numpy as np
import pytest

import dagnet
from dagnet import datasets, growth_plots
from dagnet.cascade import Phase, grow, score_candidates
from dagnet.quickprop import Quickprop
from dagnet.plots import MissingMatplotlib

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
XOR = np.array([[0, 0], [0, 1], [1, 0], [1, 1]]), np.array([0, 1, 1, 0])


def test_two_spirals_are_lang_and_witbrocks_194_points():
    X, Y = datasets.load("two_spirals")
    assert X.shape == (194, 2) and Y.ravel().tolist() == [0.0, 1.0] * 97
    ones, zeros = X[Y.ravel() == 1], X[Y.ravel() == 0]
    np.testing.assert_array_equal(zeros, -ones)                     # each spiral the other turned by π
    i = np.arange(96, -1, -1)                                        # inner points first, as the benchmark lists them
    radius = 6.5 * (104 - i) / 104
    np.testing.assert_allclose(np.hypot(*ones.T), radius, rtol=1e-14)
    np.testing.assert_allclose(ones, np.c_[radius * np.sin(i * np.pi / 16), radius * np.cos(i * np.pi / 16)],
                               atol=1e-14)
    assert ones[-1].tolist() == [0.0, 6.5]                           # point 0: angle 0, radius 6.5


def test_quickprop_jumps_to_the_minimum_of_the_parabola_through_two_slopes():
    q, w = Quickprop(lr=0.75, mu=10.0), np.array([3.0, -2.0])
    slope = lambda w: np.array([2.0, 6.0]) * (w - np.array([1.0, 0.5]))   # E = (w₀ − 1)² + 3(w₁ − 0.5)²
    q.step(w, slope(w))                                                 # a plain gradient step overshoots
    np.testing.assert_allclose(w, [3.0 - 0.75 * 4.0, -2.0 + 0.75 * 15.0])
    q.step(w, slope(w))                                                 # the secant is exact on a parabola
    np.testing.assert_allclose(w, [1.0, 0.5])


def test_quickprop_grows_a_step_at_most_mu_times():
    q, w = Quickprop(lr=1.0, mu=1.75), np.array([0.0])
    q.step(w, np.array([-1.0]))                 # step +1
    q.step(w, np.array([-1.0]))                 # the slope did not shrink: the largest step, 1.75
    assert w[0] == pytest.approx(1.0 + 1.75 + 1.0)   # plus the linear term, the slope still pointing on


def test_the_candidates_score_gradient_matches_central_differences(rng):
    V = np.c_[rng.normal(size=(20, 3)), np.ones(20)]
    W = rng.normal(size=(4, 3))
    E = rng.normal(size=(20, 2))
    kinds = ["tanh", "sigmoid", "gaussian"]
    scores, correlation, values, gradient = score_candidates(V, W, kinds, E, scale=2.5)
    centred = E - E.mean(axis=0)
    np.testing.assert_allclose(correlation, (values - values.mean(axis=0)).T @ centred / 2.5, rtol=1e-12)
    h = 1e-6
    for i in range(4):
        for u in range(3):
            up, down = W.copy(), W.copy()
            up[i, u] += h
            down[i, u] -= h
            numeric = (score_candidates(V, up, kinds, E, 2.5)[0][u] - score_candidates(V, down, kinds, E, 2.5)[0][u]) / (2 * h)
            assert gradient[i, u] == pytest.approx(numeric, rel=1e-6, abs=1e-9)


def test_grow_solves_xor_with_a_frozen_unit_fed_by_every_input():
    X, Y = XOR
    net, history = grow(X, Y, seed=0)
    assert history.solved and np.all(np.abs(net.predict(X).ravel() - Y) < 0.4)
    G = net.graph
    for k, unit in enumerate(history.units):
        assert sorted(G.predecessors(unit.name)) == sorted(net.inputs + [f"h.{j}" for j in range(k)])
        assert all(G.edges[e]["trainable"] is False for e in G.in_edges(unit.name))
        assert G.nodes[unit.name]["trainable"] is False
    assert sorted(G.predecessors("y")) == sorted(net.inputs + [u.name for u in history.units])


def test_installed_units_keep_their_weights_while_the_cascade_grows():
    X, Y = datasets.load("two_spirals")
    snapshots = []
    net, history = grow(X, Y, seed=1, max_units=4,
                        callback=lambda net, h: snapshots.append({e: net.weight(*e) for e in net.graph.edges
                                                                  if e[1] != "y"}))
    assert history.hidden_units == 4 and len(snapshots) == 5
    for snapshot in snapshots:
        for e, w in snapshot.items():
            assert net.weight(*e) == w


def test_each_stage_can_be_rebuilt_and_counts_its_wrong_samples():
    X, Y = datasets.load("moons", n_samples=100, noise=0.3, seed=0)     # overlapping: never solved
    net, history = grow(X, Y, seed=2, max_units=4)
    assert len(history.stages) >= 3
    for k, stage in enumerate(history.stages):
        earlier = history.network(net, k)
        assert len(earlier.graph) == 3 + stage.hidden
        wrong = int(np.sum(np.abs(earlier.predict(X) - Y) >= 0.4))
        assert wrong == stage.wrong
        assert earlier.evaluate(X, Y) == pytest.approx(stage.loss, rel=1e-12)


def test_a_grown_network_saves_and_loads_with_its_units_frozen(tmp_path):
    X, Y = XOR
    net, history = grow(X, Y, seed=3)
    net.save(tmp_path / "grown.yaml")
    loaded = dagnet.load(tmp_path / "grown.yaml")
    assert np.array_equal(loaded.predict(X), net.predict(X))
    assert np.array_equal(loaded.plan.mask, net.plan.mask)
    history.to_csv(tmp_path / "cascade.csv")
    assert (tmp_path / "cascade.csv").read_text().startswith("hidden,output_epochs,loss,wrong")


def test_grow_also_trains_with_a_dagnet_optimiser_and_mixed_candidate_activations():
    X, Y = XOR
    net, history = grow(X, Y, seed=0, optimizer="adam", activations=["sigmoid", "gaussian"],
                        output=Phase(300, 20, 0.01, 0.1), candidates=Phase(300, 20, 0.01, 0.1))
    assert history.solved
    assert {net.plan.activation[u.name] for u in history.units} <= {"sigmoid", "gaussian"}


@pytest.mark.slow
def test_cascade_correlation_solves_the_two_spirals_every_time_with_about_12_to_19_units():
    # Fahlman & Lebiere (1990) report every run solved with 12-19 hidden units. Measured here
    # (examples/prune_and_grow.py, docs/changing-topologies.md): seeds 0-9, 11-16 units (mean 14.0).
    X, Y = datasets.load("two_spirals")
    units = []
    for seed in range(10):
        net, history = grow(X, Y, seed=seed)
        assert history.solved and np.all(np.abs(net.predict(X) - Y) < 0.4)
        units.append(history.hidden_units)
    assert 10 <= min(units) and max(units) <= 20 and 12 <= np.mean(units) <= 16


def test_a_seed_grows_the_same_network_whichever_kernels_blas_picks():
    # OpenBLAS picks its matrix kernels by CPU, and they sum in different orders; on the two
    # spirals the cascade amplified that into 12 hidden perceptrons on an AVX2 machine and 17 on
    # an AVX-512 one from the same seed. Force the oldest kernels in one process, not in the other.
    try:
        blas = np.show_config(mode="dicts")["Build Dependencies"]["blas"].get("name", "")
    except TypeError:       # numpy < 1.26 cannot say; its wheels ship OpenBLAS
        blas = "openblas"
    if "openblas" not in blas:
        pytest.skip(f"numpy's BLAS is {blas}, not OpenBLAS: its kernels cannot be chosen")
    child = ("import hashlib, dagnet\n"
             "from dagnet import datasets\n"
             "net, history = dagnet.grow(*datasets.load('two_spirals'), seed=0, max_units=3)\n"
             "print(hashlib.sha256(net.params.tobytes()).hexdigest(), history.epochs)\n")
    runs = []
    for kernels in ("Nehalem", None):
        env = {k: v for k, v in os.environ.items() if k != "OPENBLAS_CORETYPE"}
        if kernels:
            env["OPENBLAS_CORETYPE"] = kernels
        runs.append(subprocess.run([sys.executable, "-W", "ignore", "-c", child], env=env, cwd=ROOT,
                                   capture_output=True, text=True, check=True).stdout)
    assert runs[0] == runs[1]


@pytest.mark.parametrize("kwargs, message", [
    ({"pool": 0}, "pool must be a whole number >= 1"),
    ({"activations": ["tahn"]}, "unknown candidate activation 'tahn' \\(did you mean 'tanh'\\?\\)"),
    ({"optimizer": "quickpro"}, "did you mean 'quickprop'"),
    ({"threshold": 0}, "threshold must be > 0"),
    ({"max_units": -1}, "max_units must be a whole number >= 0"),
])
def test_bad_cascade_options_raise_one_clear_error(kwargs, message):
    with pytest.raises(ValueError, match=message):
        grow(*XOR, **kwargs)


@pytest.mark.slow
def test_cascade_pictures_are_written(tmp_path):
    pytest.importorskip("matplotlib")
    X, Y = XOR
    net, history = grow(X, Y, seed=0)
    growth_plots.cascade_growth(net, history, X, Y, tmp_path / "growth.png")
    growth_plots.animate_cascade(net, history, X, Y, tmp_path / "growth.gif")
    assert (tmp_path / "growth.png").stat().st_size > 0 and (tmp_path / "growth.gif").stat().st_size > 0
    assert (tmp_path / "growth.gif").read_bytes()[:3] == b"GIF"


def test_pictures_without_matplotlib_say_how_to_install_it(monkeypatch):
    X, Y = XOR
    net, history = grow(X, Y, seed=0)
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    with pytest.raises(MissingMatplotlib, match='pip install "dagnet\\[plot\\]"'):
        growth_plots.cascade_growth(net, history, X, Y)


def test_the_grow_command_writes_a_topology_and_its_history(run, tmp_path):
    out, history = tmp_path / "xor.yaml", tmp_path / "units.csv"
    code, stdout, stderr = run("grow", "--data", "xor", "--seed", "0", "--out", out, "--history", history)
    assert code == 0, stderr
    assert stdout.startswith("solved: 1 hidden perceptrons")
    net = dagnet.load(out)
    X, Y = datasets.load("xor")
    assert np.all(np.abs(net.predict(X) - Y) < 0.4)
    assert history.read_text().count("\n") == 3                   # a header and two stages


def test_the_grow_command_needs_the_columns_of_a_csv_file(run, tmp_path):
    path = tmp_path / "points.csv"
    datasets.save_csv(path, *datasets.load("xor"))
    code, _, stderr = run("grow", "--data", path, "--out", tmp_path / "g.yaml")
    assert code == 2 and "needs --inputs or --targets" in stderr
    code, stdout, stderr = run("grow", "--data", path, "--inputs", "x0,x1", "--targets", "y",
                               "--out", tmp_path / "g.yaml")
    assert code == 0, stderr
    assert dagnet.load(tmp_path / "g.yaml").inputs == ["x0", "x1"]


@pytest.mark.parametrize("columns", [["--inputs", "x,y", "--targets", "label"], ["--inputs", "x,y"],
                                     ["--targets", "label"]])
def test_the_grow_command_names_its_outputs_after_the_target_columns(run, tmp_path, columns):
    # An input column called y once clashed with the default output name y.
    path = tmp_path / "points.csv"
    X, Y = datasets.load("xor")
    datasets.save_csv(path, X, Y, inputs=["x", "y"], targets=["label"])
    code, _, stderr = run("grow", "--data", path, *columns, "--seed", "0", "--out", tmp_path / "g.yaml")
    assert code == 0, stderr
    net = dagnet.load(tmp_path / "g.yaml")
    assert (net.inputs, net.outputs) == (["x", "y"], ["label"])


def test_the_grow_command_refuses_a_column_that_is_input_and_target(run, tmp_path):
    path = tmp_path / "points.csv"
    datasets.save_csv(path, *datasets.load("xor"), inputs=["x", "y"], targets=["label"])
    code, _, stderr = run("grow", "--data", path, "--inputs", "x,y", "--targets", "y", "--out", tmp_path / "g.yaml")
    assert code == 1 and "points.csv" in stderr and "'y'" in stderr and stderr.count("\n") == 1
    code, _, stderr = run("grow", "--data", path, "--inputs", "x,y,label", "--out", tmp_path / "g.yaml")
    assert code == 1 and "no columns left for the targets" in stderr
