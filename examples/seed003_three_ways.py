"""Three ways to the gradient of a 1-1-1 sigmoid chain, and what each costs.

After the FFBPN workshop (iMADE Workshop #5, "Supervised Learning: FFBPN").

The workshop's network is x -> h -> y with h = σ(w1·x + b1), y = σ(w2·h + b2)
and the loss L = ½(y − y_T)². It computes ∂L/∂w by

1. hand (analytic): the workshop's closed form
   ∂L/∂w2 = h·e^{−(h w2 + b2)} / (1 + e^{−(h w2 + b2)})² · (σ(h w2 + b2) − y_T),
2. numerical approximation: (L(w + ε) − L(w − ε)) / 2ε, two forward passes
   per parameter,
3. backpropagation: one forward and one backward pass for all of them.

dagnet's ``sse`` loss is E = (y − y_T)², twice the workshop's L (no ½), so
dagnet's gradients are twice the workshop's: this script halves them to put the
three side by side. Then it lengthens the chain (1, 2, 4, ... hidden units
in a row) and times each method: the hand-expanded derivative recomputes
the shared chain-rule factors for every parameter (work ∝ depth²), the
numerical one runs 2 forward passes per parameter (∝ depth²), backprop
one sweep each way (∝ depth).

Run:  python examples/seed003_three_ways.py OUT_DIR [--quick]
"""
import argparse
import csv
import os
import sys
import time

import networkx as nx
import numpy as np

import dagnet
from dagnet.gradient_check import numerical_gradients, relative_error

HERE = os.path.dirname(os.path.abspath(__file__))
TOPOLOGY = os.path.join(HERE, "..", "topologies", "chain_1_1_1.yaml")
X_IN, Y_TARGET = 0.7, 0.25


def sigmoid(s):
    return 1.0 / (1.0 + np.exp(-s))


def seed_analytic(w1, b1, w2, b2, x, y_T):
    """The workshop's hand-derived gradients of L = ½(y − y_T)², by parameter name."""
    h = sigmoid(w1 * x + b1)
    e = np.exp(-(h * w2 + b2))
    y = 1.0 / (1.0 + e)
    dL_dw2 = h * e / (1 + e) ** 2 * (y - y_T)             # the workshop's formula, as printed
    dL_db2 = e / (1 + e) ** 2 * (y - y_T)
    dL_dw1 = (y - y_T) * y * (1 - y) * w2 * h * (1 - h) * x  # the same chain, one link further
    dL_db1 = (y - y_T) * y * (1 - y) * w2 * h * (1 - h)
    return {"w1": dL_dw1, "b1": dL_db1, "w2": dL_dw2, "b2": dL_db2}


def side_by_side():
    """Rows (parameter, analytic, numerical, backprop) for the workshop's chain, all for L = ½(y − y_T)²."""
    net = dagnet.load(TOPOLOGY)
    X, Y = np.array([[X_IN]]), np.array([[Y_TARGET]])
    w1, b1, w2, b2 = net.weight("x", "h"), net.bias("h"), net.weight("h", "y"), net.bias("y")
    analytic = seed_analytic(w1, b1, w2, b2, X_IN, Y_TARGET)
    _, grads = net.gradients(X, Y)
    numeric = numerical_gradients(net, X, Y, order=2, step=1e-6)   # the workshop's central difference
    L = net.plan
    slot = {"w1": L.edge_slot["x", "h"], "b1": L.bias_slot["h"], "w2": L.edge_slot["h", "y"],
            "b2": L.bias_slot["y"]}
    rows = []
    for name in ("w1", "b1", "w2", "b2"):
        back = grads.vector[slot[name]] / 2     # dagnet's E is 2L
        rows.append((name, analytic[name], numeric[slot[name]] / 2, back))
    return rows


def chain(depth):
    """A sigmoid chain x -> h1 -> ... -> h_depth -> y with fixed, moderate weights."""
    G = nx.DiGraph()
    names = ["x"] + [f"h{k}" for k in range(1, depth + 1)] + ["y"]
    for u, v in zip(names, names[1:]):
        G.add_edge(u, v, weight=1.5)
    for n in names[1:]:
        G.nodes[n]["bias"] = -0.5
    return dagnet.Network.from_graph(G, inputs=["x"], outputs=["y"], loss="sse")


def analytic_by_hand(weights, biases, x, y_T):
    """∂E/∂θ for a chain the way a hand-expanded formula evaluates it: every parameter's
    chain-rule product rebuilt from scratch, sharing nothing with the others."""
    grads = []
    n = len(weights)
    for k in range(n):                     # parameter k: weight and bias into node k
        z = [x]
        for w, b in zip(weights, biases):  # the forward values the formula mentions
            z.append(sigmoid(w * z[-1] + b))
        product = 2 * (z[-1] - y_T)
        for j in range(n - 1, k, -1):      # σ'(s_j)·w_j down to node k + 1 ...
            product *= z[j + 1] * (1 - z[j + 1]) * weights[j]
        product *= z[k + 1] * (1 - z[k + 1])
        grads += [product * z[k], product]
    return grads


def best_time(fn, budget=0.05, repeats=3):
    """Best time of ``fn`` over a few runs of at least ``budget`` seconds in all."""
    best = float("inf")
    for _ in range(repeats):
        loops, started = 0, time.perf_counter()
        while True:
            fn()
            loops += 1
            elapsed = time.perf_counter() - started
            if elapsed >= budget / repeats:
                break
        best = min(best, elapsed / loops)
    return best


