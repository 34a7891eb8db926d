"""The native engine: the engine interface (:mod:`dagnet.engine`) over the C kernel.

Forward, loss, backward and the weight gradients run in one native pass per
batch, tile by tile (see ``kernel.c``); :meth:`NativeEngine.train_epoch`
runs a whole epoch of updates, the optimiser's included, in one call, and
:meth:`NativeEngine.train_epochs` many epochs.

``threads`` (default 1, or the ``DAGNET_NUM_THREADS`` environment variable)
spreads tiles over threads; the results are bit-identical for any count.

Examples
--------
>>> import dagnet, numpy as np
>>> from dagnet.native import available
>>> net = dagnet.load("topologies/xor_skip.yaml", engine="native" if available() else "numpy")
>>> net.predict(np.array([[0, 1], [1, 1]])).round(3).ravel()
array([0.992, 0.008])
"""
import os

import numpy as np

from . import kernel
from .spec import TILE_SIZES, Spec, tile_size, unsupported

MODE_FORWARD, MODE_BACKWARD, MODE_TRAIN = 0, 1, 2

#: optimiser name -> (kernel code, names of the hyperparameters passed as a, b, eps, state names)
OPTIMIZERS = {"sgd": (0, (), ()), "momentum": (1, ("momentum",), ("velocity",)),
              "nesterov": (2, ("momentum",), ("buffer",)),
              "adam": (3, ("beta1", "beta2", "eps"), ("m", "v"))}


def default_threads():
    """Threads per engine: ``DAGNET_NUM_THREADS`` when set to a whole number >= 1, else 1."""
    value = os.environ.get("DAGNET_NUM_THREADS", "1")
    return int(value) if value.isdigit() and int(value) >= 1 else 1


