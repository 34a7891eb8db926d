"""Three ways to a gradient: backpropagation, central differences, forward mode.

- :meth:`Network.gradients` runs backpropagation (reverse mode): one forward
  and one backward sweep give ∂E/∂θ for every parameter θ.
- :func:`numerical_gradients` perturbs one parameter at a time,
  (E(θ + h) − E(θ − h)) / 2h: two forward sweeps per parameter.
- :func:`forward_mode_gradients` pushes the derivative of every s_j and z_j
  with respect to one parameter forward through the graph (the "sum over
  paths" of the tutorial "How Does the Backpropagation Work (I)"): one
  forward sweep per parameter.

:func:`gradcheck` compares backpropagation with the other two.
"""
import time
from dataclasses import dataclass, field

import numpy as np

from .activations import ACTIVATIONS
from .samples import as_inputs


def _trainable_slots(net, params=None):
    slots = np.flatnonzero(net.plan.mask)
    if params is not None and len(slots) > params:
        slots = np.sort(np.random.default_rng(0).choice(slots, params, replace=False))
    return slots


def numerical_gradients(net, X, Y, step=None, slots=None, order=4):
    """Central-difference estimate of ∂E/∂θ, shape (n_params,) (zeros where not estimated).

    ``order=2`` is the textbook (E(θ+h) − E(θ−h)) / 2h, error O(h²);
    ``order=4`` (the default) the five-point stencil
    (8[E(θ+h) − E(θ−h)] − [E(θ+2h) − E(θ−2h)]) / 12h, error O(h⁴), which
    allows a larger h and so loses fewer digits to rounding. The step is
    ``step · max(1, |θ|)``; by default 1e-6 for order 2 and 1e-3 for order 4.
    """
    if order not in (2, 4):
        raise ValueError(f"order must be 2 or 4, got {order!r}")
    step = step if step is not None else (1e-6 if order == 2 else 1e-3)
    X = as_inputs(X, net.inputs, net.runner)
    Y = net.targets(Y)
    theta = net.params

    def E_at(slot, value):
        theta[slot] = value
        return net.evaluate(X, Y)

    grad = np.zeros_like(theta)
    for slot in _trainable_slots(net) if slots is None else slots:
        keep = theta[slot]
        h = step * max(1.0, abs(keep))
        central = E_at(slot, keep + h) - E_at(slot, keep - h)
        if order == 2:
            grad[slot] = central / (2 * h)
        else:
            wide = E_at(slot, keep + 2 * h) - E_at(slot, keep - 2 * h)
            grad[slot] = (8 * central - wide) / (12 * h)
        theta[slot] = keep
    return grad


def forward_mode_gradients(net, X, Y, slots=None, count=None):
    """∂E/∂θ by forward-mode differentiation, one parameter at a time.

    For a parameter θ, every node's tangent ṡ_j = ∂s_j/∂θ follows the
    forward rule in topological order::

        ṡ_j = [θ = b_j] + Σ_{i→j} ( ż_i · w_{i→j} + [θ = w_{i→j}] · z_i )     ż_j = σ'_j(s_j) ṡ_j

    and ∂E/∂θ = Σ_outputs Σ_samples (∂E/∂s_o) ṡ_o. ``count``, a dict, if
    given, receives the number of node visits under ``"node_visits"``.
    Returns an array of shape (n_params,).
    """
    X = as_inputs(X, net.inputs, net.runner)
    Y = net.targets(Y)
    L = net.plan
    trace = net.forward(X)
    S, Z = trace.S, trace.Z
    dE_ds = net.loss_function.delta(trace.output_sums, trace.outputs, Y, L.output_groups)  # ∂E/∂s_o
    col = L.column
    incoming = {j: [] for j in L.nodes}
    for (i, j), slot in L.edge_slot.items():
        incoming[j].append((i, slot))
    owner = {slot: ("b", j) for j, slot in L.bias_slot.items()}
    owner.update({slot: ("w", e) for e, slot in L.edge_slot.items()})
    grad = np.zeros(L.n_params)
    visits = 0
    for slot in _trainable_slots(net) if slots is None else slots:
        kind, what = owner[slot]
        start = col[what] if kind == "b" else col[what[1]]  # nothing before θ's node moves
        s_dot, z_dot = {}, {}
        for j in L.nodes[start:]:
            visits += 1
            total = np.zeros(len(X))
            for i, w_slot in incoming[j]:
                if i in z_dot:
                    total += z_dot[i] * net.params[w_slot]
                if kind == "w" and what == (i, j):
                    total += Z[:, col[i]]
            if kind == "b" and what == j:
                total += 1.0
            if not total.any() and j not in s_dot:
                continue   # θ does not reach j on any path
            s_dot[j] = total
            if L.activation[j] != "softmax":
                z_dot[j] = ACTIVATIONS[L.activation[j]].derivative(S[:, col[j]], Z[:, col[j]]) * total
        # E is a function of the output sums alone (softmax included), so
        # dE/dθ = Σ_o ⟨∂E/∂s_o, ṡ_o⟩.
        grad[slot] = sum(float(dE_ds[:, m] @ s_dot[o]) for m, o in enumerate(L.outputs) if o in s_dot)
    if count is not None:
        count["node_visits"] = visits
    return grad


