"""A completed perceptron graph as arrays: what a :class:`~dagnet.plan.Plan` is compiled from.

A :class:`Wiring` holds the nodes in the graph's own order (their
*position*) and every edge as a pair of positions, so that a plan can be
compiled, and a structure changed edge by edge (:meth:`Wiring.with_edges`),
with array operations instead of a walk over a networkx graph. Its
topological generations come from :func:`generations`, Kahn's algorithm a
whole generation at a time.

Examples
--------
>>> import networkx as nx
>>> from dagnet.graph import build
>>> w = Wiring.of(build(nx.DiGraph([("x", "h"), ("h", "y"), ("x", "y")]), seed=0))
>>> w.names, w.src.tolist(), w.dst.tolist()
(('x', 'h', 'y'), [0, 0, 1], [1, 2, 2])
>>> generations(3, w.src, w.dst).tolist()
[0, 1, 2]
>>> w2 = w.with_edges(remove=[(0, 2)], add=[])
>>> w2.src.tolist(), w2.dst.tolist()
([0, 1], [1, 2])
"""
from dataclasses import dataclass, replace

import numpy as np


@dataclass(frozen=True)
class Wiring:
    """The nodes and edges of a completed graph, by position in the graph's node order.

    Attributes
    ----------
    names : tuple
        Node names in graph order (position k is ``names[k]``).
    inputs, outputs : tuple
        Node names, in input and output order.
    activation : tuple
        Canonical activation name per position (None for inputs).
    bias : ndarray of shape (n_nodes,), bool
        Whether the node has a bias.
    bias_trainable : ndarray of shape (n_nodes,), bool
    src, dst : ndarray of shape (n_edges,), intp
        Positions of each edge's source and target.
    trainable : ndarray of shape (n_edges,), bool
    input_at, output_at : ndarray, intp
        Positions of the inputs and outputs, in their order.
    group : tuple
        The ``group`` attribute per position (None for a node in no group);
        empty when not recorded.
    """

    names: tuple
    inputs: tuple
    outputs: tuple
    activation: tuple
    bias: np.ndarray
    bias_trainable: np.ndarray
    src: np.ndarray
    dst: np.ndarray
    trainable: np.ndarray
    input_at: np.ndarray
    output_at: np.ndarray
    group: tuple = ()

    @classmethod
    def of(cls, G):
        """The wiring of a completed graph ``G`` (see :func:`dagnet.graph.build`), edges in ``G.in_edges`` order."""
        names = tuple(G)
        position = {n: k for k, n in enumerate(names)}
        nodes = G.nodes
        bias = np.array([nodes[n].get("bias") is not None for n in names], dtype=bool)
        bias_trainable = np.array([bool(nodes[n].get("trainable", True)) for n in names], dtype=bool)
        edges = [(position[u], position[v], d.get("trainable", True) is not False)
                 for u, v, d in G.in_edges(data=True)]
        src, dst, trainable = (np.array(part) for part in zip(*edges)) if edges else ([], [], [])
        inputs, outputs = tuple(G.graph["inputs"]), tuple(G.graph["outputs"])
        return cls(names, inputs, outputs, tuple(nodes[n].get("activation") for n in names), bias,
                   bias_trainable, np.asarray(src, dtype=np.intp), np.asarray(dst, dtype=np.intp),
                   np.asarray(trainable, dtype=bool), np.array([position[i] for i in inputs], dtype=np.intp),
                   np.array([position[o] for o in outputs], dtype=np.intp),
                   tuple(nodes[n].get("group") for n in names))

    @property
    def n_nodes(self):
        return len(self.names)

    def keys(self, src=None, dst=None):
        """One int64 per edge, ``src · n_nodes + dst``, for matching edges as numbers."""
        src = self.src if src is None else np.asarray(src, dtype=np.int64)
        dst = self.dst if dst is None else np.asarray(dst, dtype=np.int64)
        return src.astype(np.int64) * self.n_nodes + dst

    def with_edges(self, remove, add, trainable=True):
        """A wiring with the edges ``remove`` taken out and ``add`` put in (pairs of positions).

        The nodes stay. Removed edges must be present, added ones absent
        (after the removals), and no edge may enter an input; the result
        is not checked for cycles (:func:`generations` finds them).

        Raises
        ------
        ValueError
            Naming the first offending edge.
        """
        remove = np.asarray(remove, dtype=np.intp).reshape(-1, 2)
        add = np.asarray(add, dtype=np.intp).reshape(-1, 2)
        n = self.n_nodes
        for what, pairs in (("removed", remove), ("added", add)):
            if len(pairs) and (pairs.min() < 0 or pairs.max() >= n):
                raise ValueError(f"an {what} edge names a node position outside 0..{n - 1}")
        keys = self.keys()
        gone = np.sort(self.keys(remove[:, 0], remove[:, 1]))
        twice = np.flatnonzero(gone[1:] == gone[:-1])
        if len(twice):
            raise ValueError(f"edge {self._name(divmod(int(gone[twice[0]]), n))} is removed twice")
        drop = _member(keys, gone)
        if drop.sum() != len(gone):
            missing = gone[~_member(gone, np.sort(keys))][0]     # (only to name it)
            raise ValueError(f"no edge {self._name(divmod(int(missing), n))} to remove")
        new = np.sort(self.keys(add[:, 0], add[:, 1]))
        twice = np.flatnonzero(new[1:] == new[:-1])
        if len(twice):
            raise ValueError(f"edge {self._name(divmod(int(new[twice[0]]), n))} is added twice")
        clash = _member(new, np.sort(keys[~drop]))
        if clash.any():
            raise ValueError(f"edge {self._name(divmod(int(new[clash][0]), n))} is already there")
        is_input = np.zeros(n, dtype=bool)
        is_input[self.input_at] = True
        into_input = is_input[add[:, 1]]
        if into_input.any():
            raise ValueError(f"edge {self._name(add[into_input][0])} goes into an input")
        keep = ~drop
        return replace(self, src=np.concatenate([self.src[keep], add[:, 0]]),
                       dst=np.concatenate([self.dst[keep], add[:, 1]]),
                       trainable=np.concatenate([self.trainable[keep],
                                                 np.full(len(add), bool(trainable))]))

    def _name(self, pair):
        return f"{self.names[pair[0]]!r} -> {self.names[pair[1]]!r}"


