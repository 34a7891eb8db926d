"""A network as a PyTorch ``nn.Module``, and the trained parameters back into the network.

:func:`to_module` gives a :class:`DagModule` whose one trainable tensor,
``module.params``, is a copy of :attr:`dagnet.Network.params`: the same
slots (``net.plan.edge_slot``, ``net.plan.bias_slot``), so a gradient in
PyTorch and a gradient in dagnet can be compared slot by slot, and
:func:`load_state` writes a module trained in PyTorch back into the
network for inspection (traces, δ, pictures) in dagnet.

The forward pass runs one topological generation at a time, as the
compiled engine does, node-major: a dense generation is one ``addmm``,
a sparse one a gather of its source rows, a multiplication by the edge
weights and one sparse product summing them into its target rows
(an ``index_add`` was 10× slower). There is no Python
loop over nodes or edges. Fixed weights (``trainable: false``) take part
in the forward pass but get no gradient, as in dagnet.

Needs PyTorch, which dagnet never installs (``pip install torch``);
``import dagnet`` does not import it.

Examples
--------
>>> import dagnet, numpy as np, pytest
>>> torch = pytest.importorskip("torch")
>>> net = dagnet.load("topologies/xor_2_2_1.yaml", seed=0)
>>> module = to_module(net)
>>> X = np.array([[0.0, 1.0], [1.0, 1.0]])
>>> bool(np.allclose(module(torch.tensor(X)).detach().numpy(), net.predict(X), rtol=0, atol=1e-15))
True
"""
import functools
import hashlib
import io
import types

import numpy as np

from ..files import atomic_write
from ..losses import LOSSES
from ..plan import DenseStep
from . import InterchangeError, require


#: The methods each module gets a code object of its own for (see ``DagModule._own_code``).
OWN_CODE = ("forward", "loss", "trace")


def _torch():
    return require("torch", "PyTorch export")


def _functional():
    torch = _torch()
    F = torch.nn.functional

    def softplus(s):          # log(1 + e^s) with the gradient σ(s) everywhere (F.softplus switches
        return torch.logaddexp(torch.zeros_like(s), s)   # to s above 20, which dagnet does not)

    activations = {
        "sigmoid": torch.sigmoid,
        "tanh": torch.tanh,
        "linear": lambda s: s,
        "relu": torch.relu,
        "leaky_relu": lambda s: F.leaky_relu(s, _leaky_slope()),
        "elu": F.elu,
        "softplus": softplus,
        "swish": lambda s: s * torch.sigmoid(s),
        "softsign": F.softsign,
        "gaussian": lambda s: torch.exp(-s * s),
        "sin": torch.sin,
        "softmax": lambda s: s,   # one softmax over all outputs, at the end
    }
    losses = {   # E from the output sums s and activations z, as dagnet.losses defines each
        "sse": lambda s, z, y: torch.sum((z - y) ** 2),
        "mse": lambda s, z, y: torch.sum((z - y) ** 2) / y.numel(),
        "cross_entropy": lambda s, z, y: -torch.sum(y * torch.log_softmax(s, dim=1)) / len(y),
        "binary_cross_entropy": lambda s, z, y: torch.mean(y * softplus(-s) + (1.0 - y) * softplus(s)),
    }
    return activations, losses


def _leaky_slope():
    from ..activations import LEAKY_SLOPE
    return LEAKY_SLOPE


def activation_functions():
    """dagnet activation name -> the PyTorch function of it (every dagnet activation has one)."""
    return _functional()[0]


def loss_functions():
    """dagnet loss name -> ``E(s_out, z_out, y)`` in PyTorch, as :mod:`dagnet.losses` defines it."""
    return _functional()[1]


def signature(plan):
    """A short digest of a plan's structure: nodes, edges and their slots, biases."""
    digest = hashlib.sha256(repr(plan.nodes).encode())
    digest.update(plan.edges.tobytes())
    digest.update(np.array(sorted(plan.bias_slot.values()), dtype=np.int64).tobytes())
    digest.update(np.asarray(plan.mask).tobytes())
    return digest.hexdigest()[:16]


