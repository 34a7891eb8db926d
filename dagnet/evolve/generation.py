"""A generation's evaluation: genomes in batches, on the sweeps' executors, results put back in order.

:class:`Evaluator` is the fitness function neat-python's
``Population.run`` calls with a generation's ``(key, genome)`` pairs. It
cuts them into batches (a genome per task is too fine for processes or a
cluster), runs the batches serially, in joblib worker processes or on a
Dask cluster through :func:`dagnet.sweep.execution.execute`, and, in the
population's own order whatever order batches finish in, sets each
genome's fitness and (Lamarckian runs) writes its trained values back.
Seeds depend on the run's seed, the generation and the genome's key only,
so the results are bit-identical for every executor and worker count.
"""
import math
import random

from ..interchange import MissingDependency
from ..sweep.execution import execute, workers
from ..text import one_line
from .fitness import Batch, evaluate
from .neatconfig import EvolveError
from .phenotype import plain, write_back
from .settings import genome_seed


def connect(scheduler):
    """``(client, owned)``: a Dask client for a scheduler's address, made once for the whole run
    (a client given stays the caller's); None stays None."""
    if not isinstance(scheduler, str):
        return scheduler, False
    try:
        from dask.distributed import Client
    except ImportError:
        raise MissingDependency('a Dask scheduler needs dask.distributed: pip install "dagnet[dask]"') from None
    try:
        return Client(scheduler, timeout=30), True
    except (OSError, TimeoutError) as err:
        raise EvolveError(f"cannot reach the Dask scheduler at {scheduler}: {one_line(err)}") from None


def batches(items, n_batches):
    """``items`` cut into ``n_batches`` consecutive runs of nearly equal length (none empty).

    >>> batches(list(range(7)), 3)
    [[0, 1, 2], [3, 4], [5, 6]]
    """
    n_batches = max(1, min(n_batches, len(items)))
    size, extra = divmod(len(items), n_batches)
    out, start = [], 0
    for k in range(n_batches):
        stop = start + size + (k < extra)
        out.append(items[start:stop])
        start = stop
    return out


class Evaluator:
    """The fitness function of a run: ``evaluator(genomes, config)`` as neat-python calls it.

    Parameters
    ----------
    data : dagnet.evolve.fitness.Split
    settings : Settings
    n_jobs : int
        Worker processes (joblib; -1: every core; 1: this process).
    scheduler : str, distributed.Client or None
        A Dask scheduler (address or client) to run the batches on.
    tasks_per_worker : int
        Batches per worker and generation: a few, so that a slow batch does
        not hold the others up.
    log : callable
        Receives notes from the executors.
    """

    def __init__(self, data, settings, n_jobs=1, scheduler=None, tasks_per_worker=4, log=print):
        self.data, self.settings = data, settings
        self.n_jobs, self.scheduler, self.log = n_jobs, scheduler, log
        self.tasks_per_worker = tasks_per_worker
        self.generation = 0
        #: key -> Result of the latest generation evaluated
        self.results = {}

    def n_batches(self, n_genomes):
        if self.scheduler is not None:
            return max(1, math.ceil(n_genomes / 10))
        return workers(self.n_jobs, n_genomes) * self.tasks_per_worker if self.n_jobs != 1 else 1

    def __call__(self, genomes, config):
        genome_config = config.genome_config
        items = [(key, plain(genome, genome_config), genome_seed(self.settings.seed, self.generation, key))
                 for key, genome in genomes]
        tasks = [Batch(k, part, self.data, self.settings)
                 for k, part in enumerate(batches(items, self.n_batches(len(items))))]
        done = {}
        # neat-python draws from Python's global random; a Dask client draws from it too (in this
        # process): keep neat-python's sequence the same whoever runs the batches
        state = random.getstate()
        try:
            for run_id, results in execute(tasks, n_jobs=self.n_jobs, scheduler=self.scheduler, log=self.log,
                                           work=evaluate):
                done[run_id] = results
        finally:
            random.setstate(state)
        self.results = {}
        by_key = dict(genomes)
        for k in range(len(tasks)):
            for result in done[k]:
                genome = by_key[result.key]
                genome.fitness = result.fitness
                if result.values is not None:
                    write_back(genome, result.values)
                self.results[result.key] = result
