"""The playground server's data, training, frame and download routes, in-process, with their bad requests."""
import json

import numpy as np
import pytest

pytest.importorskip("starlette", reason="the playground extra (starlette) is not installed")
pytest.importorskip("starlette.testclient", reason="starlette's TestClient needs httpx2 or httpx")

import dagnet  # noqa: E402
from dagnet.playground import limits  # noqa: E402
from playground_support import CSV, JSON, TUTORIAL, client, error_of, sid  # noqa: E402,F401



# -- data ----------------------------------------------------------------------------------------

def test_every_built_in_data_set_can_be_chosen(client, sid):
    for name in dagnet.datasets.names(published=False):
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
    ({"name": {"x": 1}}, "unknown data set {'x': 1}"), ({"name": ["moons"]}, "unknown data set"),
])
def test_bad_data_settings_are_a_400(client, sid, settings, words):
    assert words in error_of(client.post(f"/api/sessions/{sid}/data", json=settings))["error"]


def test_a_csv_upload_becomes_the_data(client, sid):
    rows = "\n".join(f"{x:.2f},{y:.2f},{int(x > y)}" for x, y in np.random.default_rng(0).random((30, 2)))
    state = client.post(f"/api/sessions/{sid}/csv?name=mine.csv&test_fraction=0.1",
                        content=f"a,b,label\n{rows}\n", headers=CSV).json()
    assert state["data"]["source"] == "mine.csv" and state["data"]["n_test"] == 3
    assert state["data"]["settings"]["csv"] is True


@pytest.mark.parametrize("body, query, words", [
    (b"a,b,y\n1,x,0\n", "", "'x' is not a number"),
    (b"\xff\xfe", "", "not UTF-8"),
    (b"a,b,y\n1,2,0\n", "?test_fraction=half", "test_fraction must be a number"),
    (b"", "", "empty"),
    (b"a,b,y\n1," + b"2" * 200_000 + b",0\n", "", "line 2: not CSV this reader takes (field larger than"),
])
def test_a_bad_csv_is_a_400_naming_the_problem(client, sid, body, query, words):
    assert words in error_of(client.post(f"/api/sessions/{sid}/csv{query}", content=body, headers=CSV))["error"]


@pytest.mark.parametrize("ending", ["\r", "\r\n"])
def test_a_csv_with_any_line_ending_is_read_as_dagnet_datasets_load_csv_reads_it(client, sid, ending, tmp_path):
    lines = ["a,b,label", "0.1,0.2,0", "0.5,0.4,1", "0.9,0.1,1", "0.3,0.8,0"]
    text = ending.join(lines) + ending
    state = client.post(f"/api/sessions/{sid}/csv", content=text.encode(), headers=CSV).json()
    assert state["data"]["n_train"] + state["data"]["n_test"] == 4
    (tmp_path / "same.csv").write_bytes(text.encode())
    assert dagnet.datasets.load_csv(tmp_path / "same.csv", ["a", "b"], ["label"])[0].shape == (4, 2)


@pytest.mark.parametrize("route", ["/api/validate", "/api/sessions", "/api/sessions/{sid}/data",
                                   "/api/sessions/{sid}/training", "/api/sessions/{sid}/frame",
                                   "/api/sessions/{sid}/edit", "/api/sessions/{sid}/control"])
@pytest.mark.parametrize("depth", [limits.MAX_JSON_DEPTH + 1, 100_000])
def test_json_nested_too_deep_is_a_400(client, sid, route, depth):
    body = b'{"a": ' + b"[" * (depth - 1) + b"]" * (depth - 1) + b"}"
    words = f"nests lists and objects more than {limits.MAX_JSON_DEPTH} deep"
    assert words in error_of(client.post(route.format(sid=sid), content=body, headers=JSON))["error"]


def test_json_nested_as_deep_as_allowed_is_read(client):
    body = b'{"text": ' + b"[" * (limits.MAX_JSON_DEPTH - 1) + b"]" * (limits.MAX_JSON_DEPTH - 1) + b"}"
    assert 'expected {"text"' in error_of(client.post("/api/validate", content=body, headers=JSON))["error"]


def test_a_body_over_the_limit_is_413(client, sid, monkeypatch):
    monkeypatch.setattr(limits, "MAX_BODY", 1000)
    error_of(client.post(f"/api/sessions/{sid}/csv", content=b"a" * 2000, headers=CSV), 413)
    error_of(client.post("/api/validate", content=b"a" * 2000, headers={"content-length": "2000", **JSON}), 413)
    chunks = iter([b"a" * 600, b"a" * 600])       # no length declared: counted as it arrives
    error_of(client.post("/api/validate", content=chunks, headers=JSON), 413)


# -- training --------------------------------------------------------------------------------------

def test_training_settings_are_checked_and_kept(client, sid):
    state = client.post(f"/api/sessions/{sid}/training",
                        json={"optimizer": "adam", "lr": 0.01, "batch_size": None, "seed": 3, "speed": 20}).json()
    assert state["training"] == {"optimizer": "adam", "lr": 0.01, "batch_size": None, "seed": 3, "speed": 20.0}


@pytest.mark.parametrize("settings, words", [
    ({"optimizer": "adma"}, "did you mean 'adam'"), ({"lr": 0}, "lr"), ({"lr": "fast"}, "lr"),
    ({"batch_size": 0}, "batch_size"), ({"seed": 1.5}, "seed"), ({"speed": -1}, "speed"), ({"speed": 1e-300}, "speed"), ({"speed": 1e-6}, "speed"),
    ({"momentum": 0.9}, "unknown training setting 'momentum'"),
    ({"optimizer": {"x": 1}}, "unknown optimizer {'x': 1}"), ({"optimizer": ["adam"]}, "unknown optimizer"),
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
    ({"edge": [["in_x"], ["out"]]}, "no edge"), ({"node": ["h.0"]}, "no node"),
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
    ({"format": "dagnet-playground", "text": "", "trained": open(TUTORIAL).read(), "start": "",
      "data": {"name": ["moons"]}}, "unknown data set ['moons']"),
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
    assert "unexpected RuntimeError: boom" in error_of(client.post(f"/api/sessions/{sid}/frame", json={}),
                                                       500)["error"]
    monkeypatch.undo()
    assert client.post(f"/api/sessions/{sid}/frame", json={"grid": 20}).status_code == 200


def test_an_unknown_route_or_method_is_refused(client, sid):
    assert client.get("/api/nothing").status_code == 404
    assert client.get(f"/api/sessions/{sid}/edit").status_code == 405
