"""The benchmark workloads W1-W6 as networkx graphs and data, built from a seed."""
import networkx as nx
import numpy as np

import dagnet
from dagnet import datasets, limits


def layered(sizes, hidden, output, loss, names=("x", "h", "y")):
    """A fully connected 2-layer-style graph: sizes = (n_in, n_hidden, n_out)."""
    n_in, n_hidden, n_out = sizes
    x = [f"{names[0]}{i}" for i in range(n_in)]
    h = [f"{names[1]}{i}" for i in range(n_hidden)]
    y = [f"{names[2]}{i}" for i in range(n_out)]
    G = nx.DiGraph(inputs=x, outputs=y, loss=loss)
    G.add_nodes_from(x)
    G.add_nodes_from(h, activation=hidden)
    G.add_nodes_from(y, activation=output)
    G.add_edges_from((u, v) for u in x for v in h)
    G.add_edges_from((u, v) for u in h for v in y)
    return G


def w1(seed=0, batch=256):
    """Backprop in Neural Networks: 2 → 500 tanh → 2 softmax, cross-entropy, a batch of `moons`."""
    G = layered((2, 500, 2), "tanh", "softmax", "cross_entropy")
    X, Y = datasets.load("moons", n_samples=batch, seed=seed)
    return G, X, Y


def w2(seed=0):
    """The Backpropagation Tutorial: 2-5-1 sigmoid, sse, the 'nonlinear' points (one example per update)."""
    G = layered((2, 5, 1), "sigmoid", "sigmoid", "sse")
    X, Y = datasets.load("nonlinear", seed=seed)
    return G, X, Y


def random_sparse(n_hidden, fan_in=10, n_inputs=32, n_outputs=4, out_fan_in=50, seed=0, batch=256):
    """W3/W5: each tanh perceptron fed by `fan_in` random earlier nodes, linear outputs."""
    rng = np.random.default_rng(seed)
    x = [f"x{i}" for i in range(n_inputs)]
    h = [f"h{i}" for i in range(n_hidden)]
    y = [f"y{i}" for i in range(n_outputs)]
    G = nx.DiGraph(inputs=x, outputs=y, loss="mse")
    G.add_nodes_from(x)
    G.add_nodes_from(h, activation="tanh")
    G.add_nodes_from(y, activation="linear")
    earlier = list(x)
    for v in h:
        for k in rng.choice(len(earlier), size=min(fan_in, len(earlier)), replace=False):
            G.add_edge(earlier[k], v)
        earlier.append(v)
    for v in y:
        for k in rng.choice(n_hidden, size=min(out_fan_in, n_hidden), replace=False):
            G.add_edge(h[k], v)
    # a perceptron that reaches no output would make the topology invalid: feed it to an output
    alive = set(y)
    for v in y:
        alive |= nx.ancestors(G, v)
    for k, v in enumerate(h):
        if v not in alive:
            G.add_edge(v, y[k % n_outputs])
    X = rng.normal(size=(batch, n_inputs))
    Y = rng.normal(size=(batch, n_outputs))
    return G, X, Y


def w3(seed=0):
    return random_sparse(2000, seed=seed)


def w4(seed=0, depth=300, batch=256):
    """A chain of tanh perceptrons, each also fed by the 3 nodes before its predecessor."""
    rng = np.random.default_rng(seed)
    G = nx.DiGraph(inputs=["x"], outputs=["y"], loss="mse")
    G.add_node("x")
    chain = ["x"] + [f"c{i}" for i in range(depth)]
    G.add_nodes_from(chain[1:], activation="tanh")
    for k in range(1, len(chain)):
        G.add_edge(chain[k - 1], chain[k])
        for back in range(2, 5):
            if k - back >= 0:
                G.add_edge(chain[k - back], chain[k])
    G.add_node("y", activation="linear")
    G.add_edge(chain[-1], "y")
    X = rng.normal(size=(batch, 1))
    Y = np.tanh(X)
    return G, X, Y


def network(G, engine="compiled", seed=0):
    # W5 at 1M edges has 100,036 nodes and just over 1,000,000 edges: past dagnet's default limits
    # (dagnet.limits), which every way in holds, so raised to the graph's size here
    with limits.raised(max_nodes=max(limits.LIMITS.max_nodes, len(G)),
                       max_edges=max(limits.LIMITS.max_edges, G.number_of_edges())):
        return dagnet.Network.from_graph(G, seed=seed, engine=engine)
