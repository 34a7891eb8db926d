"""The data and training settings a page may send, checked and completed with their defaults.

Every value comes from a request, so each is checked for type and range
here, once, and a bad one is a ValueError naming the setting.

Examples
--------
>>> check_training_settings({"lr": 0.1})["lr"], check_training_settings({})["batch_size"]
(0.1, 1)
>>> check_data_settings({"name": "moons", "noise": -1})
Traceback (most recent call last):
...
ValueError: noise must be a number from 0 to 10 (or null for the data set's own), got -1
"""
import math

from .. import datasets
from ..activations import NAMES as ACTIVATION_NAMES
from ..errors import suggest
from ..features import FEATURES
from ..losses import LOSSES
from ..optimizers import OPTIMIZERS
from . import limits
from .samples import preview

#: The Backpropagation Tutorial's 2-5-1 applet (section 4.1): red and blue points no line separates,
#: sequential updates, η = 0.5.
#: ``own`` names data a session was given as arrays (the notebook widget's), which it keeps itself.
DATA_DEFAULTS = {"name": "nonlinear", "n_samples": None, "noise": None, "data_seed": 0,
                 "test_fraction": 0.2, "csv": None, "own": None}
TRAINING_DEFAULTS = {"optimizer": "sgd", "lr": 0.5, "batch_size": 1, "seed": 0, "speed": None}


def _is_number(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _whole(value, what, low, high, optional=False, hint=""):
    if value is None and optional:
        return None
    if not (isinstance(value, int) and not isinstance(value, bool) and low <= value <= high):
        raise ValueError(f"{what} must be a whole number from {low} to {high}{hint}, got {value!r}")
    return value


def _real(value, what, low, high, optional=False, hint="", open_low=False):
    if value is None and optional:
        return None
    if not (_is_number(value) and (value > low if open_low else value >= low) and value <= high):
        raise ValueError(f"{what} must be a number from {low:g} to {high:g}{hint}, got {value!r}")
    return float(value)


def _unknown(settings, known, what):
    for key in settings:
        if key not in known:
            raise ValueError(f"unknown {what} setting {key!r}{suggest(key, known)}; known: {', '.join(known)}")


def check_data_settings(settings):
    """Data settings completed with :data:`DATA_DEFAULTS`; ValueError names a bad one."""
    if not isinstance(settings, dict):
        raise ValueError("data settings must be a mapping")
    _unknown(settings, DATA_DEFAULTS, "data")
    s = {**DATA_DEFAULTS, **settings}
    if s["own"] is not None:
        if not isinstance(s["own"], str) or len(s["own"]) > 200:
            raise ValueError("own must be the name of the data given")
    elif s["csv"] is not None:
        if not isinstance(s["csv"], str):
            raise ValueError("csv must be the text of a CSV file")
        if not isinstance(s["name"], str) or len(s["name"]) > 200:
            raise ValueError("name must be the CSV file's name")
    elif not isinstance(s["name"], str) or s["name"] not in datasets.names(published=False):
        offered = datasets.names(published=False)      # the page draws made-up sets, not MNIST-1D
        raise ValueError(f"unknown data set {s['name']!r}{suggest(str(s['name']), offered)}; "
                         f"built-in: {', '.join(offered)}")
    s["n_samples"] = _whole(s["n_samples"], "n_samples", 1, limits.MAX_SAMPLES, optional=True)
    s["noise"] = _real(s["noise"], "noise", 0, 10, optional=True, hint=" (or null for the data set's own)")
    s["data_seed"] = _whole(s["data_seed"], "data_seed", 0, 2**32 - 1)
    s["test_fraction"] = _real(s["test_fraction"], "test_fraction", 0, 0.9)
    return s


def check_training_settings(settings):
    """Training settings completed with :data:`TRAINING_DEFAULTS`; ValueError names a bad one."""
    if not isinstance(settings, dict):
        raise ValueError("training settings must be a mapping")
    _unknown(settings, TRAINING_DEFAULTS, "training")
    s = {**TRAINING_DEFAULTS, **settings}
    if not isinstance(s["optimizer"], str) or s["optimizer"] not in OPTIMIZERS:
        raise ValueError(f"unknown optimizer {s['optimizer']!r}{suggest(str(s['optimizer']), OPTIMIZERS)}; "
                         f"known: {', '.join(OPTIMIZERS)}")
    if s["lr"] is None:
        s["lr"] = OPTIMIZERS[s["optimizer"]].hyperparameters["lr"].default
    s["lr"] = _real(s["lr"], "lr", 0, 100, open_low=True)
    s["batch_size"] = _whole(s["batch_size"], "batch_size", 1, limits.MAX_SAMPLES, optional=True,
                             hint=" (or null for all samples at once)")
    s["seed"] = _whole(s["seed"], "seed", 0, 2**32 - 1)
    s["speed"] = _real(s["speed"], "speed", *limits.SPEED, optional=True,
                       hint=" epochs per second (or null for as fast as it goes)")
    return s


def catalogue():
    """What the page offers: data sets (with a few points for a thumbnail), derived inputs, losses,
    optimisers (with their default lr), activations, limits."""
    return {"datasets": [{**datasets.info(name), "preview": preview(name)} for name in datasets.names(published=False)],
            "features": [{"name": f.name, "label": f.label, "needs": f.needs} for f in FEATURES.values()],
            "losses": list(LOSSES),
            "optimizers": {name: cls.hyperparameters["lr"].default for name, cls in OPTIMIZERS.items()},
            "activations": [a for a in ACTIVATION_NAMES],
            "limits": {"grid": list(limits.GRID), "samples": limits.MAX_SAMPLES, "nodes": limits.MAX_NODES,
                       "edges": limits.MAX_EDGES, "text": limits.MAX_TEXT, "csv": limits.MAX_CSV_BYTES,
                       "maps": limits.MAX_MAPS, "speed": list(limits.SPEED)}}
