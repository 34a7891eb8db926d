"""What a run remembers: a row per generation, species sizes, the champion so far, progress lines.

:class:`Recorder` is a neat-python reporter (it has the methods
``Population`` calls; no neat-python import is needed to define it). Its
:meth:`Recorder.state` is plain picklable data, saved beside every
checkpoint so that a resumed run knows what the interrupted one had seen:
neat-python's ``Population`` forgets its best genome when restored.
"""
import copy
import math
import time

#: The columns of history.csv, in order.
COLUMNS = ("generation", "evaluations", "best_fitness", "mean_fitness", "best_accuracy", "mean_accuracy",
           "species", "champion_hidden", "champion_connections", "mean_hidden", "mean_connections",
           "diverged", "seconds")


class Reporter:
    """neat-python's reporter interface, every method doing nothing (duck-typed, like ``BaseReporter``)."""

    def start_generation(self, generation):
        pass

    def end_generation(self, config, population, species_set):
        pass

    def post_evaluate(self, config, population, species, best_genome):
        pass

    def post_reproduction(self, config, population, species):
        pass

    def complete_extinction(self):
        pass

    def found_solution(self, config, generation, best):
        pass

    def species_stagnant(self, sid, species):
        pass

    def info(self, msg):
        pass


def _mean(values):
    values = [v for v in values if not math.isnan(v)]
    return sum(values) / len(values) if values else math.nan


class Recorder(Reporter):
    """Records each generation, keeps the champion, tells the evaluator the generation, prints progress.

    Parameters
    ----------
    evaluator : dagnet.evolve.generation.Evaluator
    log : callable or None
        Receives one progress line per generation.
    """

    def __init__(self, evaluator, log=None):
        self.evaluator, self.log = evaluator, log
        self.rows, self.species = [], []
        self.champion = None           # a copy of the best genome, as evaluated
        self.champion_result = None
        self.champion_generation = None
        self.evaluations = 0
        self.solved_at = None
        self.generation = 0
        self.started = None

    def state(self):
        """Everything this recorder knows, as picklable data."""
        return {"rows": self.rows, "species": self.species, "champion": self.champion,
                "champion_result": self.champion_result, "champion_generation": self.champion_generation,
                "evaluations": self.evaluations, "solved_at": self.solved_at}

    def restore(self, state):
        for key, value in state.items():
            setattr(self, key, value)

    def start_generation(self, generation):
        self.generation = self.evaluator.generation = generation
        self.started = time.perf_counter()

    def post_evaluate(self, config, population, species, best_genome):
        results = [self.evaluator.results[key] for key in population]
        self.evaluations += len(results)
        best = self.evaluator.results[best_genome.key]
        if self.champion is None or best_genome.fitness > self.champion.fitness:
            self.champion = copy.deepcopy(best_genome)
            self.champion_result, self.champion_generation = best, self.generation
        row = {"generation": self.generation, "evaluations": self.evaluations,
               "best_fitness": best_genome.fitness, "mean_fitness": _mean([r.fitness for r in results]),
               "best_accuracy": best.accuracy, "mean_accuracy": _mean([r.accuracy for r in results]),
               "species": len(species.species), "champion_hidden": best.hidden,
               "champion_connections": best.connections,
               "mean_hidden": _mean([r.hidden for r in results]),
               "mean_connections": _mean([r.connections for r in results]),
               "diverged": sum(r.diverged for r in results),
               "seconds": time.perf_counter() - self.started}
        self.rows.append(row)
        self.species.append({sid: len(s.members) for sid, s in sorted(species.species.items())})
        if self.log is not None:
            self.log(progress_line(row))

    def found_solution(self, config, generation, best):
        if self.solved_at is None:
            self.solved_at = generation


def progress_line(row):
    """One generation as a line: ``gen 3  best 0.950 (acc 0.950)  mean 0.71  species 4  hidden 2  ...``."""
    accuracy = "" if math.isnan(row["best_accuracy"]) else f" (acc {row['best_accuracy']:.3f})"
    return (f"gen {row['generation']:>3}  best {row['best_fitness']:.4f}{accuracy}  "
            f"mean {row['mean_fitness']:.4f}  species {row['species']}  "
            f"hidden {row['champion_hidden']}  connections {row['champion_connections']}  "
            f"{row['seconds']:.2f} s")
