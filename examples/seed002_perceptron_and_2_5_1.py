"""The Backpropagation Tutorial's perceptron (η = 0.1) on points a line separates, and its 2-5-1
network (η = 0.5, sequential updates) on points no line separates, with pictures of both decision
regions.

The tutorial's error is E = Σ_i (h(x_i) − y_i)², dagnet's ``sse``. Its
perceptron applet updates w ← w − 0.2 Σ_i (h − y) h (1 − h) x_i, which is
w − η ∂E/∂w with η = 0.1 (the 2 of the derivative folded into 0.2). Its
multilayer applet trains the 2-5-1 sigmoid network "sequentially", one
example at a time (``batch_size=1``), with η = 0.5.

This script also checks one sequential step by hand: the weight w_{k→6}
from hidden perceptron k to the output 6 moves by exactly
−0.5 · 2 (z6 − y_i) σ(s6)(1 − σ(s6)) z_k, the tutorial's formula.

Run:  python examples/seed002_perceptron_and_2_5_1.py OUT_DIR [--quick]
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


def stop_when(accuracy):
    """A fit callback that stops once the training accuracy reaches ``accuracy``."""
    return lambda epoch, history: not (history.accuracy and history.accuracy[-1] >= accuracy)


def one_sequential_step():
    """The largest gap between dagnet's first sequential update and the tutorial's formula."""
    net = dagnet.load(os.path.join(TOPOLOGIES, "tutorial_2_5_1.yaml"), seed=7)
    x, y = np.array([[0.3, 0.8]]), np.array([[1.0]])
    trace = net.forward(x)
    s6, z6 = trace.s["out"][0], trace.z["out"][0]
    sigma6 = 1 / (1 + np.exp(-s6))
    before = {k: net.weight(f"h.{k}", "out") for k in range(5)}
    expected = {k: before[k] - 0.5 * 2 * (z6 - y[0, 0]) * sigma6 * (1 - sigma6) * trace.z[f"h.{k}"][0]
                for k in range(5)}
    net.fit(x, y, epochs=1, lr=0.5, batch_size=1, shuffle=False, verbose=False)
    return max(abs(net.weight(f"h.{k}", "out") - expected[k]) for k in range(5))


def pictures(net, X, Y, history, out, stem, gif=False):
    """decision regions (+ network, neurons, loss, GIF); returns the files written."""
    try:
        from dagnet import plots
    except ImportError:   # pragma: no cover
        return []
    written = []
    try:
        plots.decision_regions(net, X, Y, os.path.join(out, f"{stem}_decision.png"),
                               title=f"Backpropagation Tutorial: {net.name}")
        written.append(f"{stem}_decision.png")
        plots.draw_network(net, os.path.join(out, f"{stem}_network.png"))
        written.append(f"{stem}_network.png")
        plots.loss_curves(history, os.path.join(out, f"{stem}_loss.png"), title=net.name)
        written.append(f"{stem}_loss.png")
        if len(net.plan.nodes) > 3:
            plots.neuron_maps(net, X, os.path.join(out, f"{stem}_neurons.png"))
            written.append(f"{stem}_neurons.png")
    except plots.MissingMatplotlib:
        print('pictures skipped: pip install "dagnet[plot]"')
    return written


def main(argv=None):
    parser = argparse.ArgumentParser(description=" ".join(__doc__.split("\n\n")[0].split()))
    parser.add_argument("out", help="folder for the pictures and trained networks")
    parser.add_argument("--quick", action="store_true", help="fewer epochs (a few seconds)")
    parser.add_argument("--gif", action="store_true", help="also animate the 2-5-1 training (slower)")
    args = parser.parse_args(argv)
    os.makedirs(args.out, exist_ok=True)
    results = {}

    # 3.1: a single perceptron, η = 0.1, on red/blue points a line separates
    X, Y = datasets.load("linear", seed=0)
    perceptron = dagnet.load(os.path.join(TOPOLOGIES, "perceptron.yaml"), seed=0)
    started = time.perf_counter()
    history = perceptron.fit(X, Y, epochs=60 if args.quick else 300, lr=0.1, batch_size=1, seed=0,
                             verbose=False)
    results["perceptron"] = perceptron.score(X, Y)
    print(f"perceptron (η = 0.1, sequential) on 'linear' ({len(X)} points): accuracy "
          f"{results['perceptron']:.3f} after {history.epochs} epochs ({time.perf_counter() - started:.1f} s)")
    w = perceptron.weight("in_x", "out"), perceptron.weight("in_y", "out"), perceptron.bias("out")
    print(f"  its line: {w[0]:.3f}·in_x + {w[1]:.3f}·in_y + {w[2]:.3f} = 0")
    files = pictures(perceptron, X, Y, history, args.out, "perceptron")
    perceptron.save(os.path.join(args.out, "perceptron.yaml"))

    # ... which cannot separate points no line separates
    X2, Y2 = datasets.load("nonlinear", seed=0)
    line = dagnet.load(os.path.join(TOPOLOGIES, "perceptron.yaml"), seed=0)
    line.fit(X2, Y2, epochs=30 if args.quick else 300, lr=0.1, batch_size=1, seed=0, verbose=False)
    results["perceptron_on_nonlinear"] = line.score(X2, Y2)
    print(f"the same perceptron on 'nonlinear': accuracy {results['perceptron_on_nonlinear']:.3f} "
          f"(a line cannot do better)")

    # 4.1: the 2-5-1 network, η = 0.5, sequential updates
    gap = one_sequential_step()
    results["step_gap"] = gap
    print(f"one sequential step by hand: w_k→6 moves as the tutorial's formula says (largest gap {gap:.1e})")
    net = dagnet.load(os.path.join(TOPOLOGIES, "tutorial_2_5_1.yaml"), seed=0)
    started = time.perf_counter()
    fit_kwargs = dict(epochs=400, lr=0.5, batch_size=1, seed=0, verbose=False)
    if args.gif:
        from dagnet import plots
        fig = plots.animate_training(net, X2, Y2, os.path.join(args.out, "tutorial_2_5_1_training.gif"),
                                     fit_kwargs, frames=30)
        history = fig.history
        files.append("tutorial_2_5_1_training.gif")
    else:
        history = net.fit(X2, Y2, callback=stop_when(0.98) if args.quick else None, **fit_kwargs)
    results["2-5-1"] = net.score(X2, Y2)
    print(f"2-5-1 (η = 0.5, sequential) on 'nonlinear' ({len(X2)} points): accuracy "
          f"{results['2-5-1']:.3f} after {history.epochs} epochs ({time.perf_counter() - started:.1f} s)")
    files += pictures(net, X2, Y2, history, args.out, "tutorial_2_5_1")
    net.save(os.path.join(args.out, "tutorial_2_5_1.yaml"))
    print(f"wrote {', '.join(os.path.join(args.out, f) for f in ['perceptron.yaml', 'tutorial_2_5_1.yaml'] + files)}")
    return results


if __name__ == "__main__":
    main()
    sys.exit(0)
