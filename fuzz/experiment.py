"""The experiment reader: ``sweep.load_experiment`` on any file ends in an experiment or an ExperimentError.

Each input is written as ``experiment.yaml`` in a folder that also holds a
topology file (``net.yaml``), a CSV file (``data.csv``) and a sub-folder
(``sub/``), so that mutated paths reach real files, folders and
non-files. Inputs run under small size limits and at most 200 runs: the
fuzzer looks for limits not honoured before time or memory is spent, not
for how long the work the default limits allow takes (docs/fuzzing.md).
"""
import atexit
import os
import shutil
import tempfile

from dagnet import limits
from dagnet.errors import ExperimentError

from .harness import Target

#: The limits in force while an input is loaded.
SMALL = {"max_samples": 5_000, "max_nodes": 1_000, "max_edges": 10_000}
#: The most runs an input may ask for.
MAX_RUNS = 200

NET = "inputs: [a, b]\noutputs: [y]\nnodes: {h: {size: 2}, y: {}}\nedges: [{from: [a, b], to: h}, {from: h, to: y}]\n"
CSV = "a,b,y,v\n0,0,0,0.5\n0,1,1,1.5\n1,0,1,-2\n1,1,0,3e1\n"

SEEDS = [
    "topologies: {mlp: {generate: mlp, sizes: [4]}}\ndatasets: [xor, moons]\nseeds: [0, 1]\n"
    "grid: {epochs: 2, lr: 0.1}\n",
    "topologies:\n  skip: {generate: input_output_skips, sizes: [3]}\n  file: net.yaml\n"
    "datasets:\n  - {builtin: blobs, classes: 3, n_samples: 30}\n  - {csv: data.csv, inputs: [a, b], targets: [y]}\n"
    "grid: {lr: [0.1, 0.5], optimizer: [sgd, adam], beta1: 0.8}\nseeds: 2\nthreshold: 0.9\n",
    "name: study\ndescription: text\ntopologies: [net.yaml, {generate: cascade, n_hidden: 2}, "
    "{generate: erdos_renyi, n: 8, p: 0.5}]\ndatasets: {pts: {csv: data.csv, inputs: a, targets: [v], "
    "task: regression}, sine: {n_samples: 20, noise: 0.1, seed: 3}}\ngrid: {batch_size: [1, 4], "
    "weight_decay: 0.01, momentum: 0.5, optimizer: momentum}\n",
    "topologies: {a: sub/net.yaml, b: /dev/zero, c: data.csv/net.yaml, d: experiment.yaml}\ndatasets: [xor]\n",
    '{"topologies": {"r": {"generate": "residual", "sizes": [4, 4, 4, 4], "every": 2}}, '
    '"datasets": [{"builtin": "circles", "n_samples": 100}], "grid": {"epochs": [0, 1]}, "seeds": [0]}',
]
TOKENS = ["topologies", "datasets", "grid", "seeds", "train", "threshold", "name", "description",
          "generate", "builtin", "csv", "inputs", "targets", "task", "classification", "regression",
          "mlp", "sizes", "dense", "residual", "cascade", "erdos_renyi", "watts_strogatz", "barabasi_albert",
          "n_hidden", "outputs", "loss", "moons", "xor", "blobs", "spirals", "two_spirals", "sine", "classes",
          "n_samples", "noise", "seed", "lr", "epochs", "batch_size", "optimizer", "sgd", "adam", "momentum",
          "beta1", "validation_split", "patience", "lr_schedule", "weight_decay", "100000000", "10000",
          "net.yaml", "data.csv", "sub", "sub/", "experiment.yaml", "/", "..", "../", "/dev/zero", "/dev/null",
          "/proc/self/fd/0", "net.yaml/x", "data.csv/", "x" * 300, "x/" * 2000, "\\0", "\\x00", "a", "b", "y",
          "v", "!!float [a]", "!!int abc", "9" * 4400, "\\ud800"]

_FOLDER = []


def folder():
    """The folder inputs are written to, with its topology file, CSV file and sub-folder (made once)."""
    if not _FOLDER:
        path = tempfile.mkdtemp(prefix="dagnet-fuzz-")
        atexit.register(shutil.rmtree, path, True)
        os.mkdir(os.path.join(path, "sub"))
        for name, text in (("net.yaml", NET), (os.path.join("sub", "net.yaml"), NET), ("data.csv", CSV)):
            with open(os.path.join(path, name), "w", encoding="utf-8") as f:
                f.write(text)
        _FOLDER.append(path)
    return _FOLDER[0]


def call(text):
    from dagnet import sweep
    path = os.path.join(folder(), "experiment.yaml")
    with open(path, "w", encoding="utf-8", errors="surrogatepass") as f:
        f.write(text)
    with limits.raised(**SMALL):
        sweep.load_experiment(path, max_runs=MAX_RUNS)


TARGET = Target("experiment", SEEDS, TOKENS, call, (ExperimentError,))
