"""Validation samples for ``fit``: given ones checked, or a seeded (stratified) share held out."""
import numpy as np

from . import metrics
from .samples import as_inputs


def split(X, Y, validation_data, validation_split, net, rng, stratify):
    """(X, Y, X_val, Y_val, held): the training and validation samples ``fit`` uses.

    ``validation_data`` is checked and taken as it is; else a fraction
    ``validation_split`` of (X, Y) is held out at random (``rng``), of every
    class when ``stratify``; ``held`` are the rows held out (None when none are).
    """
    if validation_data is not None:
        if validation_split:
            raise ValueError("give validation_data or validation_split, not both")
        Xv, Yv = validation_data
        Xv, Yv = as_inputs(Xv, net.inputs, net.runner), net.targets(Yv)
        if len(Xv) != len(Yv):
            raise ValueError(f"validation X has {len(Xv)} samples but Y has {len(Yv)}")
        return X, Y, Xv, Yv, None
    if not validation_split:
        return X, Y, None, None, None
    if not 0 < validation_split < 1:
        raise ValueError(f"validation_split must lie between 0 and 1, got {validation_split}")
    n_val = int(round(len(X) * validation_split))
    if n_val < 1 or n_val >= len(X):
        raise ValueError(f"validation_split={validation_split} leaves no {'validation' if n_val < 1 else 'training'} "
                         f"samples out of {len(X)}")
    held = held_out(Y, validation_split, n_val, rng, stratify)
    keep = np.ones(len(X), dtype=bool)
    keep[held] = False
    return X[keep], Y[keep], X[held], Y[held], held


def held_out(Y, fraction, n_val, rng, stratify):
    """Sorted indices of a seeded random validation set; for classifiers, ``fraction`` of every class."""
    if not stratify:
        return np.sort(rng.permutation(len(Y))[:n_val])
    labels = metrics.labels(Y)
    held = []
    for c in np.unique(labels):
        members = np.flatnonzero(labels == c)
        take = int(round(len(members) * fraction))
        held.append(rng.permutation(members)[:min(take, len(members) - 1)])
    return np.sort(np.concatenate(held))
