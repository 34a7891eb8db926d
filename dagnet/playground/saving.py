"""A session as a file or a link, and back: the text, the trained and start weights, the settings.

The saved form is plain JSON data (the page packs it into a link too). The
weights travel as ordinary topology files (``net.to_yaml()``), so reopening
reads them through dagnet's strict reader like any other topology.

Examples
--------
>>> from dagnet.playground.session import Session
>>> session = Session()
>>> session.control("step")["epoch"]
1
>>> again = restore(saved(session))
>>> bool((again.net.params == session.net.params).all()), again.epoch
(True, 1)
>>> session.close(); again.close()
"""
from . import edits
from .session import Session

FORMAT = "dagnet-playground"


def saved(session):
    """The session as plain data that :func:`restore` (and the page's link) reopens."""
    with session.lock:
        start = session.net.copy()
        start.params = session.start
        return {"format": FORMAT, "version": 1, "text": session.text,
                "trained": session.net.to_yaml(), "start": start.to_yaml(),
                "data": dict(session.data_settings), "training": dict(session.training),
                "epoch": session.epoch}


def restore(data):
    """A new :class:`Session` from :func:`saved` data: the same text, weights, start, data and settings."""
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ValueError(f"not a saved playground (expected format: {FORMAT})")
    for key in ("text", "trained", "start"):
        if not isinstance(data.get(key), str):
            raise ValueError(f"a saved playground needs {key!r} as text")
    session = Session(data["trained"], data=data.get("data"), training=data.get("training"))
    start, _ = edits.from_text(data["start"])
    with session.lock:
        net = session.net
        session.start = edits.carry(start.params, start.plan, net.plan, net.params)
        session.text = data["text"]
        epoch = data.get("epoch", 0)
        session.epoch = epoch if isinstance(epoch, int) and not isinstance(epoch, bool) and epoch >= 0 else 0
    return session
