"""What a removal takes with it: the perceptrons left with no path to an output (or from an input).

Used by :mod:`dagnet.edits` to remove what a removed edge or perceptron
alone fed, and by :mod:`dagnet.pruning` to count the weights that go with
the perceptrons they leave dead, without changing the graph.
"""


class Cut:
    """Edges and nodes taken out of a graph one at a time, with what goes with them, leaving the graph as it is.

    Every node of ``G`` reaches an output; after a removal a node still
    does unless all its out-edges are gone. So the dead are found by
    counting out-edges backwards from what is removed: cost proportional to
    what is removed, and a sequence of removals costs no more than one.
    With ``fold=True`` a hidden perceptron left with no in-edges (a
    constant, which :func:`dagnet.edits.fold_constants` folds away) goes too, with its
    out-edges, when everything it feeds has a bias.

    Attributes
    ----------
    dead : list
        Nodes removed or left with no path to an output (or, folding, from
        an input), in that order.
    removed : set of (i, j)
        Edges removed, and every edge into or out of a dead node.

    Examples
    --------
    >>> import networkx as nx
    >>> cut = Cut(nx.DiGraph([("x", "h"), ("h", "y"), ("x", "y")]), outputs=["y"])
    >>> sorted(cut.remove_edge("h", "y")), cut.dead
    ([('h', 'y'), ('x', 'h')], ['h'])
    """

    def __init__(self, G, outputs, fold=False):
        self.G, self.outputs, self.fold = G, set(outputs), fold
        self.removed, self.dead = set(), []
        self._gone, self._out, self._in = set(), {}, {}

    def _go(self, node, edges, stack):
        self._gone.add(node)
        self.dead.append(node)
        stack.extend(edges)

    def _drop(self, edges, new):
        G, stack = self.G, list(edges)
        while stack:
            u, v = stack.pop()
            if (u, v) in self.removed:
                continue
            self.removed.add((u, v))
            new.append((u, v))
            if u not in self._gone:
                self._out[u] = self._out.get(u, G.out_degree(u)) - 1
                if self._out[u] == 0 and u not in self.outputs:     # no path to an output
                    self._go(u, ((p, u) for p in G.predecessors(u)), stack)
            if self.fold and v not in self._gone:
                self._in[v] = self._in.get(v, G.in_degree(v)) - 1
                if self._in[v] == 0 and v not in self.outputs and self._foldable(v):
                    self._go(v, ((v, w) for w in G.successors(v)), stack)
        return new

    def _foldable(self, v):
        """A constant v folds into what it feeds when each of those has a bias."""
        return all(self.G.nodes[w].get("bias") is not None for w in self.G.successors(v)
                   if (v, w) not in self.removed)

    def remove_edge(self, u, v):
        """Take out the edge ``u -> v``; return the edges this removed (itself included), in order."""
        return self._drop([(u, v)], [])

    def remove_node(self, node):
        """Take out ``node`` and its edges; return the edges this removed."""
        if node in self._gone:
            return []
        stack = []
        self._go(node, list(self.G.in_edges(node)) + list(self.G.out_edges(node)), stack)
        return self._drop(stack, [])


def cut_off(G, outputs, edges=(), nodes=()):
    """``(dead, removed)``: what removing ``edges`` and ``nodes`` from ``G`` takes with it (see :class:`Cut`).

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.DiGraph([("x", "h"), ("h", "y"), ("x", "y")])
    >>> cut_off(G, {"y"}, edges=[("h", "y")])[0]
    ['h']
    """
    cut = Cut(G, outputs)
    for n in nodes:
        cut.remove_node(n)
    for u, v in edges:
        cut.remove_edge(u, v)
    return cut.dead, cut.removed
