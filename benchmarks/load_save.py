"""Million-edge networks in and out: from_graph, save, load and reload, each in a fresh process.

    python benchmarks/load_save.py                        # every case, 5 runs each, medians
    python benchmarks/load_save.py --runs 3 --only w5-load w6-load
    python benchmarks/load_save.py --compare ../old-checkout   # the same cases on another version, interleaved

The networks:

- **W5 at 1M**: W5's construction (``workloads.random_sparse``) with 90,000
  hidden perceptrons: 90,036 nodes and 941,330 edges, the largest W5
  network within the default limits (100,000 nodes, 1,000,000 edges);
  ``--hidden 100000`` gives W5's own 1M row (1,045,001 edges, limits raised).
- **W6**: the 103,392-edge network W6 saves and loads (10,000 hidden).
- **group product**: a hand-written file of 99,999 nodes whose one edge
  entry ``{from: x, to: h}`` makes 9 × 99,990 = 899,910 edges; ``reload``
  loads the file ``net.save`` wrote of it.

``save`` and ``load`` are of the flat form (one file, every weight in it);
``-table`` cases of ``form="table"`` (the edges in a NumPy table beside it).
Each case runs in a child process of its own, which first loads a tiny
topology (so that imports are not counted) and then reports the wall and
CPU seconds of the one call measured and the process's peak resident
memory (``ru_maxrss``). Files are prepared once, in a temporary folder.
With ``--compare DIR``, every run of a case runs on DIR's dagnet too, in
turn, so a slow spell of the shared machine hits both; cases DIR cannot
run (the table form) are skipped there. The CPU, the load average at the
start and the end, and the medians over ``--runs`` runs are printed.
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

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)

PRODUCT = """\
name: group-product
inputs: {x: 9}
outputs: [h]
loss: mse
nodes:
  h: {size: 99990, activation: tanh}
edges:
  - {from: x, to: h}
"""

# Each case: (setup, measured call, input file); run in a child with `path` (its input) and `out` defined.
CASES = {
    "w5-from_graph": ("G = pickle.load(open(path, 'rb'))", "net = dagnet.Network.from_graph(G, seed=0)",
                      "w5.pickle"),
    "w5-save": ("net = dagnet.load(path)", "net.save(out)", "w5.yaml"),
    "w5-save-table": ("net = dagnet.load(path)", "net.save(out, form='table')", "w5.yaml"),
    "w5-load": ("", "net = dagnet.load(path)", "w5.yaml"),
    "w5-load-table": ("", "net = dagnet.load(path)", "w5_table.yaml"),
    "w6-save": ("net = dagnet.load(path)", "net.save(out)", "w6.yaml"),
    "w6-load": ("", "net = dagnet.load(path)", "w6.yaml"),
    "product-load": ("", "net = dagnet.load(path)", "product.yaml"),
    "product-save": ("net = dagnet.load(path)", "net.save(out)", "product.yaml"),
    "product-reload": ("", "net = dagnet.load(path)", "product_saved.yaml"),
    "product-reload-table": ("", "net = dagnet.load(path)", "product_table.yaml"),
}
NEW_ONLY = {"w5-save-table", "w5-load-table", "product-reload-table"}

CHILD = """\
import os, pickle, resource, sys, time
sys.path.insert(0, {here!r})
import dagnet, dagnet.limits
dagnet.limits.LIMITS.max_nodes, dagnet.limits.LIMITS.max_edges = {max_nodes}, {max_edges}
folder = {folder!r}; path = os.path.join(folder, {input!r}); out = os.path.join(folder, "out.yaml")
dagnet.load("topologies/xor_skip.yaml").save(out)        # the imports, not measured
{setup}
cpu, wall = time.process_time(), time.perf_counter()
{call}
wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
print(wall, cpu, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024)
"""


def child(code, root=ROOT):
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=root)
    if out.returncode:
        raise SystemExit(f"a child failed in {root}:\n{code}\n{out.stderr}")
    return out.stdout


def prepare(folder, hidden, limits):
    """The W5 graph (pickled), the W5 and W6 networks saved, the group product and its saved copies."""
    code = f"""
