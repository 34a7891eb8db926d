"""What a frame of the page shows, computed from a network and its data.

- :func:`output_picture`: the network's output over the input plane (two
  inputs: a heat map of ŷ, or for several outputs the class and how sure it
  is), or its curve (one input);
- :func:`neuron_maps`: every perceptron's z_j over the same plane (or line);
- :func:`node_details` and :func:`edge_details`: s_j, z_j and δ_j over the
  training batch as histograms, and w_{i→j} with ∂E/∂w_{i→j};
- :func:`measure`: the loss per sample (and accuracy) on the training and test samples.

Maps travel as bytes: each value scaled from its range ``[low, high]`` to
0..255, row by row from the top of the plane (high ``x2``) down, which is
how a canvas stores pixels (:mod:`dagnet.playground.wire` sends them as
base64 text over HTTP, as binary buffers to the widget).

Examples
--------
>>> import numpy as np
>>> encode(np.array([0.0, 0.5, 1.0]), 0.0, 1.0)
b'\\x00\\x80\\xff'
>>> grid(((0.0, 1.0), (0.0, 1.0)), 2).tolist()     # top row first
[[0.0, 1.0], [1.0, 1.0], [0.0, 0.0], [1.0, 0.0]]
"""
import functools

import numpy as np

from .. import metrics
from ..activations import record
from .formula import formula


def encode(values, low, high):
    """``values`` scaled from [low, high] to bytes 0..255 (NaN as ``low``)."""
    span = high - low if high > low else 1.0
    with np.errstate(over="ignore", invalid="ignore"):
        scaled = np.clip(np.rint((np.asarray(values, dtype=float) - low) * (255.0 / span)), 0, 255)
    scaled = np.nan_to_num(scaled, nan=0.0)
    return scaled.astype(np.uint8).tobytes()


def grid(extent, r):
    """``r × r`` points over the box ``extent`` ((x1 low, x1 high), (x2 low, x2 high)), shape (r*r, 2).

    Rows run from the top (x2 high) down, columns from x1 low to high.
    """
    (x_lo, x_hi), (y_lo, y_hi) = extent
    gx, gy = np.meshgrid(np.linspace(x_lo, x_hi, r), np.linspace(y_hi, y_lo, r))
    return np.column_stack([gx.ravel(), gy.ravel()])


def line(extent, r):
    """``r`` points along the one input's range, shape (r, 1)."""
    (lo, hi), = extent
    return np.linspace(lo, hi, r).reshape(-1, 1)


def value_range(activation, values):
    """The colour range of z for ``activation``: its own bounds, else what ``values`` span."""
    low, high = record(activation).range if activation else (None, None)
    values = np.asarray(values)
    values = values[np.isfinite(values)]
    if low is None or high is None:
        top = float(np.max(np.abs(values))) if values.size else 1.0
        if low is None and high is None:
            low, high = -top, top        # centred, so 0 is the neutral colour
        elif low is None:
            low = float(values.min())
        else:
            high = float(values.max())
    if not high > low:
        high = low + 1.0
    return float(low), float(high)


def _round(values, digits=5):
    return [float(f"{v:.{digits}g}") if np.isfinite(v) else None for v in np.asarray(values, dtype=float).ravel()]


#: Points per side of the z_j maps (a finer plane is sampled down to about this).
MAP_SIDE = 50


@functools.lru_cache(maxsize=32)
def plane(extent, r):
    """The points a picture of ``r`` per side evaluates: a grid (two inputs), a line (one), else None.

    Cached (read-only arrays): a frame after frame asks for the same plane.
    """
    points = grid(extent, r) if len(extent) == 2 else line(extent, r) if len(extent) == 1 else None
    if points is not None:
        points.setflags(write=False)
    return points


def plane_activations(net, data, r):
    """Z of every node over the plane, shape (points, n_nodes), or None for more than two inputs.

    The plane is that of the data's own inputs; derived ones (``x^2``...)
    are computed at each of its points.
    """
    points = plane(data.extent, r)
    return None if points is None else net.forward(data.inputs_at(points)).Z


def output_picture(net, data, r, Z=None):
    """The output over the input plane (``"heat"`` or ``"classes"``), its curve, or ``"none"``.

    ``data`` is the session's :class:`~dagnet.playground.samples.Data` (its
    extent bounds the plane); ``Z`` is :func:`plane_activations` when the
    caller has it already.
    """
    n_in = len(data.extent)          # the data's own inputs: the plane's axes
    if n_in > 2:
        return {"kind": "none", "why": f"no picture of {n_in} inputs over a plane"}
    Z = plane_activations(net, data, r) if Z is None else Z
    P = Z[:, net.plan.output_columns]
    if n_in == 1:
        xs = plane(data.extent, r)
        return {"kind": "curve", "x": _round(xs), "y": [_round(P[:, m]) for m in range(P.shape[1])]}
    if P.shape[1] == 1:
        act = net.plan.activation[net.outputs[0]]
        low, high = record(act).range
        if low is None or high is None:
            low, high = value_range(act, np.r_[P.ravel(), data.Y.ravel()])
        return {"kind": "heat", "r": r, "values": encode(P[:, 0], low, high), "low": low, "high": high}
    m = P.shape[1]
    k = np.argmax(P, axis=1)
    top = P[np.arange(len(P)), k]
    sure = np.clip((top - 1.0 / m) / (1.0 - 1.0 / m), 0.0, 1.0)
    return {"kind": "classes", "r": r, "classes": encode(k, 0, 255), "values": encode(sure, 0.0, 1.0)}


