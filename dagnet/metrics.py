"""Metrics for predictions: accuracy for classifiers, MSE, MAE and R² for regression.

Examples
--------
>>> import numpy as np
>>> accuracy(np.array([0, 1, 1]), np.array([0, 1, 0]))
0.6666666666666666
>>> r2(np.array([[1.0], [2.0], [3.0]]), np.array([[1.0], [2.0], [3.0]]))
1.0
"""
import numpy as np


def classes(Y_hat):
    """Class labels from output activations of shape (n_samples, n_outputs).

    One output: 1 where ŷ > 0.5, else 0. Several: the index of the largest.
    Returns an int array of shape (n_samples,).
    """
    Y_hat = np.asarray(Y_hat)
    if Y_hat.ndim == 1 or Y_hat.shape[1] == 1:
        return (Y_hat.reshape(-1) > 0.5).astype(np.intp)
    return np.argmax(Y_hat, axis=1)


def labels(Y):
    """Class labels from targets: integer labels of shape (n,) or (n, 1), or one-hot rows."""
    Y = np.asarray(Y)
    if Y.ndim == 2 and Y.shape[1] > 1:
        return np.argmax(Y, axis=1)
    return np.rint(Y.reshape(-1)).astype(np.intp)


def accuracy(y_true, y_pred):
    """Fraction of equal labels; both of shape (n_samples,)."""
    y_true, y_pred = np.asarray(y_true).reshape(-1), np.asarray(y_pred).reshape(-1)
    return float(np.mean(y_true == y_pred)) if len(y_true) else float("nan")


def mse(Y, Y_hat):
    """Mean over samples and outputs of (ŷ − y)²; inf when it overflows (a diverged network)."""
    with np.errstate(over="ignore"):
        return float(np.mean(np.square(np.asarray(Y_hat) - np.asarray(Y))))


def mae(Y, Y_hat):
    """Mean over samples and outputs of |ŷ − y|."""
    return float(np.mean(np.abs(np.asarray(Y_hat) - np.asarray(Y))))


def r2(Y, Y_hat):
    """Coefficient of determination, averaged over outputs (as scikit-learn's ``r2_score``).

    Predictions so far off that their squared errors overflow (a diverged
    network) score -inf, without numpy's overflow warning.
    """
    Y, Y_hat = np.asarray(Y, dtype=float), np.asarray(Y_hat, dtype=float)
    Y = Y.reshape(len(Y), -1)
    Y_hat = Y_hat.reshape(len(Y_hat), -1)
    with np.errstate(over="ignore", invalid="ignore"):
        residual = np.sum(np.square(Y - Y_hat), axis=0)
    total = np.sum(np.square(Y - Y.mean(axis=0)), axis=0)
    scores = np.where(total > 0, 1.0 - residual / np.where(total > 0, total, 1.0),
                      np.where(residual == 0, 1.0, 0.0))
    return float(np.mean(scores))
