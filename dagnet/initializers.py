"""Weight and bias initialisation schemes, keyed by the name a user writes.

A DAG has no layers, so fan-in and fan-out are per weight (see :func:`fans`):
a weight w_{i→j} has fan_in = in-degree of j and fan_out = out-degree of i
(an output counts the loss as one consumer), which in a layered network are
the widths of the layers before and after it. Each scheme maps ``(rng,
fan_in, fan_out, size)`` to an array of ``size`` float64 values; ``fan_out``
may be an array of one value per weight.

Examples
--------
>>> import numpy as np

from .errors import suggest
>>> w = INITIALIZERS["glorot_uniform"](np.random.default_rng(0), 2, 1, 1000)
>>> bool(np.abs(w).max() <= np.sqrt(6 / 3))
True
"""
import numpy as np


def glorot_uniform(rng, fan_in, fan_out, size):
    limit = np.sqrt(6.0 / np.maximum(fan_in + fan_out, 1))
    return rng.uniform(-limit, limit, size)


def glorot_normal(rng, fan_in, fan_out, size):
    return rng.normal(0.0, np.sqrt(2.0 / np.maximum(fan_in + fan_out, 1)), size)


def he_uniform(rng, fan_in, fan_out, size):
    limit = np.sqrt(6.0 / np.maximum(fan_in, 1))
    return rng.uniform(-limit, limit, size)


def he_normal(rng, fan_in, fan_out, size):
    return rng.normal(0.0, np.sqrt(2.0 / np.maximum(fan_in, 1)), size)


def lecun_normal(rng, fan_in, fan_out, size):
    return rng.normal(0.0, np.sqrt(1.0 / np.maximum(fan_in, 1)), size)


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


def fan_out(G, node, outputs):
    """How many consumers ``node`` feeds: its out-degree, plus the loss for an output."""
    return G.out_degree(node) + (node in outputs)


def fans(G, sources, target, outputs):
    """(fan_in, fan_out) of the weights w_{i→target} for ``i`` in ``sources``.

    Glorot & Bengio's fan-in of a weight is the number of inputs of the unit
    it feeds, and its fan-out the number of units its source feeds; in a DAG
    each is the node's own degree: fan_in = in-degree of the target (a
    number), fan_out = out-degree of each source (an array, one per weight).
    In a layered network both equal the layer widths of the layer formula.
    """
    return G.in_degree(target), np.array([fan_out(G, u, outputs) for u in sources], dtype=float)
DEFAULT_BIAS_INIT = "zeros"


def initialize(net, init="glorot_uniform", seed=None, bias_init=DEFAULT_BIAS_INIT):
    """Draw every trainable weight of ``net`` (scheme ``init``) and bias (``bias_init``) anew, in place.

    Fan-in and fan-out are per weight, as when a topology is loaded (see
    :func:`fans`); :meth:`dagnet.Network.initialize` calls this.
    """
    for name in (init, bias_init):
        if name not in INITIALIZERS:
            raise ValueError(f"unknown init {name!r}{suggest(name, INITIALIZERS)}; "
                             f"known: {', '.join(INITIALIZERS)}")
    rng = np.random.default_rng(seed)
    G, plan, params = net.structure, net.plan, net.params
    outputs = set(net.outputs)
    for node in G:
        if plan.activation[node] is None:
            continue
        sources = [u for u in G.predecessors(node) if plan.mask[plan.edge_slot[u, node]]]
        fan_in, fan_outs = fans(G, sources, node, outputs)
        slots = [plan.edge_slot[u, node] for u in sources]
        params[slots] = INITIALIZERS[init](rng, fan_in, fan_outs, len(slots))
        slot = plan.bias_slot.get(node)
        if slot is not None and plan.mask[slot]:
            params[slot] = INITIALIZERS[bias_init](rng, fan_in, fan_out(G, node, outputs), 1)[0]
