"""neat-python's JSON export read by dagnet alone (no neat-python): every defect is one error naming its place."""
import json
import pathlib

import numpy as np
import pytest

from dagnet.interchange import InterchangeError
from dagnet.interchange import neat as importer


def genome(connections, bias=0.0, activation="sigmoid", inputs=(-1, -2)):
    """One output (key 0) fed by ``connections`` [(from, to, weight)]."""
    return {"format_version": "1.0", "network_type": "feedforward",
            "topology": {"input_keys": list(inputs), "output_keys": [0]},
            "nodes": [{"id": 0, "type": "output", "activation": {"name": activation},
                       "aggregation": {"name": "sum"}, "bias": bias, "response": 1.0}],
            "connections": [{"from": u, "to": v, "weight": w, "enabled": True} for u, v, w in connections]}


def test_a_connection_listed_twice_is_an_error_naming_both_places():
    data = genome([(-1, 0, 1.0), (-2, 0, 0.5), (-1, 0, 2.0)])
    with pytest.raises(InterchangeError, match=r"^connections\[2\]: connection -1 -> 0 is listed twice "
                                               r"\(first at connections\[0\]\)$"):
        importer.from_json(data)
    data["connections"][2]["enabled"] = False      # a disabled twin is no clearer about which is meant
    with pytest.raises(InterchangeError, match="listed twice"):
        importer.from_json(data)


@pytest.mark.parametrize("where, value, message", [
    ("from", [-1], r"connections\[0\]\.from: expected a node id \(an integer\), got \[-1\]"),
    ("to", {"id": 0}, r"connections\[0\]\.to: expected a node id \(an integer\), got \{'id': 0\}"),
    ("from", "-1", r"connections\[0\]\.from: expected a node id \(an integer\), got '-1'"),
])
def test_an_id_that_is_not_an_integer_is_an_error_naming_its_place(where, value, message):
    data = genome([(-1, 0, 1.0)])
    data["connections"][0][where] = value
    with pytest.raises(InterchangeError, match=message):
        importer.from_json(data)


def test_unhashable_keys_of_genome_objects_are_an_error_not_a_type_error():
    from types import SimpleNamespace
    gene = SimpleNamespace(activation="tanh", aggregation="sum", bias=0.0, response=1.0)
    link = SimpleNamespace(key=([-1], 0), weight=1.0, enabled=True)
    config = SimpleNamespace(input_keys=[-1], output_keys=[0])
    with pytest.raises(InterchangeError, match=r"connection \[-1\] -> 0: node keys are integers"):
        importer.from_neat(SimpleNamespace(nodes={0: gene}, connections={"k": link}), config)


@pytest.mark.parametrize("field, message", [
    ("weight", r"^connections\[0\]: connection -1 -> 0: weight 1e\+308 becomes inf with neat-python's "
               r"gain and response folded in \(×5\), beyond float64$"),
    ("bias", r"^nodes\[0\]: node 0: bias 1e\+308 becomes inf with neat-python's gain and response "
             r"folded in \(×5\), beyond float64$"),
])
def test_a_finite_number_that_overflows_once_folded_names_its_place(field, message):
    data = genome([(-1, 0, 1.0), (-2, 0, 1.0)])
    target = data["connections"][0] if field == "weight" else data["nodes"][0]
    target[field] = 1e308
    with pytest.raises(InterchangeError, match=message):
        importer.from_json(data)


def test_a_response_that_overflows_the_product_names_the_connection():
    data = genome([(-1, 0, 1e200), (-2, 0, 1.0)])
    data["nodes"][0]["response"] = 1e200
    with pytest.raises(InterchangeError, match=r"^connections\[0\]: connection -1 -> 0: weight 1e\+200 becomes "
                                               r"inf"):
        importer.from_json(data)


@pytest.mark.parametrize("text, message", [
    (json.dumps(genome([(-1, 0, 1.0)])).replace('"bias": 0.0', '"bias": ' + "9" * 400),
     r"nodes\[0\]: node 0: bias must be a finite number, got 9999"),
    (json.dumps(genome([(-1, 0, 1.0)])).replace('"weight": 1.0', '"weight": NaN'),
     r"connections\[0\]: connection -1 -> 0: weight must be a finite number, got nan"),
    ("[" * 100_000 + "]" * 100_000, "not JSON"),
    (json.dumps(genome([(-1, 0, 1.0)], inputs=(-1, -1))), r"topology\.input_keys: node -1 is listed twice"),
])
def test_hostile_json_is_one_clear_error(text, message):
    with pytest.raises(InterchangeError, match=message):
        importer.from_json(text)


def test_a_folded_genome_still_computes_what_neat_python_does():
    data = genome([(-1, 0, 2.0), (-2, 0, -1.0)], bias=0.5)
    net = importer.from_json(data)
    X = np.array([[0.2, 0.4], [1.0, -1.0]])
    expected = 1 / (1 + np.exp(-5 * (0.5 + X @ [2.0, -1.0])))
    np.testing.assert_allclose(net.predict(X)[:, 0], expected, rtol=1e-14)


FIXTURES = sorted(pathlib.Path(__file__).parent.joinpath("fixtures", "neat").glob("*.json"))


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: p.name)
def test_real_exports_compute_what_neat_python_computed_when_exporting(path):
    """tests/fixtures/neat: neat-python 2.0 exports with FeedForwardNetwork.activate on a few rows."""
    expected = json.loads(path.read_text())["metadata"]["expected"]
    net = importer.load(path)
    np.testing.assert_allclose(net.predict(np.array(expected["X"])), expected["Y"], rtol=1e-12, atol=1e-12)
