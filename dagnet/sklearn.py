"""scikit-learn estimators for dagnet networks: :class:`DAGNetClassifier`, :class:`DAGNetRegressor`.

Needs the ``sklearn`` extra (``pip install 'dagnet[sklearn]'``); ``import
dagnet`` alone never imports scikit-learn. The estimators take any dagnet
topology (a file, YAML text, a generator spec, a networkx DiGraph or a
Network) and the training options of :meth:`dagnet.Network.fit`, and work
with ``Pipeline``, ``GridSearchCV`` and ``cross_val_score``. Examples and
the full parameter list are in docs/sklearn.md.
"""
import numbers

import numpy as np

try:
    import sklearn  # noqa: F401
except ModuleNotFoundError as err:
    if err.name != "sklearn":
        raise
    raise ImportError("dagnet.sklearn needs scikit-learn: pip install 'dagnet[sklearn]'") from None

from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted

try:                                        # scikit-learn >= 1.6
    from sklearn.utils.validation import validate_data as _validate_data
except ImportError:                         # pragma: no cover - older scikit-learn
    def _validate_data(estimator, *args, **kwargs):
        return estimator._validate_data(*args, **kwargs)

from . import specs
from .optimizers import make_optimizer
from .regularization import L2
from .samples import class_targets
from .schedules import Adaptive, InvScaling
from .sparse import dynamic
from .text import plural


def _seed(random_state):
    """dagnet's ``seed`` from ``random_state``: an int as it is, a numpy generator drawn from."""
    if random_state is None:
        return None
    if isinstance(random_state, numbers.Integral):
        return int(random_state)
    if isinstance(random_state, np.random.RandomState):
        return int(random_state.randint(np.iinfo(np.int32).max))
    if isinstance(random_state, np.random.Generator):
        return int(random_state.integers(np.iinfo(np.int32).max))
    raise ValueError(f"random_state must be None, an int, or a numpy RandomState or Generator; "
                     f"got {random_state!r}")


