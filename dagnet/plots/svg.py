"""Pictures as SVG text, without matplotlib: the network and the training curves a notebook shows.

What :meth:`dagnet.Network._repr_html_` and :meth:`dagnet.History._repr_html_`
draw: static, cheap (a few milliseconds for the networks a person looks
at), readable wherever a notebook is shown (GitHub, nbviewer, a
documentation site), and bounded: a network past :data:`MAX_DRAWN_NODES`
nodes or :data:`MAX_DRAWN_EDGES` edges, as drawn (big groups collapsed to
one box, as :func:`dagnet.plots.draw_network` collapses them), gives None
and its owner shows a summary instead. The geometry is
:mod:`dagnet.plots.layout`'s, the colours :mod:`dagnet.plots.style`'s.

Examples
--------
>>> import dagnet
>>> svg = network_svg(dagnet.load("topologies/xor_skip.yaml"))
>>> svg.startswith("<svg") and svg.count("<path") == 5 and "stroke-dasharray" in svg
True
"""
import html
import math

from .layout import drawing_graph, positions, route_skips
from .style import BLUE, NOTE, ORANGE, OUTLINE, fill

#: Drawn nodes (after collapsing big groups) and edges past which a network is summarised, not drawn.
MAX_DRAWN_NODES, MAX_DRAWN_EDGES = 400, 3000
#: Edges of the network itself past which it is not even laid out (laying out is linear in them).
MAX_EDGES_TO_LAY_OUT = 50_000
#: Points of a training curve drawn at most (a long run is thinned evenly).
MAX_CURVE_POINTS = 400

_RADIUS = 13


def _number(v):
    return f"{v:.4g}"


def _width(w, largest):
    return 0.6 + 4.0 * min(abs(w) / largest, 1.0) if largest > 0 else 1.0


def _edge_title(u, v, weights):
    if len(weights) == 1:
        return f"w({u} → {v}) = {_number(weights[0])}"
    return f"{len(weights)} weights {u} → {v}, mean {_number(sum(weights) / len(weights))}"


def network_svg(net, width=None):
    """The network as SVG text: edges coloured and sized by weight, skip edges as dashed arcs.

    Perceptrons are filled with their activation's colour, inputs white,
    outputs outlined twice; every node and edge carries a ``<title>`` (its
    name and value) that a browser shows on hover.

    Parameters
    ----------
    net : Network
    width : float or None
        Width in pixels (default: from the number of columns, at most 900).

    Returns
    -------
    str or None
        ``<svg ...>...</svg>``, or None for a network too big to draw
        (see :data:`MAX_DRAWN_NODES`).
    """
    if len(net.plan.edge_slot) > MAX_EDGES_TO_LAY_OUT:        # counted without building net.graph
        return None
    D = drawing_graph(net)
    if D.number_of_nodes() > MAX_DRAWN_NODES or D.number_of_edges() > MAX_DRAWN_EDGES:
        return None
    pos = positions(D)
    arcs = route_skips(D, pos)
    columns = max(x for x, _ in pos.values()) + 1
    ys = [y for _, y in pos.values()] + [arc.lane for arc in arcs.values()]
    top, bottom = max(ys), min(ys)
    width = width or min(900.0, 110.0 * columns + 60)
    gap_x = (width - 80) / max(columns - 1, 1)
    gap_y = max(18.0, min(48.0, 520.0 / max(top - bottom, 1)))
    height = (top - bottom) * gap_y + 2 * _RADIUS + 40

    def at(x, y):
        return 40 + x * gap_x, 20 + _RADIUS + (top - y) * gap_y

    weights = [w for _, _, ws in D.edges(data="weights") for w in ws]
    largest = max((abs(w) for w in weights if math.isfinite(w)), default=0.0)
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{height:.0f}" '
           f'viewBox="0 0 {width:.0f} {height:.0f}" font-family="sans-serif" font-size="10">']
    for u, v, d in D.edges(data=True):
        mean = sum(d["weights"]) / len(d["weights"])
        colour = BLUE if mean >= 0 else ORANGE
        title = html.escape(_edge_title(D.nodes[u]["label"], D.nodes[v]["label"], d["weights"]))
        if (u, v) in arcs:
            arc = arcs[u, v]
            points = [at(*p) for p in arc.vertices]
            path = " ".join(f"{code}{x:.1f},{y:.1f}" if code != "C" or k == 0 or arc.codes[k - 1] != "C"
                            else f"{x:.1f},{y:.1f}" for k, (code, (x, y)) in enumerate(zip(arc.codes, points)))
            dash = ' stroke-dasharray="5 3"'
        else:
            (x0, y0), (x1, y1) = at(*pos[u]), at(*pos[v])
            path, dash = f"M{x0:.1f},{y0:.1f} L{x1:.1f},{y1:.1f}", ""
        out.append(f'<path d="{path}" fill="none" stroke="{colour}" stroke-width="{_width(mean, largest):.2f}" '
                   f'stroke-opacity="0.8"{dash}><title>{title}</title></path>')
    for k, d in D.nodes(data=True):
        x, y = at(*pos[k])
        label = html.escape(d["label"])
        colour = fill(None if d["role"] == "input" else d["activation"])
        stroke = ' stroke-width="2.5"' if d["role"] == "output" else ""
        what = "input" if d["role"] == "input" else ", ".join(sorted(d["activations"]))
        if d["collapsed"]:
            out.append(f'<rect x="{x - 16:.1f}" y="{y - 22:.1f}" width="32" height="44" rx="4" fill="{colour}" '
                       f'stroke="{OUTLINE}"{stroke}><title>{label}: {d["members"]} perceptrons ({what})</title></rect>'
                       f'<text x="{x:.1f}" y="{y + 4:.1f}" text-anchor="middle">×{d["members"]}</text>')
            y += 9
        else:
            out.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{_RADIUS}" fill="{colour}" stroke="{OUTLINE}"'
                       f'{stroke}><title>{label} ({what})</title></circle>')
        out.append(f'<text x="{x:.1f}" y="{y + _RADIUS + 11:.1f}" text-anchor="middle" fill="#333">{label}</text>')
    out.append("</svg>")
    return "".join(out)


