"""Write networks and graphs as topology files that :func:`dagnet.load` reads back.

One writer, three forms of the same format:

- ``"flat"`` (a Network's default): every node and, per target, its
  incoming edges with their weights, as JSON-shaped YAML that loads at C
  speed; every weight and bias as the shortest decimal that round-trips a
  float64, so a saved network predicts bit-identically. A network's is
  written from its arrays (:mod:`dagnet.flatwriter`).
- ``"grouped"`` (a graph's default): groups stay ``{size: N}`` and edges
  between whole groups stay one entry, as a person would write it; weights
  the graph has are written, missing ones are left to the loader's seed.
- ``"table"`` (a network's, for big ones): the flat form's nodes, and its
  edges in a NumPy ``.npy`` table beside the file, named there with its
  count and sha256 (``docs/topology-format.md``).

Writes are atomic (:func:`dagnet.files.atomic_write`).

Examples
--------
>>> import dagnet
>>> print(to_yaml(dagnet.generate.graph("mlp", sizes=[5])), end="")
name: mlp
description: "dagnet.generate mlp: sizes=[5], activations=tanh"
inputs: {x: 2}
outputs: [y]
loss: binary_cross_entropy
defaults: {activation: tanh}
nodes:
  h1: {size: 5}
  y: {activation: sigmoid}
edges:
  - {from: x, to: h1}
  - {from: h1, to: y}
"""
import json
import math
import os
import re
import sys

import yaml

from . import edgelists, flatwriter
from .files import atomic_write
from .grouping import grouped_data

try:  # libyaml's C emitter when present
    _Dumper = yaml.CSafeDumper
except AttributeError:  # pragma: no cover
    _Dumper = yaml.SafeDumper

FORMAT_VERSION = 1
FORMS = ("flat", "grouped", "table")

_PLAIN = re.compile(r"[A-Za-z_][A-Za-z0-9_.\-]*\Z")
_RESERVED = {"true", "false", "yes", "no", "on", "off", "null", "~"}   # YAML 1.1 readers take these as non-text


def check_name(node):
    """``node`` if a topology file can hold it as a name (a string or an integer), else ValueError."""
    if isinstance(node, bool) or not isinstance(node, (str, int)):
        raise ValueError(f"node name {node!r} cannot be written to a topology file: names must be "
                         f"strings or integers (rename with networkx.relabel_nodes)")
    return node


