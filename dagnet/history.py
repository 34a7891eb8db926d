"""What training recorded: one :class:`History` entry per finished epoch."""
import csv
from dataclasses import dataclass, field

from .files import atomic_write
from .text import plural


@dataclass
class History:
    """What :meth:`Network.fit` recorded, one entry per finished epoch.

    ``loss`` is the epoch's running loss: each batch's E as the epoch
    computed it (before that batch's update), summed for ``sse`` and
    averaged over the samples for the mean losses, as Keras and
    scikit-learn report it; with ``fit(..., exact_loss=True)`` it is E on
    the whole training set after the epoch. ``accuracy`` (for classifiers:
    classification losses, or 0/1 targets) follows the same rule;
    ``val_*`` (when validation data was given) are always measured after
    the epoch; ``seconds`` is the training time of each epoch. These lists
    are the curve of the run. ``best_epoch`` has the lowest monitored loss
    (validation loss if any); ``weights_epoch`` is the epoch whose weights
    the network holds after ``fit`` (the best one when early stopping
    restored it, the last good one after a divergence, the last whole one
    otherwise; 0 for the start). ``kept`` holds the figures of those very
    weights (``loss``, ``accuracy``, ``val_loss``, ``val_accuracy``), measured
    on them in one pass over the data after training: what the network,
    saved, evaluates to; :meth:`final` returns them. ``validation_indices``
    are the rows of X that ``validation_split`` held out.
    """

    loss: list = field(default_factory=list)
    val_loss: list = field(default_factory=list)
    accuracy: list = field(default_factory=list)
    val_accuracy: list = field(default_factory=list)
    seconds: list = field(default_factory=list)
    best_epoch: int = None
    weights_epoch: int = None
    stopped_early: bool = False
    diverged: bool = False
    interrupted: bool = False
    kept: dict = field(default_factory=dict)
    validation_indices: object = field(default=None, repr=False)

    @property
    def epochs(self):
        """Number of epochs finished."""
        return len(self.loss)

    def final(self):
        """``{"epoch", "loss", "accuracy", "val_loss", "val_accuracy"}`` of the weights the network holds.

        The figures are :attr:`kept`, measured on those weights after
        training; a History without them (built by hand) gives the figures
        recorded for epoch ``weights_epoch``. Entries without values are
        left out; an empty dict before any epoch.
        """
        k = self.weights_epoch
        if not k:
            return {}
        if self.kept:
            return {"epoch": k, **self.kept}
        out = {"epoch": k}
        for name in ("loss", "accuracy", "val_loss", "val_accuracy"):
            values = getattr(self, name)
            if len(values) >= k:
                out[name] = values[k - 1]
        return out

    def as_dict(self):
        """The per-epoch lists and the flags as plain Python data."""
        return {"epochs": self.epochs, "loss": self.loss, "val_loss": self.val_loss,
                "accuracy": self.accuracy, "val_accuracy": self.val_accuracy,
                "seconds": self.seconds, "best_epoch": self.best_epoch,
                "weights_epoch": self.weights_epoch, "stopped_early": self.stopped_early,
                "diverged": self.diverged, "interrupted": self.interrupted, "kept": self.kept}

    def columns(self):
        """``{column name: per-epoch list}`` of the columns that have values."""
        cols = {"epoch": list(range(1, self.epochs + 1)), "loss": self.loss,
                "val_loss": self.val_loss, "accuracy": self.accuracy,
                "val_accuracy": self.val_accuracy, "seconds": self.seconds}
        return {k: v for k, v in cols.items() if len(v) == self.epochs and self.epochs}

    def to_csv(self, path):
        """Write one row per epoch to ``path`` (atomically)."""
        cols = self.columns()
        def write(f):
            out = csv.writer(f)
            out.writerow(list(cols))
            out.writerows(zip(*cols.values()))
        atomic_write(path, write)

    def __repr__(self):
        last = f", loss {self.loss[-1]:.6g}" if self.loss else ""
        return f"History({plural(self.epochs, 'epoch')}{last})"

    def _repr_html_(self):
        """The curves for a notebook: :func:`dagnet.display.history_html`."""
        from .display import history_html

        return history_html(self)
