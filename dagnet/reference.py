"""The reference engine: the general formulation, literally, one node at a time.

Read it beside section 4 of the Backpropagation Tutorial (``w_{i→j}``, ``s_j``, ``z_j``)::

    s_j = b_j + Σ_{i→j} z_i · w_{i→j}          z_j = σ_j(s_j)         (topological order)
    δ_k = ∂E/∂s_k = σ'_k(s_k) · Σ_{k→o} δ_o · w_{k→o}                 (reverse order)
    ∂E/∂w_{j→k} = Σ_samples δ_k · z_j         ∂E/∂b_k = Σ_samples δ_k

For an output node, δ_k also has the loss's own term ∂E/∂s_k; for an input,
s = z = x and δ is ∂E/∂x.

Each s_j, z_j, δ_j is an array over the samples of the batch, shape (n,).
This engine is the specification the compiled engine is tested against;
keep it short and plain rather than fast.
"""
import numpy as np

from .activations import ACTIVATIONS
from .losses import softmax


class ReferenceEngine:
    """Node-by-node forward and backward propagation over a :class:`~dagnet.plan.Plan`."""

    name = "reference"

    def __init__(self, plan, loss):
        self.plan = plan
        self.loss = loss
        self.order = plan.nodes                        # topological order, sorted once
        self.incoming = {j: [] for j in self.order}    # j -> [(i, slot of w_{i→j})]
        self.outgoing = {k: [] for k in self.order}    # k -> [(o, slot of w_{k→o})]
        for (i, j), slot in plan.edge_slot.items():
            self.incoming[j].append((i, slot))
            self.outgoing[i].append((j, slot))
        self.softmax = [o for o in plan.outputs if plan.activation[o] == "softmax"]

    def forward(self, params, X):
        """Return (S, Z), each of shape (n_samples, n_nodes), columns in plan order."""
        L = self.plan
        s, z = {}, {}
        for k, i in enumerate(L.inputs):
            s[i] = z[i] = X[:, k]
        for j in self.order[L.n_inputs:]:
            b_j = params[L.bias_slot[j]] if j in L.bias_slot else 0.0
            s[j] = b_j + sum((z[i] * params[slot] for i, slot in self.incoming[j]), np.zeros(len(X)))
            if L.activation[j] != "softmax":
                z[j] = ACTIVATIONS[L.activation[j]].forward(s[j])
        if self.softmax:  # one softmax over all output nodes
            p = softmax(np.column_stack([s[o] for o in self.softmax]))
            for m, o in enumerate(self.softmax):
                z[o] = p[:, m]
        return (np.column_stack([s[j] for j in self.order]),
                np.column_stack([z[j] for j in self.order]))

    def train_gradient(self, params, X, Y, weights=None):
        """(E, ∂E/∂params) for one training step: forward, then backward."""
        S, Z = self.forward(params, X)
        self.outputs = Z[:, self.plan.output_columns]
        return self.backward(params, S, Z, Y, weights=weights)[:2]

    def train_outputs(self):
        """The outputs ŷ of the last :meth:`train_gradient` batch, shape (n_samples, n_outputs)."""
        return self.outputs

    def backward(self, params, S, Z, Y, input_deltas=True, weights=None):
        """Return (E, ∂E/∂params of shape (n_params,), δ of shape (n_samples, n_nodes)).

        ``input_deltas`` is accepted for the engines' common interface; the
        reference always computes ∂E/∂x.
        """
        L = self.plan
        col = L.column
        out = L.output_columns
        # E and ∂E/∂s_o at each output (each sample's row weighted, when weights are given)
        E, direct = self.loss.value_and_delta(S[:, out], Z[:, out], Y, L.output_groups, weights)
        direct = {o: direct[:, m] for m, o in enumerate(L.outputs)}
        grad = np.zeros(L.n_params)
        delta = {}
        for k in reversed(self.order):
            s_k, z_k = S[:, col[k]], Z[:, col[k]]
            from_successors = sum((delta[o] * params[slot] for o, slot in self.outgoing[k]),
                                  np.zeros(len(S)))
            if L.activation[k] is None:  # an input: s = z = x, so δ is ∂E/∂x
                delta[k] = from_successors
                continue
            delta[k] = direct.get(k, 0.0)
            if self.outgoing[k]:
                delta[k] = delta[k] + ACTIVATIONS[L.activation[k]].derivative(s_k, z_k) * from_successors
            for j, slot in self.incoming[k]:
                grad[slot] = np.sum(delta[k] * Z[:, col[j]])
            if k in L.bias_slot:
                grad[L.bias_slot[k]] = np.sum(delta[k])
        D = np.zeros_like(S)
        for k, d in delta.items():
            D[:, col[k]] = d
        return E, grad * L.mask, D
