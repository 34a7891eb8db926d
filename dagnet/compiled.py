"""The compiled engine: one generation at a time, vectorised over the batch.

The graph is compiled once (:class:`~dagnet.plan.Plan`); each step then
runs a handful of array operations per topological generation. Node values
live node-major, in arrays of shape (n_nodes, n_samples), so that a node's
values are one contiguous row and a range of nodes a contiguous block; the
engine hands them out transposed, as (n_samples, n_nodes) views. The
reference engine (:mod:`dagnet.reference`) is the specification; each step
below says which of its lines it reproduces.

Dense steps are matrix products. Sparse steps are CSR matrices over all
earlier nodes (scipy.sparse, imported only for a plan that has them), so
the forward sum reads ``Z[:start]`` in place without gathering, and the
backward sum *pulls*: when a generation is reached in reverse order, the δ
of every later node is final, and one CSR product over ``δ[stop:]`` gives
Σ_{k→o} δ_o w_{k→o} for all its nodes at once.
"""
from dataclasses import dataclass

import numpy as np

from .losses import softmax
from .plan import DenseStep, as_index

#: Sparse weight gradients gather (edges × samples) values; they go in chunks
#: of about this many elements (128 KB), which keeps them in cache (measured:
#: W3 24 -> 20 ms per step against one gather per generation) and memory flat.
CHUNK_ELEMENTS = 1 << 14


@dataclass(frozen=True)
class _Span:
    """A run of columns lo:hi in backward order, with what the backward sweep does there."""

    lo: int
    hi: int
    runs: tuple                # ActivationRun of the columns (empty for the inputs)
    step: object               # the plan step computing these columns, or None
    pull: object               # (CSR of the sparse edges leaving lo:hi, their slots), or None
    outputs: object            # (output columns as index, their positions among the outputs), or None
    sources_are_inputs: bool   # a dense step fed by inputs only: no δ to push back in training


