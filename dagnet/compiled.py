"""The compiled engine: one generation at a time, vectorised over the batch.

The graph is compiled once (:class:`~dagnet.layout.Layout`); each step then
runs a handful of array operations per topological generation. Node values
live in two matrices of shape (n_samples, n_nodes), ``S`` and ``Z``, one
column per node. The reference engine (:mod:`dagnet.reference`) is the
specification; each block below says which of its lines it reproduces.
"""
import numpy as np

from .activations import ACTIVATIONS, DERIVATIVES
from .losses import activation_groups, softmax


class CompiledEngine:
    """Forward and backward propagation over the blocks of a Layout."""

    def __init__(self, layout, G, loss):
        self.layout = layout
        self.loss = loss
        L = layout
        out_col = {c: m for m, c in enumerate(L.output_columns.tolist())}
        # Outputs sit in whichever generation their inputs put them: note, per
        # block, which of its columns are outputs and their place in Y.
        self.block_outputs = []
        for b in L.blocks + [None]:
            lo, hi = (b.start, b.stop) if b else (L.n_inputs, L.n_inputs + len(L.constants))
            here = [(c, m) for c, m in out_col.items() if lo <= c < hi]
            self.block_outputs.append((np.array([c for c, _ in here], dtype=np.intp),
                                       np.array([m for _, m in here], dtype=np.intp)))
        self.softmax = L.activation[L.outputs[0]] == "softmax"
        self.output_groups = activation_groups([L.activation[o] for o in L.outputs])
        self._bound = None

    def _bind(self, params):
        if self._bound is not params:
            self.layout.bind(params)
            self._bound = params

    def forward(self, params, X):
        """Return (S, Z), each of shape (n_samples, n_nodes), columns in layout order."""
        self._bind(params)
        L = self.layout
        n = len(X)
        S = np.empty((n, L.n_nodes))
        Z = np.empty((n, L.n_nodes))
        S[:, :L.n_inputs] = X
        Z[:, :L.n_inputs] = X
        c0, c1 = L.n_inputs, L.n_inputs + len(L.constants)
        S[:, c0:c1] = L.bias[c0:c1]
        bias = L.bias
        for name, cols in L.const_activations:
            Z[:, cols] = ACTIVATIONS[name](S[:, cols])
        for b in L.blocks:
            # s_j = b_j + Σ_{i→j} z_i · w_{i→j}, for every j of the generation at once
            if b.dense:
                S[:, b.start:b.stop] = Z[:, b.sources] @ b.weights
            else:
                terms = Z[:, b.src] * b.weights
                S[:, b.start:b.stop] = np.add.reduceat(terms, b.dst_starts, axis=1)
            S[:, b.start:b.stop] += bias[b.start:b.stop]
            # z_j = σ_j(s_j), one call per activation present in the generation
            for name, cols in b.activations:
                if name != "softmax":
                    Z[:, cols] = ACTIVATIONS[name](S[:, cols])
        if self.softmax:  # one softmax over all output nodes
            out = L.output_columns
            Z[:, out] = softmax(S[:, out])
        return S, Z

    def backward(self, params, S, Z, Y):
        """Return (E, ∂E/∂params of shape (n_params,), δ of shape (n_samples, n_nodes))."""
        self._bind(params)
        L = self.layout
        out = L.output_columns
        E = self.loss.value(S[:, out], Z[:, out], Y)
        direct = self.loss.delta(S[:, out], Z[:, out], Y, self.output_groups)
        D = np.zeros_like(S)     # ∂E/∂z_k summed from successors, then turned into δ_k
        grad = np.zeros(L.n_params)
        grad_bias = grad[L.n_weight_slots:]
        for b, (out_cols, out_m) in zip(reversed(L.blocks), reversed(self.block_outputs[:-1])):
            self._to_delta(D, S, Z, b.activations, out_cols, out_m, direct)
            delta = D[:, b.start:b.stop]
            grad_bias[b.start:b.stop] = delta.sum(axis=0)           # ∂E/∂b_k = Σ δ_k
            w = grad[b.offset:b.offset + b.n_slots]
            if b.dense:
                z_src = Z[:, b.sources]
                w[:] = (z_src.T @ delta).ravel()                   # ∂E/∂w_{j→k} = Σ δ_k z_j
                D[:, b.sources] += delta @ b.weights.T             # Σ_{k→o} δ_o w_{k→o}
            else:
                w[:] = np.einsum("ne,ne->e", Z[:, b.src], delta[:, b.dst])
                terms = delta[:, b.dst[b.by_src]] * b.weights[b.by_src]
                D[:, b.src_unique] += np.add.reduceat(terms, b.src_starts, axis=1)
        c0, c1 = L.n_inputs, L.n_inputs + len(L.constants)
        if c1 > c0:
            out_cols, out_m = self.block_outputs[-1]
            self._to_delta(D, S, Z, L.const_activations, out_cols, out_m, direct)
            grad_bias[c0:c1] = D[:, c0:c1].sum(axis=0)
        grad *= L.mask
        return E, grad, D

    @staticmethod
    def _to_delta(D, S, Z, activations, out_cols, out_m, direct):
        # δ_k = σ'_k(s_k) · Σ_{k→o} δ_o w_{k→o}, plus the loss's own ∂E/∂s_k at outputs
        for name, cols in activations:
            if name == "softmax":
                D[:, cols] = 0.0          # softmax outputs have no successors
            else:
                D[:, cols] *= DERIVATIVES[name](S[:, cols], Z[:, cols])
        if len(out_cols):
            D[:, out_cols] += direct[:, out_m]
