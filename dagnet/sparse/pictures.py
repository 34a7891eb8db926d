"""Pictures of sparse runs: density per perceptron over time, the jumps of grown connections, accuracy against sparsity.

matplotlib is imported only when a picture is drawn (``pip install "dagnet[plot]"``);
without it each function raises :class:`dagnet.plots.MissingMatplotlib`.
Each returns the Figure and writes it to ``path`` when one is given.
"""
import numpy as np

from ..plots import require_matplotlib, save_figure
from .report import density_over_time, jumps, layer_density_over_time


def _figure(size):
    _, Figure = require_matplotlib()
    return Figure(figsize=size, layout="constrained")


def _done(fig, path):
    if path is not None:
        save_figure(fig, path)
    return fig


def density(callback, path=None, title=None):
    """Each perceptron's fan-in density (rows, by rank) at every topology update (columns), and each layer's."""
    steps, dens = density_over_time(callback)
    fig = _figure((9, 4.5))
    ax, lines = fig.subplots(1, 2, gridspec_kw={"width_ratios": [3, 2]})
    shown = ~np.all(np.isnan(dens), axis=0)
    image = ax.imshow(dens[:, shown].T, aspect="auto", interpolation="nearest", cmap="viridis",
                      extent=(0, len(steps), shown.sum(), 0))
    ax.set_xlabel("topology update")
    ax.set_ylabel("perceptron (by rank; inputs left out)")
    fig.colorbar(image, ax=ax, label="fan-in density")
    for g, values in layer_density_over_time(callback).items():
        lines.plot(steps, values, label=f"into generation {g}")
    lines.set_xlabel("training step")
    lines.set_ylabel("density")
    lines.legend(fontsize=8)
    fig.suptitle(title or f"{type(callback).__name__} ({callback.candidates}): density per perceptron")
    return _done(fig, path)


def grown_jumps(callback, path=None, title=None):
    """How far the grown connections jump: a bar per jump (0: within a layer, 1: adjacent, >= 2: skips)."""
    grown = np.concatenate([r["grown"] for r in callback.log]) if callback.log else np.empty((0, 2), int)
    jump = jumps(callback, grown)
    values, counts = np.unique(jump, return_counts=True)
    fig = _figure((5.5, 3.5))
    ax = fig.subplots()
    ax.bar(values, counts, color=["#8c8c8c" if v == 1 else "#1f77b4" for v in values])
    ax.set_xticks(values)
    ax.set_xlabel("jump (target layer − source layer, as at the start)")
    ax.set_ylabel("connections grown")
    skips = int((jump >= 2).sum())
    share = f"{skips / len(jump):.0%}" if len(jump) else "0%"
    ax.set_title(title or f"{len(jump):,} grown, {skips:,} skips ({share}), {int((jump == 0).sum()):,} within a layer")
    return _done(fig, path)


def accuracy_vs_sparsity(rows, path=None, title=None, dense=None):
    """Test accuracy against sparsity, one line per method: ``rows`` of ``{method, sparsity, accuracy}``.

    Several rows of one method and sparsity (seeds) give their mean and an
    error bar of their spread (min to max); ``dense`` draws a dense baseline.
    """
    fig = _figure((6, 4))
    ax = fig.subplots()
    methods = list(dict.fromkeys(r["method"] for r in rows))
    for m in methods:
        mine = [r for r in rows if r["method"] == m]
        xs = sorted({r["sparsity"] for r in mine})
        acc = [[r["accuracy"] for r in mine if r["sparsity"] == x] for x in xs]
        mean = np.array([np.mean(a) for a in acc])
        spread = np.array([[mean[k] - min(a), max(a) - mean[k]] for k, a in enumerate(acc)]).T
        ax.errorbar(np.array(xs) * 100, mean * 100, yerr=spread * 100, marker="o", capsize=3, label=m)
    if dense is not None:
        ax.axhline(dense * 100, color="black", linestyle="--", linewidth=1, label="dense")
    ax.set_xlabel("sparsity (%)")
    ax.set_ylabel("test accuracy (%)")
    ax.legend(fontsize=8)
    ax.set_title(title or "accuracy against sparsity")
    return _done(fig, path)
