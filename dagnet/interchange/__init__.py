"""Networks in and out of other tools: ONNX, PyTorch, neat-python, GraphML, GEXF, node-link JSON.

One module per format, each imported on first use, so ``import dagnet``
never imports onnx, torch, neat-python or skl2onnx:

=========================================  ===============================================
:mod:`dagnet.interchange.onnx`             export to ONNX (the ``onnx`` extra), check with onnxruntime
:mod:`dagnet.interchange.torch`            export to a PyTorch ``nn.Module`` and back (PyTorch)
:mod:`dagnet.interchange.neat`             import neat-python genomes and JSON exports (``neat``)
:mod:`dagnet.interchange.graphs`           GraphML, GEXF and node-link JSON (networkx only)
:mod:`dagnet.interchange.sklearn_onnx`     skl2onnx converters for the estimators (``skl2onnx``)
=========================================  ===============================================

A missing optional package raises :class:`MissingDependency` (an
ImportError) whose one line names what to install. docs/interchange.md
has a worked example of every direction.
"""
import importlib

from ..errors import DagnetError


class InterchangeError(DagnetError):
    """A file or object that cannot be converted; the message names what and where."""


class MissingDependency(ImportError):
    """An optional package an exporter or importer needs is not installed."""


#: module -> (what it is, how to install it)
INSTALL = {
    "onnx": ("onnx", 'pip install "dagnet[onnx]"'),
    "onnxruntime": ("onnxruntime", 'pip install "dagnet[onnx]"'),
    "neat": ("neat-python", 'pip install "dagnet[neat]"'),
    "skl2onnx": ("skl2onnx", 'pip install "dagnet[skl2onnx]"'),
    "torch": ("PyTorch", "pip install torch==2.13.0 (the CPU wheel dagnet is tested with; dagnet "
                         "never installs PyTorch itself)"),
}


def require(module, purpose):
    """Import and return ``module``, or raise :class:`MissingDependency` naming the install command.

    Examples
    --------
    >>> require("json", "reading JSON").dumps([1])
    '[1]'
    """
    try:
        return importlib.import_module(module)
    except ModuleNotFoundError as err:
        top = module.split(".")[0]
        if err.name is not None and err.name.split(".")[0] != top:
            raise
        what, install = INSTALL.get(top, (top, f"pip install {top}"))
        raise MissingDependency(f"{purpose} needs {what}: {install}") from None
