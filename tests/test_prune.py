"""Pruning: OBD's second derivatives against numerical ones, saliency orderings by hand, networks that really shrink."""
import importlib.util
import os
import re

import networkx as nx
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import spearmanr
from script_support import load_script
from strategies import data_for, dags

import dagnet
from dagnet import datasets
from dagnet.pruning import Snapshot, prune, prune_once, rewind
from dagnet.saliency import fisher_diagonal, hessian_diagonal, saliency


def numerical_diagonal(net, X, Y, h=1e-5):
    """∂²E/∂θ² by central differences of the backpropagated gradient, trainable slots only."""
    start = net.params.copy()
    out = np.zeros(net.plan.n_params)
    for slot in np.flatnonzero(net.plan.mask):
        g = []
        for step in (h, -h):
            p = start.copy()
            p[slot] += step
            net.params = p
            g.append(net.gradients(X, Y)[1].vector[slot])
        out[slot] = (g[0] - g[1]) / (2 * h)
    net.params = start
    return out


@st.composite
def linear_trees(draw):
    """Linear perceptrons each feeding exactly one later node: one path from each to an output."""
    r = np.random.default_rng(draw(st.integers(0, 2**31)))
    n_in, n_hidden, n_out = draw(st.integers(1, 3)), draw(st.integers(0, 8)), draw(st.integers(1, 3))
    inputs = [f"x{k}" for k in range(n_in)]
    hidden = [f"h{k}" for k in range(n_hidden)]
    outputs = [f"y{k}" for k in range(n_out)]
    G = nx.DiGraph()
    G.add_nodes_from(inputs)
    for v in hidden + outputs:
        G.add_node(v, activation="linear", bias=float(r.normal()))
    for k, h in enumerate(hidden):                    # one successor, later in the order
        later = hidden[k + 1:] + outputs
        G.add_edge(h, later[r.integers(len(later))], weight=float(r.normal()))
    for v in hidden + outputs:                        # inputs feed anything, as often as they like
        for x in inputs:
            if r.random() < 0.6:
                G.add_edge(x, v, weight=float(r.normal()))
    for x in inputs:
        if G.out_degree(x) == 0:
            G.add_edge(x, outputs[0], weight=float(r.normal()))
    loss = draw(st.sampled_from(["sse", "mse"]))
    return dagnet.Network.from_graph(G, inputs=inputs, outputs=outputs, loss=loss), r


@settings(max_examples=30, deadline=None)
@given(linear_trees())
def test_obd_diagonal_equals_the_numerical_one_where_gauss_newton_is_exact(case):
    net, r = case
    X, Y = r.normal(size=(6, len(net.inputs))), r.normal(size=(6, len(net.outputs)))
    h, numeric = hessian_diagonal(net, X, Y), numerical_diagonal(net, X, Y)
    np.testing.assert_allclose(h, numeric, rtol=1e-6, atol=1e-7)


@settings(max_examples=20, deadline=None)
@given(dags(activations=["tanh", "sigmoid", "linear"], losses=["cross_entropy", "binary_cross_entropy"],
            max_hidden=6))
def test_obd_diagonal_is_exact_for_weights_into_cross_entropy_outputs(case):
    G, inputs, outputs, loss, seed = case
    net = dagnet.Network.from_graph(G, inputs=inputs, outputs=outputs, loss=loss, seed=seed)
    if any(net.graph.out_degree(o) for o in outputs):
        return                                         # an output feeding another is not "into the loss" alone
    X, Y = data_for(net, seed, n=5)
    h, numeric = hessian_diagonal(net, X, Y), numerical_diagonal(net, X, Y)
    into_outputs = [s for (i, j), s in net.plan.edge_slot.items() if j in outputs and net.plan.mask[s]]
    np.testing.assert_allclose(h[into_outputs], numeric[into_outputs], rtol=1e-5, atol=1e-8)


