"""The engine interface: what every engine takes, returns and owns.

An engine runs the forward and backward sweeps of one network structure.
It is built from an immutable :class:`~dagnet.plan.Plan` and a
:class:`~dagnet.losses.Loss`, and is given the parameter vector on every
call: the :class:`~dagnet.network.Network` owns the parameters, the engine
only reads them.

Shapes and dtypes (n samples, N = ``plan.n_nodes`` columns, P = ``plan.n_params``):

==================  ======================================  ===================================
argument / result   shape, dtype                            owner
==================  ======================================  ===================================
``params``          (P,) float64, slots as the plan says    the network; engines never write it
``X``               (n, n_inputs) float64, checked, finite  the caller
``Y``               (n, n_outputs) float64, in loss form    the caller
``S``, ``Z``        (n, N) float64, columns in plan order   the caller (fresh arrays or views of them)
``D``               (n, N) float64: δ_j = ∂E/∂s_j           the caller (fresh)
``grad``            (P,) float64, 0 at masked slots         the caller, except from ``train_gradient``
==================  ======================================  ===================================

Methods:

- ``forward(params, X) -> (S, Z)``: every node's sum and activation.
- ``backward(params, S, Z, Y, input_deltas=True, weights=None) -> (E, grad, D)``:
  the loss, its gradient and every δ, from a forward pass's S and Z; with
  ``input_deltas=False`` the input columns of D may be left unset.
- ``train_gradient(params, X, Y, weights=None) -> (E, grad)``: forward and
  backward for one training step. ``grad`` may be a buffer the engine owns
  and overwrites at its next call; the caller uses it before calling again.

``weights``, when given, is float64 of shape (n,): per-sample weights, which
scale each sample's term of E and its row of the output δ as
:meth:`~dagnet.losses.Loss.value_and_delta` defines.

State an engine keeps (workspaces, matrices bound to a parameter vector)
is its own: it never writes into the plan, the graph or another engine.
Engines are registered in :data:`ENGINES` under the name users pass as
``engine=``; a new engine is a class with these three methods and one
entry here, and the engine-agreement tests pick it up.

``"compiled"`` (the default) is the compiled plan on the fastest backend
available: the native kernel (:mod:`dagnet.native`) when it is built and
covers the network, else the numpy engine. ``"native"`` and ``"numpy"``
name one backend each; ``"float32"`` is the native kernel computing in
single precision (parameters and results stay float64); ``"reference"``
is the node-by-node specification.

Optional methods an engine may offer: ``train_outputs()`` (the last
training batch's ŷ), ``train_epoch(...)`` (a whole epoch of updates in one
call, see :class:`dagnet.native.engine.NativeEngine`) and ``info()``.
"""
import importlib

#: engine name -> "module:Class" (or a factory); imported on first use.
ENGINES = {
    "compiled": "dagnet.native:compiled_engine",
    "native": "dagnet.native.engine:NativeEngine",
    "float32": "dagnet.native.engine:Native32Engine",
    "numpy": "dagnet.compiled:CompiledEngine",
    "reference": "dagnet.reference:ReferenceEngine",
}


def make_engine(name, plan, loss):
    """An engine of kind ``name`` for ``plan`` and ``loss`` (a :class:`~dagnet.losses.Loss`)."""
    if name not in ENGINES:
        raise ValueError(f"unknown engine {name!r}; known: {', '.join(ENGINES)}")
    module, cls = ENGINES[name].split(":")
    return getattr(importlib.import_module(module), cls)(plan, loss)


def engine_info(name, engine):
    """What runs behind ``engine=name``: a dict with ``engine`` (the name asked for),
    ``backend`` (``"native"``, ``"numpy"`` or ``"reference"``), ``dtype``, ``threads`` and
    ``reason`` (why this backend), as :meth:`dagnet.Network.engine_info` returns it."""
    if hasattr(engine, "info"):
        info = engine.info()
    else:
        backend = "numpy" if engine.name == "compiled" else engine.name
        why = getattr(engine, "why", None) or f"engine={name!r} asks for it"
        info = {"backend": backend, "dtype": "float64", "threads": 1, "reason": why}
    return {"engine": name, **info}
