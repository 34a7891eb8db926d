"""The playground's HTTP server: JSON routes over sessions, and the static page.

Built on starlette, the ``playground`` extra, imported when :func:`make_app`
runs, so this module imports without it (:mod:`dagnet.playground.listen`
serves the app with uvicorn). The page pulls one frame at a time
(``POST /api/sessions/{id}/frame``) and asks for the next once it has drawn
the last: the page never falls behind, training runs in its own thread
meanwhile, and no long-lived connection holds up Ctrl-C.

Every request is answered: a malformed one with a 4xx status and
``{"error": message}`` (``"line"`` too when a topology text is at fault),
an unexpected failure with 500, and the server keeps running.

=======================================  ==========================================
route                                    does
=======================================  ==========================================
``GET  /``                               the page (``static/index.html``)
``GET  /api/info``                       data sets, losses, optimisers, activations, limits
``POST /api/validate``                   ``{"text"}``: is it a topology? error and line if not
``POST /api/sessions``                   a new session (``{"saved": ...}`` reopens one)
``GET  /api/sessions/{id}``              its state; ``DELETE`` closes it
``POST /api/sessions/{id}/topology``     ``{"text"}``: build the network of the text
``POST /api/sessions/{id}/edit``         ``{"op", ...}``: toggle_edge, add_perceptron, ...
``POST /api/sessions/{id}/data``         built-in data settings
``POST /api/sessions/{id}/csv``          CSV text as the body (``?name=``, ``?test_fraction=``)
``POST /api/sessions/{id}/training``     optimiser, lr, batch size, seed, speed
``POST /api/sessions/{id}/control``      ``{"action"}``: play, pause, step, reset
``POST /api/sessions/{id}/frame``        ``{"grid", "node", "edge"}``: what to draw now
``GET  /api/sessions/{id}/trained.yaml`` the trained topology (``dagnet.load`` reads it)
``GET  /api/sessions/{id}/saved.json``   the whole session, to reopen
``GET  /api/sessions/{id}/network.png``  the CLI's picture of the network (needs matplotlib)
=======================================  ==========================================
"""
import contextlib
import json
import os

from ..errors import DagnetError, TopologyError
from . import limits, saving
from .bodies import RequestError, json_object, read_body
from .edits import from_text
from .listen import MissingExtra
from .registry import Sessions
from .session import Session
from .settings import catalogue
from .wire import to_json
from .yamllines import error_line

STATIC = os.path.join(os.path.dirname(os.path.abspath(__file__)), "static")


def _starlette():
    try:
        import starlette  # noqa: F401
    except ImportError:
        raise MissingExtra() from None


def _topology_error(err, text):
    line = error_line(text, err.key) if isinstance(text, str) else None
    return RequestError(400, str(err), line)


class HostCheck:
    """ASGI middleware: a request to any path (routes, static files, none) must name an allowed host, else 403.

    ``allowed_hosts`` is a set of Host header values, or None for any.
    """

    def __init__(self, app, allowed_hosts):
        self.app, self.allowed_hosts = app, allowed_hosts

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http" and self.allowed_hosts is not None:
            host = next((value.decode("latin-1") for name, value in scope["headers"] if name == b"host"), None)
            if host not in self.allowed_hosts:
                from starlette.responses import JSONResponse
                reply = JSONResponse({"error": f"the playground answers to {', '.join(sorted(self.allowed_hosts))}, "
                                               f"not to host {host!r}"}, status_code=403)
                return await reply(scope, receive, send)
        await self.app(scope, receive, send)


