"""Activation functions σ and their derivatives σ', keyed by the name a user writes.

Each entry maps ``s`` (any shape, float64) to ``z = σ(s)``, and ``(s, z)`` to
``σ'(s)``; derivatives use the forward output ``z`` where that saves work.
All are stable for any finite ``s``: no overflow warnings at ``|s| = 1000``.

``softmax`` is not here: it couples all output nodes, so it lives with the
losses (:mod:`dagnet.losses`) and the engines treat it as one block.

Examples
--------
>>> import numpy as np
>>> ACTIVATIONS["sigmoid"](np.array([-1000.0, 0.0, 1000.0]))
array([0. , 0.5, 1. ])
>>> DERIVATIVES["tanh"](np.array([0.0]), np.array([0.0]))
array([1.])
"""
import numpy as np
from scipy.special import expit

LEAKY_SLOPE = 0.01

#: The logistic function 1 / (1 + e^(−s)): scipy's ufunc, stable at any s.
sigmoid = expit


def _softplus(s):
    return np.logaddexp(0.0, s)


ACTIVATIONS = {
    "sigmoid": sigmoid,
    "tanh": np.tanh,
    "linear": lambda s: s,
    "relu": lambda s: np.maximum(s, 0.0),
    "leaky_relu": lambda s: np.where(s > 0, s, LEAKY_SLOPE * s),
    "elu": lambda s: np.where(s > 0, s, np.expm1(np.minimum(s, 0.0))),
    "softplus": _softplus,
    "swish": lambda s: s * sigmoid(s),
    "softsign": lambda s: s / (1.0 + np.abs(s)),
    "gaussian": lambda s: np.exp(-np.square(s)),
    "sin": np.sin,
}

DERIVATIVES = {
    "sigmoid": lambda s, z: z * (1.0 - z),
    "tanh": lambda s, z: 1.0 - z * z,
    "linear": lambda s, z: np.ones_like(s),
    "relu": lambda s, z: (s > 0).astype(s.dtype),
    "leaky_relu": lambda s, z: np.where(s > 0, 1.0, LEAKY_SLOPE),
    "elu": lambda s, z: np.where(s > 0, 1.0, z + 1.0),
    "softplus": lambda s, z: sigmoid(s),
    "swish": lambda s, z: z + sigmoid(s) * (1.0 - z),
    "softsign": lambda s, z: 1.0 / np.square(1.0 + np.abs(s)),
    "gaussian": lambda s, z: -2.0 * s * z,
    "sin": lambda s, z: np.cos(s),
}



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


#: In-place ``d *= σ'(s)`` for the common activations (the compiled engine's
#: fused kernels); ``linear`` needs nothing. Others fall back to DERIVATIVES.
SCALE_BY_DERIVATIVE = {
    "tanh": _scale_tanh,
    "sigmoid": _scale_sigmoid,
    "relu": _scale_relu,
    "linear": lambda d, s, z: None,
}

#: Activations that are numpy ufuncs and can write into a given array.
UFUNCS = {name: f for name, f in ACTIVATIONS.items() if isinstance(f, np.ufunc)}

ALIASES = {"identity": "linear", "logistic": "sigmoid", "silu": "swish"}

#: Every name a topology may use for ``activation``.
NAMES = sorted([*ACTIVATIONS, *ALIASES, "softmax"])


def canonical(name):
    """The registry name for ``name`` (``"identity"`` -> ``"linear"``), or None if unknown."""
    name = ALIASES.get(name, name)
    return name if name in ACTIVATIONS or name == "softmax" else None
