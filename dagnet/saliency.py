"""How much each weight matters: magnitude, Optimal Brain Damage and Fisher saliency.

==============  ==================================================================
``magnitude``   |w_{j→k}|
``obd``         ½ h_{j→k} w²_{j→k}, Optimal Brain Damage (LeCun, Denker & Solla
                1990), h the diagonal second derivative ∂²E/∂w² of
                :func:`hessian_diagonal`
``fisher``      ½ w²_{j→k} Σ_samples (δ_k z_j)²: the empirical Fisher
                information of w from the per-sample gradients δ_k z_j
                (as in Theis et al. 2018), up to a factor the loss's averaging
                puts on every weight alike
==============  ==================================================================

:func:`dagnet.prune` removes the weights these rank lowest.
"""
from dataclasses import dataclass
from typing import Callable

import numpy as np
import scipy.sparse as sp

from .activations import ACTIVATIONS
from .errors import suggest
from .results import BySlot

#: Edges × samples gathered per chunk when summing over samples (about 512 KB).
CHUNK_ELEMENTS = 1 << 16


# -- the loss's own curvature at the outputs -------------------------------------------

def _squared_error_curvature(scale):
    """∂²E/∂s² at the outputs, Gauss–Newton: scale · (∂ŷ/∂s)², for E = scale/2 · Σ (ŷ − y)²."""
    def curvature(S, Z, n_outputs_total, groups):
        H = np.empty_like(S)
        for name, cols in groups:
            if name == "softmax":   # ∂ŷ_m/∂s_l = p_m(δ_ml − p_l): the diagonal of JᵀJ
                p = Z[:, cols]
                H[:, cols] = p * p * ((1 - p) ** 2 + (p * p).sum(axis=1, keepdims=True) - p * p)
            else:
                H[:, cols] = ACTIVATIONS[name].derivative(S[:, cols], Z[:, cols]) ** 2
        return scale(S.shape[0], n_outputs_total) * H
    return curvature


def _logistic_curvature(per):
    """∂²E/∂s² of (binary) cross-entropy on softmax or sigmoid outputs: ŷ(1 − ŷ), averaged as E is."""
    return lambda S, Z, m, groups: Z * (1.0 - Z) / per(S.shape[0], m)


#: loss name -> ``curvature(S_out, Z_out, n_outputs, output_groups)``, shape (n, n_outputs):
#: ∂²E/∂s_o² per sample at each output. Exact for the cross-entropies (a sum over
#: samples of a function convex in s); for squared errors the Gauss–Newton part
#: 2(∂ŷ/∂s)², dropping (ŷ − y)σ''(s), as OBD's Levenberg–Marquardt approximation does.
OUTPUT_CURVATURE = {
    "sse": _squared_error_curvature(lambda n, m: 2.0),
    "mse": _squared_error_curvature(lambda n, m: 2.0 / (n * m)),
    "cross_entropy": _logistic_curvature(lambda n, m: n),
    "binary_cross_entropy": _logistic_curvature(lambda n, m: n * m),
}


