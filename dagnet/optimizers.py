"""Optimisers: rules that turn a gradient into an update of the flat parameter vector.

Each optimiser updates ``params`` in place from ``grads`` (same shape). Slots whose
gradient is zero at every step (fixed weights, masked by the engine) never move.

>>> import numpy as np
>>> p, g = np.array([1.0, 2.0]), np.array([0.5, 0.0])
>>> SGD(lr=0.1).step(p, g); p
array([0.95, 2.  ])
"""
from difflib import get_close_matches

import numpy as np


class Optimizer:
    """Base class: holds the learning rate and the per-parameter state."""

    name = "optimizer"
    defaults = {"lr": 0.01}

    def __init__(self, **hyper):
        for key, value in {**self.defaults, **hyper}.items():
            setattr(self, key, _check(self.name, key, value))
        self.reset()

    def reset(self):
        """Forget all state (velocities, moments, step count)."""
        self.t = 0

    def step(self, params, grads):
        raise NotImplementedError

    def hyperparameters(self):
        return {key: getattr(self, key) for key in self.defaults}

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self.hyperparameters().items())
        return f"{type(self).__name__}({args})"


class SGD(Optimizer):
    """Plain gradient descent: w ← w − η g."""

    name = "sgd"
    defaults = {"lr": 0.01}

    def step(self, params, grads):
        self.t += 1
        params -= self.lr * grads


class Momentum(Optimizer):
    """Heavy-ball momentum: v ← μ v − η g;  w ← w + v."""

    name = "momentum"
    defaults = {"lr": 0.01, "momentum": 0.9}

    def reset(self):
        super().reset()
        self.velocity = None

    def step(self, params, grads):
        self.t += 1
        if self.velocity is None:
            self.velocity = np.zeros_like(params)
        self.velocity *= self.momentum
        self.velocity -= self.lr * grads
        params += self.velocity


class Nesterov(Optimizer):
    """Nesterov momentum in PyTorch's form: b ← μ b + g;  w ← w − η (g + μ b)."""

    name = "nesterov"
    defaults = {"lr": 0.01, "momentum": 0.9}

    def reset(self):
        super().reset()
        self.buffer = None

    def step(self, params, grads):
        self.t += 1
        if self.buffer is None:
            self.buffer = np.zeros_like(params)
        self.buffer *= self.momentum
        self.buffer += grads
        params -= self.lr * (grads + self.momentum * self.buffer)


class Adam(Optimizer):
    """Adam (Kingma & Ba 2015) with bias-corrected first and second moments."""

    name = "adam"
    defaults = {"lr": 0.001, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8}

    def reset(self):
        super().reset()
        self.m = self.v = None

    def step(self, params, grads):
        self.t += 1
        if self.m is None:
            self.m, self.v = np.zeros_like(params), np.zeros_like(params)
        self.m *= self.beta1
        self.m += (1 - self.beta1) * grads
        self.v *= self.beta2
        self.v += (1 - self.beta2) * grads * grads
        m_hat = self.m / (1 - self.beta1 ** self.t)
        v_hat = self.v / (1 - self.beta2 ** self.t)
        params -= self.lr * m_hat / (np.sqrt(v_hat) + self.eps)


OPTIMIZERS = {cls.name: cls for cls in (SGD, Momentum, Nesterov, Adam)}

_LIMITS = {  # hyperparameter -> (low, high, low inclusive)
    "lr": (0.0, np.inf, False),
    "momentum": (0.0, 1.0, True),
    "beta1": (0.0, 1.0, True),
    "beta2": (0.0, 1.0, True),
    "eps": (0.0, np.inf, False),
}


def _check(name, key, value):
    if isinstance(value, bool) or not isinstance(value, (int, float, np.floating, np.integer)):
        raise ValueError(f"{name}: {key} must be a number, not {value!r}")
    value = float(value)
    low, high, inclusive = _LIMITS[key]
    if not (np.isfinite(value) and (value >= low if inclusive else value > low) and value < high):
        bound = f"[{low:g}, {high:g})" if inclusive else f"({low:g}, {high:g})"
        raise ValueError(f"{name}: {key} must be in {bound}, not {value!r}")
    return value


def make_optimizer(spec="sgd", lr=None, **hyper):
    """An optimiser from a name (``"adam"``) or an :class:`Optimizer` instance.

    >>> make_optimizer("adam", lr=0.01)
    Adam(lr=0.01, beta1=0.9, beta2=0.999, eps=1e-08)
    >>> make_optimizer("adma")
    Traceback (most recent call last):
    ValueError: unknown optimizer 'adma'; did you mean 'adam'? known: sgd, momentum, nesterov, adam
    """
    if isinstance(spec, Optimizer):
        if hyper:
            raise ValueError(f"optimizer parameters {sorted(hyper)} given with an optimizer object; "
                             "set them on the object instead")
        if lr is not None:
            spec.lr = _check(spec.name, "lr", lr)
        return spec
    if not isinstance(spec, str) or spec.lower() not in OPTIMIZERS:
        close = get_close_matches(str(spec).lower(), list(OPTIMIZERS), n=1, cutoff=0.5)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        raise ValueError(f"unknown optimizer {spec!r}{hint} known: {', '.join(OPTIMIZERS)}"
                         if close else f"unknown optimizer {spec!r}; known: {', '.join(OPTIMIZERS)}")
    cls = OPTIMIZERS[spec.lower()]
    unknown = sorted(set(hyper) - set(cls.defaults))
    if unknown:
        known = ", ".join(k for k in cls.defaults if k != "lr")
        raise ValueError(f"{cls.name} takes no parameter {unknown[0]!r}; "
                         f"its parameters are lr{', ' + known if known else ''}")
    if lr is not None:
        hyper["lr"] = lr
    return cls(**hyper)
