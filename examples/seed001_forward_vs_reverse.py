"""Forward-mode versus reverse-mode differentiation (backpropagation) on a graph.

After the tutorial "How Does the Backpropagation Work (I)".

Forward mode starts from one variable and pushes ∂/∂(that variable) through
the whole graph ("sum over paths"), so it needs one sweep per variable.
Reverse mode starts from the output and pushes ∂E/∂(node) back through the
graph once, storing each node's derivative for its parents to reuse
(dynamic programming), so one sweep gives every derivative.

Part 1 is the tutorial's small computational graph (from its reference,
"Calculus on Computational Graphs"): c = a + b, d = b + 1, e = c·d at
a = 2, b = 1, differentiated both ways with the node visits counted.

Part 2 does the same on dagnet perceptron networks as the number of
parameters grows: ``dagnet.gradient_check.forward_mode_gradients`` visits the
nodes downstream of each parameter once per parameter, while
``net.gradients`` (backprop) runs one forward and one backward sweep.

Run:  python examples/seed001_forward_vs_reverse.py OUT_DIR [--quick]
"""
import argparse
import csv
import os
import sys
import time

import networkx as nx
import numpy as np

import dagnet
from dagnet.gradient_check import forward_mode_gradients, relative_error

# -- part 1: the tutorial's graph, e = (a + b)(b + 1) ---------------------------------------

#: node -> (operation, operands); operands are earlier nodes
SEED_GRAPH = {"c": ("add", ("a", "b")), "d": ("add1", ("b",)), "e": ("mul", ("c", "d"))}
#: ∂node/∂operand for each operation, given the operand values
LOCAL = {
    "add": lambda x, y: (1.0, 1.0),
    "add1": lambda x: (1.0,),
    "mul": lambda x, y: (y, x),
}
APPLY = {"add": lambda x, y: x + y, "add1": lambda x: x + 1, "mul": lambda x, y: x * y}


def evaluate(values):
    values = dict(values)
    for node, (op, args) in SEED_GRAPH.items():   # already in topological order
        values[node] = APPLY[op](*(values[a] for a in args))
    return values


def forward_mode(values, wrt):
    """∂e/∂wrt by pushing tangents forward: one sweep over the graph for this one input."""
    tangent = {v: float(v == wrt) for v in ("a", "b")}
    visits = 0
    for node, (op, args) in SEED_GRAPH.items():
        visits += 1
        local = LOCAL[op](*(values[a] for a in args))
        tangent[node] = sum(l * tangent[a] for l, a in zip(local, args))   # sum over paths
    return tangent["e"], visits


def reverse_mode(values):
    """Every ∂e/∂node in one backward sweep, each node's derivative stored and reused."""
    adjoint = {"e": 1.0}
    visits = 0
    for node, (op, args) in reversed(SEED_GRAPH.items()):
        visits += 1
        local = LOCAL[op](*(values[a] for a in args))
        for l, a in zip(local, args):
            adjoint[a] = adjoint.get(a, 0.0) + adjoint[node] * l
    return adjoint, visits


# -- part 2: perceptron networks -----------------------------------------------------------

def network(width, depth, seed=0):
    """2 inputs, ``depth`` layers of ``width`` tanh perceptrons, 1 sigmoid output, plus
    skip edges from the inputs to every layer (any DAG would do)."""
    G = nx.DiGraph()
    previous = ["x1", "x2"]
    for layer in range(depth):
        current = [f"l{layer}.{k}" for k in range(width)]
        for v in current:
            G.add_node(v, activation="tanh")
            for u in set(previous) | {"x1", "x2"}:
                G.add_edge(u, v)
        previous = current
    G.add_node("y", activation="sigmoid")
    for u in previous:
        G.add_edge(u, "y")
    return dagnet.Network.from_graph(G, inputs=["x1", "x2"], outputs=["y"], loss="binary_cross_entropy",
                                     seed=seed)


def timed(fn, repeats=3):
    best = float("inf")
    for _ in range(repeats):
        started = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - started)
    return best, out


def compare(widths, depth=3, n_samples=16):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(n_samples, 2))
    Y = (X[:, :1] * X[:, 1:] > 0).astype(float)
    rows = []
    for width in widths:
        net = network(width, depth)
        count = {}
        t_forward, forward = timed(lambda: forward_mode_gradients(net, X, Y, count=count), repeats=1)
        t_reverse, (_, grads) = timed(lambda: net.gradients(X, Y))
        slots = np.flatnonzero(net.plan.mask)
        agree = float(relative_error(grads.vector[slots], forward[slots]).max())
        n_nodes = net.graph.number_of_nodes()
        rows.append({"width": width, "nodes": n_nodes, "parameters": net.n_params,
                     "forward_mode_node_visits": count["node_visits"],
                     "reverse_mode_node_visits": 2 * n_nodes,
                     "forward_mode_ms": t_forward * 1e3, "reverse_mode_ms": t_reverse * 1e3,
                     "max_rel_diff": agree})
    return rows


