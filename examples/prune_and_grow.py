"""Topologies that change: two trained networks pruned to a few per cent of their weights, two spirals grown.

Pruning. The 2-500-2 tanh/softmax network of Backprop in Neural Networks (topologies/tanh_softmax_2_500_2.yaml)
on ``moons`` (noise 0.2) and the dense-skip network of examples/skip_sweep.py
(``dagnet.generate`` "dense": eight tanh layers of four, every layer feeding
every later one) on ``spirals`` are trained, then pruned in one shot to 10 %,
5 % and 2 % of their weights by magnitude, Optimal Brain Damage and Fisher
saliency (``dagnet.prune``) and retrained as long again. For each: the
accuracy on a separate test set and the time of one training step (the
median of interleaved runs of ``net.train_step`` at the training batch
size), against the unpruned network trained as long in all, over seeds.

Growing. Cascade-correlation (``dagnet.grow``, Fahlman & Lebiere 1990) on
Lang & Witbrock's two spirals (all 194 points within 0.4 of their target),
over seeds: hidden perceptrons and epochs. Against it, the ``cascade``
topology of the median size trained end to end with Adam.

Writes into OUT_DIR: pruning.csv and cascade.csv (one row per run),
accuracy_vs_kept.png, pruned_2_500_2.png and pruned_dense.png (before and
after), cascade_growth.png and cascade.gif, and the first seed's networks
before and after OBD pruning to 10 % (2_500_2.yaml, 2_500_2_obd_10.yaml,
dense.yaml, dense_obd_10.yaml); prints the tables.

Run:  python examples/prune_and_grow.py OUT_DIR [--quick]
(--quick: one seed, fewer epochs and samples, three cascade seeds; well under a minute.)
Instructions per training step, which other work on the machine does not
disturb: valgrind --tool=callgrind python examples/prune_and_grow.py
--train-steps OUT_DIR/2_500_2.yaml N for two values of N; the difference
over the difference in N.
"""
import argparse
import csv
import os
import platform
import sys
import time

import numpy as np

import dagnet
from dagnet import datasets, generate
from dagnet.optimizers import make_optimizer

HERE = os.path.dirname(os.path.abspath(__file__))
TOPOLOGY = os.path.join(HERE, "..", "topologies", "tanh_softmax_2_500_2.yaml")
METHODS = ("magnitude", "obd", "fisher")
KEPT = (0.10, 0.05, 0.02)
DPI = 80


def settings(quick):
    """The two pruning problems: data, network and training, full or quick."""
    return {
        "2-500-2 on moons": {
            "data": ("moons", {"n_samples": 300 if quick else 600, "noise": 0.2}),
            "network": lambda seed: dagnet.load(TOPOLOGY, seed=seed),
            "fit": {"epochs": 20 if quick else 60, "batch_size": 32, "optimizer": "adam", "lr": 0.05},
            "picture": "pruned_2_500_2.png"},
        "dense skips on spirals": {
            "data": ("spirals", {"n_samples": 300}),
            "network": lambda seed: dagnet.Network.from_graph(
                generate.graph("dense", sizes=[4] * 8), seed=seed),
            "fit": {"epochs": 60 if quick else 300, "batch_size": 16, "optimizer": "adam", "lr": 0.01},
            "picture": "pruned_dense.png"},
    }


