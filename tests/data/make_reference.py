"""Write tests/data/reference.json and tests/data/saved/: what dagnet computed before networks were
built from arrays (commit 5f0c931), for tests/test_load_save.py to hold the new path to.

    cd <a checkout of 5f0c931> && python <this worktree>/tests/data/make_reference.py <this worktree>/tests/data

with that checkout's topologies/ replaced by this worktree's (their descriptions name the tutorials
in words since, which changes the saved text and nothing else).

Every figure is a sha256 of exact float64 bytes (or text): the same numbers, bit for bit.
"""
import glob
import hashlib
import json
import os
import sys

import networkx as nx
import numpy as np

import dagnet
from dagnet.initializers import INITIALIZERS

SCHEMES = sorted(INITIALIZERS)


def digest(array_or_text):
    data = array_or_text.encode() if isinstance(array_or_text, str) else np.ascontiguousarray(
        array_or_text, dtype=np.float64).tobytes()
    return hashlib.sha256(data).hexdigest()


def facts(net):
    X = np.random.default_rng(0).normal(size=(5, len(net.inputs)))
    out = {"params": digest(net.params), "predict": digest(net.predict(X)), "mask": digest(net.plan.mask),
           "columns": digest("\n".join(map(repr, net.plan.nodes)))}
    try:
        out["flat"] = digest(net.to_yaml())
    except ValueError:      # names a file cannot hold
        pass
    return out


def mixed_graph(seed, names="str"):
    """A DAG whose perceptrons name every init and bias_init, some given weights and biases, fixed edges."""
    r = np.random.default_rng(seed)
    name = (lambda role, k: f"{role}{k}") if names == "str" else (lambda role, k: {"i": 0, "h": 100, "o": 900}[role] + k)
    inputs = [name("i", k) for k in range(3)]
    hidden = [name("h", k) for k in range(24)]
    outputs = [name("o", k) for k in range(2)]
    G = nx.DiGraph(inputs=inputs, outputs=outputs, loss="mse")
    G.add_nodes_from(inputs)
    order = list(inputs)
    for h in hidden + outputs:
        attrs = {"activation": str(r.choice(["tanh", "sigmoid", "relu", "linear"]))}
        if r.random() < 0.7:
            attrs["init"] = str(r.choice(SCHEMES))
        pick = r.random()
        attrs["bias"] = True if pick < 0.5 else None if pick < 0.6 else float(r.normal())
        if r.random() < 0.5:
            attrs["bias_init"] = str(r.choice(SCHEMES))
        if r.random() < 0.1:
            attrs["trainable"] = False
        G.add_node(h, **attrs)
        sources = [u for u in order if r.random() < 0.4] or [order[-1]]
        for u in sources:
            d = {}
            if r.random() < 0.2:
                d["weight"] = float(r.normal())
            if r.random() < 0.1:
                d["trainable"] = False
            G.add_edge(u, h, **d)
        if h not in outputs:
            order.append(h)
    for u in order:
        if not any(nx.has_path(G, u, o) for o in outputs):
            G.add_edge(u, outputs[0])
    return G


def main(out):
    reference = {}
    for path in sorted(glob.glob("topologies/*.yaml")):
        for seed in (0, 7):
            reference[f"{os.path.basename(path)} seed {seed}"] = facts(dagnet.load(path, seed=seed))
    for seed in range(4):
        G = mixed_graph(seed)
        reference[f"mixed graph {seed}"] = facts(dagnet.Network.from_graph(G, seed=seed))
        reference[f"mixed graph {seed} he_normal"] = facts(dagnet.Network.from_graph(G, seed=seed, init="he_normal"))
        reference[f"mixed int graph {seed}"] = facts(dagnet.Network.from_graph(mixed_graph(seed, "int"), seed=seed))
    sys.path.insert(0, "benchmarks")
    import workloads
    reference["W3 seed 0"] = facts(dagnet.Network.from_graph(workloads.w3(0)[0], seed=0))
    reference["W4 seed 0"] = facts(dagnet.Network.from_graph(workloads.w4(0)[0], seed=0))
    saved = os.path.join(out, "saved")
    os.makedirs(saved, exist_ok=True)
    files = {
        "deep_skip_flat.yaml": (dagnet.load("topologies/deep_skip.yaml", seed=1), "flat"),
        "deep_skip_grouped.yaml": (dagnet.load("topologies/deep_skip.yaml", seed=2), "grouped"),
        "mixed_flat.yaml": (dagnet.Network.from_graph(mixed_graph(5), seed=5), "flat"),
        "mixed_int_names.yaml": (dagnet.Network.from_graph(mixed_graph(6, "int"), seed=6), "flat"),
    }
    for name, (net, form) in files.items():
        net.params[:] += np.random.default_rng(1).normal(size=net.params.shape) * net.plan.mask / 7   # "trained"
        net.save(os.path.join(saved, name), form=form)
        reference[f"saved/{name}"] = facts(dagnet.load(os.path.join(saved, name)))
    with open(os.path.join(out, "reference.json"), "w") as f:
        json.dump({"made_by": f"dagnet {dagnet.__version__} at 5f0c931", "cases": reference}, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main(sys.argv[1])