class CompiledEngine:
    """Forward and backward propagation over the steps of a Plan (see :mod:`dagnet.engine`)."""

    name = "compiled"

    def __init__(self, plan, loss):
        self.plan = plan
        self.loss = loss
        c0 = plan.n_inputs
        c1 = c0 + plan.n_constants
        bounds = [(st.start, st.stop, st.runs, st) for st in reversed(plan.steps)]
        bounds += [(c0, c1, plan.constant_runs, None), (0, c0, (), None)]
        out_col = {c: m for m, c in enumerate(plan.output_columns.tolist())}
        pulls = self._pull_matrices(plan, [(lo, hi) for lo, hi, _, _ in bounds])
        self.out = as_index(plan.output_columns)
        self.spans = []
        for (lo, hi, runs, step), pull in zip(bounds, pulls):
            here = [(c, m) for c, m in out_col.items() if lo <= c < hi]
            outputs = (as_index([c for c, _ in here]), as_index([m for _, m in here])) if here else None
            from_inputs = isinstance(step, DenseStep) and (
                np.arange(plan.n_nodes)[step.sources].max() < plan.n_inputs)
            self.spans.append(_Span(lo, hi, runs, step, pull, outputs, bool(from_inputs)))
        self._bound = None
        self._training = None

    @staticmethod
    def _pull_matrices(plan, bounds):
        """Per column span (lo, hi): (CSR of the sparse edges leaving it, their slots), or None.

        Row r is node lo + r; column c is node hi + c; entry w_{lo+r → hi+c}.
        """
        edges = [(st.src, st.start + st.dst, st.offset + np.arange(len(st.src)))
                 for st in plan.steps if not isinstance(st, DenseStep)]
        if not edges:
            return [None] * len(bounds)
        import scipy.sparse as sp

        src, dst, slot = (np.concatenate(parts) for parts in zip(*edges))
        pulls = []
        for lo, hi in bounds:
            keep = (src >= lo) & (src < hi)
            if not keep.any():
                pulls.append(None)
                continue
            rows, cols, slots = src[keep] - lo, dst[keep] - hi, slot[keep]
            order = np.lexsort((cols, rows))
            rows, cols, slots = rows[order], cols[order], slots[order]
            indptr = np.searchsorted(rows, np.arange(hi - lo + 1))
            M = sp.csr_matrix((np.zeros(len(slots)), cols, indptr), shape=(hi - lo, plan.n_nodes - hi))
            pulls.append((M, slots))
        return pulls

    def _bind(self, params):
        """Views of ``params`` per step (sparse steps as CSR matrices sharing its memory)."""
        if self._bound is params:
            return
        plan = self.plan
        self.weights = []
        for st in plan.steps:
            w = plan.weights(params, st)
            if not isinstance(st, DenseStep):   # the CSR data is a view of the step's slots
                import scipy.sparse as sp

                w = sp.csr_matrix((w, st.src, st.indptr), shape=(st.stop - st.start, st.start))
                w.data = plan.weights(params, st)
            self.weights.append(w)
        self.bias = plan.biases(params)
        self._bound = params
        self._training = None

    def forward(self, params, X):
        """Return (S, Z), each of shape (n_samples, n_nodes), columns in plan order."""
        self._bind(params)
        work = Workspace(self, len(X))
        work.forward(X)
        return work.S.T, work.Z.T

    def backward(self, params, S, Z, Y, input_deltas=True, weights=None):
        """Return (E, ∂E/∂params of shape (n_params,), δ of shape (n_samples, n_nodes))."""
        self._bind(params)
        work = Workspace(self, len(S), np.ascontiguousarray(S.T), np.ascontiguousarray(Z.T))
        E = work.backward(params, Y, input_deltas, weights)
        return E, work.grad, work.D.T

    def train_gradient(self, params, X, Y, weights=None):
        """(E, ∂E/∂params) for one training step, in buffers reused from step to step.

        The returned gradient is overwritten by the next call.
        """
        self._bind(params)
        work = self._training
        if work is None or work.n != len(X):
            work = self._training = Workspace(self, len(X))
        work.forward(X, keep_inputs=False)
        return work.backward(params, Y, False, weights), work.grad

    def train_outputs(self):
        """The outputs ŷ of the last :meth:`train_gradient` batch, shape (n_samples, n_outputs)."""
        return self._training.Z[self.out].T


@dataclass(frozen=True)
class _Run:
    """One activation over some columns, with the views of S, Z and D it works on.

    For columns given as an index array the views are None and the
    columns are gathered at each step.
    """

    activation: object
    columns: object
    s: np.ndarray = None
    z: np.ndarray = None
    d: np.ndarray = None


@dataclass(frozen=True)
class _ForwardStep:
    """s = Wᵀ z[sources] + b (dense) or CSR @ z[:start] + b (sparse), then z = σ(s)."""

    s: np.ndarray
    bias: np.ndarray
    runs: tuple
    weights: object            # Wᵀ (dense) or the CSR matrix (sparse)
    z_view: np.ndarray         # Z[sources] when the sources are a run, else None
    z_index: object            # the source columns to gather otherwise


@dataclass(frozen=True)
class _DenseGradient:
    """∂E/∂W = z[sources] δᵀ, and δ pushed back to the sources through W."""

    grad: np.ndarray           # view of the gradient, shape of W
    W: np.ndarray
    z_view: np.ndarray
    d_view: np.ndarray
    index: object              # source columns when they are not a run
    sources_are_inputs: bool


@dataclass(frozen=True)
class _BackwardSpan:
    """Everything one span of columns needs in the backward sweep, as views of a workspace."""

    lo: int
    delta: np.ndarray          # D[lo:hi]
    runs: tuple
    pull: object               # (CSR, slots, D[hi:]) or None
    outputs: object            # (D view or None, output columns, positions among outputs) or None
    dense: _DenseGradient = None
    sparse: tuple = None       # chunks (src columns, local targets, gradient view)


