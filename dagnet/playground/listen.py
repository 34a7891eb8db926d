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

from . import MISSING_EXTRA

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
    try:
        import uvicorn
    except ImportError:
        raise MissingExtra() from None
    url = url_of(sock)
    # The training threads hold the GIL between numpy calls; a shorter switch interval than the
    # default 5 ms hands it back to the thread answering the page sooner (measured in docs/playground.md).
    sys.setswitchinterval(SWITCH_INTERVAL)
    config = uvicorn.Config(app, log_level="warning", timeout_graceful_shutdown=1, lifespan="on")
    server = uvicorn.Server(config)
    announce(f"dagnet playground at {url}  (Ctrl-C stops it)")
    sys.stdout.flush()
    if open_browser and has_display():
        opener = threading.Timer(0.5, lambda: webbrowser.open(url))
        opener.daemon = True
        opener.start()
    server.run(sockets=[sock])
