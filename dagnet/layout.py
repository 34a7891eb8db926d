"""Compile a completed graph once into arrays: columns, generations, blocks, parameter slots.

Every node gets a column (inputs first, in input order, then generation by
generation). Every parameter gets a slot in one flat float64 vector: the
weights of each block, then one bias slot per column. Both engines read the
same vector; the optimisers update it in place.

A *block* holds the edges into one topological generation (nodes whose
inputs are all computed in earlier generations):

- dense: a matrix ``W`` of shape (n_sources, width), a view into the vector,
  used when the edges fill enough of it (slots without an edge stay 0 and
  are masked out of training);
- sparse: one slot per edge, in target-then-source order, so that the slots
  are the ``data`` of a CSR matrix (targets × all earlier columns).
"""
from dataclasses import dataclass, field

import networkx as nx
import numpy as np

#: A generation's edges go in a dense block when they fill at least this
#: fraction of the (sources × targets) matrix.
DENSE_MIN_FILL = 0.2


def _as_index(cols):
    """A slice when ``cols`` is a contiguous ascending run, else an index array."""
    cols = np.asarray(cols, dtype=np.intp)
    if len(cols) and np.array_equal(cols, np.arange(cols[0], cols[0] + len(cols))):
        return slice(int(cols[0]), int(cols[0]) + len(cols))
    return cols


@dataclass
class Block:
    """The nodes of one generation, columns ``start:stop``, and the edges into them."""

    start: int
    stop: int
    activations: list          # [(name, columns as slice or index array)]
    dense: bool
    offset: int = 0            # first weight slot
    # dense
    sources: object = None     # source columns: slice or index array
    shape: tuple = ()
    # sparse: edges sorted by target, then source
    src: np.ndarray = None     # source column of each edge
    dst: np.ndarray = None     # local target index (0..width-1) of each edge
    indptr: np.ndarray = None  # CSR row pointers: the edges into target k are indptr[k]:indptr[k+1]
    weights: np.ndarray = field(default=None, repr=False)   # view into params, set by Layout

    @property
    def n_slots(self):
        return self.shape[0] * self.shape[1] if self.dense else len(self.src)


