"""What the page is told about a session: its structure laid out, its data points, its settings.

:func:`state` is sent whole when the structure or the data changes (frames
carry only what training changes): plain data, the points as arrays
(:mod:`dagnet.playground.wire` makes JSON or binary buffers of them).

Examples
--------
>>> from dagnet.playground.session import Session
>>> session = Session()
>>> described = state(session)
>>> described["name"], len(described["nodes"]), described["data"]["n_train"]
('tutorial-2-5-1', 8, 80)
>>> session.close()
"""
import numpy as np

from ..structure import skip_edges
from .layout import positions


def state(session):
    """The session's structure, text, data and settings (the caller holds its lock)."""
    net = session.net
    where = positions(net.graph)
    skips = set(skip_edges(net.graph))
    nodes = [{"name": n, "role": d["role"], "activation": d["activation"], "group": d.get("group"),
              "column": where[n][0], "height": where[n][1]} for n, d in net.graph.nodes(data=True)]
    edges = [{"source": u, "target": v, "skip": (u, v) in skips,
              "trainable": net.graph.edges[u, v].get("trainable", True)} for u, v in session.edges]
    return {"version": session.version, "text": session.text, "name": net.name, "loss": net.loss,
            "inputs": net.inputs, "outputs": net.outputs, "nodes": nodes, "edges": edges,
            "biases": session.bias_nodes, "data": data_state(session),
            "training": dict(session.training), **session.status()}


def data_state(session):
    """The data settings, and the points (inputs, class or target, test or not), or the misfit."""
    settings = {k: v for k, v in session.data_settings.items() if k != "csv"}
    settings["csv"] = session.data_settings.get("csv") is not None
    data = session.data
    if data is None:
        return {"settings": settings, "error": session.data_error, "points": None}
    test = np.zeros(len(data.X), dtype=bool)
    test[data.test] = True
    points = {"x": np.round(data.X[:, list(data.own)], 5), "test": test,      # the plane's own inputs
              "label": data.labels, "y": None if data.labels is not None else np.round(data.Y[:, 0], 5)}
    return {"settings": settings, "error": None, "source": data.source, "task": data.task,
            "n_train": int(len(data.train)), "n_test": int(len(data.test)),
            "extent": data.extent, "points": points}