class _DAGNetEstimator(BaseEstimator):
    """Parameters, network building and training shared by both estimators."""

    _default_loss = None

    def __init__(self, topology=None, *, epochs=200, lr=0.01, batch_size=32, optimizer="adam",
                 alpha=0.0, weight_decay=0.0, learning_rate="constant", power_t=0.5, tol=1e-4,
                 n_iter_no_change=10, validation_split=0.0, patience=None, shuffle=True,
                 random_state=None, warm_start=False, engine="compiled", init=None,
                 optimizer_params=None, sparse=None, verbose=False):
        self.topology = topology
        self.epochs = epochs
        self.lr = lr
        self.batch_size = batch_size
        self.optimizer = optimizer
        self.alpha = alpha
        self.weight_decay = weight_decay
        self.learning_rate = learning_rate
        self.power_t = power_t
        self.tol = tol
        self.n_iter_no_change = n_iter_no_change
        self.validation_split = validation_split
        self.patience = patience
        self.shuffle = shuffle
        self.random_state = random_state
        self.warm_start = warm_start
        self.engine = engine
        self.init = init
        self.optimizer_params = optimizer_params
        self.sparse = sparse
        self.verbose = verbose

    def _network(self, X, n_outputs, seed, keep):
        """The fitted network to go on training (``keep``), or a new one built for ``X``."""
        if keep and hasattr(self, "network_"):
            return self.network_
        net = specs.network(self.topology, n_inputs=X.shape[1], n_outputs=n_outputs, seed=seed,
                            engine=self.engine, init=self.init, loss=self._default_loss)
        if len(net.inputs) != X.shape[1]:
            raise ValueError(f"the topology has {plural(len(net.inputs), 'input')} {net.inputs} but X has "
                             f"{plural(X.shape[1], 'feature')} (columns)")
        self.optimizer_ = make_optimizer(self.optimizer, lr=self.lr, **(self.optimizer_params or {}))
        return net

    def _training_options(self):
        """fit's options from the estimator's parameters, scikit-learn's names mapped onto dagnet's."""
        if self.alpha and self.weight_decay:
            raise ValueError("give alpha (scikit-learn's penalty on weights, per sample) or "
                             "weight_decay (dagnet's, on every parameter), not both")
        decay = L2(self.alpha, biases=False, per_sample=True) if self.alpha else self.weight_decay
        schedules = {"constant": None, "invscaling": InvScaling(power_t=self.power_t),
                     "adaptive": Adaptive(tol=self.tol or 0.0, patience=self.n_iter_no_change)}
        if self.learning_rate not in schedules:
            raise ValueError(f"learning_rate must be one of {', '.join(schedules)}, got "
                             f"{self.learning_rate!r}")
        patience = self.patience
        if patience is None and self.tol is not None and self.learning_rate != "adaptive":
            patience = self.n_iter_no_change + 1   # scikit-learn stops once the count exceeds it
        return {"weight_decay": decay, "lr_schedule": schedules[self.learning_rate],
                "patience": patience, "min_delta": self.tol or 0.0,
                "restore_best": bool(self.validation_split)}

    def _fit_network(self, X, n_outputs, targets, sample_weight=None, epochs=None, keep=None):
        """Build (or keep) the network, train it on ``targets(net)``; set the fitted attributes.

        ``n_outputs`` sizes a generated topology; ``targets`` checks the
        network's outputs and returns Y shaped for them. Raises before
        training when the topology does not fit the data.
        """
        seed = _seed(self.random_state)
        keep = self.warm_start if keep is None else keep
        net = self._network(X, n_outputs, seed, keep)
        Y = targets(net)
        epochs = self.epochs if epochs is None else epochs
        epochs = int(epochs) if isinstance(epochs, np.integer) else epochs
        options = self._training_options()
        if epochs == 1 and keep:    # partial_fit: one pass, no stopping rule
            options.update(patience=None, lr_schedule=None)
        self.optimizer_.lr = self.lr if self.learning_rate == "constant" else self.optimizer_.lr
        if not (keep and hasattr(self, "sparse_")):     # a warm start goes on with the same ranks
            self.sparse_ = dynamic(self.sparse)
        history = net.fit(X, Y, epochs=epochs, batch_size=self.batch_size, optimizer=self.optimizer_,
                          shuffle=self.shuffle, seed=seed, validation_split=self.validation_split,
                          verbose=self.verbose, sample_weight=sample_weight, callback=self.sparse_,
                          **options)
        self.network_, self.history_ = net, history
        self.loss_curve_ = (self.loss_curve_ if keep and hasattr(self, "loss_curve_") else []) + \
            list(history.loss)
        self.n_iter_ = (self.n_iter_ if keep and hasattr(self, "n_iter_") else 0) + history.epochs

    def _outputs(self, X):
        """The network's outputs for ``X`` (checked against the fit): (n_samples, n_outputs)."""
        check_is_fitted(self)
        X = _validate_data(self, X, reset=False)
        return self.network_.predict(X)