class NativeEngine:
    """Forward and backward propagation by the native kernel (see :mod:`dagnet.engine`).

    Parameters
    ----------
    plan : Plan
    loss : Loss
    dtype : {"float64", "float32"}
        The arithmetic inside the kernel; parameters, inputs and results stay float64.
    """

    name = "native"

    def __init__(self, plan, loss, dtype="float64"):
        if kernel is None:
            raise ValueError("the native kernel is not built (see dagnet.native.status()); "
                             "use engine='compiled' or 'numpy'")
        reason = unsupported(plan, loss)
        if reason:
            raise ValueError(f"{reason}; use engine='compiled' or 'numpy'")
        self.plan, self.loss, self.dtype = plan, loss, np.dtype(dtype).name
        if self.dtype not in ("float64", "float32"):
            raise ValueError(f"dtype must be 'float64' or 'float32', got {dtype!r}")
        self.precision = 1 if self.dtype == "float32" else 0
        self.threads = default_threads()
        self.spec = Spec(plan, loss)
        self.net = self.spec.build(kernel, plan)
        self._grad = np.empty(plan.n_params)
        self._outputs = None
        self._weighted = None

    def weighted(self):
        """The numpy engine that runs the calls with sample weights (the kernel's loss has none)."""
        if self._weighted is None:
            from ..compiled import CompiledEngine
            self._weighted = CompiledEngine(self.plan, self.loss)
        return self._weighted

    def __getstate__(self):   # the kernel's capsule is rebuilt on unpickling
        state = dict(self.__dict__)
        for key in ("net", "_grad", "_outputs", "_weighted"):
            state.pop(key, None)
        return state

    def __setstate__(self, state):
        self.__dict__.update(state)
        self.net = self.spec.build(kernel, self.plan)
        self._grad = np.empty(self.plan.n_params)
        self._outputs = None
        self._weighted = None

    def _tile(self, n):
        return TILE_SIZES.index(tile_size(n, self.plan.n_nodes, 4 if self.precision else 8))

    def _run(self, mode, n, params, X=None, Y=None, S=None, Z=None, S_out=None, Z_out=None,
             D_out=None, grad=None, outputs=None, input_deltas=True):
        return kernel.run(self.net, mode, self.precision, self._tile(n), int(self.threads), n, params,
                          X, Y, S, Z, S_out, Z_out, D_out, grad, outputs, input_deltas)

    def forward(self, params, X):
        """Return (S, Z), each of shape (n_samples, n_nodes), columns in plan order."""
        n, N = len(X), self.plan.n_nodes
        S, Z = np.empty((N, n)), np.empty((N, n))
        if n:
            self._run(MODE_FORWARD, n, params, X=np.ascontiguousarray(X, dtype=np.float64),
                      S_out=S, Z_out=Z)
        return S.T, Z.T

    def backward(self, params, S, Z, Y, input_deltas=True, weights=None):
        """Return (E, ∂E/∂params of shape (n_params,), δ of shape (n_samples, n_nodes))."""
        if weights is not None:
            return self.weighted().backward(params, S, Z, Y, input_deltas, weights)
        n, N = len(S), self.plan.n_nodes
        grad, D = np.empty(self.plan.n_params), np.empty((N, n))
        E = self._run(MODE_BACKWARD, n, params, Y=np.ascontiguousarray(Y, dtype=np.float64),
                      S=np.ascontiguousarray(S), Z=np.ascontiguousarray(Z), D_out=D, grad=grad,
                      input_deltas=input_deltas)
        return E, grad, D.T

    def train_gradient(self, params, X, Y, weights=None):
        """(E, ∂E/∂params) for one training step; the gradient is overwritten by the next call."""
        if weights is not None:
            E, grad = self.weighted().train_gradient(params, X, Y, weights)
            self._outputs = self.weighted().train_outputs()
            return E, grad
        n = len(X)
        if self._outputs is None or len(self._outputs) != n:
            self._outputs = np.empty((n, len(self.plan.outputs)))
        E = self._run(MODE_TRAIN, n, params, X=np.ascontiguousarray(X, dtype=np.float64),
                      Y=np.ascontiguousarray(Y, dtype=np.float64), grad=self._grad,
                      outputs=self._outputs)
        return E, self._grad

    def train_outputs(self):
        """The outputs ŷ of the last :meth:`train_gradient` batch, shape (n_samples, n_outputs)."""
        return self._outputs

    def fuses(self, optimizer):
        """True when :meth:`train_epoch` can run ``optimizer`` (a built-in optimiser object)."""
        from ..optimizers import OPTIMIZERS as BUILT_IN
        return type(optimizer) is BUILT_IN.get(getattr(optimizer, "name", None))

    def train_epoch(self, params, X, Y, batch_size, optimizer, weight_decay=0.0, outputs=None):
        """Every update of one epoch in one native call; returns the batch losses, in order.

        Equals calling :meth:`train_gradient`, adding ``weight_decay · mask · params`` and
        ``optimizer.step`` batch after batch (to the last bit: the same operations in the
        same order). Stops after the first batch whose loss is not finite, so the result
        may be shorter than the number of batches. ``optimizer.t`` and its state advance
        as ``step`` would advance them. ``outputs``, if given (n, n_outputs), receives each
        batch's ŷ as the forward pass computed it before that batch's update.
        """
        n = len(X)
        losses = np.empty(-(-n // int(batch_size)))
        done, _ = self._epochs(params, X, Y, batch_size, optimizer, 1, None, weight_decay, losses, outputs,
                               None)
        return losses[:done]

    def train_epochs(self, params, X, Y, batch_size, optimizer, epochs, orders=None, weight_decay=0.0,
                     outputs=None):
        """``epochs`` epochs of updates in one native call: :meth:`train_epoch` over and over, bit for bit.

        Parameters
        ----------
        X : ndarray of shape (n_samples, n_inputs)
        Y : ndarray of shape (n_samples, n_outputs)
        orders : int64 ndarray of shape (epochs, n_samples) or None
            Epoch e visits the rows ``X[orders[e]]`` (None: as they are).
        outputs : ndarray of shape (epochs, n_samples, n_outputs) or None
            Receives each batch's ŷ before its update, in X's row order.

        Returns
        -------
        losses : ndarray of shape (whole, n_batches)
            The batch losses of the epochs whose losses and parameters all stayed finite.
        diverged : bool
            True when the run stopped at epoch ``whole``: the parameters are then put back as
            that epoch found them (the optimiser's state is not).
        """
        n, epochs = len(X), int(epochs)
        n_batches = -(-n // int(batch_size))
        losses = np.empty((epochs, n_batches))
        keep = np.empty_like(params)
        if orders is not None:
            orders = np.ascontiguousarray(orders, dtype=np.int64)
        _, whole = self._epochs(params, X, Y, batch_size, optimizer, epochs, orders, weight_decay, losses,
                                outputs, keep)
        diverged = whole < epochs
        if diverged:
            params[:] = keep
        return losses[:whole], diverged

    def _epochs(self, params, X, Y, batch_size, optimizer, epochs, orders, weight_decay, losses, outputs, keep):
        if not self.fuses(optimizer):
            raise ValueError(f"train_epoch runs the built-in optimisers only, not {optimizer!r}")
        code, names, states = OPTIMIZERS[optimizer.name]
        hyper = [getattr(optimizer, k) for k in names] + [0.0] * (3 - len(names))
        buffers = [optimizer.buffer(k, params) for k in states] + [None] * (2 - len(states))
        n, m = len(X), len(self.plan.outputs)
        scratch = (np.empty((n, X.shape[1])), np.empty((n, m)),
                   np.empty((n, m)) if outputs is not None else None) if orders is not None else (None,) * 3
        done, whole = kernel.epochs(self.net, self.precision, self._tile(min(n, batch_size)), int(self.threads),
                                    params, np.ascontiguousarray(X, dtype=np.float64),
                                    np.ascontiguousarray(Y, dtype=np.float64), n, int(batch_size), code,
                                    optimizer.lr, *hyper, optimizer.t, *buffers, float(weight_decay),
                                    self.plan.mask if weight_decay else None, self._grad, losses, outputs,
                                    orders, epochs, *scratch, keep)
        optimizer.t += done
        return done, whole

    def info(self):
        """What runs: backend, dtype, threads and how the kernel was built."""
        config = kernel.config()
        built = f"{config['simd']}{', FMA' if config['fma'] else ''}" \
                f"{', libmvec' if config['libmvec'] else ', portable transcendental functions'}"
        return {"backend": "native", "dtype": self.dtype, "threads": int(self.threads),
                "reason": f"the native kernel ({built})"}


class Native32Engine(NativeEngine):
    """The native kernel computing in float32 (``engine="float32"``); float64 stays the default."""

    name = "float32"

    def __init__(self, plan, loss):
        super().__init__(plan, loss, dtype="float32")
