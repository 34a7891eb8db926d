"""Pictures of networks and of what they learned (matplotlib, the optional ``plot`` extra).

=====================  ====================================================
:func:`draw_network`   the graph by topological generation, inputs left,
                       outputs right; edge width and colour by weight;
                       skip edges curved; big groups collapsed to one box
:func:`decision_regions`  a two-input classifier's output over the plane,
                       training points on top (multi-class too)
:func:`neuron_maps`    each perceptron's z_j over the input plane, one
                       small heatmap per node, a column per generation
:func:`loss_curves`    training and validation loss (and accuracy) per epoch
:func:`animate_training`  a GIF of the decision regions while training
:func:`to_dot`         Graphviz DOT text (needs neither matplotlib nor graphviz)
=====================  ====================================================

Every picture function returns a :class:`matplotlib.figure.Figure` (shown
inline by notebooks) and writes it to ``path`` when one is given: PNG, SVG
or PDF by the file's extension, written atomically (a temporary file in the
same folder, renamed once complete). Figures are built without pyplot, so no
display is needed and none are left open; ``fig.savefig(...)`` works as usual.

Colours follow TensorFlow Playground: blue for positive weights and high
activations, orange for negative weights and low ones.

Examples
--------
>>> import dagnet
>>> from dagnet import plots
>>> print(plots.to_dot(dagnet.load("topologies/chain_1_1_1.yaml")).splitlines()[0])
digraph "chain-1-1-1" {
"""
import math
import os
import tempfile

import networkx as nx
import numpy as np

MISSING_MATPLOTLIB = 'matplotlib is needed for pictures: pip install "dagnet[plot]"'
#: What commands say when they skip their pictures for want of matplotlib.
PICTURES_SKIPPED = 'pictures skipped: pip install "dagnet[plot]"'

#: TensorFlow Playground's orange (negative, low) and blue (positive, high).
ORANGE, BLUE, NEUTRAL = "#f59322", "#0877bd", "#e8eaeb"
#: Class colours: class 0 orange and class 1 blue as in the binary pictures, then more.
CLASS_COLOURS = [ORANGE, BLUE, "#2ca02c", "#9467bd", "#d62728", "#8c564b", "#e377c2", "#7f7f7f",
                 "#bcbd22", "#17becf"]
#: Fill colour of a node by its activation.
ACTIVATION_COLOURS = {"sigmoid": "#fde0c5", "tanh": "#cfe3f3", "relu": "#d9f0d3", "linear": "#eeeeee",
                      "softmax": "#e7d4e8", "leaky_relu": "#d9f0d3", "elu": "#d9f0d3",
                      "softplus": "#d9f0d3", "swish": "#d9f0d3"}
#: Groups with more members than this are drawn as one box unless told otherwise.
AUTO_COLLAPSE = 12


class MissingMatplotlib(ImportError):
    """Pictures were asked for but matplotlib is not installed."""

    def __init__(self):
        super().__init__(MISSING_MATPLOTLIB)


def _matplotlib():
    """Import matplotlib's object-oriented parts, or raise :class:`MissingMatplotlib`."""
    try:
        import matplotlib
        from matplotlib.figure import Figure
    except ImportError:
        raise MissingMatplotlib() from None
    return matplotlib, Figure


def _cmap():
    from matplotlib.colors import LinearSegmentedColormap

    return LinearSegmentedColormap.from_list("dagnet", [ORANGE, NEUTRAL, BLUE])


def save_figure(fig, path, dpi=120):
    """Write ``fig`` to ``path`` (format from the extension) atomically; return ``path``."""
    path = os.fspath(path)
    fmt = os.path.splitext(path)[1].lstrip(".").lower()
    supported = fig.canvas.get_supported_filetypes()
    if fmt not in supported:
        raise ValueError(f"cannot write a picture to {path!r}: unknown extension {'.' + fmt!r}; "
                         f"use one of {', '.join('.' + f for f in sorted(supported))}")
    from .files import atomic_write

    atomic_write(path, lambda f: fig.savefig(f, format=fmt, dpi=dpi, bbox_inches="tight"), mode="wb")
    return path


def _finish(fig, path, dpi=120):
    if path is not None:
        save_figure(fig, path, dpi=dpi)
    return fig


# -- structure ----------------------------------------------------------------

def generations(G):
    """``{node: generation}``: 0 for nodes without inputs, else 1 + the latest predecessor's."""
    return {n: k for k, gen in enumerate(nx.topological_generations(G)) for n in gen}


def skip_edges(G, generation=None):
    """Edges that jump over at least one generation, ``[(u, v)]``."""
    generation = generation or generations(G)
    return [(u, v) for u, v in G.edges if generation[v] - generation[u] > 1]


