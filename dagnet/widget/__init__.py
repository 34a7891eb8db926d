"""The playground as a notebook widget: ``Playground(net, X, Y)`` shows, trains and edits ``net`` in a cell.

>>> from dagnet.widget import Playground            # doctest: +SKIP
>>> Playground(net, X, Y)                           # doctest: +SKIP
>>> Playground(net, data="moons")                   # doctest: +SKIP

The widget is built on anywidget (the ``widget`` extra: ``pip install
"dagnet[widget]"``), so it runs in JupyterLab, Jupyter Notebook, VS Code,
Colab and marimo. Its front end is the playground page's own code (see
:mod:`dagnet.widget.bundle`); its session is an
:class:`~dagnet.playground.attached.AttachedSession` on the caller's own
network, trained in a thread. See ``docs/widget.md``.

==============  ==========================================================
``playground``  :class:`Playground`, the anywidget (imports anywidget)
``channel``     the page's calls answered with the session, binary buffers
``bundle``      the one ES module made of the page's modules and style
==============  ==========================================================

Importing ``dagnet`` never imports this package, and importing this
package imports anywidget only when :class:`Playground` is first used;
without anywidget that use raises ImportError saying what to install.
"""
import importlib

#: What using the widget without the ``widget`` extra says.
MISSING_EXTRA = 'the notebook widget needs anywidget: pip install "dagnet[widget]"'


def __getattr__(name):
    if name != "Playground":
        raise AttributeError(f"module 'dagnet.widget' has no attribute {name!r}")
    try:
        import anywidget  # noqa: F401
    except ImportError:
        raise ImportError(MISSING_EXTRA) from None
    value = importlib.import_module("dagnet.widget.playground").Playground
    globals()[name] = value
    return value


def __dir__():
    return sorted([*globals(), "Playground"])