def _torch_dtype(dtype):
    torch = _torch()
    if isinstance(dtype, torch.dtype):
        dtype = str(dtype).replace("torch.", "")
    if dtype not in ("float64", "float32"):
        raise ValueError(f"dtype must be float64 or float32, got {dtype!r}")
    return getattr(torch, dtype)


@functools.lru_cache(maxsize=None)
def _module_class():
    """The DagModule class, made on first use so that importing this module never imports torch."""
    torch = _torch()
    nn = torch.nn
    activations, losses = _functional()

    class DagModule(nn.Module):
        """A dagnet network as an ``nn.Module``: ``module(X)`` is ``net.predict(X)``.

        Attributes
        ----------
        params : torch.nn.Parameter of shape (n_params,)
            Every weight and bias, in the slots of ``net.params``.
        nodes, inputs, outputs : tuple
            Node names: columns of :meth:`trace`, of ``X``, of the output.
        loss_name : str
            The network's loss, which :meth:`loss` computes.
        """

        def __init__(self, net, dtype):
            super().__init__()
            plan = net.plan
            self.nodes, self.inputs, self.outputs = plan.nodes, plan.inputs, plan.outputs
            self.loss_name = net.loss
            self.signature = signature(plan)
            self.n_weight_slots = plan.n_weight_slots
            self.softmax = plan.softmax
            self.params = nn.Parameter(torch.tensor(net.params, dtype=dtype))
            exists = np.zeros(plan.n_params)
            exists[list(plan.edge_slot.values())] = 1.0
            exists[list(plan.bias_slot.values())] = 1.0
            exists[plan.n_weight_slots:plan.n_weight_slots + plan.n_inputs] = 1.0  # unused: harmless
            fixed = exists - plan.mask
            self.masked = bool(plan.mask_needed)
            self.register_buffer("trainable", torch.tensor(plan.mask, dtype=dtype), persistent=False)
            self.register_buffer("fixed", torch.tensor(fixed, dtype=dtype), persistent=False)
            self.has_fixed = bool(fixed.any())
            self.constants = (plan.n_inputs, plan.n_inputs + plan.n_constants,
                              self._runs(plan.constant_runs, plan.n_inputs, "constant"))
            self.steps = [self._step(k, step) for k, step in enumerate(plan.steps)]
            self.outputs_where = self._index("outputs_index", plan.output_columns)
            self._own_code()

        def _own_code(self):
            """Give this module its own code objects for the methods one compiles.

            ``torch.compile`` keeps what it compiled per code object, guarded on
            the module's structure (``self.steps``): modules of different
            networks sharing one ``forward`` would recompile it for each network
            and, past ``torch._dynamo.config.recompile_limit`` (8), silently run
            uncompiled. With a code object of its own, each module is compiled
            once (and again only for a new batch-size regime).
            """
            for name in OWN_CODE:
                shared = getattr(DagModule, name)
                code = shared.__code__.replace(co_name=name)       # equal, but a new object
                own = types.FunctionType(code, shared.__globals__, name, shared.__defaults__,
                                         shared.__closure__)
                own.__doc__, own.__qualname__ = shared.__doc__, shared.__qualname__
                object.__setattr__(self, name, types.MethodType(own, self))

        def __getstate__(self):
            return {k: v for k, v in super().__getstate__().items() if k not in OWN_CODE}

        def __setstate__(self, state):
            super().__setstate__(state)
            self._own_code()

        def _index(self, name, columns):
            """A slice for a contiguous run of columns, else a registered index buffer's name."""
            columns = np.arange(columns.start, columns.stop) if isinstance(columns, slice) else \
                np.asarray(columns)
            if len(columns) and np.array_equal(columns, np.arange(columns[0], columns[0] + len(columns))):
                return slice(int(columns[0]), int(columns[0]) + len(columns))
            self.register_buffer(name, torch.tensor(columns, dtype=torch.long), persistent=False)
            return name

        def _runs(self, runs, start, stem):
            parts, order = [], []
            for r, run in enumerate(runs):
                rows = (np.arange(run.columns.start, run.columns.stop) if isinstance(run.columns, slice)
                        else np.asarray(run.columns)) - start
                parts.append((run.activation.name, self._index(f"{stem}_run{r}", rows)))
                order.extend(rows.tolist())
            inverse = None
            if order != sorted(order):
                inverse = self._index(f"{stem}_order", np.argsort(order))
            return parts, inverse

        def _step(self, k, step):
            runs = self._runs(step.runs, step.start, f"step{k}")
            if isinstance(step, DenseStep):
                return ("dense", step.start, step.stop, step.offset, step.shape,
                        self._index(f"step{k}_sources", step.sources), runs)
            self.register_buffer(f"step{k}_src", torch.tensor(step.src, dtype=torch.long), persistent=False)
            # (targets × edges), 1 where edge e goes into target j: one sparse product sums the terms
            edges = np.arange(len(step.src))
            summing = torch.sparse_coo_tensor(torch.tensor(np.array([step.dst, edges])),
                                              torch.ones(len(edges), dtype=self.params.dtype),
                                              (step.stop - step.start, len(edges)),
                                              check_invariants=True).coalesce()
            self.register_buffer(f"step{k}_sum", summing, persistent=False)
            return ("sparse", step.start, step.stop, step.offset, len(step.src), f"step{k}", runs)

        def _where(self, index):
            """A slice, or the index tensor registered under that name."""
            return index if isinstance(index, slice) else getattr(self, index)

        def _rows(self, A, index):
            if isinstance(index, slice):
                return A[index]
            return A.index_select(0, getattr(self, index))

        def _activate(self, runs, s):
            parts, inverse = runs
            if len(parts) == 1:
                return activations[parts[0][0]](s)
            z = torch.cat([activations[name](self._rows(s, index)) for name, index in parts])
            return z if inverse is None else self._rows(z, inverse)

        def effective_params(self):
            """``params`` as the forward pass uses them: fixed ones without gradient, absent ones 0."""
            theta = self.params
            if not self.masked:
                return theta
            if self.has_fixed:
                return theta * self.trainable + (theta * self.fixed).detach()
            return theta * self.trainable

        def sums_and_values(self, X):
            """Node-major (S, Z), each (n_nodes, n_samples), rows in ``nodes`` order.

            ``X`` (n_samples, n_inputs), a tensor or array, is taken in the parameters' dtype.
            """
            theta = self.effective_params()
            X = torch.as_tensor(X, dtype=theta.dtype, device=theta.device)
            bias = theta[self.n_weight_slots:, None]
            n = X.shape[0]
            S = [X.T]
            Z = X.T
            c0, c1, runs = self.constants
            if c1 > c0:
                s = bias[c0:c1].expand(c1 - c0, n)
                S.append(s)
                Z = torch.cat([Z, self._activate(runs, s)])
            for kind, start, stop, offset, size, where, runs in self.steps:
                if kind == "dense":
                    # s = Wᵀ z[sources] + b for the whole generation
                    W = theta[offset:offset + size[0] * size[1]].view(size)
                    s = torch.addmm(bias[start:stop], W.T, self._rows(Z, where))
                else:
                    # z_i · w_{i→j} per edge, summed into row j (a sparse product), then + b_j
                    w = theta[offset:offset + size, None]
                    terms = Z.index_select(0, getattr(self, f"{where}_src")) * w
                    s = torch.sparse.mm(getattr(self, f"{where}_sum"), terms) + bias[start:stop]
                S.append(s)
                Z = torch.cat([Z, self._activate(runs, s)])
            return torch.cat(S), Z

        def _outputs(self, S, Z):
            s_out = self._rows(S, self.outputs_where).T
            z_out = torch.softmax(s_out, dim=1) if self.softmax else self._rows(Z, self.outputs_where).T
            return s_out, z_out

        def forward(self, X):
            """ŷ of shape (n_samples, n_outputs) for ``X`` of shape (n_samples, n_inputs)."""
            return self._outputs(*self.sums_and_values(X))[1]

        def trace(self, X):
            """(S, Z), each (n_samples, n_nodes) in ``nodes`` order; softmax outputs' Z is ŷ."""
            S, Z = self.sums_and_values(X)
            if self.softmax:
                Z = Z.clone()
                Z[self._where(self.outputs_where)] = self._outputs(S, Z)[1].T
            return S.T, Z.T

        def loss(self, X, Y):
            """E as ``dagnet.losses`` defines the network's loss, a scalar tensor.

            ``Y``: a tensor of shape (n_samples, n_outputs) in the loss's form,
            or anything :meth:`dagnet.Network.targets` takes (class labels too).
            """
            if not torch.is_tensor(Y):
                Y = torch.tensor(LOSSES[self.loss_name].targets(Y, len(self.outputs)),
                                 dtype=self.params.dtype, device=self.params.device)
            s_out, z_out = self._outputs(*self.sums_and_values(X))
            return losses[self.loss_name](s_out, z_out, Y)

    DagModule.__module__, DagModule.__qualname__ = __name__, "DagModule"   # picklable by name
    return DagModule


