"""The experiment reader: ``sweep.load_experiment`` on any file ends in an experiment or an ExperimentError."""
import os
import tempfile

from dagnet.errors import ExperimentError

from .harness import Target

SEEDS = [
    "topologies: {mlp: {generate: mlp, hidden: [4]}}\ndatasets: [xor, moons]\nseeds: [0, 1]\n"
    "train: {epochs: 2, lr: 0.1}\n",
    "topologies:\n  skip: {generate: mlp, hidden: [3], skip: true}\n  file: {file: topologies/xor_skip.yaml}\n"
    "datasets:\n  - {name: blobs, classes: 3, n_samples: 30}\n"
    "grid: {lr: [0.1, 0.5], optimizer: [sgd, adam]}\nseeds: [0]\ntrain: {epochs: 1}\n",
]
TOKENS = ["topologies", "datasets", "grid", "seeds", "train", "threshold", "generate", "file", "mlp",
          "hidden", "skip", "moons", "xor", "blobs", "spirals", "classes", "n_samples", "noise", "lr",
          "epochs", "batch_size", "optimizer", "sgd", "adam", "momentum", "100000000", "/", "..",
          "/dev/zero", "x" * 300]


def call(text):
    from dagnet import sweep
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "experiment.yaml")
        with open(path, "w", encoding="utf-8", errors="surrogatepass") as f:
            f.write(text)
        sweep.load_experiment(path)


TARGET = Target("experiment", SEEDS, TOKENS, call, (ExperimentError,))
