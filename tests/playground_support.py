"""What the playground's in-process API tests share: a client of the app, a session, an error reply."""
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
    """The body of an error reply of ``status``: ``{"error": text, "line": n?}``."""
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) <= {"error", "line"} and body["error"]
    return body
