"""The machine: its CPU, and a lower bound on each workload's time per update on one core.

A bound adds what no implementation of a training step can avoid:

- arithmetic: every edge costs 3 multiply-adds per sample (s_j += w z_i forward;
  Σ δ_o w pulled and ∂E/∂w = Σ δ_o z_k backward), at the core's peak of
  FMA_PER_CYCLE double multiply-adds per cycle;
- transcendental functions: one per hidden or output node and sample (tanh,
  sigmoid, exp), at the cost per value of the fastest vectorised version on
  this machine, measured here;
- memory: the edge lists, the parameters, the gradient and the update touched
  once per step, at the copy bandwidth measured here, when they do not fit in
  CACHE_BYTES (this term only matters when it is larger than the other two).
"""
import os
import platform
import re
import time

import numpy as np

#: AVX2 with two FMA pipes (Zen 3, Haswell and later): 2 × 4 doubles per cycle.
FMA_PER_CYCLE = 8

#: Data up to this size stays in a core's cache (1 MiB L2 on Zen 3) between steps.
CACHE_BYTES = 1 << 20


def cpu():
    """``{"model", "mhz", "vector_extensions", "cores"}`` of this machine (Linux: /proc/cpuinfo)."""
    info = {"model": platform.processor() or platform.machine(), "mhz": None, "vector_extensions": [],
            "cores": os.cpu_count()}
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            text = f.read()
    except OSError:
        return info
    model = re.search(r"^model name\s*:\s*(.+)$", text, re.M)
    mhz = re.search(r"^cpu MHz\s*:\s*([\d.]+)$", text, re.M)
    bogo = re.search(r"^bogomips\s*:\s*([\d.]+)$", text, re.M | re.I)
    flags = re.search(r"^(flags|Features)\s*:\s*(.+)$", text, re.M)
    if model:
        info["model"] = model.group(1).strip()
    if mhz:
        info["mhz"] = float(mhz.group(1))
    elif bogo:
        info["mhz"] = float(bogo.group(1)) / 2
    if flags:
        wanted = ("sse4_2", "avx", "avx2", "fma", "avx512f", "neon", "asimd", "sve")
        have = set(flags.group(2).split())
        info["vector_extensions"] = [f for f in wanted if f in have]
    return info


def median_seconds(fn, rounds=15):
    fn()
    times = []
    for _ in range(rounds):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return float(np.median(times))


def measure(kernel=None):
    """Measured on this machine: seconds per tanh/sigmoid value, copy bandwidth, peak FMA rate."""
    x = np.random.default_rng(0).normal(size=1 << 16) * 2
    out = np.empty_like(x)
    costs = {}
    for name in ("tanh", "sigmoid"):
        candidates = [median_seconds(lambda: np.tanh(x, out=out))] if name == "tanh" else []
        if kernel is not None:
            for portable in (False, True):
                candidates.append(median_seconds(lambda: kernel.vmath(name, x, out, portable)))
        costs[name] = min(candidates) / len(x) if candidates else 10e-9
    big = np.ones(1 << 23)          # 64 MiB: beyond the caches
    copy = np.empty_like(big)
    bandwidth = 2 * big.nbytes / median_seconds(lambda: np.copyto(copy, big), 5)   # read + write
    info = cpu()
    hz = (info["mhz"] or 2000.0) * 1e6
    return {"tanh_seconds": costs["tanh"], "sigmoid_seconds": costs["sigmoid"],
            "copy_bytes_per_second": bandwidth, "fma_per_second": FMA_PER_CYCLE * hz, "hz": hz}


def us(seconds):
    """``seconds`` in µs, or in ns below one µs."""
    return f"{seconds * 1e6:.1f} µs" if seconds >= 1e-6 else f"{seconds * 1e9:.1f} ns"


def bound(net, n, machine):
    """Lower bound (seconds per update) for training ``net`` on batches of ``n``, and its arithmetic."""
    plan = net.plan
    edges = len(plan.edge_slot)
    acts = [a for a in plan.activation.values() if a is not None]
    transcendental = sum(a in ("tanh", "sigmoid", "softmax", "swish", "elu", "softplus", "gaussian")
                         for a in acts)
    fma = 3 * edges * n
    t_fma = fma / machine["fma_per_second"]
    cost = machine["tanh_seconds"] if "tanh" in acts else machine["sigmoid_seconds"]
    t_trans = transcendental * n * cost
    bytes_ = edges * 2 * 16 + plan.n_params * 8 * 4          # edge lists both ways; θ, ∂E/∂θ, update
    t_mem = bytes_ / machine["copy_bytes_per_second"] if bytes_ > CACHE_BYTES else 0.0
    seconds = max(t_fma + t_trans, t_mem)
    memory = (f"{bytes_ / 2**20:.2f} MiB / {machine['copy_bytes_per_second'] / 1e9:.1f} GB/s = {us(t_mem)}"
              if t_mem else f"{bytes_ / 2**10:.1f} KiB, in cache")
    text = (f"{edges:,} edges × {n} samples × 3 FMA = {fma:,.0f} FMA / {machine['fma_per_second'] / 1e9:.1f} G/s"
            f" = {us(t_fma)}; {transcendental:,} nodes × {n} × {cost * 1e9:.2f} ns = {us(t_trans)}; "
            f"{memory}; bound max({us(t_fma)} + {us(t_trans)}, {us(t_mem)}) = {us(seconds)}")
    return seconds, text
