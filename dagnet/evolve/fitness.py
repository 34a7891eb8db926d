"""One batch of genomes, as a worker process (or a Dask worker) evaluates it: build, train, score.

A :class:`Batch` is plain picklable data: genomes as
:class:`~dagnet.interchange.neat_folding.Genome` records with their
training seeds, the data already split, and the :class:`Settings`. Its
:class:`Result` per genome carries the fitness, the measures the run
records, and (Lamarckian runs) the trained values in neat-python's units
to write back. Nothing here depends on which process runs it.

Examples
--------
>>> import numpy as np
>>> from dagnet.interchange.neat_folding import Genome
>>> X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]]); Y = np.array([[0.0], [1.0], [1.0], [1.0]])
>>> g = Genome([-1, -2], [0], {0: ("sigmoid", "sum", 0.0, 1.0)}, [(-1, 0, 0.1, True), (-2, 0, 0.1, True)])
>>> data = Split(X, Y, X, Y)
>>> run_id, (result,) = evaluate(Batch(0, [(1, g, 7)], data, Settings(epochs=300, lr=0.1, validation=0)))
>>> result.key, result.accuracy, result.hidden, result.connections      # OR, learned
(1, 1.0, 0, 2)
"""
import math
from dataclasses import dataclass

import numpy as np

from .. import metrics
from ..training import TrainingDiverged
from .phenotype import Networks, complexity, loss_for, unfold
from .settings import Settings


@dataclass(frozen=True)
class Split:
    """The data a run evolves on: training rows, and the held-out rows that score fitness."""

    X: np.ndarray
    Y: np.ndarray
    X_score: np.ndarray
    Y_score: np.ndarray

    @property
    def classification(self):
        return bool(np.all((self.Y == 0) | (self.Y == 1)))


@dataclass(frozen=True)
class Batch:
    """Genomes to evaluate together: ``genomes`` is a list of ``(key, Genome, seed)``."""

    run_id: int
    genomes: list
    data: Split
    settings: Settings


@dataclass(frozen=True)
class Result:
    """One genome's evaluation; ``values`` is None unless the run is Lamarckian."""

    key: int
    fitness: float
    accuracy: float
    loss: float
    hidden: int
    connections: int
    epochs: int
    diverged: bool
    values: object = None


def score(net, X, Y, classification):
    """(accuracy or NaN, loss) of ``net`` on ``X``, ``Y``; the loss is inf where it is not finite."""
    trace = net.forward(X)
    Y = net.targets(Y)
    loss = float(net.loss_function.value(trace.output_sums, trace.outputs, Y))
    accuracy = metrics.accuracy(metrics.labels(Y), metrics.classes(trace.outputs)) if classification \
        else math.nan
    return accuracy, loss if math.isfinite(loss) else math.inf


#: This process's networks by structure (a worker keeps them from one generation to the next).
NETWORKS = Networks()


def evaluate_one(key, g, seed, data, settings):
    """Train the network of genome ``g`` (key ``key``) from ``seed`` and score it: a :class:`Result`."""
    net = NETWORKS.network(g, loss=loss_for(g, settings.loss))
    diverged, epochs = False, settings.epochs
    # one batch holding every sample: its order changes nothing but rounding, so it is not shuffled
    batched = settings.batch_size is not None and settings.batch_size < len(data.X)
    if epochs:
        try:
            net.fit(data.X, data.Y, epochs=epochs, lr=settings.lr, optimizer=settings.optimizer,
                    batch_size=settings.batch_size, shuffle=batched, seed=seed,
                    verbose=False)
        except TrainingDiverged as err:   # the network keeps its last finite weights
            diverged, epochs = True, err.history.epochs
    accuracy, loss = score(net, data.X_score, data.Y_score, data.classification)
    hidden, connections = complexity(net)
    fitness = accuracy if settings.fitness == "accuracy" else -loss
    fitness = fitness - settings.complexity * connections
    if not math.isfinite(fitness):
        fitness = -1e30
    values = unfold(g, net) if settings.lamarckian and settings.epochs else None
    return Result(key, float(fitness), accuracy, loss, hidden, connections, epochs, diverged,
                  values)


def evaluate(batch):
    """``(run_id, [Result, ...])`` for a :class:`Batch`, in the batch's order (the executors' work)."""
    return batch.run_id, [evaluate_one(key, g, seed, batch.data, batch.settings)
                          for key, g, seed in batch.genomes]
