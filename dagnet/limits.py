"""Size limits on what dagnet reads from files, checked before anything is allocated.

A topology file names groups and group-to-group edges, so a few bytes can
ask for billions of perceptrons; these limits turn such a file into one
clear error instead of a hang or an exhausted memory. Every way in holds
them: topology files, generators, ``Network.from_graph`` (so that a
network dagnet builds is one it can load again from the file it saves),
and the importers (neat-python, node-link JSON), each checking the counts
with :func:`excess` before it builds anything. Raise them for networks you
mean to build:

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


def excess(nodes, edges):
    """What is over the limits in a network of ``nodes`` nodes (inputs included) and ``edges`` edges.

    Returns
    -------
    str or None
        One line naming the limit passed, or None when both counts are within the limits.

    Examples
    --------
    >>> excess(nodes=150_003, edges=150_002)
    '150,003 nodes (inputs included), over 100,000 (the limit dagnet.limits.LIMITS.max_nodes is 100,000; raise it if you mean it)'
    >>> excess(nodes=10, edges=12) is None
    True
    """
    if nodes > LIMITS.max_nodes:
        return f"{nodes:,} nodes (inputs included), over {LIMITS.max_nodes:,} {hint('max_nodes')}"
    if edges > LIMITS.max_edges:
        return f"{edges:,} edges, over {LIMITS.max_edges:,} {hint('max_edges')}"
    return None


def hint(name):
    """How to raise limit ``name``, for error messages."""
    return f"(the limit dagnet.limits.LIMITS.{name} is {getattr(LIMITS, name):,}; raise it if you mean it)"
