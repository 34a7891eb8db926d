"""Cascade-correlation (Fahlman & Lebiere 1990): a network that grows one frozen perceptron at a time.

:func:`grow` starts from the inputs wired straight to the outputs and repeats:

1. train the weights into the outputs (every input and hidden perceptron
   feeds every output) until the error stops falling;
2. train a pool of candidate perceptrons, each fed by every input and every
   hidden perceptron so far, to maximise the covariance of its value V with
   the residual error E at the outputs (p the samples, o the outputs)::

       S = Σ_o |Σ_p (V_p − V̄)(E_p,o − Ē_o)|

3. install the best candidate with its input weights frozen
   (:func:`dagnet.edits.add_node`), feeding every output through a new
   weight −(its correlation with that output's error);

until every output is within ``threshold`` of its target on every sample
(the paper's 0.4) or ``max_units`` are installed. Both phases train with
:class:`Quickprop` (Fahlman 1988), with the constants of Fahlman's own code
for the two-spirals problem, or with any dagnet optimiser. Only the output
weights and the candidates change while training, so the values of the
inputs and of the installed perceptrons are computed once and cached, as
Fahlman's code does: an epoch costs one pass over the outputs and the pool.

Examples
--------
>>> import numpy as np
>>> X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]]); Y = np.array([0, 1, 1, 0])
>>> net, history = grow(X, Y, seed=0)
>>> history.solved, history.hidden_units, net.predict_classes(X).tolist()
(True, 1, [0, 1, 1, 0])
"""
from dataclasses import dataclass

import networkx as nx
import numpy as np

from . import edits
from .activations import ACTIVATIONS, canonical, record
from .cascade_history import CascadeHistory, Stage, Unit
from .errors import suggest
from .losses import LOSSES
from .network import Network
from .optimizers import OPTIMIZERS, make_optimizer
from .quickprop import Quickprop
from .samples import as_inputs


@dataclass(frozen=True)
class Phase:
    """How one phase trains: at most ``epochs``; done when its measure (the output error, or the best
    candidate's score) has not changed by ``change`` (a fraction of it) for ``patience`` epochs.

    ``lr`` is quickprop's ε, divided by the number of samples (and, for the
    candidates, by the number of their inputs plus one) as in Fahlman's
    code; for another optimiser it is the learning rate on the mean slope.
    """

    epochs: int = 100
    patience: int = 8
    change: float = 0.01
    lr: float = 1.0


#: Fahlman's settings for the two spirals (his cascor code: OEps 1, OPat 12, OChange 0.01;
#: IEps 100, IPat 8, IChange 0.03; 100 epochs per phase at most).
OUTPUT_PHASE = Phase(epochs=100, patience=12, change=0.01, lr=1.0)
CANDIDATE_PHASE = Phase(epochs=100, patience=8, change=0.03, lr=100.0)


# -- the error the candidates correlate with -----------------------------------------

def _error_signal(loss, activation, offset):
    """``e(S, Z, Y)`` per sample and output: (ŷ − y)(σ' + offset) for squared errors, ŷ − y for cross-entropies.

    The squared-error form is Fahlman's: the difference scaled by the
    output's derivative, which ``offset`` keeps away from 0 for bounded
    outputs stuck at an extreme (his "sigmoid prime offset").
    """
    if loss in ("cross_entropy", "binary_cross_entropy"):
        return lambda S, Z, Y: Z - Y         # σ' cancels against the loss's own derivative
    bounded = record(activation).range[1] is not None
    derivative = ACTIVATIONS[activation].derivative
    return lambda S, Z, Y: (Z - Y) * (derivative(S, Z) + (offset if bounded else 0.0))


def _optimizer(spec, phase, n):
    if spec == "quickprop":
        return Quickprop(lr=phase.lr / n, mu=2.0)
    return make_optimizer(spec, lr=phase.lr)


class _Patience:
    """Fahlman's stopping rule: quit ``patience`` epochs after the last change by more than ``change``."""

    def __init__(self, phase):
        self.phase, self.last, self.quit = phase, None, phase.patience

    def stagnant(self, epoch, value):
        if self.last is None:
            self.last = value
        elif abs(value - self.last) > abs(self.last) * self.phase.change:
            self.last, self.quit = value, epoch + self.phase.patience
        elif epoch >= self.quit:
            return True
        return False


