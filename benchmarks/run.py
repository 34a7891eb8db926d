"""Run every workload against every installed peer, side by side, and print medians and ratios.

    python benchmarks/run.py                 # all workloads, writes benchmarks/results.json
    python benchmarks/run.py --quick         # fewer repeats, W5 up to 100k edges
    python benchmarks/run.py --only W1 W3

One training step is forward + loss + backward + one SGD update, float64, on the
same starting weights for every contestant. Each contestant runs in turn inside
every round (interleaved), so a slow spell of the shared machine hits all of
them; the figures are medians over the rounds. Peers that are not installed are
skipped with a note.
"""
import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import peers  # noqa: E402
import workloads  # noqa: E402

import dagnet  # noqa: E402
from dagnet.optimizers import SGD  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
TORCH_DENSE = "PyTorch, masked dense block per generation"
TORCH_GATHER = "PyTorch, gather + index_add per generation"


def race(contestants, rounds, per_call=1):
    """Median seconds per call of each ``{name: fn}``, run interleaved ``rounds`` times."""
    for fn in contestants.values():   # warm up: first-call costs are not steady state
        fn()
    times = {name: [] for name in contestants}
    for _ in range(rounds):
        for name, fn in contestants.items():
            t = time.perf_counter()
            fn()
            times[name].append((time.perf_counter() - t) / per_call)
    return {name: float(np.median(ts)) for name, ts in times.items()}


def dagnet_step(net, X, Y, lr):
    Y = net.targets(Y)
    opt = SGD(lr=lr)
    return lambda: net.train_step(X, Y, opt)


def torch_threads():
    import torch
    torch.set_num_threads(os.cpu_count() or 1)
    return torch.get_num_threads()


def w1(rounds, notes):
    G, X, Y = workloads.w1()
    nets = {e: workloads.network(G, e) for e in ("compiled", "reference")}
    c = {"dagnet": dagnet_step(nets["compiled"], X, Y, 0.01),
         "dagnet reference engine": dagnet_step(nets["reference"], X, Y, 0.01),
         "numpy by hand": peers.numpy_w1(nets["compiled"], X, Y)[0]}
    if peers.torch_available():
        c["PyTorch nn.Sequential"] = peers.torch_w1(nets["compiled"], X, Y)
    else:
        notes.append("W1: PyTorch not installed (pip install torch==2.13.0): skipped")
    try:
        c["scikit-learn MLPClassifier.partial_fit"] = peers.sklearn_w1(X, Y)
    except ImportError:
        notes.append("W1: scikit-learn not installed: skipped")
    return race(c, rounds)


def w2(rounds, notes):
    G, X, Y = workloads.w2()
    net = workloads.network(G)
    ref = workloads.network(G, "reference")

    def epoch(n):
        return lambda: n.fit(X, Y, epochs=1, lr=0.5, batch_size=1, shuffle=False, verbose=False)
    c = {"dagnet": epoch(net), "dagnet reference engine": epoch(ref),
         "numpy by hand": peers.numpy_w2(net, X, Y)[0]}
    if peers.torch_available():
        c["PyTorch nn.Sequential"] = peers.torch_w2(net, X, Y)
    else:
        notes.append("W2: PyTorch not installed: skipped")
    return race(c, rounds, per_call=len(X))


