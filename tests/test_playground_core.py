"""The playground's core (no server): edits keep weights, text errors find their line, sessions train."""
import time

import networkx as nx
import numpy as np
import pytest
from hypothesis import given, strategies as st

import dagnet
from dagnet.errors import TopologyError
from dagnet.playground import edits, limits, pictures, samples, saving
from dagnet.playground.curve import Curve
from dagnet.playground.session import Session
from dagnet.playground.yamllines import error_line
from strategies import dags

TUTORIAL = "topologies/tutorial_2_5_1.yaml"


def weights_of(net):
    return {e: net.weight(*e) for e in net.graph.edges}


def biases_of(net):
    return {n: net.bias(n) for n in net.plan.bias_slot}


# -- edits --------------------------------------------------------------------------------

def test_adding_a_skip_edge_keeps_every_other_weight_and_bias():
    net = dagnet.load(TUTORIAL, seed=3)
    net.params = net.params + 0.25          # "trained": no longer what the seed draws
    edited = edits.toggle_edge(net, "in_x", "out", seed=3)
    assert set(edited.graph.edges) == set(net.graph.edges) | {("in_x", "out")}
    assert {e: edited.weight(*e) for e in net.graph.edges} == weights_of(net)
    assert biases_of(edited) == biases_of(net)


def test_toggling_an_edge_twice_gives_back_the_same_network():
    net = dagnet.load(TUTORIAL, seed=0)
    back = edits.toggle_edge(edits.toggle_edge(net, "in_x", "out"), "in_x", "out")
    assert weights_of(back) == weights_of(net) and biases_of(back) == biases_of(net)


def test_an_edge_that_closes_a_cycle_is_refused_and_names_it():
    net = dagnet.load(TUTORIAL, seed=0)
    with pytest.raises(TopologyError, match="cycle 'h.0' -> 'out' -> 'h.0'"):
        edits.toggle_edge(net, "out", "h.0")


def test_removing_the_last_edge_out_of_a_node_is_refused():
    net = dagnet.load(TUTORIAL, seed=0)
    with pytest.raises(TopologyError, match="cannot reach any output: 'h.2'"):
        edits.toggle_edge(net, "h.2", "out")


def test_an_unknown_node_is_named_with_the_near_miss():
    net = dagnet.load(TUTORIAL, seed=0)
    with pytest.raises(TopologyError, match=r"no source node 'in-x' \(did you mean 'in_x'\?\)"):
        edits.toggle_edge(net, "in-x", "out")


def test_a_perceptron_added_beside_another_joins_its_group_and_copies_its_edges():
    net = dagnet.load(TUTORIAL, seed=0)
    edited, name = edits.add_perceptron(net, beside="h.1")
    assert name == "h.5"
    assert set(edited.graph.predecessors("h.5")) == {"in_x", "in_y"}
    assert set(edited.graph.successors("h.5")) == {"out"}
    assert "h: {size: 6}" in edits.structure_text(edited)
    assert {e: edited.weight(*e) for e in net.graph.edges} == weights_of(net)


def test_a_perceptron_added_with_nothing_selected_goes_from_every_input_to_every_output():
    net = dagnet.load(TUTORIAL, seed=0)
    edited, name = edits.add_perceptron(net)
    assert set(edited.graph.predecessors(name)) == {"in_x", "in_y"}
    assert set(edited.graph.successors(name)) == {"out"}


def test_removing_a_perceptron_keeps_the_rest_and_inputs_stay():
    net = dagnet.load(TUTORIAL, seed=0)
    edited = edits.remove_perceptron(net, "h.3")
    assert "h.3" not in edited.graph
    assert {e: edited.weight(*e) for e in edited.graph.edges} == \
        {e: w for e, w in weights_of(net).items() if "h.3" not in e}
    with pytest.raises(TopologyError, match="only hidden perceptrons"):
        edits.remove_perceptron(net, "in_x")


