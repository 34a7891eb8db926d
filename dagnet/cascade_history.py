"""What :func:`dagnet.grow` records: each installed perceptron and the network after each output phase."""
import csv
from dataclasses import dataclass, field

from . import edits
from .files import atomic_write


@dataclass
class Unit:
    """One installed perceptron: its name, activation, score S, epochs its pool trained, fan-in."""

    name: object
    activation: str
    score: float
    epochs: int
    fan_in: int


@dataclass
class Stage:
    """The network after one output phase: ``hidden`` perceptrons, its loss, samples still wrong.

    ``weights`` holds every weight into the outputs, ``{(source, output): w}``,
    and ``biases`` ``{output: b}``, so the network of that stage can be rebuilt.
    """

    hidden: int
    epochs: int
    loss: float
    wrong: int
    accuracy: float
    weights: dict = field(repr=False)
    biases: dict = field(repr=False)


@dataclass
class CascadeHistory:
    """What :func:`grow` did: one :class:`Stage` per output phase, one :class:`Unit` per installed perceptron.

    ``epochs`` counts passes over the training set, output and candidate
    phases together (as Fahlman & Lebiere count them); ``solved`` says the
    last stage has every output within the threshold of its target.
    """

    units: list = field(default_factory=list)
    stages: list = field(default_factory=list)
    epochs: int = 0
    solved: bool = False

    @property
    def hidden_units(self):
        return len(self.units)

    def network(self, net, stage=-1):
        """The network as it was at ``stage`` (an index into :attr:`stages`), rebuilt from ``net``."""
        stage = self.stages[stage]
        later = [u.name for u in self.units[stage.hidden:]]
        earlier = net.copy()
        if later:
            edits.remove_nodes(earlier, later)
        for (source, output), w in stage.weights.items():
            earlier.set_weight(source, output, w)
        for output, b in stage.biases.items():
            earlier.set_bias(output, b)
        return earlier

    def rows(self):
        """One dict per stage: hidden units, epochs, loss, wrong, accuracy, and the unit installed after it."""
        out = []
        for k, s in enumerate(self.stages):
            unit = self.units[k] if k < len(self.units) else None
            out.append({"hidden": s.hidden, "output_epochs": s.epochs, "loss": s.loss, "wrong": s.wrong,
                        "accuracy": s.accuracy, "installed": None if unit is None else str(unit.name),
                        "activation": None if unit is None else unit.activation,
                        "score": None if unit is None else unit.score,
                        "candidate_epochs": None if unit is None else unit.epochs})
        return out

    def to_csv(self, path):
        """Write :meth:`rows` to ``path`` (atomically)."""
        rows = self.rows()

        def write(f):
            out = csv.DictWriter(f, fieldnames=list(rows[0]))
            out.writeheader()
            out.writerows(rows)
        atomic_write(path, write)

    def __repr__(self):
        return (f"CascadeHistory({self.hidden_units} hidden units, {self.epochs} epochs, "
                f"{'solved' if self.solved else 'not solved'})")
