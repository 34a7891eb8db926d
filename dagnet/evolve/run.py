"""A run: neat-python's ``Population`` with dagnet's evaluator, recorder and checkpointer plugged in.

neat-python's loop (evaluate, check, reproduce, speciate) is used as it
is; dagnet adds the fitness function (:class:`~.generation.Evaluator`)
and two reporters (:class:`~.records.Recorder`, :class:`~.checkpoints.Checkpointer`).
Ctrl-C stops the run and keeps the champion so far; ``resume=True`` goes
on from the newest checkpoint in the folder and ends with the champion an
uninterrupted run would have found.
"""
import hashlib
import json
import math
import os
import time
from dataclasses import dataclass

import numpy as np

from ..files import atomic_write, read_text
from ..interchange import MissingDependency, require
from . import checkpoints, neatconfig, outputs
from .fitness import Split
from .generation import Evaluator, connect
from .neatconfig import CONFIG_NAME, EvolveError
from .records import Recorder
from .settings import Settings

RUN_JSON = "run.json"

#: The largest number of generations a run takes.
MAX_GENERATIONS = 1_000_000


@dataclass
class Outcome:
    """What :func:`evolve` returns: the champion three ways and how the run went."""

    genome: object            # neat-python genome, trained values written in
    network: object           # dagnet.Network
    config: object            # neat.Config
    summary: dict
    history: list             # a dict per generation (the columns of history.csv)
    interrupted: bool


def split(X, Y, fraction, seed):
    """A :class:`Split`: ``fraction`` of the rows (seeded) held out to score fitness; 0 scores on all."""
    if not fraction:
        return Split(X, Y, X, Y)
    n_score = int(round(len(X) * fraction))
    if n_score < 1 or n_score >= len(X):
        raise EvolveError(f"validation {fraction:g} of {len(X)} samples leaves no "
                          f"{'validation' if n_score < 1 else 'training'} samples")
    order = np.random.default_rng(seed).permutation(len(X))
    held, kept = np.sort(order[:n_score]), np.sort(order[n_score:])
    return Split(X[kept], Y[kept], X[held], Y[held])


def _arrays(X, Y):
    X, Y = np.asarray(X, dtype=np.float64), np.asarray(Y, dtype=np.float64)
    Y = Y.reshape(len(Y), -1) if Y.ndim == 1 else Y
    if X.ndim != 2 or Y.ndim != 2 or len(X) != len(Y) or not len(X):
        raise EvolveError(f"expected X (n_samples, n_inputs) and Y (n_samples, n_outputs) with the same "
                          f"n_samples > 0, got {X.shape} and {Y.shape}")
    if not (np.all(np.isfinite(X)) and np.all(np.isfinite(Y))):
        raise EvolveError("X and Y must be finite numbers")
    return X, Y


def fingerprint(X, Y):
    """A short hash of the data, so that a run resumes only on the data it began with."""
    return hashlib.sha256(X.tobytes() + b"|" + Y.tobytes()).hexdigest()[:16]


def _config_text(config, X, Y):
    if config is None:
        return neatconfig.default_text(X.shape[1], Y.shape[1])
    text = read_text(os.fspath(config), EvolveError, what="neat-python config file")
    neatconfig.check_text(text, os.fspath(config))
    return text


def _start(folder, config, X, Y, settings, generations, resume, log):
    """Write or check run.json and the config file; return (neat Config, settings, resumed generation)."""
    os.makedirs(folder, exist_ok=True)
    run_path, config_path = os.path.join(folder, RUN_JSON), os.path.join(folder, CONFIG_NAME)
    data = fingerprint(X, Y)
    if resume and os.path.exists(run_path) and checkpoints.latest(folder) is not None:
        stored = json.loads(read_text(run_path, EvolveError, what="run file"))
        if stored.get("data") != data:
            raise EvolveError("these are not the data the run began with: resume with the same data",
                              source=run_path)
        settings = Settings(**stored["settings"])
        generation = checkpoints.latest(folder)
        log(f"resuming {folder} at generation {generation}")
        return neatconfig.read(config_path), settings, generation
    if resume:
        log(f"nothing to resume in {folder}: starting a new run")
    text = _config_text(config, X, Y)
    neatconfig.write_config(config_path, text)
    neat_config = neatconfig.read(config_path)
    neatconfig.check_sizes(neat_config, X.shape[1], Y.shape[1], source=os.fspath(config or config_path))
    for name in checkpoints.generations(folder):   # an old run's checkpoints would be resumed later
        for prefix in (checkpoints.NEAT_PREFIX, checkpoints.STATE_PREFIX):
            path = os.path.join(folder, f"{prefix}{name}")
            if os.path.exists(path):
                os.unlink(path)
    record = {"settings": settings.as_dict(), "generations": generations, "data": data}
    atomic_write(run_path, lambda f: f.write(json.dumps(record, indent=2) + "\n"))
    return neat_config, settings, None


