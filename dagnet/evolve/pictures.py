"""A run's pictures: fitness and complexity per generation, species sizes stacked, the champion.

All need matplotlib (the ``plot`` extra): :func:`draw` raises
:class:`dagnet.plots.MissingMatplotlib` without it, and the run goes on
without its pictures.
"""
import os

import numpy as np

from ..plots import decision_regions, draw_network, require_matplotlib, save_figure
from ..plots.style import BLUE, ORANGE, class_colour

FITNESS_PICTURE, SPECIES_PICTURE = "fitness.png", "species.png"
CHAMPION_PICTURE, REGIONS_PICTURE = "champion.png", "regions.png"


def fitness_figure(rows, path=None):
    """Best and mean fitness (top), the best genome's hidden nodes and connections (bottom), per generation."""
    _, Figure = require_matplotlib()
    fig = Figure(figsize=(7.0, 5.6), layout="constrained")
    top, bottom = fig.subplots(2, 1, sharex=True)
    g = [r["generation"] for r in rows]
    top.plot(g, [r["best_fitness"] for r in rows], color=BLUE, label="best")
    top.plot(g, [r["mean_fitness"] for r in rows], color=ORANGE, label="mean")
    top.set_ylabel("fitness")
    top.legend(loc="lower right", frameon=False)
    top.grid(alpha=0.3)
    bottom.plot(g, [r["champion_connections"] for r in rows], color=BLUE, label="connections (best)")
    bottom.plot(g, [r["mean_connections"] for r in rows], color=BLUE, ls=":", label="connections (mean)")
    bottom.plot(g, [r["champion_hidden"] for r in rows], color=ORANGE, label="hidden nodes (best)")
    bottom.plot(g, [r["mean_hidden"] for r in rows], color=ORANGE, ls=":", label="hidden nodes (mean)")
    bottom.set_xlabel("generation")
    bottom.set_ylabel("complexity")
    bottom.legend(loc="upper left", frameon=False, fontsize="small")
    bottom.grid(alpha=0.3)
    if path is not None:
        save_figure(fig, path)
    return fig


def species_figure(species, path=None):
    """Members of every species per generation, stacked (species in order of appearance)."""
    _, Figure = require_matplotlib()
    ids = sorted({sid for sizes in species for sid in sizes})
    sizes = np.array([[gen.get(sid, 0) for gen in species] for sid in ids], dtype=float)
    fig = Figure(figsize=(7.0, 3.6), layout="constrained")
    ax = fig.subplots()
    if len(ids):
        ax.stackplot(np.arange(len(species)), sizes, colors=[class_colour(k) for k in range(len(ids))],
                     alpha=0.85, linewidth=0.3, edgecolor="white")
    ax.set_xlabel("generation")
    ax.set_ylabel("genomes per species")
    ax.set_xlim(0, max(1, len(species) - 1))
    ax.margins(y=0)
    if path is not None:
        save_figure(fig, path)
    return fig


def draw(folder, rows, species, net, X=None, Y=None, title=None):
    """Write every picture of a run into ``folder``; return the paths written."""
    require_matplotlib()
    paths = [os.path.join(folder, FITNESS_PICTURE), os.path.join(folder, SPECIES_PICTURE),
             os.path.join(folder, CHAMPION_PICTURE)]
    fitness_figure(rows, paths[0])
    species_figure(species, paths[1])
    draw_network(net, paths[2], title=title)
    if X is not None and X.shape[1] == 2:
        paths.append(os.path.join(folder, REGIONS_PICTURE))
        decision_regions(net, X, Y, path=paths[-1], title=title)
    return paths
