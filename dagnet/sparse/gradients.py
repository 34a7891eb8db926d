"""The gradient of connections that are not there, as RigL ranks them for growing.

For a weight w_{i→j} that is absent (so 0), ∂E/∂w_{i→j} = Σ_samples z_i δ_j:
the engine's activations Z and deltas δ of one batch give it for any pair,
present or not. For a whole block of candidates it is the matrix product
Z[sources]ᵀ·D[targets], computed tile by tile (at most ``width`` targets
at once) while a running top-k keeps the largest magnitudes, so the
million candidates of a wide network are never all held at once.

Examples
--------
>>> import dagnet, numpy as np
>>> net = dagnet.load("topologies/xor_2_2_1.yaml", seed=0)
>>> Z, D = activations_and_deltas(net, [[0, 1], [1, 1]], [[1], [0]])
>>> g = connection_gradients(Z, D, [[net.plan.column["a"], net.plan.column["y"]]])   # a -> y is absent
>>> g.shape
(1,)
"""
import numpy as np

from ..samples import as_inputs


def activations_and_deltas(net, X, Y):
    """Z and D (δ = ∂E/∂s) of the batch (X, Y), node-major: arrays of shape (n_nodes, n_samples), plan columns.

    The deltas of the input columns are left unset (no weight enters an input).
    """
    X = as_inputs(X, net.inputs)
    S, Z = net.runner.forward(net.params, X)
    _, _, D = net.runner.backward(net.params, S, Z, net.targets(Y), input_deltas=False)
    return Z.T, D.T


def connection_gradients(Z, D, pairs):
    """∂E/∂w for each (source, target) pair of rows of ``Z``, ``D`` (shape (k, 2)): shape (k,)."""
    pairs = np.asarray(pairs, dtype=np.intp).reshape(-1, 2)
    return np.einsum("ij,ij->i", Z[pairs[:, 0]], D[pairs[:, 1]])


def top_gradients(space, block, Z, D, k, present, cells=1 << 20):
    """The ``k`` absent candidates of ``block`` with the largest |∂E/∂w|: (sources, targets, |gradients|).

    Parameters
    ----------
    space : Candidates
    block : int
    Z, D : ndarray of shape (n_nodes, n_samples)
        Activations and deltas in *rank* order (rows), see
        :func:`activations_and_deltas`; float32 halves the time of the
        products (the ranking needs no more).
    k : int
    present : (sources, targets)
        Ranks of the edges present, sorted by target: they are no candidates.
    cells : int
        About this many products per tile (one matrix product each, at least 256 targets wide).

    Returns
    -------
    s, t : ndarray of shape (k,), ranks
    magnitude : ndarray of shape (k,)
        Largest first; equal magnitudes in (target, source) order, whatever the tiles.
    """
    present_s, present_t = present
    best_g, best_s, best_t = np.empty(0, dtype=Z.dtype), np.empty(0, dtype=np.intp), np.empty(0, dtype=np.intp)
    if k <= 0:
        return best_s, best_t, best_g
    s0, s1, _, _ = space.blocks[block]
    floor = -0.5                     # candidates at or below this cannot enter the top k
    for s0, s1, t0, t1 in space.tiles(block, max(256, cells // max(s1 - s0, 1))):
        g = Z[s0:s1] @ D[t0:t1].T
        np.abs(g, out=g)
        space.void(g, s0, s1, t0, t1)
        a, b = np.searchsorted(present_t, [t0, t1])
        here = (present_s[a:b] >= s0) & (present_s[a:b] < s1)
        g[present_s[a:b][here] - s0, present_t[a:b][here] - t0] = -1.0
        pick = _largest(g.ravel(), k, floor if len(best_g) >= k else -0.5, t1 - t0)
        rows, cols = np.divmod(pick, t1 - t0)
        best_g = np.concatenate([best_g, g.ravel()[pick]])
        best_s = np.concatenate([best_s, s0 + rows])
        best_t = np.concatenate([best_t, t0 + cols])
        if len(best_g) > k:
            order = np.lexsort((best_s, best_t, -best_g))[:k]
            best_g, best_s, best_t = best_g[order], best_s[order], best_t[order]
        if len(best_g) >= k:
            floor = best_g.min()
    order = np.lexsort((best_s, best_t, -best_g))
    return best_s[order], best_t[order], best_g[order]


def _largest(flat, k, floor, width):
    """Indices of the ``k`` largest of ``flat`` above ``floor`` (ties in (column, row) order of a
    ``width``-wide tile), in no order: a threshold guessed from a sample, so that only a few
    times ``k`` values are selected among, checked, and the whole tile taken when it guessed wrong."""
    if floor < 0 and len(flat) > 64 * k:          # (once the top k is full, its floor is the threshold)
        sample = flat[::len(flat) // (32 * k)]
        rank = len(sample) - int(np.ceil(2 * k * len(sample) / len(flat)))   # ~2k of the tile above it
        guess = np.partition(sample, rank)[rank]
        pick = np.flatnonzero(flat > max(guess, floor))
        if len(pick) < k:
            pick = np.flatnonzero(flat > floor)
    else:
        pick = np.flatnonzero(flat > floor)
    if len(pick) <= k:
        return pick
    values = flat[pick]
    kth = np.partition(values, len(values) - k)[len(values) - k]
    above, tied = pick[values > kth], pick[values == kth]
    rows, cols = np.divmod(tied, width)
    return np.concatenate([above, tied[np.lexsort((rows, cols))[:k - len(above)]]])