def evolve(X, Y, out, config=None, settings=None, generations=50, n_jobs=1, scheduler=None, resume=False,
           test=None, pictures=True, log=print):
    """Evolve topologies with neat-python, training every genome by backpropagation; write ``out``.

    Parameters
    ----------
    X : array of shape (n_samples, n_inputs)
    Y : array of shape (n_samples, n_outputs)
        0/1 targets for classification (one column per output).
    out : str or path
        The run's folder (created): config, checkpoints, champion, history, pictures.
    config : str, path or None
        A neat-python config file for DefaultGenome; None writes the default
        (see :mod:`dagnet.evolve.neatconfig`).
    settings : Settings or None
        How each genome is trained and scored (default ``Settings()``).
    generations : int
        At most this many generations (fewer when the config's fitness threshold is reached).
    n_jobs, scheduler
        Where genomes train: this process (1), joblib processes (-1: every
        core), or a Dask scheduler's address or client.
    resume : bool
        Go on from the newest checkpoint in ``out`` (its stored settings apply).
    test : (X_test, Y_test) or None
        Data never seen by the run, on which the champion is scored at the end.
    pictures : bool
        Draw the pictures (when matplotlib is installed).
    log : callable
        Receives a progress line per generation and notes.

    Returns
    -------
    Outcome
    """
    neat = require("neat", "evolving networks")
    version = getattr(neat, "__version__", "0")
    if int(version.split(".")[0]) < 2:
        raise MissingDependency(f"evolving networks needs neat-python 2.0 or later, not {version}: "
                                f'pip install -U "neat-python>=2"')
    X, Y = _arrays(X, Y)
    if isinstance(generations, bool) or not isinstance(generations, int) or not 1 <= generations <= MAX_GENERATIONS:
        raise EvolveError(f"generations must be a whole number in [1, {MAX_GENERATIONS:,}], got {generations!r}")
    folder = os.fspath(out)
    neat_config, settings, resumed = _start(folder, config, X, Y, settings or Settings(), generations, resume, log)
    data = split(X, Y, settings.validation, settings.seed)
    if settings.fitness == "accuracy" and not data.classification:
        raise EvolveError("fitness 'accuracy' needs 0/1 targets (one column per class); for other targets "
                          "score genomes by their loss (fitness='loss')")
    client, owned = connect(scheduler)
    try:
        return _run(neat, folder, neat_config, settings, resumed, data, generations, n_jobs, client, test,
                    pictures, log)
    finally:
        if owned:
            client.close()


def _run(neat, folder, neat_config, settings, resumed, data, generations, n_jobs, scheduler, test, pictures, log):
    evaluator = Evaluator(data, settings, n_jobs=n_jobs, scheduler=scheduler, log=log)
    recorder = Recorder(evaluator, log=log)
    if resumed is None:
        population = neat.Population(neat_config, seed=settings.seed)
    else:
        population, state = checkpoints.restore(folder, resumed)
        recorder.restore(state)
        neat_config = population.config
    population.add_reporter(recorder)
    population.add_reporter(checkpoints.Checkpointer(folder, recorder))
    started, interrupted = time.perf_counter(), False
    remaining = generations - population.generation
    solved = recorder.solved_at is not None
    try:
        if remaining > 0 and not solved:
            population.run(evaluator, remaining)
    except KeyboardInterrupt:
        interrupted = True
        log("interrupted: keeping the champion so far")
    except neat.CompleteExtinctionException:
        raise EvolveError("every species went extinct (set reset_on_extinction = True in the config "
                          "to start again from scratch)") from None
    except RuntimeError as err:      # neat-python's own refusals, such as more species than room for them
        raise EvolveError(f"neat-python stopped: {str(err).splitlines()[0]}") from None
    if recorder.champion is None:
        raise KeyboardInterrupt if interrupted else EvolveError("no generation was evaluated")
    seconds = time.perf_counter() - started
    summary = outputs.write(folder, population.config, recorder, settings, data, test=test,
                            summary={"seconds": seconds, "interrupted": interrupted},
                            draw=pictures, log=log)
    genome = outputs.trained_champion(recorder)
    return Outcome(genome, outputs.champion_network(genome, population.config, settings), population.config,
                   summary, recorder.rows, interrupted)
