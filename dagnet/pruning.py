"""Pruning that really shrinks: rank the weights, remove the least salient, keep an ordinary smaller network.

Three saliencies (:data:`METHODS`), per weight w_{j→k}:

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

:func:`prune` removes the weights of lowest saliency (over the whole network,
``scope="global"``, or the same fraction of each perceptron's in-weights,
``scope="node"``) with :func:`dagnet.edits.remove_edges`, which also removes
every perceptron left with no path to an output; perceptrons left with no
path from an input compute a constant, which
:func:`dagnet.edits.fold_constants` folds into the biases they feed. The
Plan is recompiled, so the smaller network really computes less. Pruning
can be iterative (``rounds``), with retraining after each round and
lottery-ticket rewinding (Frankle & Carbin 2019) of the survivors to their
initial or early-training values.

Examples
--------
>>> import dagnet, numpy as np
>>> net = dagnet.load("topologies/tanh_softmax_2_500_2.yaml", seed=0)
>>> small = prune(net, amount=0.9)                # the 10 % largest |w| stay
>>> len(net.plan.edge_slot), len(small.plan.edge_slot) <= 200 < len(net.plan.nodes)
(2000, True)
"""
from dataclasses import dataclass
from typing import Callable

import numpy as np
import scipy.sparse as sp

from . import edits
from .reach import Cut
from .activations import ACTIVATIONS
from .errors import suggest
from .results import BySlot

SCOPES = ("global", "node")

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

    Per sample and node, with the seed's names (LeCun, Denker & Solla 1990,
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
    >>> h[net.plan.edge_slot["x", "y"]], h[net.plan.bias_slot["y"]]    # 2 Σ x², 2 n
    (np.float64(10.0), np.float64(4.0))
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


def _method(name):
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
    vector = _method(method).compute(net, X, Y)
    return BySlot(vector, net.plan.edge_slot)


# -- choosing and removing -------------------------------------------------------------

def _trainable_edges(plan):
    return [(e, s) for e, s in plan.edge_slot.items() if plan.mask[s]]


def _global_choice(net, candidates, values, k):
    """The lowest, one at a time, until k trainable weights are gone, counting those that go with perceptrons."""
    trainable = {e for e, _ in candidates}
    cut, chosen, gone = Cut(net.graph, net.outputs, fold=True), [], 0
    for i in np.lexsort(([s for _, s in candidates], values)):
        if gone >= k:
            break
        e = candidates[i][0]
        if e not in cut.removed:
            chosen.append(e)
            gone += sum(1 for r in cut.remove_edge(*e) if r in trainable)
    return chosen


def _node_choice(net, candidates, values, fraction, reserved):
    """Per perceptron, the lowest ``fraction`` of its trainable in-weights (the reserved ones stay)."""
    by_target = {}
    for (e, slot), v in zip(candidates, values):
        by_target.setdefault(e[1], []).append((e in reserved, v, slot, e))
    chosen = []
    for entries in by_target.values():
        entries.sort(key=lambda t: t[:3])
        count = min(int(round(fraction * len(entries))), len(entries) - 1)   # the most salient stays
        chosen += [e for kept, _, _, e in entries[:count] if not kept]
    return chosen


def _input_paths(net, vector):
    """Each input's most salient path to an output, followed greedily: the edges pruning keeps."""
    G, slot, outputs = net.graph, net.plan.edge_slot, set(net.outputs)
    kept = set()
    for node in net.inputs:
        while node not in outputs and G.out_degree(node):
            step = max(G.successors(node), key=lambda v: (vector[slot[node, v]], -slot[node, v]))
            kept.add((node, step))
            node = step
    return kept


def prune_once(net, count, method="magnitude", X=None, Y=None, scope="global", keep_inputs=True,
               optimizer=None):
    """Remove ``count`` trainable weights of lowest saliency from ``net`` in place, then tidy up.

    With ``keep_inputs`` each input keeps its most salient path to an output
    (followed greedily from the input), so the network still uses every
    input. Tidying up removes perceptrons with no path to an output (their
    edges count towards ``count`` under ``scope="global"``) and folds those
    with no path from an input into later biases; an input left with no
    path keeps a fixed zero weight to the first output. Returns the list of
    weights chosen, ``[(i, j)]``.
    """
    if scope not in SCOPES:
        raise ValueError(f"unknown scope {scope!r}{suggest(str(scope), SCOPES)}; known: {', '.join(SCOPES)}")
    if count <= 0 or not net.plan.edge_slot:
        return []
    vector = _method(method).compute(net, X, Y)
    reserved = _input_paths(net, vector) if keep_inputs else set()
    trainable = _trainable_edges(net.plan)
    candidates = [(e, s) for e, s in trainable if e not in reserved]
    if not candidates:
        return []
    if scope == "global":
        chosen = _global_choice(net, candidates, np.array([vector[s] for _, s in candidates]), count)
    else:
        chosen = _node_choice(net, trainable, np.array([vector[s] for _, s in trainable]),
                              count / len(trainable), reserved)
    edits.remove_edges(net, chosen, optimizer=optimizer, cut_inputs="reconnect")
    edits.fold_constants(net, optimizer=optimizer)
    return chosen


