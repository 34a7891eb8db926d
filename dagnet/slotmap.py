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
        """The map from ``old_plan``'s slots to ``new_plan``'s, matched by edge and node name."""
        new_edge, new_bias = new_plan.edge_slot, new_plan.bias_slot
        pairs = [(s, new_edge[e]) for e, s in old_plan.edge_slot.items() if e in new_edge]
        pairs += [(s, new_bias[n]) for n, s in old_plan.bias_slot.items() if n in new_bias]
        old, new = np.array(pairs, dtype=np.intp).reshape(-1, 2).T
        return cls(old, new, old_plan.n_params, new_plan.n_params)

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
