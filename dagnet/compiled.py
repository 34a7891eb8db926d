"""The compiled engine: one generation at a time, vectorised over the batch.

The graph is compiled once (:class:`~dagnet.layout.Layout`); each step then
runs a handful of array operations per topological generation. Node values
live node-major, in arrays of shape (n_nodes, n_samples), so that a node's
values are one contiguous row and a range of nodes a contiguous block; the
engine hands them out transposed, as (n_samples, n_nodes) views. The
reference engine (:mod:`dagnet.reference`) is the specification; each step
below says which of its lines it reproduces.

Dense blocks are matrix products. Sparse blocks are CSR matrices over all
earlier nodes (scipy.sparse), so the forward sum reads ``Z[:start]`` in place
without gathering, and the backward sum *pulls*: when a generation is reached
in reverse order, the δ of every later node is final, and one CSR product over
``δ[stop:]`` gives Σ_{k→o} δ_o w_{k→o} for all its nodes at once.
"""
import numpy as np
import scipy.sparse as sp

from .activations import ACTIVATIONS, DERIVATIVES, SCALE_BY_DERIVATIVE, UFUNCS
from .layout import _as_index
from .losses import activation_groups, softmax


#: Sparse weight gradients gather (edges × samples) values; they go in chunks
#: of about this many elements (128 KB), which keeps them in cache (measured:
#: W3 24 -> 20 ms per step against one gather per generation) and memory flat.
CHUNK_ELEMENTS = 1 << 14


class CompiledEngine:
    """Forward and backward propagation over the blocks of a Layout."""

    def __init__(self, layout, G, loss):
        self.layout = layout
        self.loss = loss
        L = layout
        self.softmax = L.activation[L.outputs[0]] == "softmax"
        self.output_groups = activation_groups([L.activation[o] for o in L.outputs])
        c0, c1 = L.n_inputs, L.n_inputs + len(L.constants)
        # Column groups in backward order: each block, the constants, the inputs.
        spans = [(b.start, b.stop, b.activations, b) for b in reversed(L.blocks)]
        spans += [(c0, c1, L.const_activations, None), (0, c0, [], None)]
        out_col = {c: m for m, c in enumerate(L.output_columns.tolist())}
        pulls = self._pull_matrices(L, [(lo, hi) for lo, hi, _, _ in spans])
        self.out = _as_index(L.output_columns)
        self.backward_plan = []
        for (lo, hi, activations, block), pull in zip(spans, pulls):
            here = [(c, m) for c, m in out_col.items() if lo <= c < hi]
            outputs = (_as_index([c for c, _ in here]), _as_index([m for _, m in here])) if here else None
            from_inputs_only = block is not None and block.dense and (
                np.arange(L.n_nodes)[block.sources].max() < L.n_inputs)
            self.backward_plan.append((lo, hi, activations, block, pull, outputs, from_inputs_only))
        self._bound = None

    @staticmethod
    def _pull_matrices(L, spans):
        """Per column span (lo, hi): (CSR of the sparse edges leaving it, their slots), or None.

        Row r is node lo + r; column c is node hi + c; entry w_{lo+r → hi+c}.
        """
        edges = [(b.src, b.start + b.dst, b.offset + np.arange(len(b.src)))
                 for b in L.blocks if not b.dense]
        if not edges:
            return [None] * len(spans)
        src, dst, slot = (np.concatenate(parts) for parts in zip(*edges))
        pulls = []
        for lo, hi in spans:
            keep = (src >= lo) & (src < hi)
            if not keep.any():
                pulls.append(None)
                continue
            rows, cols, slots = src[keep] - lo, dst[keep] - hi, slot[keep]
            order = np.lexsort((cols, rows))
            rows, cols, slots = rows[order], cols[order], slots[order]
            indptr = np.searchsorted(rows, np.arange(hi - lo + 1))
            M = sp.csr_matrix((np.zeros(len(slots)), cols, indptr), shape=(hi - lo, L.n_nodes - hi))
            pulls.append((M, slots))
        return pulls

    def _bind(self, params):
        if self._bound is not params:
            L = self.layout
            L.bind(params)
            for b in L.blocks:
                if not b.dense:   # the CSR data is a view of the block's slots
                    b.matrix = sp.csr_matrix((b.weights, b.src, b.indptr), shape=(b.stop - b.start, b.start))
                    b.matrix.data = b.weights
            self._bound = params
            self._training = None

    def forward(self, params, X):
        """Return (S, Z), each of shape (n_samples, n_nodes), columns in layout order."""
        self._bind(params)
        step = Workspace(self, len(X))
        step.forward(X)
        return step.S.T, step.Z.T

    def backward(self, params, S, Z, Y, input_deltas=True):
        """Return (E, ∂E/∂params of shape (n_params,), δ of shape (n_samples, n_nodes)).

        With ``input_deltas=False`` the input columns of δ are not computed
        (training has no use for ∂E/∂x).
        """
        self._bind(params)
        step = Workspace(self, len(S), np.ascontiguousarray(S.T), np.ascontiguousarray(Z.T))
        E = step.backward(Y, input_deltas)
        return E, step.grad, step.D.T

    def train_gradient(self, params, X, Y):
        """(E, ∂E/∂params) for one training step, in buffers reused from step to step.

        The returned gradient is overwritten by the next call.
        """
        self._bind(params)
        step = self._training
        if step is None or step.n != len(X):
            step = self._training = Workspace(self, len(X))
        step.forward(X, keep_inputs=False)
        return step.backward(Y, input_deltas=False), step.grad


