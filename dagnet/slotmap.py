"""Where each parameter went when a network's structure changed: the old-slot -> new-slot map.

:meth:`dagnet.Network.restructure` returns a :class:`SlotMap`; anything kept
per parameter (an optimiser's moments, a mask of one's own) moves across
with :meth:`SlotMap.carry`, by edge and node name.
"""
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class SlotMap:
    """Where each surviving parameter moved in a restructure: ``new[new_slots] = old[old_slots]``.

    ``old_slots`` and ``new_slots`` are int arrays of equal length;
    ``n_old`` and ``n_new`` the lengths of the two parameter vectors.

    Examples
    --------
    >>> m = SlotMap(np.array([0, 2]), np.array([1, 0]), 3, 2)
    >>> m.carry(np.array([10.0, 11.0, 12.0]))
    array([12., 10.])
    """

    old_slots: np.ndarray
    new_slots: np.ndarray
    n_old: int
    n_new: int

    @classmethod
    def between(cls, old_plan, new_plan):
        """The map from ``old_plan``'s slots to ``new_plan``'s, matched by edge and node name.

        Array operations over the edges; node names are looked up once each.
        """
        if new_plan.nodes is old_plan.nodes:
            to_new = np.arange(old_plan.n_nodes)
        else:
            column = new_plan.column
            to_new = np.array([column.get(n, -1) for n in old_plan.nodes], dtype=np.intp)
        n_new = new_plan.n_nodes
        src, dst = to_new[old_plan.edges[:, 0]], to_new[old_plan.edges[:, 1]]
        kept = (src >= 0) & (dst >= 0)
        old_keys = np.where(kept, src * n_new + dst, -1)
        new_keys, by_key = new_plan.edge_keys()
        at = np.minimum(np.searchsorted(new_keys, old_keys), max(len(new_keys) - 1, 0))
        found = kept & (new_keys[at] == old_keys) if len(new_keys) else np.zeros(len(old_keys), bool)
        old_slots = [old_plan.edges[found, 2]]
        new_slots = [new_plan.edges[by_key[at[found]], 2]]
        biased = np.flatnonzero(old_plan.has_bias)
        moved = to_new[biased]
        stays = moved >= 0
        stays[stays] = new_plan.has_bias[moved[stays]]
        old_slots.append(old_plan.n_weight_slots + biased[stays])
        new_slots.append(new_plan.n_weight_slots + moved[stays])
        return cls(np.concatenate(old_slots).astype(np.intp), np.concatenate(new_slots).astype(np.intp),
                   old_plan.n_params, new_plan.n_params)

    def without(self, old_slots):
        """This map without the old slots ``old_slots`` (their parameters start anew)."""
        keep = ~np.isin(self.old_slots, old_slots)
        return SlotMap(self.old_slots[keep], self.new_slots[keep], self.n_old, self.n_new)

    def carry(self, values, fill=0.0):
        """``values`` of shape (n_old, ...) moved to the new slots, shape (n_new, ...); new ones ``fill``."""
        values = np.asarray(values)
        if values.shape[:1] != (self.n_old,):
            raise ValueError(f"expected an array of {self.n_old} values (one per old slot), "
                             f"got shape {values.shape}")
        out = np.full((self.n_new,) + values.shape[1:], fill, dtype=values.dtype)
        out[self.new_slots] = values[self.old_slots]
        return out


def carry_state(optimizer, slots, mask):
    """Move ``optimizer.state`` across a restructure; zero the state of fixed slots (``mask`` 0)."""
    for name, array in list(optimizer.state.items()):
        if isinstance(array, np.ndarray) and array.shape == (slots.n_old,):
            optimizer.state[name] = slots.carry(array) * mask
