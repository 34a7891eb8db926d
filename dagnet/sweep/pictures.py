"""The sweep's pictures: loss curves over the seeds, and every seed's final accuracy.

Both need matplotlib (the ``plot`` extra): :func:`draw` raises
:class:`dagnet.plots.MissingMatplotlib` without it, and the sweep goes on
without its pictures.
"""
import json
import math
import os

import numpy as np

from ..plots import require_matplotlib, save_figure
from ..plots.style import class_colour
from .summary import floats, groups, varying

LOSS_PICTURE, ACCURACY_PICTURE = "loss_curves.png", "accuracy.png"


def _panels(exp, rows):
    """``{(dataset, grid cells): {topology: [rows]}}``: one panel per data set and setting."""
    panels = {}
    for (t, d, cells), group in groups(exp, rows).items():
        panels.setdefault((d, cells), {})[t] = group
    return panels


def _title(exp, dataset, cells):
    return ", ".join([dataset, *varying(exp, cells)])


def _figure(n, Figure):
    columns = min(3, n)
    rows = math.ceil(n / columns)
    fig = Figure(figsize=(4.4 * columns, 3.4 * rows), layout="constrained")
    return fig, fig.subplots(rows, columns, squeeze=False).ravel()


def _curves(group):
    """The loss curves of a group's seeds as a matrix (seeds, epochs), NaN past a run's end."""
    curves = [json.loads(r["loss_curve"]) for r in group]
    M = np.full((len(curves), max(map(len, curves))), np.nan)
    for i, c in enumerate(curves):
        M[i, :len(c)] = c
    return M


def draw(exp, rows, out_dir):
    """Write loss_curves.png (mean and range over seeds, per topology) and accuracy.png
    (final accuracy of every seed, per topology); return the paths written."""
    _, Figure = require_matplotlib()
    panels = _panels(exp, rows)
    colours = {t: class_colour(k) for k, t in enumerate(exp.topologies)}
    fig, axes = _figure(len(panels), Figure)
    for ax, ((d, cells), by_topology) in zip(axes, panels.items()):
        positive = True
        for t, group in by_topology.items():
            M = _curves(group)
            if not M.shape[1]:
                continue
            epochs = np.arange(1, M.shape[1] + 1)
            ax.plot(epochs, np.nanmean(M, axis=0), color=colours[t], label=f"{t} ({len(group)} seeds)")
            ax.fill_between(epochs, np.nanmin(M, axis=0), np.nanmax(M, axis=0), color=colours[t],
                            alpha=0.2, linewidth=0)
            positive &= bool(np.nanmin(M) > 0)
        if positive:
            ax.set_yscale("log")
        ax.set_title(_title(exp, d, cells), fontsize=9)
        ax.set_xlabel("epoch")
        ax.set_ylabel("training loss (mean, band: min–max)")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7)
    for ax in axes[len(panels):]:
        ax.set_visible(False)
    written = [save_figure(fig, os.path.join(out_dir, LOSS_PICTURE))]
    scored = {key: by_topology for key, by_topology in panels.items()
              if any(r["final_accuracy"] for group in by_topology.values() for r in group)}
    if scored:
        written.append(_accuracy_picture(exp, scored, colours, Figure, out_dir))
    return written


def _accuracy_picture(exp, panels, colours, Figure, out_dir):
    fig, axes = _figure(len(panels), Figure)
    jitter = np.random.default_rng(0)
    for ax, ((d, cells), by_topology) in zip(axes, panels.items()):
        names = list(by_topology)
        values = [floats(by_topology[t], "final_accuracy") for t in names]
        ax.boxplot(values, widths=0.5, showfliers=False, medianprops={"color": "black"})
        for k, (t, v) in enumerate(zip(names, values), start=1):
            x = k + jitter.uniform(-0.12, 0.12, len(v))
            ax.scatter(x, v, s=18, color=colours[t], edgecolor="white", linewidth=0.5, zorder=3)
        ax.set_xticks(range(1, len(names) + 1), names, rotation=20, fontsize=8)
        ax.set_title(_title(exp, d, cells), fontsize=9)
        ax.set_ylabel("final accuracy (one dot per seed)")
        ax.grid(alpha=0.3, axis="y")
    for ax in axes[len(panels):]:
        ax.set_visible(False)
    return save_figure(fig, os.path.join(out_dir, ACCURACY_PICTURE))
