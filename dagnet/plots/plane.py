"""Pictures over the input plane of a two-input network: decision regions and per-neuron maps.

Examples
--------
>>> import dagnet, numpy as np
>>> net = dagnet.load("topologies/xor_skip.yaml")
>>> X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]])
>>> class_labels(net, [0, 1, 1, 0]).tolist()
[0, 1, 1, 0]
>>> decision_regions(net, X, [0, 1, 1, 0], resolution=20).axes[0].get_title()
'xor-skip: accuracy 1.000'
"""
import math

import numpy as np

from .. import metrics
from ..activations import record
from ..samples import is_binary, targets_for
from ..structure import generations
from ..text import rounded
from .figures import colour_map, finish, require_matplotlib
from .style import BLUE, class_colour


def require_two_inputs(net, what):
    """Refuse a network without exactly two inputs: ``what`` needs a plane."""
    if len(net.inputs) != 2:
        raise ValueError(f"{what} need a network with two inputs; this one has {len(net.inputs)} "
                         f"({', '.join(map(str, net.inputs))})")


def plane(X, resolution, padding=0.1, extent=None):
    """A grid over the box around ``X`` (n, 2): ``(extent, points of shape (r*r, 2))``."""
    if extent is None:
        if X is None or len(X) == 0:
            extent = (-1.0, 1.0, -1.0, 1.0)
        else:
            X = np.asarray(X, dtype=float)
            lo, hi = X.min(axis=0), X.max(axis=0)
            pad = np.maximum((hi - lo) * padding, 0.1)
            extent = (lo[0] - pad[0], hi[0] + pad[0], lo[1] - pad[1], hi[1] + pad[1])
    gx, gy = np.meshgrid(np.linspace(extent[0], extent[1], resolution),
                         np.linspace(extent[2], extent[3], resolution))
    return extent, np.column_stack([gx.ravel(), gy.ravel()])


def class_labels(net, Y):
    """Class labels of shape (n,) when ``Y`` holds classification targets for ``net``, else None.

    ``Y`` is read as training reads it (:func:`dagnet.samples.targets_for`):
    a classifier's labels or one-hot rows, or 0/1 targets of any network.
    """
    if Y is None:
        return None
    n_classes = len(net.outputs) if len(net.outputs) > 1 else None
    T = targets_for(net, Y, n_classes=n_classes)
    return metrics.labels(T) if net.is_classifier or is_binary(T) else None


def _region_image(P, classifier):
    """RGB colours (r*r, 3) for predictions ``P`` of shape (r*r, m), and the class of each point."""
    from matplotlib.colors import to_rgb

    m = P.shape[1]
    k = np.argmax(P, axis=1)
    top = P[np.arange(len(P)), k]
    # softmax outputs: full colour where sure, white where all classes are equally likely
    confidence = np.clip((top - 1.0 / m) / (1.0 - 1.0 / m), 0.0, 1.0) if classifier else np.ones(len(P))
    colours = np.array([to_rgb(class_colour(c)) for c in range(m)])
    rgb = 1.0 - (1.0 - colours[k]) * (0.25 + 0.55 * confidence)[:, None]
    return rgb, k


def _point_size(n):
    return float(np.clip(3000.0 / max(n, 1), 8.0, 60.0))


def draw_regions(ax, net, X, Y, resolution, extent=None):
    """Draw the decision regions of ``net`` and the points (X, Y) on ``ax``.

    Returns ``{"image", "norm", "cmap", "contour", "extent", "grid", "labels",
    "classifier"}`` (what exists), for colour bars, titles and animations.
    """
    from matplotlib.colors import Normalize, TwoSlopeNorm

    extent, grid = plane(X, resolution, extent=extent)
    P = net.predict(grid)
    r = resolution
    labels = class_labels(net, Y)
    classifier = net.is_classifier or labels is not None
    artists = {}
    if P.shape[1] == 1:
        cmap = colour_map() if classifier else "viridis"
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
    if X is not None:
        X = np.asarray(X, dtype=float)
        size = _point_size(len(X))
        if labels is not None:
            ax.scatter(X[:, 0], X[:, 1], c=[class_colour(c) for c in labels], s=size, edgecolors="black",
                       linewidths=0.6, zorder=3)
        elif Y is not None:
            ax.scatter(X[:, 0], X[:, 1], c=np.asarray(Y, float).reshape(len(X), -1)[:, 0],
                       cmap=artists.get("cmap", "viridis"), norm=artists.get("norm"), s=size,
                       edgecolors="black", linewidths=0.6, zorder=3)
        else:
            ax.scatter(X[:, 0], X[:, 1], c="black", s=6, zorder=3)
    ax.set_xlim(extent[0], extent[1])
    ax.set_ylim(extent[2], extent[3])
    ax.set_xlabel(str(net.inputs[0]))
    ax.set_ylabel(str(net.inputs[1]))
    artists.update(extent=extent, grid=grid, labels=labels, classifier=classifier)
    return artists


def accuracy(net, X, labels):
    """The fraction of ``labels`` (n,) that ``net`` predicts for ``X``."""
    return metrics.accuracy(labels, net.predict_classes(X))