def plot(rows, path):
    try:
        from matplotlib.figure import Figure
    except ImportError:
        return None
    from dagnet.plots import BLUE, ORANGE, save_figure

    fig = Figure(figsize=(9.5, 3.8), layout="constrained")
    visits, times = fig.subplots(1, 2)
    p = [r["parameters"] for r in rows]
    visits.loglog(p, [r["forward_mode_node_visits"] for r in rows], "s-", color=ORANGE, label="forward mode")
    visits.loglog(p, [r["reverse_mode_node_visits"] for r in rows], "^-", color=BLUE,
                  label="reverse mode (backprop)")
    visits.set_ylabel("node visits for all ∂E/∂θ")
    times.loglog(p, [r["forward_mode_ms"] for r in rows], "s-", color=ORANGE, label="forward mode")
    times.loglog(p, [r["reverse_mode_ms"] for r in rows], "^-", color=BLUE, label="reverse mode (backprop)")
    times.set_ylabel("time (ms)")
    for ax in (visits, times):
        ax.set_xlabel("parameters")
        ax.grid(alpha=0.3, which="both")
        ax.legend(fontsize=8)
    fig.suptitle("forward-mode cost grows with the parameters, reverse mode's does not",
                 fontsize=10)
    save_figure(fig, path)
    return path


def main(argv=None):
    parser = argparse.ArgumentParser(description=" ".join(__doc__.split("\n\n")[0].split()))
    parser.add_argument("out", help="folder for forward_vs_reverse.csv and cost.png")
    parser.add_argument("--quick", action="store_true", help="small networks only (a few seconds)")
    args = parser.parse_args(argv)
    os.makedirs(args.out, exist_ok=True)

    values = evaluate({"a": 2.0, "b": 1.0})
    print(f"part 1, the tutorial's graph: c = a + b, d = b + 1, e = c·d at a = 2, b = 1 -> e = {values['e']:g}")
    de_da, visits_a = forward_mode(values, "a")
    de_db, visits_b = forward_mode(values, "b")
    adjoint, visits_reverse = reverse_mode(values)
    print(f"  forward mode: ∂e/∂a = {de_da:g} ({visits_a} node visits), ∂e/∂b = {de_db:g} "
          f"({visits_b} node visits): {visits_a + visits_b} visits, one sweep per input")
    print(f"  reverse mode: ∂e/∂a = {adjoint['a']:g}, ∂e/∂b = {adjoint['b']:g}, and ∂e/∂c = "
          f"{adjoint['c']:g}, ∂e/∂d = {adjoint['d']:g} on the way: {visits_reverse} node visits")

    widths = [2, 4, 8] if args.quick else [2, 4, 8, 16, 32]
    rows = compare(widths)
    print("\npart 2, perceptron networks (2 inputs, 3 tanh layers with input skips, 1 output; 16 samples):")
    print(f"  {'params':>6} {'nodes':>5} {'fwd visits':>10} {'rev visits':>10} {'fwd ms':>9} "
          f"{'rev ms':>8} {'max rel diff':>12}")
    for r in rows:
        print(f"  {r['parameters']:>6} {r['nodes']:>5} {r['forward_mode_node_visits']:>10} "
              f"{r['reverse_mode_node_visits']:>10} {r['forward_mode_ms']:>9.2f} {r['reverse_mode_ms']:>8.3f} "
              f"{r['max_rel_diff']:>12.1e}")
    first, last = rows[0], rows[-1]
    print(f"parameters ×{last['parameters'] / first['parameters']:.0f}: forward-mode visits "
          f"×{last['forward_mode_node_visits'] / first['forward_mode_node_visits']:.0f}, reverse-mode visits "
          f"×{last['reverse_mode_node_visits'] / first['reverse_mode_node_visits']:.0f}; both give the same "
          f"gradients (max relative difference {max(r['max_rel_diff'] for r in rows):.1e})")

    path = os.path.join(args.out, "forward_vs_reverse.csv")
    with open(path, "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    print(f"wrote {path}")
    picture = plot(rows, os.path.join(args.out, "cost.png"))
    print(f"wrote {picture}" if picture else 'pictures skipped: pip install "dagnet[plot]"')
    return {"seed_graph": {"de_da": de_da, "de_db": de_db, "forward_visits": visits_a + visits_b,
                           "reverse_visits": visits_reverse}, "networks": rows}


if __name__ == "__main__":
    main()
    sys.exit(0)