def scalar(value):
    """One YAML flow scalar that dagnet's reader reads back as exactly ``value``."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"cannot write the non-finite number {value!r}")
        return repr(value)
    if isinstance(value, str):
        if _PLAIN.match(value) and value.lower() not in _RESERVED:
            return value
        return json.dumps(value, ensure_ascii=False)   # JSON strings are YAML double-quoted strings
    return scalar(check_name(value))


def flow(value):
    """``value`` (plain data) as one line of YAML flow style."""
    if isinstance(value, dict):
        return "{" + ", ".join(f"{scalar(k)}: {flow(v)}" for k, v in value.items()) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(flow(v) for v in value) + "]"
    return scalar(value)


def node_attributes(attrs):
    """The topology-file attributes of one perceptron (``bias`` None means no bias)."""
    out = {"activation": attrs.get("activation") or "sigmoid"}
    bias = attrs.get("bias", True)
    out["bias"] = False if bias is None else bias
    for key in ("init", "bias_init"):
        if attrs.get(key) is not None:
            out[key] = attrs[key]
    if attrs.get("trainable", True) is False:
        out["trainable"] = False
    return out


def _graph_parts(G):
    """(inputs, outputs, loss or None) of a DiGraph: its own, or its sources and sinks."""
    inputs = G.graph.get("inputs") or sorted((n for n in G if G.in_degree(n) == 0), key=repr)
    outputs = G.graph.get("outputs") or sorted((n for n in G if G.out_degree(n) == 0), key=repr)
    return list(inputs), list(outputs), G.graph.get("loss")


def _is_digraph(source):
    """Whether ``source`` is a networkx DiGraph (networkx unloaded: it cannot be one)."""
    nx = sys.modules.get("networkx")
    return nx is not None and isinstance(source, nx.DiGraph)


def to_data(source, form=None, body=True):
    """A Network or DiGraph as plain topology-file data (``form``: "flat" or "grouped").

    ``body=False``: the flat form without ``nodes`` and ``edges``.
    """
    is_graph = _is_digraph(source) and not source.is_multigraph()
    if not is_graph and not (hasattr(source, "plan") and hasattr(source, "params")):
        raise ValueError(f"expected a dagnet.Network or a networkx.DiGraph, got {type(source).__name__}")
    form = form or ("grouped" if is_graph else "flat")
    if form not in FORMS:
        raise ValueError(f"unknown form {form!r}; known: {', '.join(FORMS)}")
    if form == "table":
        raise ValueError("form 'table' is two files, a topology file and its edge table: write it with "
                         "net.save(path, form='table')")
    names = list(source) if is_graph else source.plan.wiring.names
    if not set(map(type, names)) <= {str}:
        for n in names:
            check_name(n)
    attributes = source.graph if is_graph else source.attributes
    head = {key: attributes[key] for key in ("name", "description") if attributes.get(key)}
    metadata = dict(attributes.get("metadata") or {})
    if not is_graph:
        metadata.update(saved_by="dagnet", format=FORMAT_VERSION)
    if metadata:
        head["metadata"] = metadata
    if is_graph:
        inputs, outputs, loss = _graph_parts(source)
    else:
        inputs, outputs, loss = list(source.inputs), list(source.outputs), source.loss
    if form == "grouped":
        G = source if is_graph else source.graph   # a network's live view: values read as attributes
        body = grouped_data(G, inputs, outputs, node_attributes)
        if loss is not None:
            body.setdefault("loss", loss)
        return {**head, **body}
    head.update(inputs=inputs, outputs=outputs, loss=loss or "mse")
    if not body:
        return head
    return {**head, **(_graph_flat_body(source, inputs) if is_graph else flatwriter.flat_data(source))}


def _graph_flat_body(G, inputs):
    """Every perceptron, and per target one edge entry per kind (trainable, fixed), weights where all are given."""
    input_set = set(inputs)
    nodes, edges = {}, []
    for node, attrs in G.nodes(data=True):
        if node in input_set:
            continue
        nodes[node] = _node_entry(node_attributes(attrs), attrs.get("group"))
        for trainable in (True, False):
            preds = [(u, G.edges[u, node].get("weight"))
                     for u, _, t in G.in_edges(node, data="trainable", default=True) if t is trainable]
            if preds:
                edge = {"from": [u for u, _ in preds], "to": node}
                if all(w is not None for _, w in preds):
                    edge["weight"] = [w for _, w in preds]
                if not trainable:
                    edge["trainable"] = False
                edges.append(edge)
    return {"nodes": nodes, "edges": edges}


def _node_entry(entry, group):
    if group is None:
        return entry
    return {"activation": entry.pop("activation"), "bias": entry.pop("bias"), "group": group, **entry}


def to_yaml(source, form=None):
    """A Network or DiGraph as topology-file text (see :func:`to_data` for ``form``)."""
    is_graph = _is_digraph(source)
    if not is_graph and (form or "flat") == "flat" and set(map(type, source.plan.wiring.names)) <= {str}:
        return flatwriter.network_text(to_data(source, "flat", body=False), source)
    data = to_data(source, form)
    if form == "grouped" or (form is None and is_graph):
        return _block_text(data)
    if not all(isinstance(n, str) for n in data["nodes"]):   # JSON keys must be strings
        return _yaml_text(data)
    return flatwriter.data_text(data)


def _yaml_text(data):
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, default_flow_style=None, allow_unicode=True,
                     width=120)


def _block_text(data):
    lines = []
    for key, value in data.items():
        if key == "nodes":
            lines.append("nodes:")
            lines += [f"  {scalar(n)}: {flow(a)}" for n, a in value.items()]
        elif key == "edges":
            lines.append("edges:" if value else "edges: []")
            lines += [f"  - {flow(e)}" for e in value]
        else:
            lines.append(f"{key}: {flow(value)}")
    return "\n".join(lines) + "\n"


def save(net, path, form="flat"):
    """Write the topology of ``net`` with every current weight and bias to ``path`` (atomically).

    ``dagnet.load(path)`` gives a network that predicts bit-identically.
    ``form``: ``"flat"`` (one file, every weight in it), ``"table"`` (the
    edges in a NumPy table beside it, ``net.yaml`` -> ``net.edges.npy``:
    several times faster for big networks) or ``"grouped"`` (groups as
    ``{size: N}``); see ``docs/topology-format.md``. As ``Network.save``.

    Examples
    --------
    >>> import dagnet, os, tempfile
    >>> net = dagnet.load("topologies/xor_2_2_1.yaml", seed=0)
    >>> path = os.path.join(tempfile.mkdtemp(), "xor.yaml")
    >>> net.save(path)
    >>> bool((dagnet.load(path).params == net.params).all())
    True
    """
    write(net, path, form)


def write(source, path, form=None):
    """Write ``to_yaml(source, form)`` to ``path`` atomically; return ``path``.

    ``form="table"`` (a network's) writes the edges to a NumPy table beside
    ``path`` (``net.yaml`` -> ``net.edges.npy``), first, and then the file
    that names it with its sha256; each write is atomic.
    """
    if form == "table":
        if _is_digraph(source):
            raise ValueError("form 'table' saves a network's weights; write a graph 'flat' or 'grouped'")
        name = edgelists.table_name(path)
        text, table = flatwriter.table_form(to_data(source, "flat", body=False), source, name)
        if isinstance(text, dict):                # node names that are not all text: block YAML
            text = _yaml_text(text)
        atomic_write(os.path.join(os.path.dirname(os.path.realpath(os.fspath(path))), name),
                     lambda f: f.write(table), mode="wb")
    else:
        text = to_yaml(source, form)
    atomic_write(path, lambda f: f.write(text))
    return path