def test_obd_diagonal_is_close_to_the_numerical_one_on_a_trained_sigmoid_network():
    # Measured (docs/changing-topologies.md): Gauss–Newton drops (ŷ − y)σ''(s), which near
    # sigmoid targets is as large as σ'², so it underestimates, by about half, in the same order.
    X, Y = datasets.load("nonlinear")
    net = dagnet.load("topologies/tutorial_2_5_1.yaml", seed=0)
    net.fit(X, Y, epochs=300, lr=0.05, batch_size=10, optimizer="adam", seed=0, verbose=False)
    assert net.score(X, Y) == 1.0
    h, numeric = hessian_diagonal(net, X, Y), numerical_diagonal(net, X, Y)
    m = net.plan.mask.astype(bool)
    relative = np.abs(h[m] - numeric[m]) / np.abs(numeric[m])
    assert 0.35 < np.median(relative) < 0.45 and relative.max() < 0.45     # measured: 0.41 and 0.44
    assert np.all(h[m] <= numeric[m])
    assert spearmanr(h[m], numeric[m])[0] > 0.99                   # measured: 1.0


def test_saliency_orderings_worked_by_hand():
    # y = 0.5·x1 − 2·x2 + 0.1·x3, linear output, sse, samples with x3 ten times larger.
    net = dagnet.loads("""
inputs: [x1, x2, x3]
outputs: [y]
loss: sse
nodes: {y: {activation: linear, bias: 0.0}}
edges:
  - {from: [x1, x2, x3], to: y, weight: [0.5, -2.0, 0.1]}
""")
    X = np.array([[1.0, 1.0, 10.0], [2.0, -1.0, 20.0]])
    Y = np.array([[0.0], [1.0]])
    magnitude = saliency(net, "magnitude")
    assert sorted(magnitude, key=magnitude.get) == [("x3", "y"), ("x1", "y"), ("x2", "y")]
    # OBD: ∂²E/∂w_i² = 2 Σ x_i², saliency ½ · 2 Σ x_i² · w_i² = Σ x_i² w_i²
    obd = saliency(net, "obd", X, Y)
    assert obd["x1", "y"] == pytest.approx(5 * 0.25)       # (1 + 4) · 0.5²
    assert obd["x2", "y"] == pytest.approx(2 * 4.0)        # (1 + 1) · 2²
    assert obd["x3", "y"] == pytest.approx(500 * 0.01)     # (100 + 400) · 0.1²
    assert sorted(obd, key=obd.get) == [("x1", "y"), ("x3", "y"), ("x2", "y")]
    # Fisher: per-sample gradient δ x_i with δ = 2(ŷ − y): ŷ = (−0.5, 5), δ = (−1, 8)
    fisher = saliency(net, "fisher", X, Y)
    assert fisher["x1", "y"] == pytest.approx(0.5 * 0.25 * (1 + 256))       # (−1·1)² + (8·2)²
    assert fisher["x2", "y"] == pytest.approx(0.5 * 4.0 * (1 + 64))         # (−1·1)² + (8·−1)²
    assert fisher["x3", "y"] == pytest.approx(0.5 * 0.01 * (100 + 25600))   # (−1·10)² + (8·20)²
    assert sorted(fisher, key=fisher.get) == [("x1", "y"), ("x3", "y"), ("x2", "y")]


def test_fisher_diagonal_sums_the_squared_per_sample_gradients():
    X, Y = datasets.load("xor")
    net = dagnet.load("topologies/xor_2_2_1.yaml", seed=2)
    F = fisher_diagonal(net, X, Y)
    per_sample = [net.gradients(X[i:i + 1], Y[i:i + 1])[1].vector for i in range(len(X))]
    # mse averages over the samples: the batch's δ is the one-sample δ over n
    expected = np.sum(np.square(per_sample), axis=0) / len(X) ** 2
    for e, s in net.plan.edge_slot.items():
        assert F[s] == pytest.approx(expected[s], rel=1e-12)


def test_magnitude_pruning_removes_the_smallest_weights_and_really_shrinks_the_plan():
    net = dagnet.load("topologies/tanh_softmax_2_500_2.yaml", seed=0)
    small = net.copy()
    chosen = prune_once(small, 1800, keep_inputs=False)
    survivors = [abs(small.weight(*e)) for e in small.graph.edges]
    assert max(abs(net.weight(*e)) for e in chosen) <= min(survivors)
    assert len(small.plan.edge_slot) <= 200
    assert small.plan.n_nodes < net.plan.n_nodes and small.plan.n_params < net.plan.n_params
    assert prune(net, 0.9, keep_inputs=False).plan.edge_slot == small.plan.edge_slot
    assert len(net.plan.edge_slot) == 2000                      # prune works on a copy


