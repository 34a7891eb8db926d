"""The widget's requests to its session: the page's calls, answered as messages with binary buffers.

The widget's front end (``static/channel.js``) sends ``{"request": id,
"call": name, "args": {...}}``; :meth:`Channel.answer` runs the call on the
session and returns the reply ``{"reply": id, "value": ...}`` (or
``{"reply": id, "error": one line, "line": n}``) with its buffers: the same
calls, checks and errors as the HTTP routes of
:mod:`dagnet.playground.server`, without HTTP. Nothing here imports
anywidget, so it is tested without a notebook.

Examples
--------
>>> import dagnet
>>> from dagnet.playground.attached import AttachedSession
>>> channel = Channel(AttachedSession(dagnet.load("topologies/tutorial_2_5_1.yaml", seed=0)))
>>> reply, buffers = channel.answer({"request": 1, "call": "control", "args": {"action": "step"}})
>>> reply["reply"], reply["value"]["epoch"]
(1, 1)
>>> reply, buffers = channel.answer({"request": 2, "call": "frame", "args": {"grid": 20}})
>>> reply["value"]["weights"], len(buffers[0])
({'$buffer': 0, 'dtype': 'float64', 'shape': [15]}, 120)
>>> channel.answer({"request": 3, "call": "edit", "args": {"op": "toggle_edge", "source": "out", "target": "h.0"}})[0]
{'reply': 3, 'error': "cycle 'h.0' -> 'out' -> 'h.0': a topology must be loop-free"}
>>> channel.session.close()
"""
from ..errors import DagnetError, TopologyError
from ..playground.edits import from_text
from ..playground.settings import catalogue
from ..playground.wire import to_buffers
from ..playground.yamllines import error_line

#: The one session id the page is told: a widget has one session.
SESSION_ID = "widget"


class Channel:
    """Answers a widget's requests with ``session`` (an :class:`~dagnet.playground.attached.AttachedSession`)."""

    def __init__(self, session):
        self.session = session
        self.calls = {
            "info": lambda: catalogue(),
            "validate": self.validate,
            "create": lambda saved=None: {"id": SESSION_ID, "state": self.session.state()},
            "state": lambda: self.session.state(),
            "topology": lambda text: self.session.apply_text(text),
            "edit": lambda op=None, **arguments: self.session.edit(op, **arguments),
            "data": lambda **settings: self.session.set_data(settings),
            "csv": lambda text, name="upload.csv", test_fraction=None:
                self.session.set_csv(text, str(name)[:200], test_fraction),
            "training": lambda **settings: self.session.set_training(settings),
            "control": lambda action=None: self.session.control(action),
            "frame": lambda grid=100, node=None, edge=None: self.session.frame(grid, node, edge),
        }

    def validate(self, text):
        """Is ``text`` a topology? ``{"ok", ...}`` as the server's ``/api/validate`` says."""
        try:
            net, _ = from_text(text)
        except TopologyError as err:
            return {"ok": False, "error": str(err), "line": error_line(text, err.key)}
        return {"ok": True, "nodes": net.plan.n_nodes, "edges": len(net.plan.edge_slot), "parameters": net.n_params}

    def answer(self, message):
        """``(reply, buffers)`` for one request message (a dict); every failure is a reply, never raised."""
        request = message.get("request") if isinstance(message, dict) else None
        call, args = (message.get("call"), message.get("args") or {}) if isinstance(message, dict) else (None, {})
        try:
            if call not in self.calls:
                raise ValueError(f"unknown call {call!r}; known: {', '.join(self.calls)}")
            if not isinstance(args, dict):
                raise ValueError(f"the arguments of {call} must be a mapping")
            try:
                value = self.calls[call](**args)
            except TypeError as err:
                if "argument" not in str(err):
                    raise
                raise ValueError(f"{call}: {err}") from None
        except TopologyError as err:
            text = args.get("text") if isinstance(args, dict) else None
            line = error_line(text, err.key) if isinstance(text, str) else None
            return {"reply": request, "error": str(err), **({"line": line} if line else {})}, []
        except (DagnetError, ValueError) as err:
            return {"reply": request, "error": str(err)}, []
        except Exception as err:      # a bug: the widget says so and keeps working
            return {"reply": request, "error": f"unexpected {type(err).__name__}: {err}"}, []
        packed, buffers = to_buffers(value)
        return {"reply": request, "value": packed}, buffers
