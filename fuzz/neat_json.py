"""The neat-python JSON importer: ``neat.load`` on any ``.json`` file ends in a network or an InterchangeError.

Seeds are real exports (``tests/fixtures/neat``, written by neat-python's
``export_network_json``), fed through a file as ``dagnet import-neat`` reads them.
"""
import glob
import json
import os
import tempfile

from dagnet.interchange import InterchangeError
from dagnet.interchange import neat

from .harness import Target

FIXTURES = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "tests", "fixtures", "neat")


def _seed(path):
    data = json.load(open(path, encoding="utf-8"))
    data["metadata"].pop("expected", None)      # the recorded outputs are for the tests, not the reader
    return json.dumps(data, indent=2)


SEEDS = [_seed(path) for path in sorted(glob.glob(os.path.join(FIXTURES, "*.json")))]
TOKENS = ['"id"', '"type"', '"input"', '"hidden"', '"output"', '"activation"', '"aggregation"', '"name"',
          '"custom"', "true", "false", '"bias"', '"response"', '"from"', '"to"', '"weight"', '"enabled"',
          '"topology"', '"input_keys"', '"output_keys"', '"nodes"', '"connections"', '"network_type"',
          '"recurrent"', '"feedforward"', '"metadata"', '"genome_id"', '"fitness"', '"sigmoid"', '"tanh"',
          '"softplus"', '"sin"', '"gauss"', '"relu"', '"elu"', '"identity"', '"lelu"', '"cube"', '"sum"',
          '"mean"', '"product"', "-1", "-2", "0", "1", "2", "1e308", "-1e308", "NaN", "Infinity", "[]", "{}",
          '{"from": -1, "to": 0, "weight": 1.0, "enabled": true}',
          '{"from": 0, "to": 0, "weight": 1.0, "enabled": true}',
          '{"id": 7, "type": "hidden", "activation": {"name": "tanh"}, "aggregation": {"name": "sum"}, '
          '"bias": 0.0, "response": 1.0}']


def call(text):
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "genome.json")
        with open(path, "w", encoding="utf-8", errors="surrogatepass") as f:
            f.write(text)
        neat.load(path)


TARGET = Target("neat_json", SEEDS, TOKENS, call, (InterchangeError,))
