"""The playground server's routes, in-process: every route, and every kind of bad request."""
import json

import numpy as np
import pytest

pytest.importorskip("starlette", reason="the playground extra (starlette) is not installed")
testclient = pytest.importorskip("starlette.testclient", reason="starlette's TestClient needs httpx2 or httpx")

import dagnet  # noqa: E402
from dagnet.playground import limits  # noqa: E402
from dagnet.playground.server import make_app  # noqa: E402

TUTORIAL = "topologies/tutorial_2_5_1.yaml"


@pytest.fixture
def client():
    with testclient.TestClient(make_app()) as c:
        yield c


@pytest.fixture
def sid(client):
    return client.post("/api/sessions").json()["id"]


def error_of(response, status=400):
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) <= {"error", "line"} and body["error"]
    return body


# -- the page and the catalogue ----------------------------------------------------------------

def test_the_page_and_its_scripts_are_served_from_the_package(client):
    page = client.get("/")
    assert page.status_code == 200 and "dagnet playground" in page.text
    for name in ("app.js", "api.js", "draw.js", "network.js", "editor.js", "colours.js", "inspector.js", "keep.js",
                 "style.css"):
        assert client.get(f"/static/{name}").status_code == 200, name


def test_the_page_fetches_nothing_from_other_hosts(client):
    for name in ("/", "/static/app.js", "/static/draw.js", "/static/network.js", "/static/keep.js", "/static/style.css"):
        text = client.get(name).text
        assert "http://" not in text.replace("http://www.w3.org/2000/svg", "") and "https://" not in text, name


def test_info_lists_every_data_set_loss_optimiser_and_activation(client):
    info = client.get("/api/info").json()
    assert [d["name"] for d in info["datasets"]] == dagnet.datasets.names()
    assert "cross_entropy" in info["losses"] and info["optimizers"]["adam"] == 0.001
    assert "tanh" in info["activations"] and info["limits"]["nodes"] == limits.MAX_NODES


# -- sessions --------------------------------------------------------------------------------

def test_a_new_session_is_seed_002s_network_on_its_red_and_blue_points(client):
    created = client.post("/api/sessions").json()
    state = created["state"]
    assert state["name"] == "tutorial-2-5-1" and state["loss"] == "sse"
    assert state["data"]["source"] == "nonlinear" and state["training"]["lr"] == 0.5
    assert client.get(f"/api/sessions/{created['id']}").json()["version"] == state["version"]


def test_an_unknown_session_is_404_with_what_to_do(client):
    assert "reload the page" in error_of(client.get("/api/sessions/nope"), 404)["error"]
    error_of(client.post("/api/sessions/nope/control", json={"action": "play"}), 404)


def test_a_closed_session_is_gone(client, sid):
    assert client.delete(f"/api/sessions/{sid}").json() == {"closed": True}
    error_of(client.get(f"/api/sessions/{sid}"), 404)


def test_two_sessions_on_one_server_keep_their_own_networks(client):
    a = client.post("/api/sessions").json()["id"]
    b = client.post("/api/sessions").json()["id"]
    client.post(f"/api/sessions/{a}/edit", json={"op": "toggle_edge", "source": "in_x", "target": "out"})
    client.post(f"/api/sessions/{a}/control", json={"action": "step"})
    state_b = client.get(f"/api/sessions/{b}").json()
    assert ["in_x", "out"] not in [[e["source"], e["target"]] for e in state_b["edges"]]
    assert state_b["epoch"] == 0


def test_the_oldest_session_goes_past_the_limit(client, monkeypatch):
    monkeypatch.setattr(limits, "MAX_SESSIONS", 2)
    first = client.post("/api/sessions").json()["id"]
    client.post("/api/sessions")
    client.post("/api/sessions")
    error_of(client.get(f"/api/sessions/{first}"), 404)


# -- topology text -------------------------------------------------------------------------------

def test_validate_says_ok_with_the_size(client):
    result = client.post("/api/validate", json={"text": open(TUTORIAL).read()}).json()
    assert result == {"ok": True, "nodes": 8, "edges": 15, "parameters": 21}


def test_validate_gives_dagnets_own_error_and_its_line(client):
    text = open(TUTORIAL).read() + "  - {from: out, to: hh}\n"
    result = client.post("/api/validate", json={"text": text}).json()
    assert result["ok"] is False and result["line"] == len(text.splitlines())
    assert "unknown node 'hh' (did you mean 'h'?)" in result["error"]


