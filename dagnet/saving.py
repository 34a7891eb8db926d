"""Write networks as topology files that :func:`dagnet.load` reads back bit-identically.

Every weight and bias is written as the shortest decimal that round-trips
a float64 (Python's ``repr``), so a saved network predicts exactly as the
one in memory. Writes are atomic: a temporary file in the same folder is
renamed over the target only once it is complete.
"""
import json
import math
import os
import tempfile

import yaml

try:  # libyaml's C emitter when present
    _Dumper = yaml.CSafeDumper
except AttributeError:  # pragma: no cover
    _Dumper = yaml.SafeDumper

FORMAT_VERSION = 1


def atomic_write(path, write, mode="w"):
    """Call ``write(f)`` on a temporary file beside ``path``, then rename it to ``path``.

    If ``write`` raises, ``path`` is untouched (an earlier file stays as it was)
    and the temporary file is removed.
    """
    path = os.fspath(path)
    folder = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=f".{os.path.basename(path)}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, mode, **({} if "b" in mode else {"encoding": "utf-8", "newline": ""})) as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def _check_name(node):
    if isinstance(node, bool) or not isinstance(node, (str, int)):
        raise ValueError(f"node name {node!r} cannot be written to a topology file: names must be "
                         f"strings or integers (rename with networkx.relabel_nodes)")
    return node


def to_data(net):
    """The network as plain data in the topology-file layout (all weights explicit)."""
    G = net.graph
    data = {}
    if G.graph.get("name"):
        data["name"] = G.graph["name"]
    if G.graph.get("description"):
        data["description"] = G.graph["description"]
    data["metadata"] = {"saved_by": "dagnet", "format": FORMAT_VERSION}
    data["inputs"] = [_check_name(n) for n in net.inputs]
    data["outputs"] = [_check_name(n) for n in net.outputs]
    data["loss"] = net.loss
    bad = [k for k, v in enumerate(net.params.tolist()) if not math.isfinite(v)]
    if bad:
        raise ValueError(f"cannot save: {net.plan.parameter_name(bad[0])} is {net.params[bad[0]]}")
    nodes = {}
    edges = []
    for node, attrs in G.nodes(data=True):
        if attrs["role"] == "input":
            continue
        entry = {"activation": attrs["activation"], "bias": attrs["bias"] if attrs["bias"] is not None else False}
        if attrs.get("group") is not None:
            entry["group"] = attrs["group"]
        if not attrs.get("trainable", True):
            entry["trainable"] = False
        nodes[_check_name(node)] = entry
        # one edge entry per target: {from: [sources], to: node, weight: [one per source]}
        for trainable in (True, False):
            preds = [(u, d["weight"]) for u, _, d in G.in_edges(node, data=True)
                     if d.get("trainable", True) is trainable]
            if preds:
                edge = {"from": [_check_name(u) for u, _ in preds], "to": node,
                        "weight": [w for _, w in preds]}
                if not trainable:
                    edge["trainable"] = False
                edges.append(edge)
    data["nodes"] = nodes
    data["edges"] = edges
    return data


def to_yaml(net):
    """The network as topology-file text.

    JSON layout (valid YAML flow style, read back at C speed) with one node
    and one edge entry per line; block YAML when some node name is not a
    string, since JSON keys must be strings.
    """
    data = to_data(net)
    if not all(isinstance(n, str) for n in data["nodes"]):
        return yaml.dump(data, Dumper=_Dumper, sort_keys=False, default_flow_style=None,
                         allow_unicode=True, width=120)
    dump = lambda value: json.dumps(value, ensure_ascii=False, allow_nan=False)
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


def save(net, path):
    """Write ``net`` to ``path`` atomically; :func:`dagnet.load` reads it back."""
    text = to_yaml(net)
    atomic_write(path, lambda f: f.write(text))
