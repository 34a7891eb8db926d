"""What a notebook shows of dagnet's objects: static HTML and SVG, bounded in size.

The ``_repr_html_`` and ``_repr_svg_`` methods of :class:`~dagnet.Network`,
:class:`~dagnet.History`, :class:`~dagnet.results.Trace` and
:class:`~dagnet.results.Gradients` call these functions (imported on first
display, so ``import dagnet`` costs nothing more). The output is plain
HTML with inline SVG and no script, so it renders wherever a notebook is
shown: JupyterLab, VS Code, Colab, GitHub, nbviewer, a documentation site.
Every output is bounded: a network too big to draw (:mod:`dagnet.plots.svg`)
gets a summary, and tables show at most :data:`MAX_ROWS` rows and
:data:`MAX_SAMPLES` samples.

Examples
--------
>>> import dagnet
>>> net = dagnet.load("topologies/xor_skip.yaml")
>>> "<svg" in network_html(net) and "5 edges" in network_html(net)
True
>>> trace = net.forward([[0, 1], [1, 1]])
>>> trace_html(trace).count("<tr>")          # a header and one row per node
5
"""
import html

import numpy as np

from .text import plural

#: Rows (nodes or edges) a table shows; the rest are counted.
MAX_ROWS = 40
#: Samples a table shows value by value; with more, it shows these and the mean.
MAX_SAMPLES = 4

_STYLE = ("border-collapse:collapse;font-size:12px;font-family:sans-serif",
          "padding:1px 8px;text-align:right;border-bottom:1px solid #eee",
          "padding:1px 8px;text-align:left;border-bottom:1px solid #eee")


def _number(v):
    return f"{v:.4g}"


def _values(column):
    """The first samples of ``column`` (n_samples,), and their mean when there are more."""
    shown = ", ".join(_number(v) for v in column[:MAX_SAMPLES])
    if len(column) > MAX_SAMPLES:
        shown += f", … (mean {_number(float(np.mean(column)))})"
    return shown


def _table(header, rows, total, what):
    head = "".join(f'<th style="{_STYLE[2]}">{html.escape(h)}</th>' for h in header)
    body = []
    for row in rows[:MAX_ROWS]:
        cells = [f'<td style="{_STYLE[2]}">{html.escape(str(row[0]))}</td>']
        cells += [f'<td style="{_STYLE[1]}">{html.escape(c)}</td>' for c in row[1:]]
        body.append("<tr>" + "".join(cells) + "</tr>")
    more = (f'<p style="font-size:11px;color:#777">… and {plural(total - MAX_ROWS, what)} more</p>'
            if total > MAX_ROWS else "")
    return f'<table style="{_STYLE[0]}"><tr>{head}</tr>{"".join(body)}</table>{more}'


def _caption(text):
    return f'<p style="font-family:sans-serif;font-size:12px;margin:2px 0 6px">{text}</p>'


def network_summary(net):
    """One line of facts about ``net``: name, inputs, outputs, nodes, edges, parameters, loss."""
    inputs = net.inputs if len(net.inputs) <= 6 else [*net.inputs[:5], "…"]
    outputs = net.outputs if len(net.outputs) <= 6 else [*net.outputs[:5], "…"]
    name = f"<b>{html.escape(str(net.name))}</b>: " if net.name else ""
    return (f"{name}{plural(net.plan.n_nodes, 'node')}, {plural(len(net.plan.edge_slot), 'edge')}, "
            f"{plural(net.n_params, 'trainable parameter')}; inputs {html.escape(', '.join(map(str, inputs)))}; "
            f"outputs {html.escape(', '.join(map(str, outputs)))}; loss {html.escape(net.loss)}")


def network_html(net):
    """The network drawn (:func:`dagnet.plots.svg.network_svg`) under its summary, or the summary alone if too big."""
    from .plots.svg import network_svg

    svg = network_svg(net)
    note = "" if svg is not None else " (too big to draw here: <code>dagnet.plots.draw_network</code> draws it)"
    legend = ("" if svg is None else '<span style="color:#777"> · blue w &gt; 0, orange w &lt; 0, '
              "width |w|, dashed: skip edges</span>")
    return f"<div>{_caption(network_summary(net) + note + legend)}{svg or ''}</div>"


def history_html(history):
    """The loss (and accuracy) curves of a :class:`~dagnet.History` per epoch, with its last figures."""
    from .plots.svg import curves_svg

    if not history.epochs:
        return _caption("History: no epochs")
    pictures = [curves_svg({"training": (history.loss, "#333333", False),
                            **({"validation": (history.val_loss, "#f59322", True)} if history.val_loss else {})},
                           "loss")]
    if history.accuracy:
        pictures.append(curves_svg({"training": (history.accuracy, "#333333", False),
                                    **({"validation": (history.val_accuracy, "#f59322", True)}
                                       if history.val_accuracy else {})}, "accuracy"))
    final = history.final()
    facts = ", ".join(f"{k} {_number(v)}" for k, v in final.items() if k != "epoch" and v is not None)
    flags = [word for word, on in (("stopped early", history.stopped_early), ("diverged", history.diverged),
                                   ("interrupted", history.interrupted)) if on]
    text = (f"History: {plural(history.epochs, 'epoch')}" + (f"; weights of epoch {final['epoch']}: {facts}"
                                                             if final else "") +
            (f" ({', '.join(flags)})" if flags else ""))
    return f'<div>{_caption(html.escape(text))}<div style="display:flex;gap:12px;flex-wrap:wrap">' \
           f'{"".join(pictures)}</div></div>'


def trace_html(trace):
    """A table of a :class:`~dagnet.results.Trace`: s_j and z_j of each node over the samples."""
    n = trace.S.shape[0]
    rows = [(node, _values(trace.s[node]), _values(trace.z[node])) for node in trace.nodes[:MAX_ROWS]]
    return _caption(f"Trace of {plural(n, 'sample')}, {plural(len(trace.nodes), 'node')}") + \
        _table(["node", "s_j", "z_j"], rows, len(trace.nodes), "node")


def gradients_html(grads):
    """Tables of :class:`~dagnet.results.Gradients`: δ_j and ∂E/∂b_j per node, ∂E/∂w per edge."""
    nodes = list(grads.delta)
    n = grads.delta.matrix.shape[0]
    node_rows = [(node, _values(grads.delta[node]),
                  _number(grads.bias[node]) if node in grads.bias else "–") for node in nodes[:MAX_ROWS]]
    edges = list(grads.weight)
    edge_rows = [(f"{u} → {v}", _number(grads.weight[u, v])) for u, v in edges[:MAX_ROWS]]
    return (_caption(f"Gradients over {plural(n, 'sample')}") +
            '<div style="display:flex;gap:16px;flex-wrap:wrap;align-items:flex-start">' +
            _table(["node", "δ_j = ∂E/∂s_j", "∂E/∂b_j"], node_rows, len(nodes), "node") +
            _table(["edge", "∂E/∂w"], edge_rows, len(edges), "edge") + "</div>")