class DAGNetClassifier(ClassifierMixin, _DAGNetEstimator):
    """A classifier whose network is any dagnet topology.

    Parameters
    ----------
    topology : None, str, path, dict, networkx.DiGraph or dagnet.Network
        None: a generated MLP (8 tanh perceptrons). A string is YAML text when
        it has a newline or starts with ``{``, a generator kind (``"mlp"``,
        ``"residual"``, ...) when it names one, else a file path. A dict is a
        generator spec ``{"generate": kind, **params}``. Generated topologies
        get ``inputs`` (the number of features) and ``outputs`` (1 for two
        classes, else one per class) from the data unless the spec gives them.
        A DiGraph goes to ``Network.from_graph``; a Network is copied, its
        weights the start.
    epochs, lr, batch_size, optimizer, weight_decay, validation_split, shuffle
        As in :meth:`dagnet.Network.fit` (``weight_decay`` penalises every parameter).
    alpha : float
        scikit-learn's L2 penalty: (α / 2n)‖W‖² on the weights (not the biases)
        of each batch of n samples. Give ``alpha`` or ``weight_decay``.
    learning_rate : {"constant", "invscaling", "adaptive"}
        As scikit-learn's: η / (t + 1)^power_t after t samples seen, or η / 5
        after ``n_iter_no_change`` epochs without improving by ``tol``
        (stopping once η < 1e-6). See :mod:`dagnet.schedules`.
    power_t : float
    tol, n_iter_no_change : float or None, int
        Stop when the loss (the validation loss with ``validation_split``,
        whose best weights are then kept) has not improved by ``tol`` for
        more than ``n_iter_no_change`` epochs, as scikit-learn does;
        ``tol=None`` trains every epoch. ``patience``, when given, replaces
        ``n_iter_no_change + 1``.
    warm_start : bool
        ``fit`` goes on training the fitted network (and its optimiser state)
        instead of building a new one.
    random_state : None, int, numpy RandomState or Generator
        ``Network.fit``'s ``seed``, also seeding the initial weights: an int k
        gives what ``dagnet.load(path, seed=k)`` then ``fit(..., seed=k)`` give.
    engine : {"compiled", "native", "float32", "numpy", "reference"}
        See docs/engines.md; "compiled" runs the native kernel when it is built.
    init : str or None
        Weight scheme for nodes the topology names none for.
    optimizer_params : dict or None
        Further options of the optimiser (``momentum``, ``beta1``, ...).
    sparse : None, str or dict
        Dynamic sparse training: ``"set"``, ``"rigl"`` or ``{"method": "rigl",
        "every": 100, ...}`` (see :func:`dagnet.sparse.dynamic`); a sparse
        start is the topology's (a generator spec's ``density``).
    verbose : bool
        A progress bar while training.

    Attributes
    ----------
    network_ : dagnet.Network
    classes_ : ndarray
        The labels, sorted; with one output node ``classes_[1]`` is ŷ = 1,
        with k output nodes output j is ``classes_[j]``.
    optimizer_ : dagnet.optimizers.Optimizer
        Its state carries over ``warm_start`` fits and ``partial_fit`` calls.
    sparse_ : dagnet.sparse.DynamicSparse or None
        The dynamic sparse training callback and its log.
    n_features_in_, history_, loss_curve_, n_iter_
    """

    def fit(self, X, y, sample_weight=None):
        """Train a network on ``X`` (n_samples, n_features) and labels ``y``; return self.

        A new network each time, unless ``warm_start`` keeps the fitted one.
        """
        X, y = _validate_data(self, X, y)
        check_classification_targets(y)
        classes = np.unique(y)
        if self.warm_start and hasattr(self, "classes_") and not np.array_equal(classes, self.classes_):
            raise ValueError(f"warm_start: y has classes {classes.tolist()}, the fitted network "
                             f"{self.classes_.tolist()}")
        self._train(X, y, classes, sample_weight)
        return self

    def partial_fit(self, X, y, classes=None, sample_weight=None):
        """One epoch on ``X``, ``y``, going on from the last call (``classes``: all labels, first call)."""
        first = not hasattr(self, "classes_")
        X, y = _validate_data(self, X, y, reset=first)
        check_classification_targets(y)
        if first:
            if classes is None:
                raise ValueError("the first partial_fit needs classes=, every label the data will have")
            classes = np.unique(classes)
        elif classes is not None and not np.array_equal(np.unique(classes), self.classes_):
            raise ValueError(f"classes {np.unique(classes).tolist()} differ from the first call's "
                             f"{self.classes_.tolist()}")
        self._train(X, y, self.classes_ if not first else classes, sample_weight, epochs=1, keep=not first)
        return self

    def _train(self, X, y, classes, sample_weight, epochs=None, keep=None):
        k = len(classes)
        if k < 2:
            raise ValueError(f"y has 1 class ({classes[0]!r}); a classifier needs at least 2")
        unknown = np.setdiff1d(np.unique(y), classes)
        if len(unknown):
            raise ValueError(f"y has labels {unknown.tolist()} not among classes {classes.tolist()}")
        codes = np.searchsorted(classes, y)

        def targets(net):   # one output: ŷ = 1 means classes_[1]; k outputs: output j is classes_[j]
            return class_targets(codes, len(net.outputs), n_classes=k)

        self._fit_network(X, 1 if k == 2 else k, targets, sample_weight, epochs, keep)
        self.classes_ = classes

    def predict_proba(self, X):
        """Class probabilities, shape (n_samples, n_classes), columns in ``classes_`` order.

        One output node: [1 − ŷ, ŷ] with ŷ clipped to [0, 1]. Several: the
        outputs clipped at 0 and scaled to sum to 1 (softmax outputs already
        do); a row of zeros becomes uniform.
        """
        out = self._outputs(X)
        if out.shape[1] == 1:
            p = np.clip(out[:, 0], 0.0, 1.0)
            return np.column_stack([1.0 - p, p])
        P = np.clip(out, 0.0, None)
        total = P.sum(axis=1, keepdims=True)
        return np.where(total > 0, P / np.where(total > 0, total, 1.0), 1.0 / P.shape[1])

    def predict(self, X):
        """The most probable class of each sample, from ``classes_``."""
        proba = self.predict_proba(X)
        return self.classes_[np.argmax(proba, axis=1)]