class Workspace:
    """Node-major buffers S, Z, D and a gradient for one batch size, with every view a step uses.

    Building the views once (per batch size and parameter vector) takes the
    slicing out of the per-generation loops, which is what bounds deep, narrow
    networks and single-example updates.
    """

    def __init__(self, engine, n, S=None, Z=None):
        plan = engine.plan
        self.engine, self.n = engine, n
        N = plan.n_nodes
        self.S = S = np.empty((N, n)) if S is None else S
        self.Z = Z = np.empty((N, n)) if Z is None else Z
        self.D = np.empty((N, n))
        self.grad = grad = np.empty(plan.n_params)
        grad[plan.n_weight_slots:plan.n_weight_slots + plan.n_inputs] = 0.0   # the inputs' bias slots
        bias = engine.bias[:, None]
        c0, c1 = plan.n_inputs, plan.n_inputs + plan.n_constants
        self.constants = (S[c0:c1], bias[c0:c1], self._runs(plan.constant_runs))
        self.steps = []
        for st, weights in zip(plan.steps, engine.weights):
            if isinstance(st, DenseStep):
                z_view, z_index = _view_or_index(Z, st.sources)
                weights = weights.T
            else:
                z_view, z_index = Z[:st.start], None
            self.steps.append(_ForwardStep(S[st.start:st.stop], bias[st.start:st.stop],
                                           self._runs(st.runs), weights, z_view, z_index))
        out = engine.out
        self.outputs = (S[out].T, Z[out].T) if isinstance(out, slice) else None
        weights_of = {id(st): w for st, w in zip(plan.steps, engine.weights)}
        self.spans = [self._backward_span(span, weights_of) for span in engine.spans]

    def _runs(self, runs, with_delta=False):
        S, Z, D = self.S, self.Z, self.D
        return tuple(_Run(r.activation, r.columns, S[r.columns], Z[r.columns],
                          D[r.columns] if with_delta else None)
                     if isinstance(r.columns, slice) else _Run(r.activation, r.columns)
                     for r in runs)

    def _backward_span(self, span, weights_of):
        D, Z, grad, n = self.D, self.Z, self.grad, self.n
        pull = None if span.pull is None else (*span.pull, D[span.hi:])
        outputs = None
        if span.outputs is not None:
            cols, m = span.outputs
            outputs = (D[cols] if isinstance(cols, slice) else None, cols, m)
        st, dense, sparse = span.step, None, None
        if st is not None:
            w = grad[st.offset:st.offset + st.n_slots]
            if isinstance(st, DenseStep):
                z_view, index = _view_or_index(Z, st.sources)
                d_view, _ = _view_or_index(D, st.sources)
                dense = _DenseGradient(w.reshape(st.shape), weights_of[id(st)], z_view, d_view, index,
                                       span.sources_are_inputs)
            else:   # chunks of edges, so the gathered temporaries stay in cache
                size = max(1, CHUNK_ELEMENTS // max(n, 1))
                sparse = tuple((st.src[k:k + size], st.dst[k:k + size], w[k:k + size])
                               for k in range(0, len(st.src), size))
        return _BackwardSpan(span.lo, D[span.lo:span.hi], self._runs(span.runs, with_delta=True),
                             pull, outputs, dense, sparse)

    def forward(self, X, keep_inputs=True):
        """Fill ``S`` and ``Z``; ``keep_inputs=False`` leaves the inputs' s (unused in training) unset."""
        S, Z = self.S, self.Z
        c0 = self.engine.plan.n_inputs
        if keep_inputs:
            S[:c0] = X.T
        Z[:c0] = X.T
        s_const, b_const, runs = self.constants
        if len(s_const):
            s_const[...] = b_const
            _activate(runs, S, Z)
        for st in self.steps:
            # s_j = b_j + Σ_{i→j} z_i · w_{i→j}, for every j of the generation at once
            s, z_src = st.s, (Z[st.z_index] if st.z_view is None else st.z_view)
            if isinstance(st.weights, np.ndarray):
                np.matmul(st.weights, z_src, out=s)
            else:
                s[...] = st.weights @ z_src
            s += st.bias
            # z_j = σ_j(s_j), one call per activation present in the generation
            _activate(st.runs, S, Z)
        if self.engine.plan.softmax:  # one softmax over all output nodes
            out = self.engine.out
            Z[out] = softmax(S[out].T).T

    def backward(self, params, Y, input_deltas, weights=None):
        """Fill ``D`` (δ per node) and ``grad``; return E (``weights``: per-sample, or None)."""
        engine, plan = self.engine, self.engine.plan
        S, Z, D, grad = self.S, self.Z, self.D, self.grad
        s_out, z_out = self.outputs or (S[engine.out].T, Z[engine.out].T)
        E, direct = engine.loss.value_and_delta(s_out, z_out, Y, plan.output_groups, weights)
        direct = direct.T
        D.fill(0.0)               # ∂E/∂z_k summed from successors, then turned into δ_k
        for span in self.spans:
            if span.lo == 0 and not input_deltas:
                break
            delta = span.delta
            if span.pull:          # Σ_{k→o} δ_o w_{k→o} over the sparse edges leaving k
                M, slots, later = span.pull
                np.take(params, slots, out=M.data)
                delta += M @ later
            if span.lo == 0:
                break              # the inputs, last: D holds ∂E/∂x
            # δ_k = σ'_k(s_k) · Σ_{k→o} δ_o w_{k→o}, plus the loss's own ∂E/∂s_k at outputs
            for run in span.runs:
                if run.activation.name == "softmax":
                    D[run.columns] = 0.0      # softmax outputs have no successors
                elif run.d is None:
                    D[run.columns] *= run.activation.derivative(S[run.columns], Z[run.columns])
                else:
                    run.activation.scale_by_derivative(run.d, run.s, run.z)
            if span.outputs is not None:
                d_view, cols, m = span.outputs
                if d_view is None:
                    D[cols] += direct[m]
                else:
                    d_view += direct[m]
            if span.sparse is not None:   # ∂E/∂w_{j→k} = Σ δ_k z_j: a dot product per edge
                for src, dst, w_chunk in span.sparse:
                    np.einsum("ij,ij->i", Z[src], delta[dst], out=w_chunk)
            elif span.dense is not None:
                g = span.dense
                z_src = Z[g.index] if g.z_view is None else g.z_view
                np.matmul(z_src, delta.T, out=g.grad)                   # ∂E/∂w_{j→k} = Σ δ_k z_j
                if input_deltas or not g.sources_are_inputs:            # Σ_{k→o} δ_o w_{k→o}, pushed
                    if g.d_view is None:
                        D[g.index] += g.W @ delta
                    else:
                        d_view = g.d_view
                        d_view += g.W @ delta
        biases = plan.n_weight_slots + plan.n_inputs                    # inputs have no bias
        np.add.reduce(D[plan.n_inputs:], axis=1, out=grad[biases:])    # ∂E/∂b_k = Σ δ_k
        if plan.mask_needed:
            grad *= plan.mask  # fixed, padding and absent slots become 0
        return E


def _view_or_index(A, cols):
    """(A[cols], None) when ``cols`` is a slice (a view, built once), else (None, cols)."""
    return (A[cols], None) if isinstance(cols, slice) else (None, cols)


def _activate(runs, S, Z):
    """z_j = σ_j(s_j) for each run; softmax is left to the caller."""
    for run in runs:
        if run.activation.name == "softmax":
            continue
        if run.s is None:
            Z[run.columns] = run.activation.forward(S[run.columns])
        else:
            run.activation.apply(run.s, run.z)
