"""Loss functions E and their gradients with respect to the output sums s.

Definitions (n samples, m outputs, ŷ the output activations, y the targets):

==========================  ===============================================
``sse``                     Σ_samples Σ_outputs (ŷ − y)²  (the tutorial's E)
``mse``                     the same sum divided by n·m
``cross_entropy``           (1/n) Σ_samples −Σ_l y_l log softmax(s)_l
``binary_cross_entropy``    mean over n·m of −[y log ŷ + (1−y) log(1−ŷ)]
==========================  ===============================================

E is a function of the output nodes' sums ``s_out`` alone, so each loss
gives ``∂E/∂s_out`` directly (the "output delta"); the engines add what
flows back from an output's own successors, if it has any.

Examples
--------
>>> import numpy as np
>>> s = np.array([[0.0]]); z = np.array([[0.5]]); y = np.array([[1.0]])
>>> LOSSES["sse"].value(s, z, y)
0.25
>>> LOSSES["sse"].delta(s, z, y, [("sigmoid", slice(None))])
array([[-0.25]])
"""
from dataclasses import dataclass
from typing import Callable

import numpy as np

from .activations import DERIVATIVES


def log_softmax(s):
    """Row-wise log softmax of ``s`` of shape (n, m), stable for any finite s."""
    shifted = s - s.max(axis=1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))


def softmax(s):
    """Row-wise softmax of ``s`` of shape (n, m)."""
    return np.exp(log_softmax(s))


def activation_groups(activations):
    """``[(activation, output indices)]`` for a list of per-output activation names.

    >>> activation_groups(["softmax", "softmax"])
    [('softmax', array([0, 1]))]
    """
    groups = {}
    for m, name in enumerate(activations):
        groups.setdefault(name, []).append(m)
    return [(name, np.array(ms)) for name, ms in groups.items()]


def _chain_activation(dE_dz, s, z, groups):
    """∂E/∂s from ∂E/∂z through each output's own activation.

    ``groups`` is a list of ``(activation, columns)`` covering every output.
    Softmax couples its columns: ∂E/∂s = z ⊙ (g − Σ_l g_l z_l).
    """
    if len(groups) == 1 and groups[0][0] != "softmax":   # one activation on every output
        return dE_dz * DERIVATIVES[groups[0][0]](s, z)
    delta = np.empty_like(dE_dz)
    for name, cols in groups:
        if name == "softmax":
            g = dE_dz[:, cols]
            p = z[:, cols]
            delta[:, cols] = p * (g - (g * p).sum(axis=1, keepdims=True))
        else:
            delta[:, cols] = dE_dz[:, cols] * DERIVATIVES[name](s[:, cols], z[:, cols])
    return delta


def _sse_value(s, z, y):
    r = z - y
    return float(np.vdot(r, r))


def _sse_delta(s, z, y, groups):
    return _chain_activation(2.0 * (z - y), s, z, groups)


def _sse_both(s, z, y, groups, n=1):
    r = z - y                                    # shared by E and its gradient
    E = float(np.vdot(r, r)) / n
    r *= 2.0 / n
    return E, _chain_activation(r, s, z, groups)


def _mse_value(s, z, y):
    return _sse_value(s, z, y) / y.size


def _mse_delta(s, z, y, groups):
    return _chain_activation(2.0 * (z - y) / y.size, s, z, groups)


def _mse_both(s, z, y, groups):
    return _sse_both(s, z, y, groups, n=y.size)


def _ce_value(s, z, y):
    return float(-np.sum(y * log_softmax(s)) / len(y))


def _ce_delta(s, z, y, groups):
    # softmax + cross-entropy cancel: ∂E/∂s_l = (p_l Σ_k y_k − y_l) / n,
    # which is (p − y)/n for one-hot targets.
    return (z * y.sum(axis=1, keepdims=True) - y) / len(y)


def _bce_value(s, z, y):
    # log σ(s) = −softplus(−s) and log(1 − σ(s)) = −softplus(s): no log(0).
    return float(np.mean(y * np.logaddexp(0.0, -s) + (1.0 - y) * np.logaddexp(0.0, s)))


def _bce_delta(s, z, y, groups):
    # sigmoid + binary cross-entropy cancel: ∂E/∂s = (ŷ − y) / (n·m).
    return (z - y) / y.size


@dataclass(frozen=True)
class Loss:
    """One loss: its value and its output delta ∂E/∂s_out, both of arrays (n, m)."""

    name: str
    value: Callable
    delta: Callable
    output_activation: str = None  # the activation every output must have, if any
    classification: bool = False
    integer_labels: bool = False   # Y may be integer labels of shape (n,) or (n, 1)
    both: Callable = None          # (E, delta) in one pass, where that saves work

    def value_and_delta(self, s, z, y, groups):
        """``(value(s, z, y), delta(s, z, y, groups))``, sharing work where the loss allows."""
        if self.both is not None:
            return self.both(s, z, y, groups)
        return self.value(s, z, y), self.delta(s, z, y, groups)

    def targets(self, Y, n_outputs):
        """Check ``Y`` and return it as float64 of shape (n_samples, n_outputs)."""
        Y = np.asarray(Y)
        if Y.dtype.kind not in "biuf":
            raise ValueError(f"Y must be numeric, got dtype {Y.dtype}")
        if self.integer_labels and n_outputs > 1 and (Y.ndim == 1 or (Y.ndim == 2 and Y.shape[1] == 1)):
            labels = Y.reshape(-1)
            if not np.all(np.isfinite(labels)) or np.any(labels != np.round(labels)):
                raise ValueError("integer class labels expected in Y (or one-hot rows of width "
                                 f"{n_outputs})")
            if labels.size and (labels.min() < 0 or labels.max() >= n_outputs):
                raise ValueError(f"class labels must lie in 0..{n_outputs - 1} (one per output "
                                 f"node); found {labels.min():g}..{labels.max():g}")
            return np.eye(n_outputs)[labels.astype(np.intp)]
        Y = Y.astype(np.float64, copy=False)
        if Y.ndim == 1 and n_outputs == 1:
            Y = Y.reshape(-1, 1)
        if Y.ndim != 2 or Y.shape[1] != n_outputs:
            raise ValueError(f"Y must have shape (n_samples, {n_outputs}) for {n_outputs} "
                             f"output(s); got shape {Y.shape}")
        bad = ~np.isfinite(Y)
        if bad.any():
            row, col = np.argwhere(bad)[0]
            raise ValueError(f"Y has a non-finite value ({Y[row, col]}) at row {row}, column {col}")
        if self.name == "binary_cross_entropy" and Y.size and (Y.min() < 0 or Y.max() > 1):
            raise ValueError(f"binary_cross_entropy needs targets in [0, 1]; found {Y.min():g}..{Y.max():g} "
                             "(more than two classes need one output per class with cross_entropy)")
        return Y


LOSSES = {
    "sse": Loss("sse", _sse_value, _sse_delta, both=_sse_both),
    "mse": Loss("mse", _mse_value, _mse_delta, both=_mse_both),
    "cross_entropy": Loss("cross_entropy", _ce_value, _ce_delta, output_activation="softmax",
                          classification=True, integer_labels=True),
    "binary_cross_entropy": Loss("binary_cross_entropy", _bce_value, _bce_delta,
                                 output_activation="sigmoid", classification=True),
}
