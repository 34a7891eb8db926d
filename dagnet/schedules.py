"""Learning-rate schedules: how the optimiser's lr changes from epoch to epoch.

Each schedule is called after every epoch with the optimiser, the epoch
number, the history so far and the number of samples seen; it may change
``optimizer.lr`` and returns False to stop training. The names follow
scikit-learn's ``learning_rate``.

>>> from dagnet.optimizers import SGD
>>> opt = SGD(lr=0.1)
>>> keep_going = InvScaling(power_t=0.5)(opt, 1, None, samples_seen=99)
>>> round(opt.lr, 4)
0.01
"""
import math
from dataclasses import dataclass, field

from .errors import suggest


@dataclass
class Constant:
    """The learning rate stays as set."""

    def __call__(self, optimizer, epoch, history, samples_seen):
        return True


@dataclass
class InvScaling:
    """η_t = η_0 / (t + 1)^power_t, t the number of samples seen so far (scikit-learn's invscaling)."""

    power_t: float = 0.5
    initial: float = field(default=None, repr=False)

    def __call__(self, optimizer, epoch, history, samples_seen):
        if self.initial is None:
            self.initial = optimizer.lr
        optimizer.lr = self.initial / (samples_seen + 1) ** self.power_t
        return True


@dataclass
class Adaptive:
    """Divide η by ``factor`` whenever the loss has not improved by ``tol`` for ``patience`` epochs.

    The monitored loss is the validation loss when there is one, else the
    training loss; training stops once η falls below ``min_lr``
    (scikit-learn's adaptive: factor 5, patience 2, min_lr 1e-6).
    """

    factor: float = 5.0
    patience: int = 2
    tol: float = 1e-4
    min_lr: float = 1e-6
    best: float = field(default=math.inf, repr=False)
    waited: int = field(default=0, repr=False)

    def __call__(self, optimizer, epoch, history, samples_seen):
        loss = (history.val_loss or history.loss)[-1]
        if loss < self.best - self.tol:
            self.best, self.waited = loss, 0
            return True
        self.best = min(self.best, loss)
        self.waited += 1
        if self.waited > self.patience:
            optimizer.lr = optimizer.lr / self.factor
            self.waited = 0
        return optimizer.lr >= self.min_lr


SCHEDULES = {"constant": Constant, "invscaling": InvScaling, "adaptive": Adaptive}


def make_schedule(spec):
    """A schedule from a name (``"adaptive"``), a schedule object or any callable; None is constant."""
    if spec is None:
        return Constant()
    if callable(spec):
        return spec
    if not isinstance(spec, str) or spec not in SCHEDULES:
        raise ValueError(f"unknown lr_schedule {spec!r}{suggest(str(spec), SCHEDULES)}; "
                         f"known: {', '.join(SCHEDULES)}, or a callable")
    return SCHEDULES[spec]()
