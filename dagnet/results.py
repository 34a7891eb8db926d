"""What the engines computed, by node name: a forward pass's :class:`Trace` and the :class:`Gradients`."""
from collections.abc import Mapping


class ByNode(Mapping):
    """Read-only ``{node name: column of a matrix}``, without copying.

    Examples
    --------
    >>> import numpy as np
    >>> m = ByNode(np.arange(6.0).reshape(3, 2), {"a": 0, "b": 1})
    >>> m["b"]
    array([1., 3., 5.])
    """

    def __init__(self, matrix, column):
        self.matrix = matrix
        self.column = column

    def __getitem__(self, node):
        return self.matrix[:, self.column[node]]

    def __iter__(self):
        return iter(self.column)

    def __len__(self):
        return len(self.column)

    def __repr__(self):
        return f"<{len(self)} nodes × {self.matrix.shape[0]} samples>"


class BySlot(Mapping):
    """Read-only ``{edge or node: float}`` over a flat vector and a slot table."""

    def __init__(self, vector, slot):
        self.vector = vector
        self.slot = slot

    def __getitem__(self, key):
        return float(self.vector[self.slot[key]])

    def __iter__(self):
        return iter(self.slot)

    def __len__(self):
        return len(self.slot)

    def __repr__(self):
        return f"<{len(self)} values>"


class Trace:
    """What a forward pass computed: ``s[node]`` and ``z[node]``, arrays of shape (n_samples,).

    ``S`` and ``Z`` hold the same numbers as matrices of shape
    (n_samples, n_nodes), columns in ``nodes`` order.
    """

    def __init__(self, S, Z, plan):
        self.S, self.Z = S, Z
        self.nodes = plan.nodes
        self.s = ByNode(S, plan.column)
        self.z = ByNode(Z, plan.column)
        self.output_columns = plan.output_columns

    @property
    def outputs(self):
        """The output activations ŷ, shape (n_samples, n_outputs)."""
        return self.Z[:, self.output_columns]

    @property
    def output_sums(self):
        """The output sums s of the outputs, shape (n_samples, n_outputs)."""
        return self.S[:, self.output_columns]

    def _repr_html_(self):
        """s_j and z_j per node for a notebook: :func:`dagnet.display.trace_html`."""
        from .display import trace_html

        return trace_html(self)


class Gradients:
    """∂E/∂w for every edge, ∂E/∂b for every bias, ∂E/∂s per sample for every node.

    ``weight[(i, j)]`` and ``bias[j]`` are floats; ``delta[j]`` has shape
    (n_samples,) (for an input it is ∂E/∂x). ``vector`` is the flat gradient
    in the network's parameter order (see :attr:`Network.params`).
    """

    def __init__(self, vector, D, plan):
        self.vector = vector
        self.weight = BySlot(vector, plan.edge_slot)
        self.bias = BySlot(vector, plan.bias_slot)
        self.delta = ByNode(D, plan.column)

    def _repr_html_(self):
        """δ_j, ∂E/∂b_j and ∂E/∂w for a notebook: :func:`dagnet.display.gradients_html`."""
        from .display import gradients_html

        return gradients_html(self)
