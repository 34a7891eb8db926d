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

from .activations import ACTIVATIONS


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
        return dE_dz * ACTIVATIONS[groups[0][0]].derivative(s, z)
    delta = np.empty_like(dE_dz)
    for name, cols in groups:
        if name == "softmax":
            g = dE_dz[:, cols]
            p = z[:, cols]
            delta[:, cols] = p * (g - (g * p).sum(axis=1, keepdims=True))
        else:
            delta[:, cols] = dE_dz[:, cols] * ACTIVATIONS[name].derivative(s[:, cols], z[:, cols])
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


# Each sample's own term of E, shape (n,): E is their sum (sse) or their mean (the others).
def _squared_rows(s, z, y):
    r = z - y
    return np.einsum("ij,ij->i", r, r)


def _mse_rows(s, z, y):
    return _squared_rows(s, z, y) / y.shape[1]


def _ce_rows(s, z, y):
    return -np.einsum("ij,ij->i", y, log_softmax(s))


def _bce_rows(s, z, y):
    return np.mean(y * np.logaddexp(0.0, -s) + (1.0 - y) * np.logaddexp(0.0, s), axis=1)


@dataclass(frozen=True)
class Loss:
    """One loss: its value and output delta ∂E/∂s_out (arrays (n, m)), and the rules its targets follow.

    ``output_activation`` is the activation every output must have (None:
    any); ``min_outputs`` the fewest outputs it makes sense for;
    ``integer_labels`` lets Y be class labels of shape (n,) or (n, 1);
    ``target_range`` bounds every target value; ``distribution`` asks each
    target row to be non-negative and sum to 1 (one-hot, or soft labels).
    """

    name: str
    value: Callable
    delta: Callable
    rows: Callable                 # each sample's term of E, shape (n,)
    mean: bool = True              # E is the mean of the rows (else their sum)
    both: Callable = None          # (E, delta) in one pass, where that saves work
    output_activation: str = None
    min_outputs: int = 1
    classification: bool = False
    integer_labels: bool = False
    target_range: tuple = None
    distribution: bool = False
    hint: str = ""                 # what to do instead, added to a target error

    def value_and_delta(self, s, z, y, groups, weights=None):
        """``(value(s, z, y), delta(s, z, y, groups))``, sharing work where the loss allows.

        ``weights`` (n,), when given, weigh the samples: each sample's term
        counts ``weights[i]`` times (for the mean losses, the mean becomes
        the weighted mean), and its row of the delta scales alike. A sample
        of weight 0 does not count; a batch whose weights are all 0 counts
        for nothing: E = 0 and a delta of zeros (its weighted mean would be
        0/0).
        """
        if weights is None:
            if self.both is not None:
                return self.both(s, z, y, groups)
            return self.value(s, z, y), self.delta(s, z, y, groups)
        total = weights.sum()
        if self.mean:
            scale = weights * (len(weights) / total) if total > 0 else np.zeros_like(weights)
        else:
            scale = weights
        rows = self.rows(s, z, y)
        E = float(scale @ rows) / (len(rows) if self.mean else 1)
        return E, self.delta(s, z, y, groups) * scale[:, None]

    def targets(self, Y, n_outputs):
        """Check ``Y`` and return it as float64 of shape (n_samples, n_outputs)."""
        Y = np.asarray(Y)
        if Y.dtype.kind not in "biuf":
            raise ValueError(f"Y must be numeric, got dtype {Y.dtype}")
        if self.integer_labels and n_outputs > 1 and (Y.ndim == 1 or (Y.ndim == 2 and Y.shape[1] == 1)):
            return _labels_to_one_hot(Y.reshape(-1), n_outputs)
        Y = Y.astype(np.float64, copy=False)
        if Y.ndim == 1 and n_outputs == 1:
            Y = Y.reshape(-1, 1)
        if Y.ndim != 2 or Y.shape[1] != n_outputs:
            raise ValueError(f"Y must have shape (n_samples, {n_outputs}) for {n_outputs} "
                             f"output{'s' if n_outputs != 1 else ''}; got shape {Y.shape}")
        bad = ~np.isfinite(Y)
        if bad.any():
            row, col = np.argwhere(bad)[0]
            raise ValueError(f"Y has a non-finite value ({Y[row, col]}) at row {row}, column {col}")
        if self.target_range is not None and Y.size:
            low, high = self.target_range
            if Y.min() < low or Y.max() > high:
                raise ValueError(f"{self.name} needs targets in [{low:g}, {high:g}]; found "
                                 f"{Y.min():g}..{Y.max():g}{self.hint}")
        if self.distribution and Y.size and not np.allclose(Y.sum(axis=1), 1.0, rtol=0, atol=1e-9):
            row = int(np.argmax(np.abs(Y.sum(axis=1) - 1.0)))
            raise ValueError(f"{self.name} needs each target row to sum to 1 (one-hot rows or class "
                             f"labels); row {row} sums to {Y[row].sum():g}")
        return Y


def _labels_to_one_hot(labels, n_classes):
    if not np.all(np.isfinite(labels)) or np.any(labels != np.round(labels)):
        raise ValueError(f"integer class labels expected in Y (or one-hot rows of width {n_classes})")
    if labels.size and (labels.min() < 0 or labels.max() >= n_classes):
        raise ValueError(f"class labels must lie in 0..{n_classes - 1} (one per output node); "
                         f"found {labels.min():g}..{labels.max():g}")
    return np.eye(n_classes)[labels.astype(np.intp)]


LOSSES = {loss.name: loss for loss in [
    Loss("sse", _sse_value, _sse_delta, _squared_rows, mean=False, both=_sse_both),
    Loss("mse", _mse_value, _mse_delta, _mse_rows, both=_mse_both),
    Loss("cross_entropy", _ce_value, _ce_delta, _ce_rows, output_activation="softmax", min_outputs=2,
         classification=True, integer_labels=True, target_range=(0.0, 1.0), distribution=True),
    Loss("binary_cross_entropy", _bce_value, _bce_delta, _bce_rows, output_activation="sigmoid",
         classification=True, target_range=(0.0, 1.0),
         hint=" (more than two classes need one output per class with cross_entropy)"),
]}