def _product(A, B):
    """A @ B summed in numpy's own loops, not the BLAS library's.

    BLAS picks its kernel by CPU (AVX2 or AVX-512 sum in different orders), and a cascade
    amplifies those last bits into a different network; these loops give the same sums on
    every machine, so a seed grows the same network everywhere.
    """
    return np.einsum("ij,jk->ik", A, B)


def score_candidates(V, W, activations, E, scale=1.0):
    """Each candidate's score S = Σ_o |Σ_p (V_p − V̄)(E_p,o − Ē_o)| / scale, and its gradient.

    Parameters
    ----------
    V : array of shape (n_samples, n_sources + 1)
        The candidates' inputs (inputs and hidden values), a column of ones
        last for the bias.
    W : array of shape (n_sources + 1, pool)
        One column of weights per candidate.
    activations : list of str, one per candidate
    E : array of shape (n_samples, n_outputs)
        The residual error at each output.
    scale : float
        Divides S (Fahlman divides by Σ (E − Ē)², which keeps ε in range).

    Returns
    -------
    scores : (pool,)
    correlation : (pool, n_outputs), the signed Σ_p (V_p − V̄)(E_p,o − Ē_o) / scale
    values : (n_samples, pool), each candidate's z_p
    gradient : (n_sources + 1, pool), ∂S/∂W = Σ_o sign_o Σ_p (E_p,o − Ē_o) σ'(s_p) V_p / scale

    Examples
    --------
    >>> V = np.array([[0.0, 1.0], [1.0, 1.0]]); E = np.array([[-1.0], [1.0]])
    >>> score_candidates(V, np.array([[10.0], [0.0]]), ["linear"], E)[0]     # z = 10 x: Σ (z − 5)(E − 0)
    array([10.])
    """
    sums = _product(V, W)
    values, slopes = np.empty_like(sums), np.empty_like(sums)
    for name in set(activations):
        cols = [u for u, k in enumerate(activations) if k == name]
        act = ACTIVATIONS[name]
        values[:, cols] = act.forward(sums[:, cols])
        slopes[:, cols] = act.derivative(sums[:, cols], values[:, cols])
    E = E - E.mean(axis=0)                       # then Σ_p (V_p − V̄)(E_p − Ē) = Σ_p V_p (E_p − Ē)
    correlation = _product(values.T, E) / scale
    gradient = _product(V.T, slopes * _product(E, np.sign(correlation).T)) / scale
    return np.abs(correlation).sum(axis=1), correlation, values, gradient


