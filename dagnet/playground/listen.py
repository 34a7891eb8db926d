"""Where and how the playground listens: a socket on the loopback address by default, served by uvicorn.

Examples
--------
>>> is_loopback("127.0.0.1"), is_loopback("localhost"), is_loopback("::1"), is_loopback("0.0.0.0")
(True, True, True, False)
>>> sock = bind("127.0.0.1", 0)          # a free port
>>> url_of(sock).startswith("http://127.0.0.1:")
True
>>> sock.close()
"""
import ipaddress
import os
import socket
import sys
import threading
import webbrowser

from . import MISSING_EXTRA, limits

#: Seconds a thread may hold the GIL while another waits, in the server process (Python's default: 0.005).
SWITCH_INTERVAL = 0.001


class MissingExtra(ImportError):
    """starlette or uvicorn is not installed."""

    def __init__(self):
        super().__init__(MISSING_EXTRA)


def is_loopback(host):
    """True for 127.0.0.0/8, ::1 and ``localhost``."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def bind(host, port):
    """A listening socket on ``host``:``port`` (0: a free port the system picks)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    sock.listen(128)
    sock.set_inheritable(True)
    return sock


def url_of(sock):
    host, port = sock.getsockname()[:2]
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}/"


def has_display():
    """False on a Linux or BSD machine without a graphical session, where a browser would be a text one.

    Python's webbrowser falls back to lynx or w3m there, which would take
    over the terminal the server prints to.
    """
    if sys.platform.startswith(("linux", "freebsd", "openbsd", "netbsd")):
        return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
    return True


def serve(app, sock, open_browser=True, announce=print):
    """Serve ``app`` on the bound socket ``sock`` until Ctrl-C (uvicorn); return when stopped."""
    url = url_of(sock)
    # The training threads hold the GIL between numpy calls; a shorter switch interval than the
    # default 5 ms hands it back to the thread answering the page sooner (measured in docs/playground.md).
    sys.setswitchinterval(SWITCH_INTERVAL)
    server = make_server(app)
    announce(f"dagnet playground at {url}  (Ctrl-C stops it)")
    sys.stdout.flush()
    if open_browser and has_display():
        opener = threading.Timer(0.5, lambda: webbrowser.open(url))
        opener.daemon = True
        opener.start()
    server.run(sockets=[sock])


def make_server(app):
    """A uvicorn server of ``app`` that bounds slow and many clients (``server.run(sockets=[sock])`` runs it).

    A request head must be in within ``limits.HEAD_SECONDS`` of the
    connection (or of the last reply), an idle connection closes after
    ``limits.KEEP_ALIVE_SECONDS``, and past ``limits.MAX_CONNECTIONS``
    connections a request is answered 503 at once; the server's routes
    bound the time a body takes (``limits.BODY_SECONDS``).
    """
    try:
        import uvicorn
    except ImportError:
        raise MissingExtra() from None
    config = uvicorn.Config(app, log_level="warning", timeout_graceful_shutdown=1, lifespan="on",
                            http=timed_protocol(), timeout_keep_alive=limits.KEEP_ALIVE_SECONDS,
                            limit_concurrency=limits.MAX_CONNECTIONS)
    return uvicorn.Server(config)


def timed_protocol():
    """uvicorn's h11 protocol, closing a connection whose request head does not come in time.

    uvicorn closes an idle keep-alive connection, but waits for ever on a
    request head that trickles in a byte at a time: this class arms a timer
    when a connection opens and after every reply, and closes the
    connection when no new request has begun by then.
    """
    from uvicorn.protocols.http.h11_impl import H11Protocol

    class TimedH11Protocol(H11Protocol):
        head_timer = None

        def connection_made(self, transport):
            super().connection_made(transport)
            self.expect_head(None)

        def on_response_complete(self):
            answered = self.cycle
            super().on_response_complete()
            self.expect_head(answered)

        def connection_lost(self, exc):
            if self.head_timer is not None:
                self.head_timer.cancel()
            super().connection_lost(exc)

        def expect_head(self, answered):
            """Close the connection unless a request after ``answered`` (None: any) begins in time."""
            if self.head_timer is not None:
                self.head_timer.cancel()

            def check():
                if self.cycle is answered:
                    self.timeout_keep_alive_handler()      # closes the connection (if still open)
            self.head_timer = self.loop.call_later(limits.HEAD_SECONDS, check)

    return TimedH11Protocol