def _edge_sums(edges, A, B, out):
    """``out[slot] = Σ_samples A[src] · B[dst]`` per edge row (src, dst, slot); A, B node-major (N, n)."""
    size = max(1, CHUNK_ELEMENTS // max(A.shape[1], 1))
    for lo in range(0, len(edges), size):
        src, dst, slot = edges[lo:lo + size].T
        out[slot] = np.einsum("ij,ij->i", A[src], B[dst])


def _samples(net, X, Y, method):
    if X is None or Y is None:
        raise ValueError(f"{method} needs the samples X and Y it measures the loss on")
    Y = net.targets(Y)
    if len(Y) != len(X):
        raise ValueError(f"X has {len(X)} samples but Y has {len(Y)}")
    return X, Y


def hessian_diagonal(net, X, Y):
    """OBD's diagonal second derivatives ∂²E/∂θ² of every weight and bias, by one extra backward sweep.

    Per sample and node, in the Backpropagation Tutorial's names (LeCun, Denker & Solla 1990,
    their eqs. 7–10 with the Levenberg–Marquardt approximation)::

        h_k = ∂²E/∂s_k² = σ'_k(s_k)² Σ_{k→o} w²_{k→o} h_o  (+ the loss's own term at outputs)
        ∂²E/∂w²_{j→k} = Σ_samples h_k z_j²        ∂²E/∂b_k² = Σ_samples h_k

    The sweep drops the off-diagonal terms of the Hessian and the σ'' terms:
    it is exact for weights into linear (or softmax cross-entropy) outputs
    and for any weight on a network of linear perceptrons where each
    perceptron feeds one other; elsewhere it approximates.

    Parameters
    ----------
    net : Network
    X : array of shape (n_samples, n_inputs)
    Y : array of shape (n_samples, n_outputs), or class labels

    Returns
    -------
    ndarray of shape (net.plan.n_params,)
        In the slots of :attr:`Network.params`; 0 for padding and inputs.

    Examples
    --------
    >>> import dagnet
    >>> net = dagnet.loads("{inputs: [x], outputs: [y], loss: sse, nodes: {y: {activation: linear}}, "
    ...                    "edges: [{from: x, to: y, weight: 0.5}]}")
    >>> h = hessian_diagonal(net, [[1.0], [2.0]], [[0.0], [1.0]])
    >>> float(h[net.plan.edge_slot["x", "y"]]), float(h[net.plan.bias_slot["y"]])    # 2 Σ x², 2 n
    (10.0, 4.0)
    """
    X, Y = _samples(net, X, Y, "the Hessian diagonal")
    if net.loss not in OUTPUT_CURVATURE:
        raise ValueError(f"no output curvature for loss {net.loss!r}; known: {', '.join(OUTPUT_CURVATURE)}")
    plan, params = net.plan, net.params
    trace = net.forward(X)
    S, Z = trace.S.T, trace.Z.T                        # node-major (n_nodes, n_samples)
    out = plan.output_columns
    H = np.zeros_like(S)
    H[out] = OUTPUT_CURVATURE[net.loss](S[out].T, Z[out].T, len(out), plan.output_groups).T
    pulled = np.zeros_like(S)                          # Σ_{k→o} w²_{k→o} h_o, filled from later steps
    edges = plan.edges
    bounds = np.searchsorted(edges[:, 2], [(st.offset, st.offset + st.n_slots) for st in plan.steps])
    c0, c1 = plan.n_inputs, plan.n_inputs + plan.n_constants
    blocks = [(st.start, st.stop, st.runs, b) for st, b in zip(plan.steps, bounds)]
    for lo, hi, runs, (a, b) in reversed([(c0, c1, plan.constant_runs, (0, 0))] + blocks):
        for run in runs:
            if run.activation.name == "softmax":
                continue                               # softmax outputs feed nothing
            cols = np.arange(plan.n_nodes)[run.columns]
            d = run.activation.derivative(S[cols], Z[cols])
            H[cols] += d * d * pulled[cols]
        src, dst, slot = edges[a:b].T
        if len(slot):
            W2 = sp.csr_matrix((params[slot] ** 2, (src, dst - lo)), shape=(lo, hi - lo))
            pulled[:lo] += W2 @ H[lo:hi]
    hess = np.zeros(plan.n_params)
    _edge_sums(edges, Z * Z, H, hess)
    for node, slot in plan.bias_slot.items():
        hess[slot] = H[plan.column[node]].sum()
    return hess


def fisher_diagonal(net, X, Y):
    """Σ_samples (∂E/∂w_{j→k} per sample)² = Σ_samples (δ_k z_j)² per weight, shape (n_params,).

    From the per-sample δ_k of ``net.gradients(X, Y).delta`` and z_j of
    ``net.forward(X).z``; biases and padding slots are 0.
    """
    X, Y = _samples(net, X, Y, "the Fisher saliency")
    D = net.gradients(X, Y)[1].delta.matrix.T          # node-major δ
    Z = net.forward(X).Z.T
    F = np.zeros(net.plan.n_params)
    _edge_sums(net.plan.edges, Z * Z, D * D, F)
    return F


@dataclass(frozen=True)
class Method:
    """A saliency: ``compute(net, X, Y)`` -> one value per parameter slot, shape (n_params,)."""

    name: str
    compute: Callable
    needs_data: bool
    description: str


METHODS = {m.name: m for m in [
    Method("magnitude", lambda net, X, Y: np.abs(net.params), False, "|w|"),
    Method("obd", lambda net, X, Y: 0.5 * hessian_diagonal(net, X, Y) * net.params ** 2, True,
           "Optimal Brain Damage: ½ ∂²E/∂w² w²"),
    Method("fisher", lambda net, X, Y: 0.5 * fisher_diagonal(net, X, Y) * net.params ** 2, True,
           "½ w² Σ (δ_k z_j)², the empirical Fisher information"),
]}


def lookup(name):
    """The :class:`Method` called ``name``, or ValueError with the near miss."""
    if name not in METHODS:
        raise ValueError(f"unknown method {name!r}{suggest(str(name), METHODS)}; known: {', '.join(METHODS)}")
    return METHODS[name]


def saliency(net, method="magnitude", X=None, Y=None):
    """The saliency of every weight: ``s[(i, j)]`` a float (see :data:`METHODS`).

    ``X`` and ``Y`` are needed by ``obd`` and ``fisher``. The result's
    ``vector`` holds the values in parameter slots (shape (n_params,)).

    Examples
    --------
    >>> import dagnet
    >>> net = dagnet.load("topologies/xor_skip.yaml")
    >>> saliency(net)["n", "y"], saliency(net)["a", "n"]
    (20.0, 10.0)
    """
    vector = lookup(method).compute(net, X, Y)
    return BySlot(vector, net.plan.edge_slot)
