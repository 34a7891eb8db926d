"""A rewire that keeps every node's generation, done as a merge: the new plan without a recompile.

Dynamic sparse training swaps a few thousand of a network's edges every
few hundred updates and, almost always, every perceptron keeps its
generation (its layer): the plan's columns and steps stay, and only the
edges inside the steps change. The plan's edges in slot order are sorted
by step, then by (target, source) in a :class:`~dagnet.plan.SparseStep`
and by their place in the matrix of a :class:`~dagnet.plan.DenseStep`, so
the new plan is the old edge list with the removed edges taken out and the
added ones merged in, in one pass of array operations: no generations
computed, no step compiled anew, no lookup by name. :func:`swapped`
returns exactly the plan :meth:`dagnet.plan.Plan.rewired` compiles (the
same steps, slots, mask and wiring) and the
:class:`~dagnet.slotmap.SlotMap` that :meth:`dagnet.Network.rewire` would
derive, or None when the edit is not of that kind (a generation moves, a
step would change kind or a dense step its rows, an edge is absent or
present twice: the full recompile then decides, and names any error).

Examples
--------
>>> import dagnet
>>> net = dagnet.load("topologies/xor_2_2_1.yaml", seed=0)
>>> plan, c = net.plan, net.plan.column
>>> new, slots = swapped(plan, remove=[(c["a"], c["h.0"])])
>>> len(new.edges), len(slots.old_slots)                 # 5 edges left: their weights and 3 biases carried
(5, 8)
>>> back, _ = swapped(new, add=[(c["a"], c["h.0"])])     # in again, at its old slot (h.0's dense step)
>>> back.slots_of([(c["a"], c["h.0"])]) == plan.slots_of([(c["a"], c["h.0"])])
array([ True])
>>> swapped(plan, add=[(c["h.0"], c["h.1"])]) is None          # h.1 would move a layer up: recompile
True
"""
import dataclasses

import numpy as np

from .plan import DENSE_MIN_FILL, DenseStep, SparseStep, frozen
from .slotmap import SlotMap


def _pairs(edges):
    return np.asarray(edges, dtype=np.intp).reshape(-1, 2)


def swapped(plan, remove=(), add=(), trainable=True):
    """(the rewired plan, the SlotMap) when every generation and every step's kind stay; else None.

    ``remove``, ``add``: (source column, target column) pairs of ``plan``;
    see :meth:`dagnet.plan.Plan.rewired` and :meth:`dagnet.Network.rewire`
    (removed-and-added edges start anew: they are not in the SlotMap).
    """
    steps, n, E = plan.steps, plan.n_nodes, len(plan.edges)
    remove, add = _pairs(remove), _pairs(add)
    if not steps or (len(remove) and (remove.min() < 0 or remove.max() >= n)) \
            or (len(add) and (add.min() < 0 or add.max() >= n)):
        return None
    generation = plan.generation[plan.position]            # by column
    if len(add) and (generation[add[:, 0]] >= generation[add[:, 1]]).any():
        return None                                        # a generation would move (or a cycle, or into an input)
    old_slot = plan.slots_of(remove)
    row_of_slot = np.full(plan.n_weight_slots, -1, dtype=np.intp)
    row_of_slot[plan.edges[:, 2]] = np.arange(E)
    if (old_slot < 0).any():
        return None
    keep = np.ones(E, dtype=bool)
    keep[row_of_slot[old_slot]] = False
    if np.count_nonzero(~keep) != len(remove):             # an edge removed twice
        return None
    there = plan.slots_of(add)
    if (there >= 0).any() and keep[row_of_slot[there[there >= 0]]].any():
        return None                                        # an added edge is there (and stays)
    # each edge's step, and its place in the step: (target, source) in a sparse step, its slot in a dense one
    first_column = np.array([step.start for step in steps])
    step_of = np.searchsorted(first_column, np.arange(n), side="right") - 1
    dense = np.array([isinstance(step, DenseStep) for step in steps])
    local = np.zeros(n, dtype=np.intp)                     # a dense step's row of each source column
    src, dst = plan.edges[keep, 0], plan.edges[keep, 1]
    a_src, a_dst = add[:, 0], add[:, 1]
    step_a = step_of[a_dst]
    place_a = a_dst.astype(np.int64) * n + a_src
    for k in np.flatnonzero(dense).tolist():
        step = steps[k]
        sources = np.arange(step.start)[step.sources]
        local[:] = -1
        local[sources] = np.arange(len(sources))
        here = step_a == k
        if (local[a_src[here]] < 0).any():
            return None                                    # a new source: the dense step's rows change
        place_a[here] = local[a_src[here]] * (step.stop - step.start) + a_dst[here] - step.start
    # the survivors are in slot order: by step, then place; one merge puts the added ones in
    keys = np.concatenate([step_of[dst].astype(np.int64) * (n * n) + _places(plan, steps, dense, plan.edges[keep, 2],
                                                                              src, dst, step_of),
                           step_a.astype(np.int64) * (n * n) + place_a])
    if len(add) > 1 and not np.all(np.diff(np.sort(keys[len(src):])) > 0):
        return None                                        # an edge added twice
    order = np.argsort(keys, kind="stable")
    new_src = np.concatenate([src, a_src])[order]
    new_dst = np.concatenate([dst, a_dst])[order]
    fed = np.bincount(new_dst[generation[new_src] == generation[new_dst] - 1], minlength=n) > 0
    if (~fed & (generation > 0)).any():                    # a node lost its last in-edge from the layer below
        return None
    new_place = keys[order] % (n * n)
    bounds = np.searchsorted(new_dst, [[step.start, step.stop] for step in steps]).tolist()
    new_steps, slot, offset = [], np.empty(len(order), dtype=np.intp), 0
    for step, (a, b) in zip(steps, bounds):
        s, width = new_src[a:b], step.stop - step.start
        sources = np.count_nonzero(np.bincount(s, minlength=step.start)) if b > a else 0
        if not sources or (len(s) / (sources * width) >= DENSE_MIN_FILL) != isinstance(step, DenseStep):
            return None                                    # the recompile would change the step's kind
        if isinstance(step, DenseStep):
            if sources != step.shape[0]:
                return None                                # a source left: the rows change
            slot[a:b] = offset + new_place[a:b]
            new_steps.append(dataclasses.replace(step, offset=offset))
        else:
            d = frozen((new_dst[a:b] - step.start).astype(np.intp))
            indptr = np.concatenate([[0], np.cumsum(np.bincount(d, minlength=width))]).astype(np.intp)
            slot[a:b] = offset + np.arange(b - a)
            new_steps.append(SparseStep(step.start, step.stop, step.runs, offset,
                                        frozen(s.astype(np.intp)), d, frozen(indptr)))
        offset += new_steps[-1].n_slots
    return _assemble(plan, new_steps, offset, keep, row_of_slot, order, slot, new_src, new_dst, add, trainable)


