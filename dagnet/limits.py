"""Size limits on what dagnet reads from files, checked before anything is allocated.

A topology file names groups and group-to-group edges, so a few bytes can
ask for billions of perceptrons; these limits turn such a file into one
clear error instead of a hang or an exhausted memory. They bound files
and generated topologies, not graphs a program builds itself (those are
already in memory). Raise them for networks you mean to build:

>>> import dagnet.limits
>>> dagnet.limits.LIMITS.max_edges
1000000
>>> with dagnet.limits.raised(max_edges=5_000_000):
...     dagnet.limits.LIMITS.max_edges
5000000
"""
import contextlib
import dataclasses
from dataclasses import dataclass


@dataclass
class Limits:
    """The largest sizes dagnet accepts from a file (or a generator, or a data set request)."""

    max_nodes: int = 100_000        # perceptrons and inputs of one topology
    max_edges: int = 1_000_000      # weights of one topology
    max_samples: int = 10_000_000   # rows of a built-in data set


#: The limits in force; change a field to change it for the process.
LIMITS = Limits()


@contextlib.contextmanager
def raised(**values):
    """Change some limits inside a ``with`` block, then put them back."""
    before = dataclasses.asdict(LIMITS)
    unknown = set(values) - set(before)
    if unknown:
        raise ValueError(f"unknown limit {sorted(unknown)[0]!r}; limits: {', '.join(before)}")
    for key, value in values.items():
        setattr(LIMITS, key, value)
    try:
        yield LIMITS
    finally:
        for key, value in before.items():
            setattr(LIMITS, key, value)


def hint(name):
    """How to raise limit ``name``, for error messages."""
    return f"(the limit dagnet.limits.LIMITS.{name} is {getattr(LIMITS, name):,}; raise it if you mean it)"
