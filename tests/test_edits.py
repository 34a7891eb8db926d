"""Structural edits keep every other weight, agree with networks built from scratch, and carry optimiser state."""
import networkx as nx
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import data_for, dags

import dagnet
from dagnet import datasets, edits
from dagnet.errors import TopologyError
from dagnet.optimizers import Adam, Momentum


def rebuilt(net, engine):
    """The same network built from scratch from a plain snapshot of its graph."""
    return dagnet.Network.from_graph(nx.DiGraph(net.graph), inputs=net.inputs, outputs=net.outputs,
                                     loss=net.loss, engine=engine)


def random_edit(net, r):
    """Apply one random valid edit to ``net``; return its name (skipped edits return None)."""
    plan, G = net.plan, net.graph
    order = list(plan.nodes)
    hidden = [n for n in order if G.nodes[n]["role"] == "hidden"]
    softmax = {o for o in net.outputs if plan.activation[o] == "softmax"}
    kind = ["add_edge", "remove_edge", "add_node", "remove_node", "freeze", "unfreeze"][r.integers(6)]
    try:
        if kind == "add_edge":       # earlier -> later in topological order: never a cycle
            pairs = [(u, v) for a, u in enumerate(order) for v in order[a + 1:]
                     if v not in net.inputs and u not in softmax and not G.has_edge(u, v)]
            if not pairs:
                return None
            u, v = pairs[r.integers(len(pairs))]
            edits.add_edge(net, u, v, weight=float(r.normal()))
        elif kind == "remove_edge":
            e = list(G.edges)[r.integers(G.number_of_edges())]
            edits.remove_edge(net, *e)
        elif kind == "add_node":
            k = int(r.integers(net.plan.n_inputs, len(order) + 1)) if len(order) > net.plan.n_inputs else len(order)
            sources = [u for u in order[:k] if u not in softmax and r.random() < 0.6] or [net.inputs[0]]
            later = [v for v in order[k:] if v not in net.inputs]
            targets = [v for v in later if r.random() < 0.6] or [net.outputs[-1]]
            edits.add_node(net, ("new", int(r.integers(10**9))), sources, targets,
                           activation=["tanh", "sigmoid", "linear"][r.integers(3)],
                           bias=None if r.random() < 0.2 else float(r.normal()),
                           out_weights=r.normal(size=len(targets)).tolist(), seed=int(r.integers(100)))
        elif kind == "remove_node":
            if not hidden:
                return None
            edits.remove_node(net, hidden[r.integers(len(hidden))])
        else:
            edges = [e for e in G.edges if r.random() < 0.3]
            biased = [n for n in plan.bias_slot if r.random() < 0.3]
            if not edges and not biased:
                return None
            (edits.freeze if kind == "freeze" else edits.unfreeze)(net, edges=edges, biases=biased)
    except TopologyError:          # e.g. a removal that would cut an input off: refused, nothing changed
        return None
    return kind


@settings(max_examples=40, deadline=None)
@given(dags(), st.integers(0, 2**31), st.integers(1, 6), st.sampled_from(["compiled", "reference"]))
def test_gradients_after_random_edits_equal_a_network_built_from_scratch(case, edit_seed, n_edits, engine):
    G, inputs, outputs, loss, seed = case
    net = dagnet.Network.from_graph(G, inputs=inputs, outputs=outputs, loss=loss, seed=seed, engine=engine)
    r = np.random.default_rng(edit_seed)
    for _ in range(n_edits):
        random_edit(net, r)
        net.params = net.params + net.plan.mask * r.normal(0.0, 0.1, net.plan.n_params)  # as training would
    fresh = rebuilt(net, engine)
    X, Y = data_for(net, seed, n=4)
    E, grads = net.gradients(X, Y)
    E_fresh, grads_fresh = fresh.gradients(X, Y)
    assert E == pytest.approx(E_fresh, rel=1e-12, abs=1e-12)
    assert set(grads.weight) == set(grads_fresh.weight)
    for e in grads.weight:
        assert grads.weight[e] == pytest.approx(grads_fresh.weight[e], rel=1e-12, abs=1e-12)
    for n in grads.bias:
        assert grads.bias[n] == pytest.approx(grads_fresh.bias[n], rel=1e-12, abs=1e-12)
    assert np.array_equal(net.plan.mask, fresh.plan.mask)