def __getattr__(name):
    if name == "DagModule":
        return _module_class()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def to_module(net, dtype="float64"):
    """A :class:`DagModule` (``torch.nn.Module``) computing ``net``, its parameters a copy of ``net.params``.

    Parameters
    ----------
    net : dagnet.Network
    dtype : {"float64", "float32"} or torch.dtype

    Returns
    -------
    DagModule
        ``module(X)`` for ``X`` of shape (n_samples, n_inputs) gives ŷ of
        shape (n_samples, n_outputs); ``module.loss(X, Y)`` the network's
        loss; ``module.params`` is the trainable Parameter of shape (n_params,).

    Examples
    --------
    >>> import dagnet, pytest
    >>> torch = pytest.importorskip("torch")
    >>> module = to_module(dagnet.load("topologies/deep_skip.yaml", seed=0))
    >>> module.params.shape == (dagnet.load("topologies/deep_skip.yaml").plan.n_params,)
    True
    """
    return _module_class()(net, _torch_dtype(dtype))


def load_state(net, module):
    """Write the parameters of ``module`` (from :func:`to_module`) into ``net.params``; return ``net``.

    The module must compute a network of the same structure (nodes, edges,
    biases, which parameters are trainable). Fixed parameters are written
    too; they are unchanged unless changed by hand in PyTorch.

    Examples
    --------
    >>> import dagnet, pytest
    >>> torch = pytest.importorskip("torch")
    >>> net = dagnet.load("topologies/xor_2_2_1.yaml", seed=0)
    >>> module = to_module(net)
    >>> with torch.no_grad():
    ...     _ = module.params.mul_(2.0)
    >>> before = net.params.copy()
    >>> bool((load_state(net, module).params == 2.0 * before).all())
    True
    """
    theirs = getattr(module, "signature", None)
    if theirs is None or not hasattr(module, "params"):
        raise InterchangeError(f"expected a module made by dagnet's to_module, got {type(module).__name__}")
    if theirs != signature(net.plan):
        raise InterchangeError("the module computes a network of another structure (nodes, edges, "
                               "biases or fixed parameters differ); make it with to_module(net)")
    values = module.params.detach().cpu().double().numpy()
    bad = np.flatnonzero(~np.isfinite(values))
    if len(bad):
        raise InterchangeError(f"the module's {net.plan.parameter_name(int(bad[0]))} is {values[bad[0]]}; "
                               f"nothing was written")
    net.params = values
    return net


def write_program(net, path, dtype="float64"):
    """Write the network as a ``torch.export`` program (``.pt2``), which PyTorch loads without dagnet.

    ``torch.export.load(path).module()`` is a module whose call on ``X`` of
    shape (n_samples, n_inputs), any n_samples, gives ŷ of shape
    (n_samples, n_outputs). Returns ``path``.
    """
    torch = _torch()
    module = to_module(net, dtype).eval()
    example = torch.zeros(2, len(net.inputs), dtype=module.params.dtype)   # 2: a batch size not special-cased
    batch = torch.export.Dim("batch", min=1)
    program = torch.export.export(module, (example,), dynamic_shapes={"X": {0: batch}})
    buffer = io.BytesIO()
    torch.export.save(program, buffer)
    atomic_write(path, lambda f: f.write(buffer.getvalue()), mode="wb")
    return path
