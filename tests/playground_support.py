"""What the playground's API tests share: a client of the app, a session, an error reply, a real server."""
import contextlib
import threading
import time

import pytest

pytest.importorskip("starlette", reason="the playground extra (starlette) is not installed")
testclient = pytest.importorskip("starlette.testclient", reason="starlette's TestClient needs httpx2 or httpx")

from dagnet.playground.server import make_app  # noqa: E402

TUTORIAL = "topologies/tutorial_2_5_1.yaml"
JSON = {"content-type": "application/json"}
CSV = {"content-type": "text/csv"}


@pytest.fixture
def client():
    with testclient.TestClient(make_app()) as c:
        yield c


@pytest.fixture
def sid(client):
    return client.post("/api/sessions", json={}).json()["id"]


def error_of(response, status=400):
    """The body of an error reply of ``status``: ``{"error": one line, "line": n?}``."""
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) <= {"error", "line"} and body["error"] and "\n" not in body["error"]
    return body


@contextlib.contextmanager
def live_server(app):
    """A real uvicorn server of ``app`` (as ``dagnet playground`` serves it) in a thread: ``(host, port)``."""
    pytest.importorskip("uvicorn", reason="the playground extra (uvicorn) is not installed")
    from dagnet.playground.listen import bind, make_server
    sock = bind("127.0.0.1", 0)
    server = make_server(app)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 30
        while not server.started and thread.is_alive() and time.monotonic() < deadline:
            time.sleep(0.01)
        assert server.started, "the server did not start"
        yield sock.getsockname()[:2]
    finally:
        server.should_exit = True
        thread.join(timeout=30)
        sock.close()
