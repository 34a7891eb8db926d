"""The randomly wired kinds (Xie et al., 2019): a random undirected graph oriented into a DAG.

The perceptrons are the group ``h`` (``h.0``, ``h.1``, ...). ``graph_seed``
seeds the structure (the same seed gives the same graph); the network's own
seed then seeds the weights.

Examples
--------
>>> G = watts_strogatz(n=8, k=2, p=0.0)        # a ring 0-1-...-7-0 oriented: a chain plus 0 -> 7
>>> sorted(G.predecessors("h.7")), list(G.predecessors("y"))
(['h.0', 'h.6'], ['h.7'])
"""
import networkx as nx

from . import checks
from .builder import Builder, generator, shared_parameters

#: The random kinds, whose structure depends on ``graph_seed``.
RANDOM_KINDS = ("erdos_renyi", "barabasi_albert", "watts_strogatz")


def _wired(kind, params, n, inner_edges, make, activation, call):
    """Orient the undirected graph ``make()`` on nodes 0..n-1 from lower to higher index.

    Sources (no predecessor after orienting) are fed by every input; sinks
    (no successor) feed every output, as in "Exploring Randomly Wired Neural
    Networks for Image Recognition" (Xie, Kirillov, Girshick, He; 2019).
    ``inner_edges`` is the most edges ``make`` can give; the size is checked
    before the random graph is drawn.
    """
    checks.activations(activation, 1, "activation")
    b = Builder(kind, params, shared_parameters(**call), hidden=n,
                edges=lambda n_in, n_out: inner_edges + n * (n_in + n_out))
    U = make()
    preds = {k: sorted(u for u in U[k] if u < k) for k in range(n)}
    has_successor = {u for k in range(n) for u in preds[k]}
    hidden = [f"h.{k}" for k in range(n)]
    for k, v in enumerate(hidden):
        b.perceptron(v, activation, "h")
        b.connect([hidden[u] for u in preds[k]] if preds[k] else b.inputs, v)
    sinks = [hidden[k] for k in range(n) if k not in has_successor]
    for o in b.output_layer():
        b.connect(sinks, o)
    return b.G


@generator
def erdos_renyi(n=16, p=0.25, graph_seed=0, activation="tanh", inputs=2, outputs=1, loss=None,
                output_activation=None, bias=True, init=None, name=None,
        density=None, distribution="erdos_renyi", sparse_seed=0):
    """A random DAG: each pair of the ``n`` perceptrons joined with probability ``p`` (ER model).

    Every one of the n(n−1)/2 pairs is drawn, so that many edges count
    against the size limit whatever ``p`` is.

    Examples
    --------
    >>> G = erdos_renyi(n=8, p=0.4, graph_seed=1)
    >>> nx.is_directed_acyclic_graph(G), all(G.has_edge(u, v) <= (u < v) for u, v in G.edges
    ...                                      if u.startswith("h.") and v.startswith("h."))
    (True, True)
    """
    params = {"n": n, "p": p, "graph_seed": graph_seed, "activation": activation}
    n = checks.whole(n, "n", low=1)
    p = checks.fraction(p, "p")
    seed = checks.graph_seed(graph_seed)
    return _wired("erdos_renyi", params, n, n * (n - 1) // 2,
                  lambda: nx.gnp_random_graph(n, p, seed=seed), activation, locals())


@generator
def barabasi_albert(n=16, m=2, graph_seed=0, activation="tanh", inputs=2, outputs=1, loss=None,
                    output_activation=None, bias=True, init=None, name=None,
        density=None, distribution="erdos_renyi", sparse_seed=0):
    """A random DAG by preferential attachment: each new perceptron joins ``m`` earlier ones (BA model).

    Examples
    --------
    >>> G = barabasi_albert(n=6, m=2)        # a star of m + 1 = 3, then 3 perceptrons joining 2 each
    >>> sum(1 for u, v in G.edges if u.startswith("h") and v.startswith("h"))
    8
    """
    params = {"n": n, "m": m, "graph_seed": graph_seed, "activation": activation}
    n = checks.whole(n, "n", low=2)
    m = checks.whole(m, "m", low=1)
    if m >= n:
        raise ValueError(f"barabasi_albert needs 1 <= m < n, got m={m}, n={n}")
    seed = checks.graph_seed(graph_seed)
    return _wired("barabasi_albert", params, n, m * (n - m),
                  lambda: nx.barabasi_albert_graph(n, m, seed=seed), activation, locals())


@generator
def watts_strogatz(n=16, k=4, p=0.25, graph_seed=0, activation="tanh", inputs=2, outputs=1,
                   loss=None, output_activation=None, bias=True, init=None, name=None,
        density=None, distribution="erdos_renyi", sparse_seed=0):
    """A random DAG from a small-world ring: ``n`` perceptrons each joined to its ``k`` nearest
    neighbours, each edge rewired with probability ``p`` (WS model, Xie et al.'s best generator).

    Examples
    --------
    >>> G = watts_strogatz(n=6, k=2, p=0.0)
    >>> G.number_of_edges()                       # 6 ring edges, 2 inputs into h.0, h.5 into y
    9
    """
    params = {"n": n, "k": k, "p": p, "graph_seed": graph_seed, "activation": activation}
    n = checks.whole(n, "n", low=3)
    k = checks.whole(k, "k", low=2)
    if k % 2 or k >= n:
        raise ValueError(f"watts_strogatz needs an even k (k/2 neighbours on each side) with "
                         f"2 <= k < n, got k={k}, n={n}")
    p = checks.fraction(p, "p")
    seed = checks.graph_seed(graph_seed)
    return _wired("watts_strogatz", params, n, n * k // 2,
                  lambda: nx.watts_strogatz_graph(n, k, p, seed=seed), activation, locals())