def cpu_name():
    """The processor's model name (from /proc/cpuinfo where there is one)."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def step_seconds(nets, X, Y, batch_size, rounds=7, steps=50):
    """Median seconds per training step of each network, timed in interleaved rounds on copies."""
    copies = [net.copy() for net in nets]
    batches = [(X[:batch_size], net.targets(Y)[:batch_size]) for net in copies]
    times = [[] for _ in copies]
    for _ in range(rounds):
        for k, (net, (xb, yb)) in enumerate(zip(copies, batches)):
            opt = make_optimizer("sgd", lr=1e-12)
            started = time.perf_counter()
            for _ in range(steps):
                net.train_step(xb, yb, opt)
            times[k].append((time.perf_counter() - started) / steps)
    return [float(np.median(t)) for t in times]


def prune_runs(name, setting, seeds, out):
    """Train, prune by each method to each fraction, retrain; one row per network and seed."""
    kind, options = setting["data"]
    X, Y = datasets.load(kind, seed=0, **options)
    X_test, Y_test = datasets.load(kind, seed=1, **dict(options, n_samples=1000))
    fit = dict(setting["fit"], verbose=False)
    rows = []
    for seed in seeds:
        net = setting["network"](seed)
        net.fit(X, Y, seed=seed, **fit)
        total = len(net.plan.edge_slot)
        pruned = []
        for method in METHODS:
            for kept in KEPT:
                small = dagnet.prune(net, round(1.0 - kept, 6), method, X, Y)
                small.fit(X, Y, seed=seed, **fit)
                pruned.append((method, kept, small))
        seconds = step_seconds([net] + [s for *_, s in pruned], X, Y, fit["batch_size"])
        baseline = net.copy()             # trained as long in all as the pruned networks
        baseline.fit(X, Y, seed=seed, **fit)
        rows.append({"network": name, "method": "unpruned", "kept": 1.0, "seed": seed, "weights": total,
                     "nodes": net.plan.n_nodes, "accuracy": baseline.score(X_test, Y_test),
                     "step_us": 1e6 * seconds[0], "speedup": 1.0})
        for (method, kept, small), s in zip(pruned, seconds[1:]):
            rows.append({"network": name, "method": method, "kept": kept, "seed": seed,
                         "weights": len(small.plan.edge_slot), "nodes": small.plan.n_nodes,
                         "accuracy": small.score(X_test, Y_test), "step_us": 1e6 * s,
                         "speedup": seconds[0] / s})
        if seed == seeds[0]:
            obd_10 = next(small for method, kept, small in pruned if method == "obd" and kept == 0.10)
            stem = setting["picture"][len("pruned_"):-len(".png")]
            net.save(os.path.join(out, f"{stem}.yaml"))
            obd_10.save(os.path.join(out, f"{stem}_obd_10.yaml"))
            draw(lambda: dagnet.growth_plots.pruned_network(
                net, obd_10, os.path.join(out, setting["picture"]),
                title=f"{name}: OBD to 10 % of the weights, retrained", dpi=DPI))
    return rows


def draw(picture):
    """Draw one picture, or say once that matplotlib is missing."""
    try:
        picture()
        return True
    except ImportError:
        if not getattr(draw, "warned", False):
            print('pictures skipped: pip install "dagnet[plot]"')
            draw.warned = True
        return False


def cascade_runs(seeds, quick):
    """Cascade-correlation on the two spirals, then the ``cascade`` topology trained end to end."""
    X, Y = datasets.load("two_spirals")
    grown = []
    for seed in seeds:
        started = time.perf_counter()
        net, history = dagnet.grow(X, Y, seed=seed)
        worst = float(np.abs(net.predict(X) - Y).max())
        grown.append({"method": "cascade-correlation", "seed": seed, "hidden": history.hidden_units,
                      "epochs": history.epochs, "solved": bool(history.solved and worst < 0.4),
                      "wrong": int(np.sum(np.abs(net.predict(X) - Y) >= 0.4)),
                      "seconds": time.perf_counter() - started, "net": net, "history": history})
    hidden = int(np.median([g["hidden"] for g in grown]))
    epochs = 300 if quick else 3000
    end_to_end = []
    for seed in seeds[:2] if quick else seeds[:5]:
        started = time.perf_counter()
        net = dagnet.Network.from_graph(generate.graph("cascade", n_hidden=hidden), seed=seed)
        net.fit(X, Y, epochs=epochs, optimizer="adam", lr=0.01, seed=seed, verbose=False)
        wrong = int(np.sum(np.abs(net.predict(X) - Y) >= 0.4))
        end_to_end.append({"method": f"cascade topology, {hidden} hidden, adam end to end", "seed": seed,
                           "hidden": hidden, "epochs": epochs, "solved": wrong == 0, "wrong": wrong,
                           "seconds": time.perf_counter() - started})
    return grown, end_to_end


def write_csv(path, rows, keys):
    with open(path, "w", newline="", encoding="utf-8") as f:
        out = csv.DictWriter(f, fieldnames=keys, extrasaction="ignore")
        out.writeheader()
        out.writerows(rows)


def summary(rows):
    """Mean accuracy, weights and speedup per network, method and fraction kept."""
    table = {}
    for r in rows:
        table.setdefault((r["network"], r["method"], r["kept"]), []).append(r)
    out = []
    for (network, method, kept), runs in table.items():
        out.append({"network": network, "method": method, "kept": kept,
                    "weights": float(np.mean([r["weights"] for r in runs])),
                    "accuracy": float(np.mean([r["accuracy"] for r in runs])),
                    "accuracy_min": float(np.min([r["accuracy"] for r in runs])),
                    "step_us": float(np.mean([r["step_us"] for r in runs])),
                    "speedup": float(np.mean([r["speedup"] for r in runs]))})
    return out


def train_steps(path, steps):
    """Run ``steps`` training steps of the network in ``path`` on 32 moons samples (for valgrind)."""
    net = dagnet.load(path)
    X, Y = datasets.load("moons", n_samples=32, noise=0.2, seed=0)
    Y, opt = net.targets(Y), make_optimizer("sgd", lr=1e-12)
    for _ in range(steps):
        net.train_step(X, Y, opt)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", nargs="?", help="folder for the CSV files and pictures")
    parser.add_argument("--quick", action="store_true", help="one seed, fewer epochs (well under a minute)")
    parser.add_argument("--train-steps", nargs=2, metavar=("FILE", "N"),
                        help="only run N training steps of a written network (to count instructions)")
    args = parser.parse_args(argv)
    if args.train_steps:
        return train_steps(args.train_steps[0], int(args.train_steps[1]))
    if args.out is None:
        parser.error("give OUT_DIR, the folder for the results")
    os.makedirs(args.out, exist_ok=True)
    import dagnet.growth_plots   # noqa: F401  (matplotlib itself is imported only when drawing)

    started = time.perf_counter()
    seeds = [0] if args.quick else [0, 1, 2]
    print(f"CPU: {cpu_name()}, {os.cpu_count()} cores; "
          f"seeds {seeds}{' (quick)' if args.quick else ''}")
    rows = []
    for name, setting in settings(args.quick).items():
        rows += prune_runs(name, setting, seeds, args.out)
    write_csv(os.path.join(args.out, "pruning.csv"), rows,
              ["network", "method", "kept", "seed", "weights", "nodes", "accuracy", "step_us", "speedup"])
    table = summary(rows)
    print("\npruned in one shot, then retrained (means over seeds; accuracy on 1000 test points):")
    print(f"{'network':24s} {'method':10s} {'kept':>5s} {'weights':>8s} {'accuracy':>9s} "
          f"{'step µs':>8s} {'faster':>7s}")
    for t in table:
        print(f"{t['network']:24s} {t['method']:10s} {100 * t['kept']:4.0f}% {t['weights']:8.0f} "
              f"{t['accuracy']:9.3f} {t['step_us']:8.0f} {t['speedup']:6.1f}x")
    draw(lambda: dagnet.growth_plots.accuracy_vs_kept(
        rows, os.path.join(args.out, "accuracy_vs_kept.png"),
        title="test accuracy after pruning and retraining (mean ± std over seeds)", dpi=DPI))

    grown, end_to_end = cascade_runs(list(range(3 if args.quick else 10)), args.quick)
    write_csv(os.path.join(args.out, "cascade.csv"), grown + end_to_end,
              ["method", "seed", "hidden", "epochs", "solved", "wrong", "seconds"])
    units, epochs = [g["hidden"] for g in grown], [g["epochs"] for g in grown]
    print(f"\ncascade-correlation on the two spirals: {sum(g['solved'] for g in grown)} of {len(grown)} seeds "
          f"solved (all 194 points within 0.4); hidden perceptrons {min(units)}-{max(units)} "
          f"(mean {np.mean(units):.1f}); epochs {min(epochs)}-{max(epochs)} (mean {np.mean(epochs):.0f}); "
          f"{np.mean([g['seconds'] for g in grown]):.2f} s per run")
    solved = sum(e["solved"] for e in end_to_end)
    print(f"{end_to_end[0]['method']}: {solved} of {len(end_to_end)} seeds solved in "
          f"{end_to_end[0]['epochs']} epochs (samples still wrong: {[e['wrong'] for e in end_to_end]})")
    first = grown[0]
    draw(lambda: dagnet.growth_plots.cascade_growth(first["net"], first["history"], *datasets.load("two_spirals"),
                                                  os.path.join(args.out, "cascade_growth.png"), dpi=DPI))
    draw(lambda: dagnet.growth_plots.animate_cascade(first["net"], first["history"],
                                                   *datasets.load("two_spirals"),
                                                   os.path.join(args.out, "cascade.gif")))
    print(f"\nwrote {args.out}/ (pruning.csv, cascade.csv and the pictures) in "
          f"{time.perf_counter() - started:.0f} s")
    return {"rows": rows, "summary": table, "cascade": grown, "end_to_end": end_to_end}


if __name__ == "__main__":
    main()
    sys.exit(0)
