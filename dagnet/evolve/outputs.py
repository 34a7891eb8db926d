"""What a run leaves in its folder: the champion three ways, the history, a summary, the pictures.

=======================  =====================================================================
``champion.yaml``        the trained champion as a dagnet topology file (``dagnet.load`` it,
                         open it in the playground, export it to ONNX or PyTorch)
``champion.pkl``         the champion genome as neat-python keeps genomes (pickled, beside the
                         ``config-feedforward`` it was evolved with), its trained weights and
                         biases written in: neat-python's ``FeedForwardNetwork`` of it computes
                         what ``champion.yaml`` computes
``champion.json``        its network in neat-python's JSON export format
``history.csv``          one row per generation (:data:`dagnet.evolve.records.COLUMNS`)
``species.csv``          generation, species, members: one row per species and generation
``summary.json``         the settings, the champion's measures, the time taken
pictures                 ``fitness.png``, ``species.png``, ``champion.png``, ``regions.png``
=======================  =====================================================================

Every file is written atomically.
"""
import copy
import csv
import json
import math
import os
import pickle

import numpy as np

from ..files import atomic_write
from ..plots import MissingMatplotlib
from . import pictures
from .fitness import score
from .phenotype import loss_for, network, plain, write_back
from .records import COLUMNS

CHAMPION_YAML, CHAMPION_PICKLE, CHAMPION_JSON = "champion.yaml", "champion.pkl", "champion.json"
HISTORY_CSV, SPECIES_CSV, SUMMARY_JSON = "history.csv", "species.csv", "summary.json"


def trained_champion(recorder):
    """A copy of the champion genome with its trained values written in (Baldwinian runs too)."""
    genome = copy.deepcopy(recorder.champion)
    if recorder.champion_result.values is not None:
        write_back(genome, recorder.champion_result.values)
    return genome


def champion_network(genome, config, settings):
    """The dagnet network of a (trained) champion genome."""
    g = plain(genome, config.genome_config)
    return network(g, loss=loss_for(g, settings.loss), name=f"evolved-{genome.key}")


def _finite(value):
    return None if isinstance(value, float) and not math.isfinite(value) else value


def _write_csv(path, header, rows):
    def write(f):
        out = csv.writer(f, lineterminator="\n")
        out.writerow(header)
        out.writerows(rows)
    atomic_write(path, write)


def write_history(folder, recorder):
    """history.csv and species.csv, from what the recorder holds."""
    _write_csv(os.path.join(folder, HISTORY_CSV), COLUMNS,
               [[row[c] for c in COLUMNS] for row in recorder.rows])
    _write_csv(os.path.join(folder, SPECIES_CSV), ("generation", "species", "members"),
               [[g, sid, n] for g, sizes in enumerate(recorder.species) for sid, n in sizes.items()])


def write(folder, config, recorder, settings, data, test=None, summary=None, draw=True, log=None):
    """Write the run's files into ``folder``; return the summary (a dict) written to summary.json.

    ``data`` is the run's :class:`~dagnet.evolve.fitness.Split`; ``test`` an
    optional ``(X, Y)`` held out from the whole run, on which the champion is scored.
    """
    import neat
    from neat.export import export_network_json

    write_history(folder, recorder)
    genome = trained_champion(recorder)
    net = champion_network(genome, config, settings)
    net.save(os.path.join(folder, CHAMPION_YAML))
    atomic_write(os.path.join(folder, CHAMPION_PICKLE),
                 lambda f: pickle.dump(genome, f, protocol=pickle.HIGHEST_PROTOCOL), mode="wb")
    result = recorder.champion_result
    text = export_network_json(neat.nn.FeedForwardNetwork.create(genome, config),
                               metadata={"genome_id": genome.key, "fitness": genome.fitness,
                                         "generation": recorder.champion_generation})
    atomic_write(os.path.join(folder, CHAMPION_JSON), lambda f: f.write(text))
    champion = {"genome": genome.key, "generation": recorder.champion_generation, "fitness": result.fitness,
                "accuracy": _finite(result.accuracy), "loss": _finite(result.loss), "hidden": result.hidden,
                "connections": result.connections}
    if test is not None:
        accuracy, loss = score(net, test[0], test[1], data.classification)
        champion.update(test_accuracy=_finite(accuracy), test_loss=_finite(loss))
    outcome = {**(summary or {}), "settings": settings.as_dict(), "generations": len(recorder.rows),
               "evaluations": recorder.evaluations, "solved_at": recorder.solved_at, "champion": champion}
    atomic_write(os.path.join(folder, SUMMARY_JSON), lambda f: f.write(json.dumps(outcome, indent=2) + "\n"))
    if draw and recorder.rows:
        try:
            # the decision regions over the test set when there is one (points the run never saw)
            X, Y = test if test is not None else (data.X, data.Y) if data.X_score is data.X else \
                (np.vstack([data.X, data.X_score]), np.vstack([data.Y, data.Y_score]))
            pictures.draw(folder, recorder.rows, recorder.species, net, X, Y,
                          title=f"champion: {result.hidden} hidden, {result.connections} connections"
                                f"{', test set' if test is not None else ''}")
        except MissingMatplotlib as err:
            if log is not None:
                log(f"pictures skipped: {err}")
    return outcome