def _member(values, sorted_keys):
    """For each of ``values``, whether it is in the ascending array ``sorted_keys`` (no hashing)."""
    if not len(sorted_keys):
        return np.zeros(len(values), dtype=bool)
    at = np.minimum(np.searchsorted(sorted_keys, values), len(sorted_keys) - 1)
    return sorted_keys[at] == values


def stable_order(values):
    """``np.argsort(values, kind="stable")`` for whole numbers, in two 16-bit radix passes when all are in
    0 .. 2**32 - 1 (three times faster than a general sort of a million node indices).

    >>> stable_order(np.array([70000, 3, 70000, 0])).tolist()
    [3, 1, 0, 2]
    """
    values = np.asarray(values)
    if len(values) < 4096 or values.min() < 0 or values.max() >= 1 << 32:   # small: one sort costs less
        return np.argsort(values, kind="stable")
    low = np.argsort((values & 0xFFFF).astype(np.uint16), kind="stable")     # numpy's radix sort
    return low[np.argsort((values[low] >> 16).astype(np.uint16), kind="stable")]


#: Up to this many edges, graphs are walked in plain Python: fewer steps than numpy's calls cost.
SMALL = 64


def _small_generations(n, src, dst):
    """:func:`generations` of a small graph, one node at a time."""
    waiting, out = [0] * n, [[] for _ in range(n)]
    for s, d in zip(src, dst):
        waiting[d] += 1
        out[s].append(d)
    generation = [-1] * n
    frontier, level = [k for k in range(n) if not waiting[k]], 0
    while frontier:
        after = []
        for k in frontier:
            generation[k] = level
            for d in out[k]:
                waiting[d] -= 1
                if not waiting[d]:
                    after.append(d)
        frontier, level = after, level + 1
    if -1 in generation:
        raise ValueError("the edges make a cycle")
    return np.array(generation, dtype=np.intp)


def generations(n, src, dst):
    """The topological generation of each of ``n`` nodes: 0 without predecessors, else 1 + the latest one's.

    Kahn's algorithm, one whole generation per round of array operations
    (as ``networkx.topological_generations`` defines them).

    Parameters
    ----------
    n : int
    src, dst : ndarray of shape (n_edges,), int
        Edges as node indices.

    Returns
    -------
    ndarray of shape (n,), intp

    Raises
    ------
    ValueError
        When the edges make a cycle.
    """
    src, dst = np.asarray(src, dtype=np.intp), np.asarray(dst, dtype=np.intp)
    if len(src) <= SMALL:
        return _small_generations(n, src.tolist(), dst.tolist())
    waiting = np.bincount(dst, minlength=n)
    out_dst = dst[stable_order(src)]
    out_ptr = np.concatenate([[0], np.cumsum(np.bincount(src, minlength=n))])
    generation = np.full(n, -1, dtype=np.intp)
    frontier = np.flatnonzero(waiting == 0)
    level = 0
    while len(frontier):
        generation[frontier] = level
        starts, counts = out_ptr[frontier], out_ptr[frontier + 1] - out_ptr[frontier]
        total = int(counts.sum())
        if not total:
            break
        # the out-edges of the whole frontier, gathered as one index array
        index = np.repeat(starts - np.cumsum(counts) + counts, counts) + np.arange(total)
        arriving = np.bincount(out_dst[index], minlength=n)
        waiting -= arriving
        frontier = np.flatnonzero((waiting == 0) & (arriving > 0))
        level += 1
    if (generation < 0).any():
        raise ValueError("the edges make a cycle")
    return generation


def _small_reaches(n, src, dst, targets):
    """:func:`reaches` of a small graph, one node at a time."""
    into = [[] for _ in range(n)]
    for s, d in zip(src, dst):
        into[d].append(s)
    reached = [False] * n
    stack = [int(t) for t in targets]
    for t in stack:
        reached[t] = True
    while stack:
        for s in into[stack.pop()]:
            if not reached[s]:
                reached[s] = True
                stack.append(s)
    return np.array(reached, dtype=bool)


def reaches(n, src, dst, targets):
    """Whether each of ``n`` nodes reaches any of ``targets`` (node indices): one backward search from all at once."""
    if len(src) <= SMALL:
        return _small_reaches(n, src.tolist(), dst.tolist(), targets)
    sources = src[np.argsort(dst, kind="stable")]
    ptr = np.concatenate([[0], np.cumsum(np.bincount(dst, minlength=n))])
    reached = np.zeros(n, dtype=bool)
    last = np.zeros(n, dtype=np.intp)               # scratch: which occurrence of a node is kept
    frontier = np.unique(np.asarray(targets, dtype=np.intp))
    reached[frontier] = True
    while len(frontier):
        starts, counts = ptr[frontier], ptr[frontier + 1] - ptr[frontier]
        index = np.repeat(starts - np.cumsum(counts) + counts, counts) + np.arange(int(counts.sum()))
        found = sources[index]
        found = found[~reached[found]]
        last[found] = np.arange(len(found))         # one occurrence of each node stays, without a sort
        frontier = found[last[found] == np.arange(len(found))]
        reached[frontier] = True
    return reached