def decision_regions(net, X, Y=None, path=None, resolution=200, title=None, dpi=120):
    """The output of a two-input network over the plane, with the training points on top.

    One sigmoid output: colour runs from orange (ŷ = 0) through white to
    blue (ŷ = 1), with the ŷ = 0.5 boundary drawn, as in the Backpropagation Tutorial's applets.
    Several outputs (softmax): each class in its colour, paler where the
    network is unsure, boundaries drawn. A regression output: its value
    (viridis) with a colour bar.

    Parameters
    ----------
    net : Network with two inputs
    X : array of shape (n_samples, 2)
        The points to show; the plane spans them (plus 10 %).
    Y : array of shape (n_samples,) or (n_samples, n_outputs), or None
        Their targets: class labels, one-hot rows or values, read as
        training reads them.
    path : str or None
    resolution : int
        Grid points per axis.

    Returns
    -------
    matplotlib.figure.Figure
    """
    require_two_inputs(net, "decision regions")
    _, Figure = require_matplotlib()
    fig = Figure(figsize=(5.6, 4.8), layout="constrained")
    ax = fig.add_subplot()
    artists = draw_regions(ax, net, X, Y, resolution)
    if not artists["classifier"] and "norm" in artists:
        fig.colorbar(artists["image"], ax=ax, label=f"output {net.outputs[0]}")
    name = title if title is not None else (net.name or "network")
    subtitle = ""
    if Y is not None and artists["labels"] is not None:
        subtitle = f": accuracy {accuracy(net, X, artists['labels']):.3f}"
    elif Y is not None:
        subtitle = f": R² {rounded(net.score(X, Y), 3)}"
    ax.set_title(f"{name}{subtitle}", fontsize=10)
    return finish(fig, path, dpi)


def colour_range(activation, z):
    """(low, high) of the colours of a map of ``z``: the activation's range, the data's where open."""
    low, high = record(activation).range
    top = float(np.abs(z).max()) or 1.0
    return (-top if low is None else low), (top if high is None else high)


def _cells(net, nodes, max_neurons):
    """``(shown nodes, {node: (row, column)}, n_rows, n_columns)``: one column per generation,
    or a plain grid of the first ``max_neurons`` for large networks."""
    G = net.graph
    generation = generations(G)
    last = max(generation.values())
    outputs = set(net.outputs)
    column_of = {n: (last if n in outputs and G.out_degree(n) == 0 else generation[n]) for n in nodes}
    columns = sorted(set(column_of.values()))
    by_column = {c: [n for n in nodes if column_of[n] == c] for c in columns}
    tallest = max(len(v) for v in by_column.values())
    if len(nodes) > max_neurons or tallest > 12 or len(columns) > 10:
        shown = nodes[:max_neurons]
        n_cols = int(math.ceil(math.sqrt(len(shown))))
        cells = {n: (k // n_cols, k % n_cols) for k, n in enumerate(shown)}
        return shown, cells, int(math.ceil(len(shown) / n_cols)), n_cols
    cells = {n: (r, columns.index(c)) for c in columns for r, n in enumerate(by_column[c])}
    return nodes, cells, tallest, len(columns)


def neuron_maps(net, X=None, path=None, resolution=60, max_neurons=64, extent=None, dpi=120):
    """A small heatmap of every perceptron's z_j over the input plane (TensorFlow Playground style).

    One column per topological generation (outputs last), one map per node;
    large networks fall back to a plain grid of the first ``max_neurons``.
    Each map's colours span its activation's range (sigmoid [0, 1], tanh
    [−1, 1]); an open end (relu's top, linear's both) is set by the values
    shown.

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
    require_two_inputs(net, "neuron maps")
    _, Figure = require_matplotlib()
    extent, grid = plane(X, resolution, extent=extent)
    trace = net.forward(grid)
    outputs = set(net.outputs)
    nodes = [n for n in net.plan.nodes if n not in set(net.inputs)]
    shown, cells, n_rows, n_cols = _cells(net, nodes, max_neurons)
    fig = Figure(figsize=(1.55 * n_cols + 0.6, 1.5 * n_rows + 0.9), layout="constrained")
    axes = fig.subplots(n_rows, n_cols, squeeze=False)
    cmap = colour_map()
    for ax in axes.ravel():
        ax.set_axis_off()
    points = None if X is None else np.asarray(X, dtype=float)
    for n in shown:
        ax = axes[cells[n]]
        activation = net.plan.activation[n]
        lo, hi = colour_range(activation, trace.z[n])
        ax.imshow(trace.z[n].reshape(resolution, resolution), origin="lower", extent=extent, cmap=cmap,
                  vmin=lo, vmax=hi, aspect="auto", interpolation="bilinear")
        if points is not None:
            ax.scatter(points[:, 0], points[:, 1], s=1.5, c="black", alpha=0.35, linewidths=0)
        ax.set_xlim(extent[0], extent[1])
        ax.set_ylim(extent[2], extent[3])
        ax.set_axis_on()
        ax.set_xticks([])
        ax.set_yticks([])
        role = "output " if n in outputs else ""
        ax.set_title(f"{role}{n}\n{activation} [{lo:.3g}, {hi:.3g}]", fontsize=7)
        for side in ax.spines.values():
            side.set_color(BLUE if n in outputs else "#999999")
    more = f" (first {len(shown)} of {len(nodes)})" if len(shown) < len(nodes) else ""
    fig.suptitle(f"{net.name or 'network'}: z_j over the ({net.inputs[0]}, {net.inputs[1]}) plane{more}",
                 fontsize=9)
    return finish(fig, path, dpi)
