"""The connections a dynamic sparse network may grow: pairs in a fixed topological order.

When dynamic sparse training starts, every node gets a *rank*: its column
in the network's plan then (inputs first, then generation by generation).
Every edge then present goes from a lower rank to a higher one, and so does
every edge grown later, so the network stays acyclic whatever is grown,
with no cycle check. The candidates are split into *blocks*, each a range
of source ranks times a range of target ranks; drops and grows keep each
block's count of weights:

- ``"any"``: one block, every pair (i, j) with rank(i) < rank(j), j not an
  input and i not a softmax output: skip connections between any earlier
  and any later perceptron (and within a layer), counted together;
- ``"layers"``: one block per pair of generations (layers) that the
  network had an edge between when training started: the original layer
  pattern, as the SET and RigL papers grow, for a like-for-like comparison.

Examples
--------
>>> import dagnet
>>> net = dagnet.generate.generate("mlp", sizes=[3], inputs=2, outputs=1, seed=0)
>>> space = Candidates(net.plan, "layers")
>>> space.blocks, [space.size(b) for b in range(len(space.blocks))]          # x -> h1, h1 -> y
([(0, 2, 2, 5), (2, 5, 5, 6)], [6, 3])
>>> Candidates(net.plan, "any").size(0)                 # into h1.0, h1.1, h1.2, y: 2 + 3 + 4 + 5 sources
14
"""
import numpy as np

#: The candidate sets :class:`Candidates` knows.
MODES = ("any", "layers")


class Candidates:
    """The candidate connections of a network, by rank (its columns when this was built).

    Parameters
    ----------
    plan : Plan
        The network's plan when dynamic sparse training starts.
    mode : {"any", "layers"}

    Attributes
    ----------
    blocks : list of (s0, s1, t0, t1)
        Block b holds the pairs (s, t) with s0 <= s < s1, t0 <= t < t1 and s < t.
    generation : ndarray of shape (n_nodes,)
        Each rank's generation (layer) when the space was built.
    """

    def __init__(self, plan, mode="any"):
        if mode not in MODES:
            raise ValueError(f"candidates must be one of {', '.join(MODES)}, got {mode!r}")
        n = plan.n_nodes
        self.mode, self.n_nodes, self.n_inputs = mode, n, plan.n_inputs
        self.rank_of_position = np.empty(n, dtype=np.intp)
        self.rank_of_position[plan.position] = np.arange(n)
        self.position_of_rank = np.array(plan.position, dtype=np.intp)
        can_feed = np.ones(n, dtype=bool)
        if plan.softmax:
            can_feed[plan.output_columns] = False
        self.can_feed = can_feed
        self.valid_before = np.concatenate([[0], np.cumsum(can_feed)])
        generation = np.zeros(n, dtype=np.intp)
        for k, step in enumerate(plan.steps):
            generation[step.start:step.stop] = k + 1
        self.generation = generation
        if mode == "any":
            self.blocks = [(0, n, plan.n_inputs, n)]
            self.block_table = None
        else:
            starts = np.searchsorted(generation, np.arange(generation.max() + 2))
            pairs = np.unique(generation[plan.edges[:, :2]], axis=0)
            self.blocks = [(int(starts[a]), int(starts[a + 1]), int(starts[b]), int(starts[b + 1]))
                           for a, b in pairs.tolist()]
            table = np.full((len(starts) - 1,) * 2, -1, dtype=np.intp)
            table[pairs[:, 0], pairs[:, 1]] = np.arange(len(pairs))
            self.block_table = table

    # -- ranks and columns ------------------------------------------------------------

    def ranks(self, plan):
        """(source rank, target rank) of every edge of ``plan`` (a later plan of the same nodes), in slot order."""
        rank = self.rank_of_position[plan.position]
        return rank[plan.edges[:, 0]], rank[plan.edges[:, 1]]

    def columns(self, plan, pairs):
        """``pairs`` of ranks, shape (k, 2), as columns of ``plan``."""
        column = np.empty(self.n_nodes, dtype=np.intp)
        column[plan.position] = np.arange(self.n_nodes)
        return column[self.position_of_rank[np.asarray(pairs, dtype=np.intp)]]

    def block_of(self, s, t):
        """The block of each pair of ranks, -1 for a pair that is no candidate."""
        s, t = np.asarray(s, dtype=np.intp), np.asarray(t, dtype=np.intp)
        valid = (s < t) & (t >= self.n_inputs) & self.can_feed[s]
        if self.block_table is None:
            return np.where(valid, 0, -1)
        return np.where(valid, self.block_table[self.generation[s], self.generation[t]], -1)

    # -- counting and drawing ---------------------------------------------------------

    def _sources_below(self, block, t):
        """How many valid sources each target rank ``t`` has in ``block``."""
        s0, s1, _, _ = self.blocks[block]
        return np.maximum(self.valid_before[np.minimum(s1, t)] - self.valid_before[s0], 0)

    def size(self, block):
        """The number of candidate pairs in ``block``."""
        _, _, t0, t1 = self.blocks[block]
        return int(self._sources_below(block, np.arange(t0, t1)).sum())

    def sample(self, block, rng, m):
        """``m`` pairs of ranks drawn uniformly (with replacement) from ``block``: (s, t) arrays."""
        s0, _, t0, t1 = self.blocks[block]
        weights = self._sources_below(block, np.arange(t0, t1)).astype(float)
        t = t0 + rng.choice(t1 - t0, size=m, p=weights / weights.sum())
        u = (rng.random(m) * self._sources_below(block, t)).astype(np.intp)
        s = np.searchsorted(self.valid_before, self.valid_before[s0] + u, side="right") - 1
        return s, t

    def tiles(self, block, width=256):
        """The block as tiles (s0, s1, t0, t1) of at most ``width`` targets, rows cut at the diagonal."""
        s0, s1, t0, t1 = self.blocks[block]
        for lo in range(t0, t1, width):
            hi = min(lo + width, t1)
            top = min(s1, hi - 1)
            if top > s0:
                yield s0, top, lo, hi

    def void(self, tile, s0, s1, t0, t1):
        """Set -1, in ``tile`` (rows s0:s1, columns t0:t1), the pairs that are no candidates: s >= t, or
        s cannot feed; only the rows that reach the diagonal are compared."""
        if s1 > t0:
            tile[t0 - s0:][np.arange(t0, s1)[:, None] >= np.arange(t0, t1)[None, :]] = -1
        if not self.can_feed[s0:s1].all():
            tile[~self.can_feed[s0:s1]] = -1

    def possible_fan_in(self):
        """How many candidate sources each rank has (over all blocks): shape (n_nodes,)."""
        out = np.zeros(self.n_nodes, dtype=np.int64)
        for b, (_, _, t0, t1) in enumerate(self.blocks):
            out[t0:t1] += self._sources_below(b, np.arange(t0, t1))
        return out

    def pairs(self, block):
        """Every candidate pair of ``block``, as (s, t) arrays of ranks (for blocks that are nearly full)."""
        parts = []
        for s0, s1, t0, t1 in self.tiles(block, width=max(1, (1 << 20) // max(self.n_nodes, 1))):
            tile = np.zeros((s1 - s0, t1 - t0), dtype=np.int8)
            self.void(tile, s0, s1, t0, t1)
            rows, cols = np.nonzero(tile == 0)
            parts.append((s0 + rows, t0 + cols))
        if not parts:
            return np.empty(0, dtype=np.intp), np.empty(0, dtype=np.intp)
        return (np.concatenate([p[0] for p in parts]).astype(np.intp),
                np.concatenate([p[1] for p in parts]).astype(np.intp))
