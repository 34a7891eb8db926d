"""The network picture: one column per topological generation, edges coloured and sized by weight.

Examples
--------
>>> import dagnet
>>> fig = draw_network(dagnet.load("topologies/xor_skip.yaml"))
>>> fig.axes[0].get_title()
'xor-skip: 4 nodes, 5 edges, 7 parameters'
"""
import numpy as np

from .figures import colour_map, finish, require_matplotlib
from .layout import arc_points, drawing_graph, positions, route_skips
from .style import NEUTRAL, NOTE, OUTLINE, fill

DASHES = (0, (4, 1.5))


def _node_text(d):
    if d["collapsed"]:
        acts = "/".join(sorted(a for a in d["activations"] if a)) or "input"
        return f"{d['label']}\n{d['members']} × {acts}"
    return d["label"]


def _edges(D):
    """``[(size, u, v, mean weight, count)]``: a merged edge is as thick as the RMS of its weights."""
    out = []
    for u, v, d in D.edges(data=True):
        w = np.asarray(d["weights"])
        out.append((float(np.sqrt(np.mean(w * w))), u, v, float(w.mean()), len(w)))
    return sorted(out, key=lambda e: e[0])


def _draw_edges(ax, D, pos, arcs, cmap, matplotlib):
    """Draw straight edges and routed skip arcs; return the colour norm of the weights."""
    from matplotlib.patches import PathPatch
    from matplotlib.path import Path

    path_codes = {"M": Path.MOVETO, "L": Path.LINETO, "C": Path.CURVE4}
    edges = _edges(D)
    width_scale = max((e[0] for e in edges), default=1.0) or 1.0
    colour_scale = max((abs(e[3]) for e in edges), default=1.0) or 1.0
    norm = matplotlib.colors.Normalize(-colour_scale, colour_scale)
    thin = 0.3 if len(edges) > 400 else 0.5
    labels = []
    for size, u, v, value, count in edges:
        colour, width = cmap(norm(value)), thin + 3.5 * size / width_scale
        if (u, v) in arcs:
            arc = arcs[u, v]
            path = Path(arc.vertices, [path_codes[c] for c in arc.codes])
            ax.add_patch(PathPatch(path, fc="none", ec=colour, lw=width, alpha=0.85, zorder=2,
                                   ls=DASHES, capstyle="round", gid=f"skip {u} -> {v}"))
            middle = arc.label_at
        else:
            (x0, y0), (x1, y1) = pos[u], pos[v]
            ax.plot([x0, x1], [y0, y1], zorder=1, color=colour, lw=width, alpha=0.9,
                    solid_capstyle="round")
            middle = ((x0 + x1) / 2, (y0 + y1) / 2)
        if count > 1:
            labels.append((middle, count))
    if len(labels) <= 30:   # merged edges say how many weights they stand for
        for (x, y), count in labels:
            ax.text(x, y, f"{count} w", fontsize=7, ha="center", va="center", color="#444444", zorder=4,
                    bbox=dict(boxstyle="round,pad=0.15", fc="white", ec="none", alpha=0.8))
    return norm


def _draw_nodes(ax, fig, D, pos, G, cmap, norm, show_bias, tallest):
    """Draw the nodes (and their biases); return ``{activation: fill}`` of the perceptrons drawn."""
    from matplotlib.transforms import offset_copy

    fontsize = 9 if tallest <= 12 else (7 if tallest <= 30 else 5)
    used = {}
    bias_marker = offset_copy(ax.transData, fig=fig, x=-11, y=-9, units="points")
    for k, d in D.nodes(data=True):
        x, y = pos[k]
        act = d["activation"] if not d["collapsed"] else sorted(d["activations"], key=str)[0]
        face = fill(None if d["role"] == "input" else act)
        if d["role"] != "input":
            used[act] = face
        lw = 1.8 if d["role"] == "output" else 1.0
        if tallest > 30 and not d["collapsed"]:
            ax.scatter([x], [y], s=40, c=[face], edgecolors=OUTLINE, linewidths=lw, zorder=3)
        else:
            style = "round,pad=0.45" if d["collapsed"] else ("circle,pad=0.25" if len(d["label"]) <= 3
                                                              else "round4,pad=0.35")
            ax.text(x, y, _node_text(d), ha="center", va="center", fontsize=fontsize, zorder=5,
                    bbox=dict(boxstyle=style, fc=face, ec=OUTLINE, lw=lw))
        bias = None if d["collapsed"] or d["role"] == "input" else G.nodes[k]["bias"]
        if show_bias and bias is not None and tallest <= 30:
            # the bias as a small square at the node's lower left, as TensorFlow Playground shows it
            ax.plot([x], [y], marker="s", ms=5, mfc=cmap(norm(bias)), mec=OUTLINE, mew=0.6,
                    transform=bias_marker, zorder=6)
    return used


