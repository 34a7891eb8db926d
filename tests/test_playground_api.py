"""The playground server's routes, in-process: every route, and every kind of bad request."""
import json
import os
import re
import shlex

import pytest

pytest.importorskip("starlette", reason="the playground extra (starlette) is not installed")
testclient = pytest.importorskip("starlette.testclient", reason="starlette's TestClient needs httpx2 or httpx")

import dagnet  # noqa: E402
from dagnet.playground import limits  # noqa: E402
from dagnet.playground.server import make_app  # noqa: E402
from dagnet.playground.session import Session  # noqa: E402
from playground_support import CSV, JSON, TUTORIAL, client, error_of, sid  # noqa: E402,F401

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))



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
    assert [d["name"] for d in info["datasets"]] == dagnet.datasets.names(published=False)
    assert "cross_entropy" in info["losses"] and info["optimizers"]["adam"] == 0.001
    assert "tanh" in info["activations"] and info["limits"]["nodes"] == limits.MAX_NODES


def test_info_gives_each_data_sets_thumbnail_points_and_the_derived_inputs(client):
    info = client.get("/api/info").json()
    moons = next(d for d in info["datasets"] if d["name"] == "moons")
    assert len(moons["preview"]["x"]) == len(moons["preview"]["label"]) == 120
    assert "y" in next(d for d in info["datasets"] if d["name"] == "sine")["preview"]
    assert [(f["name"], f["label"]) for f in info["features"]][:2] == [("x^2", "x²"), ("y^2", "y²")]


def test_a_derived_input_is_added_and_taken_away_by_an_edit(client, sid):
    state = client.post(f"/api/sessions/{sid}/edit", json={"op": "toggle_feature", "feature": "xy"}).json()
    assert state["inputs"] == ["in_x", "in_y", "xy"] and state["data"]["error"] is None
    state = client.post(f"/api/sessions/{sid}/edit", json={"op": "toggle_feature", "feature": "xy"}).json()
    assert state["inputs"] == ["in_x", "in_y"]
    assert "known: x^2" in error_of(client.post(f"/api/sessions/{sid}/edit",
                                                json={"op": "toggle_feature", "feature": "x^3"}))["error"]


# -- sessions --------------------------------------------------------------------------------

def test_a_new_session_is_the_tutorials_2_5_1_network_on_its_red_and_blue_points(client):
    created = client.post("/api/sessions", json={}).json()
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
    a = client.post("/api/sessions", json={}).json()["id"]
    b = client.post("/api/sessions", json={}).json()["id"]
    client.post(f"/api/sessions/{a}/edit", json={"op": "toggle_edge", "source": "in_x", "target": "out"})
    client.post(f"/api/sessions/{a}/control", json={"action": "step"})
    state_b = client.get(f"/api/sessions/{b}").json()
    assert ["in_x", "out"] not in [[e["source"], e["target"]] for e in state_b["edges"]]
    assert state_b["epoch"] == 0


def test_past_the_limit_the_least_recently_used_idle_session_goes(client, monkeypatch):
    monkeypatch.setattr(limits, "MAX_SESSIONS", 2)
    first, second = (client.post("/api/sessions", json={}).json()["id"] for _ in range(2))
    client.get(f"/api/sessions/{first}")                      # first is used again: second is the older
    for sid in (first, second):                                # ...and both are idle now
        client.app.state.sessions.by_id[sid].last_seen -= limits.ACTIVE_SECONDS + 1
    assert client.post("/api/sessions", json={}).status_code == 200
    error_of(client.get(f"/api/sessions/{second}"), 404)
    assert client.get(f"/api/sessions/{first}").status_code == 200


def test_while_every_session_is_in_use_a_new_one_is_refused_and_none_is_closed(client, monkeypatch):
    monkeypatch.setattr(limits, "MAX_SESSIONS", 2)
    kept = [client.post("/api/sessions", json={}).json()["id"] for _ in range(2)]
    assert "2 sessions in use" in error_of(client.post("/api/sessions", json={}), 429)["error"]
    assert [client.get(f"/api/sessions/{sid}").status_code for sid in kept] == [200, 200]
    client.app.state.sessions.by_id[kept[0]].last_seen -= limits.ACTIVE_SECONDS + 1    # its page went away
    assert client.post("/api/sessions", json={}).status_code == 200
    error_of(client.get(f"/api/sessions/{kept[0]}"), 404)
    assert client.get(f"/api/sessions/{kept[1]}").status_code == 200


def test_a_refused_session_is_not_even_built(monkeypatch):
    monkeypatch.setattr(limits, "MAX_SESSIONS", 1)
    built = []

    def make(saved):
        built.append(saved)
        return Session()
    with testclient.TestClient(make_app(make)) as c:
        c.post("/api/sessions", json={})
        error_of(c.post("/api/sessions", json={}), 429)
    assert len(built) == 1


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
    error_of(client.post("/api/validate", content=body, headers=JSON))


@pytest.mark.parametrize("headers", [{"content-type": "text/plain"}, {}, CSV])
def test_data_of_another_kind_than_json_is_a_415(client, sid, headers):
    """A page of another site can POST text/plain without asking the browser first: refused."""
    body = b'{"action": "play"}'
    assert "expected an application/json body" in error_of(
        client.post(f"/api/sessions/{sid}/control", content=body, headers=headers), 415)["error"]
    assert client.get(f"/api/sessions/{sid}").json()["playing"] is False


def test_an_upload_of_another_kind_than_csv_is_a_415(client, sid):
    assert "expected a text/csv body" in error_of(
        client.post(f"/api/sessions/{sid}/csv?name=p.csv", content=b"x,y\n1,0\n", headers=JSON), 415)["error"]


def test_the_curl_example_of_the_docs_gets_the_reply_they_show(client):
    """docs/playground.md's curl command, sent to the app with the headers curl would send."""
    with open(os.path.join(ROOT, "docs", "playground.md"), encoding="utf-8") as f:
        block = re.search(r"^curl .*?^```", f.read(), re.S | re.M).group(0)
    words = shlex.split(block.splitlines()[0])
    headers = {"content-type": "application/x-www-form-urlencoded"}        # curl's own for -d
    headers.update(words[k + 1].split(": ", 1) for k, word in enumerate(words) if word == "-H")
    path = "/" + next(w for w in words if w.startswith("localhost:")).split("/", 1)[1]
    shown = json.loads(re.search(r"^# (\{.*\})$", block, re.M).group(1))
    assert client.post(path, content=words[words.index("-d") + 1].encode(), headers=headers).json() == shown


def test_a_host_the_playground_does_not_answer_to_is_a_403():
    with testclient.TestClient(make_app(allowed_hosts={"127.0.0.1:8765"})) as c:
        assert "not to host 'rebound.example'" in error_of(
            c.post("/api/sessions", json={}, headers={"host": "rebound.example"}), 403)["error"]
        assert c.post("/api/sessions", json={}, headers={"host": "127.0.0.1:8765"}).status_code == 200


@pytest.mark.parametrize("path", ["/", "/static/app.js", "/static/style.css", "/static/nothing.js", "/nothing",
                                  "/api/sessions/nope/frame"])
def test_every_path_checks_the_host_the_static_files_too(path):
    with testclient.TestClient(make_app(allowed_hosts={"127.0.0.1:8765"})) as c:
        for method in ("GET", "POST"):
            reply = c.request(method, path, headers={"host": "rebound.example"})
            assert "not to host 'rebound.example'" in error_of(reply, 403)["error"]
        assert c.get("/static/app.js", headers={"host": "127.0.0.1:8765"}).status_code == 200


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
