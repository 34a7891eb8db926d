"""Sparse training on MNIST-1D: dense baselines, accuracy against sparsity, speed, topology updates, lottery tickets.

    pip install ".[bench,mnist1d]" torch==2.13.0     # PyTorch CPU, the peer; never a dependency of dagnet
    python benchmarks/sparse.py                        # everything (long: see docs/sparse.md)
    python benchmarks/sparse.py --only baseline speed updates
    python benchmarks/sparse.py --only accuracy --sparsities 0.9 0.98 --seeds 2 --steps 2000
    python benchmarks/sparse.py --only lottery --lottery-chain --lottery-rounds 7 --rewind-step 200

Every contestant runs on one thread (dagnet's kernel, numpy's BLAS through
threadpoolctl, ``torch.set_num_threads(1)``); contestants of one comparison
run side by side in one process, interleaved round by round, and times are
medians. Results go to ``benchmarks/sparse_results.json`` (merged with what
is there) and are printed as the tables of docs/sparse.md.
"""
import argparse
import json
import os
import platform
import time

import networkx as nx
import numpy as np

import dagnet
from dagnet import datasets, generate, pruning, sparse

HERE = os.path.dirname(os.path.abspath(__file__))
RESULTS = os.path.join(HERE, "sparse_results.json")
WIDE = (1000, 1000)


def threads_one():
    """One thread for every contestant; returns the threadpoolctl limiter to keep alive."""
    from threadpoolctl import threadpool_limits
    limiter = threadpool_limits(1)
    try:
        import torch
        torch.set_num_threads(1)
    except ImportError:
        pass
    return limiter


def data():
    X, Y = datasets.load("mnist1d")
    Xt, Yt = datasets.load("mnist1d", split="test")
    return X, Y.ravel().astype(int), Xt, Yt.ravel().astype(int)


def checkpoint(section, rows):
    """Keep a section's rows so far in the results file (a long section survives being stopped)."""
    results = json.load(open(RESULTS)) if os.path.exists(RESULTS) else {}
    results[section] = {"partial": True, "results": rows}
    with open(RESULTS, "w") as f:
        json.dump(results, f, indent=1, default=float)


def machine():
    model = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if "model name" in line), "?")
    return {"cpu": model, "python": platform.python_version(), "numpy": np.__version__,
            "load_average": os.getloadavg(), "engine": dagnet.native.status() if hasattr(dagnet, "native") else "?"}


# -- the paper's MLP (notebooks/models.py MLPBase): 40 -> 100 relu, h + relu(W2 h), -> 10 ---------------

def mlp_graph(hidden=100):
    """MLPBase as perceptrons: h1 = relu(W1 x), h2 = relu(W2 h1), r = h1 + h2 (fixed unit weights), y = W3 r."""
    G = nx.DiGraph()
    xs = [f"x.{i}" for i in range(40)]
    G.add_nodes_from(xs, group="x")
    layers = {}
    for name, act, bias in (("h1", "relu", True), ("h2", "relu", True), ("r", "linear", None), ("y", "softmax", True)):
        size = 10 if name == "y" else hidden
        layers[name] = [f"{name}.{i}" for i in range(size)]
        G.add_nodes_from(layers[name], activation=act, bias=bias, group=name)
    G.add_edges_from((u, v) for u in xs for v in layers["h1"])
    G.add_edges_from((u, v) for u in layers["h1"] for v in layers["h2"])
    for a, b, r in zip(layers["h1"], layers["h2"], layers["r"]):    # the residual sum, fixed
        G.add_edge(a, r, weight=1.0, trainable=False)
        G.add_edge(b, r, weight=1.0, trainable=False)
    G.add_edges_from((u, v) for u in layers["r"] for v in layers["y"])
    G.graph.update(inputs=xs, outputs=layers["y"], loss="cross_entropy", name="mnist1d-mlp")
    return G


