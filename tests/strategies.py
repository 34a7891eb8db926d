"""Hypothesis strategies: random perceptron DAGs with skip edges, any activation, any loss."""
import networkx as nx
import numpy as np
from hypothesis import strategies as st

from dagnet.activations import ACTIVATIONS

# relu-like kinks make central differences unreliable at s == 0; they are
# checked engine against engine, not against numerical differences.
SMOOTH = ["sigmoid", "tanh", "linear", "elu", "softplus", "swish", "softsign", "gaussian", "sin"]
ALL = sorted(ACTIVATIONS)
LOSSES = ["sse", "mse", "cross_entropy", "binary_cross_entropy"]


@st.composite
def dags(draw, activations=SMOOTH, losses=LOSSES, max_hidden=12, name_kind=None):
    """A random network: (graph, loss). Nodes are named by strings, ints or tuples."""
    n_in = draw(st.integers(1, 3))
    n_hidden = draw(st.integers(0, max_hidden))
    loss = draw(st.sampled_from(losses))
    n_out = draw(st.integers(2 if loss == "cross_entropy" else 1, 3))
    kind = name_kind or draw(st.sampled_from(["str", "int", "tuple"]))
    def name(role, k):
        return {"str": f"{role}{k}", "int": {"i": 0, "h": 100, "o": 1000}[role] + k,
                "tuple": (role, k)}[kind]
    inputs = [name("i", k) for k in range(n_in)]
    hidden = [name("h", k) for k in range(n_hidden)]
    outputs = [name("o", k) for k in range(n_out)]
    G = nx.DiGraph()
    G.add_nodes_from(inputs)
    order = inputs + hidden
    p = draw(st.floats(0.2, 0.9))
    seed = draw(st.integers(0, 2**31))
    r = np.random.default_rng(seed)
    for k, h in enumerate(hidden):
        G.add_node(h, activation=draw(st.sampled_from(activations)),
                   bias=None if r.random() < 0.2 else float(r.normal()))
        earlier = order[:n_in + k]
        chosen = [u for u in earlier if r.random() < p] or [earlier[r.integers(len(earlier))]]
        for u in chosen:   # edges from any earlier node: skip connections everywhere
            G.add_edge(u, h, weight=float(r.normal()))
    if loss == "cross_entropy":
        out_act = ["softmax"] * n_out
    elif loss == "binary_cross_entropy":
        out_act = ["sigmoid"] * n_out
    else:
        out_act = [draw(st.sampled_from(activations + ["softmax"])) for _ in outputs]
        if "softmax" in out_act:
            out_act = ["softmax"] * n_out
    for o, act in zip(outputs, out_act):
        G.add_node(o, activation=act, bias=float(r.normal()))
        chosen = [u for u in order if r.random() < p] or [order[-1]]
        for u in chosen:
            G.add_edge(u, o, weight=float(r.normal()))
    # every node must reach an output: connect dead ends to a random output
    for u in order:
        if not any(nx.has_path(G, u, o) for o in outputs):
            G.add_edge(u, outputs[r.integers(n_out)], weight=float(r.normal()))
    # an output that also feeds a later output (not for softmax)
    if n_out > 1 and out_act[0] != "softmax" and r.random() < 0.5:
        G.add_edge(outputs[0], outputs[1], weight=float(r.normal()))
    return G, inputs, outputs, loss, seed


def data_for(net, seed, n=None):
    r = np.random.default_rng(seed + 1)
    n = n or int(r.integers(1, 6))
    X = r.normal(size=(n, len(net.inputs)))
    m = len(net.outputs)
    if net.loss == "cross_entropy":
        Y = r.integers(0, m, n) if r.random() < 0.5 else np.eye(m)[r.integers(0, m, n)]
    elif net.loss == "binary_cross_entropy":
        Y = (r.random((n, m)) < 0.5).astype(float)
    else:
        Y = r.normal(size=(n, m))
    return X, Y
