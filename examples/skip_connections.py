"""Skip connections: edges that jump over layers, on XOR and on a deep sigmoid network.

Part 1, XOR. ``topologies/xor_skip.yaml`` has ONE hidden perceptron and
edges from the inputs straight to the output; ``topologies/xor_2_2_1.yaml``
is the classic network with two hidden perceptrons and no skips. Both start
from random weights (several seeds) and train the same way; the script
counts the seeds that learn XOR and the epochs they need.

Part 2, depth. A stack of sigmoid layers, with and without skip edges (from
the inputs into every layer, and from every layer to the output). At the
start, the gradient ∂E/∂s_j of the plain stack shrinks layer by layer
towards the inputs (each sigmoid multiplies it by σ' ≤ 1/4): the first
layers barely learn. The skip edges give every layer a short path to the
loss. The script prints mean |∂E/∂s| per layer for both and trains both on
the same data with the same settings.

Run:  python examples/skip_connections.py OUT_DIR [--quick]
"""
import argparse
import csv
import os
import sys
import time

import networkx as nx
import numpy as np

import dagnet
from dagnet import datasets

HERE = os.path.dirname(os.path.abspath(__file__))
TOPOLOGIES = os.path.join(HERE, "..", "topologies")
XOR_X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
XOR_Y = np.array([[0], [1], [1], [0]], dtype=float)


# -- part 1: XOR ----------------------------------------------------------------------

def xor_runs(topology, seeds, epochs):
    """(successes, [epochs needed by each successful seed]) for random starts of ``topology``."""
    needed = []
    for seed in seeds:
        net = dagnet.load(os.path.join(TOPOLOGIES, topology), seed=seed)
        net.initialize("glorot_uniform", seed=seed)    # forget any hand-set weights
        solved = []

        def until_solved(epoch, history):
            if history.accuracy[-1] == 1.0 and history.loss[-1] < 0.05:
                solved.append(epoch)
                return False
            return None

        net.fit(XOR_X, XOR_Y, epochs=epochs, lr=0.5, optimizer="momentum", seed=seed, verbose=False,
                callback=until_solved)
        if solved:
            needed.append(solved[0])
    return len(needed), needed


# -- part 2: depth ----------------------------------------------------------------------

def stack(depth, width, skips, seed):
    """Inputs x1, x2 -> ``depth`` sigmoid layers of ``width`` -> sigmoid y, optionally with skips."""
    G = nx.DiGraph()
    layers = [[f"l{k}.{j}" for j in range(width)] for k in range(1, depth + 1)]
    for k, layer in enumerate(layers, start=1):
        for v in layer:
            G.add_node(v, activation="sigmoid", group=f"l{k}")
    G.add_node("y", activation="sigmoid")
    previous = ["x1", "x2"]
    for layer in layers:
        G.add_edges_from((u, v) for u in previous for v in layer)
        previous = layer
    G.add_edges_from((u, "y") for u in previous)
    if skips:
        for layer in layers[1:]:
            G.add_edges_from((u, v) for u in ("x1", "x2") for v in layer)
        for layer in layers[:-1]:
            G.add_edges_from((u, "y") for u in layer)
    return dagnet.Network.from_graph(G, inputs=["x1", "x2"], outputs=["y"], loss="binary_cross_entropy",
                                     seed=seed), layers


def layer_gradients(net, layers, X, Y):
    """Mean |∂E/∂s_j| over the samples and the perceptrons of each layer, first layer first."""
    _, grads = net.gradients(X, Y)
    return [float(np.mean([np.abs(grads.delta[n]).mean() for n in layer])) for layer in layers]


def plot(gradients, histories, path):
    try:
        from matplotlib.figure import Figure
    except ImportError:
        return None
    from dagnet.plots import BLUE, ORANGE, save_figure

    colours = {"plain": ORANGE, "with skips": BLUE}
    fig = Figure(figsize=(9.5, 3.8), layout="constrained")
    grad_ax, loss_ax = fig.subplots(1, 2)
    for name, values in gradients.items():
        grad_ax.semilogy(np.arange(1, len(values) + 1), values, "o-", color=colours[name], label=name)
    grad_ax.set_xlabel("layer (1 = next to the inputs)")
    grad_ax.set_ylabel("mean |∂E/∂s| at the start")
    for name, h in histories.items():
        loss_ax.plot(np.arange(1, h.epochs + 1), h.loss, color=colours[name], label=name)
    loss_ax.set_xlabel("epoch")
    loss_ax.set_ylabel("training loss (binary cross-entropy)")
    for ax in (grad_ax, loss_ax):
        ax.grid(alpha=0.3, which="both")
        ax.legend(fontsize=8)
    fig.suptitle("a deep sigmoid stack with and without skip edges", fontsize=10)
    save_figure(fig, path)
    return path


