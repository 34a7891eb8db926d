"""The edges of a topology file as ``net.save`` writes them, read at C speed: entries or a table.

A saved file has one edge entry per target (and kind, trainable or fixed)::

    {"from": ["x0", "h12", "h40"], "to": "h57", "weight": [0.13, -0.52, 0.07]}

:func:`read` turns a list of such entries into arrays in a handful of
passes that each run in C (``map``, ``itertools.chain``, numpy), without a
Python call per edge. It gives up, returning None, at any entry of another
shape (a group name, a list of targets, a weight matrix, one weight for
all) or with any problem; :mod:`dagnet.topology` then reads the entries one
by one and names the first problem by its key.

A network saved with ``form="table"`` keeps its edges in a NumPy ``.npy``
file beside the topology file, referred to as ``edges: {table: NAME,
count: N, sha256: HEX}``; :func:`read_table` reads it back and checks it
is the one the file was saved with (see ``docs/topology-format.md``).

Examples
--------
>>> src, dst, weight, trainable, entry = read(
...     [{"from": ["a", "b"], "to": "y", "weight": [0.5, -1.0]}], {"a": 0, "b": 1, "y": 2}, 10)
>>> src.tolist(), dst.tolist(), weight.tolist(), trainable.tolist(), entry.tolist()
([0, 1], [2, 2], [0.5, -1.0], [True, True], [0, 0])
>>> read([{"from": "h", "to": "y"}], {"a": 0, "y": 2}, 10) is None       # 'h' is a group or unknown
True
"""
import hashlib
import io
import os
import re
from itertools import chain

import numpy as np

from .errors import TopologyError
from .files import read_bytes

_KEYS = frozenset(("from", "to", "weight", "trainable"))
_NAMES = {str, int}

#: One edge of a table: source and target positions (in the order the file defines the
#: nodes: the inputs, then the perceptrons of ``nodes``), weight, trainable.
EDGE_TABLE = np.dtype([("from", "<i4"), ("to", "<i4"), ("weight", "<f8"), ("trainable", "?")])
TABLE_KEYS = ("table", "count", "sha256")
_HEADER_BYTES = 4096                    # an .npy header is far shorter
_SHA256 = re.compile(r"[0-9a-f]{64}\Z")


def read(entries, position, max_edges):
    """``(src, dst, weight, trainable, entry)`` of plain edge entries, or None when any is not plain.

    Parameters
    ----------
    entries : list
        The file's ``edges``: mappings ``{from: name or [names], to: name,
        weight: [one number per source] (optional), trainable: bool (optional)}``.
    position : dict
        Node name -> position (single perceptrons and inputs; a group's
        name is not in it, so an entry naming a group is not plain).
    max_edges : int
        More edges than this: None (the caller names the entry that passes it).

    Returns
    -------
    src, dst : ndarray of shape (n_edges,), intp
    weight : ndarray of shape (n_edges,), float64 (NaN: not given)
    trainable : ndarray of shape (n_edges,), bool
    entry : ndarray of shape (n_edges,), int32
        The index of each edge's entry, for error messages.
    """
    if not entries or set(map(type, entries)) != {dict} or not all(map(_KEYS.issuperset, entries)):
        return None
    try:
        sources = [e["from"] for e in entries]
        targets = [e["to"] for e in entries]
    except KeyError:
        return None
    if not set(map(type, targets)) <= _NAMES:
        return None
    target_at = list(map(position.get, targets))
    if None in target_at:
        return None
    if set(map(type, sources)) != {list}:
        sources = [s if type(s) is list else [s] for s in sources]
    counts = list(map(len, sources))
    total = sum(counts)
    names = list(chain.from_iterable(sources))
    if total > max_edges or not set(map(type, names)) <= _NAMES:
        return None
    try:
        src = np.fromiter(map(position.__getitem__, names), dtype=np.intp, count=total)
    except KeyError:
        return None
    weight = _weights([e.get("weight") for e in entries], counts, total)
    trainable = [e.get("trainable", True) for e in entries]
    if weight is None or not set(map(type, trainable)) <= {bool}:
        return None
    return (src, np.repeat(np.array(target_at, dtype=np.intp), counts), weight,
            np.repeat(np.array(trainable, dtype=bool), counts),
            np.repeat(np.arange(len(entries), dtype=np.int32), counts))


def _weights(weights, counts, total):
    """One finite float per edge from per-entry lists (NaN for entries without), or None."""
    kinds = set(map(type, weights))
    if kinds == {type(None)}:
        return np.full(total, np.nan)
    if kinds != {list} or list(map(len, weights)) != counts:
        return None
    values = list(chain.from_iterable(weights))
    if not set(map(type, values)) <= {float, int}:      # not bool, not text, not a nested list
        return None
    try:
        weight = np.array(values, dtype=np.float64)
    except OverflowError:                                 # an integer beyond any float
        return None
    return weight if np.isfinite(weight).all() else None