@pytest.mark.parametrize("text, line, words", [
    ("inputs: [a\noutputs: [y]\n", 2, "line 2"),
    ("inputs: [a]\noutputs: [y]\nnodes:\n\ty: {}\n", 4, "tab"),
    ("inputs: [a]\noutputs: [y]\nnodes: {y: {}}\nedges:\n  - {from: a, to: y}\n  - {from: y, to: a}\n", 6,
     "goes into input 'a'"),
    ("inputs: [a]\noutputs: [y]\nnodes: {y: {activation: sigmiod}}\nedges: [{from: a, to: y}]\n", 3,
     "did you mean 'sigmoid'"),
    ("a: &x [1]\nb: *x\n", 2, "alias"),
    ("!!python/object:os.system {}\n", 1, "not allowed"),
])
def test_validate_names_the_line_of_every_kind_of_error(client, text, line, words):
    result = client.post("/api/validate", json={"text": text}).json()
    assert result["ok"] is False and result["line"] == line and words in result["error"]


def test_validate_refuses_text_over_the_limit_and_a_bomb_of_a_group(client):
    big = client.post("/api/validate", json={"text": "#" * (limits.MAX_TEXT + 1)}).json()
    assert big["ok"] is False and "limit" in big["error"]
    bomb = "inputs: [a]\noutputs: [y]\nnodes: {h: {size: 99999999}, y: {}}\nedges: [{from: a, to: h}, {from: h, to: y}]\n"
    assert "over the playground's limit" in client.post("/api/validate", json={"text": bomb}).json()["error"]


@pytest.mark.parametrize("body", [b"", b"[1, 2]", b'{"text": 3}', b"{not json", b'{"txt": "a"}'])
def test_validate_without_text_is_a_400(client, body):
    error_of(client.post("/api/validate", content=body))


def weights(client, sid):
    edges = [(e["source"], e["target"]) for e in client.get(f"/api/sessions/{sid}").json()["edges"]]
    return dict(zip(edges, client.post(f"/api/sessions/{sid}/frame", json={"grid": 20}).json()["weights"]))


def test_applying_text_builds_it_and_keeps_weights(client, sid):
    client.post(f"/api/sessions/{sid}/control", json={"action": "step"})
    before = weights(client, sid)
    text = open(TUTORIAL).read() + "  - {from: in_x, to: out}\n"
    state = client.post(f"/api/sessions/{sid}/topology", json={"text": text}).json()
    assert state["text"] == text and len(state["edges"]) == 16
    after = weights(client, sid)
    assert {e: after[e] for e in before} == before


def test_applying_broken_text_is_refused_with_its_line_and_nothing_changes(client, sid):
    text = open(TUTORIAL).read() + "  - {from: out, to: in_x}\n"
    body = error_of(client.post(f"/api/sessions/{sid}/topology", json={"text": text}))
    assert body["line"] == len(text.splitlines()) and "goes into input 'in_x'" in body["error"]
    assert len(client.get(f"/api/sessions/{sid}").json()["edges"]) == 15


# -- graph edits ---------------------------------------------------------------------------------

def test_toggle_edge_adds_a_skip_edge_and_rewrites_the_text(client, sid):
    state = client.post(f"/api/sessions/{sid}/edit",
                        json={"op": "toggle_edge", "source": "in_y", "target": "out"}).json()
    assert {"source": "in_y", "target": "out", "skip": True, "trainable": True} in state["edges"]
    assert dagnet.loads(state["text"]).graph.has_edge("in_y", "out")


def test_add_set_activation_and_remove_a_perceptron(client, sid):
    state = client.post(f"/api/sessions/{sid}/edit", json={"op": "add_perceptron", "beside": "h.0"}).json()
    assert state["made"] == "h.5"
    state = client.post(f"/api/sessions/{sid}/edit",
                        json={"op": "set_activation", "node": "h.5", "activation": "tanh"}).json()
    assert {n["name"]: n["activation"] for n in state["nodes"]}["h.5"] == "tanh"
    state = client.post(f"/api/sessions/{sid}/edit", json={"op": "remove_perceptron", "node": "h.5"}).json()
    assert "h.5" not in [n["name"] for n in state["nodes"]]


def test_set_loss_changes_the_loss(client, sid):
    state = client.post(f"/api/sessions/{sid}/edit", json={"op": "set_loss", "loss": "binary_cross_entropy"}).json()
    assert state["loss"] == "binary_cross_entropy"