class DAGNetRegressor(RegressorMixin, _DAGNetEstimator):
    """A regressor whose network is any dagnet topology: one output node per target.

    Parameters are those of :class:`DAGNetClassifier`; a generated topology
    gets one output per column of ``y`` and the ``mse`` loss (with linear
    outputs) unless the spec says otherwise. ``score`` is R² (averaged over
    targets). Attributes: ``network_``, ``n_outputs_``, ``n_features_in_``,
    ``history_``, ``loss_curve_``, ``n_iter_``.
    """

    _default_loss = "mse"

    def fit(self, X, y, sample_weight=None):
        """Train a network on ``X`` and targets ``y`` (n_samples,) or (n_samples, n_targets).

        A new network each time, unless ``warm_start`` keeps the fitted one.
        """
        X, y = _validate_data(self, X, y, multi_output=True, y_numeric=True)
        self._train(X, y, sample_weight)
        return self

    def partial_fit(self, X, y, sample_weight=None):
        """One epoch on ``X``, ``y``, going on from the last call."""
        first = not hasattr(self, "network_")
        X, y = _validate_data(self, X, y, multi_output=True, y_numeric=True, reset=first)
        self._train(X, y, sample_weight, epochs=1, keep=not first)
        return self

    def _train(self, X, y, sample_weight, epochs=None, keep=None):
        Y = np.asarray(y, dtype=np.float64)
        Y = Y.reshape(-1, 1) if Y.ndim == 1 else Y

        def targets(net):
            if len(net.outputs) != Y.shape[1]:
                raise ValueError(f"the topology has {plural(len(net.outputs), 'output')} but y has "
                                 f"{plural(Y.shape[1], 'target')} (columns)")
            return Y

        self._fit_network(X, Y.shape[1], targets, sample_weight, epochs, keep)
        self.n_outputs_ = Y.shape[1]
        self._y_1d = np.ndim(y) == 1

    def predict(self, X):
        """Predicted targets: (n_samples,) after a fit on 1-D ``y``, else (n_samples, n_targets)."""
        out = self._outputs(X)
        return out[:, 0] if self._y_1d else out

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags

    def _more_tags(self):                   # scikit-learn < 1.6
        return {"multioutput": True}
