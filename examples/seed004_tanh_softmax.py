"""The 2-500-2 tanh/softmax network of the article "Backprop in Neural Networks", its matrix
gradients corrected, and dagnet agreeing.

The article's network: z1 = x W1 + b1, a1 = tanh(z1), z2 = a1 W2 + b2,
ŷ = softmax(z2), with x of shape (n, 2), W1 (2, 500), W2 (500, 2). With the
cross-entropy E = −(1/n) Σ_i Σ_l y_il ln ŷ_il (dagnet's ``cross_entropy``)
the gradients are

    δ2 = ∂E/∂z2 = (ŷ − y) / n                ∂E/∂W2 = a1ᵀ δ2     ∂E/∂b2 = Σ_rows δ2
    δ1 = ∂E/∂z1 = (δ2 W2ᵀ) ⊙ (1 − a1²)       ∂E/∂W1 = xᵀ δ1      ∂E/∂b1 = Σ_rows δ1

Where the article's text is off (this script shows each numerically):

- (5) is the log-likelihood y ln σ(z2) + (1 − y) ln(1 − σ(z2)), a quantity
  to maximise: the negative of the cross-entropy (and written for a
  sigmoid, not the softmax of (4)). So its (7) ∂Loss/∂z2 = y − ŷ and
  (14), (15) carry the opposite sign of the gradient to descend, and no 1/n.
- (6) says dσ/dz = ln σ · ln(1 − σ); it is σ (1 − σ).
- (10) says ∂z2/∂tanh(z1) = z2; it is W2 (so the backward pass multiplies
  by W2ᵀ).
- (16), (17) write x^T (1 − tanh² Z1)(y − ŷ) W2ᵀ: the factors are in an
  order whose shapes do not even multiply ((n, 500) times (n, 2)); the
  elementwise product ⊙ must come after δ2 W2ᵀ, as above.

Run:  python examples/seed004_tanh_softmax.py OUT_DIR [--quick]
"""
import argparse
import os
import sys
import time

import numpy as np

import dagnet
from dagnet import datasets

HERE = os.path.dirname(os.path.abspath(__file__))
TOPOLOGY = os.path.join(HERE, "..", "topologies", "tanh_softmax_2_500_2.yaml")


def matrices(net):
    """W1 (2, H), b1 (H,), W2 (H, 2), b2 (2,) read from the network by node name."""
    inputs, outputs = net.inputs, net.outputs
    hidden = [n for n in net.plan.nodes if net.graph.nodes[n]["role"] == "hidden"]
    W1 = np.array([[net.weight(i, h) for h in hidden] for i in inputs])
    b1 = np.array([net.bias(h) for h in hidden])
    W2 = np.array([[net.weight(h, o) for o in outputs] for h in hidden])
    b2 = np.array([net.bias(o) for o in outputs])
    return hidden, W1, b1, W2, b2


def softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def corrected_gradients(x, y, W1, b1, W2, b2):
    """The article's (1)-(4) forward and the corrected (14)-(17) backward; y one-hot (n, 2)."""
    n = len(x)
    z1 = x @ W1 + b1
    a1 = np.tanh(z1)
    z2 = a1 @ W2 + b2
    y_hat = softmax(z2)
    delta2 = (y_hat - y) / n
    dW2 = a1.T @ delta2
    db2 = delta2.sum(axis=0)
    delta1 = (delta2 @ W2.T) * (1 - a1 ** 2)
    dW1 = x.T @ delta1
    db1 = delta1.sum(axis=0)
    return {"y_hat": y_hat, "a1": a1, "dW1": dW1, "db1": db1, "dW2": dW2, "db2": db2}


def dagnet_gradients(net, x, labels, hidden):
    _, grads = net.gradients(x, labels)
    inputs, outputs = net.inputs, net.outputs
    return {"dW1": np.array([[grads.weight[i, h] for h in hidden] for i in inputs]),
            "db1": np.array([grads.bias[h] for h in hidden]),
            "dW2": np.array([[grads.weight[h, o] for o in outputs] for h in hidden]),
            "db2": np.array([grads.bias[o] for o in outputs])}


def compare(net, x, labels):
    """Largest relative difference between dagnet's gradients and the corrected formulas."""
    hidden, W1, b1, W2, b2 = matrices(net)
    y = np.eye(len(net.outputs))[labels.astype(int).ravel()]
    mine = corrected_gradients(x, y, W1, b1, W2, b2)
    theirs = dagnet_gradients(net, x, labels, hidden)
    worst = {}
    for key in ("dW1", "db1", "dW2", "db2"):
        scale = np.abs(mine[key]).max()
        worst[key] = float(np.abs(mine[key] - theirs[key]).max() / scale)
    return worst, mine, (hidden, W1, b1, W2, b2), y


