"""Networks the interchange tests share (no tests here)."""
import networkx as nx
import numpy as np

import dagnet


def random_sparse(n_hidden, fan_in=10, n_inputs=32, n_outputs=4, out_fan_in=50, seed=0,
                  activations=("tanh",)):
    """The benchmarks' W3 kind of network: each perceptron fed by ``fan_in`` random earlier nodes
    (sparse generations, skips everywhere), each output by ``out_fan_in`` perceptrons."""
    rng = np.random.default_rng(seed)
    x = [f"x{i}" for i in range(n_inputs)]
    h = [f"h{i}" for i in range(n_hidden)]
    y = [f"y{i}" for i in range(n_outputs)]
    G = nx.DiGraph(inputs=x, outputs=y, loss="mse")
    G.add_nodes_from(x)
    for k, v in enumerate(h):
        G.add_node(v, activation=activations[k % len(activations)])
    G.add_nodes_from(y, activation="linear")
    earlier = list(x)
    for v in h:
        for k in rng.choice(len(earlier), size=min(fan_in, len(earlier)), replace=False):
            G.add_edge(earlier[k], v)
        earlier.append(v)
    for v in y:
        for k in rng.choice(n_hidden, size=min(out_fan_in, n_hidden), replace=False):
            G.add_edge(h[k], v)
    reaches = set(y)
    for k, v in enumerate(reversed(h)):   # successors come later: one pass backwards
        if not any(s in reaches for s in G.successors(v)):
            G.add_edge(v, y[k % n_outputs])
        reaches.add(v)
    return dagnet.Network.from_graph(G, seed=seed)
