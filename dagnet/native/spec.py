"""A Plan flattened for the native kernel: edge lists in both directions, codes, tile sizes.

The kernel (``kernel.c``) walks node j's in-edges to compute s_j and, in
reverse, node k's out-edges to pull δ and take the weight gradients; both
lists are built here once per plan, as int64 arrays, in column order. The
Plan itself is never changed.

Examples
--------
>>> import networkx as nx
>>> from dagnet.graph import build
>>> from dagnet.losses import LOSSES
>>> from dagnet.plan import Plan
>>> plan = Plan(build(nx.DiGraph([("x", "h"), ("h", "y"), ("x", "y")]), seed=0))
>>> spec = Spec(plan, LOSSES["mse"])
>>> spec.in_ptr.tolist(), spec.in_src.tolist(), spec.out_ptr.tolist(), spec.out_dst.tolist()
([0, 0, 1, 3], [0, 0, 1], [0, 2, 3, 3], [1, 2, 2])
>>> unsupported(plan, LOSSES["mse"]) is None
True
"""
import numpy as np

from ..wiring import stable_order

#: activation name -> the kernel's code (activations.h); inputs (None) are -1.
ACTIVATION_CODES = {None: -1, "linear": 0, "sigmoid": 1, "tanh": 2, "relu": 3, "leaky_relu": 4, "elu": 5,
                    "softplus": 6, "swish": 7, "softsign": 8, "gaussian": 9, "sin": 10, "softmax": 11}

#: loss name -> the kernel's code (kernel.c).
LOSS_CODES = {"sse": 0, "mse": 1, "cross_entropy": 2, "binary_cross_entropy": 3}

#: Samples per tile the kernel is compiled for.
TILE_SIZES = (4, 8, 16, 32)

#: A tile's node values (one array of n_nodes × T) should fit in about this many bytes (half the
#: last-level cache of the machine it was tuned on), so that the rows an edge reads come from cache:
#: tiles shrink from 32 to 16 samples as networks grow past 65k nodes. Smaller tiles cost more
#: instructions per edge than the cache misses they save (measured on W5 at 100k and 1M edges).
TILE_BYTES = 16 << 20


def unsupported(plan, loss):
    """Why the kernel cannot run this network (a sentence), or None when it can."""
    if loss.name not in LOSS_CODES:
        return f"the native kernel has no loss {loss.name!r}"
    missing = sorted(set(plan.activation.values()) - set(ACTIVATION_CODES))
    if missing:
        return f"the native kernel has no activation {missing[0]!r}"
    return None


def tile_size(n_samples, n_nodes, itemsize=8):
    """Samples per tile: the largest size whose node values fit :data:`TILE_BYTES` (at least 8),
    but no more than the batch needs.

    >>> tile_size(256, 2036), tile_size(1, 9), tile_size(7, 9), tile_size(256, 100_036)
    (32, 4, 8, 16)
    """
    fits = [t for t in TILE_SIZES if n_nodes * t * itemsize <= TILE_BYTES]
    size = max(fits) if fits and max(fits) >= 8 else 8
    needed = next(t for t in TILE_SIZES if t >= min(n_samples, TILE_SIZES[-1]))
    return min(size, needed)


class Spec:
    """The arrays the kernel copies: in-edges by target, out-edges by source, per-node codes.

    Attributes
    ----------
    in_ptr, out_ptr : ndarray of shape (n_nodes + 1,), int64
        Node j's in-edges are ``in_ptr[j]:in_ptr[j+1]`` of ``in_src``/``in_slot``;
        its out-edges ``out_ptr[j]:out_ptr[j+1]`` of ``out_dst``/``out_slot``.
    in_src, in_slot, out_dst, out_slot : ndarray of shape (n_edges,), int64
        Columns and parameter slots of the edges.
    act : ndarray of shape (n_nodes,), int8
        Activation code per column, -1 for inputs.
    """

    def __init__(self, plan, loss):
        edges = plan.edges.astype(np.int64)
        src, dst, slot = edges[:, 0], edges[:, 1], edges[:, 2]
        n = plan.n_nodes
        # plan.edges come by step, each step's by target or by source: runs a stable sort merges quickly
        by_target = np.argsort(dst * n + src, kind="stable")
        by_source = by_target[stable_order(src[by_target])]     # by source, then target
        self.in_src, self.in_slot = src[by_target].copy(), slot[by_target].copy()
        self.in_ptr = np.searchsorted(dst[by_target], np.arange(n + 1)).astype(np.int64)
        self.out_dst, self.out_slot = dst[by_source].copy(), slot[by_source].copy()
        self.out_ptr = np.searchsorted(src[by_source], np.arange(n + 1)).astype(np.int64)
        codes = {name: ACTIVATION_CODES.get(name, -1) for name in set(plan.activation.values())}
        self.act = np.array(list(map(codes.__getitem__, map(plan.activation.__getitem__, plan.nodes))), dtype=np.int8)
        self.out_cols = plan.output_columns.astype(np.int64)
        self.loss = LOSS_CODES[loss.name]
        self.mask = np.ascontiguousarray(plan.mask) if plan.mask_needed else None
        self.n_edges = len(edges)

    def build(self, kernel, plan):
        """The kernel's own copy of these arrays (a capsule)."""
        return kernel.build(plan.n_nodes, plan.n_inputs, plan.n_params, plan.n_weight_slots,
                            self.n_edges, len(self.out_cols), self.loss, int(plan.softmax),
                            self.act, self.in_ptr, self.in_src, self.in_slot, self.out_ptr,
                            self.out_dst, self.out_slot, self.out_cols, self.mask)