@settings(max_examples=30, deadline=None)
@given(dags(max_hidden=8), st.floats(0.0, 0.95), st.sampled_from(["global", "node"]),
       st.sampled_from(["magnitude", "fisher"]), st.booleans())
def test_a_pruned_network_computes_what_the_original_does_with_the_chosen_weights_zeroed(case, amount, scope,
                                                                                      method, keep_inputs):
    G, inputs, outputs, loss, seed = case
    net = dagnet.Network.from_graph(G, inputs=inputs, outputs=outputs, loss=loss, seed=seed)
    X, Y = data_for(net, seed, n=5)
    small = net.copy()
    count = round(amount * len(net.graph.edges))
    chosen = prune_once(small, count, method, X, Y, scope, keep_inputs=keep_inputs)
    masked = net.copy()
    for e in chosen:
        masked.set_weight(*e, 0.0)
    # perceptrons that no longer reach an output are gone; those no input reaches are folded into biases
    np.testing.assert_allclose(small.predict(X), masked.predict(X), rtol=1e-10, atol=1e-12)
    assert not any(small.graph.has_edge(*e) and small.graph.edges[e].get("trainable", True) for e in chosen)
    kept = {e for e in small.graph.edges if small.graph.edges[e].get("trainable", True)}
    if scope == "global" and not keep_inputs:   # every weight may go (a cut input keeps a fixed zero)
        assert len(net.graph.edges) - len(kept) >= count


def test_prune_leaves_no_perceptron_without_a_path_from_an_input_or_to_an_output():
    X, Y = datasets.load("moons", n_samples=60, seed=0)
    net = dagnet.load("topologies/tanh_softmax_2_500_2.yaml", seed=0)
    net.fit(X, Y, epochs=5, optimizer="adam", lr=0.05, verbose=False, seed=0)
    for method in ("magnitude", "obd", "fisher"):
        small = prune(net, 0.9, method, X, Y)
        G = small.graph
        reached = set(small.inputs).union(*(nx.descendants(G, x) for x in small.inputs))
        reaching = set(small.outputs).union(*(nx.ancestors(G, o) for o in small.outputs))
        assert set(G) == reached | set(small.outputs) and set(G) == reaching | set(small.inputs)


def uses_inputs(net):
    """For each input: does a path of trainable edges lead from it to an output?"""
    G = net.graph
    trainable = nx.DiGraph([e for e in G.edges if G.edges[e].get("trainable", True)])
    return [x in trainable and any(o in trainable and nx.has_path(trainable, x, o) for o in net.outputs)
            for x in net.inputs]


def test_every_input_keeps_its_most_salient_path_unless_told_otherwise():
    net = dagnet.load("topologies/xor_skip.yaml")
    assert uses_inputs(prune(net, amount=4, keep_inputs=False)) == [False, True]     # a is cut off
    assert uses_inputs(prune(net, amount=4)) == [True, True]
    net = dagnet.load("topologies/tanh_softmax_2_500_2.yaml", seed=0)
    kept = prune(net, 0.98)
    assert uses_inputs(kept) == [True, True]
    for x in net.inputs:                           # the path starts with the input's largest weight
        largest = max(net.graph.successors(x), key=lambda h: abs(net.weight(x, h)))
        assert kept.graph.has_edge(x, largest)


def test_node_scope_removes_the_same_fraction_of_each_perceptrons_in_weights_but_keeps_one():
    net = dagnet.load("topologies/mlp_one_hidden_ce.yaml", seed=0)       # 2 -> 8 -> 2
    small = prune(net, amount=0.75, scope="node")
    G = small.graph
    trainable_in = {n: sum(1 for e in G.in_edges(n) if G.edges[e].get("trainable", True)) for n in G}
    for node in net.outputs:
        assert trainable_in[node] == 2                  # 8 in-weights, 6 removed
    for node in G:                                      # 2 in-weights, round(1.5) = 2, but one stays
        if G.nodes[node]["role"] == "hidden":
            assert trainable_in[node] == 1


