"""The native training kernel: a C extension built when dagnet is installed from source.

``engine="compiled"`` (the default) runs the compiled plan on the fastest
backend available: this kernel when it was built and covers the network,
else the numpy engine (:mod:`dagnet.compiled`). ``Network.engine_info()``
says which runs and why; ``dagnet --version`` says whether the kernel is
there. When it is not (no C compiler at install time), dagnet says so once
and runs the numpy engine: same numbers, slower.

Examples
--------
>>> status().startswith(("native kernel", "numpy engine"))
True
"""
import warnings

try:
    from . import _kernel as kernel
    MISSING = None
except ImportError as err:   # built without a compiler, or DAGNET_NO_NATIVE=1
    kernel = None
    MISSING = str(err)


class NativeKernelMissing(UserWarning):
    """The native kernel is not built; dagnet runs its numpy engine."""


_told = False


def available():
    """True when the native kernel is built and importable."""
    return kernel is not None


def status():
    """One line saying which backend ``engine="compiled"`` runs on this installation."""
    if kernel is None:
        return "numpy engine (the native kernel is not built: reinstall with a C compiler)"
    c = kernel.config()
    return (f"native kernel ({c['simd']}{', FMA' if c['fma'] else ''}"
            f"{', libmvec' if c['libmvec'] else ''})")


def tell_once(reason):
    """Say once per process, as a warning, that the numpy engine runs instead of the kernel."""
    global _told
    if not _told:
        _told = True
        warnings.warn(f"dagnet runs its numpy engine: {reason}", NativeKernelMissing, stacklevel=4)


def compiled_engine(plan, loss):
    """The engine behind ``engine="compiled"``: native when built and covering, else numpy.

    The engine returned carries ``why``, the reason the backend was chosen.
    """
    from .engine import NativeEngine
    from .spec import unsupported
    reason = "the native kernel is not built" if kernel is None else unsupported(plan, loss)
    if reason is None:
        return NativeEngine(plan, loss)
    from ..compiled import CompiledEngine   # scipy.sparse: imported only when the numpy engine runs
    if kernel is None:
        tell_once(f"{reason} (install dagnet from source with a C compiler to build it)")
    engine = CompiledEngine(plan, loss)
    engine.why = reason
    return engine