def _places(plan, steps, dense, kept_slots, src, dst, step_of):
    """Each surviving edge's place in its step (see :func:`swapped`): in slot order, ascending per step."""
    place = dst.astype(np.int64) * plan.n_nodes + src
    in_dense = dense[step_of[dst]]
    if in_dense.any():
        offsets = np.array([step.offset for step in steps])
        place[in_dense] = kept_slots[in_dense] - offsets[step_of[dst[in_dense]]]
    return place


def _assemble(plan, steps, n_weight_slots, keep, row_of_slot, order, slot, new_src, new_dst, add, trainable):
    """The new plan and SlotMap from the merged edges (``slot``: the new slot of each, in merged order;
    ``row_of_slot``: the old plan's edge row of each weight slot)."""
    n, E = plan.n_nodes, len(plan.edges)
    survivors = np.count_nonzero(keep)
    slot_of = np.empty(len(order), dtype=np.intp)          # merged row -> new slot
    slot_of[order] = slot
    kept_rows = np.flatnonzero(keep)
    new_slot_of_row = np.full(E, -1, dtype=np.intp)
    new_slot_of_row[kept_rows] = slot_of[:survivors]
    # the wiring as Wiring.with_edges leaves it: the survivors in their order, then the added edges
    w, position = plan.wiring, plan.position
    wiring_rows = row_of_slot[plan.wiring_slot]
    stays = keep[wiring_rows]
    wiring = dataclasses.replace(
        w, src=np.concatenate([w.src[stays], position[add[:, 0]]]),
        dst=np.concatenate([w.dst[stays], position[add[:, 1]]]),
        trainable=np.concatenate([w.trainable[stays], np.full(len(add), bool(trainable))]))
    wiring_slot = np.concatenate([new_slot_of_row[wiring_rows[stays]], slot_of[survivors:]])
    old_weights = plan.n_weight_slots
    mask = np.zeros(n_weight_slots + n)
    mask[wiring_slot] = wiring.trainable
    mask[n_weight_slots:] = plan.mask[old_weights:]
    beyond_inputs = np.r_[mask[:n_weight_slots], mask[n_weight_slots + plan.n_inputs:]]
    new = object.__new__(type(plan))
    new.__dict__.update(plan.__dict__)
    new.__dict__.update(
        wiring=wiring, steps=tuple(steps), n_weight_slots=n_weight_slots, n_params=n_weight_slots + n,
        edges=frozen(np.column_stack([new_src, new_dst, slot]).astype(np.intp)),
        wiring_slot=frozen(wiring_slot), mask=frozen(mask), mask_needed=not bool(np.all(beyond_inputs == 1.0)),
        _edge_slot=None, _bias_slot=None, _names=None, _edge_keys=None, _known_runs=None)
    biased = np.flatnonzero(plan.has_bias)
    slots = SlotMap(np.concatenate([plan.edges[kept_rows, 2], old_weights + biased]).astype(np.intp),
                    np.concatenate([slot_of[:survivors], n_weight_slots + biased]).astype(np.intp),
                    plan.n_params, n_weight_slots + n)
    return new, slots
