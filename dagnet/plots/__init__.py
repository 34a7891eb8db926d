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
curves, the recorder, animations), :mod:`.dot` (Graphviz text). Each
name loads its module on first use, as ``dagnet``'s own names do.

Examples
--------
>>> import dagnet
>>> from dagnet import plots
>>> print(plots.to_dot(dagnet.load("topologies/chain_1_1_1.yaml")).splitlines()[0])
digraph "chain-1-1-1" {
"""
import importlib

#: public name -> the module of this package that defines it (loaded on first use, so that
#: ``from dagnet.plots import MissingMatplotlib`` costs no numpy, networkx or matplotlib)
_PUBLIC = {
    "generations": "dagnet.structure", "skip_edges": "dagnet.structure",   # the structure pictures show
    "to_dot": ".dot", "write_dot": ".dot",
    "draw_network": ".drawing",
    "MISSING_MATPLOTLIB": ".figures", "PICTURES_SKIPPED": ".figures", "MissingMatplotlib": ".figures",
    "gif_frame": ".figures", "require_matplotlib": ".figures", "save_figure": ".figures", "save_gif": ".figures",
    "AUTO_COLLAPSE": ".layout", "drawing_graph": ".layout", "positions": ".layout", "route_skips": ".layout",
    "decision_regions": ".plane", "neuron_maps": ".plane",
    "BLUE": ".style", "CLASS_COLOURS": ".style", "NEUTRAL": ".style", "ORANGE": ".style",
    "TrainingRecorder": ".training", "animate": ".training", "animate_training": ".training",
    "loss_curves": ".training",
}

__all__ = sorted(_PUBLIC)


def __getattr__(name):
    if name not in _PUBLIC:
        raise AttributeError(f"module 'dagnet.plots' has no attribute {name!r}")
    value = getattr(importlib.import_module(_PUBLIC[name], __name__), name)
    globals()[name] = value
    return value


def __dir__():
    return sorted([*globals(), *_PUBLIC])