class _Cascade:
    """The growing network with its cached values: one column per input and installed perceptron."""

    def __init__(self, net, X, Y, options):
        self.net, self.Y, self.o = net, Y, options
        self.features = X.copy()
        self.sources = list(net.inputs)
        self.loss = LOSSES[net.loss]
        activation = net.plan.activation[net.outputs[0]]
        self.output_activation = record(activation)
        self.error = _error_signal(net.loss, activation, options["prime_offset"])
        # quickprop takes Fahlman's summed slopes (its ε is divided by n); others the mean slope
        self.slope_scale = 1.0 if options["optimizer"] == "quickprop" else 1.0 / len(X)
        self.output_optimizer = _optimizer(options["optimizer"], options["output"], len(X))
        self.rng = options["rng"]

    def _slots(self):
        plan, outputs = self.net.plan, self.net.outputs
        weights = np.array([[plan.edge_slot[s, o] for o in outputs] for s in self.sources], dtype=np.intp)
        return weights, np.array([plan.bias_slot[o] for o in outputs], dtype=np.intp)

    def outputs(self, params=None):
        """(S, Z) of the outputs from the cached values, each (n_samples, n_outputs)."""
        params = self.net.params if params is None else params
        weights, biases = self._slots()
        S = _product(self.features, params[weights]) + params[biases]
        if self.output_activation.name == "softmax":
            S_shift = np.exp(S - S.max(axis=1, keepdims=True))
            return S, S_shift / S_shift.sum(axis=1, keepdims=True)
        return S, self.output_activation.forward(S)

    def train_outputs(self):
        """Fahlman's output phase; returns the Stage reached."""
        net, phase, Y = self.net, self.o["output"], self.Y
        weights, biases = self._slots()
        trainable = np.r_[weights.ravel(), biases]
        patience, epochs = _Patience(phase), 0
        for epoch in range(phase.epochs):
            S, Z = self.outputs()
            if self._wrong(Z) == 0:
                break
            e = self.error(S, Z, Y)
            grad = np.zeros(net.plan.n_params)
            grad[weights] = _product(self.features.T, e)
            grad[biases] = e.sum(axis=0)
            grad[trainable] += self.o["decay"] * net.params[trainable]
            self.output_optimizer.step(net.params, grad * self.slope_scale)
            epochs += 1
            if patience.stagnant(epoch, self.loss.value(*self.outputs(), Y)):
                break
        return self._stage(epochs)

    def _wrong(self, Z):
        return int(np.sum(np.any(np.abs(Z - self.Y) >= self.o["threshold"], axis=1)))

    def _stage(self, epochs):
        net = self.net
        S, Z = self.outputs()
        wrong = self._wrong(Z)
        weights = {(s, o): net.weight(s, o) for s in self.sources for o in net.outputs}
        return Stage(len(self.sources) - len(net.inputs), epochs, self.loss.value(S, Z, self.Y), wrong,
                     1.0 - wrong / len(Z), weights, {o: net.bias(o) for o in net.outputs})

    def train_candidates(self):
        """The candidate phase: (weights of the best, its bias, activation, correlations, score, epochs, values)."""
        o, n = self.o, len(self.features)
        S, Z = self.outputs()
        E = self.error(S, Z, self.Y)
        scale = float(np.sum((E - E.mean(axis=0)) ** 2)) or 1.0   # Fahlman's: ε need not follow the error down
        V = np.c_[self.features, np.ones(n)]       # the candidates' inputs, a bias column last
        names = [canonical(a) for a in o["activations"]]
        kinds = [names[u % len(names)] for u in range(o["pool"])]
        W = self.rng.uniform(-o["weight_range"], o["weight_range"], (V.shape[1], o["pool"]))
        phase = o["candidates"]
        optimizer = (Quickprop(lr=phase.lr / (n * V.shape[1]), mu=2.0) if o["optimizer"] == "quickprop"
                     else make_optimizer(o["optimizer"], lr=phase.lr))
        patience, epochs = _Patience(phase), 0
        flat = W.ravel()                            # the optimiser updates this view of W in place
        for epoch in range(phase.epochs):
            scores, _, _, gradient = score_candidates(V, W, kinds, E, scale)
            optimizer.step(flat, -gradient.ravel() * self.slope_scale)   # ascend S
            epochs += 1
            if patience.stagnant(epoch, float(scores.max())):
                break
        scores, correlation, values, _ = score_candidates(V, W, kinds, E, scale)
        best = int(np.argmax(scores))
        return (W[:-1, best], W[-1, best], kinds[best], correlation[best], float(scores[best]), epochs + 1,
                values[:, best])

    def install(self, name, in_weights, bias, activation, correlation, values):
        net = self.net
        edits.add_node(net, name, self.sources, net.outputs, activation=activation, bias=float(bias),
                       in_weights=[float(w) for w in in_weights],
                       out_weights=[float(-c * self.o["weight_multiplier"]) for c in correlation],
                       trainable=False, optimizer=self.output_optimizer)
        self.sources.append(name)
        self.features = np.c_[self.features, values]


def _start(X, Y, inputs, outputs, loss, output_activation, weight_range, rng):
    """The network with no hidden perceptron: every input feeds every output."""
    n_in = X.shape[1]
    inputs = [f"x.{k}" for k in range(n_in)] if inputs is None else list(inputs)
    Y = np.asarray(Y, dtype=float).reshape(len(X), -1)
    if outputs is None:
        outputs = ["y"] if Y.shape[1] == 1 else [f"y.{k}" for k in range(Y.shape[1])]
    outputs = list(outputs)
    if len(inputs) != n_in or len(outputs) != Y.shape[1]:
        raise ValueError(f"{len(inputs)} input names for {n_in} columns of X, {len(outputs)} output "
                         f"names for {Y.shape[1]} columns of Y")
    G = nx.DiGraph()
    G.add_nodes_from(inputs)
    for o in outputs:
        G.add_node(o, activation=output_activation, bias=float(rng.uniform(-weight_range, weight_range)))
        for x in inputs:
            G.add_edge(x, o, weight=float(rng.uniform(-weight_range, weight_range)))
    return Network.from_graph(G, inputs=inputs, outputs=outputs, loss=loss)