@dataclass
class GradcheckResult:
    """The worst disagreement between backpropagation and the other methods."""

    max_rel_error: float
    where: str
    backprop: np.ndarray = field(repr=False)
    numerical: np.ndarray = field(repr=False)
    forward_mode: np.ndarray = field(repr=False)
    forward_mode_error: float = 0.0
    seconds: dict = field(default_factory=dict)
    tolerance: float = 1e-6

    @property
    def ok(self):
        return self.max_rel_error <= self.tolerance and self.forward_mode_error <= self.tolerance

    def __str__(self):
        times = ", ".join(f"{k} {v * 1e3:.2f} ms" for k, v in self.seconds.items())
        return (f"{'ok' if self.ok else 'MISMATCH'}: worst relative error backprop vs numerical "
                f"{self.max_rel_error:.2e} at {self.where}; backprop vs forward mode "
                f"{self.forward_mode_error:.2e} ({times})")


def relative_error(a, b, floor=1e-4):
    """Elementwise |a − b| / max(|a|, |b|, floor · max|a|, 1e-300).

    Finite differences carry an absolute rounding error of about
    eps·|E|/h, so components far below the largest gradient are compared
    against ``floor`` times that largest gradient rather than their own size.
    """
    scale = max(float(np.abs(a).max(initial=0.0)) * floor, 1e-300)
    return np.abs(a - b) / np.maximum(np.maximum(np.abs(a), np.abs(b)), scale)


def gradcheck(net, X, Y, step=None, tolerance=1e-6, max_params=None, floor=1e-4, order=4):
    """Compare backprop with central differences and forward mode.

    Parameters
    ----------
    net : Network
    X : array of shape (n_samples, n_inputs)
    Y : array of shape (n_samples, n_outputs)
    step : float or None
        Relative finite-difference step h (see :func:`numerical_gradients`).
    order : {2, 4}
        Accuracy order of the central differences.
    tolerance : float
        Largest relative error accepted by ``result.ok``.
    max_params : int or None
        Check at most this many parameters (chosen at random, seeded).
    floor : float
        Relative errors are taken against max(|a|, |b|, floor · max|a|):
        a component far below the largest gradient is held to that scale,
        since finite differences cannot resolve it better.

    Returns
    -------
    GradcheckResult
        ``max_rel_error`` and ``where`` (the parameter's name), the three
        gradient vectors, and the time each method took.

    Examples
    --------
    >>> import dagnet, numpy as np
    >>> net = dagnet.load("topologies/chain_1_1_1.yaml", seed=0)
    >>> gradcheck(net, np.array([[0.5]]), np.array([[1.0]])).ok
    True
    """
    slots = _trainable_slots(net, max_params)
    seconds = {}
    t = time.perf_counter()
    _, grads = net.gradients(X, Y)
    seconds["backprop"] = time.perf_counter() - t
    t = time.perf_counter()
    numeric = numerical_gradients(net, X, Y, step=step, slots=slots, order=order)
    seconds["numerical"] = time.perf_counter() - t
    t = time.perf_counter()
    forward = forward_mode_gradients(net, X, Y, slots=slots)
    seconds["forward_mode"] = time.perf_counter() - t
    backprop = grads.vector
    if len(slots) == 0:
        return GradcheckResult(0.0, "no trainable parameters", backprop, numeric, forward,
                               seconds=seconds, tolerance=tolerance)
    err = relative_error(backprop[slots], numeric[slots], floor)
    worst = int(np.argmax(err))
    fm_err = float(relative_error(backprop[slots], forward[slots], floor).max())
    return GradcheckResult(float(err[worst]), net.plan.parameter_name(int(slots[worst])), backprop,
                           numeric, forward, forward_mode_error=fm_err, seconds=seconds,
                           tolerance=tolerance)
