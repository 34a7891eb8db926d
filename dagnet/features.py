"""Derived input features: input columns computed from the first two, each named by its formula.

A network may list among its inputs, beside its own, inputs named
``x^2``, ``y^2``, ``xy``, ``sin(x)`` or ``sin(y)``: ordinary input
perceptrons whose values are that formula of ``x`` (the first of the
other inputs) and ``y`` (the second). The playground adds them with a
click and computes them for any data set, its pictures included;
:func:`features` computes them for your own arrays.

Examples
--------
>>> import numpy as np
>>> X = np.array([[1.0, 2.0], [3.0, -1.0]])
>>> features(X, ["x^2", "xy"])
array([[ 1.,  2.,  1.,  2.],
       [ 3., -1.,  9., -3.]])
>>> split_inputs(["in_x", "in_y", "sin(x)"])
(['in_x', 'in_y'], ['sin(x)'])
"""
from dataclasses import dataclass
from typing import Callable

import numpy as np

from .errors import suggest


@dataclass(frozen=True)
class Feature:
    """One derived input: its name in a topology, how a page writes it, its formula of ``(x, y)`` columns."""

    name: str
    label: str
    formula: Callable
    needs: int            # how many input columns it reads: 1 (x) or 2 (x and y)


#: The derived inputs, by the name a topology gives them.
FEATURES = {f.name: f for f in [
    Feature("x^2", "x²", lambda x, y: x * x, 1),
    Feature("y^2", "y²", lambda x, y: y * y, 2),
    Feature("xy", "xy", lambda x, y: x * y, 2),
    Feature("sin(x)", "sin x", lambda x, y: np.sin(x), 1),
    Feature("sin(y)", "sin y", lambda x, y: np.sin(y), 2),
]}


def is_feature(name):
    """Is input ``name`` a derived one (a name of :data:`FEATURES`)?"""
    return isinstance(name, str) and name in FEATURES


def split_inputs(inputs):
    """``(own, derived)``: the input names a data set gives, and the derived ones, each in order."""
    return [i for i in inputs if not is_feature(i)], [i for i in inputs if is_feature(i)]


def check_feature(name, n_columns):
    """``FEATURES[name]``, or ValueError for an unknown name or too few columns to compute it from."""
    if not is_feature(name):
        raise ValueError(f"unknown feature {name!r}{suggest(str(name), FEATURES)}; known: {', '.join(FEATURES)}")
    feature = FEATURES[name]
    if n_columns < feature.needs:
        raise ValueError(f"feature {name!r} needs {'x and y: two input columns' if feature.needs == 2 else 'x'}, "
                         f"but there {'is' if n_columns == 1 else 'are'} {n_columns}")
    return feature


def derived(X, names):
    """The derived columns ``names`` of ``X`` (n_samples, n_columns), shape (n_samples, len(names)).

    ``x`` is ``X[:, 0]``, ``y`` is ``X[:, 1]``.
    """
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2:
        raise ValueError(f"X must have shape (n_samples, n_columns), got {X.shape}")
    y = X[:, 1] if X.shape[1] > 1 else None
    columns = [check_feature(name, X.shape[1]).formula(X[:, 0], y) for name in names]
    return np.column_stack(columns) if columns else np.empty((len(X), 0))


def features(X, names):
    """``X`` with the derived input columns ``names`` after its own.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_columns)
        The inputs a data set gives; ``x`` is the first column, ``y`` the second.
    names : list of str
        Names of :data:`FEATURES`: ``"x^2"``, ``"y^2"``, ``"xy"``, ``"sin(x)"``, ``"sin(y)"``.

    Returns
    -------
    ndarray of shape (n_samples, n_columns + len(names))
        The columns in the order of a network whose inputs are the data's
        own, then ``names`` (as the playground adds them).

    Examples
    --------
    >>> import dagnet
    >>> X, Y = dagnet.datasets.load("circles", n_samples=4, seed=0)
    >>> dagnet.datasets.features(X, ["x^2", "y^2"]).shape
    (4, 4)
    """
    X = np.asarray(X, dtype=np.float64)
    return np.hstack([X, derived(X, names)])


def arrange(X, inputs):
    """The input columns of a network whose inputs are ``inputs``, from ``X`` (n_samples, n_own).

    The inputs that are not derived take the columns of ``X`` in order; the
    derived ones are computed from them: shape (n_samples, len(inputs)).

    >>> arrange(np.array([[2.0, 3.0]]), ["xy", "a", "b"]).tolist()
    [[6.0, 2.0, 3.0]]
    """
    X = np.asarray(X, dtype=np.float64)
    own, names = split_inputs(inputs)
    if X.shape[1] != len(own):
        raise ValueError(f"{X.shape[1]} input columns for {len(own)} inputs")
    made = dict(zip(names, derived(X, names).T))
    columns = iter(X.T)
    return np.column_stack([made[i] if is_feature(i) else next(columns) for i in inputs])
