"""The structure of a perceptron graph: generations, skip edges, groups, and a summary of it all.

Examples
--------
>>> import dagnet
>>> net = dagnet.load("topologies/xor_skip.yaml")
>>> generations(net.graph)
{'a': 0, 'b': 0, 'n': 1, 'y': 2}
>>> skip_edges(net.graph)
[('a', 'y'), ('b', 'y')]
>>> describe(net)["depth"], describe(net)["generations"]
(2, [2, 1, 1])
"""
import networkx as nx
import numpy as np


def generations(G):
    """``{node: generation}``: 0 for nodes without inputs, else 1 + the latest predecessor's."""
    return {n: k for k, gen in enumerate(nx.topological_generations(G)) for n in gen}


def skip_edges(G, generation=None):
    """Edges that jump over at least one generation, ``[(u, v)]`` in graph order."""
    generation = generation or generations(G)
    return [(u, v) for u, v in G.edges if generation[v] - generation[u] > 1]


def incoming(G):
    """``{node: [(source, edge attributes), ...]}`` for every node, sources in the graph's order.

    One pass over all edges, cheaper than asking each node for its predecessors.
    """
    into = {n: [] for n in G}
    for u, v, d in G.in_edges(data=True):
        into[v].append((u, d))
    return into


def groups(G):
    """``{group name: [member nodes]}`` from the nodes' ``group`` attribute, in graph order."""
    members = {}
    for n, d in G.nodes(data=True):
        if d.get("group") is not None:
            members.setdefault(d["group"], []).append(n)
    return members


def _summary(values):
    if not values:
        return None
    return {"min": int(min(values)), "mean": round(float(np.mean(values)), 2), "max": int(max(values))}


def describe(net):
    """The structural facts of ``net`` (what ``dagnet info`` prints), as plain JSON-ready data."""
    G = net.graph
    generation = generations(G)
    sizes = [0] * (max(generation.values()) + 1)
    for g in generation.values():
        sizes[g] += 1
    skips = skip_edges(G, generation)
    roles = {r: 0 for r in ("input", "hidden", "output")}
    activations = {}
    for _, d in G.nodes(data=True):
        roles[d["role"]] += 1
        if d["role"] != "input":
            activations[d["activation"]] = activations.get(d["activation"], 0) + 1
    non_inputs = [n for n in G if G.nodes[n]["role"] != "input"]
    out_deg = [G.out_degree(n) for n in G if G.out_degree(n) or G.nodes[n]["role"] != "output"]
    widest = max(non_inputs, key=G.in_degree) if non_inputs else None
    description = G.graph.get("description")
    return {
        "name": net.name,
        "description": " ".join(str(description).split()) if description else None,
        "inputs": [str(n) for n in net.inputs], "outputs": [str(n) for n in net.outputs],
        "loss": net.loss, "nodes": G.number_of_nodes(), "roles": roles,
        "edges": G.number_of_edges(), "parameters": net.n_params,
        "weights": G.number_of_edges(), "biases": len(net.plan.bias_slot),
        "fixed_weights": sum(1 for *_, t in G.edges(data="trainable", default=True) if t is False),
        "activations": activations,
        "groups": {str(g): len(ms) for g, ms in groups(G).items()},
        "depth": len(sizes) - 1, "generations": sizes,
        "skip_edges": len(skips), "skip_edge_list": [[str(u), str(v)] for u, v in skips],
        "in_degree": _summary([G.in_degree(n) for n in non_inputs]), "out_degree": _summary(out_deg),
        "widest_fan_in": None if widest is None else [str(widest), G.in_degree(widest)],
    }