def test_activation_and_loss_edits_are_judged_by_the_graph_rules():
    net = dagnet.load(TUTORIAL, seed=0)
    assert edits.set_activation(net, "h.0", "tanh").plan.activation["h.0"] == "tanh"
    with pytest.raises(TopologyError, match="unknown activation 'tnah'.*did you mean 'tanh'"):
        edits.set_activation(net, "h.0", "tnah")
    with pytest.raises(TopologyError, match="softmax on node 'h.0', which is not an output"):
        edits.set_activation(net, "h.0", "softmax")
    assert edits.set_loss(net, "binary_cross_entropy").loss == "binary_cross_entropy"
    with pytest.raises(TopologyError, match="loss 'cross_entropy' needs softmax outputs"):
        edits.set_loss(net, "cross_entropy")


def test_an_edit_past_the_limits_is_refused(monkeypatch):
    monkeypatch.setattr(limits, "MAX_EDGES", 15)
    net = dagnet.load(TUTORIAL, seed=0)
    with pytest.raises(TopologyError, match="16 edges is over the playground's limit of 15"):
        edits.toggle_edge(net, "in_x", "out")


@pytest.mark.slow
@given(dags(), st.data())
def test_toggling_any_edge_of_a_random_dag_keeps_every_surviving_parameter(network, data):
    G, inputs, outputs, loss, seed = network
    net = dagnet.Network.from_graph(G, inputs, outputs, loss=loss, seed=seed)
    inputs = set(net.inputs)
    candidates = [(u, v) for u in net.graph for v in net.graph if u != v and v not in inputs]
    u, v = data.draw(st.sampled_from(candidates))
    try:
        edited = edits.toggle_edge(net, u, v, seed=1)
    except TopologyError:
        return   # a cycle or a dead end: refused, nothing to compare
    for e in set(edited.graph.edges) & set(net.graph.edges):
        assert edited.weight(*e) == net.weight(*e)
    for n in set(edited.plan.bias_slot) & set(net.plan.bias_slot):
        assert edited.bias(n) == net.bias(n)
    moved = edits.carry(net.params, net.plan, edited.plan, edited.params)
    np.testing.assert_array_equal(moved, edited.params)


def test_carry_moves_optimiser_moments_to_their_new_slots():
    net = dagnet.load(TUTORIAL, seed=0)
    edited = edits.toggle_edge(net, "in_x", "out")
    moments = np.arange(net.plan.n_params, dtype=float)
    moved = edits.carry(moments, net.plan, edited.plan, np.full(edited.plan.n_params, -1.0))
    for e, slot in net.plan.edge_slot.items():
        assert moved[edited.plan.edge_slot[e]] == moments[slot]
    assert moved[edited.plan.edge_slot["in_x", "out"]] == -1.0


# -- text ----------------------------------------------------------------------------------

def test_applied_text_keeps_old_weights_unless_the_text_gives_its_own():
    old = dagnet.load(TUTORIAL, seed=0)
    text = open(TUTORIAL).read().replace("  - {from: h, to: out}",
                                         "  - {from: h, to: out}\n  - {from: in_x, to: out, weight: 2.5}")
    net, given = edits.from_text(text, previous=old, seed=7)
    assert {e: net.weight(*e) for e in old.graph.edges} == weights_of(old)
    assert net.weight("in_x", "out") == 2.5
    assert list(given) == [net.plan.edge_slot["in_x", "out"]]


def test_weights_the_text_states_win_over_the_surviving_ones():
    old = dagnet.load(TUTORIAL, seed=0)
    text = open(TUTORIAL).read().replace("  - {from: h, to: out}", "  - {from: h, to: out, weight: 0.5}")
    net, _ = edits.from_text(text, previous=old, seed=7)
    assert [net.weight(f"h.{k}", "out") for k in range(5)] == [0.5] * 5
    assert net.weight("in_x", "h.0") == old.weight("in_x", "h.0")


