"""matplotlib on demand: import it or say how to install it, make the colour map, save figures.

Figures are built without pyplot, so no display is needed and none are
left open; a picture written to a path is written atomically.

Examples
--------
>>> MissingMatplotlib().args[0]
'matplotlib is needed for pictures: pip install "dagnet[plot]"'
"""
import os

from ..files import atomic_write
from .style import BLUE, NEUTRAL, ORANGE

MISSING_MATPLOTLIB = 'matplotlib is needed for pictures: pip install "dagnet[plot]"'
#: What commands say when they skip their pictures for want of matplotlib.
PICTURES_SKIPPED = 'pictures skipped: pip install "dagnet[plot]"'


class MissingMatplotlib(ImportError):
    """Pictures were asked for but matplotlib is not installed."""

    def __init__(self):
        super().__init__(MISSING_MATPLOTLIB)


def require_matplotlib():
    """``(matplotlib, Figure)``: matplotlib and its Figure class, or :class:`MissingMatplotlib`."""
    try:
        import matplotlib
        from matplotlib.figure import Figure
    except ImportError:
        raise MissingMatplotlib() from None
    return matplotlib, Figure


def colour_map():
    """Orange (low) through grey to blue (high), as a matplotlib colour map."""
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
    atomic_write(path, lambda f: fig.savefig(f, format=fmt, dpi=dpi, bbox_inches="tight"), mode="wb")
    return path


def finish(fig, path, dpi=120):
    """Save ``fig`` to ``path`` when one is given; return ``fig``."""
    if path is not None:
        save_figure(fig, path, dpi=dpi)
    return fig
