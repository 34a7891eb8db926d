"""The summary of a sweep: each topology × data set × grid setting aggregated over its seeds.

Numbers in summary.md are rounded for reading (:func:`dagnet.text.rounded`:
four decimals, or three significant digits for a loss that diverged or
vanished); summary.csv keeps every digit.

Examples
--------
>>> stats([1.0, 2.0, 3.0])
(2.0, 1.0, 1.0)
>>> mean_std(12345678.9, None, rounded)
'1.23e+07'
"""
import csv
import os
import statistics

from ..files import atomic_write
from ..text import plural, rounded
from .results import cell

SUMMARY_CSV, SUMMARY_MD = "summary.csv", "summary.md"


def floats(rows, column):
    """The numbers in ``column`` of ``rows`` (text cells), empty cells left out."""
    return [float(r[column]) for r in rows if r[column] != ""]


def stats(values):
    """(mean, std, min); std is the sample standard deviation (None for one value)."""
    if not values:
        return None, None, None
    return (statistics.fmean(values), statistics.stdev(values) if len(values) > 1 else None,
            min(values))


def groups(exp, rows):
    """``{(topology, dataset, grid cells): [rows over seeds]}`` in run order."""
    out = {}
    for r in rows:
        out.setdefault((r["topology"], r["dataset"], tuple(r[k] for k in exp.grid)), []).append(r)
    return out


def varying(exp, values):
    """``key=value`` texts of the grid options that take several values."""
    return [f"{k}={cell(v)}" for (k, options), v in zip(exp.grid.items(), values) if len(options) > 1]


def summarize(exp, rows):
    """One dict per topology × data set × grid setting, aggregated over the seeds."""
    out = []
    for (t, d, cells), group in groups(exp, rows).items():
        loss = stats(floats(group, "final_loss"))
        acc = stats(floats(group, "final_accuracy"))
        reached = floats(group, "epochs_to_threshold")
        out.append({
            "topology": t, "dataset": d, **dict(zip(exp.grid, cells)),
            "n_params": int(group[0]["n_params"]), "seeds": len(group),
            "final_loss_mean": loss[0], "final_loss_std": loss[1], "final_loss_min": loss[2],
            "final_accuracy_mean": acc[0], "final_accuracy_std": acc[1], "final_accuracy_min": acc[2],
            "epochs_to_threshold_mean": statistics.fmean(reached) if reached else None,
            "reached_threshold": len(reached) if exp.threshold is not None else None,
            "seconds_mean": statistics.fmean(floats(group, "seconds")),
            "diverged": sum(r["status"] == "diverged" for r in group)})
    return out


def _number(value, fmt):
    return "" if value is None else fmt(value)


def mean_std(mean, std, fmt):
    """``"mean ± std"`` in ``fmt``, ``"–"`` without a mean, the mean alone without a std."""
    if mean is None:
        return "–"
    return fmt(mean) + ("" if std is None else f" ± {fmt(std)}")


def _accuracy(value):
    return rounded(value, 3)


def markdown(exp, summary):
    """The summary as a markdown table; grid options with one value go in a line above it."""
    varied = [k for k, v in exp.grid.items() if len(v) > 1]
    fixed = ", ".join(f"{k}={cell(v[0])}" for k, v in exp.grid.items() if len(v) == 1)
    classifier = any(s["final_accuracy_mean"] is not None for s in summary)
    head = ["topology", "dataset", *varied, "params", "seeds", "final loss", "min loss"]
    if classifier:
        head += ["accuracy", "min accuracy"]
        if exp.threshold is not None:
            head.append(f"epochs to {exp.threshold:g}")
    head.append("time (s)")
    lines = [f"Sweep {exp.name}: {plural(sum(s['seeds'] for s in summary), 'run')}, mean ± sample "
             f"std over seeds" + (f"; {fixed}" if fixed else "") + ".", "",
             "| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for s in summary:
        cells = [s["topology"], s["dataset"], *(s[k] for k in varied), str(s["n_params"]),
                 str(s["seeds"]), mean_std(s["final_loss_mean"], s["final_loss_std"], rounded),
                 _number(s["final_loss_min"], rounded)]
        if classifier:
            cells += [mean_std(s["final_accuracy_mean"], s["final_accuracy_std"], _accuracy),
                      _number(s["final_accuracy_min"], _accuracy)]
            if exp.threshold is not None:
                mean = s["epochs_to_threshold_mean"]
                cells.append(f"{mean:.1f} ({s['reached_threshold']}/{s['seeds']})" if mean is not None
                             else f"– (0/{s['seeds']})")
        cells.append(_number(s["seconds_mean"], lambda v: rounded(v, 2)))
        if s["diverged"]:
            cells[0] += f" ({s['diverged']} diverged)"
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def write_summary(exp, summary, out_dir):
    """Write summary.csv and summary.md (atomically); return their paths."""
    csv_path, md_path = os.path.join(out_dir, SUMMARY_CSV), os.path.join(out_dir, SUMMARY_MD)
    columns = list(summary[0]) if summary else ["topology", "dataset"]

    def write_csv(f):
        out = csv.writer(f, lineterminator="\n")
        out.writerow(columns)
        out.writerows([[cell(s[c]) for c in columns] for s in summary])

    atomic_write(csv_path, write_csv)
    text = markdown(exp, summary)
    atomic_write(md_path, lambda f: f.write(text))
    return [csv_path, md_path]