def seed_errata(x, y, params, mine):
    """Evaluate the article's formulas as printed next to the corrected ones; return text lines."""
    hidden, W1, b1, W2, b2 = params
    n = len(x)
    y_hat, a1 = mine["y_hat"], mine["a1"]
    lines = []
    # (5): the log-likelihood is −n·E for one-hot targets; (7) its gradient y − ŷ = −n δ2
    log_likelihood = float(np.sum(y * np.log(y_hat)))
    cross_entropy = -log_likelihood / n
    lines.append(f"(5)  Σ y ln ŷ = {log_likelihood:.4f} is the log-likelihood: −n × cross-entropy "
                 f"(n·E = {n * cross_entropy:.4f}), to be maximised, not minimised")
    seed_14 = a1.T @ (y - y_hat)
    ratio = float(np.sum(seed_14 * mine["dW2"]) / np.sum(mine["dW2"] ** 2))
    lines.append(f"(14) a1ᵀ(y − ŷ) = {ratio:.1f} × ∂E/∂W2 (= −n): the sign is flipped and the 1/n is "
                 f"missing, so stepping along it would climb E")
    seed_15 = (y - y_hat)
    lines.append(f"(15) (y − ŷ) has shape {seed_15.shape}, one row per sample: ∂E/∂b2 sums the "
                 f"rows of δ2 = (ŷ − y)/n, shape {mine['db2'].shape}")
    z = 0.3
    s = 1 / (1 + np.exp(-z))
    numeric = (1 / (1 + np.exp(-(z + 1e-6))) - 1 / (1 + np.exp(-(z - 1e-6)))) / 2e-6
    lines.append(f"(6)  at z = {z}: ln σ · ln(1 − σ) = {np.log(s) * np.log(1 - s):.4f}, but dσ/dz = "
                 f"σ(1 − σ) = {s * (1 - s):.4f} (numerically {numeric:.4f})")
    lines.append(f"(10) ∂z2/∂a1 is W2 (shape {W2.shape}), not z2 (shape {mine['y_hat'].shape}): "
                 f"the backward pass multiplies δ2 by W2ᵀ")
    try:
        np.matmul(1 - a1 ** 2, y - y_hat)
        shapes = "multiplies"
    except ValueError:
        shapes = "cannot be multiplied"
    lines.append(f"(16) (1 − tanh² Z1)(y − ŷ) is {(1 - a1 ** 2).shape} times {(y - y_hat).shape}: it "
                 f"{shapes}; the right order is xᵀ[(δ2 W2ᵀ) ⊙ (1 − a1²)]")
    lines.append("(17) the same for ∂E/∂b1: Σ_rows (δ2 W2ᵀ) ⊙ (1 − a1²), no x and no transposes")
    return lines


def main(argv=None):
    parser = argparse.ArgumentParser(description=" ".join(__doc__.split("\n\n")[0].split()))
    parser.add_argument("out", help="folder for decision.png and trained.yaml")
    parser.add_argument("--quick", action="store_true", help="fewer samples and epochs (a few seconds)")
    args = parser.parse_args(argv)
    os.makedirs(args.out, exist_ok=True)

    n_samples, epochs = (120, 40) if args.quick else (300, 300)
    X, labels = datasets.load("moons", n_samples=n_samples, noise=0.1, seed=0)
    net = dagnet.load(TOPOLOGY, seed=0)
    print(f"Backprop in Neural Networks: {net.name}, {net.n_params} parameters, cross_entropy, "
          f"on 'moons' ({n_samples} samples)")

    worst, mine, params, y = compare(net, X, labels)
    print("dagnet's backprop vs the corrected matrix formulas (largest relative difference):")
    print("  " + ", ".join(f"∂E/∂{k[1:]} {v:.1e}" for k, v in worst.items()))
    print("where the article's text is off, evaluated on the same network and data:")
    for line in seed_errata(X, y, params, mine):
        print("  " + line)

    started = time.perf_counter()
    history = net.fit(X, labels, epochs=epochs, lr=0.05, batch_size=32, optimizer="adam", seed=0,
                      verbose=False)
    accuracy = net.score(X, labels)
    print(f"trained {history.epochs} epochs (adam, lr 0.05, batches of 32) in "
          f"{time.perf_counter() - started:.1f} s: loss {history.loss[-1]:.4f}, accuracy {accuracy:.3f}")
    worst_after, *_ = compare(net, X, labels)
    print("after training, dagnet vs the corrected formulas still agree: max relative difference "
          f"{max(worst_after.values()):.1e}")
    net.save(os.path.join(args.out, "trained.yaml"))
    written = ["trained.yaml"]
    try:
        from dagnet import plots
        plots.decision_regions(net, X, labels, os.path.join(args.out, "decision.png"),
                               title="Backprop in Neural Networks: 2-500-2 tanh/softmax")
        plots.loss_curves(history, os.path.join(args.out, "loss.png"), title="Backprop in Neural Networks")
        written += ["decision.png", "loss.png"]
    except ImportError:
        print('pictures skipped: pip install "dagnet[plot]"')
    print(f"wrote {', '.join(os.path.join(args.out, w) for w in written)}")
    return {"before": worst, "after": worst_after, "accuracy": accuracy, "history": history}


if __name__ == "__main__":
    main()
    sys.exit(0)
