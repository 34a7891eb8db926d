"""The notebook widget without a notebook: its session on the caller's network, its messages, its bundle."""
import json
import os
import subprocess
import sys

import numpy as np
import pytest
from fresh_python import packages_loaded

import dagnet
from dagnet.playground import samples
from dagnet.playground.attached import OWN_DATA, AttachedSession
from dagnet.playground.wire import to_buffers, to_json
from dagnet.widget import bundle
from dagnet.widget.channel import Channel

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TUTORIAL = os.path.join(ROOT, "topologies", "tutorial_2_5_1.yaml")


@pytest.fixture
def net():
    return dagnet.load(TUTORIAL, seed=0)


@pytest.fixture
def session(net):
    X, Y = dagnet.datasets.load("nonlinear")
    session = AttachedSession(net, X, Y)
    yield session
    session.close()


def ask(channel, call, **args):
    reply, buffers = channel.answer({"request": 7, "call": call, "args": args})
    assert reply["reply"] == 7
    return reply, buffers


# -- the session trains and edits the caller's own network ------------------------------------------

def test_training_in_the_widget_changes_the_callers_network(session, net):
    before = net.params.copy()
    session.control("step")
    assert session.net is net and not np.array_equal(net.params, before)


def test_an_edit_in_the_widget_changes_net_graph_in_place_keeping_every_weight(session, net):
    graph, weights = net.graph, {e: net.weight(*e) for e in net.graph.edges}
    state = session.edit("toggle_edge", source="in_x", target="out")
    assert net.graph is graph and graph.has_edge("in_x", "out") and len(state["edges"]) == 16
    assert all(net.weight(*e) == w for e, w in weights.items())
    made = session.edit("add_perceptron", beside="h.2")["made"]
    assert made in net.graph and net.graph.has_edge("in_y", made)
    session.edit("set_loss", loss="mse")
    assert net.loss == "mse" and net.evaluate(*dagnet.datasets.load("nonlinear")) < 1


def test_topology_text_applied_in_the_widget_rebuilds_the_callers_network(session, net):
    session.apply_text("inputs: [in_x, in_y]\noutputs: [out]\nloss: sse\nnodes: {out: {}}\n"
                       "edges: [{from: [in_x, in_y], to: out}]\n")
    assert sorted(net.graph) == ["in_x", "in_y", "out"] and net.predict(np.zeros((1, 2))).shape == (1, 1)


def test_a_change_of_structure_made_in_python_shows_in_the_next_state(session, net):
    version = session.state()["version"]
    dagnet.edits.add_edge(net, "in_y", "out", weight=0.5)
    state = session.state()
    assert state["version"] > version and any(e["source"] == "in_y" and e["target"] == "out" for e in state["edges"])
    session.control("step")                        # the optimiser and start weights moved along
    session.control("reset")
    assert net.weight("in_y", "out") == 0.5


def test_pruned_in_python_it_follows_and_trains_on(session, net):
    session.control("step")
    dagnet.prune(net, amount=0.3, inplace=True)
    frame = session.frame(r=20)
    assert frame["version"] == session.state()["version"] and frame["error"] is None
    assert session.control("step")["epoch"] == 2 and session.error is None
    assert len(frame["weights"]) == len(net.plan.edge_slot)


def test_weights_set_in_python_show_in_the_next_frame(session, net):
    net.set_weight("h.0", "out", 3.25)
    frame = session.frame(r=20)
    k = [tuple(e) for e in session.edges].index(("h.0", "out"))
    assert frame["weights"][k] == 3.25


def test_own_data_is_named_and_kept_when_its_split_changes(session):
    assert session.state()["data"]["settings"]["own"] == OWN_DATA
    state = session.set_data({"test_fraction": 0.5})
    assert state["data"]["n_test"] == 50 and state["data"]["settings"]["own"] == OWN_DATA
    state = session.set_data({"name": "moons"})
    assert state["data"]["source"] == "moons" and state["data"]["settings"]["own"] is None


@pytest.mark.parametrize("X, Y, message", [
    ([[0, 1]], [1, 0], "X has 1 samples but Y has 2"),
    ([["a", 1]], [1], "X must be an array of numbers"),
    ([[np.nan, 1]], [1], "X has values that are not finite"),
    (np.zeros((6000, 2)), np.zeros(6000), "from 1 to 5000 samples"),
])
def test_arrays_that_cannot_be_data_say_why(X, Y, message):
    with pytest.raises(ValueError, match=message):
        samples.from_arrays(X, Y)


def test_a_new_session_on_the_same_network_pauses_the_one_before(session, net):
    session.control("play")
    again = AttachedSession(net, data={"name": "nonlinear"})
    try:
        assert not session.playing and again.net is net
    finally:
        again.close()


def test_only_one_of_x_and_y_is_refused(net):
    with pytest.raises(ValueError, match="give both X and Y"):
        AttachedSession(net, X=np.zeros((3, 2)))


# -- messages -------------------------------------------------------------------------------------

def test_a_frame_travels_as_binary_buffers_not_json_lists(session):
    reply, buffers = ask(Channel(session), "frame", grid=100)
    frame = reply["value"]
    assert frame["weights"] == {"$buffer": frame["weights"]["$buffer"], "dtype": "float64", "shape": [15]}
    picture = frame["picture"]["values"]
    assert picture["dtype"] == "uint8" and len(buffers[picture["$buffer"]]) == 100 * 100
    assert len(json.dumps(reply)) < 5000                   # the numbers are in the buffers
    values = np.frombuffer(buffers[frame["weights"]["$buffer"]], dtype=np.float64)
    np.testing.assert_array_equal(values, session.net.params[session.edge_slots])


