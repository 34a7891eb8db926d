"""Optimisers: rules that turn a gradient into an update of the flat parameter vector.

Each optimiser declares its hyperparameters with their defaults and limits
(:class:`Hyperparameter`), and updates ``params`` in place from ``grads``
(same shape). Slots whose gradient is zero at every step (fixed weights,
masked by the engine) never move. Per-parameter state (velocities,
moments) lives in :attr:`Optimizer.state`, arrays of the parameter
vector's shape, so that a structural edit can carry it over.

>>> import numpy as np
>>> p, g = np.array([1.0, 2.0]), np.array([0.5, 0.0])
>>> SGD(lr=0.1).step(p, g); p
array([0.95, 2.  ])
"""
import math
from dataclasses import dataclass

import numpy as np

from .errors import suggest


@dataclass(frozen=True)
class Hyperparameter:
    """A hyperparameter's default and the interval it must lie in."""

    default: float
    low: float = 0.0
    high: float = math.inf
    low_inclusive: bool = True
    help: str = ""

    def check(self, owner, key, value):
        """``value`` as a float, or ValueError naming ``owner``, ``key`` and the interval."""
        if isinstance(value, bool) or not isinstance(value, (int, float, np.floating, np.integer)):
            raise ValueError(f"{owner}: {key} must be a number, not {value!r}")
        value = float(value)
        above = value >= self.low if self.low_inclusive else value > self.low
        if not (math.isfinite(value) and above and value < self.high):
            bound = f"{'[' if self.low_inclusive else '('}{self.low:g}, {self.high:g})"
            raise ValueError(f"{owner}: {key} must be in {bound}, not {value!r}")
        return value


LR = Hyperparameter(0.01, low_inclusive=False, help="learning rate η")


class Optimizer:
    """Base class: declared hyperparameters, checked on construction, and per-parameter state."""

    name = "optimizer"
    hyperparameters = {"lr": LR}

    def __init__(self, **values):
        unknown = sorted(set(values) - set(self.hyperparameters))
        if unknown:
            known = ", ".join(self.hyperparameters)
            raise ValueError(f"{self.name} takes no parameter {unknown[0]!r}"
                             f"{suggest(unknown[0], self.hyperparameters)}; its parameters are {known}")
        for key, spec in self.hyperparameters.items():
            setattr(self, key, spec.check(self.name, key, values.get(key, spec.default)))
        self.reset()

    def __setattr__(self, key, value):
        spec = type(self).hyperparameters.get(key)
        super().__setattr__(key, value if spec is None else spec.check(self.name, key, value))

    def reset(self):
        """Forget all state (velocities, moments, step count)."""
        self.t = 0
        self.state = {}

    def buffer(self, name, params):
        """The state array ``name``, created as zeros shaped like ``params`` on first use."""
        if name not in self.state:
            self.state[name] = np.zeros_like(params)
        return self.state[name]

    def step(self, params, grads):
        raise NotImplementedError

    def values(self):
        """``{hyperparameter: current value}``."""
        return {key: getattr(self, key) for key in self.hyperparameters}

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self.values().items())
        return f"{type(self).__name__}({args})"


class SGD(Optimizer):
    """Plain gradient descent: w ← w − η g."""

    name = "sgd"

    def step(self, params, grads):
        self.t += 1
        params -= self.lr * grads


MOMENTUM = Hyperparameter(0.9, high=1.0, help="momentum μ")


class Momentum(Optimizer):
    """Heavy-ball momentum: v ← μ v − η g;  w ← w + v."""

    name = "momentum"
    hyperparameters = {"lr": LR, "momentum": MOMENTUM}

    def step(self, params, grads):
        self.t += 1
        velocity = self.buffer("velocity", params)
        velocity *= self.momentum
        velocity -= self.lr * grads
        params += velocity


class Nesterov(Optimizer):
    """Nesterov momentum in PyTorch's form: b ← μ b + g;  w ← w − η (g + μ b)."""

    name = "nesterov"
    hyperparameters = {"lr": LR, "momentum": MOMENTUM}

    def step(self, params, grads):
        self.t += 1
        b = self.buffer("buffer", params)
        b *= self.momentum
        b += grads
        params -= self.lr * (grads + self.momentum * b)


class Adam(Optimizer):
    """Adam (Kingma & Ba 2015) with bias-corrected first and second moments."""

    name = "adam"
    hyperparameters = {"lr": Hyperparameter(0.001, low_inclusive=False, help="learning rate η"),
                       "beta1": Hyperparameter(0.9, high=1.0, help="decay of the first moment"),
                       "beta2": Hyperparameter(0.999, high=1.0, help="decay of the second moment"),
                       "eps": Hyperparameter(1e-8, low_inclusive=False, help="added to √v̂")}

    def step(self, params, grads):
        self.t += 1
        m, v = self.buffer("m", params), self.buffer("v", params)
        m *= self.beta1
        m += (1 - self.beta1) * grads
        v *= self.beta2
        v += (1 - self.beta2) * grads * grads
        m_hat = m / (1 - self.beta1 ** self.t)
        v_hat = v / (1 - self.beta2 ** self.t)
        params -= self.lr * m_hat / (np.sqrt(v_hat) + self.eps)


OPTIMIZERS = {cls.name: cls for cls in (SGD, Momentum, Nesterov, Adam)}


def make_optimizer(spec="sgd", lr=None, **hyper):
    """An optimiser from a name (``"adam"``) or an :class:`Optimizer` instance.

    >>> make_optimizer("adam", lr=0.01)
    Adam(lr=0.01, beta1=0.9, beta2=0.999, eps=1e-08)
    >>> make_optimizer("adma")
    Traceback (most recent call last):
    ValueError: unknown optimizer 'adma' (did you mean 'adam'?); known: sgd, momentum, nesterov, adam
    """
    if isinstance(spec, Optimizer):
        if hyper:
            raise ValueError(f"optimizer parameters {sorted(hyper)} given with an optimizer object; "
                             "set them on the object instead")
        if lr is not None:
            spec.lr = lr
        return spec
    name = spec.lower() if isinstance(spec, str) else None
    if name not in OPTIMIZERS:
        raise ValueError(f"unknown optimizer {spec!r}{suggest(str(spec).lower(), OPTIMIZERS)}; "
                         f"known: {', '.join(OPTIMIZERS)}")
    if lr is not None:
        hyper["lr"] = lr
    return OPTIMIZERS[name](**hyper)