def neuron_maps(net, data, r, limit, Z=None):
    """``{"r", "nodes": [{"name", "values", "low", "high"}]}``: z_j of the inputs and the first ``limit`` perceptrons.

    Two inputs: maps of about :data:`MAP_SIDE` per side as bytes (the
    plane of ``r`` per side, sampled down); one input: curves as lists of
    floats; more inputs: no maps.
    """
    n_in = len(data.extent)
    if n_in > 2:
        return {"r": 0, "nodes": []}
    Z = plane_activations(net, data, r) if Z is None else Z
    every = max(1, r // MAP_SIDE)
    if n_in == 2:
        Z = Z.reshape(r, r, -1)[::every, ::every].reshape(-1, Z.shape[1])
    else:
        Z = Z[::every]
    side = len(range(0, r, every))
    nodes = []
    for col, node in enumerate(net.plan.nodes[:len(net.inputs) + limit]):
        z = Z[:, col]
        act = net.plan.activation[node]
        low, high = value_range(act, z) if act != "softmax" else (0.0, 1.0)
        values = encode(z, low, high) if n_in == 2 else _round(z, 4)
        nodes.append({"name": node, "values": values, "low": low, "high": high})
    return {"r": side, "nodes": nodes}


def per_sample(net, E, n):
    """The loss ``E`` of ``n`` samples as its mean per sample.

    ``sse`` is a sum over the samples (the tutorial's E), the other losses
    a mean already: the page compares training and test sets of different
    sizes, so it shows every loss per sample.
    """
    return E if net.loss_function.mean else E / n


def losses(net, data):
    """The loss per sample (:func:`per_sample`) on the training and on the test samples (None without test samples)."""
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        train = per_sample(net, net.evaluate(data.X_train, data.Y_train), len(data.train))
        test = per_sample(net, net.evaluate(data.X_test, data.Y_test), len(data.test)) if len(data.test) else None
    return train, test


def measure(net, data):
    """Loss per sample (and accuracy for classes) on the training and test samples, from one forward pass."""
    trace = net.forward(data.X)
    s, z = trace.output_sums, trace.outputs

    def loss(part):
        return per_sample(net, net.loss_function.value(s[part], z[part], data.Y[part]), len(part))

    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        out = {"loss": {"train": loss(data.train), "test": loss(data.test) if len(data.test) else None}}
    if data.labels is not None:
        hits = metrics.classes(z) == data.labels
        out["accuracy"] = {"train": float(hits[data.train].mean()),
                           "test": float(hits[data.test].mean()) if len(data.test) else None}
    return out


def histogram(values, bins=16):
    """``{"counts", "low", "high", "mean"}`` of the finite ``values`` (n,) in ``bins`` equal bins."""
    values = np.asarray(values, dtype=float)
    values = values[np.isfinite(values)]
    low, high = (float(values.min()), float(values.max())) if values.size else (0.0, 0.0)
    if not high > low:
        low, high = low - 0.5, high + 0.5
    counts, _ = np.histogram(values, bins=bins, range=(low, high))
    return {"counts": counts.tolist(), "low": low, "high": high,
            "mean": float(values.mean()) if values.size else 0.0}


def node_details(net, data, node):
    """s_j, z_j and δ_j = ∂E/∂s_j of ``node`` over the training samples, b_j, ∂E/∂b_j, and its formula.

    >>> import dagnet
    >>> from dagnet.playground import samples
    >>> net = dagnet.load("topologies/tutorial_2_5_1.yaml", seed=0)
    >>> data = samples.fit(net, samples.builtin("nonlinear"))
    >>> sorted(node_details(net, data, "h.0"))
    ['activation', 'bias', 'bias_gradient', 'delta', 'formula', 'node', 's', 'z']
    """
    X, Y = data.X_train, data.Y_train
    trace = net.forward(X)
    _, grads = net.gradients(X, Y)
    return {"node": node, "activation": net.plan.activation[node],
            "s": histogram(trace.s[node]), "z": histogram(trace.z[node]),
            "delta": histogram(grads.delta[node]),
            "bias": net.bias(node), "bias_gradient": grads.bias.get(node), "formula": formula(net, node)}


def edge_details(net, data, source, target):
    """w_{i→j}, ∂E/∂w_{i→j} over the training samples, and the per-sample z_i·δ_j it sums."""
    X, Y = data.X_train, data.Y_train
    trace = net.forward(X)
    _, grads = net.gradients(X, Y)
    return {"edge": [source, target], "weight": net.weight(source, target),
            "gradient": grads.weight[source, target],
            "products": histogram(trace.z[source] * grads.delta[target])}