def main(argv=None):
    parser = argparse.ArgumentParser(description=" ".join(__doc__.split("\n\n")[0].split()))
    parser.add_argument("out", help="folder for depth.png, the network drawings and skip_connections.csv")
    parser.add_argument("--quick", action="store_true", help="fewer seeds and epochs (a few seconds)")
    args = parser.parse_args(argv)
    os.makedirs(args.out, exist_ok=True)
    results = {}

    seeds = range(6) if args.quick else range(20)
    epochs = 1500 if args.quick else 3000
    print(f"part 1, XOR from {len(seeds)} random starts (momentum, lr 0.5, up to {epochs} epochs):")
    started = time.perf_counter()
    for name, topology in (("2-1-1 with skips", "xor_skip.yaml"), ("2-2-1 without", "xor_2_2_1.yaml")):
        net = dagnet.load(os.path.join(TOPOLOGIES, topology))
        ok, needed = xor_runs(topology, seeds, epochs)
        results[topology] = {"successes": ok, "seeds": len(seeds), "epochs": needed}
        median = f", median {int(np.median(needed))} epochs" if needed else ""
        print(f"  {name:<17} ({net.n_params} parameters): {ok}/{len(seeds)} seeds learn XOR{median}")
    print(f"  ({time.perf_counter() - started:.1f} s)")

    depth, width = (6, 4) if args.quick else (8, 4)
    X, Y = datasets.load("moons", n_samples=100 if args.quick else 200, noise=0.1, seed=0)
    train_epochs = 60 if args.quick else 300
    print(f"\npart 2, {depth} sigmoid layers of {width}, on 'moons' ({len(X)} samples):")
    gradients, histories, nets = {}, {}, {}
    for name, skips in (("plain", False), ("with skips", True)):
        net, layers = stack(depth, width, skips, seed=0)
        gradients[name] = layer_gradients(net, layers, X, Y)
        nets[name] = net
    print("  mean |∂E/∂s| per layer at the start (layer 1 next to the inputs):")
    for name, values in gradients.items():
        print(f"    {name:<11} " + " ".join(f"{v:.1e}" for v in values))
    ratio = {name: values[-1] / values[0] for name, values in gradients.items()}
    print(f"  last layer / first layer: plain ×{ratio['plain']:.0f}, with skips ×{ratio['with skips']:.1f}")
    for name, net in nets.items():
        histories[name] = net.fit(X, Y, epochs=train_epochs, lr=0.05, batch_size=16, optimizer="adam",
                                  seed=0, verbose=False)
        h = histories[name]
        results[name] = {"accuracy": net.score(X, Y), "loss": h.loss[-1], "gradients": gradients[name]}
        print(f"  trained {name:<11} {train_epochs} epochs (adam, lr 0.05, batches of 16): loss "
              f"{h.loss[-1]:.4f}, accuracy {results[name]['accuracy']:.3f}")

    path = os.path.join(args.out, "skip_connections.csv")
    with open(path, "w", newline="") as f:
        out = csv.writer(f)
        out.writerow(["layer", "plain_mean_abs_delta", "skips_mean_abs_delta"])
        for k, (a, b) in enumerate(zip(gradients["plain"], gradients["with skips"]), start=1):
            out.writerow([k, a, b])
    written = [path]
    try:
        from dagnet import plots
        written.append(plot(gradients, histories, os.path.join(args.out, "depth.png")))
        for name, net in nets.items():
            stem = name.replace(" ", "_")
            plots.draw_network(net, os.path.join(args.out, f"network_{stem}.png"), collapse_groups=True,
                               title=f"{depth} sigmoid layers, {name}")
            plots.decision_regions(net, X, Y, os.path.join(args.out, f"decision_{stem}.png"),
                                   title=f"{depth} sigmoid layers, {name}")
            written += [os.path.join(args.out, f"network_{stem}.png"),
                        os.path.join(args.out, f"decision_{stem}.png")]
    except ImportError:
        print('pictures skipped: pip install "dagnet[plot]"')
    print(f"wrote {', '.join(written)}")
    results["gradient_ratio"] = ratio
    return results


if __name__ == "__main__":
    main()
    sys.exit(0)