def torch_mlp(seed, hidden=100, dtype=None):
    import torch
    torch.manual_seed(seed)
    lin = [torch.nn.Linear(40, hidden), torch.nn.Linear(hidden, hidden), torch.nn.Linear(hidden, 10)]

    class MLPBase(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.linear1, self.linear2, self.linear3 = lin

        def forward(self, x):
            h = self.linear1(x).relu()
            h = h + self.linear2(h).relu()
            return self.linear3(h)
    model = MLPBase()
    return model.to(dtype) if dtype is not None else model


def dagnet_mlp_from(model, engine="compiled"):
    """The dagnet network of MLPBase with ``model``'s initial weights."""
    net = dagnet.Network.from_graph(mlp_graph(), seed=0, engine=engine)
    pairs = (("x", "h1", model.linear1), ("h1", "h2", model.linear2), ("r", "y", model.linear3))
    for a, b, layer in pairs:
        W, bias = layer.weight.detach().double().numpy(), layer.bias.detach().double().numpy()
        for j in range(W.shape[0]):
            for i in range(W.shape[1]):
                net.set_weight(f"{a}.{i}", f"{b}.{j}", W[j, i])
            net.set_bias(f"{b}.{j}", bias[j])
    return net


def torch_train(model, X, Y, steps, lr, batch=100, dtype=None, mask=None):
    """The paper's loop (notebooks/train.py): batches in order, Adam, cross-entropy; returns seconds."""
    import torch
    dtype = dtype or torch.float32
    x, y = torch.tensor(X, dtype=dtype), torch.tensor(Y, dtype=torch.long)
    opt = torch.optim.Adam(model.parameters(), lr)
    started = time.perf_counter()
    for step in range(steps):
        b = (step * batch) % len(x)
        loss = torch.nn.functional.cross_entropy(model(x[b:b + batch]), y[b:b + batch])
        opt.zero_grad()
        loss.backward()
        opt.step()
    return time.perf_counter() - started


def torch_accuracy(model, X, Y):
    import torch
    dtype = next(model.parameters()).dtype
    with torch.no_grad():
        return float((model(torch.tensor(X, dtype=dtype)).argmax(1).numpy() == Y).mean())


def baseline(args, X, Y, Xt, Yt):
    """The paper's MLP, 6,000 steps of Adam 1e-2 on batches of 100: dagnet against PyTorch, same start."""
    import torch
    rows = []
    for seed in range(args.baseline_seeds):
        for name, engine, dtype in (("dagnet", "compiled", None), ("dagnet float32", "float32", None),
                                    ("PyTorch float32", None, torch.float32),
                                    ("PyTorch float64", None, torch.float64)):
            model = torch_mlp(seed)
            if engine is None:
                model = model.to(dtype)
                seconds = torch_train(model, X, Y, args.baseline_steps, 1e-2, dtype=dtype)
                accuracy = torch_accuracy(model, Xt, Yt)
            else:
                net = dagnet_mlp_from(model, engine)
                epochs = args.baseline_steps * 100 // len(X)
                started = time.perf_counter()
                net.fit(X, Y, epochs=epochs, batch_size=100, optimizer="adam", lr=1e-2, shuffle=False,
                        verbose=False)
                seconds = time.perf_counter() - started
                accuracy = net.score(Xt, Yt)
            rows.append({"contestant": name, "seed": seed, "test_accuracy": accuracy, "seconds": seconds})
            print(f"baseline {name} seed {seed}: test {accuracy:.4f} in {seconds:.1f} s", flush=True)
    return rows


# -- the wide network ------------------------------------------------------------------------------

def wide(density, seed, sizes=WIDE):
    """40-1000-1000-10 relu at ``density`` (ERK), weights drawn for the sparse fan-ins (He uniform)."""
    kwargs = {} if density >= 1 else {"density": density, "distribution": "erk", "sparse_seed": seed}
    with dagnet.limits.raised(max_edges=2_000_000):
        return generate.generate("mlp", sizes=list(sizes), inputs=40, outputs=10, activations="relu",
                                 seed=seed, init="he_uniform", **kwargs)


METHODS = {"static": None, "SET": {"method": "set", "candidates": "layers"},
           "RigL": {"method": "rigl", "candidates": "layers"}, "RigL skips": {"method": "rigl", "candidates": "any"}}


def accuracy_vs_sparsity(args, X, Y, Xt, Yt):
    rows = []
    epochs = args.steps * 100 // len(X)
    for sparsity in args.sparsities:
        seeds = args.seeds if sparsity >= 0.9 else args.low_sparsity_seeds
        for seed in range(seeds):
            for method, spec in METHODS.items():
                net = wide(1 - sparsity, seed)
                callback = sparse.dynamic(spec)
                started = time.perf_counter()
                history = net.fit(X, Y, epochs=epochs, batch_size=100, optimizer="adam", lr=args.lr,
                                  shuffle=True, seed=seed, verbose=False, callback=callback)
                row = {"method": method, "sparsity": sparsity, "seed": seed, "weights": len(net.plan.edges),
                       "test_accuracy": net.score(Xt, Yt), "train_accuracy": history.accuracy[-1],
                       "seconds": time.perf_counter() - started,
                       "epoch_seconds": float(np.median(history.seconds))}
                if callback is not None:
                    row["dst"] = sparse.report.summary(callback, row["epoch_seconds"])
                rows.append(row)
                checkpoint("accuracy", rows)
                print(f"accuracy {method} sparsity {sparsity} seed {seed}: test {row['test_accuracy']:.4f} "
                      f"({row['weights']:,} weights, {row['seconds']:.0f} s)", flush=True)
    return rows


def dense_references(args, X, Y, Xt, Yt):
    """The wide network dense (PyTorch float32, the same loop) and narrow dagnet networks of equal weights."""
    import torch
    rows = []
    epochs = args.steps * 100 // len(X)
    for seed in range(args.seeds):
        torch.manual_seed(seed)
        model = torch.nn.Sequential(torch.nn.Linear(40, 1000), torch.nn.ReLU(), torch.nn.Linear(1000, 1000),
                                    torch.nn.ReLU(), torch.nn.Linear(1000, 10))
        seconds = torch_train(model, X, Y, args.steps, args.lr)
        rows.append({"method": "dense wide (PyTorch)", "sparsity": 0.0, "seed": seed, "weights": 1_050_000,
                     "test_accuracy": torch_accuracy(model, Xt, Yt), "seconds": seconds})
        print(f"dense wide seed {seed}: test {rows[-1]['test_accuracy']:.4f}", flush=True)
        for sparsity in args.sparsities:
            weights = (1 - sparsity) * 1_050_000       # 40h + h^2 + 10h
            h = int(round((-50 + np.sqrt(2500 + 4 * weights)) / 2))
            net = wide(1.0, seed, sizes=(h, h))
            net.fit(X, Y, epochs=epochs, batch_size=100, optimizer="adam", lr=args.lr, seed=seed, verbose=False)
            rows.append({"method": f"dense narrow 40-{h}-{h}-10", "sparsity": sparsity, "seed": seed,
                         "weights": len(net.plan.edges), "test_accuracy": net.score(Xt, Yt)})
            checkpoint("references", rows)
            print(f"narrow {h} seed {seed}: test {rows[-1]['test_accuracy']:.4f}", flush=True)
    return rows


def speed(args, X, Y):
    """Epoch times of the wide network at the sparsest setting: dagnet against dense and masked PyTorch."""
    import torch
    from torch.nn.utils import prune as torch_prune
    sparsity = max(args.sparsities)
    net = wide(1 - sparsity, 0)
    net32 = net.copy()
    net32.engine = "float32"
    masks = []            # dagnet's own sparse pattern, as torch.nn.utils.prune masks
    widths = [40, *WIDE, 10]
    offsets = np.cumsum([0, *widths])
    for k in range(3):
        m = np.zeros((widths[k + 1], widths[k]), dtype=np.float32)
        e = net.plan.edges
        here = (e[:, 1] >= offsets[k + 1]) & (e[:, 1] < offsets[k + 2])
        m[e[here, 1] - offsets[k + 1], e[here, 0] - offsets[k]] = 1
        masks.append(torch.tensor(m))

    def model(dtype=torch.float32, masked=False):
        torch.manual_seed(0)
        layers = [torch.nn.Linear(a, b) for a, b in zip(widths, widths[1:])]
        if masked:
            for layer, m in zip(layers, masks):
                torch_prune.custom_from_mask(layer, "weight", m)
        return torch.nn.Sequential(layers[0], torch.nn.ReLU(), layers[1], torch.nn.ReLU(), layers[2]).to(dtype)

    contestants = {"dagnet (float64)": lambda: net.fit(X, Y, epochs=1, batch_size=100, optimizer="adam",
                                                       lr=args.lr, shuffle=False, verbose=False),
                   "dagnet float32 engine": lambda: net32.fit(X, Y, epochs=1, batch_size=100, optimizer="adam",
                                                              lr=args.lr, shuffle=False, verbose=False)}
    for name, dtype, masked in (("PyTorch dense float32", torch.float32, False),
                                ("PyTorch prune (masked) float32", torch.float32, True),
                                ("PyTorch dense float64", torch.float64, False)):
        m = model(dtype, masked)
        contestants[name] = lambda m=m, dtype=dtype: torch_train(m, X, Y, len(X) // 100, args.lr, dtype=dtype)
    times = {name: [] for name in contestants}
    for _ in range(args.rounds):
        for name, run in contestants.items():
            started = time.perf_counter()
            run()
            times[name].append(time.perf_counter() - started)
    edges, params = len(net.plan.edges), net.plan.n_params
    rows = [{"contestant": name, "sparsity": sparsity, "epoch_seconds": float(np.median(t))}
            for name, t in times.items()]
    memory = {"dagnet bytes (parameters, Adam moments, edge lists)": params * 8 * 3 + edges * 8 * 9,
              "dense float32 bytes (weights, gradient, Adam moments)": 1_050_000 * 4 * 4, "edges": edges}
    for r in rows:
        print(f"speed {r['contestant']}: {r['epoch_seconds'] * 1000:.0f} ms an epoch", flush=True)
    return {"rows": rows, "memory": memory}


def updates(args, X, Y):
    """A topology update's cost against an epoch's, at each sparsity: RigL (layers, any) and SET, in CPU time.

    The epoch: the median CPU time of the engine's ``train_epoch`` (every update of an epoch, no fit around it)
    on the static network; the update: the median of the callback's ``cpu_seconds``.
    """
    rows = []
    for sparsity in args.sparsities:
        static = wide(1 - sparsity, 0)
        fit = {"batch_size": 100, "optimizer": "adam", "lr": args.lr, "verbose": False}
        adam, spent = dagnet.optimizers.make_optimizer("adam", lr=args.lr), []
        for _ in range(6):                     # the first warms up
            started = time.process_time()
            static.runner.train_epoch(static.params, X, static.targets(Y), 100, adam)
            spent.append(time.process_time() - started)
        epoch = float(np.median(spent[1:]))
        for name, spec in (("RigL layers", {"method": "rigl", "candidates": "layers", "every": 40}),
                           ("RigL any", {"method": "rigl", "candidates": "any", "every": 40}),
                           ("SET layers", {"method": "set", "candidates": "layers", "every": 40,
                                           "decay": "cosine", "end": 0.75})):
            net = wide(1 - sparsity, 0)
            callback = sparse.dynamic(spec)
            net.fit(X, Y, epochs=6, callback=callback, **fit)
            summary = sparse.report.summary(callback, epoch)
            update = float(np.median([r["cpu_seconds"] for r in callback.log]))
            candidates = sum(callback.space.size(b) for b in range(len(callback.space.blocks)))
            rows.append({"method": name, "sparsity": sparsity, "weights": len(net.plan.edges),
                         "candidates": candidates, "epoch_seconds": epoch, "update_seconds": update,
                         "update_wall_seconds": summary["update_seconds"], "share_of_epoch": update / epoch,
                         "swapped_per_update": summary["grown"] / max(summary["updates"], 1)})
            print(f"update {name} at {sparsity}: {update * 1000:.1f} ms CPU, "
                  f"{update / epoch:.0%} of an epoch ({epoch * 1000:.0f} ms CPU)", flush=True)
    return rows


def _trainable_weights(net):
    return int(sum(1 for slot in net.plan.edge_slot.values() if net.plan.mask[slot]))


def _layer_weights(net):
    """Trainable weights by the layer they feed (h1, h2, y)."""
    counts = {}
    for (_, v), slot in net.plan.edge_slot.items():
        if net.plan.mask[slot]:
            group = net.graph.nodes[v].get("group")
            counts[group] = counts.get(group, 0) + 1
    return counts


def lottery_schedule(rounds, chain):
    """The fractions of the weights kept after each pruning round.

    Without ``chain``: one run of ``rounds`` to each of 20 % and 10 % (``prune(..., rounds=)``), so two
    entries. With ``chain``: one run of rounds, each removing the same fraction of the weights left, 20 %
    after round ``rounds`` and on at the same rate to 10 % (the last round lands on it exactly);
    ``rounds=7`` gives 79.5 %, 63.2 %, ..., 20 % (round 7), 15.9 %, 12.6 %, 10 % (round 10);
    ``rounds=1`` gives 20 %, 10 %.
    """
    if not chain:
        return [0.2, 0.1]
    more = max(1, int(round(rounds * np.log(0.5) / np.log(0.2))))     # rounds from 20 % to 10 % at ~the same rate
    return [0.2 ** (r / rounds) for r in range(1, rounds + 1)] + [0.2 * 0.5 ** (r / more) for r in range(1, more + 1)]


def lottery(args, X, Y, Xt, Yt):
    """Lottery tickets on the paper's MLP: train, prune to 20 % and 10 %, rewind, retrain; the control keeps
    the ticket's mask and re-draws the weights.

    Rewinding goes to the initial values (``--rewind-step 0``) or to the iterate after ``--rewind-step K``
    updates of the dense run (late rewinding, Frankle et al. 2020), and each retraining then runs the
    remaining ``steps - K`` updates with a fresh Adam. ``--lottery-rounds`` rounds reach each target from the
    dense network; with ``--lottery-chain`` one chain of rounds goes through 20 % to 10 %, each round
    pruning the previous ticket (iterative magnitude pruning), and every round's ticket is scored.
    """
    steps_per_epoch = len(X) // 100
    step = args.rewind_step
    if step % steps_per_epoch or not 0 <= step < args.baseline_steps:
        raise SystemExit(f"--rewind-step must be a multiple of {steps_per_epoch} (an epoch) below "
                         f"{args.baseline_steps}, got {step}")
    rows = []
    fit_args = {"epochs": args.baseline_steps // steps_per_epoch, "batch_size": 100, "optimizer": "adam",
                "lr": 1e-2, "shuffle": False, "verbose": False}
    retrain = dict(fit_args, epochs=(args.baseline_steps - step) // steps_per_epoch)
    schedule = lottery_schedule(args.lottery_rounds, args.lottery_chain)
    for seed in range(args.baseline_seeds):
        net = dagnet_mlp_from(torch_mlp(seed))
        start = net.copy()
        snapshot = pruning.Snapshot(step) if step else None
        net.fit(X, Y, callback=snapshot, **fit_args)
        target = snapshot.net if step else start
        dense = net.score(Xt, Yt)
        total = _trainable_weights(net)
        rows.append({"kept": 1.0, "seed": seed, "ticket": dense, "reinitialised": dense})
        ticket = net
        for r, kept in enumerate(schedule, 1):
            if args.lottery_chain:
                ticket = pruning.prune(ticket, amount=_trainable_weights(ticket) - int(round(kept * total)),
                                       rewind_to=target, X=X, Y=Y, retrain=retrain, scope=args.lottery_scope)
            else:
                ticket = pruning.prune(net, amount=1 - kept, rewind_to=target, X=X, Y=Y, retrain=retrain,
                                       rounds=args.lottery_rounds, scope=args.lottery_scope)
            row = {"kept": kept, "round": r if args.lottery_chain else args.lottery_rounds, "seed": seed,
                   "ticket": ticket.score(Xt, Yt), "weights": int(ticket.n_params),
                   "trainable_weights": _trainable_weights(ticket), "layers": _layer_weights(ticket)}
            if any(abs(kept - goal) < 1e-9 for goal in (0.2, 0.1)):
                control = ticket.copy()                       # the ticket's own mask, weights drawn anew
                control.initialize("he_uniform", seed=seed)
                control.fit(X, Y, **fit_args)
                row["reinitialised"] = control.score(Xt, Yt)
            rows.append(row)
            checkpoint("lottery", rows)
            print(f"lottery seed {seed} round {row['round']} kept {kept:.3f} ({row['trainable_weights']} "
                  f"weights): ticket {row['ticket']:.4f}, reinitialised {row.get('reinitialised', float('nan')):.4f}, "
                  f"dense {dense:.4f}", flush=True)
    return rows


SECTIONS = ("baseline", "speed", "updates", "accuracy", "references", "lottery")


def _mean(values):
    return f"{np.mean(values) * 100:.1f}" + (f" ± {np.std(values) * 100:.1f}" if len(values) > 1 else "")


def tables(results):
    """The markdown tables of docs/sparse.md from the results file."""
    out = []
    if "baseline" in results:
        rows = results["baseline"]["results"]
        out += ["| contestant | test accuracy (per seed) | seconds (per seed) |", "|---|---|---|"]
        for name in dict.fromkeys(r["contestant"] for r in rows):
            mine = [r for r in rows if r["contestant"] == name]
            accuracy = ", ".join("%.1f %%" % (r["test_accuracy"] * 100) for r in mine)
            seconds = ", ".join("%.1f" % r["seconds"] for r in mine)
            out.append(f"| {name} | {accuracy} | {seconds} |")
        out.append("")
    if "speed" in results:
        rows = results["speed"]["results"]["rows"]
        base = next(r["epoch_seconds"] for r in rows if r["contestant"].startswith("dagnet (float64)"))
        out += ["| contestant | an epoch (40 batches of 100) | dagnet float64 is … × faster |", "|---|---:|---:|"]
        out += [f"| {r['contestant']} | {r['epoch_seconds'] * 1000:.0f} ms | {r['epoch_seconds'] / base:.1f} |"
                for r in rows]
        out += ["", f"memory: {results['speed']['results']['memory']}", ""]
    if "updates" in results:
        out += ["| method | sparsity | weights | candidates | swapped an update | an update | an epoch | share |",
                "|---|---:|---:|---:|---:|---:|---:|---:|"]
        out += [f"| {r['method']} | {r['sparsity']:.0%} | {r['weights']:,} | {r['candidates']:,} | "
                f"{r['swapped_per_update']:,.0f} | {r['update_seconds'] * 1000:.1f} ms | "
                f"{r['epoch_seconds'] * 1000:.0f} ms | {r['share_of_epoch']:.0%} |" for r in results["updates"]["results"]]
        out.append("")
    if "accuracy" in results:
        rows = [dict(r, method="RigL skips" if r.get("candidates", r.get("dst", {}).get("candidates")) == "any"
                     else r["method"]) for r in results["accuracy"]["results"]]
        rows += results.get("references", {}).get("results", [])
        sparsities = sorted({r["sparsity"] for r in rows if r["sparsity"] > 0})
        out += ["| method | " + " | ".join(f"{s:.0%}" for s in sparsities) + " |",
                "|---|" + "---:|" * len(sparsities)]
        for method in dict.fromkeys(r["method"].split(" 40-")[0] for r in rows if r["sparsity"] > 0):
            cells = []
            for s in sparsities:
                acc = [r["test_accuracy"] for r in rows if r["method"].split(" 40-")[0] == method
                       and r["sparsity"] == s]
                cells.append(_mean(acc) if acc else "")
            out.append(f"| {method} | " + " | ".join(cells) + " |")
        dense = [r["test_accuracy"] for r in rows if r["sparsity"] == 0]
        if dense:
            out.append(f"| dense wide (PyTorch, 0 %) | {_mean(dense)} |" + " |" * (len(sparsities) - 1))
        out.append("")
    lottery_keys = [k for k in results if k.startswith("lottery") and "settings" in results[k]]
    if len(lottery_keys) > 1:
        out += ["| run | pruning | rewound to | 20 %: ticket | re-drawn | ticket − dense | "
                "10 %: ticket | re-drawn | ticket − dense | seeds |", "|---|---|---|" + "---|" * 6 + "---:|"]
        for key in lottery_keys:
            rows, settings = results[key]["results"], results[key]["settings"]
            dense = {r["seed"]: r["ticket"] for r in rows if r["kept"] == 1.0}
            cells = []
            for kept in (0.2, 0.1):
                mine = [r for r in rows if abs(r["kept"] - kept) < 1e-9]
                cells += [_mean([r["ticket"] for r in mine]), _mean([r["reinitialised"] for r in mine]),
                          _mean([r["ticket"] - dense[r["seed"]] for r in mine])]
            rounds = settings.get("lottery_rounds", 1)
            pruning_ = (f"chain of {len(lottery_schedule(rounds, True))} rounds" if settings.get("lottery_chain")
                        else "one shot" if rounds == 1 else f"{rounds} rounds to each")
            scope = settings.get("lottery_scope", "global")
            step = settings.get("rewind_step", 0)
            out.append(f"| {key} | {pruning_}{', ' + scope if scope != 'global' else ''} | "
                       f"{'step %d' % step if step else 'start'} | " + " | ".join(cells) + f" | {len(dense)} |")
        out.append("")
    for key in lottery_keys:
        settings = results[key]["settings"]
        rounds, step = settings.get("lottery_rounds", 1), settings.get("rewind_step", 0)
        how = ("one shot" if rounds == 1 else f"{rounds} rounds to each") if not settings.get("lottery_chain") \
            else f"one chain of rounds, 20 % after round {rounds}"
        out += [f"{how}, rewound to {'step %d' % step if step else 'the start'}, "
                f"{settings.get('lottery_scope', 'global')} ({key}):", "",
                "| weights kept | round | winning ticket (rewound) | same mask, re-drawn weights | seeds |",
                "|---:|---:|---|---|---:|"]
        rows = results[key]["results"]
        for kept in sorted({r["kept"] for r in rows}, reverse=True):
            mine = [r for r in rows if r["kept"] == kept]
            controls = [r["reinitialised"] for r in mine if "reinitialised" in r]
            out.append(f"| {kept:.1%} | {mine[0].get('round', rounds) if kept < 1 else 0} | "
                       f"{_mean([r['ticket'] for r in mine])} | {_mean(controls) if controls else ''} | "
                       f"{len(mine)} |")
        out.append("")
    return "\n".join(out)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--only", nargs="+", choices=SECTIONS, default=list(SECTIONS))
    p.add_argument("--sparsities", nargs="+", type=float, default=[0.5, 0.8, 0.9, 0.95, 0.98])
    p.add_argument("--seeds", type=int, default=3, help="seeds at sparsities >= 90 %% (default 3)")
    p.add_argument("--low-sparsity-seeds", type=int, default=3, help="seeds below 90 %% (default 3)")
    p.add_argument("--steps", type=int, default=6000, help="updates of the wide networks (default 6000)")
    p.add_argument("--lr", type=float, default=1e-2, help="Adam's rate for the wide networks (the paper's 1e-2)")
    p.add_argument("--baseline-seeds", type=int, default=2)
    p.add_argument("--baseline-steps", type=int, default=6000)
    p.add_argument("--rounds", type=int, default=5, help="interleaved rounds of the speed section")
    p.add_argument("--lottery-rounds", type=int, default=1,
                   help="pruning rounds to a ticket, each rewound and retrained (default 1: one shot); with "
                        "--lottery-chain, the rounds to 20 %% (7: about 20 %% of the weights left go each round)")
    p.add_argument("--lottery-chain", action="store_true",
                   help="one chain of rounds through 20 %% to 10 %%, each pruning the last ticket, all scored")
    p.add_argument("--rewind-step", type=int, default=0,
                   help="rewind to the dense run's weights after this many updates (default 0: the initial "
                        "ones; a multiple of 40, an epoch); retraining then runs the remaining updates")
    p.add_argument("--lottery-scope", choices=pruning.SCOPES, default="global",
                   help="rank all weights together, or prune each perceptron's in-weights alike (default global)")
    p.add_argument("--tables", action="store_true", help="print the tables of the results file and stop")
    p.add_argument("--results", help="the results file (default benchmarks/sparse_results.json)")
    args = p.parse_args(argv)
    global RESULTS
    RESULTS = args.results or RESULTS
    if args.tables:
        print(tables(json.load(open(RESULTS))))
        return
    limiter = threads_one()
    X, Y, Xt, Yt = data()
    results = json.load(open(RESULTS)) if os.path.exists(RESULTS) else {}
    results["machine"] = machine()
    started = time.perf_counter()
    for section in args.only:
        results.update({k: v for k, v in (json.load(open(RESULTS)) if os.path.exists(RESULTS) else {}).items()
                        if k not in results})
        run = {"baseline": lambda: baseline(args, X, Y, Xt, Yt), "speed": lambda: speed(args, X, Y),
               "updates": lambda: updates(args, X, Y),
               "accuracy": lambda: accuracy_vs_sparsity(args, X, Y, Xt, Yt),
               "references": lambda: dense_references(args, X, Y, Xt, Yt),
               "lottery": lambda: lottery(args, X, Y, Xt, Yt)}[section]
        results[section] = {"settings": vars(args), "results": run()}
        with open(RESULTS, "w") as f:
            json.dump(results, f, indent=1, default=float)
    results["machine"]["load_average_end"] = os.getloadavg()
    results["machine"]["seconds"] = time.perf_counter() - started
    with open(RESULTS, "w") as f:
        json.dump(results, f, indent=1, default=float)
    del limiter


if __name__ == "__main__":
    main()