@pytest.mark.parametrize("edit, words", [
    ({"op": "toggle_edge", "source": "out", "target": "h.0"}, "cycle"),
    ({"op": "toggle_edge", "source": "h.0", "target": "out"}, "cannot reach any output"),
    ({"op": "toggle_edge", "source": "x", "target": "out"}, "no source node 'x'"),
    ({"op": "toggle_edge", "source": ["a"], "target": "out"}, "no source node"),
    ({"op": "toggle_edge", "source": "in_x"}, "toggle_edge takes source, target"),
    ({"op": "toggle_edge", "source": "in_x", "target": "out", "weight": 1}, "takes source, target"),
    ({"op": "add_perceptron", "beside": "out"}, "beside a hidden one"),
    ({"op": "remove_perceptron", "node": "in_x"}, "only hidden"),
    ({"op": "set_activation", "node": "in_x", "activation": "tanh"}, "inputs have no activation"),
    ({"op": "set_activation", "node": "h.0", "activation": 3}, "must be a name"),
    ({"op": "set_loss", "loss": "cross_entropy"}, "needs softmax outputs"),
    ({"op": "set_loss", "loss": "mae"}, "unknown loss 'mae'"),
    ({"op": "explode"}, "unknown edit 'explode'"),
    ({}, "unknown edit None"),
])
def test_every_bad_edit_is_a_400_and_the_network_stays(client, sid, edit, words):
    before = client.get(f"/api/sessions/{sid}").json()
    assert words in error_of(client.post(f"/api/sessions/{sid}/edit", json=edit))["error"]
    after = client.get(f"/api/sessions/{sid}").json()
    assert after["version"] == before["version"] and after["edges"] == before["edges"]


# -- data ----------------------------------------------------------------------------------------

def test_every_built_in_data_set_can_be_chosen(client, sid):
    for name in dagnet.datasets.names():
        state = client.post(f"/api/sessions/{sid}/data", json={"name": name, "n_samples": 40, "noise": 0.1}).json()
        assert state["data"]["settings"]["name"] == name
        fits = name not in ("sine", "blobs")       # one input; three classes
        assert (state["data"]["error"] is None) == fits, (name, state["data"]["error"])


@pytest.mark.parametrize("settings, words", [
    ({"name": "moosn"}, "did you mean 'moons'"),
    ({"n_samples": 0}, "n_samples must be a whole number"),
    ({"n_samples": limits.MAX_SAMPLES + 1}, "n_samples must be a whole number"),
    ({"n_samples": 2.5}, "n_samples"), ({"noise": -1}, "noise"), ({"noise": "lots"}, "noise"),
    ({"test_fraction": 0.95}, "test_fraction"), ({"data_seed": -1}, "data_seed"),
    ({"colour": "red"}, "unknown data setting 'colour'"),
])
def test_bad_data_settings_are_a_400(client, sid, settings, words):
    assert words in error_of(client.post(f"/api/sessions/{sid}/data", json=settings))["error"]


def test_a_csv_upload_becomes_the_data(client, sid):
    rows = "\n".join(f"{x:.2f},{y:.2f},{int(x > y)}" for x, y in np.random.default_rng(0).random((30, 2)))
    state = client.post(f"/api/sessions/{sid}/csv?name=mine.csv&test_fraction=0.1",
                        content=f"a,b,label\n{rows}\n").json()
    assert state["data"]["source"] == "mine.csv" and state["data"]["n_test"] == 3
    assert state["data"]["settings"]["csv"] is True


@pytest.mark.parametrize("body, query, words", [
    (b"a,b,y\n1,x,0\n", "", "'x' is not a number"),
    (b"\xff\xfe", "", "not UTF-8"),
    (b"a,b,y\n1,2,0\n", "?test_fraction=half", "test_fraction must be a number"),
    (b"", "", "empty"),
])
def test_a_bad_csv_is_a_400_naming_the_problem(client, sid, body, query, words):
    assert words in error_of(client.post(f"/api/sessions/{sid}/csv{query}", content=body))["error"]


def test_a_body_over_the_limit_is_413(client, sid, monkeypatch):
    monkeypatch.setattr(limits, "MAX_BODY", 1000)
    error_of(client.post(f"/api/sessions/{sid}/csv", content=b"a" * 2000), 413)
    error_of(client.post("/api/validate", content=b"a" * 2000, headers={"content-length": "2000"}), 413)
    chunks = iter([b"a" * 600, b"a" * 600])       # no length declared: counted as it arrives
    error_of(client.post("/api/validate", content=chunks), 413)


# -- training --------------------------------------------------------------------------------------

def test_training_settings_are_checked_and_kept(client, sid):
    state = client.post(f"/api/sessions/{sid}/training",
                        json={"optimizer": "adam", "lr": 0.01, "batch_size": None, "seed": 3, "speed": 20}).json()
    assert state["training"] == {"optimizer": "adam", "lr": 0.01, "batch_size": None, "seed": 3, "speed": 20.0}


