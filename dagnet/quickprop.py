"""Quickprop (Fahlman 1988), the optimiser cascade-correlation was published with.

An :class:`~dagnet.optimizers.Optimizer` like the others: pass an instance
to :meth:`dagnet.Network.fit` (``optimizer=Quickprop(lr=0.35)``); its state
(``step``, ``slope``) is per parameter, so structural edits carry it.
"""
import numpy as np

from .optimizers import Hyperparameter, Optimizer


class Quickprop(Optimizer):
    """Quickprop (Fahlman 1988): per weight, a step to the minimum of the parabola through two slopes.

    With the last step Δ, the slope s now and p before, the step is
    Δ s / (p − s), at most ``mu`` times Δ, plus −``lr``·s while the slope
    still points the way of the last step (and alone when Δ = 0).

    >>> import numpy as np
    >>> q, w = Quickprop(lr=0.75), np.array([3.0])
    >>> q.step(w, 2 * (w - 1.0)); w           # E = (w − 1)²: a gradient step overshoots the minimum...
    array([0.])
    >>> q.step(w, 2 * (w - 1.0)); w           # ...and the parabola through the two slopes finds it
    array([1.])
    """

    name = "quickprop"
    hyperparameters = {"lr": Hyperparameter(0.35, low_inclusive=False, help="ε of the linear term"),
                       "mu": Hyperparameter(1.75, low_inclusive=False, help="largest growth of a step")}

    def step(self, params, grads):
        self.t += 1
        last, previous = self.buffer("step", params), self.buffer("slope", params)
        s, d, p = grads, last, previous
        shrink = self.mu / (1.0 + self.mu)
        linear = np.where((d == 0) | (d * s < 0), -self.lr * s, 0.0)
        with np.errstate(divide="ignore", invalid="ignore"):
            secant = d * s / (p - s)
        largest = (np.sign(d) * s <= np.sign(d) * shrink * p) | (p == s)
        step = linear + np.where(d != 0, np.where(largest, self.mu * d, secant), 0.0)
        params += step
        last[...] = step
        previous[...] = s
