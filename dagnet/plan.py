"""Compile a completed graph once into an immutable :class:`Plan`: columns, steps and slots.

Every node gets a column (inputs first, in input order, then generation by
generation). Every parameter gets a slot in one flat float64 vector: the
weights of each step, then one bias slot per column. The plan says where
everything is; it holds no parameter values and no engine state, so any
number of engines (and exporters) can share one plan.

A *step* computes one topological generation (nodes whose inputs are all
computed in earlier generations) from the edges into it:

- :class:`DenseStep`: a matrix ``W`` of shape (n_sources, width), stored
  row-major in the step's slots, used when the edges fill enough of it
  (slots without an edge stay 0 and are masked out of training);
- :class:`SparseStep`: one slot per edge, in target-then-source order, so
  that the slots are the ``data`` of a CSR matrix (targets × all earlier
  columns).

Examples
--------
>>> import networkx as nx
>>> from dagnet.graph import build
>>> plan = Plan(build(nx.DiGraph([("x", "h"), ("h", "y"), ("x", "y")]), seed=0))
>>> plan.nodes, [type(step).__name__ for step in plan.steps]
(('x', 'h', 'y'), ['DenseStep', 'DenseStep'])
>>> plan.parameter_name(plan.edge_slot["x", "y"])
"w['x' -> 'y']"
"""
from dataclasses import dataclass

import networkx as nx
import numpy as np

from .activations import record
from .losses import activation_groups
from .structure import incoming

#: A generation's edges go in a dense step when they fill at least this
#: fraction of the (sources × targets) matrix.
DENSE_MIN_FILL = 0.2


def as_index(cols):
    """A slice when ``cols`` is a contiguous ascending run, else an int index array."""
    listed = cols.tolist() if isinstance(cols, np.ndarray) else list(cols)
    # plain Python: for the few columns of a small network, numpy's per-call cost is the whole cost
    if listed and listed[-1] - listed[0] == len(listed) - 1 and listed == list(range(listed[0], listed[-1] + 1)):
        return slice(int(listed[0]), int(listed[0]) + len(listed))
    return np.asarray(listed, dtype=np.intp)


@dataclass(frozen=True)
class ActivationRun:
    """The columns of one step (or the constants) that share one activation."""

    activation: object         # an activations.Activation record
    columns: object            # slice or index array of columns


@dataclass(frozen=True)
class DenseStep:
    """s[start:stop] = Wᵀ z[sources] + b, W of ``shape`` in slots ``offset:offset + n_slots``."""

    start: int
    stop: int
    runs: tuple                # ActivationRun per activation present
    offset: int
    sources: object            # source columns: slice or index array
    shape: tuple               # (n_sources, width)

    @property
    def n_slots(self):
        return self.shape[0] * self.shape[1]


@dataclass(frozen=True)
class SparseStep:
    """s[start:stop] = CSR(slots) @ z[:start] + b; edge k runs column src[k] -> start + dst[k]."""

    start: int
    stop: int
    runs: tuple
    offset: int
    src: np.ndarray            # source column of each edge, sorted by target then source
    dst: np.ndarray            # local target index (0..width-1) of each edge
    indptr: np.ndarray         # the edges into target k are indptr[k]:indptr[k+1]

    @property
    def n_slots(self):
        return len(self.src)


def _frozen(array):
    array.setflags(write=False)
    return array