def test_the_structure_text_reads_back_as_the_same_structure():
    net = edits.add_perceptron(dagnet.load(TUTORIAL, seed=0), beside="h.0")[0]
    net = edits.set_activation(net, "h.2", "tanh")
    again, _ = edits.from_text(edits.structure_text(net), previous=net)
    assert set(again.graph.edges) == set(net.graph.edges)
    assert again.plan.activation == net.plan.activation
    assert weights_of(again) == weights_of(net)


def test_a_huge_group_is_refused_before_it_is_built():
    text = "inputs: [a]\noutputs: [y]\nnodes:\n  h: {size: 100000000}\n  y: {}\nedges:\n" \
           "  - {from: a, to: h}\n  - {from: h, to: y}\n"
    started = time.perf_counter()
    with pytest.raises(TopologyError, match="100000002 nodes is over the playground's limit"):
        edits.from_text(text)
    assert time.perf_counter() - started < 5   # refused from the counts, not after building


def test_limits_count_group_edges_as_the_product_of_sizes():
    data = {"inputs": {"x": 3}, "nodes": {"h": {"size": 4}, "y": {}},
            "edges": [{"from": "x", "to": "h"}, {"from": ["h", "x"], "to": "y"}]}
    assert limits.count_topology(data) == (8, 3 * 4 + 7)


KEYED = ("inputs: [a]\n"             # 1
         "outputs: [y]\n"            # 2
         "nodes:\n"                  # 3
         "  h.0: {bias: 1}\n"        # 4
         "  y: {}\n"                 # 5
         "edges:\n"                  # 6
         "  - {from: h.0, to: y}\n"  # 7
         "  - {from: a, to: h.0}\n") # 8


@pytest.mark.parametrize("key, line", [
    ("edges[1].to", 8), ("edges[0]", 7), ("nodes.h.0", 4), ("nodes.h.0.bias", 4), ("outputs", 2),
    ("line 5, column 3", 5), ("nodes.missing", 3), (None, None),
])
def test_an_error_key_finds_its_line(key, line):
    assert error_line(KEYED, key) == line


def test_the_error_of_an_invalid_edge_names_the_line_it_is_on():
    text = open(TUTORIAL).read() + "  - {from: out, to: nowhere}\n"
    with pytest.raises(TopologyError) as caught:
        edits.from_text(text)
    assert "unknown node 'nowhere'" in str(caught.value)
    assert error_line(text, caught.value.key) == len(text.splitlines())


# -- data and pictures -----------------------------------------------------------------------

def test_the_split_is_seeded_and_disjoint():
    net = dagnet.load(TUTORIAL, seed=0)
    a = samples.fit(net, samples.builtin("moons", n_samples=50), test_fraction=0.3, seed=4)
    b = samples.fit(net, samples.builtin("moons", n_samples=50), test_fraction=0.3, seed=4)
    assert a.train.tolist() == b.train.tolist() and len(a.test) == 15
    assert not set(a.train) & set(a.test)


def test_csv_columns_are_picked_by_the_network_names_else_by_position():
    net = dagnet.load(TUTORIAL, seed=0)
    by_name = samples.fit(net, samples.from_csv("out,in_y,in_x\n1,0.2,0.1\n0,0.4,0.3\n"), test_fraction=0)
    assert by_name.X.tolist() == [[0.1, 0.2], [0.3, 0.4]] and by_name.Y.ravel().tolist() == [1, 0]
    by_position = samples.fit(net, samples.from_csv("a,b,label\n0.1,0.2,1\n0.3,0.4,0\n"), test_fraction=0)
    assert by_position.X.tolist() == [[0.1, 0.2], [0.3, 0.4]]


