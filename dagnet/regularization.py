"""Weight penalties added to the loss while training: L2 (weight decay).

>>> import numpy as np, dagnet
>>> net = dagnet.load("topologies/chain_1_1_1.yaml", seed=0)
>>> L2(0.1).gradient(net.params, net.plan, n_samples=4).shape == net.params.shape
True
"""
import math
from dataclasses import dataclass

from .graph import finite, is_number


@dataclass(frozen=True)
class L2:
    """The penalty (λ/2)‖θ‖² over the trainable parameters; its gradient λθ joins every update.

    ``biases=False`` leaves the biases out (only weights are penalised);
    ``per_sample=True`` divides by the batch's size, which is scikit-learn's
    ``alpha``: (α / 2n)‖W‖² added to the loss of a batch of n samples.
    """

    strength: float
    biases: bool = True
    per_sample: bool = False

    def __post_init__(self):
        if not is_number(self.strength) or not finite(self.strength) or self.strength < 0:
            raise ValueError(f"weight_decay must be a finite number >= 0, got {self.strength!r}")

    def gradient(self, params, plan, n_samples):
        """∂/∂θ of the penalty for a batch of ``n_samples``, shape (n_params,)."""
        grad = self.strength / (n_samples if self.per_sample else 1) * plan.mask * params
        if not self.biases:
            grad[plan.n_weight_slots:] = 0.0    # in place: no copy of the mask at every step
        return grad

    def mask(self, plan):
        """1.0 where the penalty applies: trainable weights, and trainable biases unless left out."""
        if self.biases:
            return plan.mask
        mask = plan.mask.copy()
        mask[plan.n_weight_slots:] = 0.0
        return mask

    def __bool__(self):
        return self.strength > 0 and not math.isnan(self.strength)


def penalty(weight_decay):
    """An :class:`L2` from fit's ``weight_decay`` (a number λ, or an L2 already)."""
    return weight_decay if isinstance(weight_decay, L2) else L2(weight_decay)