class Plan:
    """Columns, steps and slots of one network structure; built once, never changed.

    Attributes
    ----------
    nodes : tuple
        Node names in column order.
    column : dict
        Node name -> column.
    inputs, outputs : tuple
    output_columns : ndarray of shape (n_outputs,)
    activation : dict
        Node -> canonical activation name (None for inputs).
    n_constants : int
        Columns ``n_inputs:n_inputs + n_constants`` are non-inputs without
        predecessors (s = b); ``constant_runs`` their activations.
    steps : tuple of DenseStep and SparseStep, one per later generation
    edge_slot : dict
        ``(i, j)`` -> slot of w_{i→j} in the parameter vector.
    bias_slot : dict
        Node -> slot of b_j (nodes with a bias only); bias slots start at
        ``n_weight_slots`` and follow the columns.
    n_params : int
        Length of the parameter vector (padding slots included).
    mask : ndarray of shape (n_params,), read-only
        1.0 for a trainable parameter, 0.0 for padding, fixed or absent ones.
    edges : ndarray of shape (n_edges, 3), read-only
        (source column, target column, slot) of every edge, in slot order.
    """

    def __init__(self, G):
        inputs, outputs = list(G.graph["inputs"]), list(G.graph["outputs"])
        generations = list(nx.topological_generations(G))
        input_set = set(inputs)
        position = {n: k for k, n in enumerate(G)}  # graph order within a generation
        constants = sorted((n for n in generations[0] if n not in input_set), key=position.get)
        later = [sorted(gen, key=position.get) for gen in generations[1:]]
        self.nodes = tuple(inputs + constants + [n for gen in later for n in gen])
        self.column = {n: k for k, n in enumerate(self.nodes)}
        self.inputs, self.outputs = tuple(inputs), tuple(outputs)
        self.n_inputs, self.n_nodes = len(inputs), len(self.nodes)
        self.output_columns = _frozen(np.array([self.column[o] for o in outputs], dtype=np.intp))
        self.activation = {n: G.nodes[n]["activation"] for n in self.nodes}
        self.softmax = self.activation[outputs[0]] == "softmax"
        self.output_groups = activation_groups([self.activation[o] for o in outputs])
        self.n_constants = len(constants)
        self.constant_runs = self._runs(constants, self.n_inputs)

        self.edge_slot = {}
        into = incoming(G)
        steps, edges, offset, start = [], [], 0, self.n_inputs + len(constants)
        for gen in later:
            step, step_edges = self._step(into, gen, start, offset)
            steps.append(step)
            edges.append(step_edges)
            offset += step.n_slots
            start = step.stop
        self.steps = tuple(steps)
        self.n_weight_slots = offset
        self.n_params = offset + self.n_nodes
        self.bias_slot = {n: offset + self.column[n] for n in self.nodes
                          if G.nodes[n].get("bias") is not None}
        edges = np.concatenate(edges) if edges else np.empty((0, 4), dtype=np.intp)
        order = np.argsort(edges[:, 2], kind="stable")      # slot order
        self.edges = _frozen(np.ascontiguousarray(edges[order, :3]))
        mask = np.zeros(self.n_params)
        mask[edges[:, 2]] = edges[:, 3]
        for n, slot in self.bias_slot.items():
            mask[slot] = 1.0 if G.nodes[n].get("trainable", True) else 0.0
        self.mask = _frozen(mask)
        # Training may skip the mask when every slot but the inputs' (unused) bias slots is trainable.
        self.mask_needed = bool((mask[:offset] != 1.0).any() or (mask[offset + self.n_inputs:] != 1.0).any())
        self._names = None

    def _runs(self, nodes, start):
        by_name = {}
        for k, n in enumerate(nodes):
            by_name.setdefault(self.activation[n], []).append(start + k)
        return tuple(ActivationRun(record(name), as_index(ks)) for name, ks in by_name.items())

    def _step(self, into, gen, start, offset):
        """The step computing generation ``gen`` (columns from ``start``), and its edges as rows
        (source column, target column, slot, trainable)."""
        stop = start + len(gen)
        col = self.column
        incoming = [(col[u], k, d.get("trainable", True) is not False)
                    for k, v in enumerate(gen) for u, d in into[v]]
        columns, targets, flags = zip(*incoming)
        src, dst, trainable = (np.array(part, dtype=np.intp) for part in (columns, targets, flags))
        sources = np.array(sorted(set(columns)), dtype=np.intp)
        runs = self._runs(gen, start)
        if len(src) / (len(sources) * len(gen)) >= DENSE_MIN_FILL:
            slots = offset + np.searchsorted(sources, src) * len(gen) + dst
            step = DenseStep(start, stop, runs, offset, as_index(sources), (len(sources), len(gen)))
        else:
            order = np.lexsort((src, dst))              # by target, then source
            src, dst, trainable = _frozen(src[order]), _frozen(dst[order]), trainable[order]
            indptr = _frozen(np.searchsorted(dst, np.arange(len(gen) + 1)).astype(np.intp))
            slots = offset + np.arange(len(src))
            step = SparseStep(start, stop, runs, offset, src, dst, indptr)
        names = self.nodes
        self.edge_slot.update(zip(zip([names[s] for s in src.tolist()],
                                      [names[start + d] for d in dst.tolist()]), slots.tolist()))
        rows = np.empty((len(src), 4), dtype=np.intp)
        rows[:, 0], rows[:, 1], rows[:, 2], rows[:, 3] = src, start + dst, slots, trainable
        return step, rows

    # -- values in and out of the graph's attributes ---------------------------

    def read(self, G, take=False):
        """A new parameter vector holding the weights and biases stored in graph ``G``.

        ``take=True`` also removes them from ``G``'s attributes (in the same pass),
        for a caller that keeps the vector as their one copy.
        """
        params = np.zeros(self.n_params)
        edge_slot = self.edge_slot
        get = (lambda d, key: d.pop(key)) if take else (lambda d, key: d[key])
        pairs = [(edge_slot[u, v], get(d, "weight")) for u, v, d in G.in_edges(data=True)]
        if pairs:
            slots, values = zip(*pairs)
            params[list(slots)] = values
        for n, slot in self.bias_slot.items():
            params[slot] = get(G.nodes[n], "bias")
        return params

    def weights(self, params, step):
        """The view of ``params`` holding ``step``'s weights: (n_sources, width) dense, (n_edges,) sparse."""
        w = params[step.offset:step.offset + step.n_slots]
        return w.reshape(step.shape) if isinstance(step, DenseStep) else w

    def biases(self, params):
        """The view of ``params`` holding one bias per column, shape (n_nodes,)."""
        return params[self.n_weight_slots:]

    def parameter_name(self, slot):
        """A readable name for ``slot``: ``"w['a' -> 'b']"`` or ``"b['h.0']"``."""
        if self._names is None:
            self._names = {s: f"w[{u!r} -> {v!r}]" for (u, v), s in self.edge_slot.items()}
            self._names.update({s: f"b[{n!r}]" for n, s in self.bias_slot.items()})
        return self._names.get(slot, f"slot {slot}")