@settings(max_examples=25, deadline=None)
@given(dags(name_kind="str"), st.integers(0, 2**31))
def test_an_edit_keeps_every_other_weight_and_bias(case, edit_seed):
    G, inputs, outputs, loss, seed = case
    net = dagnet.Network.from_graph(G, inputs=inputs, outputs=outputs, loss=loss, seed=seed)
    weights = {e: net.weight(*e) for e in net.graph.edges}
    biases = {n: net.bias(n) for n in net.plan.bias_slot}
    random_edit(net, np.random.default_rng(edit_seed))
    for e in net.graph.edges:
        if e in weights:
            assert net.weight(*e) == weights[e]
    for n in net.plan.bias_slot:
        if n in biases:
            assert net.bias(n) == biases[n]


def test_slot_map_carries_values_by_name():
    net = dagnet.load("topologies/xor_skip.yaml")
    old = net.params.copy()
    old_slot = dict(net.plan.edge_slot)
    slots = edits.remove_edge(net, "a", "y")
    carried = slots.carry(old)
    for e, s in net.plan.edge_slot.items():
        assert carried[s] == old[old_slot[e]]
    assert np.array_equal(carried, net.params)


def test_adam_moments_of_surviving_parameters_survive_and_new_ones_start_at_zero():
    X, Y = datasets.load("xor")
    net = dagnet.load("topologies/xor_2_2_1.yaml", seed=0)
    adam = Adam(lr=0.05)
    net.fit(X, Y, epochs=5, optimizer=adam, verbose=False, seed=0)
    m_before = {e: adam.state["m"][s] for e, s in net.plan.edge_slot.items()}
    v_before = {e: adam.state["v"][s] for e, s in net.plan.edge_slot.items()}
    edits.add_edge(net, "a", "y", weight=0.1, optimizer=adam)
    edits.remove_edge(net, "b", "h.0", optimizer=adam)
    for e, s in net.plan.edge_slot.items():
        if e == ("a", "y"):
            assert adam.state["m"][s] == 0.0 and adam.state["v"][s] == 0.0
        else:
            assert adam.state["m"][s] == m_before[e] != 0.0
            assert adam.state["v"][s] == v_before[e]
    assert adam.state["m"].shape == net.params.shape
    net.fit(X, Y, epochs=3, optimizer=adam, verbose=False, seed=0)   # the carried state is usable


def test_freezing_zeroes_the_momentum_so_a_frozen_weight_stays_put():
    X, Y = datasets.load("xor")
    net = dagnet.load("topologies/xor_2_2_1.yaml", seed=0)
    opt = Momentum(lr=0.5)
    net.fit(X, Y, epochs=5, optimizer=opt, verbose=False, seed=0)
    edits.freeze(net, nodes=["h.0"], optimizer=opt)
    frozen = [net.plan.edge_slot["a", "h.0"], net.plan.edge_slot["b", "h.0"], net.plan.bias_slot["h.0"]]
    before = net.params[frozen].copy()
    net.fit(X, Y, epochs=5, optimizer=opt, verbose=False, seed=0)
    assert np.array_equal(net.params[frozen], before)
    assert net.graph.edges["a", "h.0"]["trainable"] is False
    edits.unfreeze(net, nodes=["h.0"], optimizer=opt)
    net.fit(X, Y, epochs=5, optimizer=opt, verbose=False, seed=0)
    assert not np.array_equal(net.params[frozen], before)