def test_pruning_in_rounds_with_retraining_and_rewinding_to_the_initial_weights():
    X, Y = datasets.load("moons", n_samples=100, seed=0)
    net = dagnet.load("topologies/mlp_one_hidden_ce.yaml", seed=0)
    initial = net.copy()
    net.fit(X, Y, epochs=30, optimizer="adam", lr=0.05, verbose=False, seed=0)
    ticket = prune(net, amount=0.6, method="obd", X=X, Y=Y, rewind_to=initial, rounds=2)
    for e in ticket.graph.edges:
        assert ticket.weight(*e) == initial.weight(*e)               # exactly the initial value
    for n in ticket.plan.bias_slot:
        assert ticket.bias(n) == initial.bias(n)
    trained = prune(net, amount=0.6, method="fisher", X=X, Y=Y, rewind_to=initial, rounds=2,
                    retrain={"epochs": 30, "optimizer": "adam", "lr": 0.05, "seed": 0})
    assert trained.score(X, Y) > 0.8
    assert any(trained.weight(*e) != initial.weight(*e) for e in trained.graph.edges)


def test_late_rewinding_restores_the_early_iterate_a_snapshot_kept_exactly():
    X, Y = datasets.load("moons", n_samples=100, seed=0)
    net = dagnet.load("topologies/mlp_one_hidden_ce.yaml", seed=0)
    early_alone = net.copy()
    fit_args = {"batch_size": 20, "optimizer": "adam", "lr": 0.05, "seed": 0, "verbose": False}
    early = Snapshot(step=15)                                       # 5 updates an epoch: after epoch 3
    net.fit(X, Y, epochs=12, callback=early, **fit_args)
    early_alone.fit(X, Y, epochs=3, **fit_args)                     # the same 15 updates on their own
    assert np.array_equal(early.net.params, early_alone.params)     # the iterate after exactly 15 updates
    assert not np.array_equal(early.net.params, net.params)
    ticket = prune(net, amount=0.5, X=X, Y=Y, rewind_to=early.net, rounds=2)
    assert len(ticket.graph.edges) < len(net.graph.edges)
    for e in ticket.graph.edges:
        assert ticket.weight(*e) == early_alone.weight(*e) != net.weight(*e)
    for n in ticket.plan.bias_slot:
        assert ticket.bias(n) == early_alone.bias(n)
    with pytest.raises(ValueError, match="step must be a whole number"):
        Snapshot(step=0)


def test_rewind_sets_shared_parameters_by_name_and_counts_them():
    net = dagnet.load("topologies/xor_skip.yaml")
    other = net.copy()
    other.params = other.params + 1.0
    small = prune(net, amount=2)
    assert rewind(small, other) == len(small.graph.edges) + len(small.plan.bias_slot)
    assert all(small.weight(*e) == other.weight(*e) for e in small.graph.edges)


def test_a_pruned_network_saves_and_loads_as_an_ordinary_topology(tmp_path):
    net = dagnet.load("topologies/xor_skip.yaml")
    small = prune(net, amount=4, keep_inputs=False)  # cuts a off: it keeps a fixed zero weight
    path = tmp_path / "small.yaml"
    small.save(path)
    loaded = dagnet.load(path)
    X = datasets.load("xor")[0]
    assert np.array_equal(loaded.predict(X), small.predict(X))
    assert len(loaded.plan.edge_slot) == len(small.plan.edge_slot) < len(net.plan.edge_slot)


