"""The one-hidden-layer MLP tutorial: its network trained with mean squared error and with cross-entropy.

The tutorial's network is h = σ(x W1 + b1), ŷ = φ(h W2 + b2), trained by SGD
(one randomly picked example per update) on either loss:

- ``topologies/mlp_one_hidden.yaml``: φ a sigmoid, one output, MSE (1);
- ``topologies/mlp_one_hidden_ce.yaml``: φ a softmax over two outputs,
  cross-entropy (2).

Both see the same data, the same hidden layer, the same learning rate and
the same shuffling seeds. The difference is the output delta ∂L/∂s: with
cross-entropy it is ŷ − y (the softmax's derivative cancels), with MSE it is
2(ŷ − y)·σ'(s), which nearly vanishes when the output is confidently wrong.
So cross-entropy keeps learning where MSE stalls.

Run:  python examples/seed000_mse_vs_cross_entropy.py OUT_DIR [--quick]
"""
import argparse
import os
import sys
import time

import numpy as np

import dagnet
from dagnet import datasets

HERE = os.path.dirname(os.path.abspath(__file__))
TOPOLOGIES = os.path.join(HERE, "..", "topologies")
LOSSES = {"mse": "mlp_one_hidden.yaml", "cross_entropy": "mlp_one_hidden_ce.yaml"}


def output_deltas():
    """∂L/∂s at the output for one confidently wrong example (s = −6, y = 1), N = 1."""
    s = -6.0
    y_hat = 1 / (1 + np.exp(-s))
    mse = 2 * (y_hat - 1) * y_hat * (1 - y_hat)
    # softmax over (s, 0) puts p = σ(s) on the true class: ∂CE/∂s = p − 1
    ce = y_hat - 1
    return y_hat, mse, ce


def train(loss, X, Y, seed, epochs, lr):
    net = dagnet.load(os.path.join(TOPOLOGIES, LOSSES[loss]), seed=seed)
    history = net.fit(X, Y, epochs=epochs, lr=lr, batch_size=1, seed=seed, verbose=False)
    return net, history


def plot(curves, path):
    try:
        from matplotlib.figure import Figure
    except ImportError:
        return None
    from dagnet.plots import BLUE, ORANGE, save_figure

    fig = Figure(figsize=(9.5, 3.8), layout="constrained")
    acc_ax, loss_ax = fig.subplots(1, 2)
    colours = {"mse": ORANGE, "cross_entropy": BLUE}
    for loss, histories in curves.items():
        for k, h in enumerate(histories):
            label = loss if k == 0 else None
            epochs = np.arange(1, h.epochs + 1)
            acc_ax.plot(epochs, h.accuracy, color=colours[loss], alpha=0.7, lw=1.2, label=label)
            loss_ax.plot(epochs, h.loss, color=colours[loss], alpha=0.7, lw=1.2, label=label)
    acc_ax.set_ylabel("training accuracy")
    loss_ax.set_ylabel("loss (each network's own)")
    loss_ax.set_yscale("log")
    for ax in (acc_ax, loss_ax):
        ax.set_xlabel("epoch")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    fig.suptitle("the one-hidden-layer MLP tutorial's network trained with MSE and with cross-entropy "
                 "(one line per seed)",
                 fontsize=10)
    save_figure(fig, path)
    return path


def main(argv=None):
    parser = argparse.ArgumentParser(description=" ".join(__doc__.split("\n\n")[0].split()))
    parser.add_argument("out", help="folder for the pictures")
    parser.add_argument("--quick", action="store_true", help="fewer seeds and epochs (a few seconds)")
    args = parser.parse_args(argv)
    os.makedirs(args.out, exist_ok=True)

    y_hat, mse, ce = output_deltas()
    print(f"a confidently wrong output (ŷ = {y_hat:.4f}, y = 1): ∂L/∂s is {mse:.4f} for MSE but "
          f"{ce:.4f} for cross-entropy")

    seeds = range(2) if args.quick else range(5)
    epochs = 15 if args.quick else 60
    lr = 0.1
    X, Y = datasets.load("moons", n_samples=100 if args.quick else 200, noise=0.1, seed=0)
    print(f"'moons' ({len(X)} samples), SGD with one example per update, lr {lr}, {epochs} epochs, "
          f"seeds {list(seeds)}")
    curves = {loss: [] for loss in LOSSES}
    final = {loss: [] for loss in LOSSES}
    nets = {}
    started = time.perf_counter()
    for loss in LOSSES:
        for seed in seeds:
            net, history = train(loss, X, Y, seed, epochs, lr)
            curves[loss].append(history)
            final[loss].append(net.score(X, Y))
            nets.setdefault(loss, (net, history))
    print(f"  {'loss':<14} {'accuracy after epoch 1..5':<32} {'final accuracy (mean, min)':<24}")
    results = {}
    for loss in LOSSES:
        early = np.mean([h.accuracy[:5] for h in curves[loss]], axis=0)
        mean, low = float(np.mean(final[loss])), float(np.min(final[loss]))
        results[loss] = {"final_mean": mean, "final_min": low, "early": early.tolist()}
        print(f"  {loss:<14} {' '.join(f'{a:.2f}' for a in early):<32} {mean:.3f}, {low:.3f}")
    print(f"({time.perf_counter() - started:.1f} s)")
    written = []
    try:
        from dagnet import plots
        for loss, (net, history) in nets.items():
            plots.decision_regions(net, X, Y, os.path.join(args.out, f"decision_{loss}.png"),
                                   title=f"the MLP tutorial: {loss}")
            written.append(f"decision_{loss}.png")
        plot(curves, os.path.join(args.out, "compare.png"))
        written.append("compare.png")
    except ImportError:
        print('pictures skipped: pip install "dagnet[plot]"')
    if written:
        print(f"wrote {', '.join(os.path.join(args.out, w) for w in written)}")
    results["deltas"] = {"mse": mse, "cross_entropy": ce}
    return results


if __name__ == "__main__":
    main()
    sys.exit(0)
