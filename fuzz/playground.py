"""The playground's server: any request body, to any route, ends in a 2xx or 4xx reply, never a 5xx.

An input is a route name on its first line (``edit``, ``csv?test_fraction=0.5``, ...;
a line naming no route picks one by its checksum) and the request body
after it. Each input gets a fresh session, closed when the reply is in, so
that every finding replays alone. The app runs in-process under
starlette's TestClient, as the playground's API tests run it. A 4xx reply
is allowed (as :class:`Refused`, whose message tells outcomes apart); a
5xx reply or an exception escaping the app is a finding.
"""
import json
import urllib.parse
import zlib

from .harness import Target

TUTORIAL = "topologies/tutorial_2_5_1.yaml"

#: route name -> (method, path, content type); ``{sid}`` is the input's own session
ROUTES = {
    "info": ("GET", "/api/info", None),
    "validate": ("POST", "/api/validate", "application/json"),
    "create": ("POST", "/api/sessions", "application/json"),
    "state": ("GET", "/api/sessions/{sid}", None),
    "close": ("DELETE", "/api/sessions/{sid}", None),
    "topology": ("POST", "/api/sessions/{sid}/topology", "application/json"),
    "edit": ("POST", "/api/sessions/{sid}/edit", "application/json"),
    "data": ("POST", "/api/sessions/{sid}/data", "application/json"),
    "csv": ("POST", "/api/sessions/{sid}/csv", "text/csv"),
    "training": ("POST", "/api/sessions/{sid}/training", "application/json"),
    "control": ("POST", "/api/sessions/{sid}/control", "application/json"),
    "frame": ("POST", "/api/sessions/{sid}/frame", "application/json"),
    "trained": ("GET", "/api/sessions/{sid}/trained.yaml", None),
    "saved": ("GET", "/api/sessions/{sid}/saved.json", None),
}


class ServerError(Exception):
    """The server answered with a 5xx status: a finding."""


class Refused(Exception):
    """The server answered with a 4xx status (allowed): its message makes a new outcome grow the corpus."""


def _seeds():
    text = open(TUTORIAL, encoding="utf-8").read()
    from dagnet.playground import saving
    from dagnet.playground.session import Session
    session = Session(text)
    try:
        session.control("step")
        saved = saving.saved(session)
    finally:
        session.close()
    bodies = [
        ("validate", {"text": text}),
        ("validate", {"text": "inputs: [a]\noutputs: [y]\nnodes: {h: {size: 3}, y: {}}\n"
                              "edges: [{from: a, to: h}, {from: h, to: y, weight: 0.5}]\n"}),
        ("create", {}), ("create", {"saved": saved}),
        ("topology", {"text": text + "  - {from: in_x, to: out}\n"}),
        ("edit", {"op": "toggle_edge", "source": "in_x", "target": "out"}),
        ("edit", {"op": "add_perceptron", "beside": "h.0"}),
        ("edit", {"op": "remove_perceptron", "node": "h.1"}),
        ("edit", {"op": "set_activation", "node": "h.0", "activation": "tanh"}),
        ("edit", {"op": "set_loss", "loss": "binary_cross_entropy"}),
        ("edit", {"op": "toggle_feature", "feature": "sin(x)"}),
        ("data", {"name": "moons", "n_samples": 100, "noise": 0.1, "data_seed": 3, "test_fraction": 0.3}),
        ("training", {"optimizer": "adam", "lr": 0.01, "batch_size": 4, "seed": 1, "speed": 20}),
        ("control", {"action": "step"}), ("control", {"action": "play"}), ("control", {"action": "reset"}),
        ("frame", {"grid": 20, "node": "h.0", "edge": ["in_x", "h.0"]}),
    ]
    seeds = [f"{route}\n{json.dumps(body)}" for route, body in bodies]
    seeds += ["csv?name=mine.csv&test_fraction=0.25\nx1,x2,label\n0.1,0.2,0\n0.5,0.4,1\n0.9,0.1,1\n0.3,0.8,0\n",
              "info\n", "state\n", "close\n", "trained\n", "saved\n"]
    return seeds


TOKENS = [f'"{word}"' for word in ("text", "saved", "op", "source", "target", "beside", "node", "edge", "activation",
                                    "loss", "name", "n_samples", "noise", "data_seed", "test_fraction", "csv",
                                    "optimizer", "lr", "batch_size", "seed", "speed", "action", "grid", "format",
                                    "trained", "start", "toggle_edge", "add_perceptron", "play", "step", "moons",
                                    "h.0", "in_x", "out", "dagnet-playground", "sgd", "adam",
                                    "toggle_feature", "feature", "x^2", "xy")] + \
    list(ROUTES) + ["{}", "[]", "null", "true", "1e999", "-1", "0.5", "1e-300", "2e2", '{"x": 1}', '["a", 1]',
                    '"\\u0000"', '"\\ud800"', "\\n", "\\r", ",", ":", "?test_fraction=", "&name=", "size: 1e3"]


_client = None


def _app_client():
    global _client
    if _client is None:
        from starlette.testclient import TestClient

        from dagnet.playground.server import make_app
        _client = TestClient(make_app())
        _client.__enter__()          # one portal (event loop thread) for the whole run
    return _client


def call(text):
    first, _, body = text.partition("\n")
    name, _, query = first.strip().partition("?")
    if name not in ROUTES:
        name = sorted(ROUTES)[zlib.crc32(first.encode("utf-8", "surrogatepass")) % len(ROUTES)]
    method, path, media_type = ROUTES[name]
    client = _app_client()
    sessions = client.app.state.sessions
    sid, _ = sessions.create()
    try:
        # a request line is at most a few KiB (uvicorn's h11 takes 16 KiB of head): longer is the client's error
        query = urllib.parse.quote(query.encode("utf-8", "surrogatepass"), safe="=&")[:4096]
        url = path.format(sid=sid) + (f"?{query}" if query else "")
        reply = client.request(method, url, content=body.encode("utf-8", "surrogatepass"),
                               headers={"content-type": media_type} if media_type else {})
    finally:
        sessions.close_all()
    if reply.status_code >= 500:
        raise ServerError(f"{reply.status_code} from {method} {name}: {reply.text[:200]}")
    if reply.status_code >= 400:
        try:
            message = reply.json().get("error", "")
        except ValueError:                 # the router's own 404 and 405 are text
            message = reply.text
        raise Refused(f"{name} {reply.status_code}: {message}")


TARGET = Target("playground", _seeds(), TOKENS, call, (Refused,))
