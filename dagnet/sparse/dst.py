"""Dynamic sparse training: fit callbacks that drop weights and grow others while the network learns.

Every ``every`` updates, until ``end`` of the training steps, a fraction of
each block's weights (see :mod:`.candidates`) with the smallest |w| is
removed and as many absent candidates are grown, through
:func:`dagnet.edits.rewire` (one array-level recompile; the optimiser's
state follows the survivors, and grown weights and their state start at
zero, as RigL starts them). The number of weights stays what it was when
training started, block by block, and the network stays acyclic. A node's
largest out-weight and largest in-weight are never dropped, so every
perceptron keeps a path to an output and stays fed (its column does not move).

- :class:`SET` (Mocanu et al. 2018): regrow at random;
- :class:`RigL` (Evci et al. 2020): regrow where |∂E/∂w| of the absent
  connections is largest, on the update's batch, with the drop fraction
  decayed along a cosine.

With ``candidates="any"`` (the default) regrowth may add a skip connection
from any earlier to any later perceptron; ``"layers"`` keeps the original
layer pattern. Each update is logged (:attr:`DynamicSparse.log`), for
:mod:`.report`.

Examples
--------
>>> import dagnet, numpy as np
>>> from dagnet import datasets
>>> X, Y = datasets.load("blobs", n_samples=200, seed=0)
>>> net = dagnet.generate.generate("mlp", sizes=[32, 32], outputs=3, density=0.3, seed=0)
>>> rigl = RigL(every=10, drop_fraction=0.3, seed=0)
>>> _ = net.fit(X, Y, epochs=5, batch_size=20, optimizer="adam", lr=0.01, callback=rigl, verbose=False)
>>> len(rigl.log), len(net.plan.edge_slot) == rigl.target
(3, True)
"""
import math
import time

import numpy as np

from ..callbacks import Callback
from ..rewiring import rewire
from .candidates import MODES, Candidates
from .gradients import activations_and_deltas, top_gradients

DECAYS = ("cosine", "constant")