def draw_network(net, path=None, collapse_groups=None, title=None, show_bias=True, dpi=120):
    """Draw the network: one column per topological generation, inputs left, outputs right.

    Parameters
    ----------
    net : Network
    path : str or None
        Write the picture here (.png, .svg, .pdf).
    collapse_groups : None, bool, int or list of group names
        Draw a group (``size: N`` in the topology) as one box with merged
        edges. None (default): groups of more than 12 members, or every group
        when the network has more than 60 nodes or 150 edges; True: all;
        False: none; an int: groups larger than that; a list: those groups.
        A merged edge is coloured by the mean and drawn as thick as the RMS
        of its weights, and labelled with how many weights it stands for.
    title : str or None
    show_bias : bool
        Mark each perceptron's bias with a small square in the weight colours.

    Returns
    -------
    matplotlib.figure.Figure

    Notes
    -----
    Edges are blue for positive weights and orange for negative ones, wider
    for larger |w|. Edges that jump over a generation (skip connections) are
    dashed arcs routed above or below the columns they jump over
    (:func:`dagnet.plots.layout.route_skips`). Node fill shows the
    activation (legend); outputs have a thicker outline.
    """
    matplotlib, Figure = require_matplotlib()
    D = drawing_graph(net, collapse_groups)
    pos = positions(D)
    arcs = route_skips(D, pos)
    n_columns = 1 + max(d["column"] for _, d in D.nodes(data=True))
    tallest = max(sum(1 for _, d in D.nodes(data=True) if d["column"] == c) for c in range(n_columns))
    ys = np.concatenate([[y for _, y in pos.values()], *(arc_points(a, 8)[:, 1] for a in arcs.values())])
    low, high = float(ys.min()), float(ys.max())
    fig = Figure(figsize=(min(max(2.0 * n_columns + 1.5, 5.0), 22.0),
                          min(max(0.55 * (high - low + 1) + 1.8, 3.6), 30.0)), layout="constrained")
    ax = fig.add_subplot()
    cmap = colour_map()
    norm = _draw_edges(ax, D, pos, arcs, cmap, matplotlib)
    used = _draw_nodes(ax, fig, D, pos, net.graph, cmap, norm, show_bias, tallest)
    for c in range(n_columns):
        kind = "inputs" if c == 0 else ("outputs" if c == n_columns - 1 else f"generation {c}")
        ax.text(c, high + 0.7, kind, ha="center", va="bottom", fontsize=8, color=NOTE)
    ax.set_xlim(-0.6, n_columns - 0.4)
    ax.set_ylim(low - 0.7, high + 1.2)
    ax.set_axis_off()

    handles = [matplotlib.patches.Patch(fc=face, ec=OUTLINE, label=act) for act, face in sorted(used.items())]
    if arcs:
        handles.append(matplotlib.lines.Line2D([], [], color=NOTE, ls=DASHES, label=f"skip edge ({len(arcs)})"))
    if show_bias:
        handles.append(matplotlib.lines.Line2D([], [], ls="none", marker="s", ms=5, mfc=NEUTRAL,
                                               mec=OUTLINE, label="bias"))
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(0.0, 0.0), ncol=min(len(handles), 5),
              fontsize=8, frameon=False)
    bar = fig.colorbar(matplotlib.cm.ScalarMappable(norm=norm, cmap=cmap), ax=ax, orientation="horizontal",
                       shrink=0.35, aspect=30, pad=0.02, location="bottom")
    bar.set_label("weight and bias", fontsize=8)
    bar.ax.tick_params(labelsize=7)
    G = net.graph
    name = title if title is not None else (net.name or "network")
    ax.set_title(f"{name}: {len(G)} nodes, {G.number_of_edges()} edges, {net.n_params} parameters",
                 fontsize=10)
    return finish(fig, path, dpi)