def first_repeat(src, dst, n_nodes, entry):
    """The first edge listed again: None, or ``(e, at, first)``: edge ``e`` repeats an earlier edge, in
    entry ``at``, the lowest such; ``first`` is the entry where it came first (None: the same entry)."""
    keys = dst.astype(np.int64) * max(n_nodes, 1) + src      # files list edges by target: runs, sorted fast
    ordered = np.sort(keys, kind="stable")
    if not (ordered[1:] == ordered[:-1]).any():
        return None
    order = np.argsort(keys, kind="stable")          # a repeat: which edge, and where it came first
    ordered = keys[order]
    repeats = np.flatnonzero(ordered[1:] == ordered[:-1]) + 1
    starts = np.concatenate([[True], ordered[1:] != ordered[:-1]])
    first_of = np.empty(len(keys), dtype=np.intp)     # each edge's first occurrence (the sort is stable)
    first_of[order] = order[np.flatnonzero(starts)][np.cumsum(starts) - 1]
    later = order[repeats]                             # edges that repeat an earlier one
    at = int(entry[later].min())
    here = later[entry[later] == at]
    earlier = here[entry[first_of[here]] < at]
    e = int((earlier if len(earlier) else here).min())
    return e, at, int(entry[first_of[e]]) if len(earlier) else None


def table_name(path):
    """The file name of the edge table saved beside the topology file ``path``: ``net.yaml`` -> ``net.edges.npy``."""
    return os.path.splitext(os.path.basename(os.fspath(path)))[0] + ".edges.npy"


def table_bytes(table):
    """``(bytes of the .npy file, its sha256)`` of an array of :data:`EDGE_TABLE` records."""
    buffer = io.BytesIO()
    np.save(buffer, table, allow_pickle=False)
    data = buffer.getvalue()
    return data, hashlib.sha256(data).hexdigest()


def read_table(reference, source, n_nodes, max_edges):
    """``(src, dst, weight, trainable)`` of the edge table ``reference`` names, checked against it.

    Parameters
    ----------
    reference : dict
        ``{table: file name, count: number of edges, sha256: hex digest}``,
        the file's ``edges``; its keys are already known to be these.
    source : str
        The topology file: the table is read from its folder.
    n_nodes : int
        The file's nodes; positions must be below this.
    max_edges : int
        A larger ``count`` is refused before anything is read.

    Raises
    ------
    TopologyError
        Naming ``source`` and the key (``edges.table``, ``edges.count``, a
        row ``edges.table[k]``) for a missing, foreign, changed or broken table.
    """
    def fail(message, key="edges.table"):
        return TopologyError(message, source=source, key=key)

    name, count, digest = (reference.get(key) for key in TABLE_KEYS)
    if not isinstance(name, str) or not name or os.path.basename(name) != name or name in (".", ".."):
        raise fail(f"expected the file name of an edge table beside this file, got {name!r}")
    if type(count) is not int or count < 0:
        raise fail(f"expected the number of edges, a whole number >= 0, got {count!r}", "edges.count")
    if count > max_edges:
        raise fail(f"{count:,} edges is more than {max_edges:,} (the limit dagnet.limits.LIMITS.max_edges; "
                   f"raise it if you mean it)", "edges.count")
    if not isinstance(digest, str) or not _SHA256.match(digest):
        raise fail(f"expected the table's sha256 as 64 hex digits, got {digest!r}", "edges.sha256")
    if source is None or not os.path.isfile(source):
        raise fail(f"the edge table {name!r} is read from the folder of its topology file: "
                   f"load the file with dagnet.load(path)")
    path = os.path.join(os.path.dirname(os.path.realpath(source)), name)
    try:
        data = read_bytes(path, TopologyError, max_bytes=_HEADER_BYTES + count * EDGE_TABLE.itemsize,
                          what=f"table of {count:,} edges")
    except TopologyError as err:
        raise fail(f"{name}: {err.problem}") from None
    if hashlib.sha256(data).hexdigest() != digest:
        raise fail(f"{name} is not the table this file was saved with (its sha256 differs): keep the "
                   f"two files of one save together")
    try:
        table = np.load(io.BytesIO(data), allow_pickle=False)
    except (ValueError, EOFError, OSError) as err:     # pragma: no cover - the checksum matched
        raise fail(f"{name} is not a NumPy table ({err})") from None
    if table.dtype != EDGE_TABLE or table.shape != (count,):
        raise fail(f"{name} holds {table.shape} of {table.dtype}, expected ({count},) of {EDGE_TABLE}")
    src, dst, weight = (table[key].astype(t) for key, t in (("from", np.intp), ("to", np.intp),
                                                             ("weight", np.float64)))
    for key, ends in (("from", src), ("to", dst)):
        outside = np.flatnonzero((ends < 0) | (ends >= n_nodes))
        if len(outside):
            k = int(outside[0])
            raise fail(f"{key} {int(ends[k])} is not a node position (0 .. {n_nodes - 1})", f"edges.table[{k}]")
    bad = np.flatnonzero(~np.isfinite(weight))
    if len(bad):
        raise fail(f"weight must be a finite number, got {weight[bad[0]]}", f"edges.table[{int(bad[0])}]")
    return src, dst, weight, table["trainable"].copy()