class DynamicSparse(Callback):
    """Drop the smallest weights and grow as many, every ``every`` updates (see the module docstring).

    Parameters
    ----------
    drop_fraction : float in (0, 1)
        Of each block's weights, at the first update.
    every : int
        Updates between topology updates (ΔT).
    end : float in (0, 1]
        No topology update after this fraction of the fit's updates.
    decay : {"cosine", "constant"}
        How the drop fraction falls towards ``end``.
    candidates : {"any", "layers"}
        See :mod:`dagnet.sparse.candidates`.
    seed : int or None
        Seeds random regrowth.

    Attributes
    ----------
    log : list of dict
        One entry per topology update: ``step``, ``fraction``, ``dropped``,
        ``grown`` ((k, 2) ranks), ``fan_in`` (in-degree per rank after it), ``seconds`` (wall
        time of the update) and ``cpu_seconds`` (its CPU time, all threads).
    space : Candidates
    target : int
        The number of weights kept (all edges when training started).
    """

    def __init__(self, drop_fraction=0.3, every=100, end=0.75, decay="cosine", candidates="any", seed=0):
        if isinstance(drop_fraction, bool) or not isinstance(drop_fraction, (int, float)) \
                or not 0 < drop_fraction < 1:
            raise ValueError(f"drop_fraction must be a number between 0 and 1, got {drop_fraction!r}")
        if isinstance(every, bool) or not isinstance(every, (int, np.integer)) or every < 1:
            raise ValueError(f"every must be a whole number of updates >= 1, got {every!r}")
        if isinstance(end, bool) or not isinstance(end, (int, float)) or not 0 < end <= 1:
            raise ValueError(f"end must be a fraction of the training in (0, 1], got {end!r}")
        if decay not in DECAYS:
            raise ValueError(f"decay must be one of {', '.join(DECAYS)}, got {decay!r}")
        if candidates not in MODES:
            raise ValueError(f"candidates must be one of {', '.join(MODES)}, got {candidates!r}")
        self.drop_fraction, self.every, self.end = float(drop_fraction), int(every), float(end)
        self.decay, self.candidates, self.seed = decay, candidates, seed
        self.log, self.space, self.target, self.last_step = [], None, None, None

    def on_fit_begin(self, net, optimizer, steps_per_epoch, epochs):
        if self.space is None:          # a second fit goes on with the same ranks and log
            self.space = Candidates(net.plan, self.candidates)
            self.target = len(net.plan.edges)
            self.rng = np.random.default_rng(self.seed)
            self.initial_fan_in = self.fan_in(net)
            self.step_offset = 0
        else:
            self.step_offset = self.last_step or 0
        self.last_step = self.step_offset + steps_per_epoch * epochs
        self.end_step = self.step_offset + self.end * steps_per_epoch * epochs

    def fraction(self, step):
        """The drop fraction at update ``step`` of the fit: 0 from ``end`` on."""
        if step >= self.end_step:
            return 0.0
        if self.decay == "constant":
            return self.drop_fraction
        return self.drop_fraction / 2 * (1 + math.cos(math.pi * (step - self.step_offset)
                                                     / (self.end_step - self.step_offset)))

    def fan_in(self, net):
        """In-degree of every node, by rank: shape (n_nodes,)."""
        _, t = self.space.ranks(net.plan)
        return np.bincount(t, minlength=self.space.n_nodes)

    def on_step(self, net, optimizer, step, X, Y):
        step += self.step_offset        # counted over every fit this callback took part in
        fraction = self.fraction(step)
        if fraction <= 0:
            return
        started, cpu = time.perf_counter(), time.process_time()
        dropped, grown = self.update(net, optimizer, fraction, X, Y)
        self.log.append({"step": step, "fraction": fraction, "dropped": dropped, "grown": grown,
                         "fan_in": self.fan_in(net), "seconds": time.perf_counter() - started,
                         "cpu_seconds": time.process_time() - cpu})

    def update(self, net, optimizer, fraction, X, Y):
        """One topology update; returns (dropped pairs, grown pairs), each (k, 2) ranks."""
        space, plan = self.space, net.plan
        s, t = space.ranks(plan)
        magnitude = np.abs(net.params[plan.edges[:, 2]])
        droppable = plan.mask[plan.edges[:, 2]] == 1.0
        for ends in (s, t):           # each node's largest out- and in-weight stay: no node is cut off
            largest = np.zeros(space.n_nodes)
            np.maximum.at(largest, ends, magnitude)
            droppable &= magnitude < largest[ends]
        block = space.block_of(s, t)
        quota = np.zeros(len(space.blocks), dtype=np.intp)
        drop = []
        for b in range(len(space.blocks)):          # per block, the smallest |w| go
            members = np.flatnonzero(block == b)
            free = members[droppable[members]]
            quota[b] = min(int(fraction * len(members)), len(free))
            if quota[b]:
                drop.append(free[np.argpartition(magnitude[free], quota[b] - 1)[:quota[b]]])
        if not drop:                  # the fraction has decayed below one weight a block
            return np.empty((0, 2), dtype=np.intp), np.empty((0, 2), dtype=np.intp)
        drop = np.concatenate(drop)
        keep = np.ones(len(s), dtype=bool)
        keep[drop] = False
        by_target = np.argsort(t[keep].astype(np.int64) * space.n_nodes + s[keep])
        present = (s[keep][by_target], t[keep][by_target])
        context = self.grow_context(net, X, Y)
        grown = [self.grow(b, int(quota[b]), present, context) for b in range(len(space.blocks))
                 if quota[b] > 0]
        grown = np.concatenate(grown) if grown else np.empty((0, 2), dtype=np.intp)
        dropped = np.column_stack([s[drop], t[drop]])
        rewire(net, remove=plan.edges[drop, :2], add=space.columns(plan, grown), optimizer=optimizer,
               columns=True)
        return dropped, grown

    def grow_context(self, net, X, Y):
        """What :meth:`grow` needs from the current batch (nothing, unless overridden)."""
        return None

    def grow(self, block, k, present, context):
        """``k`` absent candidates of ``block`` to grow, as (k, 2) ranks."""
        raise NotImplementedError