class Layout:
    """Columns, blocks and slots of one network; built once per structure.

    Attributes
    ----------
    nodes : list
        Node names in column order.
    column : dict
        Node name -> column.
    blocks : list of Block
    edge_slot : dict
        ``(i, j)`` -> slot of w_{i→j} in the parameter vector.
    bias_slot : dict
        Node -> slot of b_j (nodes with a bias only).
    n_params : int
        Length of the parameter vector (padding slots included).
    mask : ndarray of shape (n_params,)
        1.0 for a trainable parameter, 0.0 for padding, fixed or absent ones.
    """

    def __init__(self, G, inputs, outputs):
        generations = list(nx.topological_generations(G))
        order = list(inputs)
        input_set = set(inputs)
        position = {n: k for k, n in enumerate(G)}  # graph order within a generation
        first = sorted((n for n in generations[0] if n not in input_set), key=position.get)
        self.constants = first           # non-inputs without predecessors: s = b
        order += first
        later = [sorted(gen, key=position.get) for gen in generations[1:]]
        for gen in later:
            order += gen
        self.nodes = order
        self.column = {n: k for k, n in enumerate(order)}
        self.n_inputs = len(inputs)
        self.n_nodes = len(order)
        self.inputs = list(inputs)
        self.outputs = list(outputs)
        self.output_columns = np.array([self.column[o] for o in outputs], dtype=np.intp)
        self.activation = {n: G.nodes[n]["activation"] for n in order}

        self.blocks = []
        self.edge_slot = {}
        offset = 0
        start = self.n_inputs + len(first)
        for gen in later:
            block = self._block(G, gen, start, offset)
            self.blocks.append(block)
            offset += block.n_slots
            start = block.stop
        self.n_weight_slots = offset
        self.n_params = offset + self.n_nodes
        self.bias_slot = {n: offset + self.column[n] for n in order if G.nodes[n].get("bias") is not None}
        self.const_activations = self._groups(first, self.n_inputs)

        self.mask = np.zeros(self.n_params)
        for (u, v), slot in self.edge_slot.items():
            self.mask[slot] = 1.0 if G.edges[u, v].get("trainable", True) else 0.0
        for n, slot in self.bias_slot.items():
            self.mask[slot] = 1.0 if G.nodes[n].get("trainable", True) else 0.0
        # Training can skip the mask when every slot but the inputs' (unused) bias slots is trainable.
        beyond_inputs = np.r_[self.mask[:self.n_weight_slots], self.mask[self.n_weight_slots + self.n_inputs:]]
        self.mask_needed_in_training = not bool(np.all(beyond_inputs == 1.0))
        self.has_fixed = bool(
            any(not d.get("trainable", True) for _, _, d in G.edges(data=True))
            or any(not G.nodes[n].get("trainable", True) for n in self.bias_slot))

    def _groups(self, nodes, start):
        """[(activation, columns as slice or index array)] for ``nodes`` in columns from ``start``."""
        by_name = {}
        for k, n in enumerate(nodes):
            by_name.setdefault(self.activation[n], []).append(start + k)
        return [(name, _as_index(ks)) for name, ks in by_name.items()]

    def _block(self, G, gen, start, offset):
        stop = start + len(gen)
        col = self.column
        src, dst = [], []
        for v in gen:
            for u in G.predecessors(v):
                src.append(col[u])
                dst.append(col[v] - start)
        src = np.array(src, dtype=np.intp)
        dst = np.array(dst, dtype=np.intp)
        sources = np.unique(src)
        fill = len(src) / (len(sources) * len(gen))
        block = Block(start, stop, self._groups(gen, start), dense=fill >= DENSE_MIN_FILL, offset=offset)
        names = self.nodes
        if block.dense:
            row = np.searchsorted(sources, src)
            block.sources = _as_index(sources)
            block.shape = (len(sources), len(gen))
            slots = offset + row * len(gen) + dst
        else:
            order = np.lexsort((src, dst))              # by target, then source
            src, dst = src[order], dst[order]
            block.src, block.dst = src, dst
            block.indptr = np.searchsorted(dst, np.arange(len(gen) + 1)).astype(np.intp)
            slots = offset + np.arange(len(src))
        for s, d, slot in zip(src.tolist(), dst.tolist(), slots.tolist()):
            self.edge_slot[(names[s], names[start + d])] = slot
        return block

    def bind(self, params):
        """Point every block's weights at its part of ``params`` (shape (n_params,))."""
        for b in self.blocks:
            w = params[b.offset:b.offset + b.n_slots]
            b.weights = w.reshape(b.shape) if b.dense else w
        self.bias = params[self.n_weight_slots:]

    def read(self, G):
        """A parameter vector holding the weights and biases stored in graph ``G``."""
        params = np.zeros(self.n_params)
        for (u, v), slot in self.edge_slot.items():
            params[slot] = G.edges[u, v]["weight"]
        for n, slot in self.bias_slot.items():
            params[slot] = G.nodes[n]["bias"]
        return params

    def write(self, params, G):
        """Store the values of ``params`` into the attributes of graph ``G``."""
        values = params.tolist()
        for (u, v), slot in self.edge_slot.items():
            G.edges[u, v]["weight"] = values[slot]
        for n, slot in self.bias_slot.items():
            G.nodes[n]["bias"] = values[slot]

    def parameter_name(self, slot):
        """A readable name for ``slot``: ``"w[a -> b]"`` or ``"b[h.0]"``."""
        if not hasattr(self, "_names"):
            self._names = {s: f"w[{u!r} -> {v!r}]" for (u, v), s in self.edge_slot.items()}
            self._names.update({s: f"b[{n!r}]" for n, s in self.bias_slot.items()})
        return self._names.get(slot, f"slot {slot}")