@pytest.mark.parametrize("text, message", [
    ("", "empty"), ("a,b\n", "no data rows"), ("a,a\n1,2\n", "distinct"),
    ("a,b,y\n1,2\n", "row 2 has 2 cells, the header 3"), ("a,b,y\n1,x,0\n", "row 2, column 'b': 'x' is not a number"),
    ("a,b,y\n1,inf,0\n", "not finite"),
])
def test_a_bad_csv_is_one_error_naming_row_and_column(text, message):
    with pytest.raises(ValueError, match=message):
        samples.from_csv(text)


def test_data_with_the_wrong_number_of_inputs_says_so():
    net = dagnet.load(TUTORIAL, seed=0)
    with pytest.raises(ValueError, match="sine.* has 1 input column but the network has 2 inputs"):
        samples.fit(net, samples.builtin("sine"))


def test_the_output_picture_is_the_network_output_over_the_plane():
    net = dagnet.load(TUTORIAL, seed=0)
    data = samples.fit(net, samples.builtin("nonlinear"))
    picture = pictures.output_picture(net, data, 30)
    values = np.frombuffer(__import__("base64").b64decode(picture["values"]), dtype=np.uint8)
    expected = np.clip(np.rint(net.predict(pictures.grid(data.extent, 30))[:, 0] * 255), 0, 255)
    np.testing.assert_array_equal(values, expected)


def test_the_picture_has_high_x2_at_the_top_and_high_x1_at_the_right():
    net = dagnet.loads("inputs: [a, b]\noutputs: [y]\nnodes: {y: {bias: 0}}\n"
                       "edges: [{from: a, to: y, weight: 4}, {from: b, to: y, weight: 8}]\n")
    data = samples.fit(net, samples.builtin("moons"), test_fraction=0)
    values = np.frombuffer(__import__("base64").b64decode(
        pictures.output_picture(net, data, 20)["values"]), dtype=np.uint8).reshape(20, 20)
    assert values[0, 0] > values[-1, 0]          # b high at the top
    assert values[-1, -1] > values[-1, 0]        # a high at the right


def test_node_details_are_the_trace_and_gradients_of_the_training_samples():
    net = dagnet.load(TUTORIAL, seed=0)
    data = samples.fit(net, samples.builtin("nonlinear"))
    details = pictures.node_details(net, data, "h.1")
    _, grads = net.gradients(data.X_train, data.Y_train)
    assert details["delta"]["mean"] == pytest.approx(float(np.mean(grads.delta["h.1"])))
    assert sum(details["z"]["counts"]) == len(data.train)
    assert details["bias_gradient"] == grads.bias["h.1"]
    edge = pictures.edge_details(net, data, "h.1", "out")
    assert edge["gradient"] == grads.weight["h.1", "out"] and edge["weight"] == net.weight("h.1", "out")


def test_the_curve_thins_to_an_even_stride():
    curve = Curve(max_points=8)
    for epoch in range(1, 101):
        curve.add(epoch, 1.0 / epoch, None)
    epochs = curve.as_dict()["epoch"]
    assert len(epochs) <= 8 and len(set(np.diff(epochs))) == 1 and epochs[-1] >= 90


# -- sessions --------------------------------------------------------------------------------

def test_training_steps_lower_the_loss_and_reset_returns_to_the_same_start():
    session = Session()
    start = session.net.params.copy()
    before = session.frame(r=20)["loss"]["train"]
    for _ in range(30):
        session.control("step")
    after = session.frame(r=20)["loss"]["train"]
    assert session.epoch == 30 and after < before
    session.control("reset")
    np.testing.assert_array_equal(session.net.params, start)
    assert session.epoch == 0 and session.frame(r=20)["curve"]["epoch"] == []


def test_the_same_seed_trains_to_the_same_weights():
    a, b = Session(), Session()
    for session in (a, b):
        for _ in range(3):
            session.control("step")
    np.testing.assert_array_equal(a.net.params, b.net.params)


def test_a_new_seed_on_reset_draws_a_new_start():
    session = Session()
    start = session.net.params.copy()
    session.set_training({"seed": 5})
    session.control("reset")
    assert not np.array_equal(session.net.params, start)
    assert session.net.params.shape == start.shape