def rewind(net, source):
    """Set every weight and bias ``net`` shares with ``source`` to its value there, exactly; return how many.

    Lottery-ticket rewinding (Frankle & Carbin 2019): ``source`` is a copy
    of the network taken at initialisation (``net.copy()`` before ``fit``)
    or early in training. Parameters are matched by edge and node name.

    >>> import dagnet
    >>> net = dagnet.load("topologies/xor_2_2_1.yaml", seed=0)
    >>> initial = net.copy()
    >>> net.params = net.params + 1.0                     # as if trained
    >>> small = prune(net, amount=2)
    >>> rewind(small, initial), small.weight("h.0", "y") == initial.weight("h.0", "y")
    (7, True)
    """
    pairs = [(s, source.plan.edge_slot[e]) for e, s in net.plan.edge_slot.items()
             if e in source.plan.edge_slot]
    pairs += [(s, source.plan.bias_slot[n]) for n, s in net.plan.bias_slot.items()
              if n in source.plan.bias_slot]
    if pairs:
        mine, theirs = np.array(pairs, dtype=np.intp).T
        net.params[mine] = source.params[theirs]
    return len(pairs)


def _amount(amount, total):
    if isinstance(amount, bool) or not isinstance(amount, (int, float, np.integer, np.floating)):
        raise ValueError(f"amount must be a fraction in [0, 1) or a whole number of weights, got {amount!r}")
    if isinstance(amount, (float, np.floating)):
        if not 0.0 <= amount < 1.0:
            raise ValueError(f"amount must be a fraction in [0, 1) of the weights to remove, got {amount}")
        return int(round(amount * total))
    if not 0 <= amount <= total:
        raise ValueError(f"amount {amount} is more weights than the {total} trainable ones")
    return int(amount)


def prune(net, amount=0.9, method="magnitude", X=None, Y=None, scope="global", rounds=1,
          retrain=None, rewind_to=None, keep_inputs=True, inplace=False, optimizer=None):
    """Remove the least salient weights (and what they alone fed); return the smaller network.

    Parameters
    ----------
    net : Network
    amount : float or int
        The fraction of the trainable weights to remove, in [0, 1) (as
        ``torch.nn.utils.prune`` has it: 0.9 keeps 10 %), or a number of weights.
    method : {"magnitude", "obd", "fisher"}
        See :data:`METHODS`; ``obd`` and ``fisher`` need ``X`` and ``Y``.
    X : array of shape (n_samples, n_inputs) or None
    Y : array of shape (n_samples, n_outputs), class labels, or None
    scope : {"global", "node"}
        Rank all weights together, or remove the same fraction of each
        perceptron's in-weights.
    rounds : int
        Prune in this many rounds, each removing the same fraction of the
        weights left, so that ``amount`` is reached after the last;
        saliencies are measured anew before each.
    retrain : dict or None
        Keyword arguments of :meth:`Network.fit` (``epochs``, ``lr``, ...);
        given, the network is trained on ``X``, ``Y`` after every round.
    rewind_to : Network or None
        Before each retraining, reset the surviving weights and biases to
        their values in this network (lottery-ticket rewinding, see :func:`rewind`).
    keep_inputs : bool
        Keep each input's most salient path to an output, so the smaller
        network still uses every input (False may cut an input off; it then
        keeps a fixed zero weight to the first output).
    inplace : bool
        Prune ``net`` itself; by default a copy is pruned and ``net`` stays.
    optimizer : Optimizer or None
        Carried across the edits (its state follows the surviving weights).

    Returns
    -------
    Network
        An ordinary network whose Plan has fewer edges (and perceptrons).

    Examples
    --------
    >>> import dagnet
    >>> from dagnet import datasets
    >>> X, Y = datasets.load("moons", n_samples=100, seed=0)
    >>> net = dagnet.load("topologies/mlp_one_hidden_ce.yaml", seed=0)      # 2 -> 8 -> 2, 32 weights
    >>> small = prune(net, amount=0.5, method="fisher", X=X, Y=Y, retrain={"epochs": 50, "lr": 0.1})
    >>> len(small.plan.edge_slot) <= 16 < len(net.plan.edge_slot)
    True
    """
    method_record = _method(method)
    if scope not in SCOPES:
        raise ValueError(f"unknown scope {scope!r}{suggest(str(scope), SCOPES)}; known: {', '.join(SCOPES)}")
    if isinstance(rounds, bool) or not isinstance(rounds, (int, np.integer)) or rounds < 1:
        raise ValueError(f"rounds must be a whole number >= 1, got {rounds!r}")
    if (method_record.needs_data or retrain) and (X is None or Y is None):
        raise ValueError(f"{'retraining' if retrain else method} needs the samples X and Y")
    net = net if inplace else net.copy()
    total = len(_trainable_edges(net.plan))
    goal = _amount(amount, total)
    fit_args = {"verbose": False, **(retrain or {})}
    for r in range(1, rounds + 1):
        target = goal if r == rounds else int(round(total * (1 - (1 - goal / total) ** (r / rounds))))
        removed = total - len(_trainable_edges(net.plan))
        prune_once(net, target - removed, method, X, Y, scope, keep_inputs, optimizer)
        if rewind_to is not None:
            rewind(net, rewind_to)
        if retrain:
            net.fit(X, Y, **fit_args)
    return net
