"""Weight and bias initialisation schemes, keyed by the name a user writes.

A DAG has no layers, so fan-in and fan-out are per perceptron: the weights
into node j are drawn with ``fan_in`` = in-degree of j and ``fan_out`` =
out-degree of j (an output counts the loss as one consumer). Each scheme maps
``(rng, fan_in, fan_out, size)`` to an array of ``size`` float64 values.

Examples
--------
>>> import numpy as np
>>> w = INITIALIZERS["glorot_uniform"](np.random.default_rng(0), 2, 1, 1000)
>>> bool(np.abs(w).max() <= np.sqrt(6 / 3))
True
"""
import numpy as np


def glorot_uniform(rng, fan_in, fan_out, size):
    limit = np.sqrt(6.0 / max(fan_in + fan_out, 1))
    return rng.uniform(-limit, limit, size)


def glorot_normal(rng, fan_in, fan_out, size):
    return rng.normal(0.0, np.sqrt(2.0 / max(fan_in + fan_out, 1)), size)


def he_uniform(rng, fan_in, fan_out, size):
    limit = np.sqrt(6.0 / max(fan_in, 1))
    return rng.uniform(-limit, limit, size)


def he_normal(rng, fan_in, fan_out, size):
    return rng.normal(0.0, np.sqrt(2.0 / max(fan_in, 1)), size)


def lecun_normal(rng, fan_in, fan_out, size):
    return rng.normal(0.0, np.sqrt(1.0 / max(fan_in, 1)), size)


def uniform(rng, fan_in, fan_out, size):
    """U(−0.5, 0.5), the "small random weights" of the tutorials."""
    return rng.uniform(-0.5, 0.5, size)


def normal(rng, fan_in, fan_out, size):
    """N(0, 0.1²)."""
    return rng.normal(0.0, 0.1, size)


def zeros(rng, fan_in, fan_out, size):
    return np.zeros(size)


INITIALIZERS = {
    "glorot_uniform": glorot_uniform,
    "glorot_normal": glorot_normal,
    "xavier_uniform": glorot_uniform,
    "xavier_normal": glorot_normal,
    "he_uniform": he_uniform,
    "he_normal": he_normal,
    "lecun_normal": lecun_normal,
    "uniform": uniform,
    "normal": normal,
    "zeros": zeros,
}

DEFAULT_WEIGHT_INIT = "glorot_uniform"


def fans(G, node, outputs):
    """(fan_in, fan_out) of ``node`` in graph ``G``; ``outputs`` a set (an output feeds the loss)."""
    return G.in_degree(node), G.out_degree(node) + (node in outputs)
DEFAULT_BIAS_INIT = "zeros"
