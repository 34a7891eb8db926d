"""Evolve topologies: NEAT's search (neat-python) with dagnet's backpropagation inside.

neat-python is the evolutionary engine (population, speciation, crossover
by innovation number, stagnation, reproduction, reporters, checkpoints,
its config file format); dagnet is the phenotype and its trainer. Each
genome becomes a dagnet network (the importer's exact folding of gains and
responses), is trained by backpropagation on the data, and its fitness is
a held-out score. Lamarckian by default: the trained weights and biases
are written back into the genome, so children inherit what their parents
learned; Baldwinian as an option.

==============================  =====================================================
:mod:`.settings`                how each genome is trained and scored; per-genome seeds
:mod:`.neatconfig`              the default config file; refusing what does not fold
:mod:`.phenotype`               genome ↔ network: the fold and its exact inverse
:mod:`.fitness`                 one batch of genomes trained and scored (a worker's job)
:mod:`.generation`              a generation in batches on the sweeps' executors
:mod:`.records`                 history rows, species sizes, the champion, progress
:mod:`.checkpoints`             resumable checkpoints (neat-python's and the run's)
:mod:`.outputs`, :mod:`.pictures`  the files and pictures a run leaves
:mod:`.run`                     :func:`evolve`: the run itself
==============================  =====================================================

neat-python is the optional ``neat`` extra (``pip install "dagnet[neat]"``),
imported only when a run starts; ``import dagnet`` never imports it.
docs/evolve.md tells the story with a real run.

Examples
--------
>>> from dagnet.evolve import Settings
>>> Settings(epochs=100, inheritance="baldwinian").lamarckian
False
"""
from .neatconfig import EvolveError
from .run import Outcome, evolve
from .settings import Settings

__all__ = ["EvolveError", "Outcome", "Settings", "evolve"]
