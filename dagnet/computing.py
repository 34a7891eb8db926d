"""What a Network computes: the forward pass, predictions, the loss, its gradients, scores.

:class:`Computing` is mixed into :class:`dagnet.Network`, whose parameter
vector, plan and engines these methods run; they read them through the
network's public attributes (``params``, ``plan``, ``runner``).
"""
from . import metrics
from .results import Gradients, Trace
from .samples import as_inputs, as_sample_weights, is_binary


class Computing:
    """The computing methods of :class:`dagnet.Network` (see there)."""

    # -- computing ---------------------------------------------------------

    def forward(self, X):
        """Propagate ``X`` of shape (n_samples, n_inputs); return the :class:`~dagnet.results.Trace`.

        Examples
        --------
        >>> import dagnet
        >>> net = dagnet.load("topologies/xor_skip.yaml")
        >>> trace = net.forward([[0, 1], [1, 1]])
        >>> trace.s["n"], trace.z["n"].round(3)
        (array([-5.,  5.]), array([0.007, 0.993]))
        """
        X = as_inputs(X, self.inputs, self.runner)
        return Trace(*self.runner.forward(self.params, X), self.plan)

    def predict(self, X):
        """Output activations, shape (n_samples, n_outputs), columns in ``outputs`` order."""
        return self.forward(X).outputs

    def targets(self, Y):
        """``Y`` checked and shaped as the loss takes it: float64 (n_samples, n_outputs)."""
        return self.loss_function.targets(Y, len(self.outputs))

    def evaluate(self, X, Y, sample_weight=None):
        """The loss E (as defined for ``self.loss``) on ``X``, ``Y``, optionally with sample weights."""
        trace = self.forward(X)
        Y = self._check_pair(trace.S, Y)
        weights = as_sample_weights(sample_weight, len(Y))
        return self.loss_function.value_and_delta(trace.output_sums, trace.outputs, Y,
                                                  self.plan.output_groups, weights)[0]

    def gradients(self, X, Y, sample_weight=None):
        """Loss and its gradient by backpropagation.

        Parameters
        ----------
        X : array of shape (n_samples, n_inputs)
        Y : array of shape (n_samples, n_outputs)
            For ``cross_entropy`` also integer labels of shape (n_samples,).
        sample_weight : array of shape (n_samples,) or None
            Each sample counts this many times in E (a weighted mean for the mean losses).

        Returns
        -------
        loss : float
        grads : Gradients
            ``grads.weight[(i, j)]``, ``grads.bias[j]``, ``grads.delta[j]``.

        Examples
        --------
        >>> import dagnet
        >>> net = dagnet.load("topologies/xor_skip.yaml")
        >>> loss, grads = net.gradients([[0, 1]], [[1]])
        >>> round(loss, 6), grads.delta["y"].round(6)
        (5.8e-05, array([-0.000116]))
        >>> sorted(grads.weight)
        [('a', 'n'), ('a', 'y'), ('b', 'n'), ('b', 'y'), ('n', 'y')]
        """
        X = as_inputs(X, self.inputs, self.runner)
        S, Z = self.runner.forward(self.params, X)
        Y = self._check_pair(S, Y)
        weights = as_sample_weights(sample_weight, len(Y))
        E, vector, D = self.runner.backward(self.params, S, Z, Y, weights=weights)
        return E, Gradients(vector, D, self.plan)

    def _check_pair(self, S, Y):
        Y = self.targets(Y)
        if len(Y) != len(S):
            raise ValueError(f"X has {len(S)} samples but Y has {len(Y)}")
        if len(Y) == 0:
            raise ValueError("no samples: the loss of an empty batch is undefined")
        return Y

    # -- results -----------------------------------------------------------

    @property
    def is_classifier(self):
        """True for the classification losses (cross-entropy, binary cross-entropy)."""
        return self.loss_function.classification

    def predict_classes(self, X):
        """Class labels, int array of shape (n_samples,).

        One output: 1 where ŷ > 0.5; several: the output with the largest ŷ.
        """
        return metrics.classes(self.predict(X))

    def score(self, X, Y):
        """Accuracy for classifiers (or 0/1 targets), else R² averaged over outputs."""
        Y_hat = self.predict(X)
        Y = self._check_pair(Y_hat, Y)
        if self.is_classifier or is_binary(Y):
            return metrics.accuracy(metrics.labels(Y), metrics.classes(Y_hat))
        return metrics.r2(Y, Y_hat)