class Workspace:
    """Node-major buffers S, Z, D and a gradient for one batch size, with every view a step uses.

    Building the views once (per batch size and parameter vector) takes the
    slicing out of the per-generation loops, which is what bounds deep, narrow
    networks and single-example updates.
    """

    def __init__(self, engine, n, S=None, Z=None):
        L = engine.layout
        self.engine, self.n = engine, n
        N = L.n_nodes
        self.S = S = np.empty((N, n)) if S is None else S
        self.Z = Z = np.empty((N, n)) if Z is None else Z
        self.D = D = np.empty((N, n))
        self.grad = grad = np.empty(L.n_params)
        grad[L.n_weight_slots:L.n_weight_slots + L.n_inputs] = 0.0   # the inputs' bias slots
        bias = L.bias[:, None]
        c0, c1 = L.n_inputs, L.n_inputs + len(L.constants)
        self.inputs = (S[:c0], Z[:c0])
        self.constants = (S[c0:c1], bias[c0:c1], _activation_views(L.const_activations, S, Z))
        self.blocks = []
        for b in L.blocks:
            # dense: s = Wᵀ z[sources] (a view when the sources are a run, else gathered per step);
            # sparse: s = CSR @ z[:start]
            if b.dense:
                weights, z_src = b.weights.T, _view_or_index(Z, b.sources)
            else:
                weights, z_src = b.matrix, (Z[:b.start], None)
            self.blocks.append((S[b.start:b.stop], bias[b.start:b.stop],
                                _activation_views(b.activations, S, Z), weights, z_src))
        out = engine.out
        self.outputs = (S[out].T, Z[out].T) if isinstance(out, slice) else None
        self.plan = []
        for lo, hi, activations, b, pull, outputs, from_inputs_only in engine.backward_plan:
            derivs = [(name, D[cols], S[cols], Z[cols]) if isinstance(cols, slice) else (name, cols)
                      for name, cols in activations]
            if outputs is not None:
                outputs = (_view_or_index(D, outputs[0]), outputs[1])
            weights = None
            if b is not None:
                w = grad[b.offset:b.offset + b.n_slots]
                if b.dense:
                    weights = (w.reshape(b.shape), b.weights, _view_or_index(Z, b.sources),
                               _view_or_index(D, b.sources), from_inputs_only)
                else:   # chunks of edges, so the gathered temporaries stay near 8 MB
                    size = max(1, CHUNK_ELEMENTS // max(n, 1))
                    weights = (w, None, [(b.src[k:k + size], b.dst[k:k + size], w[k:k + size])
                                         for k in range(0, len(b.src), size)], None, False)
            self.plan.append((lo, D[lo:hi], derivs, pull and (*pull, D[hi:]), outputs, weights))

    def forward(self, X, keep_inputs=True):
        """Fill ``S`` and ``Z``; ``keep_inputs=False`` leaves the inputs' s (unused in training) unset."""
        S, Z = self.S, self.Z
        s_in, z_in = self.inputs
        if keep_inputs:
            s_in[...] = X.T
        z_in[...] = X.T
        s_const, b_const, activations = self.constants
        if len(s_const):
            s_const[...] = b_const
            _activate(activations, S, Z)
        for s, bias, activations, weights, (z_view, z_index) in self.blocks:
            # s_j = b_j + Σ_{i→j} z_i · w_{i→j}, for every j of the generation at once
            z_src = Z[z_index] if z_view is None else z_view
            if isinstance(weights, np.ndarray):
                np.matmul(weights, z_src, out=s)
            else:
                s[...] = weights @ z_src
            s += bias
            # z_j = σ_j(s_j), one call per activation present in the generation
            _activate(activations, S, Z)
        if self.engine.softmax:  # one softmax over all output nodes
            out = self.engine.out
            Z[out] = softmax(S[out].T).T

    def backward(self, Y, input_deltas):
        """Fill ``D`` (δ per node) and ``grad``; return E."""
        engine = self.engine
        S, Z, D, grad = self.S, self.Z, self.D, self.grad
        if self.outputs is None:
            s_out, z_out = S[engine.out].T, Z[engine.out].T
        else:
            s_out, z_out = self.outputs
        E, direct = engine.loss.value_and_delta(s_out, z_out, Y, engine.output_groups)
        direct = direct.T
        D.fill(0.0)               # ∂E/∂z_k summed from successors, then turned into δ_k
        for lo, delta, derivs, pull, outputs, weights in self.plan:
            if lo == 0 and not input_deltas:
                break
            if pull:               # Σ_{k→o} δ_o w_{k→o} over the sparse edges leaving k
                M, slots, later = pull
                np.take(engine._bound, slots, out=M.data)
                delta += M @ later
            if lo == 0:
                break              # the inputs, last: D holds ∂E/∂x
            # δ_k = σ'_k(s_k) · Σ_{k→o} δ_o w_{k→o}, plus the loss's own ∂E/∂s_k at outputs
            for name, *views in derivs:
                if len(views) == 1:
                    cols = views[0]
                    if name == "softmax":
                        D[cols] = 0.0
                    else:
                        D[cols] *= DERIVATIVES[name](S[cols], Z[cols])
                elif name == "softmax":
                    views[0][...] = 0.0      # softmax outputs have no successors
                elif name in SCALE_BY_DERIVATIVE:
                    SCALE_BY_DERIVATIVE[name](*views)
                else:
                    views[0][...] *= DERIVATIVES[name](views[1], views[2])
            if outputs is not None:
                (d_view, index), m = outputs
                if d_view is None:
                    D[index] += direct[m]
                else:
                    d_view += direct[m]
            if weights is None:
                continue
            w, W, z_src, d_src, from_inputs_only = weights
            if W is None:          # sparse: one dot product over the batch per edge
                for src, dst, w_chunk in z_src:
                    np.einsum("ij,ij->i", Z[src], delta[dst], out=w_chunk)
                continue
            (z_view, index), (d_view, _) = z_src, d_src
            np.matmul(Z[index] if z_view is None else z_view, delta.T, out=w)   # ∂E/∂w_{j→k} = Σ δ_k z_j
            if input_deltas or not from_inputs_only:                 # Σ_{k→o} δ_o w_{k→o}, pushed
                if d_view is None:
                    D[index] += W @ delta
                else:
                    d_view += W @ delta
        L = engine.layout
        biases = L.n_weight_slots + L.n_inputs                       # inputs have no bias
        np.add.reduce(D[L.n_inputs:], axis=1, out=grad[biases:])    # ∂E/∂b_k = Σ δ_k
        if L.mask_needed_in_training:
            grad *= L.mask  # fixed, padding and absent slots become 0
        return E


def _view_or_index(A, cols):
    """(A[cols], None) when ``cols`` is a slice (a view, built once), else (None, cols)."""
    return (A[cols], None) if isinstance(cols, slice) else (None, cols)


def _activation_views(activations, S, Z):
    """[(name, s view, z view)] for slices, [(name, index array)] otherwise."""
    return [(name, S[cols], Z[cols]) if isinstance(cols, slice) else (name, cols)
            for name, cols in activations]


def _activate(activations, S, Z):
    """z_j = σ_j(s_j) for each (name, views) of ``activations``; softmax is left to the caller."""
    for name, *views in activations:
        if name == "softmax":
            continue
        if len(views) == 1:
            Z[views[0]] = ACTIVATIONS[name](S[views[0]])
        elif name in UFUNCS:
            UFUNCS[name](views[0], out=views[1])
        else:
            views[1][...] = ACTIVATIONS[name](views[0])