def dag_workload(build, rounds, notes, label, reference_rounds=None):
    G, X, Y = build()
    net = workloads.network(G)
    c = {"dagnet": dagnet_step(net, X, Y, 0.01)}
    if peers.torch_available():
        c[TORCH_DENSE] = peers.torch_dag(net, X, Y)
        c[TORCH_GATHER] = peers.torch_dag_gather(net, X, Y)
    else:
        notes.append(f"{label}: PyTorch not installed: skipped")
    result = race(c, rounds)
    ref = workloads.network(G, "reference")
    result["dagnet reference engine"] = race({"r": dagnet_step(ref, X, Y, 0.01)},
                                             reference_rounds or max(3, rounds // 3))["r"]
    return result


def w5_one(edges, rounds):
    """Run in a child process: per-step time and peak memory of W3's construction at `edges`."""
    code = (
        "import sys, time, resource, tracemalloc, numpy as np; sys.path.insert(0, %r)\n"
        "import workloads; from dagnet.optimizers import SGD\n"
        "G, X, Y = workloads.random_sparse(%d)\n"
        "net = workloads.network(G); del G\n"
        "opt = SGD(lr=0.01); net.train_step(X, Y, opt)\n"
        "tracemalloc.start(); ts = []\n"
        "for _ in range(%d):\n"
        "    t = time.perf_counter(); net.train_step(X, Y, opt); ts.append(time.perf_counter() - t)\n"
        "peak = tracemalloc.get_traced_memory()[1]; tracemalloc.stop()\n"
        "print(np.median(ts), peak, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,"
        " net.plan.n_nodes)\n"
    ) % (HERE, edges // 10, rounds)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    seconds, traced, rss, nodes = out.stdout.split()
    return {"edges": edges, "nodes": int(nodes), "seconds_per_step": float(seconds),
            "peak_step_bytes": int(traced), "peak_process_bytes": int(rss)}


def w6(rounds):
    G, _, _ = workloads.random_sparse(10_000)
    net = workloads.network(G)
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "big.yaml")
        net.save(path)
        size = os.path.getsize(path)
        t = race({"save": lambda: net.save(path), "load": lambda: dagnet.load(path)}, rounds)
    edges = G.number_of_edges()
    return {"edges": edges, "file_bytes": size, **t}


def fmt_time(seconds):
    return f"{seconds * 1e3:.3g} ms" if seconds >= 1e-3 else f"{seconds * 1e6:.3g} µs"


def table(results):
    lines = ["| workload | contestant | median per step | dagnet is … × faster |", "|---|---|---:|---:|"]
    for wid in ("W1", "W2", "W3", "W4"):
        if wid not in results:
            continue
        r = results[wid]
        base = r["dagnet"]
        for name, t in r.items():
            ratio = "" if name == "dagnet" else f"{t / base:.2f}"
            lines.append(f"| {wid} | {name} | {fmt_time(t)} | {ratio} |")
    if "W5" in results:
        lines += ["", "| W5 edges | nodes | per step | × time for × edges | peak RAM in steps | peak process RSS |",
                  "|---:|---:|---:|---:|---:|---:|"]
        prev = None
        for row in results["W5"]:
            growth = "" if prev is None else (f"{row['seconds_per_step'] / prev['seconds_per_step']:.1f} × "
                                              f"for {row['edges'] / prev['edges']:.0f} ×")
            lines.append(f"| {row['edges']:,} | {row['nodes']:,} | {fmt_time(row['seconds_per_step'])} | "
                         f"{growth} | {row['peak_step_bytes'] / 2**20:.0f} MiB | "
                         f"{row['peak_process_bytes'] / 2**20:.0f} MiB |")
            prev = row
    if "W6" in results:
        r = results["W6"]
        lines += ["", f"W6: a {r['edges']:,}-edge topology file ({r['file_bytes'] / 2**20:.1f} MiB): "
                      f"load {r['load']:.2f} s, save {r['save']:.2f} s"]
    return "\n".join(lines)


def targets(results):
    """Each issue target as (text, met?)."""
    out = []

    def ratio(wid, peer):
        r = results.get(wid, {})
        if peer == "best PyTorch rendering":   # the faster of the two
            times = [r[p] for p in (TORCH_DENSE, TORCH_GATHER) if p in r]
            return min(times) / r["dagnet"] if times else None
        return r[peer] / r["dagnet"] if peer in r else None
    torch1, torch2 = "PyTorch nn.Sequential", "best PyTorch rendering"
    checks = [
        ("W1: dagnet ≤ 1.0 × PyTorch", ratio("W1", torch1), lambda x: x >= 1.0),
        ("W1: dagnet ≤ 1.3 × numpy by hand", ratio("W1", "numpy by hand"), lambda x: x >= 1 / 1.3),
        ("W2: dagnet ≤ 1.5 × numpy by hand", ratio("W2", "numpy by hand"), lambda x: x >= 1 / 1.5),
        ("W2: dagnet ≥ 4 × faster than PyTorch", ratio("W2", torch1), lambda x: x >= 4),
        ("W3: dagnet ≥ 20 × faster than the reference engine", ratio("W3", "dagnet reference engine"),
         lambda x: x >= 20),
        ("W3: dagnet ≥ 10 × faster than the best PyTorch rendering", ratio("W3", torch2), lambda x: x >= 10),
        ("W4: dagnet ≥ 3 × faster than the reference engine", ratio("W4", "dagnet reference engine"),
         lambda x: x >= 3),
    ]
    for text, value, ok in checks:
        if value is not None:
            out.append((f"{text}: {value:.2f} × faster", ok(value)))
    rows = results.get("W5", [])
    for a, b in zip(rows, rows[1:]):
        growth = b["seconds_per_step"] / a["seconds_per_step"]
        out.append((f"W5: {b['edges'] / a['edges']:.0f} × edges → {growth:.1f} × time (≤ 12 ×)", growth <= 12))
    if rows and rows[-1]["edges"] >= 1_000_000:
        peak = rows[-1]["peak_process_bytes"] / 2**30
        out.append((f"W5: 1M edges, peak process memory {peak:.2f} GiB (< 2 GB)", peak * 2**30 < 2e9))
    if "W6" in results:
        for k in ("load", "save"):
            out.append((f"W6: {k} {results['W6'][k]:.2f} s (< 2 s)", results["W6"][k] < 2))
    return out


def machine():
    info = {"python": platform.python_version(), "numpy": np.__version__, "cores": os.cpu_count(),
            "platform": platform.platform(), "dagnet": dagnet.__version__}
    try:
        config = np.show_config(mode="dicts")
        info["blas"] = config["Build Dependencies"]["blas"]["name"]
    except Exception:   # older numpy: no dict mode
        info["blas"] = "unknown"
    import scipy
    info["scipy"] = scipy.__version__
    if peers.torch_available():
        import torch
        info["torch"] = torch.__version__
        info["torch_threads"] = torch_threads()
    return info


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="fewer repeats; W5 up to 100k edges")
    parser.add_argument("--only", nargs="+", metavar="W", help="run only these workloads (W1 ... W6)")
    parser.add_argument("--out", default=os.path.join(HERE, "results.json"), help="JSON file to write")
    args = parser.parse_args(argv)
    wanted = set(args.only or ["W1", "W2", "W3", "W4", "W5", "W6"])
    rounds = 7 if args.quick else 21
    results, notes = {}, []
    info = machine()
    started = time.perf_counter()
    print(f"machine: {info}", flush=True)
    steps = [
        ("W1", lambda: w1(rounds, notes)),
        ("W2", lambda: w2(max(5, rounds // 2), notes)),
        ("W3", lambda: dag_workload(workloads.w3, max(5, rounds // 2), notes, "W3")),
        ("W4", lambda: dag_workload(workloads.w4, rounds, notes, "W4")),
        ("W5", lambda: [w5_one(e, 5) for e in ((10_000, 100_000) if args.quick
                                                else (10_000, 100_000, 1_000_000))]),
        ("W6", lambda: w6(3)),
    ]
    for wid, run in steps:
        if wid in wanted:
            t = time.perf_counter()
            results[wid] = run()
            print(f"{wid} done in {time.perf_counter() - t:.0f} s", flush=True)
    report = table(results)
    checks = targets(results)
    print()
    print(report)
    print()
    for text, ok in checks:
        print(f"[{'met' if ok else 'MISSED'}] {text}")
    for note in notes:
        print(f"note: {note}")
    seconds = time.perf_counter() - started
    print(f"\n{len(checks)} targets, {sum(ok for _, ok in checks)} met; {seconds:.0f} s in all")
    payload = {"machine": info, "results": results, "targets": [{"target": t, "met": ok} for t, ok in checks],
               "notes": notes, "seconds": seconds, "table": report}
    tmp = args.out + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(payload, f, indent=2)
    os.replace(tmp, args.out)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
