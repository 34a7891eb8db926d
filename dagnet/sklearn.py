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
from .samples import class_targets


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
                 weight_decay=0.0, validation_split=0.0, patience=None, shuffle=True,
                 random_state=None, engine="compiled", init=None, optimizer_params=None,
                 verbose=False):
        self.topology = topology
        self.epochs = epochs
        self.lr = lr
        self.batch_size = batch_size
        self.optimizer = optimizer
        self.weight_decay = weight_decay
        self.validation_split = validation_split
        self.patience = patience
        self.shuffle = shuffle
        self.random_state = random_state
        self.engine = engine
        self.init = init
        self.optimizer_params = optimizer_params
        self.verbose = verbose

    def _fit_network(self, X, n_outputs, targets):
        """Build the network for ``X``, train it on ``targets(net)``; set the fitted attributes.

        ``n_outputs`` sizes a generated topology; ``targets`` checks the
        built network's outputs and returns Y shaped for them. Raises before
        training when the topology does not fit the data.
        """
        seed = _seed(self.random_state)
        net = specs.network(self.topology, n_inputs=X.shape[1], n_outputs=n_outputs, seed=seed,
                            engine=self.engine, init=self.init, loss=self._default_loss)
        if len(net.inputs) != X.shape[1]:
            raise ValueError(f"the topology has {len(net.inputs)} input(s) {net.inputs} but X has "
                             f"{X.shape[1]} feature(s) (columns)")
        Y = targets(net)
        epochs = int(self.epochs) if isinstance(self.epochs, np.integer) else self.epochs
        history = net.fit(X, Y, epochs=epochs, lr=self.lr, batch_size=self.batch_size,
                          optimizer=self.optimizer, shuffle=self.shuffle, seed=seed,
                          weight_decay=self.weight_decay, validation_split=self.validation_split,
                          patience=self.patience, verbose=self.verbose,
                          **(self.optimizer_params or {}))
        self.network_, self.history_ = net, history
        self.loss_curve_ = list(history.loss)
        self.n_iter_ = history.epochs

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
    epochs, lr, batch_size, optimizer, weight_decay, validation_split, patience, shuffle
        As in :meth:`dagnet.Network.fit`.
    random_state : None, int, numpy RandomState or Generator
        ``Network.fit``'s ``seed``, also seeding the initial weights: an int k
        gives what ``dagnet.load(path, seed=k)`` then ``fit(..., seed=k)`` give.
    engine : {"compiled", "reference"}
    init : str or None
        Weight scheme for nodes the topology names none for.
    optimizer_params : dict or None
        Further options of the optimiser (``momentum``, ``beta1``, ...).
    verbose : bool
        A progress bar while training.

    Attributes
    ----------
    network_ : dagnet.Network
    classes_ : ndarray
        The labels, sorted; with one output node ``classes_[1]`` is ŷ = 1,
        with k output nodes output j is ``classes_[j]``.
    n_features_in_, history_, loss_curve_, n_iter_
    """

    def fit(self, X, y):
        """Train a new network on ``X`` (n_samples, n_features) and labels ``y``; return self."""
        X, y = _validate_data(self, X, y)
        check_classification_targets(y)
        classes, codes = np.unique(y, return_inverse=True)
        k = len(classes)
        if k < 2:
            raise ValueError(f"y has 1 class ({classes[0]!r}); a classifier needs at least 2")

        def targets(net):   # one output: ŷ = 1 means classes_[1]; k outputs: output j is classes_[j]
            return class_targets(codes, len(net.outputs), n_classes=k)

        self._fit_network(X, 1 if k == 2 else k, targets)
        self.classes_ = classes
        return self

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

    def fit(self, X, y):
        """Train a new network on ``X`` and targets ``y`` (n_samples,) or (n_samples, n_targets)."""
        X, y = _validate_data(self, X, y, multi_output=True, y_numeric=True)
        Y = np.asarray(y, dtype=np.float64)
        Y = Y.reshape(-1, 1) if Y.ndim == 1 else Y

        def targets(net):
            if len(net.outputs) != Y.shape[1]:
                raise ValueError(f"the topology has {len(net.outputs)} output(s) but y has "
                                 f"{Y.shape[1]} target(s) (columns)")
            return Y

        self._fit_network(X, Y.shape[1], targets)
        self.n_outputs_ = Y.shape[1]
        self._y_1d = np.ndim(y) == 1
        return self

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