def costs(depths):
    """Time of each method, and the forward passes numerical differences need, per chain depth."""
    rows = []
    X, Y = np.array([[X_IN]]), np.array([[Y_TARGET]])
    for depth in depths:
        net = chain(depth)
        names = ["x"] + [f"h{k}" for k in range(1, depth + 1)] + ["y"]
        weights = [net.weight(u, v) for u, v in zip(names, names[1:])]
        biases = [net.bias(v) for v in names[1:]]
        _, grads = net.gradients(X, Y)
        by_hand = analytic_by_hand(weights, biases, X_IN, Y_TARGET)
        back = [g for u, v in zip(names, names[1:]) for g in (grads.weight[u, v], grads.bias[v])]
        agree = float(relative_error(np.array(back), np.array(by_hand)).max())
        t_hand = best_time(lambda: analytic_by_hand(weights, biases, X_IN, Y_TARGET))
        t_numeric = best_time(lambda: numerical_gradients(net, X, Y, order=2))
        t_back = best_time(lambda: net.gradients(X, Y))
        rows.append({"depth": depth, "parameters": net.n_params,
                     "numerical_forward_passes": 2 * net.n_params,
                     "backprop_node_visits": 2 * (depth + 2),
                     "analytic_ms": t_hand * 1e3, "numerical_ms": t_numeric * 1e3,
                     "backprop_ms": t_back * 1e3, "max_rel_diff_backprop_vs_analytic": agree})
    return rows


def plot_costs(rows, path):
    try:
        from matplotlib.figure import Figure
    except ImportError:
        return None
    from dagnet.plots import BLUE, ORANGE, save_figure

    fig = Figure(figsize=(5.6, 3.8), layout="constrained")
    ax = fig.add_subplot()
    depth = [r["depth"] for r in rows]
    ax.loglog(depth, [r["analytic_ms"] for r in rows], "o-", color="#555555", label="analytic, by hand")
    ax.loglog(depth, [r["numerical_ms"] for r in rows], "s-", color=ORANGE, label="numerical (2 passes/param)")
    ax.loglog(depth, [r["backprop_ms"] for r in rows], "^-", color=BLUE, label="backpropagation")
    ax.set_xlabel("hidden units in the chain")
    ax.set_ylabel("time for all gradients (ms)")
    ax.set_title("FFBPN workshop: cost of the three ways as the chain grows", fontsize=10)
    ax.grid(alpha=0.3, which="both")
    ax.legend(fontsize=8)
    save_figure(fig, path)
    return path


def main(argv=None):
    parser = argparse.ArgumentParser(description=" ".join(__doc__.split("\n\n")[0].split()))
    parser.add_argument("out", help="folder for three_ways.csv and cost.png")
    parser.add_argument("--quick", action="store_true", help="short chains only (a few seconds)")
    args = parser.parse_args(argv)
    os.makedirs(args.out, exist_ok=True)

    print(f"the FFBPN workshop's chain: x = {X_IN}, y_T = {Y_TARGET}, "
          f"weights and biases from {os.path.basename(TOPOLOGY)}")
    print("gradients of the workshop's L = ½(y − y_T)² (dagnet's sse is 2L, so its numbers are halved):")
    print(f"  {'param':<6} {'analytic':>14} {'numerical':>14} {'backprop':>14}  rel. diff (num, bp)")
    rows = side_by_side()
    worst_numeric = worst_backprop = 0.0
    for name, a, n, b in rows:
        e_num, e_bp = abs(n - a) / abs(a), abs(b - a) / abs(a)
        worst_numeric, worst_backprop = max(worst_numeric, e_num), max(worst_backprop, e_bp)
        print(f"  {name:<6} {a:>14.10f} {n:>14.10f} {b:>14.10f}  {e_num:.1e}, {e_bp:.1e}")
    print(f"backprop matches the workshop's analytic derivative to {worst_backprop:.1e}; "
          f"central differences to {worst_numeric:.1e}")

    depths = [1, 2, 4, 8, 16] if args.quick else [1, 2, 4, 8, 16, 32, 64, 128]
    table = costs(depths)
    print("\ncost as the chain grows (time for all gradients):")
    print(f"  {'depth':>5} {'params':>6} {'analytic ms':>12} {'numerical ms':>13} {'backprop ms':>12} "
          f"{'fwd passes (num)':>17}")
    for r in table:
        print(f"  {r['depth']:>5} {r['parameters']:>6} {r['analytic_ms']:>12.4f} {r['numerical_ms']:>13.4f} "
              f"{r['backprop_ms']:>12.4f} {r['numerical_forward_passes']:>17}")
    first, last = table[0], table[-1]
    growth = last["depth"] / first["depth"]
    print(f"depth ×{growth:g}: analytic ×{last['analytic_ms'] / first['analytic_ms']:.0f}, numerical "
          f"×{last['numerical_ms'] / first['numerical_ms']:.0f}, backprop "
          f"×{last['backprop_ms'] / first['backprop_ms']:.1f} (backprop stays one sweep each way)")
    agree = max(r["max_rel_diff_backprop_vs_analytic"] for r in table)
    print(f"backprop vs hand-expanded chain rule on every chain: max relative difference {agree:.1e}")

    path = os.path.join(args.out, "three_ways.csv")
    with open(path, "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(table[0]))
        writer.writeheader()
        writer.writerows(table)
    print(f"wrote {path}")
    picture = plot_costs(table, os.path.join(args.out, "cost.png"))
    print(f"wrote {picture}" if picture else 'pictures skipped: pip install "dagnet[plot]"')
    return {"side_by_side": rows, "worst_backprop": worst_backprop, "worst_numeric": worst_numeric,
            "costs": table, "agree": agree}


if __name__ == "__main__":
    main()
    sys.exit(0)
