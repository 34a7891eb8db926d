"""Graph files other tools open: GraphML and GEXF (Gephi, Cytoscape, yEd), and node-link JSON.

``networkx.write_graphml(net.graph)`` fails (graph attributes hold lists,
an input's ``bias`` is None); :func:`typed_graph` gives a copy in which
every attribute is a string, an integer, a float or a boolean, and a
missing value is left out instead of None:

==========  ===============================================================================
nodes       ``label`` (the name as text), ``role``, ``activation``, ``bias`` (float; left out
            when the node has none), ``has_bias``, ``trainable``, ``group``, ``generation``
            (topological generation, 0 for inputs), ``column``, ``input_index``/``output_index``
edges       ``weight`` (float), ``trainable``, ``skip`` (the edge jumps over a generation)
graph       ``name``, ``description``, ``loss``, ``inputs``/``outputs`` (JSON lists of labels)
==========  ===============================================================================

Node-link JSON (:func:`to_node_link`, the format of ``networkx.node_link_data``)
keeps node names as they are (a tuple as a JSON list) and every weight as
the shortest decimal that round-trips a float64, so :func:`read_json` gives
back the same network: same names, structure, activations and
bit-identical parameters.

Examples
--------
>>> import dagnet, numpy as np
>>> net = dagnet.load("topologies/xor_skip.yaml")
>>> H = typed_graph(net)
>>> H.nodes["a"], H.edges["n", "y"]["weight"]
({'label': 'a', 'role': 'input', 'generation': 0, 'column': 0, 'input_index': 0}, -20.0)
>>> twin = from_node_link(to_node_link(net))
>>> bool(np.array_equal(twin.params, net.params)), twin.plan.nodes == net.plan.nodes
(True, True)
"""
import json
import math
import os

import networkx as nx

from .. import graph as graph_rules
from .. import limits
from ..files import atomic_write, read_text
from ..network import Network
from ..structure import generations
from . import InterchangeError

FORMAT = 1


def _labels(net):
    labels = {n: str(n) for n in net.graph}
    if len(set(labels.values())) < len(labels):
        seen = {}
        for n, text in labels.items():
            if text in seen:
                raise InterchangeError(f"nodes {seen[text]!r} and {n!r} have the same text {text!r}; "
                                       f"GraphML and GEXF name nodes by text, so rename one "
                                       f"(networkx.relabel_nodes)")
            seen[text] = n
    return labels


def typed_graph(net):
    """A plain ``networkx.DiGraph`` of ``net`` whose nodes are the names as text and whose
    attributes are all str, int, float or bool (what GraphML and GEXF can type).
    """
    G, plan = net.graph, net.plan
    labels = _labels(net)
    generation = generations(G)
    position_in = {n: k for k, n in enumerate(net.inputs)}
    position_out = {n: k for k, n in enumerate(net.outputs)}
    H = nx.DiGraph()
    for key in ("name", "description", "loss"):
        value = G.graph.get(key) if key != "loss" else net.loss
        if value is not None:
            H.graph[key] = str(value)
    H.graph["inputs"] = json.dumps([labels[n] for n in net.inputs])
    H.graph["outputs"] = json.dumps([labels[n] for n in net.outputs])
    for n, d in G.nodes(data=True):
        attrs = {"label": labels[n], "role": d["role"]}
        if d["role"] != "input":
            attrs["activation"] = d["activation"]
            attrs["has_bias"] = d.get("bias") is not None
            if d.get("bias") is not None:
                attrs["bias"] = float(d["bias"])
            attrs["trainable"] = bool(d.get("trainable", True))
        if d.get("group") is not None:
            attrs["group"] = str(d["group"])
        attrs["generation"] = generation[n]
        attrs["column"] = plan.column[n]
        if n in position_in:
            attrs["input_index"] = position_in[n]
        if n in position_out:
            attrs["output_index"] = position_out[n]
        H.add_node(labels[n], **attrs)
    for u, v, d in G.edges(data=True):
        H.add_edge(labels[u], labels[v], weight=float(d["weight"]),
                   trainable=bool(d.get("trainable", True)),
                   skip=generation[v] - generation[u] > 1)
    return H


def write_graphml(net, path):
    """Write :func:`typed_graph` as GraphML (atomically); return ``path``.

    Examples
    --------
    >>> import dagnet, os, tempfile, networkx as nx
    >>> net = dagnet.load("topologies/xor_skip.yaml")
    >>> path = write_graphml(net, os.path.join(tempfile.mkdtemp(), "xor.graphml"))
    >>> nx.read_graphml(path).edges["a", "n"]
    {'weight': 10.0, 'trainable': True, 'skip': False}
    """
    H = typed_graph(net)
    atomic_write(path, lambda f: nx.write_graphml(H, f), mode="wb")
    return path


def write_gexf(net, path):
    """Write :func:`typed_graph` as GEXF 1.2 (atomically); return ``path``.

    Examples
    --------
    >>> import dagnet, os, tempfile, networkx as nx
    >>> net = dagnet.load("topologies/xor_skip.yaml")
    >>> path = write_gexf(net, os.path.join(tempfile.mkdtemp(), "xor.gexf"))
    >>> nx.read_gexf(path).nodes["n"]["bias"]
    -15.0
    """
    H = typed_graph(net)
    atomic_write(path, lambda f: nx.write_gexf(H, f), mode="wb")
    return path


# -- node-link JSON --------------------------------------------------------------------------------

def _plain_name(name):
    """A node name as JSON data: str, int, float and bool stay, tuples become lists."""
    if isinstance(name, tuple):
        return [_plain_name(part) for part in name]
    if isinstance(name, (str, int, float)) and not (isinstance(name, float) and not math.isfinite(name)):
        return name
    raise InterchangeError(f"node name {name!r} ({type(name).__name__}) cannot be written as JSON; "
                           f"names must be strings, numbers or tuples of them")


