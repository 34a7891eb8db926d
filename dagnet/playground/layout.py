"""Where the page draws each node: one column per topological generation, inputs left, outputs right.

Within a column nodes are ordered by the mean height of their
predecessors (two sweeps of the barycentre heuristic, as dagnet's
pictures do), which keeps edges from crossing where it can. Outputs that
feed nothing go to the last column.

Examples
--------
>>> import dagnet
>>> positions(dagnet.load("topologies/xor_skip.yaml").graph)
{'a': (0, 0.5), 'b': (0, -0.5), 'n': (1, 0.0), 'y': (2, 0.0)}
"""
from ..structure import generations


def positions(G):
    """``{node: (column, height)}``: column = generation, heights centred on 0, one apart."""
    column = generations(G)
    last = max(column.values(), default=0)
    for n, role in G.nodes(data="role"):
        if role == "output" and G.out_degree(n) == 0:
            column[n] = last
    columns = {}
    for n in G:
        columns.setdefault(column[n], []).append(n)
    height = {}

    def place():
        for nodes in columns.values():
            top = (len(nodes) - 1) / 2
            for r, n in enumerate(nodes):
                height[n] = top - r

    place()
    for _ in range(2):
        for c in sorted(columns)[1:]:
            def centre(n):
                ys = [height[p] for p in G.predecessors(n)]
                return -sum(ys) / len(ys) if ys else 0.0
            columns[c].sort(key=centre)   # stable: groups stay together
        place()
    return {n: (column[n], height[n]) for n in G}
