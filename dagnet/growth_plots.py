"""Pictures of networks that change: pruned against unpruned, accuracy against weights kept, a cascade growing.

=========================  ==============================================
:func:`pruned_network`     the network before and after pruning, side by
                           side; the pruned edges and perceptrons faded
:func:`accuracy_vs_kept`   accuracy against the fraction of weights kept,
                           one line per method, the unpruned network dashed
:func:`cascade_growth`     a cascade-correlation network's decision regions
                           unit by unit, and its final structure
:func:`animate_cascade`    the same as a GIF, one frame per installed unit
=========================  ==============================================

Each returns a :class:`matplotlib.figure.Figure` and writes it when given a
path (atomically, through :func:`dagnet.plots.save_figure`). matplotlib is
imported only here and only when a picture is drawn; without it these
raise :class:`dagnet.plots.MissingMatplotlib`.
"""
import os

import numpy as np

from . import plots
from .structure import generations


def _matplotlib():
    try:
        import matplotlib
        from matplotlib.figure import Figure
    except ImportError:
        raise plots.MissingMatplotlib() from None
    return matplotlib, Figure


def _cmap():
    from matplotlib.colors import LinearSegmentedColormap

    return LinearSegmentedColormap.from_list("dagnet-weights", [plots.ORANGE, plots.NEUTRAL, plots.BLUE])


def _finish(fig, path, dpi=120):
    if path is not None:
        plots.save_figure(fig, path, dpi=dpi)
    return fig


# -- structure -----------------------------------------------------------------------------

def layout(net):
    """``{node: (x, y)}``: x the topological generation (outputs last), y spread evenly in [-1, 1] per column.

    >>> import dagnet
    >>> layout(dagnet.load("topologies/xor_skip.yaml"))
    {'a': (0.0, 0.5), 'b': (0.0, -0.5), 'n': (1.0, 0.9), 'y': (2.0, 0.0)}
    """
    G = net.graph
    column = generations(G)
    last = max(column.values())
    outputs = set(net.outputs)
    for o in outputs:
        if G.out_degree(o) == 0:
            column[o] = last
    by_column = {}
    for n in net.plan.nodes:
        by_column.setdefault(column[n], []).append(n)
    pos = {}
    for c, nodes in by_column.items():
        k = len(nodes)
        for r, n in enumerate(nodes):
            pos[n] = (float(c), 0.0 if k == 1 else float(0.5 - r / (k - 1)) * (1.0 if k == 2 else 2.0))
        if k == 1 and 0 < c < last:   # lone perceptrons (a cascade) on an arc: no three in a line
            pos[nodes[0]] = (float(c), round(0.9 - 3.6 * (c / last - 0.5) ** 2, 6))
    return pos


def _relative_weights(net):
    """``{(u, v): w / max |w| into v}``: each weight against the others into its perceptron, in [-1, 1]."""
    G = net.graph
    largest = {v: max((abs(w) for _, _, w in G.in_edges(v, data="weight")), default=0.0) or 1.0 for v in G}
    return {(u, v): w / largest[v] for u, v, w in G.edges(data="weight")}


def _draw_structure(ax, net, pos, cmap, faded_edges=(), faded_nodes=(), relative=None):
    """Edges as one LineCollection coloured by relative weight (faded ones light grey), nodes as dots."""
    from matplotlib.collections import LineCollection

    G = net.graph
    relative = _relative_weights(net) if relative is None else relative
    faded_edges, faded_nodes = set(faded_edges), set(faded_nodes)
    strong, values, faint = [], [], []
    for u, v in G.edges:
        if (u, v) in faded_edges:
            faint.append((pos[u], pos[v]))
        else:
            strong.append((pos[u], pos[v]))
            values.append(relative[u, v])
    many = G.number_of_edges() > 300
    if faint:
        ax.add_collection(LineCollection(faint, colors="#d0d0d0", linewidths=0.3 if many else 0.8,
                                         alpha=0.5, zorder=1))
    if strong:
        values = np.asarray(values)
        order = np.argsort(np.abs(values))          # the strongest on top
        ax.add_collection(LineCollection([strong[i] for i in order], colors=cmap(0.5 + 0.5 * values[order]),
                                         linewidths=(0.3 + 2.2 * np.abs(values[order])) * (0.6 if many else 1.0),
                                         alpha=0.9, zorder=2))
    crowded = len(G) > 100
    for role, face in (("input", "#ffffff"), ("hidden", "#cfe3f3"), ("output", "#e7d4e8")):
        nodes = [n for n in G if G.nodes[n]["role"] == role]
        for group, alpha, edge in (([n for n in nodes if n not in faded_nodes], 1.0, "#555555"),
                                   ([n for n in nodes if n in faded_nodes], 0.25, "#bbbbbb")):
            if group:
                xy = np.array([pos[n] for n in group])
                small = crowded and role == "hidden"
                ax.scatter(xy[:, 0], xy[:, 1], s=6 if small else 60, c=face, alpha=alpha, zorder=3,
                           edgecolors="none" if small else edge, linewidths=0.8)
    if len(G) <= 40:
        for n, (x, y) in pos.items():
            if n not in faded_nodes:
                ax.annotate(str(n), (x, y), xytext=(0, 7), textcoords="offset points", ha="center",
                            fontsize=7, color="#333333", zorder=4)
    xs = [x for x, _ in pos.values()]
    ax.set_xlim(min(xs) - 0.3, max(xs) + 0.3)
    ax.set_ylim(-1.25, 1.25)
    ax.set_axis_off()


