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

import numpy as np

from .activations import record
from .losses import activation_groups
from .wiring import Wiring, generations

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


def frozen(array):
    """``array``, made read-only (a plan's arrays are shared by its copies)."""
    array.setflags(write=False)
    return array


class Plan:
    """Columns, steps and slots of one network structure; built once, never changed.

    ``Plan(G)`` compiles a completed graph; :meth:`rewired` compiles the
    same nodes with some edges taken out and others put in, from arrays
    alone (no graph is walked), to exactly the plan ``Plan`` would build
    from the edited graph.

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
        ``(i, j)`` -> slot of w_{i→j} in the parameter vector, in slot order
        (built on first use).
    bias_slot : dict
        Node -> slot of b_j (nodes with a bias only); bias slots start at
        ``n_weight_slots`` and follow the columns (built on first use).
    n_params : int
        Length of the parameter vector (padding slots included).
    mask : ndarray of shape (n_params,), read-only
        1.0 for a trainable parameter, 0.0 for padding, fixed or absent ones.
    edges : ndarray of shape (n_edges, 3), read-only
        (source column, target column, slot) of every edge, in slot order.
    wiring : Wiring
        The structure the plan was compiled from (graph order, see :mod:`dagnet.wiring`).
    wiring_slot : ndarray of shape (n_edges,), read-only
        The slot of each of the wiring's edges, in the wiring's order.
    position : ndarray of shape (n_nodes,), read-only
        The graph-order position of the node in each column.
    has_bias : ndarray of shape (n_nodes,), bool, read-only
        Whether the node in each column has a bias.
    generation : ndarray of shape (n_nodes,), read-only
        The topological generation of each node, by graph-order position.
    """

    def __init__(self, G):
        self._compile(Wiring.of(G))

    @classmethod
    def of_wiring(cls, wiring, generation=None):
        """The plan of a :class:`~dagnet.wiring.Wiring` (what ``Plan(G)`` compiles from ``Wiring.of(G)``).

        ``generation``: the wiring's :func:`~dagnet.wiring.generations`, when already at hand.
        """
        plan = cls.__new__(cls)
        plan._compile(wiring, generation=generation)
        return plan

    def rewired(self, remove=(), add=(), trainable=True):
        """The plan of this structure with the edges ``remove`` taken out and ``add`` put in.

        Edges are (source column, target column) pairs of *this* plan, as
        arrays of shape (k, 2); new edges are ``trainable`` (or fixed).
        Columns may move (a new edge can change generations): map old
        slots to new ones with :meth:`dagnet.slotmap.SlotMap.between`.

        Raises
        ------
        ValueError
            For an absent edge to remove, a present one to add, an edge
            into an input, or edges that would make a cycle.
        """
        position = self.position
        remove = position[np.asarray(remove, dtype=np.intp).reshape(-1, 2)]
        add = position[np.asarray(add, dtype=np.intp).reshape(-1, 2)]
        plan = Plan.__new__(Plan)
        plan._compile(self.wiring.with_edges(remove, add, trainable), names_from=self)
        return plan

    def edge_keys(self):
        """(keys, order): ``source column · n_nodes + target column`` of every edge, ascending, and
        the rows of :attr:`edges` in that order (computed once)."""
        if self._edge_keys is None:
            keys = self.edges[:, 0] * self.n_nodes + self.edges[:, 1]
            order = np.argsort(keys)
            self._edge_keys = (frozen(keys[order]), frozen(order))
        return self._edge_keys

    def slots_of(self, pairs):
        """The slots of the edges ``pairs`` ((source column, target column), shape (k, 2)); -1 where absent."""
        pairs = np.asarray(pairs, dtype=np.intp).reshape(-1, 2)
        keys, by_key = self.edge_keys()
        wanted = pairs[:, 0] * self.n_nodes + pairs[:, 1]
        at = np.minimum(np.searchsorted(keys, wanted), max(len(keys) - 1, 0))
        found = keys[at] == wanted if len(keys) else np.zeros(len(wanted), dtype=bool)
        return np.where(found, self.edges[by_key[at], 2], -1)

    def _compile(self, w, names_from=None, generation=None):
        n = w.n_nodes
        same = names_from is not None and self._same_generations(w, names_from)
        if same:        # the columns stay: the edges sorted by target column are already at hand
            generation, order, (src, dst, by_target) = names_from.generation, names_from.position, same
            column_of = np.empty(n, dtype=np.intp)
            column_of[order] = np.arange(n)
        else:
            generation = generations(n, w.src, w.dst) if generation is None else generation
            is_input = np.zeros(n, dtype=bool)
            is_input[w.input_at] = True
            rest = np.flatnonzero(~is_input)
            rest = rest[np.argsort(generation[rest], kind="stable")]   # by generation, then graph order
            order = np.concatenate([w.input_at, rest]).astype(np.intp)
            column_of = np.empty(n, dtype=np.intp)
            column_of[order] = np.arange(n)
            src, dst = column_of[w.src], column_of[w.dst]
            by_target = np.argsort(dst, kind="stable")
        rest = order[len(w.input_at):]
        self.wiring, self.position, self.generation = w, frozen(order), frozen(generation)
        self._known_runs = {}
        if names_from is not None and np.array_equal(order, names_from.position):
            self.nodes, self.column, self.activation = names_from.nodes, names_from.column, names_from.activation
            self._known_runs = {(st.start, st.stop): st.runs for st in names_from.steps}
        else:
            self.nodes = tuple(map(w.names.__getitem__, order.tolist()))
            self.column = dict(zip(self.nodes, range(n)))
            self.activation = dict(zip(self.nodes, map(w.activation.__getitem__, order.tolist())))
        self.inputs, self.outputs = w.inputs, w.outputs
        self.n_inputs, self.n_nodes = len(w.inputs), n
        self.output_columns = frozen(column_of[w.output_at])
        self.softmax = self.activation[w.outputs[0]] == "softmax"
        self.output_groups = activation_groups([self.activation[o] for o in w.outputs])
        later = generation[rest]
        self.n_constants = int(np.count_nonzero(later == 0))
        start = self.n_inputs + self.n_constants
        self.constant_runs = self._runs(self.n_inputs, start)
        # the edges by target column (stable: each target's sources stay in graph order)
        src, dst, trainable = src[by_target], dst[by_target], w.trainable[by_target]
        bounds = start + np.flatnonzero(np.diff(later[self.n_constants:])) + 1
        steps, edges, offset = [], [], 0
        for lo, hi in zip([start, *bounds.tolist()], [*bounds.tolist(), n] if n > start else []):
            a, b = np.searchsorted(dst, [lo, hi])
            step, step_edges = self._step(src[a:b], dst[a:b] - lo, trainable[a:b], by_target[a:b], lo, hi,
                                          offset)
            steps.append(step)
            edges.append(step_edges)
            offset += step.n_slots
        self.steps = tuple(steps)
        self.n_weight_slots = offset
        self.n_params = offset + n
        self.has_bias = frozen(w.bias[order])
        columns = [np.concatenate(column) for column in zip(*edges)] if edges else [np.zeros(0, dtype=np.intp)] * 5
        src, dst, slot, trainable, index = columns
        row_of_slot = np.full(offset, -1, dtype=np.intp)     # slots are distinct: order them without a sort
        row_of_slot[slot] = np.arange(len(slot))
        rows = row_of_slot[row_of_slot >= 0]
        self.edges = frozen(np.column_stack([src[rows], dst[rows], slot[rows]]))
        wiring_slot = np.empty(len(slot), dtype=np.intp)
        wiring_slot[index] = slot
        self.wiring_slot = frozen(wiring_slot)
        mask = np.zeros(self.n_params)
        mask[slot] = trainable
        biased = np.flatnonzero(self.has_bias)
        mask[offset + biased] = w.bias_trainable[order[biased]]
        self.mask = frozen(mask)
        # Training may skip the mask when every slot but the inputs' (unused) bias slots is trainable.
        beyond_inputs = np.r_[mask[:offset], mask[offset + self.n_inputs:]]
        self.mask_needed = not bool(np.all(beyond_inputs == 1.0))
        self._edge_slot = self._bias_slot = self._names = self._known_runs = self._edge_keys = None

    def _same_generations(self, w, old):
        """(src, dst, order by target) in ``old``'s columns when ``w`` keeps every node's generation, else None."""
        column_of = np.empty(w.n_nodes, dtype=np.intp)
        column_of[old.position] = np.arange(w.n_nodes)
        src, dst = column_of[w.src], column_of[w.dst]
        by_target = np.argsort(dst, kind="stable")
        generation = old.generation[old.position]                  # by column
        if not len(dst):
            return None
        ordered = dst[by_target]
        first = np.flatnonzero(np.concatenate([[True], ordered[1:] != ordered[:-1]]))
        targets = ordered[first]
        fed = np.zeros(w.n_nodes, dtype=bool)
        fed[targets] = True
        if np.any(generation[~fed] != 0):
            return None
        latest = np.maximum.reduceat(generation[src[by_target]], first)
        return (src, dst, by_target) if np.array_equal(latest + 1, generation[targets]) else None

    @property
    def edge_slot(self):
        if self._edge_slot is None:
            nodes = self.nodes
            src, dst, slot = (self.edges[:, k].tolist() for k in range(3))
            self._edge_slot = dict(zip(zip([nodes[c] for c in src], [nodes[c] for c in dst]), slot))
        return self._edge_slot

    @property
    def bias_slot(self):
        if self._bias_slot is None:
            nodes, base = self.nodes, self.n_weight_slots
            self._bias_slot = {nodes[c]: base + c for c in np.flatnonzero(self.has_bias).tolist()}
        return self._bias_slot

    def _runs(self, start, stop):
        known = self._known_runs.get((start, stop))   # the same columns as a step of the plan rewired
        if known is not None:
            return known
        names = list(map(self.activation.__getitem__, self.nodes[start:stop]))
        if len(set(names)) == 1:                       # the common case: one activation for all
            return (ActivationRun(record(names[0]), slice(start, stop)),)
        by_name = {}
        for k, name in enumerate(names, start):
            by_name.setdefault(name, []).append(k)
        return tuple(ActivationRun(record(name), as_index(ks)) for name, ks in by_name.items())

    def _step(self, src, dst, trainable, index, start, stop, offset):
        """The step computing columns ``start:stop`` from its edges (source column, local target,
        index in the wiring), and the edges as columns (source column, target column, slot, trainable,
        index in the wiring)."""
        width = stop - start
        # the source columns, sorted: counted when the edges are many, sorted when few (a late step of a big net)
        sources = np.flatnonzero(np.bincount(src, minlength=start)) if 8 * len(src) >= start else np.unique(src)
        runs = self._runs(start, stop)
        if len(src) / (len(sources) * width) >= DENSE_MIN_FILL:
            slots = offset + np.searchsorted(sources, src) * width + dst      # row of W, column of W
            step = DenseStep(start, stop, runs, offset, as_index(sources), (len(sources), width))
        else:
            order = np.argsort(dst * start + src)       # by target, then source (src < start: distinct keys)
            src, dst, trainable, index = frozen(src[order]), frozen(dst[order]), trainable[order], index[order]
            indptr = frozen(np.concatenate([[0], np.cumsum(np.bincount(dst, minlength=width))]).astype(np.intp))
            slots = offset + np.arange(len(src))
            step = SparseStep(start, stop, runs, offset, src, dst, indptr)
        return step, (src, start + dst, slots, trainable, index)

    # -- values in and out of the graph's attributes ---------------------------

    def read(self, G, take=False):
        """A new parameter vector holding the weights and biases stored in graph ``G``.

        ``G`` is the graph the plan was compiled from (or one whose
        ``in_edges`` come in the same order): the weights are read in that order.

        ``take=True`` also removes them from ``G``'s attributes (in the same pass),
        for a caller that keeps the vector as their one copy.
        """
        params = np.zeros(self.n_params)
        get = (lambda d, key: d.pop(key)) if take else (lambda d, key: d[key])
        params[self.wiring_slot] = [get(d, "weight") for _, _, d in G.in_edges(data=True)]
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