class SET(DynamicSparse):
    """Sparse Evolutionary Training (Mocanu et al. 2018): drop the smallest |w|, regrow at random.

    The drop fraction is constant (ζ = 0.3) unless ``decay`` says otherwise.
    """

    def __init__(self, drop_fraction=0.3, every=100, end=1.0, decay="constant", candidates="any", seed=0):
        super().__init__(drop_fraction, every, end, decay, candidates, seed)

    #: Draw among the absent pairs listed when fewer than this share of the block is absent.
    LIST_BELOW = 0.5

    def grow(self, block, k, present, context):
        space, n = self.space, self.space.n_nodes
        taken = np.sort(present[0].astype(np.int64) * n + present[1])
        size = space.size(block)
        s_block, t_block = space.blocks[block][0], space.blocks[block][2]
        inside = np.count_nonzero((present[1] >= t_block) & (present[1] < space.blocks[block][3])
                                  & (present[0] >= s_block) & (present[0] < space.blocks[block][1]))
        if size - inside < self.LIST_BELOW * size:     # a nearly full block: rejection would crawl
            s, t = space.pairs(block)
            keys = s.astype(np.int64) * n + t
            at = np.minimum(np.searchsorted(taken, keys), max(len(taken) - 1, 0))
            absent = keys[taken[at] != keys] if len(taken) else keys
            chosen = self.rng.choice(absent, size=k, replace=False)
            return np.column_stack(np.divmod(chosen, n)).astype(np.intp)
        chosen = np.empty(0, dtype=np.int64)
        while len(chosen) < k:     # draw, drop what is present or drawn twice, draw again for the rest
            s, t = space.sample(block, self.rng, 2 * (k - len(chosen)) + 16)
            keys = s.astype(np.int64) * n + t
            at = np.minimum(np.searchsorted(taken, keys), max(len(taken) - 1, 0))
            fresh = keys[taken[at] != keys] if len(taken) else keys
            _, first = np.unique(fresh, return_index=True)
            fresh = fresh[np.sort(first)]
            chosen = np.concatenate([chosen, fresh[~np.isin(fresh, chosen)]])[:k]
        return np.column_stack(np.divmod(chosen, n)).astype(np.intp)


class RigL(DynamicSparse):
    """Rigging the Lottery (Evci et al. 2020): drop the smallest |w|, grow the largest |∂E/∂w| of absent ones.

    The gradient is taken on the batch of the update step (see
    :mod:`.gradients`; ranked in ``precision``, float32 by default: the
    products take half the time), the drop fraction decays along a cosine
    (α = 0.3) and updates stop at 75 % of training, as in the paper.
    """

    def __init__(self, drop_fraction=0.3, every=100, end=0.75, decay="cosine", candidates="any", seed=0,
                 precision="float32"):
        super().__init__(drop_fraction, every, end, decay, candidates, seed)
        if precision not in ("float32", "float64"):
            raise ValueError(f"precision must be 'float32' or 'float64', got {precision!r}")
        self.precision = precision

    def grow_context(self, net, X, Y):
        Z, D = activations_and_deltas(net, X, Y)
        column = np.empty(self.space.n_nodes, dtype=np.intp)
        column[net.plan.position] = np.arange(self.space.n_nodes)
        of_rank = column[self.space.position_of_rank]
        return Z[of_rank].astype(self.precision), D[of_rank].astype(self.precision)

    def grow(self, block, k, present, context):
        Z, D = context
        s, t, _ = top_gradients(self.space, block, Z, D, k, present)
        return np.column_stack([s, t]).astype(np.intp)
