"""Pictures of networks and of what they learned (matplotlib, the optional ``plot`` extra).

=====================  ====================================================
:func:`draw_network`   the graph by topological generation, inputs left,
                       outputs right; edge width and colour by weight;
                       skip edges routed around the columns they jump;
                       big groups collapsed to one box
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
matplotlib is imported only when a picture is drawn; without it every
picture function raises :class:`MissingMatplotlib`.

Colours follow TensorFlow Playground: blue for positive weights and high
activations, orange for negative weights and low ones.

The package: :mod:`.figures` (matplotlib on demand, saving),
:mod:`.style` (colours), :mod:`.layout` (the drawing graph, positions,
skip-arc routes; no matplotlib), :mod:`.drawing` (the network picture),
:mod:`.plane` (decision regions, neuron maps), :mod:`.training` (loss
curves, the recorder, animations), :mod:`.dot` (Graphviz text).

Examples
--------
>>> import dagnet
>>> from dagnet import plots
>>> print(plots.to_dot(dagnet.load("topologies/chain_1_1_1.yaml")).splitlines()[0])
digraph "chain-1-1-1" {
"""
from ..structure import generations, skip_edges   # the structure pictures are built on
from .dot import to_dot, write_dot
from .drawing import draw_network
from .figures import (MISSING_MATPLOTLIB, PICTURES_SKIPPED, MissingMatplotlib, gif_frame,
                      require_matplotlib, save_figure, save_gif)
from .layout import AUTO_COLLAPSE, drawing_graph, positions, route_skips
from .plane import decision_regions, neuron_maps
from .style import BLUE, CLASS_COLOURS, NEUTRAL, ORANGE
from .training import TrainingRecorder, animate, animate_training, loss_curves

__all__ = ["AUTO_COLLAPSE", "BLUE", "CLASS_COLOURS", "MISSING_MATPLOTLIB", "MissingMatplotlib",
           "NEUTRAL", "ORANGE", "PICTURES_SKIPPED", "TrainingRecorder", "animate",
           "animate_training", "decision_regions", "draw_network", "drawing_graph", "generations", "gif_frame",
           "loss_curves", "neuron_maps", "positions", "require_matplotlib", "route_skips",
           "save_figure", "save_gif", "skip_edges", "to_dot", "write_dot"]