def _colourbar(fig, axes, matplotlib, cmap):
    fig.colorbar(matplotlib.cm.ScalarMappable(norm=matplotlib.colors.Normalize(-1, 1), cmap=cmap), ax=axes,
                 shrink=0.4, orientation="horizontal", location="bottom",
                 label="weight / the largest |weight| into its perceptron")


def pruned_network(before, after, path=None, title=None, dpi=120):
    """The network before pruning and after, side by side; what pruning removed is faded on the right.

    Parameters
    ----------
    before, after : Network
        The unpruned network and the pruned one (sharing node names).
    path : str or None
        Write the picture here (.png, .svg, .pdf).

    Returns
    -------
    matplotlib.figure.Figure
    """
    matplotlib, Figure = _matplotlib()
    cmap = _cmap()
    pos = layout(before)
    fig = Figure(figsize=(11.0, 5.0), layout="constrained")
    left, right = fig.subplots(1, 2)
    _draw_structure(left, before, pos, cmap)
    gone_edges = [e for e in before.graph.edges if not after.graph.has_edge(*e)]
    gone_nodes = [n for n in before.graph if n not in after.graph]
    relative = dict.fromkeys(before.graph.edges, 0.0)     # the pruned network's values, on the original structure
    relative.update(_relative_weights(after))
    _draw_structure(right, before, pos, cmap, gone_edges, gone_nodes, relative)
    e0, e1 = before.graph.number_of_edges(), after.graph.number_of_edges()
    left.set_title(f"before: {len(before.graph)} nodes, {e0} weights", fontsize=10)
    right.set_title(f"after: {len(after.graph)} nodes, {e1} weights ({100 * e1 / max(e0, 1):.1f} % kept); "
                    f"pruned ones faded", fontsize=10)
    _colourbar(fig, [left, right], matplotlib, cmap)
    fig.suptitle(title if title is not None else (before.name or "pruning"), fontsize=11)
    return _finish(fig, path, dpi)


def accuracy_vs_kept(rows, path=None, title=None, dpi=120):
    """Accuracy against the fraction of weights kept: one panel per network, one line per method.

    Parameters
    ----------
    rows : list of dict
        Each with ``network``, ``method``, ``kept`` (a fraction) and
        ``accuracy``; several rows of one (network, method, kept) are seeds,
        drawn as mean ± standard deviation. Rows with method ``"unpruned"``
        are drawn as a dashed line.

    Returns
    -------
    matplotlib.figure.Figure
    """
    matplotlib, Figure = _matplotlib()
    networks = list(dict.fromkeys(r["network"] for r in rows))
    fig = Figure(figsize=(5.0 * len(networks), 4.0), layout="constrained")
    axes = np.atleast_1d(fig.subplots(1, len(networks)))
    colours = dict(zip(["magnitude", "obd", "fisher"], [plots.BLUE, plots.ORANGE, "#2ca02c"]))
    for ax, network in zip(axes, networks):
        mine = [r for r in rows if r["network"] == network]
        for method in dict.fromkeys(r["method"] for r in mine):
            points = {}
            for r in mine:
                if r["method"] == method:
                    points.setdefault(r["kept"], []).append(r["accuracy"])
            kept = np.array(sorted(points))
            mean = np.array([np.mean(points[k]) for k in kept])
            std = np.array([np.std(points[k]) for k in kept])
            if method == "unpruned":
                ax.axhline(mean.mean(), color="#555555", ls="--", lw=1.2, label="unpruned")
                continue
            ax.errorbar(kept, mean, yerr=std, marker="o", ms=4, capsize=3, lw=1.5,
                        color=colours.get(method), label=method)
        ax.set_xscale("log")
        ticks = sorted({r["kept"] for r in mine if r["method"] != "unpruned"})
        ax.set_xticks(ticks, [f"{100 * k:g} %" for k in ticks])
        ax.minorticks_off()
        ax.set_xlabel("weights kept")
        ax.set_ylabel("test accuracy")
        ax.set_title(str(network), fontsize=10)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    if title:
        fig.suptitle(title, fontsize=11)
    return _finish(fig, path, dpi)


