"""Playground sessions: data fitted and split, frames computed, training, resets, saving, two sessions apart."""
import json
import time

import networkx as nx
import numpy as np
import pytest

import dagnet
from dagnet.errors import TopologyError
from dagnet.playground import edits, limits, pictures, samples, saving
from dagnet.playground.curve import Curve
from dagnet.playground.wire import to_json
from dagnet.playground.session import Session

TUTORIAL = "topologies/tutorial_2_5_1.yaml"


def weights_of(net):
    return {e: net.weight(*e) for e in net.graph.edges}


def biases_of(net):
    return {n: net.bias(n) for n in net.plan.bias_slot}


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
    values = np.frombuffer(picture["values"], dtype=np.uint8)
    expected = np.clip(np.rint(net.predict(pictures.grid(data.extent, 30))[:, 0] * 255), 0, 255)
    np.testing.assert_array_equal(values, expected)


def test_the_picture_has_high_x2_at_the_top_and_high_x1_at_the_right():
    net = dagnet.loads("inputs: [a, b]\noutputs: [y]\nnodes: {y: {bias: 0}}\n"
                       "edges: [{from: a, to: y, weight: 4}, {from: b, to: y, weight: 8}]\n")
    data = samples.fit(net, samples.builtin("moons"), test_fraction=0)
    values = np.frombuffer(pictures.output_picture(net, data, 20)["values"], dtype=np.uint8).reshape(20, 20)
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

def test_the_loss_shown_and_plotted_is_per_sample_so_sets_of_any_size_compare():
    session = Session()                  # sse (a sum over samples), 80 training and 20 test samples
    session.net.params = np.zeros_like(session.net.params)   # every output 0.5: each (ŷ - y)² is 0.25
    assert session.frame(r=20)["loss"] == {"train": 0.25, "test": 0.25}
    assert pictures.losses(session.net, session.data) == (0.25, 0.25)      # what the curve records
    session.close()


def test_a_perceptrons_details_give_its_formula_with_the_current_weights_plugged_in():
    session = Session(text=open("topologies/xor_skip.yaml").read(), data={"name": "xor"})
    assert session.frame(r=20, node="y")["node"]["formula"] == "z_y = σ(10·a + 10·b − 20·n − 5)"
    session.control("step")
    w = session.net.weight("n", "y")
    assert w != -20 and f"− {abs(w):.3g}·n" in session.frame(r=20, node="y")["node"]["formula"]
    assert session.frame(r=20, node="a")["node"]["formula"] is None            # an input
    session.close()


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


def wait_until(condition, seconds=30):
    """Poll ``condition`` until it holds or ``seconds`` pass (generous: the machine may be busy)."""
    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.02)
    return condition()


def test_speed_is_bounded_so_that_no_pause_is_longer_than_ten_seconds():
    session = Session()
    try:
        for speed in (1e-300, 1e-6, limits.SPEED[0] / 2, limits.SPEED[1] * 2):
            with pytest.raises(ValueError, match="speed must be a number from 0.1 to 1000"):
                session.set_training({"speed": speed})
    finally:
        session.close()


def test_closing_a_session_ends_its_training_thread_at_once_at_the_slowest_speed():
    session = Session(training={"speed": limits.SPEED[0]})
    session.control("play")
    assert wait_until(lambda: session.epoch >= 1)      # then it waits 10 s for its next epoch
    session.close()
    session.thread.join(timeout=5)
    assert not session.thread.is_alive()


def test_a_new_speed_counts_at_once():
    session = Session(training={"speed": limits.SPEED[0]})
    try:
        session.control("play")
        assert wait_until(lambda: session.epoch >= 1)
        started = time.monotonic()
        session.set_training({"speed": None})
        assert wait_until(lambda: session.epoch >= 3) and time.monotonic() - started < 8
    finally:
        session.close()


def test_a_failure_in_the_training_thread_stops_playing_and_says_so(monkeypatch):
    session = Session()
    try:
        def broken(**kwargs):
            raise OverflowError("timeout value is too large")
        monkeypatch.setattr(session, "train", broken)
        session.control("play")
        assert wait_until(lambda: not session.playing, 10)
        assert "unexpected OverflowError" in session.status()["error"]
    finally:
        session.close()


def test_a_session_nobody_watches_pauses_by_itself(monkeypatch):
    from dagnet.playground import session as module
    monkeypatch.setattr(module, "UNWATCHED", 0.2)
    session = Session()
    try:
        session.control("play")
        deadline = time.monotonic() + 10
        while session.playing and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not session.playing and "no page has shown this session" in session.error
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


def test_a_frame_of_overflowing_weights_is_still_valid_json():
    session = Session(text="inputs: [x]\noutputs: [y]\nnodes:\n  y: {activation: linear}\nedges:\n"
                           "  - {from: x, to: y}\nloss: sse\n", data={"name": "sine"})
    session.net.params = session.net.params * 1e200
    frame = to_json(session.frame(r=30, node="y", edge=["x", "y"]))
    json.dumps(frame, allow_nan=False)
    assert frame["loss"]["train"] is None


def test_a_derived_input_is_an_ordinary_input_computed_from_the_data_and_over_the_plane():
    session = Session(data={"name": "circles", "n_samples": 100})
    state = session.edit("toggle_feature", feature="x^2")
    assert state["inputs"] == ["in_x", "in_y", "x^2"] and 'inputs: [in_x, in_y, "x^2"]' in session.text
    X = session.data.X
    np.testing.assert_array_equal(X[:, 2], X[:, 0] ** 2)
    assert np.shape(state["data"]["points"]["x"]) == (100, 2)                 # the plane's own inputs
    frame = session.frame(r=20)
    assert frame["picture"]["kind"] == "heat"
    x_squared = next(m for m in frame["maps"]["nodes"] if m["name"] == "x^2")
    row = np.frombuffer(x_squared["values"], dtype=np.uint8)[:20]            # the top row: x from low to high
    assert row[0] > row[9] < row[-1]                                          # x² is low in the middle
    session.control("step")
    assert session.edit("toggle_feature", feature="x^2")["inputs"] == ["in_x", "in_y"]
    with pytest.raises(TopologyError, match="unknown feature 'x2' \\(did you mean"):
        session.edit("toggle_feature", feature="x2")
    session.close()
