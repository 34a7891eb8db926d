"""Graphviz DOT text of a network, with neither matplotlib nor graphviz needed.

Examples
--------
>>> import dagnet
>>> text = to_dot(dagnet.load("topologies/xor_skip.yaml"))
>>> '"a" -> "y"' in text and "style=dashed" in text
True
"""
import os

import numpy as np

from ..files import atomic_write
from .layout import drawing_graph, is_skip
from .style import fill, weight_colour


def _dot_id(name):
    text = str(name).replace("\\", "\\\\").replace('"', '\\"')
    return f'"{text}"'


def _node_line(name, d, bias):
    """One node statement: its label (activation, bias), shape and fill."""
    act = d["activation"] or "input"
    if d["collapsed"]:
        label, shape = f"{d['label']}\\n{d['members']} × {act}", "box"
    elif d["role"] == "input":
        label, shape = d["label"], "box"
    else:
        label = f"{d['label']}\\n{act}" + (f"\\nb={bias:.3g}" if bias is not None else "")
        shape = "circle"
    face = fill(None if d["role"] == "input" else d["activation"])
    peripheries = ", peripheries=2" if d["role"] == "output" else ""
    return f'  {_dot_id(name)} [label="{label}", shape={shape}, fillcolor="{face}"{peripheries}];'


def to_dot(net, collapse_groups=False):
    """The network as Graphviz DOT text (``dot -Tpng net.dot -o net.png``).

    Left to right, one rank per topological generation; edges blue for
    positive and orange for negative weights, ``penwidth`` by |w|, skip
    edges dashed; collapsed groups (see :func:`dagnet.plots.draw_network`)
    are boxes.
    """
    D = drawing_graph(net, collapse_groups)
    G = net.graph
    weights = [abs(w) for _, _, d in D.edges(data=True) for w in d["weights"]]
    scale = (max(weights) if weights else 1.0) or 1.0
    lines = [f"digraph {_dot_id(net.name or 'network')} {{", "  rankdir=LR;", "  splines=true;",
             '  node [fontname="Helvetica", fontsize=10, style=filled];']
    names = {k: (f"group:{k[1]}" if d["collapsed"] else k) for k, d in D.nodes(data=True)}
    columns = {}
    for k, d in D.nodes(data=True):
        columns.setdefault(d["column"], []).append(k)
        bias = G.nodes[k]["bias"] if not d["collapsed"] and d["role"] != "input" else None
        lines.append(_node_line(names[k], d, bias))
    for c in sorted(columns):
        lines.append(f"  {{ rank=same; {'; '.join(_dot_id(names[k]) for k in columns[c])}; }}")
    for u, v, d in D.edges(data=True):
        w = float(np.mean(d["weights"]))
        size = float(np.sqrt(np.mean(np.square(d["weights"]))))
        label = f"{w:.3g}" if len(d["weights"]) == 1 else f"{len(d['weights'])} w, mean {w:.3g}"
        attrs = [f'color="{weight_colour(w)}"', f"penwidth={0.5 + 3.5 * size / scale:.2f}",
                 f'label="{label}"', "fontsize=8"]
        if is_skip(D, u, v):
            attrs.append("style=dashed")
        lines.append(f"  {_dot_id(names[u])} -> {_dot_id(names[v])} [{', '.join(attrs)}];")
    lines.append("}")
    return "\n".join(lines) + "\n"


def write_dot(net, path, collapse_groups=False):
    """Write :func:`to_dot` text to ``path`` atomically; return ``path``."""
    text = to_dot(net, collapse_groups)
    atomic_write(path, lambda f: f.write(text))
    return os.fspath(path)