# -- a cascade growing -------------------------------------------------------------------

def _regions(ax, net, X, Y, resolution=120):
    """A two-input network's first output over the plane, the samples on top."""
    X = np.asarray(X, dtype=float)
    lo, hi = X.min(axis=0), X.max(axis=0)
    pad = 0.08 * (hi - lo)
    xs, ys = np.linspace(lo[0] - pad[0], hi[0] + pad[0], resolution), np.linspace(lo[1] - pad[1], hi[1] + pad[1], resolution)
    grid = np.array(np.meshgrid(xs, ys)).reshape(2, -1).T
    P = net.predict(grid)
    values = P[:, 0] if P.shape[1] == 1 else np.argmax(P, axis=1) / max(P.shape[1] - 1, 1)
    ax.imshow(values.reshape(resolution, resolution), origin="lower", cmap=_cmap(), vmin=0.0, vmax=1.0,
              extent=(xs[0], xs[-1], ys[0], ys[-1]), aspect="auto", interpolation="bilinear", alpha=0.85)
    labels = np.asarray(Y, dtype=float).reshape(len(X), -1)
    labels = labels[:, 0] if labels.shape[1] == 1 else np.argmax(labels, axis=1)
    ax.scatter(X[:, 0], X[:, 1], c=[plots.CLASS_COLOURS[int(k) % 10] for k in labels], s=10,
               edgecolors="black", linewidths=0.4)
    ax.set_xticks([])
    ax.set_yticks([])


def _stage_title(history, k):
    stage = history.stages[k]
    return f"{stage.hidden} hidden, {stage.wrong} wrong"


def cascade_growth(net, history, X, Y, path=None, panels=8, dpi=120):
    """A grown cascade's decision regions stage by stage (about ``panels`` of them) and its final structure.

    Parameters
    ----------
    net : Network
        What :func:`dagnet.cascade.grow` returned (two inputs).
    history : CascadeHistory
    X : array of shape (n_samples, 2)
    Y : array of shape (n_samples, n_outputs)

    Returns
    -------
    matplotlib.figure.Figure
    """
    matplotlib, Figure = _matplotlib()
    if len(net.inputs) != 2:
        raise ValueError(f"cascade pictures need two inputs; this network has {len(net.inputs)}")
    stages = sorted(set(np.linspace(0, len(history.stages) - 1, min(panels, len(history.stages))).round()
                        .astype(int).tolist()))
    cols = min(4, len(stages))
    rows = -(-len(stages) // cols) + 1
    fig = Figure(figsize=(3.0 * cols, 3.0 * rows), layout="constrained")
    grid = fig.add_gridspec(rows, cols)
    for i, k in enumerate(stages):
        ax = fig.add_subplot(grid[i // cols, i % cols])
        _regions(ax, history.network(net, k), X, Y)
        ax.set_title(_stage_title(history, k), fontsize=9)
    ax = fig.add_subplot(grid[rows - 1, :])
    _draw_structure(ax, net, layout(net), _cmap())
    ax.set_title(f"the grown network: {history.hidden_units} hidden perceptrons, each a generation "
                 f"(in-weights frozen); {history.epochs} epochs", fontsize=9)
    return _finish(fig, path, dpi)


def animate_cascade(net, history, X, Y, path, fps=2, dpi=80):
    """A GIF of the cascade growing: one frame per stage, decision regions beside the structure so far.

    The last frame is held for a second. Written atomically, like the pictures.
    """
    matplotlib, Figure = _matplotlib()
    path = os.fspath(path)
    if not path.lower().endswith(".gif"):
        raise ValueError(f"animations are written as GIF; {path!r} should end in .gif")
    fig = Figure(figsize=(8.0, 3.6), dpi=dpi, layout="constrained")
    left, right = fig.subplots(1, 2, width_ratios=[1, 1.3])
    cmap, frames = _cmap(), []
    for k in range(len(history.stages)):
        stage_net = history.network(net, k)
        left.clear()
        right.clear()
        _regions(left, stage_net, X, Y, resolution=80)
        left.set_title(_stage_title(history, k), fontsize=9)
        _draw_structure(right, stage_net, layout(stage_net), cmap)
        frames.append(plots.gif_frame(fig).quantize(colors=128))
    plots.save_gif(frames, path, fps=fps)
    return fig
