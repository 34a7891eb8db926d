"""The open sessions of a server by id: at most ``limits.MAX_SESSIONS``, and only idle ones ever closed for room.

A page asks for a frame at least twice a second while it is open, so a
session nobody asked about for ``limits.ACTIVE_SECONDS`` is idle: when the
server is full a new session takes the place of the least recently used
idle one, and while every session is in use a new one is refused (429)
rather than taking a page away from someone using it. A session nobody
asked about for ``limits.SESSION_IDLE_SECONDS`` is closed in any case.

Examples
--------
>>> class Stub:
...     last_seen = 0.0
...     def close(self): pass
>>> sessions = Sessions(lambda saved: Stub())
>>> sid, session = sessions.create()
>>> sessions.get(sid) is session
True
"""
import os
import threading
import time

from . import limits
from .bodies import RequestError


class Sessions:
    """The open sessions by id; ``make(saved or None)`` builds a session (with ``last_seen`` and ``close()``)."""

    def __init__(self, make):
        self.make = make
        self.by_id = {}
        self.lock = threading.Lock()

    def create(self, saved=None):
        """``(id, session)`` of a new session; RequestError 429 while every place is in use."""
        with self.lock:
            self.make_room()              # refused before a session is built
        session = self.make(saved)
        session.last_seen = time.monotonic()
        with self.lock:
            try:
                self.make_room()          # others may have come in meanwhile
            except RequestError:
                session.close()
                raise
            sid = os.urandom(12).hex()
            self.by_id[sid] = session
        return sid, session

    def make_room(self):
        """Close idle sessions until one more fits (caller holds the lock), or RequestError 429."""
        self.prune()
        now = time.monotonic()
        while len(self.by_id) >= limits.MAX_SESSIONS:
            oldest = min(self.by_id, key=lambda k: self.by_id[k].last_seen)
            if now - self.by_id[oldest].last_seen < limits.ACTIVE_SECONDS:
                raise RequestError(429, f"the playground has {limits.MAX_SESSIONS} sessions in use, its most: "
                                        f"try again when a page has been closed")
            self.by_id.pop(oldest).close()

    def get(self, sid):
        """The session ``sid`` (now seen), or RequestError 404."""
        with self.lock:
            session = self.by_id.get(sid)
            if session is not None:
                session.last_seen = time.monotonic()
            self.prune()
        if session is None:
            raise RequestError(404, f"no session {sid!r} (it may have been closed after an hour "
                                    f"unused, or the server restarted): reload the page")
        return session

    def close(self, sid):
        """Close session ``sid`` if it is open."""
        with self.lock:
            session = self.by_id.pop(sid, None)
        if session is not None:
            session.close()

    def prune(self):
        """Close the sessions nobody asked about for ``limits.SESSION_IDLE_SECONDS`` (caller holds the lock)."""
        now = time.monotonic()
        for sid in [k for k, s in self.by_id.items() if now - s.last_seen > limits.SESSION_IDLE_SECONDS]:
            self.by_id.pop(sid).close()

    def close_all(self):
        """Close every session (the server stops)."""
        with self.lock:
            for session in self.by_id.values():
                session.close()
            self.by_id.clear()