def test_play_trains_in_the_background_until_paused():
    session = Session()
    try:
        session.control("play")
        deadline = time.monotonic() + 10
        while session.epoch < 3 and time.monotonic() < deadline:
            time.sleep(0.02)
        session.control("pause")
        assert session.epoch >= 3
        time.sleep(0.1)
        stopped = session.epoch
        time.sleep(0.2)
        assert session.epoch == stopped
    finally:
        session.close()


def test_an_edit_keeps_trained_weights_start_weights_and_adam_moments():
    session = Session(training={"optimizer": "adam", "lr": 0.01})
    session.control("step")
    trained, start = weights_of(session.net), session.start.copy()
    old_plan, moments = session.net.plan, {k: v.copy() for k, v in session.optimizer.state.items()}
    session.edit("toggle_edge", source="in_y", target="out")
    plan = session.net.plan
    assert {e: session.net.weight(*e) for e in trained} == trained
    for e, slot in old_plan.edge_slot.items():
        assert session.start[plan.edge_slot[e]] == start[slot]
        assert session.optimizer.state["m"][plan.edge_slot[e]] == moments["m"][slot]
    assert "{from: [in_y, h], to: out}" in session.text or "in_y" in session.text


def test_two_sessions_never_share_a_network():
    a, b = Session(), Session()
    a.edit("toggle_edge", source="in_x", target="out")
    a.control("step")
    assert ("in_x", "out") not in b.net.graph.edges and b.epoch == 0
    np.testing.assert_array_equal(b.net.params, Session().net.params)


def test_divergence_pauses_and_puts_back_the_last_finite_weights():
    session = Session(training={"lr": 1e2, "batch_size": None}, data={"name": "sine"},
                      text="inputs: [x]\noutputs: [y]\nnodes:\n  y: {activation: linear}\nedges:\n"
                           "  - {from: x, to: y}\nloss: sse\n")
    session.set_data({"name": "sine", "n_samples": 200})
    for _ in range(50):
        session.control("step")
        if session.error:
            break
    assert "diverged" in session.error and np.all(np.isfinite(session.net.params))


def test_data_that_does_not_fit_is_shown_and_training_refuses():
    session = Session()
    state = session.set_data({"name": "sine"})
    assert "1 input column but the network has 2" in state["data"]["error"]
    with pytest.raises(ValueError, match="cannot train"):
        session.control("play")


def test_a_saved_session_reopens_with_the_same_weights_start_text_and_settings():
    session = Session(training={"lr": 0.3, "seed": 2}, data={"name": "moons", "n_samples": 40})
    session.edit("toggle_edge", source="in_x", target="out")
    session.control("step")
    saved = saving.saved(session)
    again = saving.restore(saved)
    np.testing.assert_array_equal(again.net.params, session.net.params)
    np.testing.assert_array_equal(again.start, session.start)
    assert again.text == session.text and again.training == session.training and again.epoch == 1
    loaded = dagnet.loads(saved["trained"])
    np.testing.assert_array_equal(loaded.predict([[0.1, 0.2]]), session.net.predict([[0.1, 0.2]]))


def test_every_graph_edit_writes_text_that_is_the_new_structure():
    session = Session()
    session.edit("add_perceptron", beside="h.4")
    session.edit("set_activation", node="h.5", activation="relu")
    again, _ = edits.from_text(session.text)
    assert set(again.graph.edges) == set(session.net.graph.edges)
    assert again.plan.activation["h.5"] == "relu"


def test_state_names_skip_edges():
    session = Session()
    state = session.edit("toggle_edge", source="in_x", target="out")
    skips = [(e["source"], e["target"]) for e in state["edges"] if e["skip"]]
    assert skips == [("in_x", "out")]
    assert nx.is_directed_acyclic_graph(session.net.graph)
