"""Write the Results section of benchmarks/README.md from benchmarks/results.json.

    python benchmarks/report.py     # after python benchmarks/run.py --write-results

So the figures in the README are exactly the ones the last run measured.
"""
import json
import os

HERE = os.path.dirname(os.path.abspath(__file__))
START, END = "## Results\n", "\n## Reading the results"


def section(run):
    m, lines = run["machine"], []
    lines.append(f"Measured with `python benchmarks/run.py --write-results` ({run['seconds']:.0f} s) on {m['cpu']} "
                 f"({m['vector_extensions']}; {m['mhz'] / 1000:.2f} GHz), {m['cores']} cores shared with "
                 f"other work: load average {m['load_average']} at the start (1, 5, 15 minutes). "
                 f"Python {m['python']}, numpy {m['numpy']} ({m['blas']}), scipy {m['scipy']}, "
                 f"PyTorch {m.get('torch', 'not installed')}; dagnet's engine: {m['dagnet_engine']}.")
    meas = m["measured"]
    lines += ["", f"Measured for the bounds: tanh {meas['tanh_seconds'] * 1e9:.2f} ns and the logistic "
                  f"function {meas['sigmoid_seconds'] * 1e9:.2f} ns a value (the fastest vectorised version "
                  f"here), copy bandwidth {meas['copy_bytes_per_second'] / 1e9:.1f} GB/s, peak "
                  f"{meas['fma_per_second'] / 1e9:.1f} G double FMA/s a core.", "", run["table"], "",
              "Bounds, as the run printed them (per update, one core):", ""]
    for key, value in run["results"].items():
        if key.endswith("@1"):
            lines.append(f"- {key.split('@')[0]}: {value['bound_text']}")
    lines += [f"- W5 at {row['edges']:,} edges: {row['bound_text']}"
              for row in run["results"].get("W5", []) if "bound_text" in row]
    lines += ["", "Targets of the native-kernel issue, as this run measured them:", ""]
    lines += [f"- {'met' if t['met'] else '**missed**'}: {t['target']}" for t in run["targets"]]
    return "\n".join(lines) + "\n"


def main():
    with open(os.path.join(HERE, "results.json"), encoding="utf-8") as f:
        run = json.load(f)
    path = os.path.join(HERE, "README.md")
    with open(path, encoding="utf-8") as f:
        text = f.read()
    head, rest = text.split(START, 1)
    tail = rest[rest.index(END):]
    with open(path + ".tmp", "w", encoding="utf-8") as f:
        f.write(head + START + "\n" + section(run) + tail)
    os.replace(path + ".tmp", path)
    print(f"wrote the Results section of {path}")


if __name__ == "__main__":
    main()
