"""What a dynamic sparse run did, as plain data: densities over time, the skips it grew, how far they jump.

The *jump* of a connection is the generation (layer, as it was when
training started) of its target minus that of its source: 1 joins adjacent
layers, 2 or more is a skip over layers, 0 joins two perceptrons of one
layer. :func:`summary` gathers it all JSON-ready; :mod:`.pictures` draws it.

Examples
--------
>>> import dagnet, numpy as np
>>> from dagnet import datasets
>>> from dagnet.sparse import RigL
>>> X, Y = datasets.load("blobs", n_samples=200, seed=0)
>>> net = dagnet.generate.generate("mlp", sizes=[16, 16], outputs=3, density=0.3, seed=0)
>>> rigl = RigL(every=10, seed=0)
>>> _ = net.fit(X, Y, epochs=5, batch_size=20, optimizer="adam", lr=0.01, callback=rigl, verbose=False)
>>> s = summary(rigl)
>>> s["updates"], s["weights"] == len(net.plan.edges), sorted(s["grown_by_jump"]) == sorted(set(s["grown_by_jump"]))
(3, True, True)
"""
import numpy as np


def jumps(callback, pairs):
    """The jump (target's generation − source's, at the start) of each pair of ranks, shape (k,)."""
    pairs = np.asarray(pairs, dtype=np.intp).reshape(-1, 2)
    generation = callback.space.generation
    return generation[pairs[:, 1]] - generation[pairs[:, 0]]


def density_over_time(callback):
    """(steps, density): the update steps (0 = the start) and each perceptron's fan-in density then.

    ``density`` has shape (n_updates + 1, n_nodes) by rank: in-degree over
    the number of candidate sources (NaN for the inputs, which have none).
    """
    possible = callback.space.possible_fan_in().astype(float)
    possible[possible == 0] = np.nan
    fan_in = np.vstack([callback.initial_fan_in] + [r["fan_in"] for r in callback.log])
    steps = np.array([0] + [r["step"] for r in callback.log])
    return steps, fan_in / possible


def layer_density_over_time(callback):
    """``{generation: [density at each update]}``: each layer's share of its candidates, by target layer."""
    steps, density = density_over_time(callback)
    possible = callback.space.possible_fan_in()
    generation = callback.space.generation
    out = {}
    for g in np.unique(generation[possible > 0]).tolist():
        members = (generation == g) & (possible > 0)
        out[g] = (np.nansum(density[:, members] * possible[members], axis=1) / possible[members].sum()).tolist()
    return out


def summary(callback, seconds_per_epoch=None):
    """The run at a glance, JSON-ready.

    Keys: ``method``, ``candidates``, ``weights``, ``updates``, ``dropped``
    and ``grown`` (totals), ``grown_by_jump`` (``{jump: count}``), ``skips_grown``
    (jump >= 2), ``lateral_grown`` (jump 0), ``longest_jump``,
    ``update_seconds`` (median), and with ``seconds_per_epoch`` the update's
    share of an epoch (``update_share_of_epoch``).
    """
    grown = np.concatenate([r["grown"] for r in callback.log]) if callback.log else np.empty((0, 2), int)
    jump = jumps(callback, grown)
    values, counts = np.unique(jump, return_counts=True)
    seconds = [r["seconds"] for r in callback.log]
    out = {"method": type(callback).__name__, "candidates": callback.candidates,
           "weights": callback.target, "updates": len(callback.log),
           "dropped": int(sum(len(r["dropped"]) for r in callback.log)), "grown": int(len(grown)),
           "grown_by_jump": {int(v): int(c) for v, c in zip(values, counts)},
           "skips_grown": int((jump >= 2).sum()), "lateral_grown": int((jump == 0).sum()),
           "longest_jump": int(jump.max()) if len(jump) else None,
           "update_seconds": float(np.median(seconds)) if seconds else None}
    if seconds_per_epoch and seconds:
        out["update_share_of_epoch"] = out["update_seconds"] / seconds_per_epoch
    return out
