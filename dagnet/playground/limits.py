"""The bounds on every size a playground request can ask for, checked before memory is spent.

A topology's nodes and edges are counted from its plain data (groups by
their ``size``, counted by the loader's own rule, group edges as the
product of the two sizes), so that ``size: 100000000`` or ``size: 1e3``
is refused before a single node is built; the parsed graph is checked
again before its network is built.

Examples
--------
>>> count_topology({"inputs": ["x1", "x2"], "nodes": {"h": {"size": 5}, "out": {}},
...                 "edges": [{"from": ["x1", "x2"], "to": "h"}, {"from": "h", "to": "out"}]})
(8, 15)
"""
from ..errors import TopologyError
from ..values import group_size

MAX_TEXT = 256 * 1024          #: bytes of topology text
MAX_NODES = 300                #: nodes of a network, inputs included
MAX_EDGES = 5000               #: edges (weights) of a network
MAX_SAMPLES = 5000             #: samples of a data set (built-in or CSV)
MAX_CSV_BYTES = 2 * 1024 * 1024  #: bytes of an uploaded CSV file
MAX_COLUMNS = 64               #: columns of an uploaded CSV file
MAX_BODY = 4 * 1024 * 1024     #: bytes of any request body (a saved state is the largest)
MAX_JSON_DEPTH = 16            #: lists and objects nested in a JSON body (a saved state nests 3)
GRID = (20, 200)               #: least and most grid points per side of the input plane
SPEED = (0.1, 1000)            #: least and most epochs per second of a speed limit (a pause is at most 10 s)
MAX_MAPS = 64                  #: perceptrons that get a z_j map in each frame
HEAD_SECONDS = 10              #: a request head (its line and headers) must be in within this
BODY_SECONDS = 30              #: a request body must be in within this
KEEP_ALIVE_SECONDS = 5         #: an idle connection closes after this
MAX_CONNECTIONS = 64           #: connections served at once; past it a request is answered 503
MAX_SESSIONS = 32              #: sessions kept at once (past it the least recently used idle one goes)
ACTIVE_SECONDS = 120           #: a session asked about within this is in use: never closed for room
SESSION_IDLE_SECONDS = 3600    #: a session nobody asked about for this long is closed


def _name(value):
    """A node name as the loader keys it (text and whole numbers apart); anything else by its repr."""
    return value if isinstance(value, (str, int)) else repr(value)


def _members(size):
    """Nodes a group of ``size`` builds, counted by the loader's own rule; a size it refuses counts as one."""
    return group_size(size) or 1


def count_topology(data):
    """``(nodes, edges)`` a topology's plain data would build, from group sizes alone.

    Sizes count as the loader counts them (:func:`dagnet.values.group_size`:
    ``1e3`` is 1,000). Every declaration counts, a name declared twice too,
    so the count is never below what the loader builds before it stops.
    Unknown names count as one node; the strict parser reports them later.
    """
    sizes = {}
    total = 0

    def declare(name, count):
        nonlocal total
        key = _name(name)
        sizes[key] = max(sizes.get(key, 0), count)
        total += count

    inputs = data.get("inputs") or []
    if isinstance(inputs, dict):
        inputs = [{k: v} for k, v in inputs.items()]
    for item in inputs if isinstance(inputs, list) else [inputs]:
        if isinstance(item, dict):
            for name, size in item.items():
                declare(name, _members(size))
        else:
            declare(item, 1)
    nodes = data.get("nodes") or {}
    if isinstance(nodes, dict):
        for name, attrs in nodes.items():
            size = attrs.get("size") if isinstance(attrs, dict) else None
            declare(name, 1 if size is None else _members(size))
    edges = 0
    edge_list = data.get("edges") or []
    for edge in edge_list if isinstance(edge_list, list) else []:
        if not isinstance(edge, dict):
            continue
        ends = []
        for end in ("from", "to"):
            names = edge.get(end)
            names = names if isinstance(names, list) else [names]
            ends.append(sum(sizes.get(_name(n), 1) for n in names))
        edges += ends[0] * ends[1]
    return total, edges


def check_topology(data, source=None):
    """Raise TopologyError when the plain data ``data`` would build more than the limits allow."""
    check_network(*count_topology(data), source)


def check_network(n_nodes, n_edges, source=None):
    """Raise TopologyError when a network of ``n_nodes`` and ``n_edges`` (parsed, or built by an edit) is over the limits."""
    if n_nodes > MAX_NODES:
        raise TopologyError(f"{n_nodes} nodes is over the playground's limit of {MAX_NODES}", source=source)
    if n_edges > MAX_EDGES:
        raise TopologyError(f"{n_edges} edges is over the playground's limit of {MAX_EDGES}", source=source)