def test_an_edited_network_rebuilt_from_its_file_trains_bit_identically(tmp_path):
    X, Y = datasets.load("moons", n_samples=60, seed=1)
    net = dagnet.load("topologies/xor_2_2_1.yaml", seed=3)
    net.fit(X, Y, epochs=5, optimizer="adam", lr=0.05, verbose=False, seed=0)
    edits.add_node(net, "n", ["a", "h.0"], ["y"], activation="tanh", bias=0.25, seed=1)
    edits.add_edge(net, "b", "y", weight=-0.5)
    edits.remove_edge(net, "a", "h.1")
    edits.freeze(net, edges=[("h.0", "y")])
    path = tmp_path / "edited.yaml"
    net.save(path)
    loaded = dagnet.load(path)
    assert loaded.plan.edge_slot == net.plan.edge_slot
    assert np.array_equal(loaded.params, net.params)
    for model in (net, loaded):
        model.fit(X, Y, epochs=20, optimizer="adam", lr=0.05, batch_size=16, verbose=False, seed=7)
    assert np.array_equal(loaded.params, net.params)


def test_fit_restores_the_best_weights_of_a_network_a_callback_restructured():
    X, Y = datasets.load("moons", n_samples=80, seed=0)
    net = dagnet.load("topologies/xor_2_2_1.yaml", seed=0)
    adam = Adam(lr=0.05)
    best = {}

    def callback(epoch, history):
        if epoch == 1:
            edits.add_node(net, "n", ["a", "b"], ["y"], activation="tanh", seed=0, optimizer=adam)
        if epoch == 6:
            best["params"] = net.params.copy()
            net.params = np.zeros_like(net.params)   # worse from here on: patience stops, best comes back
    history = net.fit(X, Y, epochs=30, optimizer=adam, patience=2, verbose=False, seed=0,
                      shuffle=False, callback=callback, exact_loss=True)
    assert history.stopped_early and history.best_epoch == 6
    assert np.array_equal(net.params, best["params"])


def test_fit_starts_the_patience_count_afresh_after_a_callback_restructured_the_network():
    X, Y = datasets.load("moons", n_samples=80, seed=0)
    net = dagnet.load("topologies/xor_2_2_1.yaml", seed=0)

    adam = Adam(lr=0.05)

    def worse_bigger_and_stuck(epoch, history):
        if epoch == 8:
            edits.add_node(net, "n", ["a", "b"], ["y"], seed=0, optimizer=adam)
            net.params = np.zeros_like(net.params)
            adam.lr = 1e-12
    history = net.fit(X, Y, epochs=30, optimizer=adam, patience=2, min_delta=1e-9, verbose=False,
                      seed=0, callback=worse_bigger_and_stuck)
    assert history.stopped_early and history.best_epoch == 9   # the best of the new structure
    assert np.abs(net.params).max() < 1e-9


def test_fit_starts_afresh_an_optimiser_whose_state_the_restructuring_callback_did_not_carry():
    X, Y = datasets.load("moons", n_samples=80, seed=0)
    net = dagnet.load("topologies/xor_2_2_1.yaml", seed=0)
    def cut(epoch, history):
        if epoch == 3:
            edits.remove_node(net, "h.0")                 # no optimizer= : fit's Adam cannot follow
    history = net.fit(X, Y, epochs=6, optimizer="adam", lr=0.05, verbose=False, seed=0, callback=cut)
    assert history.epochs == 6 and "h.0" not in net.graph


def test_fit_keeps_the_last_finite_weights_of_a_network_a_callback_restructured():
    X, Y = datasets.load("moons", n_samples=80, seed=0)
    net = dagnet.load("topologies/xor_2_2_1.yaml", seed=0)
    adam = Adam(lr=0.05)
    last = {}

    def callback(epoch, history):
        if epoch == 1:
            edits.remove_edge(net, "a", "h.0", optimizer=adam)
        if epoch == 3:
            last["params"] = net.params.copy()
            net.set_bias("y", np.inf)                   # the next epoch diverges
    with pytest.raises(dagnet.TrainingDiverged):
        net.fit(X, Y, epochs=10, optimizer=adam, verbose=False, seed=0, callback=callback)
    assert np.array_equal(net.params, last["params"])