def _name(data, where, source):
    """The node name a JSON value stands for: lists become tuples (a list cannot be a name)."""
    if isinstance(data, list):
        return tuple(_name(part, where, source) for part in data)
    if isinstance(data, (str, int, float)):
        return data
    raise InterchangeError(f"a node name must be a string, a number or a list, got {data!r}",
                           source=source, key=where)


def to_node_link(net):
    """``net`` as node-link data (plain JSON-ready dicts and lists), in graph order.

    Returns
    -------
    dict
        ``{"directed": True, "multigraph": False, "graph": {...}, "nodes": [...],
        "edges": [...]}``, as ``networkx.node_link_data(G, edges="edges")`` lays it out.
    """
    G = net.graph
    graph = {"dagnet_format": FORMAT, "name": net.name,
             "inputs": [_plain_name(n) for n in net.inputs],
             "outputs": [_plain_name(n) for n in net.outputs], "loss": net.loss}
    for key in ("description", "metadata"):
        if G.graph.get(key) is not None:
            graph[key] = G.graph[key]
    nodes = []
    for n, d in G.nodes(data=True):
        entry = {"id": _plain_name(n), "role": d["role"]}
        if d["role"] != "input":
            entry.update(activation=d["activation"], bias=d.get("bias"),
                         trainable=bool(d.get("trainable", True)))
        entry["group"] = d.get("group")
        nodes.append(entry)
    edges = [{"source": _plain_name(u), "target": _plain_name(v), "weight": float(d["weight"]),
              "trainable": bool(d.get("trainable", True))} for u, v, d in G.edges(data=True)]
    return {"directed": True, "multigraph": False, "graph": graph, "nodes": nodes, "edges": edges}


def write_json(net, path):
    """Write :func:`to_node_link` as JSON (atomically); return ``path``."""
    text = json.dumps(to_node_link(net), ensure_ascii=False, allow_nan=False, indent=1)
    atomic_write(path, lambda f: f.write(text + "\n"))
    return path


def from_node_link(data, source=None, engine="compiled"):
    """The Network that node-link ``data`` (a dict, or its JSON text) describes.

    Inputs, outputs and loss come from ``data["graph"]``; a node without
    ``bias`` or an edge without ``weight`` is initialised as
    :meth:`dagnet.Network.from_graph` does. ``source`` names the file in errors.
    Lists longer than :data:`dagnet.limits.LIMITS` allows are refused before
    any graph is built.
    """
    if isinstance(data, (str, bytes)):
        try:
            data = json.loads(data)
        except ValueError as err:
            raise InterchangeError(f"not JSON ({err})", source=source) from None
    if not isinstance(data, dict) or not isinstance(data.get("nodes"), list):
        raise InterchangeError("not node-link JSON: expected an object with a 'nodes' list",
                               source=source)
    edges_key = "edges" if "edges" in data else "links"
    if not isinstance(data.get(edges_key), list):
        raise InterchangeError("not node-link JSON: expected an 'edges' (or 'links') list", source=source)
    if data.get("directed") is False or data.get("multigraph") is True:
        raise InterchangeError("the graph must be directed and not a multigraph", source=source)
    too_big = limits.excess(len(data["nodes"]), len(data[edges_key]))
    if too_big:
        raise InterchangeError(too_big, source=source)
    graph = data.get("graph") if isinstance(data.get("graph"), dict) else {}
    G = nx.DiGraph()
    for key in ("name", "description", "metadata", "loss"):
        if graph.get(key) is not None:
            G.graph[key] = graph[key]
    for key in ("inputs", "outputs"):
        if isinstance(graph.get(key), list):
            G.graph[key] = [_name(n, f"graph.{key}[{k}]", source) for k, n in enumerate(graph[key])]
    for k, entry in enumerate(data["nodes"]):
        if not isinstance(entry, dict) or "id" not in entry:
            raise InterchangeError("expected an object with an 'id'", source=source, key=f"nodes[{k}]")
        node = _name(entry["id"], f"nodes[{k}].id", source)
        if node in G:
            raise InterchangeError(f"node {node!r} is listed twice", source=source, key=f"nodes[{k}]")
        attrs = {a: entry[a] for a in ("activation", "bias", "trainable", "group") if a in entry}
        G.add_node(node, **attrs)
    for k, entry in enumerate(data[edges_key]):
        where = f"{edges_key}[{k}]"
        if not isinstance(entry, dict) or "source" not in entry or "target" not in entry:
            raise InterchangeError("expected an object with 'source' and 'target'", source=source, key=where)
        u, v = _name(entry["source"], where, source), _name(entry["target"], where, source)
        for end in (u, v):
            if end not in G:
                raise InterchangeError(f"edge {u!r} -> {v!r}: {end!r} is not among the nodes",
                                       source=source, key=where)
        G.add_edge(u, v, **{a: entry[a] for a in ("weight", "trainable") if a in entry})
    return Network(graph_rules.build(G, source=source), engine=engine)


def read_json(path, engine="compiled"):
    """The Network in the node-link JSON file ``path`` (written by :func:`write_json`).

    Examples
    --------
    >>> import dagnet, os, tempfile, numpy as np
    >>> net = dagnet.load("topologies/deep_skip.yaml", seed=0)
    >>> path = write_json(net, os.path.join(tempfile.mkdtemp(), "net.json"))
    >>> bool(np.array_equal(read_json(path).params, net.params))
    True
    """
    path = os.fspath(path)
    return from_node_link(read_text(path, InterchangeError, what="node-link JSON file"), source=path,
                          engine=engine)
