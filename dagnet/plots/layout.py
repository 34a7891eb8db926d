"""Where a network drawing puts things: collapsed groups, columns, node positions, skip-arc routes.

Pure geometry (numpy and networkx, no matplotlib), shared by
:func:`dagnet.plots.draw_network` and the DOT export, and testable alone.
Positions are in data units: column c at x = c, nodes of a column one
unit apart. A skip edge (one that jumps over a column) is routed *around*
the columns it jumps over: it leaves its source horizontally, climbs (or
drops) to a lane above the top node (or below the bottom node) of every
column it passes, runs along that lane, and comes down to its target, so
no node or straight edge of those columns hides it. Arcs that share
columns get lanes of their own.

Examples
--------
>>> import dagnet
>>> net = dagnet.load("topologies/xor_skip.yaml")
>>> D = drawing_graph(net)
>>> pos = positions(D)
>>> arcs = route_skips(D, pos)
>>> sorted(arcs), pos["n"]
([('a', 'y'), ('b', 'y')], (1.0, 0.0))
>>> all(abs(arc.lane) >= CLEARANCE for arc in arcs.values())   # clear of n, the column jumped over
True
"""
from dataclasses import dataclass

import networkx as nx
import numpy as np

from ..structure import generations, groups

#: Groups with more members than this are drawn as one box unless told otherwise.
AUTO_COLLAPSE = 12
#: How far (in node spacings) a skip arc's lane keeps from the nodes of the columns it passes.
CLEARANCE = 0.5
#: The widest gap between the lanes of two skip arcs over the same columns.
LANE_GAP = 0.3


def collapsed_groups(G, collapse_groups, generation):
    """Names of the groups drawn as one box; only groups within one generation qualify."""
    members = groups(G)
    flat = {g for g, ms in members.items() if len({generation[m] for m in ms}) == 1}
    if collapse_groups is None:
        many = len(G) > 60 or G.number_of_edges() > 150
        return {g for g in flat if len(members[g]) > AUTO_COLLAPSE or (many and len(members[g]) > 1)}
    if collapse_groups is True:
        return flat
    if collapse_groups is False:
        return set()
    if isinstance(collapse_groups, int):
        return {g for g in flat if len(members[g]) > collapse_groups}
    unknown = [g for g in collapse_groups if g not in members]
    if unknown:
        raise ValueError(f"no group {unknown[0]!r} to collapse; groups: "
                         f"{', '.join(map(str, members)) or 'none'}")
    return {g for g in collapse_groups if g in flat}


def drawing_graph(net, collapse_groups=None):
    """The graph as drawn: nodes, or one node per collapsed group, with merged edges.

    Returns a DiGraph whose nodes have ``label``, ``role``, ``activation``,
    ``activations`` (set), ``members`` (count), ``collapsed`` (a group box)
    and ``column``, and whose edges have ``weights`` (list). A collapsed
    group's node is ``("group", name)``.
    """
    G = net.graph
    generation = generations(G)
    collapsed = collapsed_groups(G, collapse_groups, generation)
    key = {}
    D = nx.DiGraph()
    for n, d in G.nodes(data=True):
        g = d.get("group")
        if g in collapsed:
            k = key[n] = ("group", g)
            if k not in D:
                D.add_node(k, label=str(g), role=d["role"], activation=d["activation"], members=0,
                           column=generation[n], activations=set(), collapsed=True)
            D.nodes[k]["members"] += 1
            D.nodes[k]["activations"].add(d["activation"])
            if d["role"] == "output":
                D.nodes[k]["role"] = "output"
        else:
            key[n] = n
            D.add_node(n, label=str(n), role=d["role"], activation=d["activation"], members=1,
                       column=generation[n], activations={d["activation"]}, collapsed=False)
    for u, v, d in G.edges(data=True):
        a, b = key[u], key[v]
        if not D.has_edge(a, b):
            D.add_edge(a, b, weights=[])
        D.edges[a, b]["weights"].append(d["weight"])
    last = max(nx.get_node_attributes(D, "column").values())
    for k, d in D.nodes(data=True):   # outputs that feed nothing go to the rightmost column
        if d["role"] == "output" and D.out_degree(k) == 0:
            d["column"] = last
    return D


def positions(D):
    """``{node: (x, y)}``: x is the column, y spreads each column evenly, ordered by barycentre."""
    columns = {}
    for k, d in D.nodes(data=True):
        columns.setdefault(d["column"], []).append(k)
    order = {c: list(columns[c]) for c in sorted(columns)}
    pos = {}

    def place():
        for c, nodes in order.items():
            top = (len(nodes) - 1) / 2
            for r, k in enumerate(nodes):
                pos[k] = (float(c), top - r)

    def barycentre(k):
        ys = [pos[p][1] for p in D.predecessors(k)]
        return -float(np.mean(ys)) if ys else 0.0

    place()
    # two sweeps of the barycentre heuristic reduce crossings; stable sorts keep groups together
    for _ in range(2):
        for c in list(order)[1:]:
            order[c].sort(key=barycentre)
        place()
    return pos


