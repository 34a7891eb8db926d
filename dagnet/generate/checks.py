"""The generators' argument checks: a bad value is one ValueError naming the parameter.

Examples
--------
>>> whole(3.0, "n"), fraction(0.25, "p"), sizes(8)
(3, 0.25, [8])
>>> count(["a", "b"], "inputs"), count(3, "outputs")
(2, 3)
>>> whole(float("nan"), "n")
Traceback (most recent call last):
...
ValueError: n must be a whole number >= 0, got nan
"""
import math

from ..graph import is_number


def whole(value, what, low=0):
    """``value`` as an int, if it is a finite whole number >= ``low``."""
    if (isinstance(value, bool) or not is_number(value) or not math.isfinite(value)
            or value != int(value) or value < low):
        raise ValueError(f"{what} must be a whole number >= {low}, got {value!r}")
    return int(value)


def fraction(value, what):
    """``value`` as a float in [0, 1]."""
    if isinstance(value, bool) or not is_number(value) or not 0 <= value <= 1:
        raise ValueError(f"{what} must be a number between 0 and 1, got {value!r}")
    return float(value)


def sizes(value, what="sizes", allow_empty=True):
    """Hidden layer widths: a list of whole numbers >= 1 (a single number is one layer)."""
    if is_number(value):
        value = [value]
    if isinstance(value, (str, bytes, dict)) or not hasattr(value, "__iter__"):
        raise ValueError(f"{what} must be a list of layer widths like [8, 8], got {value!r}")
    widths = [whole(s, f"every layer width in {what}", low=1) for s in value]
    if not widths and not allow_empty:
        raise ValueError(f"{what} must name at least one hidden layer, got []")
    return widths


def activations(value, n, what="activations"):
    """One activation name per layer, from a name or a list of ``n`` names."""
    if isinstance(value, str):
        return [value] * n
    if isinstance(value, (list, tuple)) and all(isinstance(a, str) for a in value):
        if len(value) != n:
            raise ValueError(f"{what} has {len(value)} names for {n} hidden layers; give one "
                             f"name for all or one per layer")
        return list(value)
    raise ValueError(f"{what} must be an activation name or a list of names, got {value!r}")


def count(value, what):
    """How many nodes ``inputs``/``outputs`` names: a count, or the length of a list of names."""
    if is_number(value):
        return whole(value, what, low=1)
    if isinstance(value, (list, tuple)) and value:
        return len(value)
    raise ValueError(f"{what} must be a whole number >= 1 or a list of names, got {value!r}")


def names(value, what, prefix):
    """Names for ``inputs``/``outputs``: a count (a group ``prefix``) or a list of names."""
    n = count(value, what)
    if is_number(value):
        return [prefix] if what == "outputs" and n == 1 else [f"{prefix}.{k}" for k in range(n)]
    for name in value:
        if isinstance(name, bool) or not isinstance(name, (str, int)):
            raise ValueError(f"{what} names must be strings or integers, got {name!r}")
    if len(set(value)) != len(value):
        raise ValueError(f"{what} lists a name twice: {list(value)!r}")
    return list(value)


def graph_seed(value):
    """The seed of a random kind's structure: None or a whole number >= 0."""
    return None if value is None else whole(value, "graph_seed")