def _groups_to_collapse(G, collapse_groups, generation):
    """Names of the groups drawn as one box; only groups within one generation qualify."""
    members = {}
    for n, d in G.nodes(data=True):
        if d.get("group") is not None:
            members.setdefault(d["group"], []).append(n)
    flat = {g for g, ms in members.items() if len({generation[m] for m in ms}) == 1}
    if collapse_groups is None:
        many = len(G) > 60 or G.number_of_edges() > 150
        return {g for g in flat if len(members[g]) > AUTO_COLLAPSE or (many and len(members[g]) > 1)}
    if collapse_groups is True:
        return flat
    if collapse_groups is False:
        return set()
    if isinstance(collapse_groups, int):
        return {g for g in flat if len(members[g]) > collapse_groups}
    unknown = [g for g in collapse_groups if g not in members]
    if unknown:
        raise ValueError(f"no group {unknown[0]!r} to collapse; groups: {', '.join(map(str, members)) or 'none'}")
    return {g for g in collapse_groups if g in flat}


def drawing_graph(net, collapse_groups=None):
    """The graph as drawn: nodes, or one node per collapsed group, with merged edges.

    Returns a DiGraph whose nodes have ``label``, ``role``, ``activation``,
    ``members`` (count), ``collapsed`` (a group box), ``column``, and whose edges have ``weights`` (list).
    """
    G = net.graph
    generation = generations(G)
    collapsed = _groups_to_collapse(G, collapse_groups, generation)
    key = {}
    D = nx.DiGraph()
    for n, d in G.nodes(data=True):
        g = d.get("group")
        if g in collapsed:
            k = ("group", g)
            key[n] = k
            if k not in D:
                D.add_node(k, label=str(g), role=d["role"], activation=d["activation"], members=0,
                           column=generation[n], activations=set(), collapsed=True)
            D.nodes[k]["members"] += 1
            D.nodes[k]["activations"].add(d["activation"])
            if d["role"] == "output":
                D.nodes[k]["role"] = "output"
        else:
            key[n] = n
            D.add_node(n, label=str(n), role=d["role"], activation=d["activation"], members=1,
                       column=generation[n], activations={d["activation"]}, collapsed=False)
    for u, v, d in G.edges(data=True):
        a, b = key[u], key[v]
        if not D.has_edge(a, b):
            D.add_edge(a, b, weights=[])
        D.edges[a, b]["weights"].append(d["weight"])
    # outputs that feed nothing go to the rightmost column
    last = max(nx.get_node_attributes(D, "column").values())
    for k, d in D.nodes(data=True):
        if d["role"] == "output" and D.out_degree(k) == 0:
            d["column"] = last
    return D


def _positions(D):
    """``{node: (x, y)}``: x is the column, y spreads each column evenly, ordered by barycentre."""
    columns = {}
    for k, d in D.nodes(data=True):
        columns.setdefault(d["column"], []).append(k)
    order = {c: list(columns[c]) for c in sorted(columns)}
    pos = {}

    def place():
        for c, nodes in order.items():
            top = (len(nodes) - 1) / 2
            for r, k in enumerate(nodes):
                pos[k] = (float(c), top - r)

    place()
    # two sweeps of the barycentre heuristic reduce crossings; stable sorts keep groups together
    for _ in range(2):
        for c, nodes in order.items():
            if c == min(order):
                continue
            def centre(k):
                ys = [pos[p][1] for p in D.predecessors(k)]
                return -float(np.mean(ys)) if ys else 0.0
            nodes.sort(key=centre)
        place()
    return pos


def _node_text(d):
    if d["collapsed"]:
        acts = "/".join(sorted(a for a in d["activations"] if a)) or "input"
        return f"{d['label']}\n{d['members']} × {acts}"
    return d["label"]


def _arc(x0, y0, x1, y1, span, upward):
    """Control point of a quadratic Bézier skip arc in data coordinates, and its peak height."""
    bow = (0.45 + 0.3 * min(span - 1, 4)) * (1 if upward else -1)
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2 + 2 * bow   # the curve reaches half way to its control point
    return (cx, cy), (y0 + y1) / 2 + bow


