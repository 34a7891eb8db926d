"""Run every workload against every installed peer, side by side, and print medians and ratios.

    python benchmarks/run.py                 # all workloads, 1 and 2 threads, writes runs/benchmarks/results.json
    python benchmarks/run.py --write-results # the same, into benchmarks/results.json (the figures the README quotes)
    python benchmarks/run.py --quick         # fewer repeats, W5 up to 100k edges
    python benchmarks/run.py --only W1 W3 --threads 1

One update is forward + loss + backward + one SGD update, float64, on the same
starting weights for every contestant. W1 and W2 go through ``fit`` (and the
peers through the same loop written by hand); W3 and W4 are single steps. Each
contestant runs in turn inside every round (interleaved), so a slow spell of the
shared machine hits all of them; the figures are medians over the rounds. Every
contestant gets the same number of threads (dagnet's kernel, numpy's BLAS,
PyTorch). Peers that are not installed are skipped with a note. Each workload's
lower bound on this machine (see bounds.py) is printed with its arithmetic.
"""
import argparse
import json
import os

# Contestants run interleaved: a thread pool that spins after its call (OpenMP's default wait,
# OpenBLAS's) would hold a core through the next contestant's turn. Idle threads sleep instead.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
os.environ.setdefault("OPENBLAS_THREAD_TIMEOUT", "4")
import platform
import subprocess
import sys
import tempfile
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bounds  # noqa: E402
import peers  # noqa: E402
import workloads  # noqa: E402

import dagnet  # noqa: E402
from dagnet import native  # noqa: E402
from dagnet.optimizers import SGD  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
#: The run benchmarks/README.md quotes: written only when asked (--write-results).
QUOTED_RESULTS = os.path.join(HERE, "results.json")
#: Where a run goes otherwise: runs/ is git-ignored, so a run never changes a committed file.
DEFAULT_OUT = os.path.join(os.path.dirname(HERE), "runs", "benchmarks", "results.json")
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


class Threads:
    """Give every contestant ``k`` threads: dagnet's kernel, numpy's BLAS, PyTorch."""

    def __init__(self, k, nets):
        self.k, self.nets, self.limits = k, nets, None

    def __enter__(self):
        for net in self.nets:
            if hasattr(net.runner, "threads"):
                net.runner.threads = self.k
        try:
            from threadpoolctl import threadpool_limits
            self.limits = threadpool_limits(self.k)
        except ImportError:
            pass
        if peers.torch_available():
            import torch
            torch.set_num_threads(self.k)
        return self

    def __exit__(self, *exc):
        if self.limits is not None:
            self.limits.unregister()


#: W1 through fit: 3 epochs of 8 shuffled batches of 256.
W1_EPOCHS, W1_BATCH, W1_BATCHES = 3, 256, 8


def w1(rounds, notes, threads):
    G, _, _ = workloads.w1()
    X, Y = dagnet.datasets.load("moons", n_samples=W1_BATCH * W1_BATCHES, seed=0)
    nets = {e: workloads.network(G, e) for e in ("compiled", "numpy")}
    updates = W1_EPOCHS * W1_BATCHES

    def fit(net):
        return lambda: net.fit(X, Y, epochs=W1_EPOCHS, lr=0.01, batch_size=W1_BATCH, seed=0, verbose=False)
    c = {"dagnet": fit(nets["compiled"]), "dagnet numpy engine": fit(nets["numpy"]),
         "numpy by hand": peers.numpy_w1_fit(nets["compiled"], X, Y, epochs=W1_EPOCHS, batch=W1_BATCH)}
    if peers.torch_available():
        c["PyTorch nn.Sequential"] = peers.torch_w1_fit(nets["compiled"], X, Y, epochs=W1_EPOCHS,
                                                        batch=W1_BATCH)
    else:
        notes.append("W1: PyTorch not installed (pip install torch==2.13.0): skipped")
    with Threads(threads, nets.values()):
        result = race(c, rounds, per_call=updates)
        ref = workloads.network(G, "reference")
        result["dagnet reference engine"] = race({"r": dagnet_step(ref, X[:W1_BATCH], Y[:W1_BATCH], 0.01)},
                                                 3)["r"]
    return result, nets["compiled"], W1_BATCH


