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

    def forward(self, params, X):
        """Return (S, Z), each of shape (n_samples, n_nodes), columns in layout order."""
        self._bind(params)
        L = self.layout
        n = len(X)
        S = np.empty((L.n_nodes, n))
        Z = np.empty((L.n_nodes, n))
        S[:L.n_inputs] = X.T
        Z[:L.n_inputs] = X.T
        bias = L.bias[:, None]
        c0, c1 = L.n_inputs, L.n_inputs + len(L.constants)
        S[c0:c1] = bias[c0:c1]
        for name, cols in L.const_activations:
            Z[cols] = ACTIVATIONS[name](S[cols])
        for b in L.blocks:
            # s_j = b_j + Σ_{i→j} z_i · w_{i→j}, for every j of the generation at once
            s = S[b.start:b.stop]
            if b.dense:
                np.matmul(b.weights.T, Z[b.sources], out=s)
            else:
                s[...] = b.matrix @ Z[:b.start]
            s += bias[b.start:b.stop]
            # z_j = σ_j(s_j), one call per activation present in the generation
            for name, cols in b.activations:
                if name in UFUNCS and isinstance(cols, slice):
                    UFUNCS[name](S[cols], out=Z[cols])
                elif name != "softmax":
                    Z[cols] = ACTIVATIONS[name](S[cols])
        if self.softmax:  # one softmax over all output nodes
            out = L.output_columns
            Z[out] = softmax(S[out].T).T
        return S.T, Z.T

    def backward(self, params, S, Z, Y, input_deltas=True):
        """Return (E, ∂E/∂params of shape (n_params,), δ of shape (n_samples, n_nodes)).

        With ``input_deltas=False`` (training), the input columns of δ are left
        at zero instead of holding ∂E/∂x.
        """
        self._bind(params)
        L = self.layout
        S, Z = np.ascontiguousarray(S.T), np.ascontiguousarray(Z.T)
        s_out, z_out = S[self.out].T, Z[self.out].T
        E = self.loss.value(s_out, z_out, Y)
        direct = self.loss.delta(s_out, z_out, Y, self.output_groups).T
        D = np.zeros(S.shape)    # ∂E/∂z_k summed from successors, then turned into δ_k
        grad = np.zeros(L.n_params)
        for lo, hi, activations, b, pull, outputs, from_inputs_only in self.backward_plan:
            if lo == 0 and not input_deltas:
                break
            if pull is not None:   # Σ_{k→o} δ_o w_{k→o} over the sparse edges leaving k
                M, slots = pull
                np.take(params, slots, out=M.data)
                D[lo:hi] += M @ D[hi:]
            if lo == 0:
                break             # the inputs, last: D holds ∂E/∂x
            # δ_k = σ'_k(s_k) · Σ_{k→o} δ_o w_{k→o}, plus the loss's own ∂E/∂s_k at outputs
            for name, cols in activations:
                if name == "softmax":
                    D[cols] = 0.0          # softmax outputs have no successors
                elif name in SCALE_BY_DERIVATIVE and isinstance(cols, slice):
                    SCALE_BY_DERIVATIVE[name](D[cols], S[cols], Z[cols])
                else:
                    D[cols] *= DERIVATIVES[name](S[cols], Z[cols])
            if outputs is not None:
                D[outputs[0]] += direct[outputs[1]]
            delta = D[lo:hi]
            if b is None:
                continue
            w = grad[b.offset:b.offset + b.n_slots]
            if b.dense:
                z_src = Z[b.sources]
                np.matmul(z_src, delta.T, out=w.reshape(b.shape))   # ∂E/∂w_{j→k} = Σ δ_k z_j
                if input_deltas or not from_inputs_only:
                    D[b.sources] += b.weights @ delta               # pushed to the sources
            else:
                np.einsum("ij,ij->i", Z[b.src], delta[b.dst], out=w)
        grad[L.n_weight_slots:] = D.sum(axis=1)                     # ∂E/∂b_k = Σ δ_k
        grad *= L.mask          # no bias on inputs: their ∂E/∂x is masked away here
        return E, grad, D.T
