"""The figures of a network on samples: what fit records each epoch, and keeps at the end.

One forward pass gives both E (the loss as defined, weighted when sample
weights are given) and, for classifiers, the accuracy. After training,
:func:`keep_figures` measures the weights the network holds, so that what
``fit`` reports (``History.kept``, ``final()``) is the figure of those
weights, not the running figure of the last epoch.
"""
import math

import numpy as np

from . import metrics


def figures(net, X, Y, track_accuracy, weights=None):
    """Loss on (X, Y) (weighted when ``weights`` are given), and accuracy when tracked; one forward pass."""
    trace = net.forward(X)
    E = net.loss_function.value_and_delta(trace.output_sums, trace.outputs, Y, net.plan.output_groups,
                                          weights)[0] if weights is not None else \
        net.loss_function.value(trace.output_sums, trace.outputs, Y)
    acc = metrics.accuracy(metrics.labels(Y), metrics.classes(trace.outputs)) if track_accuracy else None
    return E, acc


def keep_figures(net, history, data, validation, track_accuracy, earlier=None):
    """Measure the weights the network holds (one pass over the data): ``history.kept``.

    ``data`` is (X, Y, weights or None), ``validation`` (X, Y) or (None, None).
    ``earlier``, after a divergence, holds the weights of the epoch before
    the last: the last epoch's weights are finite, but their own E may not
    be (in batch mode that is what the diverging epoch measured first), and
    then the network keeps those earlier weights instead.
    """
    (X, Y, weights), (Xv, Yv) = data, validation
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):   # the weights may be huge
        E, acc = figures(net, X, Y, track_accuracy, weights)
        if not math.isfinite(E) and earlier is not None:
            net.params[:] = earlier
            history.weights_epoch -= 1
            if not history.weights_epoch:
                return
            E, acc = figures(net, X, Y, track_accuracy, weights)
        kept = {"loss": E, "accuracy": acc}
        if Xv is not None:
            kept["val_loss"], kept["val_accuracy"] = figures(net, Xv, Yv, track_accuracy)
    history.kept = {name: value for name, value in kept.items() if value is not None}