def test_fold_constants_keeps_predictions_and_removes_nodes_no_input_reaches():
    net = dagnet.loads("""
inputs: [x]
outputs: [y]
nodes:
  c1: {activation: tanh, bias: 0.7}
  c2: {activation: sigmoid, bias: -0.3}
  h: {activation: tanh, bias: 0.1}
  y: {activation: linear, bias: 0.2}
edges:
  - {from: c1, to: c2, weight: 1.5}
  - {from: c2, to: h, weight: 0.8}
  - {from: x, to: h, weight: 1.1}
  - {from: c1, to: y, weight: -0.4}
  - {from: h, to: y, weight: 2.0}
""")
    X = np.linspace(-2, 2, 7)[:, None]
    before = net.predict(X)
    edits.fold_constants(net)
    assert set(net.graph) == {"x", "h", "y"}
    np.testing.assert_allclose(net.predict(X), before, rtol=0, atol=1e-14)


def test_removing_the_last_path_of_an_input_is_refused_or_reconnected_with_a_fixed_zero():
    net = dagnet.load("topologies/xor_skip.yaml")
    with pytest.raises(TopologyError, match="cuts input\\(s\\) 'a' off"):
        edits.remove_edges(net, [("a", "n"), ("a", "y")])
    assert net.graph.has_edge("a", "n")                       # refused: nothing changed
    edits.remove_edges(net, [("a", "n"), ("a", "y")], cut_inputs="reconnect")
    assert net.graph.edges["a", "y"]["weight"] == 0.0
    assert net.graph.edges["a", "y"]["trainable"] is False


@pytest.mark.parametrize("edit, message", [
    (lambda net: edits.add_edge(net, "y", "n"), "cycle 'n' -> 'y' -> 'n'|cycle 'y' -> 'n' -> 'y'"),
    (lambda net: edits.add_edge(net, "a", "nn"), "no target node 'nn' \\(did you mean 'n'\\?\\)"),
    (lambda net: edits.add_edge(net, "a", "b"), "goes into input 'b'"),
    (lambda net: edits.add_edge(net, "a", "n"), "already in the network"),
    (lambda net: edits.remove_edge(net, "n", "a"), "no edge 'n' -> 'a'"),
    (lambda net: edits.remove_node(net, "y"), "cannot remove output 'y'"),
    (lambda net: edits.remove_node(net, "a"), "cannot remove input 'a'"),
    (lambda net: edits.add_node(net, "n", ["a"], ["y"]), "already in the network"),
    (lambda net: edits.add_node(net, "m", ["a"], []), "feeds nothing"),
    (lambda net: edits.add_node(net, "m", ["a"], ["y"], activation="sigmiod"), "did you mean 'sigmoid'"),
    (lambda net: edits.add_node(net, "m", ["y"], ["n"]), "cycle"),
    (lambda net: edits.add_node(net, "m", ["a"], ["y"], in_weights=[1.0, 2.0]), "2 values for 1 edges"),
    (lambda net: edits.freeze(net), "nothing given"),
    (lambda net: edits.freeze(net, biases=["a"]), "'a' is an input"),
])
def test_bad_edits_raise_one_clear_error_and_change_nothing(edit, message):
    net = dagnet.load("topologies/xor_skip.yaml")
    params, edges = net.params.copy(), set(net.graph.edges)
    with pytest.raises(TopologyError, match=message):
        edit(net)
    assert set(net.graph.edges) == edges and set(net.graph) == {"a", "b", "n", "y"}
    assert np.array_equal(net.params, params)
    net.plan.edge_slot["a", "n"]                               # the plan is the network's own still


def test_softmax_outputs_cannot_feed_a_new_node():
    net = dagnet.load("topologies/mlp_one_hidden_ce.yaml")
    out = net.outputs[0]
    with pytest.raises(TopologyError, match="softmax output"):
        edits.add_node(net, "m", [out], [net.outputs[1]])
