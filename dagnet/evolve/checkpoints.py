"""Checkpoints a run can resume from after ``kill -9``: neat-python's own, plus the run's record.

At the end of every generation :class:`Checkpointer` writes, each file
atomically (:func:`dagnet.files.atomic_write`), first ``evolve-state-N``
(the :class:`~dagnet.evolve.records.Recorder`'s state and the random
state) and then ``neat-checkpoint-N``, in neat-python's format: the gzip'd
pickle of ``(generation, config, population, species_set, random state)``
that ``neat.Checkpointer.restore_checkpoint`` reads. N is the next
generation to evaluate. :func:`latest` finds the newest N with both files;
a kill between the two leaves the older pair, which is whole.

Pickling neat-python's genome config and species set takes a number from
their counters of node keys and species ids (their ``__getstate__`` calls
``next``); the checkpointer puts the numbers back, so that a run that
checkpoints numbers its new nodes and species as one restored from the
checkpoint does.

These files are pickles: :func:`restore` reads only a run's own folder.
"""
import gzip
import itertools
import os
import pickle
import random
import re

from ..files import atomic_write
from .records import Reporter

NEAT_PREFIX, STATE_PREFIX = "neat-checkpoint-", "evolve-state-"


def _pickled(data, counters):
    """``pickle.dumps(data)``, leaving every ``(object, attribute)`` counter in ``counters`` where it was."""
    following = []
    for owner, name in counters:
        indexer = getattr(owner, name, None)
        following.append(None if indexer is None else next(indexer))
    try:
        for (owner, name), value in zip(counters, following):
            if value is not None:
                setattr(owner, name, itertools.count(value))
        return pickle.dumps(data, protocol=pickle.HIGHEST_PROTOCOL)
    finally:
        for (owner, name), value in zip(counters, following):
            if value is not None:
                setattr(owner, name, itertools.count(value))


class Checkpointer(Reporter):
    """Writes a resumable checkpoint after every generation into ``folder``; keeps the newest ``keep``."""

    def __init__(self, folder, recorder, keep=2):
        self.folder, self.recorder, self.keep = folder, recorder, keep
        self.generation = 0

    def start_generation(self, generation):
        self.generation = generation

    def end_generation(self, config, population, species_set):
        following = self.generation + 1
        rng = random.getstate()
        state = {"recorder": self.recorder.state(), "random": rng, "generation": following}
        atomic_write(os.path.join(self.folder, f"{STATE_PREFIX}{following}"),
                     lambda f: pickle.dump(state, f, protocol=pickle.HIGHEST_PROTOCOL), mode="wb")
        reporters, species_set.reporters = species_set.reporters, None   # restore attaches the new run's
        try:
            data = _pickled((following, config, population, species_set, rng),
                            [(config.genome_config, "node_indexer"), (species_set, "indexer")])
        finally:
            species_set.reporters = reporters

        def write(f):
            with gzip.GzipFile(fileobj=f, mode="wb", compresslevel=5, mtime=0) as z:
                z.write(data)
        atomic_write(os.path.join(self.folder, f"{NEAT_PREFIX}{following}"), write, mode="wb")
        for old in sorted(generations(self.folder))[:-self.keep]:
            for prefix in (NEAT_PREFIX, STATE_PREFIX):
                try:
                    os.unlink(os.path.join(self.folder, f"{prefix}{old}"))
                except FileNotFoundError:
                    pass


def generations(folder):
    """The generations N with both ``neat-checkpoint-N`` and ``evolve-state-N`` in ``folder``."""
    try:
        names = set(os.listdir(folder))
    except FileNotFoundError:
        return []
    found = []
    for name in names:
        match = re.fullmatch(re.escape(NEAT_PREFIX) + r"(\d+)", name)
        if match and f"{STATE_PREFIX}{match.group(1)}" in names:
            found.append(int(match.group(1)))
    return found


def latest(folder):
    """The newest generation to resume from in ``folder``, or None."""
    found = generations(folder)
    return max(found) if found else None


def restore(folder, generation):
    """``(population, recorder state)`` restored from ``folder``'s checkpoint ``generation``.

    The random state is set as it was when the checkpoint was written (after
    neat-python's restore, which may reseed it from the config's ``seed``).
    """
    import neat
    population = neat.Checkpointer.restore_checkpoint(os.path.join(folder, f"{NEAT_PREFIX}{generation}"))
    with open(os.path.join(folder, f"{STATE_PREFIX}{generation}"), "rb") as f:
        state = pickle.load(f)
    random.setstate(state["random"])
    return population, state["recorder"]
