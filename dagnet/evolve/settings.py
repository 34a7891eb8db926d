"""How each genome is trained and scored: evolve's own settings, beside neat-python's config file.

neat-python's config file says how the population evolves (its size,
speciation, mutation rates, the stopping threshold); :class:`Settings` says
what happens to one genome once it is a dagnet network: how many epochs of
which optimiser, what its fitness is, and whether what it learned is
written back into the genome (Lamarckian) or not (Baldwinian).

Every genome's training is seeded by :func:`genome_seed` from the run's
seed, the generation and the genome's key alone, so a generation's
results are the same whichever process trains which genome.

Examples
--------
>>> Settings(epochs=50).epochs
50
>>> genome_seed(0, 3, 17) == genome_seed(0, 3, 17) != genome_seed(0, 4, 17)
True
>>> Settings(fitness="accurate")
Traceback (most recent call last):
...
ValueError: fitness must be one of accuracy, loss, got 'accurate' (did you mean 'accuracy'?)
"""
import math
from dataclasses import dataclass, fields

import numpy as np

from ..errors import suggest
from ..optimizers import OPTIMIZERS

FITNESS = ("accuracy", "loss")
INHERITANCE = ("lamarckian", "baldwinian")
LOSSES = ("auto", "mse", "sse", "binary_cross_entropy")

#: The largest number of training epochs per genome (beyond it is a typo, not a wish).
MAX_EPOCHS = 1_000_000


@dataclass(frozen=True)
class Settings:
    """How every genome is trained and scored.

    Parameters
    ----------
    epochs : int
        Training epochs per genome per generation (0: no training, plain NEAT).
    lr : float
        Learning rate (default 0.03).
    optimizer : str
        A dagnet optimiser: sgd, momentum, nesterov, adam.
    batch_size : int or None
        Samples per update (default 16); None: the whole training set (batch updates).
    fitness : {"accuracy", "loss"}
        Held-out accuracy (classification), or minus the held-out loss.
    complexity : float
        Subtracted from the fitness per enabled connection (0: no penalty).
    inheritance : {"lamarckian", "baldwinian"}
        Lamarckian writes the trained weights and biases back into the genome
        (children inherit what their parents learned); Baldwinian leaves the
        genome as it was and keeps only the fitness after training.
    validation : float
        Fraction of the data held out to score fitness, in [0, 1); 0 scores
        on the training data itself (as for XOR's four points).
    loss : {"auto", "mse", "sse", "binary_cross_entropy"}
        The loss trained; "auto" is binary cross-entropy when every output
        is a sigmoid, else mse.
    seed : int
        Seeds neat-python's random choices, the validation split and every
        genome's training.
    """

    epochs: int = 300
    lr: float = 0.03
    optimizer: str = "adam"
    batch_size: int = 16
    fitness: str = "accuracy"
    complexity: float = 0.0
    inheritance: str = "lamarckian"
    validation: float = 0.25
    loss: str = "auto"
    seed: int = 0

    def __post_init__(self):
        for name, known in (("fitness", FITNESS), ("inheritance", INHERITANCE), ("loss", LOSSES),
                            ("optimizer", tuple(OPTIMIZERS))):
            value = getattr(self, name)
            if value not in known:
                raise ValueError(f"{name} must be one of {', '.join(known)}, got {value!r}"
                                 f"{suggest(str(value), known)}")
        _whole("epochs", self.epochs, 0, MAX_EPOCHS)
        _whole("seed", self.seed, 0, 2**63 - 1)
        if self.batch_size is not None:
            _whole("batch_size", self.batch_size, 1, 2**31 - 1)
        for name, low, high in (("lr", 0.0, math.inf), ("complexity", 0.0, math.inf),
                                ("validation", 0.0, 1.0)):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) \
                    or value < low or (value >= high and name == "validation"):
                raise ValueError(f"{name} must be a finite number in [{low:g}, {high:g}), got {value!r}")
        if self.lr <= 0:
            raise ValueError(f"lr must be a number > 0, got {self.lr!r}")

    @property
    def lamarckian(self):
        return self.inheritance == "lamarckian"

    def as_dict(self):
        return {f.name: getattr(self, f.name) for f in fields(self)}


def _whole(name, value, low, high):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or not low <= value <= high:
        raise ValueError(f"{name} must be a whole number in [{low}, {high:,}], got {value!r}")


def genome_seed(run_seed, generation, key):
    """The training seed of genome ``key`` in ``generation`` of the run seeded ``run_seed``: an int."""
    return int(np.random.SeedSequence([int(run_seed), int(generation), int(key) % 2**63])
               .generate_state(2, np.uint32).view(np.uint64)[0])