def w2(rounds, notes, threads):
    G, X, Y = workloads.w2()
    nets = {e: workloads.network(G, e) for e in ("compiled", "numpy", "reference")}

    def epoch(n):
        return lambda: n.fit(X, Y, epochs=1, lr=0.5, batch_size=1, shuffle=False, verbose=False)
    c = {"dagnet": epoch(nets["compiled"]), "dagnet numpy engine": epoch(nets["numpy"]),
         "dagnet reference engine": epoch(nets["reference"]),
         "numpy by hand": peers.numpy_w2(nets["compiled"], X, Y)[0]}
    if peers.torch_available():
        c["PyTorch nn.Sequential"] = peers.torch_w2(nets["compiled"], X, Y)
    else:
        notes.append("W2: PyTorch not installed: skipped")
    with Threads(threads, nets.values()):
        return race(c, rounds, per_call=len(X)), nets["compiled"], 1


def dag_workload(build, rounds, notes, label, threads, reference_rounds=None):
    G, X, Y = build()
    nets = {e: workloads.network(G, e) for e in ("compiled", "numpy")}
    c = {"dagnet": dagnet_step(nets["compiled"], X, Y, 0.01),
         "dagnet numpy engine": dagnet_step(nets["numpy"], X, Y, 0.01)}
    if peers.torch_available():
        c[TORCH_DENSE] = peers.torch_dag(nets["compiled"], X, Y)
        c[TORCH_GATHER] = peers.torch_dag_gather(nets["compiled"], X, Y)
    else:
        notes.append(f"{label}: PyTorch not installed: skipped")
    with Threads(threads, nets.values()):
        result = race(c, rounds)
        ref = workloads.network(G, "reference")
        result["dagnet reference engine"] = race({"r": dagnet_step(ref, X, Y, 0.01)},
                                                 reference_rounds or max(3, rounds // 3))["r"]
    return result, nets["compiled"], len(X)


def w5_one(edges, rounds, engine="compiled"):
    """Run in a child process: per-step time and peak memory of W3's construction at `edges`."""
    code = (
        "import sys, time, resource, tracemalloc, numpy as np; sys.path.insert(0, %r)\n"
        "import workloads; from dagnet.optimizers import SGD\n"
        "G, X, Y = workloads.random_sparse(%d)\n"
        "net = workloads.network(G, %r); del G\n"
        "opt = SGD(lr=0.01); net.train_step(X, Y, opt)\n"
        "tracemalloc.start(); ts = []\n"
        "for _ in range(%d):\n"
        "    t = time.perf_counter(); net.train_step(X, Y, opt); ts.append(time.perf_counter() - t)\n"
        "peak = tracemalloc.get_traced_memory()[1]; tracemalloc.stop()\n"
        "print(np.median(ts), peak, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,"
        " net.plan.n_nodes)\n"
    ) % (HERE, edges // 10, engine, rounds)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    seconds, traced, rss, nodes = out.stdout.split()
    return {"edges": edges, "engine": engine, "nodes": int(nodes), "seconds_per_step": float(seconds),
            "peak_step_bytes": int(traced), "peak_process_bytes": int(rss)}


def w5(sizes, rounds, machine):
    """W5 at each size on the default engine, and the numpy engine at the largest (today's engine)."""
    rows = [w5_one(e, rounds) for e in sizes]
    rows.append(w5_one(sizes[-1], max(3, rounds // 2), "numpy"))
    G, X, _ = workloads.random_sparse(sizes[-1] // 10)
    seconds, text = bounds.bound(workloads.network(G, "numpy"), len(X), machine)
    rows[-2]["bound"], rows[-2]["bound_text"] = seconds, text
    return rows


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


DAG_WORKLOADS = ("W1", "W2", "W3", "W4")


def table(results):
    lines = ["| workload | threads | contestant | median per update | dagnet is … × faster |",
             "|---|---:|---|---:|---:|"]
    for wid in DAG_WORKLOADS:
        for key in sorted(k for k in results if k.startswith(wid + "@")):
            r, threads = results[key], key.split("@")[1]
            base = r["times"]["dagnet"]
            for name, t in r["times"].items():
                ratio = "" if name == "dagnet" else f"{t / base:.2f}"
                lines.append(f"| {wid} | {threads} | {name} | {fmt_time(t)} | {ratio} |")
            lines.append(f"| {wid} | {threads} | *machine bound* | {fmt_time(r['bound'])} | "
                         f"{r['bound'] / base:.2f} |")
    if "W5" in results:
        lines += ["", "| W5 edges | engine | nodes | per step | per edge | peak RAM in steps | peak process RSS |",
                  "|---:|---|---:|---:|---:|---:|---:|"]
        for row in results["W5"]:
            lines.append(f"| {row['edges']:,} | {row['engine']} | {row['nodes']:,} | "
                         f"{fmt_time(row['seconds_per_step'])} | "
                         f"{row['seconds_per_step'] / row['edges'] * 1e9:.0f} ns | "
                         f"{row['peak_step_bytes'] / 2**20:.0f} MiB | "
                         f"{row['peak_process_bytes'] / 2**20:.0f} MiB |")
    if "W6" in results:
        r = results["W6"]
        lines += ["", f"W6: a {r['edges']:,}-edge topology file ({r['file_bytes'] / 2**20:.1f} MiB): "
                      f"load {r['load']:.2f} s, save {r['save']:.2f} s"]
    return "\n".join(lines)


def targets(results):
    """Each target of the native-kernel issue as (text, met?), per thread count."""
    out = []
    torch1, torch2 = "PyTorch nn.Sequential", "best PyTorch rendering"
    checks = [
        ("W1", "dagnet (fit) ≤ 0.8 × PyTorch", torch1, 1 / 0.8),
        ("W1", "dagnet (fit) ≤ 0.8 × numpy by hand", "numpy by hand", 1 / 0.8),
        ("W2", "dagnet (fit) ≤ 1.2 × numpy by hand", "numpy by hand", 1 / 1.2),
        ("W2", "dagnet ≥ 10 × faster than PyTorch", torch1, 10),
        ("W3", "dagnet ≥ 20 × faster than the reference engine", "dagnet reference engine", 20),
        ("W3", "dagnet ≥ 10 × faster than the best PyTorch rendering", torch2, 10),
        ("W4", "dagnet ≥ 10 × faster than the reference engine", "dagnet reference engine", 10),
    ]
    for key in sorted(results):
        if "@" not in key:
            continue
        wid, threads = key.split("@")
        r = results[key]["times"]
        for w, text, peer, at_least in checks:
            if w != wid:
                continue
            if peer == torch2:   # the faster of the two renderings
                times = [r[p] for p in (TORCH_DENSE, TORCH_GATHER) if p in r]
                value = min(times) / r["dagnet"] if times else None
            else:
                value = r[peer] / r["dagnet"] if peer in r else None
            if value is not None:
                out.append((f"{wid}, {threads} thread(s): {text}: {value:.2f} × faster", value >= at_least))
        within = r["dagnet"] / results[key]["bound"]
        out.append((f"{wid}, {threads} thread(s): within 2 × of the one-core bound: {within:.2f} × the bound",
                    within <= 2))
    rows = [row for row in results.get("W5", []) if row["engine"] == "compiled"]
    today = [row for row in results.get("W5", []) if row["engine"] == "numpy"]
    if len(rows) >= 2:
        small, large = rows[0], rows[-1]
        growth = (large["seconds_per_step"] / large["edges"]) / (small["seconds_per_step"] / small["edges"])
        out.append((f"W5: per edge, {large['edges']:,} edges cost {growth:.2f} × what {small['edges']:,} "
                    f"cost (< 2 ×)", growth < 2))
    if rows and today:
        speedup = today[-1]["seconds_per_step"] / rows[-1]["seconds_per_step"]
        out.append((f"W5: {rows[-1]['edges']:,} edges ≥ 2.5 × faster than the numpy engine: {speedup:.2f} ×",
                    speedup >= 2.5))
    if rows and rows[-1]["edges"] >= 1_000_000:
        peak = rows[-1]["peak_process_bytes"]
        out.append((f"W5: 1M edges, peak process memory {peak / 2**30:.2f} GiB (< 2 GB)", peak < 2e9))
    if rows and "bound" in rows[-1]:
        within = rows[-1]["seconds_per_step"] / rows[-1]["bound"]
        out.append((f"W5: {rows[-1]['edges']:,} edges within 2 × of the one-core bound: {within:.2f} ×",
                    within <= 2))
    if "W6" in results:
        for k in ("load", "save"):
            out.append((f"W6: {k} {results['W6'][k]:.2f} s (< 1 s)", results["W6"][k] < 1))
    return out


def machine():
    cpu = bounds.cpu()
    info = {"cpu": cpu["model"], "vector_extensions": " ".join(cpu["vector_extensions"]),
            "mhz": cpu["mhz"], "python": platform.python_version(), "numpy": np.__version__,
            "cores": os.cpu_count(), "platform": platform.platform(), "dagnet": dagnet.__version__,
            "dagnet_engine": native.status(), "load_average": " ".join(f"{x:.2f}" for x in os.getloadavg())}
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
    return info


def parse_args(argv=None):
    """The command line; ``args.out`` is the JSON file the run writes."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="fewer repeats; W5 up to 100k edges")
    parser.add_argument("--only", nargs="+", metavar="W", help="run only these workloads (W1 ... W6)")
    parser.add_argument("--threads", nargs="+", type=int, default=[1, 2], metavar="K",
                        help="thread counts to give every contestant (default: 1 2)")
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--out", default=DEFAULT_OUT, help="JSON file to write (default: runs/benchmarks/results.json)")
    where.add_argument("--write-results", dest="out", action="store_const", const=QUOTED_RESULTS,
                       help="write benchmarks/results.json, the run benchmarks/README.md quotes "
                            "(then python benchmarks/report.py rewrites its Results section)")
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    wanted = set(args.only or ["W1", "W2", "W3", "W4", "W5", "W6"])
    rounds = 7 if args.quick else 21
    results, notes = {}, []
    info = machine()
    started = time.perf_counter()
    print(f"machine: {info}", flush=True)
    limits = bounds.measure(native.kernel)
    info["measured"] = limits
    print(f"measured: tanh {limits['tanh_seconds'] * 1e9:.2f} ns, sigmoid {limits['sigmoid_seconds'] * 1e9:.2f} ns "
          f"a value; copy {limits['copy_bytes_per_second'] / 1e9:.1f} GB/s; peak "
          f"{limits['fma_per_second'] / 1e9:.1f} G FMA/s a core ({bounds.FMA_PER_CYCLE} per cycle at "
          f"{limits['hz'] / 1e9:.2f} GHz)", flush=True)
    workloads_by_id = {
        "W1": lambda k: w1(rounds, notes, k),
        "W2": lambda k: w2(max(5, rounds // 2), notes, k),
        "W3": lambda k: dag_workload(workloads.w3, max(5, rounds // 2), notes, "W3", k),
        "W4": lambda k: dag_workload(workloads.w4, rounds, notes, "W4", k),
    }
    for wid, run in workloads_by_id.items():
        if wid not in wanted:
            continue
        for k in args.threads:
            t = time.perf_counter()
            times, net, n = run(k)
            seconds, text = bounds.bound(net, n, limits)
            results[f"{wid}@{k}"] = {"times": times, "bound": seconds, "bound_text": text}
            print(f"{wid} with {k} thread(s) done in {time.perf_counter() - t:.0f} s; bound: {text}", flush=True)
    if "W5" in wanted:
        t = time.perf_counter()
        results["W5"] = w5((10_000, 100_000) if args.quick else (10_000, 100_000, 1_000_000), 5, limits)
        print(f"W5 done in {time.perf_counter() - t:.0f} s; bound at the largest: {results['W5'][-2]['bound_text']}",
              flush=True)
    if "W6" in wanted:
        t = time.perf_counter()
        results["W6"] = w6(3)
        print(f"W6 done in {time.perf_counter() - t:.0f} s", flush=True)
    report = table(results)
    checks = targets(results)
    print()
    print(f"CPU: {info['cpu']} ({info['vector_extensions']}), {info['cores']} cores; {info['dagnet_engine']}; "
          f"load average at the start {info['load_average']}, at the end "
          f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}")
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
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    tmp = args.out + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(payload, f, indent=2)
    os.replace(tmp, args.out)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