def test_the_states_points_travel_as_buffers_too(session):
    reply, buffers = ask(Channel(session), "state")
    points = reply["value"]["data"]["points"]
    assert points["x"]["shape"] == [100, 2] and points["test"]["dtype"] == "uint8"


def test_every_failure_is_a_one_line_reply(session):
    channel = Channel(session)
    assert "unknown call 'nope'" in ask(channel, "nope")[0]["error"]
    reply = ask(channel, "topology", text="inputs: [a]\noutputs: [y]\nnodes: {y: {}}\nedges:\n  - {from: a, to: nowhere}\n")[0]
    assert "nowhere" in reply["error"] and reply["line"] == 5 and "\n" not in reply["error"]
    assert "unknown action" in ask(channel, "control", action="fly")[0]["error"]
    assert "frame" in ask(channel, "frame", colour="red")[0]["error"]
    assert channel.answer("not a mapping")[0]["error"].startswith("unknown call")


def test_json_and_buffers_carry_the_same_numbers(session):
    frame = session.frame(r=20)
    message, buffers = to_buffers(frame)
    assert to_json(frame)["weights"] == np.frombuffer(buffers[message["weights"]["$buffer"]]).tolist()


# -- the bundle: the page's own modules ------------------------------------------------------------

def test_the_widget_is_made_of_the_pages_own_modules_markup_and_style():
    order = bundle.module_order()
    assert {"playground.js", "network.js", "draw.js", "inspector.js", "editor.js", "colours.js"} <= set(order)
    assert "app.js" not in order and order[-1] == "widget.js"
    with open(os.path.join(bundle.STATIC, "app.js"), encoding="utf-8") as f:
        assert 'from "./playground.js"' in f.read()          # the page uses the same controls
    esm = bundle.esm()
    assert json.dumps(bundle.read("network.js"), ensure_ascii=False) in esm
    assert json.dumps(bundle.markup(), ensure_ascii=False) in esm and 'id=\\"network\\"' in esm
    assert "export default" in esm


def test_the_pages_style_is_made_the_shadow_roots():
    css = bundle.scoped_style(":root { --x: 1; }\nbody { margin: 0; }\nhtml, body.dark { color: red; }\n"
                              "#body, .tbody, tbody { x: 1; }")
    assert css == (":host { --x: 1; }\n.page { margin: 0; }\n:host, .page.dark { color: red; }\n"
                   "#body, .tbody, tbody { x: 1; }")


def test_a_module_the_bundle_cannot_resolve_is_named(tmp_path, monkeypatch):
    (tmp_path / "widget.js").write_text('import { x } from "https://example.org/x.js";\n')
    monkeypatch.setattr(bundle, "STATIC", str(tmp_path))
    with pytest.raises(ValueError, match="widget.js: the widget can bundle only imports"):
        bundle.module_order()


# -- the anywidget ----------------------------------------------------------------------------------

def test_importing_dagnet_or_its_widget_package_imports_no_anywidget():
    packages = packages_loaded("import dagnet, dagnet.widget\ndagnet.load('topologies/xor_skip.yaml')")
    assert not set(packages) & {"anywidget", "ipywidgets", "traitlets"}


def test_without_anywidget_the_widget_says_what_to_install():
    child = ("import sys\nsys.modules['anywidget'] = None\n"
             "try:\n    from dagnet.widget import Playground\nexcept ImportError as err:\n    print(err)\n")
    out = subprocess.run([sys.executable, "-c", child], capture_output=True, text=True, cwd=ROOT).stdout
    assert out.strip() == 'the notebook widget needs anywidget: pip install "dagnet[widget]"'


@pytest.fixture
def widget_class():
    pytest.importorskip("anywidget", reason="the widget extra (anywidget) is not installed")
    from dagnet.widget import Playground
    return Playground


def test_the_widget_answers_its_page_and_trains_in_the_background(widget_class, net):
    X, Y = dagnet.datasets.load("nonlinear")
    widget = widget_class(net, X, Y, lr=0.5)
    sent = []
    widget.send = lambda content, buffers=None: sent.append((content, buffers))
    try:
        widget._received(widget, {"request": 1, "call": "create", "args": {}}, [])
        assert sent[-1][0]["value"]["id"] == "widget" and sent[-1][0]["value"]["state"]["name"] == "tutorial-2-5-1"
        before = widget.session.frame(r=20)["loss"]["train"]
        widget.play()
        assert widget.playing and sent[-1][0] == {"event": "changed"}
        widget.session.thread.join(timeout=0.5)             # returns at once: training runs in a thread
        widget.step(3)                                      # pauses, then three epochs
        assert not widget.playing and widget.epoch >= 3
        assert widget.session.frame(r=20)["loss"]["train"] < before
        assert widget.net is net
        recorded = widget.curve()["epoch"]              # every epoch, or every stride-th on a long run
        assert recorded == list(range(recorded[0], widget.epoch + 1, recorded[0]))
    finally:
        widget.close()
    assert widget.session.closed


def test_the_widget_opens_a_built_in_data_set_or_the_tutorials_network(widget_class, net):
    widget = widget_class(net, data="moons")
    try:
        assert widget.session.state()["data"]["source"] == "moons"
    finally:
        widget.close()
    widget = widget_class()
    try:
        assert widget.net.name == "tutorial-2-5-1" and widget.session.data_error is None
    finally:
        widget.close()