@pytest.mark.parametrize("kwargs, message", [
    ({"method": "obdd"}, "unknown method 'obdd' \\(did you mean 'obd'\\?\\)"),
    ({"method": "obd"}, "obd needs the samples X and Y"),
    ({"amount": 1.0}, "fraction in \\[0, 1\\)"),
    ({"amount": 6}, "more weights than the 5"),
    ({"scope": "layer"}, "unknown scope 'layer'"),
    ({"rounds": 0}, "rounds must be a whole number >= 1"),
    ({"retrain": {"epochs": 3}}, "retraining needs the samples X and Y"),
])
def test_bad_pruning_arguments_raise_one_clear_error(kwargs, message):
    net = dagnet.load("topologies/xor_skip.yaml")
    with pytest.raises(ValueError, match=message):
        prune(net, **kwargs)


@pytest.mark.slow
def test_pruning_pictures_are_written(tmp_path):
    pytest.importorskip("matplotlib")
    from dagnet import growth_plots

    net = dagnet.load("topologies/mlp_one_hidden_ce.yaml", seed=0)
    small = prune(net, 0.75)
    growth_plots.pruned_network(net, small, tmp_path / "pruned.png")
    rows = [{"network": "mlp", "method": m, "kept": k, "accuracy": a}
            for m in ("magnitude", "obd") for k, a in ((0.1, 0.8), (0.05, 0.7))]
    growth_plots.accuracy_vs_kept(rows + [{"network": "mlp", "method": "unpruned", "kept": 1.0, "accuracy": 0.9}],
                                  tmp_path / "kept.svg")
    assert (tmp_path / "pruned.png").stat().st_size > 0
    assert "<svg" in (tmp_path / "kept.svg").read_text()


def test_the_prune_command_writes_a_smaller_topology_that_loads(run, tmp_path, topology_path):
    out = tmp_path / "pruned.yaml"
    code, stdout, stderr = run("prune", topology_path("mlp_one_hidden_ce.yaml"), "--amount", "0.5",
                               "--method", "fisher", "--data", "moons", "--n-samples", "60",
                               "--retrain-epochs", "5", "--out", out)
    assert code == 0, stderr
    assert "32 -> " in stdout and "% kept" in stdout and "after retraining" in stdout
    small = dagnet.load(out)
    assert len(small.plan.edge_slot) <= 16


@pytest.mark.parametrize("argv, code, message", [
    (["--method", "obd"], 2, "--method obd needs --data"),
    (["--retrain-epochs", "3"], 2, "--retrain-epochs needs --data"),
    (["--amount", "1.5"], 2, "a fraction in \\[0, 1\\)"),
    (["--amount", "500"], 1, "more weights than the 32 trainable ones"),
    (["--method", "odb"], 2, "did you mean 'obd'"),
])
def test_the_prune_command_reports_bad_arguments_in_one_line(run, tmp_path, topology_path, argv, code, message):
    result, stdout, stderr = run("prune", topology_path("mlp_one_hidden_ce.yaml"), "--out", tmp_path / "p.yaml",
                                 *argv)
    assert result == code
    assert len(stderr.strip().splitlines()) == 1 and re.search(message, stderr)


@pytest.mark.slow
def test_the_prune_and_grow_example_runs_quick_and_shows_what_it_says(tmp_path):
    example = load_script(os.path.join("examples", "prune_and_grow.py"), "example_prune_and_grow")
    results = example.main([str(tmp_path), "--quick"])
    assert "--quick" in example.__doc__
    table = {(t["network"], t["method"], t["kept"]): t for t in results["summary"]}
    unpruned = table["2-500-2 on moons", "unpruned", 1.0]
    for method in ("magnitude", "obd", "fisher"):
        ten = table["2-500-2 on moons", method, 0.1]
        assert ten["weights"] <= 200 and ten["accuracy"] >= unpruned["accuracy"] - 0.03
    assert all(g["solved"] and 10 <= g["hidden"] <= 20 for g in results["cascade"])
    small = dagnet.load(tmp_path / "2_500_2_obd_10.yaml")
    assert len(small.plan.edge_slot) <= 200 and small.plan.n_nodes < 504
    for name in ("pruning.csv", "cascade.csv", "accuracy_vs_kept.png", "pruned_2_500_2.png",
                 "cascade_growth.png", "cascade.gif"):
        if name.endswith((".png", ".gif")) and importlib.util.find_spec("matplotlib") is None:
            continue
        assert (tmp_path / name).stat().st_size > 0
