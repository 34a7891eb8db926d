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


def gif_frame(fig):
    """``fig`` as drawn now, an RGB PIL image: one frame of a GIF (see :func:`save_gif`)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from PIL import Image                  # a dependency of matplotlib's own

    canvas = fig.canvas if isinstance(fig.canvas, FigureCanvasAgg) else FigureCanvasAgg(fig)
    canvas.draw()
    return Image.frombuffer("RGBA", canvas.get_width_height(physical=True), canvas.buffer_rgba(),
                            "raw", "RGBA", 0, 1).convert("RGB")


def save_gif(frames, path, fps=6):
    """Write PIL images to ``path`` as a looping GIF at ``fps``, the last held for a second, atomically.

    Returns ``path``.
    """
    path = os.fspath(path)
    if not path.lower().endswith(".gif"):
        raise ValueError(f"animations are written as GIF; {path!r} should end in .gif")
    frames = list(frames) + [frames[-1]] * fps
    atomic_write(path, lambda f: frames[0].save(f, format="GIF", save_all=True, append_images=frames[1:],
                                               duration=int(1000 / fps), loop=0), mode="wb")
    return path


def finish(fig, path, dpi=120):
    """Save ``fig`` to ``path`` when one is given; return ``fig``."""
    if path is not None:
        save_figure(fig, path, dpi=dpi)
    return fig
