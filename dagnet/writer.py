"""Write networks and graphs as topology files that :func:`dagnet.load` reads back.

One writer, two forms of the same format:

- ``"flat"`` (a Network's default): every node and, per target, its
  incoming edges with their weights, as JSON-shaped YAML that loads at C
  speed; every weight and bias as the shortest decimal that round-trips a
  float64, so a saved network predicts bit-identically.
- ``"grouped"`` (a graph's default): groups stay ``{size: N}`` and edges
  between whole groups stay one entry, as a person would write it; weights
  the graph has are written, missing ones are left to the loader's seed.

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
import re

import networkx as nx
import yaml

from .files import atomic_write
from .grouping import grouped_data

try:  # libyaml's C emitter when present
    _Dumper = yaml.CSafeDumper
except AttributeError:  # pragma: no cover
    _Dumper = yaml.SafeDumper

FORMAT_VERSION = 1
FORMS = ("flat", "grouped")

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


def _parts(source):
    """(graph, inputs, outputs, loss or None, values or None) of a Network or a DiGraph.

    A network's graph is its structure, its weights and biases ``values``:
    ``(weight of (u, v), bias of node)`` read from its parameter vector.
    """
    if isinstance(source, nx.DiGraph) and not source.is_multigraph():
        G = source
        inputs = G.graph.get("inputs") or sorted((n for n in G if G.in_degree(n) == 0), key=repr)
        outputs = G.graph.get("outputs") or sorted((n for n in G if G.out_degree(n) == 0), key=repr)
        return G, list(inputs), list(outputs), G.graph.get("loss"), None
    G = getattr(source, "structure", None)
    if not isinstance(G, nx.DiGraph):
        raise ValueError(f"expected a dagnet.Network or a networkx.DiGraph, got {type(source).__name__}")
    values = source.params.tolist()
    bad = [k for k, v in enumerate(values) if not math.isfinite(v)]
    if bad:
        raise ValueError(f"cannot save: {source.plan.parameter_name(bad[0])} is {source.params[bad[0]]}")
    edge_slot, bias_slot = source.plan.edge_slot, source.plan.bias_slot
    lookup = (lambda u, v: values[edge_slot[u, v]],
              lambda n: values[bias_slot[n]] if n in bias_slot else None)
    return G, list(source.inputs), list(source.outputs), source.loss, lookup


def to_data(source, form=None):
    """A Network or DiGraph as plain topology-file data (``form``: "flat" or "grouped")."""
    G, inputs, outputs, loss, values = _parts(source)
    is_network = values is not None
    form = form or ("flat" if is_network else "grouped")
    if form not in FORMS:
        raise ValueError(f"unknown form {form!r}; known: {', '.join(FORMS)}")
    for n in G:
        check_name(n)
    head = {key: G.graph[key] for key in ("name", "description") if G.graph.get(key)}
    metadata = dict(G.graph.get("metadata") or {})
    if is_network:
        metadata.update(saved_by="dagnet", format=FORMAT_VERSION)
    if metadata:
        head["metadata"] = metadata
    if form == "grouped":
        if is_network:
            G = source.graph          # the live view: the grouped form reads values as attributes
        body = grouped_data(G, inputs, outputs, node_attributes)
        if loss is not None:
            body.setdefault("loss", loss)
        return {**head, **body}
    return {**head, "inputs": inputs, "outputs": outputs, "loss": loss or "mse",
            **_flat_body(G, inputs, values)}


def _flat_body(G, inputs, values):
    """Every perceptron, and per target one edge entry per kind (trainable, fixed) with its weights."""
    input_set = set(inputs)
    weight_of, bias_of = values or (lambda u, v: G.edges[u, v].get("weight"),
                                    lambda n: G.nodes[n].get("bias", True))
    nodes, edges = {}, []
    for node, attrs in G.nodes(data=True):
        if node in input_set:
            continue
        entry = node_attributes({**attrs, "bias": bias_of(node)})
        if attrs.get("group") is not None:
            entry = {"activation": entry.pop("activation"), "bias": entry.pop("bias"),
                     "group": attrs["group"], **entry}
        nodes[node] = entry
        for trainable in (True, False):
            preds = [(u, weight_of(u, node)) for u, _, t in G.in_edges(node, data="trainable", default=True)
                     if t is trainable]
            if preds:
                edge = {"from": [u for u, _ in preds], "to": node}
                if all(w is not None for _, w in preds):
                    edge["weight"] = [w for _, w in preds]
                if not trainable:
                    edge["trainable"] = False
                edges.append(edge)
    return {"nodes": nodes, "edges": edges}


def to_yaml(source, form=None):
    """A Network or DiGraph as topology-file text (see :func:`to_data` for ``form``)."""
    data = to_data(source, form)
    if form == "grouped" or (form is None and isinstance(source, nx.DiGraph)):
        return _block_text(data)
    if not all(isinstance(n, str) for n in data["nodes"]):   # JSON keys must be strings
        return yaml.dump(data, Dumper=_Dumper, sort_keys=False, default_flow_style=None,
                         allow_unicode=True, width=120)
    dump = lambda value: json.dumps(value, ensure_ascii=False, allow_nan=False)  # noqa: E731
    lines = ["{"]
    for key, value in data.items():
        if key == "nodes":
            body = ",\n".join(f"  {dump(n)}: {dump(a)}" for n, a in value.items())
            lines.append(f'"nodes": {{\n{body}\n}},')
        elif key == "edges":
            body = ",\n".join(f"  {dump(e)}" for e in value)
            lines.append(f'"edges": [\n{body}\n]')
        else:
            lines.append(f"{dump(key)}: {dump(value)},")
    lines.append("}")
    return "\n".join(lines) + "\n"


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


def write(source, path, form=None):
    """Write ``to_yaml(source, form)`` to ``path`` atomically; return ``path``."""
    text = to_yaml(source, form)
    atomic_write(path, lambda f: f.write(text))
    return path