def _draw_edges(ax, D, pos, cmap, matplotlib):
    """Draw straight edges and curved skip edges; return (colour norm, number of skips, y range)."""
    from matplotlib.patches import PathPatch
    from matplotlib.path import Path

    edges = []
    for u, v, d in D.edges(data=True):
        w = np.asarray(d["weights"])
        value = float(w.mean())
        size = float(np.sqrt(np.mean(w * w)))   # RMS: a merged edge is as thick as its typical weight
        edges.append((size, u, v, value, len(w)))
    width_scale = max((e[0] for e in edges), default=1.0) or 1.0
    colour_scale = max((abs(e[3]) for e in edges), default=1.0) or 1.0
    norm = matplotlib.colors.Normalize(-colour_scale, colour_scale)
    thin = 0.3 if len(edges) > 400 else 0.5
    middle = float(np.mean([y for _, y in pos.values()]))
    low, high = min(y for _, y in pos.values()), max(y for _, y in pos.values())
    n_skips = 0
    labels = []
    for size, u, v, value, count in sorted(edges, key=lambda e: e[0]):
        (x0, y0), (x1, y1) = pos[u], pos[v]
        span = D.nodes[v]["column"] - D.nodes[u]["column"]
        style = dict(color=cmap(norm(value)), lw=thin + 3.5 * size / width_scale, alpha=0.9,
                     solid_capstyle="round")
        if span <= 1:
            ax.plot([x0, x1], [y0, y1], zorder=1, **style)
            middle_of_edge = (x0 + 0.5 * (x1 - x0), y0 + 0.5 * (y1 - y0))
        else:
            # a skip edge bows away from the middle so it clears the columns it jumps over
            n_skips += 1
            control, peak = _arc(x0, y0, x1, y1, span, upward=(y0 + y1) / 2 >= middle)
            low, high = min(low, peak), max(high, peak)
            path = Path([(x0, y0), control, (x1, y1)], [Path.MOVETO, Path.CURVE3, Path.CURVE3])
            ax.add_patch(PathPatch(path, fc="none", ec=style["color"], lw=style["lw"], alpha=0.85,
                                   zorder=2, ls=(0, (4, 1.5)), capstyle="round"))
            middle_of_edge = (control[0], peak)
        if count > 1:
            labels.append((middle_of_edge, count))
    if len(labels) <= 30:   # merged edges say how many weights they stand for
        for (x, y), count in labels:
            ax.text(x, y, f"{count} w", fontsize=7, ha="center", va="center", color="#444444", zorder=4,
                    bbox=dict(boxstyle="round,pad=0.15", fc="white", ec="none", alpha=0.8))
    return norm, n_skips, (low, high)


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
        False: none;
        an int: groups larger than that; a list: those groups. A merged edge
        is coloured by the mean and drawn as thick as the RMS of its weights,
        and labelled with how many weights it stands for.
    title : str or None
    show_bias : bool
        Mark each perceptron's bias with a small square in the weight colours.

    Edges are blue for positive weights and orange for negative ones, wider
    for larger |w|; edges that jump over a generation (skip connections) are
    dashed arcs. Node fill shows the activation (legend); outputs have a
    thicker outline.

    Returns
    -------
    matplotlib.figure.Figure
    """
    matplotlib, Figure = _matplotlib()
    from matplotlib.transforms import offset_copy

    D = drawing_graph(net, collapse_groups)
    pos = _positions(D)
    n_columns = 1 + max(d["column"] for _, d in D.nodes(data=True))
    tallest = max(sum(1 for _, d in D.nodes(data=True) if d["column"] == c) for c in range(n_columns))
    # the arcs' extent decides the height, so draw the edges on a figure sized afterwards
    fig = Figure(layout="constrained")
    ax = fig.add_subplot()
    cmap = _cmap()
    norm, n_skips, (low, high) = _draw_edges(ax, D, pos, cmap, matplotlib)
    fig.set_size_inches(min(max(2.0 * n_columns + 1.5, 5.0), 22.0),
                        min(max(0.55 * (high - low + 1) + 1.8, 3.6), 30.0))

    G = net.graph
    fontsize = 9 if tallest <= 12 else (7 if tallest <= 30 else 5)
    used_activations = {}
    bias_marker = offset_copy(ax.transData, fig=fig, x=-11, y=-9, units="points")
    for k, d in D.nodes(data=True):
        x, y = pos[k]
        act = d["activation"] if not d["collapsed"] else sorted(d["activations"], key=str)[0]
        face = "#ffffff" if d["role"] == "input" else ACTIVATION_COLOURS.get(act, "#f7f7f7")
        if d["role"] != "input":
            used_activations[act] = face
        lw = 1.8 if d["role"] == "output" else 1.0
        if tallest > 30 and not d["collapsed"]:
            ax.scatter([x], [y], s=40, c=[face], edgecolors="#555555", linewidths=lw, zorder=3)
        else:
            style = "round,pad=0.45" if d["collapsed"] else ("circle,pad=0.25" if len(d["label"]) <= 3
                                                              else "round4,pad=0.35")
            ax.text(x, y, _node_text(d), ha="center", va="center", fontsize=fontsize, zorder=5,
                    bbox=dict(boxstyle=style, fc=face, ec="#555555", lw=lw))
        bias = None if d["collapsed"] or d["role"] == "input" else G.nodes[k]["bias"]
        if show_bias and bias is not None and tallest <= 30:
            # the bias as a small square at the node's lower left, as TensorFlow Playground shows it
            ax.plot([x], [y], marker="s", ms=5, mfc=cmap(norm(bias)), mec="#555555", mew=0.6,
                    transform=bias_marker, zorder=6)

    for c in range(n_columns):
        kind = "inputs" if c == 0 else ("outputs" if c == n_columns - 1 else f"generation {c}")
        ax.text(c, high + 0.7, kind, ha="center", va="bottom", fontsize=8, color="#777777")
    ax.set_xlim(-0.6, n_columns - 0.4)
    ax.set_ylim(low - 0.7, high + 1.2)
    ax.set_axis_off()

    handles = [matplotlib.patches.Patch(fc=face, ec="#555555", label=act)
               for act, face in sorted(used_activations.items())]
    if n_skips:
        handles.append(matplotlib.lines.Line2D([], [], color="#777777", ls=(0, (4, 1.5)),
                                               label=f"skip edge ({n_skips})"))
    if show_bias:
        handles.append(matplotlib.lines.Line2D([], [], ls="none", marker="s", ms=5, mfc=NEUTRAL,
                                               mec="#555555", label="bias"))
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(0.0, 0.0), ncol=min(len(handles), 5),
              fontsize=8, frameon=False)
    sm = matplotlib.cm.ScalarMappable(norm=norm, cmap=cmap)
    bar = fig.colorbar(sm, ax=ax, orientation="horizontal", shrink=0.35, aspect=30, pad=0.02,
                       location="bottom")
    bar.set_label("weight and bias", fontsize=8)
    bar.ax.tick_params(labelsize=7)
    name = title if title is not None else (net.name or "network")
    ax.set_title(f"{name}: {len(G)} nodes, {G.number_of_edges()} edges, {net.n_params} parameters",
                 fontsize=10)
    return _finish(fig, path, dpi)


# -- the input plane ------------------------------------------------------------

def _two_inputs(net, what):
    if len(net.inputs) != 2:
        raise ValueError(f"{what} need a network with two inputs; this one has {len(net.inputs)} "
                         f"({', '.join(map(str, net.inputs))})")


def _plane(X, resolution, padding=0.1, extent=None):
    """A grid over the box around ``X`` (n, 2): returns (xs, ys, points of shape (r*r, 2))."""
    if extent is None:
        if X is None or len(X) == 0:
            extent = (-1.0, 1.0, -1.0, 1.0)
        else:
            X = np.asarray(X, dtype=float)
            lo, hi = X.min(axis=0), X.max(axis=0)
            pad = np.maximum((hi - lo) * padding, 0.1)
            extent = (lo[0] - pad[0], hi[0] + pad[0], lo[1] - pad[1], hi[1] + pad[1])
    xs = np.linspace(extent[0], extent[1], resolution)
    ys = np.linspace(extent[2], extent[3], resolution)
    gx, gy = np.meshgrid(xs, ys)
    return extent, np.column_stack([gx.ravel(), gy.ravel()])


def _labels(net, Y):
    """Class labels (n,) for classification targets, else None."""
    from . import metrics

    if Y is None:
        return None
    Y = np.asarray(Y, dtype=float)
    Y2 = Y.reshape(len(Y), -1)
    if net.is_classifier or metrics.looks_like_labels(Y2) or (
            Y2.shape[1] == 1 and len(net.outputs) > 1 and np.all(Y2 == np.round(Y2))):
        return metrics.labels(Y2)
    return None


def _region_image(P, classifier):
    """RGB colours (r*r, 3) for predictions ``P`` of shape (r*r, m), and the class of each point."""
    from matplotlib.colors import to_rgb

    m = P.shape[1]
    k = np.argmax(P, axis=1)
    top = P[np.arange(len(P)), k]
    # softmax outputs: full colour where sure, white where all classes are equally likely
    confidence = np.clip((top - 1.0 / m) / (1.0 - 1.0 / m), 0.0, 1.0) if classifier else np.ones(len(P))
    colours = np.array([to_rgb(CLASS_COLOURS[c % len(CLASS_COLOURS)]) for c in range(m)])
    rgb = 1.0 - (1.0 - colours[k]) * (0.25 + 0.55 * confidence)[:, None]
    return rgb, k


def _draw_regions(ax, net, X, Y, resolution, extent=None, points=True):
    """Draw the regions of ``net`` on ``ax``; return what changes per frame for animations."""
    extent, grid = _plane(X, resolution, extent=extent)
    P = net.predict(grid)
    r = resolution
    labels = _labels(net, Y)
    classifier = net.is_classifier or labels is not None
    artists = {}
    if P.shape[1] == 1:
        cmap = _cmap() if classifier else "viridis"
        from matplotlib.colors import Normalize, TwoSlopeNorm

        if classifier:
            norm = TwoSlopeNorm(0.5, min(0.0, P.min()), max(1.0, P.max()) + 1e-12)
        else:
            values = P if Y is None else np.concatenate([P.ravel(), np.asarray(Y, float).ravel()])
            norm = Normalize(float(np.min(values)), float(np.max(values)))
        artists["image"] = ax.imshow(P.reshape(r, r), origin="lower", extent=extent, cmap=cmap, norm=norm,
                                     aspect="auto", interpolation="bilinear", alpha=0.85)
        if classifier and P.min() < 0.5 < P.max():
            artists["contour"] = ax.contour(np.linspace(*extent[:2], r), np.linspace(*extent[2:], r),
                                            P.reshape(r, r), levels=[0.5], colors="#333333",
                                            linewidths=1.2)
        artists["norm"], artists["cmap"] = norm, cmap
    else:
        rgb, k = _region_image(P, classifier)
        artists["image"] = ax.imshow(rgb.reshape(r, r, 3), origin="lower", extent=extent, aspect="auto",
                                     interpolation="nearest")
        if len(np.unique(k)) > 1:   # each class's edge; two classes share theirs
            xs, ys = np.linspace(*extent[:2], r), np.linspace(*extent[2:], r)
            artists["contour"] = [ax.contour(xs, ys, (k == c).reshape(r, r).astype(float), levels=[0.5],
                                             colors="#333333", linewidths=1.0)
                                  for c in np.unique(k)]
    if points and X is not None:
        X = np.asarray(X, dtype=float)
        if labels is not None:
            colours = [CLASS_COLOURS[c % len(CLASS_COLOURS)] for c in labels]
            ax.scatter(X[:, 0], X[:, 1], c=colours, s=_point_size(len(X)), edgecolors="black",
                       linewidths=0.6, zorder=3)
        elif Y is not None:
            ax.scatter(X[:, 0], X[:, 1], c=np.asarray(Y, float).reshape(len(X), -1)[:, 0],
                       cmap=artists.get("cmap", "viridis"), norm=artists.get("norm"),
                       s=_point_size(len(X)), edgecolors="black", linewidths=0.6, zorder=3)
        else:
            ax.scatter(X[:, 0], X[:, 1], c="black", s=6, zorder=3)
    ax.set_xlim(extent[0], extent[1])
    ax.set_ylim(extent[2], extent[3])
    ax.set_xlabel(str(net.inputs[0]))
    ax.set_ylabel(str(net.inputs[1]))
    artists.update(extent=extent, grid=grid, labels=labels, classifier=classifier)
    return artists


def _point_size(n):
    return float(np.clip(3000.0 / max(n, 1), 8.0, 60.0))


def decision_regions(net, X, Y=None, path=None, resolution=200, title=None, dpi=120):
    """The output of a two-input network over the plane, with the training points on top.

    One sigmoid output: colour runs from orange (ŷ = 0) through white to
    blue (ŷ = 1), with the ŷ = 0.5 boundary drawn, as in seed 002's applets.
    Several outputs (softmax): each class in its colour, paler where the
    network is unsure, boundaries drawn. A regression output: its value
    (viridis) with a colour bar.

    Parameters
    ----------
    net : Network with two inputs
    X : array of shape (n_samples, 2)
        The points to show; the plane spans them (plus 10 %).
    Y : array of shape (n_samples,) or (n_samples, n_outputs), or None
        Their targets: class labels, one-hot rows or values.
    path : str or None
    resolution : int
        Grid points per axis.

    Returns
    -------
    matplotlib.figure.Figure
    """
    _two_inputs(net, "decision regions")
    matplotlib, Figure = _matplotlib()
    fig = Figure(figsize=(5.6, 4.8), layout="constrained")
    ax = fig.add_subplot()
    artists = _draw_regions(ax, net, X, Y, resolution)
    if not artists["classifier"] and "norm" in artists:
        fig.colorbar(artists["image"], ax=ax, label=f"output {net.outputs[0]}")
    name = title if title is not None else (net.name or "network")
    subtitle = ""
    if Y is not None and artists["labels"] is not None:
        subtitle = f": accuracy {_accuracy(net, X, artists['labels']):.3f}"
    elif Y is not None:
        subtitle = f": R² {net.score(X, Y):.3f}"
    ax.set_title(f"{name}{subtitle}", fontsize=10)
    return _finish(fig, path, dpi)


def _accuracy(net, X, labels):
    from . import metrics

    return metrics.accuracy(labels, net.predict_classes(X))


def _activation_range(name, z):
    if name in ("sigmoid", "softmax", "gaussian"):
        return 0.0, 1.0
    if name in ("tanh", "softsign", "sin"):
        return -1.0, 1.0
    top = float(np.abs(z).max()) or 1.0
    return -top, top


def neuron_maps(net, X=None, path=None, resolution=60, max_neurons=64, extent=None, dpi=120):
    """A small heatmap of every perceptron's z_j over the input plane (TensorFlow Playground style).

    One column per topological generation (outputs last), one map per node;
    large networks fall back to a plain grid of the first ``max_neurons``.

    Parameters
    ----------
    net : Network with two inputs
    X : array of shape (n_samples, 2) or None
        Points whose bounding box sets the plane (drawn as dots);
        None shows [-1, 1]² (or ``extent``).
    resolution : int
        Grid points per axis of each map.
    max_neurons : int
        Draw at most this many maps.
    extent : (x_min, x_max, y_min, y_max) or None

    Returns
    -------
    matplotlib.figure.Figure
    """
    _two_inputs(net, "neuron maps")
    matplotlib, Figure = _matplotlib()
    extent, grid = _plane(X, resolution, extent=extent)
    trace = net.forward(grid)
    G = net.graph
    generation = generations(G)
    outputs = set(net.outputs)
    nodes = [n for n in net.plan.nodes if G.nodes[n]["role"] != "input"]
    last = max(generation.values())
    column_of = {n: (last if n in outputs and G.out_degree(n) == 0 else generation[n]) for n in nodes}
    columns = sorted(set(column_of.values()))
    by_column = {c: [n for n in nodes if column_of[n] == c] for c in columns}
    tallest = max(len(v) for v in by_column.values())
    truncated = len(nodes) > max_neurons
    if truncated or tallest > 12 or len(columns) > 10:
        shown = nodes[:max_neurons]
        n_cols = int(math.ceil(math.sqrt(len(shown))))
        cells = {n: (k // n_cols, k % n_cols) for k, n in enumerate(shown)}
        n_rows = int(math.ceil(len(shown) / n_cols))
    else:
        shown = nodes
        n_cols, n_rows = len(columns), tallest
        cells = {n: (r, columns.index(c)) for c in columns for r, n in enumerate(by_column[c])}
    fig = Figure(figsize=(1.55 * n_cols + 0.6, 1.5 * n_rows + 0.9), layout="constrained")
    axes = fig.subplots(n_rows, n_cols, squeeze=False)
    cmap = _cmap()
    for ax in axes.ravel():
        ax.set_axis_off()
    r = resolution
    for n in shown:
        row, col = cells[n]
        ax = axes[row, col]
        z = trace.z[n]
        lo, hi = _activation_range(G.nodes[n]["activation"], z)
        ax.imshow(z.reshape(r, r), origin="lower", extent=extent, cmap=cmap, vmin=lo, vmax=hi,
                  aspect="auto", interpolation="bilinear")
        if X is not None:
            X = np.asarray(X, dtype=float)
            ax.scatter(X[:, 0], X[:, 1], s=1.5, c="black", alpha=0.35, linewidths=0)
        ax.set_xlim(extent[0], extent[1])
        ax.set_ylim(extent[2], extent[3])
        ax.set_axis_on()
        ax.set_xticks([])
        ax.set_yticks([])
        role = "output " if n in outputs else ""
        ax.set_title(f"{role}{n}\n{G.nodes[n]['activation']} [{lo:g}, {hi:g}]", fontsize=7)
        for side in ax.spines.values():
            side.set_color(BLUE if n in outputs else "#999999")
    more = f" (first {len(shown)} of {len(nodes)})" if truncated else ""
    fig.suptitle(f"{net.name or 'network'}: z_j over the ({net.inputs[0]}, {net.inputs[1]}) plane{more}",
                 fontsize=9)
    return _finish(fig, path, dpi)


# -- training -----------------------------------------------------------------

def _history_lists(history):
    if hasattr(history, "as_dict"):
        return history.as_dict()
    if isinstance(history, dict):
        return history
    return {"loss": list(history)}


def loss_curves(history, path=None, title=None, log=None, dpi=120):
    """Training and validation loss per epoch, and accuracy beside it when recorded.

    Parameters
    ----------
    history : History, its ``as_dict()``, or a list of losses
    log : bool or None
        Logarithmic loss axis; None chooses it when the loss spans more than
        two decades.

    Returns
    -------
    matplotlib.figure.Figure
    """
    matplotlib, Figure = _matplotlib()
    h = _history_lists(history)
    loss = list(h.get("loss") or [])
    if not loss:
        raise ValueError("no epochs recorded: nothing to plot")
    with_accuracy = bool(h.get("accuracy"))
    fig = Figure(figsize=(9.5 if with_accuracy else 5.6, 3.8), layout="constrained")
    axes = fig.subplots(1, 2 if with_accuracy else 1, squeeze=False)[0]
    epochs = np.arange(1, len(loss) + 1)
    ax = axes[0]
    ax.plot(epochs, loss, color=BLUE, lw=1.6, label="training")
    val = list(h.get("val_loss") or [])
    if val:
        ax.plot(np.arange(1, len(val) + 1), val, color=ORANGE, lw=1.6, label="validation")
    values = np.array([v for v in loss + val if np.isfinite(v)])
    if log is None:
        log = bool(len(values) and values.min() > 0 and values.max() / values.min() > 100)
    if log:
        ax.set_yscale("log")
    best = h.get("best_epoch")
    for a in axes:
        if best:
            a.axvline(best, color="#888888", ls=":", lw=1)
        a.set_xlabel("epoch")
        a.grid(alpha=0.3)
    ax.set_ylabel("loss E")
    ax.legend(fontsize=8, title=f"best epoch {best}" if best else None, title_fontsize=8)
    if with_accuracy:
        acc = axes[1]
        acc.plot(np.arange(1, len(h["accuracy"]) + 1), h["accuracy"], color=BLUE, lw=1.6, label="training")
        if h.get("val_accuracy"):
            acc.plot(np.arange(1, len(h["val_accuracy"]) + 1), h["val_accuracy"], color=ORANGE, lw=1.6,
                     label="validation")
        acc.set_ylabel("accuracy")
        acc.set_ylim(-0.02, 1.02)
        acc.legend(fontsize=8)
    final = f"final loss {loss[-1]:.4g}" + (f", accuracy {h['accuracy'][-1]:.3f}" if with_accuracy else "")
    fig.suptitle(f"{title + ': ' if title else ''}{len(loss)} epochs, {final}", fontsize=10)
    return _finish(fig, path, dpi)


class TrainingRecorder:
    """A ``fit`` callback that keeps copies of the parameters at chosen epochs, for animations.

    Frames are spread geometrically over the epochs (training changes most
    early on); epoch 0, the start, is recorded when the recorder is made.

    Examples
    --------
    >>> import dagnet, numpy as np
    >>> net = dagnet.load("topologies/xor_2_2_1.yaml", seed=0)
    >>> recorder = TrainingRecorder(net, epochs=50, frames=5)
    >>> sorted(recorder.frame_epochs)
    [0, 1, 3, 7, 19, 50]
    """

    def __init__(self, net, epochs, frames=30, then=None):
        self.net = net
        self.frame_epochs = {0} | {int(round(e)) for e in np.geomspace(1, max(epochs, 1), max(frames, 1))}
        self.snapshots = [(0, net.params.copy(), None)]
        self.then = then

    def __call__(self, epoch, history):
        if epoch in self.frame_epochs:
            self.snapshots.append((epoch, self.net.params.copy(), history.loss[-1]))
        if self.then is not None:
            return self.then(epoch, history)
        return None

    def finish(self, history):
        """Record the last epoch too (training may stop before the planned end)."""
        if history.epochs and self.snapshots[-1][0] != history.epochs:
            self.snapshots.append((history.epochs, self.net.params.copy(), history.loss[-1]))


def animate(net, X, Y, snapshots, path, resolution=100, fps=6, dpi=80, title=None):
    """Write a GIF of the decision regions at each snapshot ``(epoch, params, loss)``.

    The network's parameters are restored afterwards. Returns the Figure
    (showing the last frame).
    """
    _two_inputs(net, "decision-region animations")
    matplotlib, Figure = _matplotlib()
    from matplotlib.animation import PillowWriter

    path = os.fspath(path)
    if not path.lower().endswith(".gif"):
        raise ValueError(f"animations are written as GIF; {path!r} should end in .gif")
    keep = net.params.copy()
    fig = Figure(figsize=(5.0, 4.4), layout="constrained")
    ax = fig.add_subplot()
    name = title if title is not None else (net.name or "network")
    folder = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=f".{os.path.basename(path)}.", suffix=".gif", dir=folder)
    os.close(fd)
    writer = PillowWriter(fps=fps)
    try:
        with writer.saving(fig, tmp, dpi):
            for epoch, params, loss in snapshots:
                net.params[:] = params
                ax.clear()
                artists = _draw_regions(ax, net, X, Y, resolution)
                text = f"{name}: epoch {epoch}"
                if loss is not None:
                    text += f", loss {loss:.4g}"
                if Y is not None and artists["labels"] is not None:
                    text += f", accuracy {_accuracy(net, X, artists['labels']):.2f}"
                ax.set_title(text, fontsize=9)
                writer.grab_frame()
            for _ in range(fps):   # hold the last frame for a second
                writer.grab_frame()
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    finally:
        net.params[:] = keep
    return fig


def animate_training(net, X, Y, path, fit_kwargs=None, frames=30, resolution=100, fps=6, dpi=80):
    """Train ``net`` on (X, Y) and write a GIF of its decision regions evolving.

    Parameters
    ----------
    net : Network with two inputs
        Trained in place by ``net.fit(X, Y, **fit_kwargs)``.
    X : array of shape (n_samples, 2)
    Y : array of shape (n_samples, n_outputs) or labels
    path : str
        A ``.gif`` file.
    fit_kwargs : dict or None
        Passed to :meth:`Network.fit` (``epochs``, ``lr``, ...); a
        ``callback`` there is still called.
    frames : int
        About this many frames, spread geometrically over the epochs.

    Returns
    -------
    matplotlib.figure.Figure
        The last frame; ``fig.history`` is the History of the training run.
    """
    _two_inputs(net, "decision-region animations")
    _matplotlib()
    fit_kwargs = dict(fit_kwargs or {})
    fit_kwargs.setdefault("verbose", False)
    recorder = TrainingRecorder(net, fit_kwargs.get("epochs", 100), frames, then=fit_kwargs.pop("callback", None))
    history = net.fit(X, Y, callback=recorder, **fit_kwargs)
    recorder.finish(history)
    fig = animate(net, X, Y, recorder.snapshots, path, resolution=resolution, fps=fps, dpi=dpi)
    fig.history = history
    return fig


# -- Graphviz -------------------------------------------------------------------

def _dot_id(name):
    text = str(name).replace("\\", "\\\\").replace('"', '\\"')
    return f'"{text}"'


def to_dot(net, collapse_groups=False):
    """The network as Graphviz DOT text (``dot -Tpng net.dot -o net.png``).

    Left to right, one rank per topological generation; edges blue for
    positive and orange for negative weights, ``penwidth`` by |w|, skip
    edges dashed; collapsed groups (see :func:`draw_network`) are boxes.

    Examples
    --------
    >>> import dagnet
    >>> text = to_dot(dagnet.load("topologies/xor_skip.yaml"))
    >>> '"a" -> "y"' in text and "style=dashed" in text
    True
    """
    D = drawing_graph(net, collapse_groups)
    G = net.graph
    weights = [abs(w) for _, _, d in D.edges(data=True) for w in d["weights"]]
    scale = max(weights) if weights else 1.0
    scale = scale or 1.0
    lines = [f"digraph {_dot_id(net.name or 'network')} {{", "  rankdir=LR;", "  splines=true;",
             '  node [fontname="Helvetica", fontsize=10, style=filled];']
    names = {k: (f"group:{k[1]}" if isinstance(k, tuple) and k[:1] == ("group",) else k) for k in D}
    columns = {}
    for k, d in D.nodes(data=True):
        columns.setdefault(d["column"], []).append(k)
        act = d["activation"] or "input"
        if d["collapsed"]:
            label, shape = f"{d['label']}\\n{d['members']} × {act}", "box"
        else:
            bias = G.nodes[k]["bias"] if d["role"] != "input" else None
            label = d["label"] if d["role"] == "input" else f"{d['label']}\\n{act}" + (
                f"\\nb={bias:.3g}" if bias is not None else "")
            shape = "circle" if d["role"] != "input" else "box"
        fill = "#ffffff" if d["role"] == "input" else ACTIVATION_COLOURS.get(act, "#f7f7f7")
        peri = ", peripheries=2" if d["role"] == "output" else ""
        lines.append(f'  {_dot_id(names[k])} [label="{label}", shape={shape}, fillcolor="{fill}"{peri}];')
    for c in sorted(columns):
        members = "; ".join(_dot_id(names[k]) for k in columns[c])
        lines.append(f"  {{ rank=same; {members}; }}")
    for u, v, d in D.edges(data=True):
        w = float(np.mean(d["weights"]))
        size = float(np.sqrt(np.mean(np.square(d["weights"]))))
        colour = BLUE if w >= 0 else ORANGE
        skip = D.nodes[v]["column"] - D.nodes[u]["column"] > 1
        label = f"{w:.3g}" if len(d["weights"]) == 1 else f"{len(d['weights'])} w, mean {w:.3g}"
        attrs = [f'color="{colour}"', f"penwidth={0.5 + 3.5 * size / scale:.2f}", f'label="{label}"',
                 "fontsize=8"]
        if skip:
            attrs.append("style=dashed")
        lines.append(f"  {_dot_id(names[u])} -> {_dot_id(names[v])} [{', '.join(attrs)}];")
    lines.append("}")
    return "\n".join(lines) + "\n"


def write_dot(net, path, collapse_groups=False):
    """Write :func:`to_dot` text to ``path`` atomically; return ``path``."""
    from .files import atomic_write

    text = to_dot(net, collapse_groups)
    atomic_write(path, lambda f: f.write(text))
    return os.fspath(path)
