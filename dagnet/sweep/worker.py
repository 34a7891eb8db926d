"""One run, as a worker process (or a Dask worker) executes it: build, train, measure.

A :class:`Task` is plain picklable data: the topology as
:func:`dagnet.specs.network` takes it (YAML text or a generator spec), the
data set's arrays, the grid values and the seed. Workers need no access
to the experiment's files.

Examples
--------
>>> import numpy as np
>>> recipe = Recipe({"generate": "mlp", "sizes": [3]}, "experiment", n_inputs=2, n_outputs=1)
>>> X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
>>> task = Task("id", recipe, X, np.array([[0.0], [1.0], [1.0], [0.0]]), {"epochs": 3}, 0, None)
>>> run_id, measures = train(task)
>>> measures["status"], measures["epochs_run"], measures["n_params"]
('ok', 3, 13)
"""
import time
from dataclasses import dataclass

import numpy as np

from ..specs import network
from ..training import TrainingDiverged

#: Grid keys that are not fit() options but become its arguments (see :func:`fit_arguments`).
SPARSE_KEYS = ("sparse",)


def fit_arguments(hyperparameters):
    """fit()'s keyword arguments for a run's grid values.

    ``sparse`` (``"static"``, ``"set"``, ``"rigl"`` or ``{"method": ..., options}``,
    see :func:`dagnet.sparse.dynamic`) becomes a fresh dynamic sparse
    training callback; every other value is a fit() option as it is.
    """
    args = dict(hyperparameters)
    if "sparse" in args:
        from ..sparse import dynamic
        callback = dynamic(args.pop("sparse"))
        if callback is not None:
            args["callback"] = callback
    return args


@dataclass(frozen=True)
class Recipe:
    """How to build a run's network: a topology spec, sized from the data where it leaves that open.

    ``spec`` is YAML text (a topology file's content) or a generator spec
    ``{"generate": KIND, ...}``; ``source`` names it in errors; a generator
    spec that leaves out ``inputs``, ``outputs`` or ``loss`` gets
    ``n_inputs``, ``n_outputs`` and ``loss``.
    """

    spec: object
    source: str
    n_inputs: int = None
    n_outputs: int = None
    loss: str = None

    def build(self, seed):
        """The network, its weights seeded by ``seed``."""
        return network(self.spec, n_inputs=self.n_inputs, n_outputs=self.n_outputs, loss=self.loss,
                       seed=seed, source=self.source)


@dataclass(frozen=True)
class Task:
    """One run: ``recipe`` on ``X`` (n_samples, n_inputs) with targets ``Y`` as the network takes
    them (n_samples, n_outputs), trained with the grid values ``hyperparameters`` from ``seed``."""

    run_id: str
    recipe: Recipe
    X: np.ndarray
    Y: np.ndarray
    hyperparameters: dict
    seed: int
    threshold: float = None


def train(task):
    """Train one run and return ``(run_id, measures)`` (the columns :data:`MEASURES` names)."""
    net = task.recipe.build(task.seed)
    started = time.perf_counter()
    try:
        history, status = net.fit(task.X, task.Y, seed=task.seed, verbose=False,
                                  **fit_arguments(task.hyperparameters)), "ok"
    except TrainingDiverged as err:
        history, status = err.history, "diverged"
    seconds = time.perf_counter() - started
    reached = None
    if task.threshold is not None:
        reached = next((e for e, a in enumerate(history.accuracy, 1) if a >= task.threshold), None)

    def last(values):
        return values[-1] if values else None

    return task.run_id, {
        "status": status, "epochs_run": history.epochs, "n_params": net.n_params,
        "final_loss": last(history.loss), "best_loss": min(history.loss, default=None),
        "final_accuracy": last(history.accuracy), "final_val_loss": last(history.val_loss),
        "final_val_accuracy": last(history.val_accuracy), "epochs_to_threshold": reached,
        "seconds": seconds, "loss_curve": history.loss, "accuracy_curve": history.accuracy}
