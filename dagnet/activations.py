"""Activation functions σ, one record each, keyed by the name a user writes.

A record holds everything any part of dagnet needs about one activation:
the forward rule ``z = σ(s)``, its derivative ``σ'(s)`` from ``(s, z)``
(using the forward output where that saves work), the in-place
``d *= σ'(s)`` the compiled engine runs, the range of ``z`` (for
pictures) and a colour. Adding an activation is one entry in
:data:`ACTIVATIONS`; every engine, test strategy and picture picks it up.

All are stable for any finite ``s``: no overflow warnings at ``|s| = 1000``.

``softmax`` couples all output nodes, so it is not elementwise: its record
(:data:`SOFTMAX`) carries the range and colour only, and the losses
(:mod:`dagnet.losses`) and the engines treat it as one block.

Examples
--------
>>> import numpy as np
>>> ACTIVATIONS["sigmoid"].forward(np.array([-1000.0, 0.0, 1000.0]))
array([0. , 0.5, 1. ])
>>> ACTIVATIONS["tanh"].derivative(np.array([0.0]), np.array([0.0]))
array([1.])
"""
import functools
from dataclasses import dataclass
from typing import Callable

import numpy as np

LEAKY_SLOPE = 0.01


@functools.cache
def _expit():
    # scipy.special takes longer to import than the rest of dagnet's core, and loading or
    # checking a topology computes no sigmoid: it is imported at the first one.
    from scipy.special import expit

    return expit


def sigmoid(s, out=None):
    """The logistic function 1 / (1 + e^(−s)), stable at any s: scipy's ``expit`` ufunc.

    ``s`` is an array of any shape; ``out``, when given, of the same shape, receives the values.
    """
    return _expit()(s, out=out)


@dataclass(frozen=True)
class Activation:
    """One activation: forward rule, derivative, fused in-place derivative, range, colour.

    ``forward(s)`` maps an array of sums to activations; ``derivative(s, z)``
    gives σ'(s) given both s and z = σ(s); ``scale(d, s, z)``, when given,
    does ``d *= σ'(s)`` in place without temporaries the size of ``d``
    (else :meth:`scale_by_derivative` falls back to ``derivative``).
    ``range`` is (low, high) of z, None where unbounded.
    """

    name: str
    forward: Callable
    derivative: Callable
    scale: Callable = None
    range: tuple = (None, None)
    colour: str = "#d9f0d3"

    def __reduce__(self):   # pickled by name: the functions live in the registry
        return (record, (self.name,))

    def apply(self, s, out):
        """Write σ(s) into ``out`` (same shape as ``s``)."""
        if isinstance(self.forward, np.ufunc) or self.forward is sigmoid:   # both write into out
            self.forward(s, out=out)
        else:
            out[...] = self.forward(s)

    def scale_by_derivative(self, d, s, z):
        """``d *= σ'(s)`` in place; ``d``, ``s``, ``z`` of one shape."""
        if self.scale is not None:
            self.scale(d, s, z)
        else:
            d *= self.derivative(s, z)


def _scale_tanh(d, s, z):
    t = z * z
    t *= d
    d -= t                       # d · (1 − z²)


def _scale_sigmoid(d, s, z):
    t = 1.0 - z
    t *= z
    d *= t                       # d · z(1 − z)


def _scale_relu(d, s, z):
    d *= s > 0


def _no_scale(d, s, z):
    """σ' = 1: nothing to do."""


def _softplus(s):
    return np.logaddexp(0.0, s)


_RECORDS = [
    Activation("sigmoid", sigmoid, lambda s, z: z * (1.0 - z), _scale_sigmoid, (0.0, 1.0), "#fde0c5"),
    Activation("tanh", np.tanh, lambda s, z: 1.0 - z * z, _scale_tanh, (-1.0, 1.0), "#cfe3f3"),
    Activation("linear", lambda s: s, lambda s, z: np.ones_like(s), _no_scale, colour="#eeeeee"),
    Activation("relu", lambda s: np.maximum(s, 0.0), lambda s, z: (s > 0).astype(s.dtype),
               _scale_relu, (0.0, None)),
    Activation("leaky_relu", lambda s: np.where(s > 0, s, LEAKY_SLOPE * s),
               lambda s, z: np.where(s > 0, 1.0, LEAKY_SLOPE)),
    Activation("elu", lambda s: np.where(s > 0, s, np.expm1(np.minimum(s, 0.0))),
               lambda s, z: np.where(s > 0, 1.0, z + 1.0), range=(-1.0, None)),
    Activation("softplus", _softplus, lambda s, z: sigmoid(s), range=(0.0, None)),
    Activation("swish", lambda s: s * sigmoid(s), lambda s, z: z + sigmoid(s) * (1.0 - z)),
    Activation("softsign", lambda s: s / (1.0 + np.abs(s)), lambda s, z: 1.0 / np.square(1.0 + np.abs(s)),
               range=(-1.0, 1.0), colour="#cfe3f3"),
    Activation("gaussian", lambda s: np.exp(-np.square(s)), lambda s, z: -2.0 * s * z,
               range=(0.0, 1.0), colour="#fde0c5"),
    Activation("sin", np.sin, lambda s, z: np.cos(s), range=(-1.0, 1.0), colour="#cfe3f3"),
]

#: The elementwise activations, by name.
ACTIVATIONS = {a.name: a for a in _RECORDS}

#: softmax: one normalisation over all output nodes (see :mod:`dagnet.losses`).
SOFTMAX = Activation("softmax", None, None, range=(0.0, 1.0), colour="#e7d4e8")

ALIASES = {"identity": "linear", "logistic": "sigmoid", "silu": "swish"}

#: Every name a topology may use for ``activation``.
NAMES = sorted([*ACTIVATIONS, *ALIASES, SOFTMAX.name])


def canonical(name):
    """The registry name for ``name`` (``"identity"`` -> ``"linear"``), or None if unknown."""
    name = ALIASES.get(name, name)
    return name if name in ACTIVATIONS or name == SOFTMAX.name else None


def record(name):
    """The :class:`Activation` for a canonical name, softmax included."""
    return SOFTMAX if name == SOFTMAX.name else ACTIVATIONS[name]
