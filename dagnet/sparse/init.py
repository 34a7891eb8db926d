"""Sparse initialisation: which edges of a dense topology to keep, per perceptron's fan-in.

Each weight w_{i→j} of the dense topology is kept with a density chosen by
``distribution``:

- ``"erdos_renyi"`` (Mocanu et al. 2018, SET): ε·(1/fan_in(j) + 1/fan_out(i)),
  the per-weight form of ε(n_in + n_out)/(n_in·n_out): in a layered network
  fan_in and fan_out are the widths of the layers either side, so narrow
  layers stay denser; in any DAG they are the degrees dagnet's
  initialisers use too (see :mod:`dagnet.initializers`);
- ``"erk"`` (Evci et al. 2020, RigL): Erdős–Rényi-Kernel, which adds the
  kernel sizes of convolutions; a perceptron has none, so it equals ``erdos_renyi``;
- ``"uniform"``: the same density for every weight.

ε is solved so that the densities (each at most 1) add up to ``density``
times the number of edges. Each perceptron then keeps the rounded sum of
its in-weights' densities (at least one), drawn without replacement with
those densities as weights; every node that would feed nothing keeps one
out-edge more, so that it still reaches an output.

Examples
--------
>>> import numpy as np
>>> src = np.repeat(np.arange(4), 3); dst = np.tile([4, 5, 6], 4)       # 4 -> 3, all to all
>>> keep = keep_mask(src, dst, 7, density=0.5, seed=0)
>>> int(keep.sum()), sorted(set(src[keep].tolist()))                      # every source still feeds
(6, [0, 1, 2, 3])
"""
import numpy as np

#: The density distributions :func:`keep_mask` knows.
DISTRIBUTIONS = ("erdos_renyi", "erk", "uniform")


def check(density, distribution):
    """``density`` as a float in (0, 1] and ``distribution`` one of :data:`DISTRIBUTIONS`, or ValueError."""
    if isinstance(density, bool) or not isinstance(density, (int, float, np.integer, np.floating)) \
            or not 0 < density <= 1:
        raise ValueError(f"density must be a number in (0, 1] (the fraction of the weights kept), got {density!r}")
    if distribution not in DISTRIBUTIONS:
        from ..errors import suggest
        raise ValueError(f"unknown distribution {distribution!r}{suggest(str(distribution), DISTRIBUTIONS)}; "
                         f"known: {', '.join(DISTRIBUTIONS)}")
    return float(density), distribution


def densities(src, dst, n_nodes, density, distribution="erdos_renyi"):
    """The density of each edge, shape (n_edges,), each in (0, 1], adding up to about ``density · n_edges``."""
    density, distribution = check(density, distribution)
    n_edges = len(src)
    if distribution == "uniform" or n_edges == 0:
        return np.full(n_edges, density)
    fan_in = np.bincount(dst, minlength=n_nodes)[dst]
    fan_out = np.bincount(src, minlength=n_nodes)[src]
    shape = 1.0 / fan_in + 1.0 / fan_out
    goal = density * n_edges
    lo, hi = 0.0, 1.0 / shape.min()          # at hi every edge is kept
    for _ in range(60):                      # bisection on ε: Σ min(1, ε·shape) = goal
        mid = 0.5 * (lo + hi)
        lo, hi = (mid, hi) if np.minimum(1.0, mid * shape).sum() < goal else (lo, mid)
    return np.minimum(1.0, hi * shape)


def keep_mask(src, dst, n_nodes, density, distribution="erdos_renyi", seed=None, outputs=()):
    """Which of the dense edges to keep: bool array of shape (n_edges,).

    Parameters
    ----------
    src, dst : ndarray of shape (n_edges,), int
        The dense topology's edges as node indices (a DAG).
    n_nodes : int
    density : float in (0, 1]
    distribution : {"erdos_renyi", "erk", "uniform"}
    seed : int, Generator or None
    outputs : sequence of int
        Output node indices (they need feed nothing).
    """
    src, dst = np.asarray(src, dtype=np.intp), np.asarray(dst, dtype=np.intp)
    p = densities(src, dst, n_nodes, density, distribution)
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    # Efraimidis–Spirakis: the largest u^(1/p) per target are a weighted draw without replacement
    key = np.log(rng.random(len(src))) / p
    order = np.lexsort((-key, dst))
    by_target = dst[order]
    expected = np.bincount(dst, weights=p, minlength=n_nodes)
    steps = np.floor(np.cumsum(expected) + 0.5)             # rounding that keeps the total
    count = np.maximum(np.diff(np.concatenate([[0.0], steps])), 1.0)
    count = np.minimum(count, np.bincount(dst, minlength=n_nodes))
    first = np.searchsorted(by_target, np.arange(n_nodes))
    rank = np.arange(len(src)) - first[by_target]
    keep = np.zeros(len(src), dtype=bool)
    keep[order[rank < count[by_target]]] = True
    # a node that would feed nothing keeps its best-drawn out-edge
    feeds = np.bincount(src[keep], minlength=n_nodes) > 0
    feeds[np.asarray(outputs, dtype=np.intp)] = True
    starved = ~feeds[src]
    if starved.any():
        candidates = np.flatnonzero(starved)
        best = candidates[np.lexsort((-key[candidates], src[candidates]))]
        firsts = np.concatenate([[True], src[best][1:] != src[best][:-1]])
        keep[best[firsts]] = True
    return keep


def sparsify(topology, density, distribution="erdos_renyi", seed=None):
    """A sparse copy of ``topology``: a networkx graph gives a graph, a Network a Network.

    The edges kept are drawn by :func:`keep_mask`; a network's surviving
    weights and biases keep their values (and are not re-drawn: call
    ``net.initialize(...)`` for fan-ins of the sparse network). The
    topology itself is not changed.

    Examples
    --------
    >>> import dagnet
    >>> net = dagnet.generate.generate("mlp", sizes=[100, 100], inputs=10, outputs=3, seed=0)
    >>> small = sparsify(net, density=0.1, seed=0)
    >>> len(net.plan.edge_slot), len(small.plan.edge_slot)
    (11300, 1131)
    """
    from ..network import Network
    if isinstance(topology, Network):
        from ..rewiring import rewire
        net = topology.copy()
        edges = net.plan.edges
        keep = keep_mask(edges[:, 0], edges[:, 1], net.plan.n_nodes, density, distribution, seed,
                         net.plan.output_columns)
        rewire(net, remove=edges[~keep, :2], columns=True)
        return net
    G = topology
    names = list(G)
    position = {n: k for k, n in enumerate(names)}
    outputs = G.graph.get("outputs") or [n for n in G if G.out_degree(n) == 0]
    pairs = np.array([(position[u], position[v]) for u, v in G.edges], dtype=np.intp).reshape(-1, 2)
    keep = keep_mask(pairs[:, 0], pairs[:, 1], len(names), density, distribution, seed,
                     [position[o] for o in outputs])
    H = G.copy()
    H.remove_edges_from([(names[u], names[v]) for u, v in pairs[~keep].tolist()])
    return H