@pytest.mark.parametrize("settings, words", [
    ({"optimizer": "adma"}, "did you mean 'adam'"), ({"lr": 0}, "lr"), ({"lr": "fast"}, "lr"),
    ({"batch_size": 0}, "batch_size"), ({"seed": 1.5}, "seed"), ({"speed": -1}, "speed"),
    ({"momentum": 0.9}, "unknown training setting 'momentum'"),
])
def test_bad_training_settings_are_a_400(client, sid, settings, words):
    assert words in error_of(client.post(f"/api/sessions/{sid}/training", json=settings))["error"]


def test_step_trains_one_epoch_and_reset_goes_back_to_the_same_start(client, sid):
    first = client.post(f"/api/sessions/{sid}/frame", json={"grid": 20}).json()
    for _ in range(20):
        status = client.post(f"/api/sessions/{sid}/control", json={"action": "step"}).json()
    assert status["epoch"] == 20
    trained = client.post(f"/api/sessions/{sid}/frame", json={"grid": 20}).json()
    assert trained["loss"]["train"] < first["loss"]["train"] and len(trained["curve"]["epoch"]) == 20
    client.post(f"/api/sessions/{sid}/control", json={"action": "reset"})
    again = client.post(f"/api/sessions/{sid}/frame", json={"grid": 20}).json()
    assert again["weights"] == first["weights"] and again["epoch"] == 0


def test_play_and_pause(client, sid):
    assert client.post(f"/api/sessions/{sid}/control", json={"action": "play"}).json()["playing"] is True
    assert client.post(f"/api/sessions/{sid}/control", json={"action": "pause"}).json()["playing"] is False


@pytest.mark.parametrize("body", [{"action": "jump"}, {}, {"action": ["play"]}])
def test_an_unknown_action_is_a_400(client, sid, body):
    assert "unknown action" in error_of(client.post(f"/api/sessions/{sid}/control", json=body))["error"]


def test_training_on_data_that_does_not_fit_is_refused(client, sid):
    client.post(f"/api/sessions/{sid}/data", json={"name": "sine"})
    assert "cannot train" in error_of(client.post(f"/api/sessions/{sid}/control", json={"action": "play"}))["error"]


# -- frames ----------------------------------------------------------------------------------------