def make_app(make_session=None, allowed_hosts=None):
    """The starlette application; ``make_session(saved)`` builds a session (default :class:`Session`).

    ``allowed_hosts`` (``{"127.0.0.1:8765", ...}``) are the Host headers the
    page may be reached by; a request naming another host is refused, so
    that a web site cannot reach the playground through a name of its own
    that points at this machine (DNS rebinding). None allows any.

    Requests that send data must say what it is (``application/json``, or
    ``text/csv`` for an upload): a page of another site can send neither
    without the browser asking first, which this server never grants.

    Examples
    --------
    >>> from starlette.testclient import TestClient          # doctest: +SKIP
    >>> client = TestClient(make_app())                      # doctest: +SKIP
    >>> client.post("/api/sessions").json()["state"]["name"]  # doctest: +SKIP
    'tutorial-2-5-1'
    """
    _starlette()
    from starlette.applications import Starlette
    from starlette.middleware import Middleware
    from starlette.concurrency import run_in_threadpool
    from starlette.responses import FileResponse, JSONResponse, Response
    from starlette.routing import Mount, Route
    from starlette.staticfiles import StaticFiles

    def default_session(saved):
        return Session() if saved is None else saving.restore(saved)

    sessions = Sessions(make_session or default_session)

    def check_media_type(request, media_type):
        if request.method == "POST":
            given = request.headers.get("content-type", "").split(";")[0].strip().lower()
            if given != media_type:
                article = "an" if media_type[0] in "aeiou" else "a"
                raise RequestError(415, f"expected {article} {media_type} body, got {given or 'no content type'}")

    def route(handler, media_type="application/json"):
        """Run ``handler(request, body)`` off the event loop; turn every failure into a JSON reply."""
        async def endpoint(request):
            try:
                check_media_type(request, media_type)
                body = await read_body(request) if request.method in ("POST", "PUT") else b""
                result = await run_in_threadpool(handler, request, body)
                return result if isinstance(result, Response) else JSONResponse(to_json(result))
            except RequestError as err:
                payload = {"error": err.message}
                if err.line is not None:
                    payload["line"] = err.line
                # a body not read to its end (too slow, too big) leaves nothing to keep the connection for
                close = {"connection": "close"} if err.status in (408, 413) else None
                return JSONResponse(payload, status_code=err.status, headers=close)
            except (DagnetError, ValueError) as err:
                return JSONResponse({"error": str(err)}, status_code=400)
            except Exception as err:   # a bug: say so, keep serving
                return JSONResponse({"error": f"unexpected {type(err).__name__}: {err}"}, status_code=500)
        return endpoint

    def session_of(request):
        return sessions.get(request.path_params["sid"])

    def with_text(body, apply):
        data = json_object(body)
        text = data.get("text")
        if not isinstance(text, str):
            raise RequestError(400, 'expected {"text": "...topology YAML..."}')
        try:
            return apply(text)
        except TopologyError as err:
            raise _topology_error(err, text) from None

    def info(request, body):
        return catalogue()

    def validate(request, body):
        text = json_object(body).get("text")
        if not isinstance(text, str):
            raise RequestError(400, 'expected {"text": "...topology YAML..."}')
        try:
            net, _ = from_text(text)
        except TopologyError as err:
            return {"ok": False, "error": str(err), "line": error_line(text, err.key)}
        return {"ok": True, "nodes": net.graph.number_of_nodes(), "edges": net.graph.number_of_edges(),
                "parameters": net.n_params}

    def create(request, body):
        data = json_object(body)
        saved = data.get("saved")
        try:
            sid, session = sessions.create(saved)
        except TopologyError as err:
            raise RequestError(400, f"the saved playground's topology: {err}") from None
        return {"id": sid, "state": session.state()}

    def state(request, body):
        return session_of(request).state()

    def close(request, body):
        sessions.get(request.path_params["sid"])
        sessions.close(request.path_params["sid"])
        return {"closed": True}

    def topology(request, body):
        session = session_of(request)
        return with_text(body, session.apply_text)

    def edit(request, body):
        session = session_of(request)
        data = json_object(body)
        op = data.pop("op", None)
        return session.edit(op, **data)

    def data_settings(request, body):
        return session_of(request).set_data(json_object(body))

    def csv_upload(request, body):
        session = session_of(request)
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError as err:
            raise RequestError(400, f"the CSV file is not UTF-8 text ({err.reason} at byte {err.start})") from None
        name = request.query_params.get("name") or "upload.csv"
        fraction = request.query_params.get("test_fraction")
        try:
            fraction = None if fraction is None else float(fraction)
        except ValueError:
            raise RequestError(400, f"test_fraction must be a number, got {fraction!r}") from None
        return session.set_csv(text, os.path.basename(name)[:200], fraction)

    def training(request, body):
        return session_of(request).set_training(json_object(body))

    def control(request, body):
        return session_of(request).control(json_object(body).get("action"))

    frame_reply = route(lambda request, body: frame(request, body))

    async def frame_endpoint(request):
        """A frame's whole request (reading, computing, encoding) with training giving way."""
        try:
            session = sessions.get(request.path_params["sid"])
        except RequestError:
            return await frame_reply(request)      # the usual 404 reply
        with session.giving_way():
            return await frame_reply(request)

    def frame(request, body):
        session = session_of(request)
        data = json_object(body)
        unknown = sorted(set(data) - {"grid", "node", "edge"})
        if unknown:
            raise RequestError(400, f"unknown frame field {unknown[0]!r}; known: grid, node, edge")
        return session.frame(data.get("grid", 100), data.get("node"), data.get("edge"))

    def attachment(content, filename, media_type):
        return Response(content, media_type=media_type,
                        headers={"Content-Disposition": f'attachment; filename="{filename}"'})

    def trained(request, body):
        session = session_of(request)
        name = session.net.name or "network"
        return attachment(session.trained_yaml(), f"{_file_name(name)}-trained.yaml", "application/x-yaml")

    def saved(request, body):
        session = session_of(request)
        return attachment(json.dumps(saving.saved(session)), "playground.json", "application/json")

    def network_png(request, body):
        session = session_of(request)
        from io import BytesIO

        from .. import plots
        try:
            with session.lock:
                net = session.net.copy()
            fig = plots.draw_network(net)
        except plots.MissingMatplotlib as err:
            raise RequestError(501, str(err)) from None
        out = BytesIO()
        fig.savefig(out, format="png", dpi=120, bbox_inches="tight")
        return attachment(out.getvalue(), f"{_file_name(net.name or 'network')}.png", "image/png")

    def index(request, body):
        return FileResponse(os.path.join(STATIC, "index.html"), headers={"Cache-Control": "no-store"})

    sid = "/api/sessions/{sid}"
    routes = [
        Route("/", route(index)),
        Route("/api/info", route(info)),
        Route("/api/validate", route(validate), methods=["POST"]),
        Route("/api/sessions", route(create), methods=["POST"]),
        Route(sid, route(state), methods=["GET"]),
        Route(sid, route(close), methods=["DELETE"]),
        Route(sid + "/topology", route(topology), methods=["POST"]),
        Route(sid + "/edit", route(edit), methods=["POST"]),
        Route(sid + "/data", route(data_settings), methods=["POST"]),
        Route(sid + "/csv", route(csv_upload, "text/csv"), methods=["POST"]),
        Route(sid + "/training", route(training), methods=["POST"]),
        Route(sid + "/control", route(control), methods=["POST"]),
        Route(sid + "/frame", frame_endpoint, methods=["POST"]),
        Route(sid + "/trained.yaml", route(trained)),
        Route(sid + "/saved.json", route(saved)),
        Route(sid + "/network.png", route(network_png)),
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
    ]
    @contextlib.asynccontextmanager
    async def lifespan(app):
        yield
        sessions.close_all()

    app = Starlette(routes=routes, lifespan=lifespan, middleware=[Middleware(HostCheck, allowed_hosts=allowed_hosts)])
    app.state.sessions = sessions
    return app


def _file_name(name):
    safe = "".join(c if c.isalnum() or c in "-_." else "-" for c in str(name)).strip("-.")
    return safe[:80] or "network"