import os, pickle, sys, time
sys.path.insert(0, {HERE!r})
import dagnet, dagnet.limits, workloads
dagnet.limits.LIMITS.max_nodes, dagnet.limits.LIMITS.max_edges = {limits[0]}, {limits[1]}
folder = {folder!r}
t = time.perf_counter()
G, _, _ = workloads.random_sparse({hidden})
print("networkx", time.perf_counter() - t, G.number_of_nodes(), G.number_of_edges())
pickle.dump(G, open(os.path.join(folder, "w5.pickle"), "wb"), protocol=pickle.HIGHEST_PROTOCOL)
net = dagnet.Network.from_graph(G, seed=0)
net.save(os.path.join(folder, "w5.yaml"))
net.save(os.path.join(folder, "w5_table.yaml"), form="table")
G, _, _ = workloads.random_sparse(10_000)
print("w6", G.number_of_nodes(), G.number_of_edges())
dagnet.Network.from_graph(G, seed=0).save(os.path.join(folder, "w6.yaml"))
open(os.path.join(folder, "product.yaml"), "w").write({PRODUCT!r})
net = dagnet.load(os.path.join(folder, "product.yaml"), seed=0)
net.save(os.path.join(folder, "product_saved.yaml"))
net.save(os.path.join(folder, "product_table.yaml"), form="table")
"""
    facts = {}
    for line in child(code).splitlines():
        word, *rest = line.split()
        facts[word] = [float(x) for x in rest]
    return facts


def cpu_name():
    try:
        for line in subprocess.run(["lscpu"], capture_output=True, text=True).stdout.splitlines():
            if line.startswith("Model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def file_sizes(folder):
    sizes = {}
    for name in sorted(os.listdir(folder)):
        if not name.startswith("."):
            sizes[name] = os.path.getsize(os.path.join(folder, name))
    return sizes


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5, help="runs per case (fresh processes); medians reported")
    parser.add_argument("--only", nargs="+", choices=list(CASES), help="run only these cases")
    parser.add_argument("--hidden", type=int, default=90_000, help="W5's hidden perceptrons (default 90,000)")
    parser.add_argument("--compare", metavar="DIR", help="a checkout of another version to run alongside")
    parser.add_argument("--json", help="also write the results to this JSON file")
    args = parser.parse_args(argv)
    limits = (max(100_000, args.hidden + 36), max(1_000_000, 11 * args.hidden))
    trees = {"this": ROOT, **({"compared": os.path.abspath(args.compare)} if args.compare else {})}
    started = time.perf_counter()
    load_start = os.getloadavg()
    print(f"CPU: {cpu_name()}, {os.cpu_count()} cores; load average {' '.join(f'{x:.2f}' for x in load_start)}",
          flush=True)
    results = {"cpu": cpu_name(), "load_start": load_start, "trees": trees, "cases": {}}
    with tempfile.TemporaryDirectory() as folder:
        facts = prepare(folder, args.hidden, limits)
        results["facts"] = facts
        results["files"] = file_sizes(folder)
        nx_seconds, nodes, edges = facts["networkx"]
        print(f"W5: {int(nodes):,} nodes, {int(edges):,} edges (networkx built it in {nx_seconds:.1f} s); "
              f"W6: {int(facts['w6'][1]):,} edges; files: "
              + ", ".join(f"{k} {v / 2**20:.1f} MiB" for k, v in results["files"].items()), flush=True)
        for case in args.only or CASES:
            setup, call, name = CASES[case]
            code = CHILD.format(here=HERE, max_nodes=limits[0], max_edges=limits[1], folder=folder,
                                input=name, setup=setup, call=call)
            runs = {tree: [] for tree in trees if tree == "this" or case not in NEW_ONLY}
            for _ in range(args.runs):
                for tree in runs:        # in turn: a slow spell of the machine hits every version
                    runs[tree].append([float(x) for x in child(code, trees[tree]).split()])
            for tree, rows in runs.items():
                wall, cpu, peak = (float(np.median([r[k] for r in rows])) for k in range(3))
                results["cases"][f"{case} ({tree})"] = {"wall": wall, "cpu": cpu, "peak_rss": peak,
                                                        "walls": [r[0] for r in rows]}
                print(f"{case:21s} {tree:8s} median wall {wall:7.3f} s, CPU {cpu:7.3f} s "
                      f"(walls {', '.join(f'{r[0]:.2f}' for r in rows)}); peak RSS {peak / 2**20:5.0f} MiB",
                      flush=True)
    results["load_end"] = os.getloadavg()
    print(f"load average at the end {' '.join(f'{x:.2f}' for x in results['load_end'])}; "
          f"{time.perf_counter() - started:.0f} s in all")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=1)


if __name__ == "__main__":
    main()
