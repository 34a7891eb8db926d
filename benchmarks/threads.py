"""How the native kernel's time per step scales with its threads, on one workload.

    python benchmarks/threads.py W3          # medians of 15 interleaved rounds at 1 and 2 threads

The gradients are bit-identical at every thread count (tests/test_native.py);
this measures only the time. Run it on an otherwise idle machine: a busy
second core makes two threads no faster than one.
"""
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import workloads  # noqa: E402


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    name = (argv or ["W3"])[0].lower()
    G, X, Y = getattr(workloads, name)()
    net = workloads.network(G)
    Y = net.targets(Y)
    engine = net.runner
    if not hasattr(engine, "threads"):
        sys.exit(f"the engine is {net.engine_info()['backend']}, not the native kernel: nothing to thread")
    counts = (1, 2, 4)
    times = {k: [] for k in counts}
    for _ in range(15):
        for k in counts:
            engine.threads = k
            t = time.perf_counter()
            engine.train_gradient(net.params, X, Y)
            times[k].append(time.perf_counter() - t)
    print(f"{name.upper()}: load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    for k in counts:
        print(f"  {k} thread(s): {np.median(times[k]) * 1e3:.2f} ms per step")


if __name__ == "__main__":
    main()