def _thin(values, most):
    step = max(1, math.ceil(len(values) / most))
    return list(range(0, len(values), step)) + ([len(values) - 1] if (len(values) - 1) % step else [])


def curves_svg(series, title, width=320, height=180):
    """Per-epoch curves as SVG text: ``series`` is ``{label: (values, colour, dashed)}``, epochs from 1.

    The value axis is logarithmic when the positive values span a decade
    or more; non-finite values are left out; at most
    :data:`MAX_CURVE_POINTS` points a curve.

    Examples
    --------
    >>> curves_svg({"loss": ([1.0, 0.5, 0.25], "#333", False)}, "loss").count("<polyline")
    1
    """
    finite = [v for values, _, _ in series.values() for v in values if v is not None and math.isfinite(v)]
    n = max((len(values) for values, _, _ in series.values()), default=0)
    log = bool(finite) and min(finite) > 0 and max(finite) / min(finite) >= 10
    f = math.log10 if log else float
    low, high = (f(min(finite)), f(max(finite))) if finite else (0.0, 1.0)
    if not high > low:
        low, high = low - 0.5, high + 0.5
    left, right, pad_top, pad_bottom = 44, 10, 22, 24
    w, h = width - left - right, height - pad_top - pad_bottom

    def x(k):
        return left + (k / max(n - 1, 1)) * w

    def y(v):
        return pad_top + (1 - (f(v) - low) / (high - low)) * h

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="10">',
           f'<text x="{left}" y="13" font-weight="bold">{html.escape(title)}</text>',
           f'<rect x="{left}" y="{pad_top}" width="{w}" height="{h}" fill="none" stroke="#ddd"/>']
    if finite:
        top_label, bottom_label = (10 ** high, 10 ** low) if log else (high, low)
        out.append(f'<text x="{left - 3}" y="{pad_top + 8}" text-anchor="end" fill="{NOTE}">{_number(top_label)}</text>'
                   f'<text x="{left - 3}" y="{pad_top + h}" text-anchor="end" fill="{NOTE}">{_number(bottom_label)}</text>')
        if log:
            out.append(f'<text x="{left - 3}" y="{pad_top + h / 2 + 4:.0f}" text-anchor="end" fill="{NOTE}">log</text>')
    out.append(f'<text x="{left}" y="{height - 8}" fill="{NOTE}">epoch 1</text>'
               f'<text x="{left + w}" y="{height - 8}" text-anchor="end" fill="{NOTE}">{n}</text>')
    legend_x = left + 60
    for label, (values, colour, dashed) in series.items():
        keep = [k for k in _thin(values, MAX_CURVE_POINTS)
                if values[k] is not None and math.isfinite(values[k]) and (not log or values[k] > 0)]
        if not keep:
            continue
        dash = ' stroke-dasharray="5 3"' if dashed else ""
        points = " ".join(f"{x(k):.1f},{y(values[k]):.1f}" for k in keep)
        out.append(f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="1.6"{dash}/>')
        out.append(f'<line x1="{legend_x}" y1="10" x2="{legend_x + 14}" y2="10" stroke="{colour}" '
                   f'stroke-width="2"{dash}/><text x="{legend_x + 17}" y="13">{html.escape(label)}</text>')
        legend_x += 24 + 6 * len(label)
    out.append("</svg>")
    return "".join(out)