def test_a_frame_has_the_picture_maps_losses_weights_and_the_inspected_node_and_edge(client, sid):
    frame = client.post(f"/api/sessions/{sid}/frame",
                        json={"grid": 100, "node": "h.2", "edge": ["in_x", "h.2"]}).json()
    assert frame["picture"]["kind"] == "heat" and len(frame["picture"]["values"]) == 4 * -(-10000 // 3)
    assert [m["name"] for m in frame["maps"]["nodes"]] == ["in_x", "in_y", "h.0", "h.1", "h.2", "h.3", "h.4",
                                                           "out"]
    assert len(frame["weights"]) == 15 and len(frame["biases"]) == 6
    assert frame["node"]["node"] == "h.2" and sum(frame["node"]["s"]["counts"]) == 80
    assert frame["edge"]["edge"] == ["in_x", "h.2"]


def test_a_three_class_picture_gives_class_and_certainty(client, sid):
    text = ("inputs: [a, b]\noutputs: [y]\nloss: cross_entropy\nnodes:\n  h: {size: 4, activation: tanh}\n"
            "  y: {size: 3, activation: softmax}\nedges:\n  - {from: [a, b], to: h}\n  - {from: h, to: y}\n")
    client.post(f"/api/sessions/{sid}/topology", json={"text": text})
    state = client.post(f"/api/sessions/{sid}/data", json={"name": "blobs"}).json()
    assert state["data"]["error"] is None and max(state["data"]["points"]["label"]) == 2
    picture = client.post(f"/api/sessions/{sid}/frame", json={"grid": 30}).json()["picture"]
    assert picture["kind"] == "classes" and {"classes", "values"} <= set(picture)


def test_a_one_input_network_draws_its_regression_curve(client, sid):
    text = "inputs: [x]\noutputs: [y]\nnodes:\n  h: {size: 6, activation: tanh}\n  y: {activation: linear}\n" \
           "edges:\n  - {from: x, to: h}\n  - {from: h, to: y}\n"
    client.post(f"/api/sessions/{sid}/topology", json={"text": text})
    client.post(f"/api/sessions/{sid}/data", json={"name": "sine"})
    frame = client.post(f"/api/sessions/{sid}/frame", json={"grid": 50}).json()
    assert frame["picture"]["kind"] == "curve" and len(frame["picture"]["x"]) == 50
    assert len(frame["maps"]["nodes"][1]["values"]) == 50


@pytest.mark.parametrize("request_body, words", [
    ({"grid": 10}, "grid must be a whole number from 20 to 200"),
    ({"grid": 1000}, "grid"), ({"grid": "big"}, "grid"),
    ({"node": "nope"}, "no node 'nope'"), ({"edge": ["out", "in_x"]}, "no edge"), ({"edge": "in_x"}, "no edge"),
    ({"zoom": 2}, "unknown frame field 'zoom'"),
])
def test_a_bad_frame_request_is_a_400(client, sid, request_body, words):
    assert words in error_of(client.post(f"/api/sessions/{sid}/frame", json=request_body))["error"]


# -- keeping what you made ---------------------------------------------------------------------------

def test_the_trained_yaml_loads_with_dagnet_load_and_predicts_the_same(client, sid, tmp_path):
    client.post(f"/api/sessions/{sid}/edit", json={"op": "toggle_edge", "source": "in_x", "target": "out"})
    client.post(f"/api/sessions/{sid}/control", json={"action": "step"})
    response = client.get(f"/api/sessions/{sid}/trained.yaml")
    assert "attachment" in response.headers["content-disposition"]
    path = tmp_path / "trained.yaml"
    path.write_text(response.text)
    net = dagnet.load(path)
    frame = client.post(f"/api/sessions/{sid}/frame", json={"grid": 20}).json()
    assert [net.weight(e["source"], e["target"]) for e in client.get(f"/api/sessions/{sid}").json()["edges"]] == \
        frame["weights"]


def test_a_saved_session_reopens_as_it_was(client, sid):
    client.post(f"/api/sessions/{sid}/edit", json={"op": "toggle_edge", "source": "in_x", "target": "out"})
    client.post(f"/api/sessions/{sid}/training", json={"lr": 0.3})
    client.post(f"/api/sessions/{sid}/control", json={"action": "step"})
    saved = json.loads(client.get(f"/api/sessions/{sid}/saved.json").text)
    reopened = client.post("/api/sessions", json={"saved": saved}).json()
    frame_a = client.post(f"/api/sessions/{sid}/frame", json={"grid": 20}).json()
    frame_b = client.post(f"/api/sessions/{reopened['id']}/frame", json={"grid": 20}).json()
    assert frame_a["weights"] == frame_b["weights"] and reopened["state"]["training"]["lr"] == 0.3
    assert reopened["state"]["text"] == client.get(f"/api/sessions/{sid}").json()["text"]
    client.post(f"/api/sessions/{sid}/control", json={"action": "reset"})
    client.post(f"/api/sessions/{reopened['id']}/control", json={"action": "reset"})
    assert client.post(f"/api/sessions/{sid}/frame", json={"grid": 20}).json()["weights"] == \
        client.post(f"/api/sessions/{reopened['id']}/frame", json={"grid": 20}).json()["weights"]


@pytest.mark.parametrize("saved, words", [
    ({"format": "other"}, "not a saved playground"), ([1], "not a saved playground"),
    ({"format": "dagnet-playground", "text": "x"}, "needs 'trained' as text"),
    ({"format": "dagnet-playground", "text": "", "trained": "inputs: [a]\n", "start": ""}, "missing key"),
])
def test_a_bad_saved_playground_is_a_400(client, saved, words):
    assert words in error_of(client.post("/api/sessions", json={"saved": saved}))["error"]


@pytest.mark.slow
def test_the_network_picture_is_a_png(client, sid):
    pytest.importorskip("matplotlib", reason="network.png needs the plot extra")
    response = client.get(f"/api/sessions/{sid}/network.png")
    assert response.status_code == 200 and response.content.startswith(b"\x89PNG")


def test_an_unexpected_failure_is_a_500_and_the_server_keeps_serving(client, sid, monkeypatch):
    from dagnet.playground.session import Session

    def broken(self, *args, **kwargs):
        raise RuntimeError("boom")
    monkeypatch.setattr(Session, "frame", broken)
    assert "unexpected RuntimeError: boom" in error_of(client.post(f"/api/sessions/{sid}/frame", json={}), 500)["error"]
    monkeypatch.undo()
    assert client.post(f"/api/sessions/{sid}/frame", json={"grid": 20}).status_code == 200


def test_an_unknown_route_or_method_is_refused(client, sid):
    assert client.get("/api/nothing").status_code == 404
    assert client.get(f"/api/sessions/{sid}/edit").status_code == 405