def grow(X, Y, max_units=25, pool=8, activations=("tanh",), threshold=0.4, loss="sse",
         output_activation="sigmoid", optimizer="quickprop", output=OUTPUT_PHASE,
         candidates=CANDIDATE_PHASE, weight_range=1.0, weight_multiplier=1.0, decay=1e-4,
         prime_offset=0.1, seed=None, inputs=None, outputs=None, callback=None):
    """Grow a cascade-correlation network on ``X``, ``Y``; return ``(network, CascadeHistory)``.

    Parameters
    ----------
    X : array of shape (n_samples, n_inputs)
    Y : array of shape (n_samples, n_outputs) or (n_samples,)
        Targets in the outputs' range (0/1 for the default sigmoid outputs).
    max_units : int
        The most hidden perceptrons to install.
    pool : int
        Candidates trained at once (the paper's 8).
    activations : sequence of str
        The candidates' activations, assigned in turn through the pool
        (``("tanh", "sigmoid", "gaussian")`` mixes them).
    threshold : float
        Solved when every output is within this of its target on every
        sample (Fahlman & Lebiere's 0.4 criterion).
    loss, output_activation : str
        ``sse`` on sigmoid outputs as in the paper; any dagnet loss works.
    optimizer : "quickprop" or a dagnet optimiser name
    output, candidates : Phase
        Epoch budget, patience, change threshold and ε of each phase.
    weight_range : float
        Initial weights are uniform in ±weight_range.
    weight_multiplier : float
        A new perceptron feeds output o with weight −multiplier × its
        correlation with o's error.
    decay : float
        Fahlman's output weight decay (added to the slopes).
    prime_offset : float
        Added to a bounded output's σ' in the error signal (Fahlman's sigmoid prime offset).
    seed : int or None
    inputs, outputs : list of names or None
        Default ``x.0, x.1, ...`` and ``y`` (``y.0, ...`` for several).
    callback : callable or None
        ``callback(net, history)`` after every output phase; returning
        False stops growing.

    Returns
    -------
    net : Network
        Hidden perceptrons ``h.0, h.1, ...``, each fed by the inputs and
        every earlier one, their in-weights fixed; an ordinary network
        that ``net.save`` writes and ``dagnet.load`` reads.
    history : CascadeHistory
    """
    for key, value, low in (("max_units", max_units, 0), ("pool", pool, 1)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low:
            raise ValueError(f"{key} must be a whole number >= {low}, got {value!r}")
    activations = [activations] if isinstance(activations, str) else list(activations)
    for a in activations:
        if canonical(a) not in ACTIVATIONS:
            raise ValueError(f"unknown candidate activation {a!r}{suggest(str(a), ACTIVATIONS)}; "
                             f"known: {', '.join(ACTIVATIONS)}")
    if not activations:
        raise ValueError("activations: give at least one")
    if optimizer != "quickprop" and optimizer not in OPTIMIZERS:
        raise ValueError(f"unknown optimizer {optimizer!r}{suggest(str(optimizer), ['quickprop', *OPTIMIZERS])}; "
                         f"known: quickprop, {', '.join(OPTIMIZERS)}")
    if not threshold > 0:
        raise ValueError(f"threshold must be > 0, got {threshold!r}")
    rng = np.random.default_rng(seed)
    X = np.asarray(X)
    if X.ndim != 2:
        raise ValueError(f"X must have shape (n_samples, n_inputs), got {X.shape}")
    net = _start(X, Y, inputs, outputs, loss, output_activation, weight_range, rng)
    if output_activation == "softmax" and loss != "cross_entropy":
        raise ValueError("softmax outputs grow with loss cross_entropy only")
    X = as_inputs(X, net.inputs, net.runner)
    Y = net.targets(np.asarray(Y, dtype=float).reshape(len(X), -1))
    cascade = _Cascade(net, X, Y, dict(
        pool=pool, activations=activations, threshold=threshold, optimizer=optimizer, output=output,
        candidates=candidates, weight_range=weight_range, weight_multiplier=weight_multiplier,
        decay=decay, prime_offset=prime_offset, rng=rng))
    history = CascadeHistory()
    while True:
        stage = cascade.train_outputs()
        history.stages.append(stage)
        history.epochs += stage.epochs
        history.solved = stage.wrong == 0
        if callback is not None and callback(net, history) is False:
            break
        if history.solved or history.hidden_units >= max_units:
            break
        w, b, activation, correlation, score, epochs, values = cascade.train_candidates()
        name = f"h.{history.hidden_units}"
        cascade.install(name, w, b, activation, correlation, values)
        history.epochs += epochs
        history.units.append(Unit(name, activation, score, epochs, len(w)))
    return net, history
