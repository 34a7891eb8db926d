"""results.csv: one durable row per finished run, read back to resume an interrupted sweep.

Only the sweep's own process writes the file, under a lock on the folder;
each row is flushed to disk (fsync) before the next run's is taken, so a
kill loses at most a row being written, and :func:`open_results` cuts such
an incomplete last line off.

Examples
--------
>>> cell(0.1), cell([1, 2.5]), cell(None), cell(True)
('0.1', '[1.0, 2.5]', '', 'true')
"""
import contextlib
import csv
import io
import json
import os

import numpy as np

RESULTS = "results.csv"
LOCK = ".sweep.lock"
#: Columns of results.csv after the run's topology, dataset, grid values and seed.
MEASURES = ("status", "epochs_run", "n_params", "final_loss", "best_loss", "final_accuracy",
            "final_val_loss", "final_val_accuracy", "epochs_to_threshold", "seconds",
            "loss_curve", "accuracy_curve")


def cell(value):
    """A CSV cell that reads back exactly: floats by repr, lists as JSON, None empty."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (float, np.floating)):
        return repr(float(value))
    if isinstance(value, (list, tuple)):
        return json.dumps([float(v) for v in value])
    return str(value)


def header(grid):
    """The columns of results.csv for an experiment with these grid options."""
    return ["run_id", "topology", "dataset", *grid, "seed", *MEASURES]


def read_results(path):
    """The rows of a results.csv as dicts of text cells (complete lines only)."""
    with open(path, encoding="utf-8", newline="") as f:
        text = f.read()
    return list(csv.DictReader(io.StringIO(text[:text.rfind("\n") + 1])))


@contextlib.contextmanager
def exclusive(folder):
    """Hold an exclusive lock on ``folder`` (one sweep writes there at a time)."""
    path = os.path.join(folder, LOCK)
    with open(path, "a") as f:
        try:
            try:
                import fcntl
            except ImportError:   # Windows
                import msvcrt
                msvcrt.locking(f.fileno(), msvcrt.LK_NBLCK, 1)
            else:
                fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            raise ValueError(f"{folder}: another sweep is writing to this folder; wait for it to "
                             f"finish or choose another output folder") from None
        yield


def open_results(path, columns, log):
    """Open results.csv for appending: ``(file, finished rows by run id)``.

    An incomplete last line (the process was killed while writing it) is
    cut off; a file with other columns (another experiment) is an error.
    """
    with open(path, "ab+") as f:
        f.seek(0)
        data = f.read()
        complete = data.rfind(b"\n") + 1
        if complete < len(data):
            f.truncate(complete)
            log(f"{path}: discarded an incomplete last line (a run interrupted while written)")
    rows = list(csv.reader(io.StringIO(data[:complete].decode("utf-8"), newline="")))
    out = open(path, "a", encoding="utf-8", newline="")
    if not rows:
        append(out, columns)
        return out, {}
    if rows[0] != columns:
        out.close()
        raise ValueError(f"{path}: its columns ({', '.join(rows[0])}) are not this experiment's "
                         f"({', '.join(columns)}); write this sweep into another folder")
    done = {}
    for number, row in enumerate(rows[1:], start=2):
        if len(row) != len(columns):
            out.close()
            raise ValueError(f"{path}: line {number} has {len(row)} cells, the header {len(columns)}")
        done.setdefault(row[0], dict(zip(columns, row)))
    return out, done


def append(f, cells):
    """Write one CSV line and make it durable before going on."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow(cells)
    f.write(buffer.getvalue())
    f.flush()
    os.fsync(f.fileno())
