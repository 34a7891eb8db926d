"""Skip connections in a deep narrow network, measured by a sweep over seeds and learning rates.

Three topologies from ``dagnet.generate`` with the same eight tanh layers of
four perceptrons: a plain chain (``mlp``), the chain with ResNet-style
one-to-one skips around every two layers (``residual``), and the chain with
every layer feeding every later one (``dense``). Each is trained on the two
interleaved ``spirals`` with Adam at three learning rates from five seeds
(``--quick``: three seeds, one learning rate, fewer epochs) by
``dagnet.sweep.run``, which writes results.csv (one row per run),
summary.csv and summary.md (mean, std and min over seeds), loss_curves.png
and accuracy.png into the folder given, and this script prints the table.

The skips change more than the paths: the dense network also has about
3.7 times the parameters of the plain one (see the params column), so its
lead is not due to shorter paths alone; the residual network adds 12 weights.

Run:  python examples/skip_sweep.py OUT_DIR [--quick]
(An OUT_DIR that already holds these runs is reused: finished runs are skipped.)
"""
import argparse
import os
import sys
import time

from dagnet import sweep

DEPTH, WIDTH = 8, 4


def experiment(quick):
    """The sweep: three topologies of the same depth, on spirals, several seeds."""
    sizes = [WIDTH] * DEPTH
    return {
        "name": "skip-sweep" + ("-quick" if quick else ""),
        "topologies": {"plain": {"generate": "mlp", "sizes": sizes},
                       "residual": {"generate": "residual", "sizes": sizes, "every": 2},
                       "dense": {"generate": "dense", "sizes": sizes}},
        "datasets": {"spirals": {"n_samples": 150 if quick else 300}},
        "grid": {"optimizer": "adam", "lr": [0.01] if quick else [0.003, 0.01, 0.03],
                 "batch_size": 16, "epochs": 60 if quick else 300},
        "seeds": 3 if quick else 5,
        "threshold": 0.9,
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", help="folder for results.csv, summary.md, loss_curves.png, ...")
    parser.add_argument("--quick", action="store_true", help="three seeds, one learning rate, 60 epochs")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    result = sweep.run(experiment(args.quick), args.out, log=None)
    with open(os.path.join(args.out, sweep.SUMMARY_MD), encoding="utf-8") as f:
        print(f.read())
    best = {}
    for s in result.summary:
        if s["final_accuracy_mean"] > best.get(s["topology"], -1.0):
            best[s["topology"]] = s["final_accuracy_mean"]
    print("best mean accuracy over the learning rates: "
          + ", ".join(f"{t} {a:.3f}" for t, a in best.items()))
    print(f"{result.ran} runs trained, {result.skipped} reused, {time.perf_counter() - started:.1f} s")
    print("wrote " + ", ".join(result.files))
    return result


if __name__ == "__main__":
    main()
    sys.exit(0)
