"""``dagnet export`` and ``dagnet import-neat``: every format, and one line for every mistake."""
import json
import os
import sys

import networkx as nx
import numpy as np
import pytest

import dagnet
from dagnet.interchange import graphs

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEEP = os.path.join(ROOT, "topologies", "deep_skip.yaml")


def test_graph_formats_and_dot_need_no_optional_package(run, tmp_path):
    net = dagnet.load(DEEP, seed=0)
    for ext in ("graphml", "gexf", "json", "dot"):
        out = tmp_path / f"net.{ext}"
        code, stdout, err = run("export", DEEP, "--out", out)
        assert code == 0, err
        assert stdout.startswith(f"wrote {out} ({ext}, ") and "252 edges" in stdout
    assert np.array_equal(graphs.read_json(tmp_path / "net.json").params, net.params)
    assert nx.read_graphml(tmp_path / "net.graphml").number_of_edges() == 252
    assert (tmp_path / "net.dot").read_text().startswith('digraph "deep-skip"')


def test_onnx_export_is_checked_with_onnxruntime(run, tmp_path):
    pytest.importorskip("onnxruntime", reason="the onnx extra is not installed")
    for dtype in ("float64", "float32"):
        out = tmp_path / f"net_{dtype}.onnx"
        code, stdout, err = run("export", DEEP, "--out", out, "--dtype", dtype)
        assert code == 0, err
        assert "checked with onnxruntime: largest difference from dagnet" in err
        from dagnet.interchange import onnx
        assert onnx.verify(dagnet.load(DEEP, seed=0), out) < (1e-12 if dtype == "float64" else 1e-5)


def test_the_format_comes_from_to_or_the_extension(run, tmp_path):
    code, _, err = run("export", DEEP, "--out", tmp_path / "net.bin")
    assert code == 2 and "cannot tell the format from '.bin'; give --to" in err
    code, _, err = run("export", DEEP, "--out", tmp_path / "net.bin", "--to", "json")
    assert code == 0, err
    assert json.loads((tmp_path / "net.bin").read_text())["graph"]["name"] == "deep-skip"
    code, _, err = run("export", DEEP, "--out", tmp_path / "net.txt", "--to", "jsn")
    assert code == 2 and "unknown format 'jsn' (did you mean 'json'?)" in err


def test_mistakes_are_one_line_each(run, tmp_path):
    code, _, err = run("export", DEEP, "--out", tmp_path / "missing" / "net.json")
    assert code == 1 and "folder" in err and "does not exist" in err
    code, _, err = run("export", tmp_path / "nothing.yaml", "--out", tmp_path / "net.json")
    assert code == 1 and "no such file" in err
    code, _, err = run("export", DEEP, "--out", tmp_path / "net.onnx", "--opset", "12")
    assert code == 2 and "expected a whole number >= 17" in err
    for stream in (err,):
        assert len(stream.strip().splitlines()) == 1


def test_a_missing_extra_is_named(run, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "onnx", None)
    code, _, err = run("export", DEEP, "--out", tmp_path / "net.onnx")
    assert code == 1 and 'ONNX export needs onnx: pip install "dagnet[onnx]"' in err
    assert not (tmp_path / "net.onnx").exists()


def _xor_json():
    return {"format_version": "1.0", "network_type": "feedforward",
            "metadata": {"genome_id": 7}, "topology": {"input_keys": [-1, -2], "output_keys": [0]},
            "nodes": [{"id": 0, "type": "output", "activation": {"name": "sigmoid"},
                       "aggregation": {"name": "sum"}, "bias": -5.0, "response": 1.0},
                      {"id": 3, "type": "hidden", "activation": {"name": "sigmoid"},
                       "aggregation": {"name": "sum"}, "bias": -3.0, "response": 1.0}],
            "connections": [{"from": -1, "to": 3, "weight": 2.0, "enabled": True},
                            {"from": -2, "to": 3, "weight": 2.0, "enabled": True},
                            {"from": -1, "to": 0, "weight": 2.0, "enabled": True},
                            {"from": -2, "to": 0, "weight": 2.0, "enabled": True},
                            {"from": 3, "to": 0, "weight": -4.0, "enabled": True},
                            {"from": 0, "to": 3, "weight": 9.0, "enabled": False}]}


def test_import_neat_writes_a_topology_that_trains_further(run, tmp_path):
    genome = tmp_path / "xor.json"
    genome.write_text(json.dumps(_xor_json()))
    out = tmp_path / "xor.yaml"
    code, stdout, err = run("import-neat", genome, "--out", out, "--loss", "sse")
    assert code == 0, err
    assert stdout.strip() == f"wrote {out}: neat-genome-7, 2 inputs, 1 output, 4 nodes, 5 edges"
    assert "1 disabled connections dropped" in err
    net = dagnet.load(out)
    assert net.loss == "sse" and net.weight(3, 0) == -20.0 and net.bias(3) == -15.0
    X, Y = dagnet.datasets.load("xor")
    before = net.evaluate(X, Y)
    net.fit(X, Y, epochs=50, lr=0.05, optimizer="adam", verbose=False)
    assert net.evaluate(X, Y) < before


def test_import_neat_mistakes_are_one_line_each(run, tmp_path):
    genome = tmp_path / "xor.json"
    data = _xor_json()
    data["nodes"][1]["activation"] = {"name": "hat"}
    genome.write_text(json.dumps(data))
    code, _, err = run("import-neat", genome, "--out", tmp_path / "x.yaml")
    assert code == 1 and "node 3: neat-python activation 'hat' has no dagnet counterpart" in err
    pickled = tmp_path / "winner.pkl"
    pickled.write_bytes(b"\x80\x04junk")
    code, _, err = run("import-neat", pickled, "--out", tmp_path / "x.yaml")
    assert code == 1 and "--trust-pickle" in err
    code, _, err = run("import-neat", pickled, "--trust-pickle", "--out", tmp_path / "x.yaml")
    assert code == 1 and "give the neat-python config file it was evolved with too" in err
    code, _, err = run("import-neat", tmp_path / "none.json", "--out", tmp_path / "x.yaml")
    assert code == 1 and "no such file" in err
    assert len(err.strip().splitlines()) == 1
    assert not (tmp_path / "x.yaml").exists()
