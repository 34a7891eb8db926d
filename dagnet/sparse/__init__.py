"""Sparse networks: sparse initialisation, and topologies that rewire themselves while they learn.

- :mod:`.init`: which edges of a dense topology to keep (Erdős–Rényi, ERK,
  uniform densities per perceptron's fan-in): :func:`sparsify`, and every
  generator's ``density=`` option;
- :mod:`.candidates`: the connections that may grow, pairs in a fixed
  topological order (skips anywhere, or the original layer pattern);
- :mod:`.gradients`: ∂E/∂w of absent connections, top-k by blocks;
- :mod:`.dst`: the ``fit`` callbacks :class:`SET` and :class:`RigL`;
- :mod:`.report`: what a run did (density per perceptron over time, the
  skips grown and how far they jump) as data, and :mod:`.pictures` of it.

:func:`dynamic` turns a spec (``"rigl"``, ``{"method": "set", "every": 50}``)
into a callback: ``dagnet train --sparse``, sweeps' ``sparse`` grid key and
the scikit-learn estimators' ``sparse=`` take the same specs.

Examples
--------
>>> dynamic("rigl").every, dynamic({"method": "set", "every": 50, "candidates": "layers"}).candidates
(100, 'layers')
>>> dynamic(None) is None and dynamic("static") is None
True
"""
import inspect

from . import report
from .candidates import MODES, Candidates
from .dst import SET, DynamicSparse, RigL
from .init import DISTRIBUTIONS, keep_mask, sparsify

__all__ = ["DISTRIBUTIONS", "METHODS", "MODES", "SET", "Candidates", "DynamicSparse", "RigL",
           "dynamic", "keep_mask", "options", "report", "sparsify"]

#: method name -> callback class; "static" (or None) trains the sparse topology as it is.
METHODS = {"set": SET, "rigl": RigL}


def options(method):
    """``{option: default}`` of a dynamic sparse method."""
    return {p.name: p.default for p in inspect.signature(METHODS[method]).parameters.values()}


def dynamic(spec):
    """The dynamic sparse training callback of ``spec``, or None for static sparsity.

    Parameters
    ----------
    spec : None, str, dict or DynamicSparse
        None or ``"static"``: none; ``"set"`` or ``"rigl"``: that method with
        its defaults; ``{"method": "rigl", "every": 100, ...}``: with those
        options (see :class:`SET`, :class:`RigL`); a callback is returned as is.

    Raises
    ------
    ValueError
        For an unknown method or option, naming the near miss.
    """
    from ..errors import suggest
    if spec is None or spec == "static" or isinstance(spec, DynamicSparse):
        return None if not isinstance(spec, DynamicSparse) else spec
    if isinstance(spec, str):
        spec = {"method": spec}
    if not isinstance(spec, dict) or "method" not in spec:
        raise ValueError(f"sparse must be 'static', 'set', 'rigl' or a mapping with a method, got {spec!r}")
    settings = dict(spec)
    method = settings.pop("method")
    if method == "static" and not settings:
        return None
    if method not in METHODS:
        raise ValueError(f"unknown sparse method {method!r}{suggest(str(method), list(METHODS))}; "
                         f"known: static, {', '.join(METHODS)}")
    known = options(method)
    for key in settings:
        if key not in known:
            raise ValueError(f"{method} has no option {key!r}{suggest(key, known)}; options: {', '.join(known)}")
    return METHODS[method](**settings)