def is_skip(D, u, v):
    """True when the drawn edge u -> v jumps over at least one column."""
    return D.nodes[v]["column"] - D.nodes[u]["column"] > 1


@dataclass(frozen=True)
class SkipArc:
    """The route of one skip edge: a path of cubic Bézier curves and straight runs.

    ``vertices`` are (x, y) points and ``codes`` say what each is, as
    matplotlib's Path does: ``"M"`` moves to a point, ``"C"`` is one of the
    three points of a cubic curve (two controls, then the end), ``"L"`` a
    straight line to the point. ``lane`` is the height of the run over the
    columns jumped over, ``label_at`` the middle of that run.
    """

    vertices: tuple
    codes: tuple
    lane: float
    label_at: tuple


def _route(x0, y0, x1, y1, lane):
    """Leave (x0, y0) horizontally, reach the lane at the next column, run, come down to (x1, y1)."""
    first, last = x0 + 1.0, x1 - 1.0
    vertices = [(x0, y0), (x0 + 0.5, y0), (first - 0.5, lane), (first, lane)]
    codes = ["M", "C", "C", "C"]
    if last > first:
        vertices.append((last, lane))
        codes.append("L")
    vertices += [(last + 0.5, lane), (x1 - 0.5, y1), (x1, y1)]
    codes += ["C", "C", "C"]
    return SkipArc(tuple(vertices), tuple(codes), lane, ((first + last) / 2, lane))


def route_skips(D, pos):
    """``{(u, v): SkipArc}`` for every skip edge of the drawing graph ``D`` laid out at ``pos``.

    Each arc passes the columns between its ends on the side (above or
    below) that needs the shorter climb, at least :data:`CLEARANCE` from
    their outermost nodes; arcs over overlapping columns on one side are
    stacked in lanes, the shorter jumps inside.
    """
    span = {}
    for k, d in D.nodes(data=True):
        low, high = span.get(d["column"], (np.inf, -np.inf))
        span[d["column"]] = (min(low, pos[k][1]), max(high, pos[k][1]))
    middle = float(np.mean([y for _, y in pos.values()])) if pos else 0.0
    skips = [(u, v) for u, v in D.edges if is_skip(D, u, v)]
    sides = {1: [], -1: []}
    for u, v in skips:
        (x0, y0), (x1, y1) = pos[u], pos[v]
        passed = [span[c] for c in range(int(x0) + 1, int(x1)) if c in span]
        top = max([high for _, high in passed], default=max(y0, y1)) + CLEARANCE
        bottom = min([low for low, _ in passed], default=min(y0, y1)) - CLEARANCE
        up, down = max(top, min(y0, y1)), min(bottom, max(y0, y1))
        climb_up, climb_down = abs(up - y0) + abs(up - y1), abs(down - y0) + abs(down - y1)
        side = 1 if (climb_up, (y0 + y1) / 2 < middle) <= (climb_down, False) else -1
        sides[side].append((x1 - x0, u, v, up if side == 1 else down))
    arcs = {}
    for side, members in sides.items():
        gap = min(LANE_GAP, 2.5 / max(len(members), 1))
        placed = []   # (first column, last column, lane) of the arcs on this side so far
        for _, u, v, lane in sorted(members, key=lambda m: (m[0], side * m[3])):
            first, last = pos[u][0] + 1, pos[v][0] - 1
            for other_first, other_last, other in sorted(placed, key=lambda p: side * p[2]):
                if other_first <= last and first <= other_last and abs(lane - other) < gap:
                    lane = other + side * gap
            placed.append((first, last, lane))
            arcs[u, v] = _route(*pos[u], *pos[v], lane)
    return arcs


def arc_points(arc, samples=24):
    """Points along ``arc``, an array of shape (n, 2): ``samples`` per curve, the ends of runs."""
    t = np.linspace(0.0, 1.0, samples)[:, None]
    points, k, current = [], 0, None
    vertices = np.asarray(arc.vertices, dtype=float)
    while k < len(arc.codes):
        if arc.codes[k] in ("M", "L"):   # a point to move or run straight to
            current = vertices[k]
            points.append(current[None, :])
            k += 1
        else:
            c1, c2, end = vertices[k:k + 3]
            points.append((1 - t) ** 3 * current + 3 * (1 - t) ** 2 * t * c1
                          + 3 * (1 - t) * t ** 2 * c2 + t ** 3 * end)
            current = end
            k += 3
    return np.vstack(points)
