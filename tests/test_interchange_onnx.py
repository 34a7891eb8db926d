"""ONNX export against onnxruntime: random DAGs of every activation and every loss's output layout."""
import sys

import networkx as nx
import numpy as np
import pytest
from fresh_python import modules_loaded
from hypothesis import given, settings
from strategies import ALL, dags, data_for
from test_interchange_support import random_sparse

import dagnet
from dagnet.activations import ACTIVATIONS
from dagnet.interchange import InterchangeError, MissingDependency, require
from dagnet.plan import DenseStep, SparseStep

onnx = pytest.importorskip("onnx", reason="the onnx extra is not installed")
ort = pytest.importorskip("onnxruntime", reason="the onnx extra (onnxruntime) is not installed")
from dagnet.interchange import onnx as exporter  # noqa: E402
from dagnet.interchange.onnx_graph import ACTIVATION_OPS  # noqa: E402


def onnx_predict(net, X, **options):
    proto = exporter.model(net, **options)
    onnx.checker.check_model(proto, full_check=True)
    session = ort.InferenceSession(proto.SerializeToString(), providers=["CPUExecutionProvider"])
    dtype = np.float32 if options.get("dtype") == "float32" else np.float64
    return session.run(None, {session.get_inputs()[0].name: np.asarray(X, dtype=dtype)})[0]


@pytest.mark.slow
@given(dags(activations=ALL))
def test_onnxruntime_agrees_with_predict_on_random_dags(case):
    G, inputs, outputs, loss, seed = case
    net = dagnet.Network.from_graph(G, inputs, outputs, loss=loss, seed=seed)
    X, _ = data_for(net, seed, n=9)
    np.testing.assert_allclose(onnx_predict(net, X), net.predict(X), rtol=1e-12, atol=1e-12)


@settings(max_examples=20)
@given(dags(activations=ALL))
def test_float32_export_agrees_to_single_precision(case):
    G, inputs, outputs, loss, seed = case
    net = dagnet.Network.from_graph(G, inputs, outputs, loss=loss, seed=seed)
    X, _ = data_for(net, seed, n=5)
    Y = onnx_predict(net, X, dtype="float32")
    assert Y.dtype == np.float32
    np.testing.assert_allclose(Y, net.predict(X), rtol=1e-4, atol=1e-5)


def test_every_activation_has_an_onnx_form():
    assert set(ACTIVATION_OPS) == set(ACTIVATIONS) | {"softmax"}


@pytest.mark.parametrize("activation", sorted(ACTIVATIONS))
def test_each_activation_is_exact_where_numpy_is_stable(activation):
    """Sums from −1000 to 1000, where a naive formula would overflow."""
    G = nx.DiGraph([("x", "y")])
    G.nodes["y"].update(activation=activation, bias=0.0)
    G.edges["x", "y"]["weight"] = 1.0
    net = dagnet.Network.from_graph(G)
    X = np.r_[-1000.0, -30.0, -1.0, -1e-9, 0.0, 1e-9, 0.5, 20.5, 1000.0][:, None]
    # onnxruntime's float64 Sigmoid is exact to 1e-16 absolute, not relative, in the far tail
    np.testing.assert_allclose(onnx_predict(net, X), net.predict(X), rtol=1e-12, atol=1e-14)


@pytest.mark.slow
def test_sparse_generations_stay_small_and_exact():
    net = random_sparse(2000, activations=("tanh", "sigmoid", "relu"))
    assert len(net.plan.edge_slot) > 20_000
    assert sum(isinstance(step, SparseStep) for step in net.plan.steps) > 20
    X = np.random.default_rng(1).normal(size=(16, 32))
    np.testing.assert_allclose(onnx_predict(net, X), net.predict(X), rtol=1e-12, atol=1e-12)


def test_the_file_size_the_docs_quote():
    """The figure of onnx_graph.py and docs/interchange.md: 20,373 edges, 60 of 80 generations
    sparse, 0.34 MiB (0.24 MiB float32)."""
    net = random_sparse(2000)
    sparse = sum(isinstance(step, SparseStep) for step in net.plan.steps)
    assert (len(net.plan.edge_slot), sparse, len(net.plan.steps)) == (20_373, 60, 80)
    for dtype, mib in (("float64", 0.34), ("float32", 0.24)):
        size = len(exporter.model(net, dtype=dtype).SerializeToString()) / 2**20
        assert round(size, 2) == mib, (dtype, size)


def test_sparse_weights_are_stored_once_per_edge():
    net = random_sparse(300)
    proto = exporter.model(net)
    values = sum(int(np.prod(t.dims)) for t in proto.graph.initializer
                 if t.data_type == onnx.TensorProto.DOUBLE)
    dense = sum(step.n_slots for step in net.plan.steps if isinstance(step, DenseStep))
    sparse = sum(step.n_slots for step in net.plan.steps if isinstance(step, SparseStep))
    assert sparse > 0
    # weights (one per edge or dense slot), one bias per computed node, a few scalars
    assert values <= dense + sparse + net.plan.n_nodes + 10


def test_constant_nodes_interleaved_activations_and_softmax_outputs_at_different_depths():
    G = nx.DiGraph()
    G.add_node("c", activation="tanh", bias=0.7)            # no inputs: s = b
    G.add_node("h1", activation="sigmoid")
    G.add_node("h2", activation="sin")
    G.add_node("h3", activation="sigmoid")                  # h1..h3 interleave two activations
    G.add_node("deep", activation="elu")
    G.add_nodes_from(["o1", "o2", "o3"], activation="softmax")
    G.add_edges_from([("x", "h1"), ("c", "h2"), ("x", "h3"), ("x", "o1"), ("h1", "deep"),
                      ("deep", "o2"), ("h2", "o3"), ("h3", "o3"), ("c", "o1")])
    net = dagnet.Network.from_graph(G, inputs=["x"], outputs=["o1", "o2", "o3"],
                                    loss="cross_entropy", seed=3)
    assert net.plan.n_constants == 1
    X = np.linspace(-2, 2, 7)[:, None]
    np.testing.assert_allclose(onnx_predict(net, X), net.predict(X), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("opset", [17, onnx.defs.onnx_opset_version()])
def test_every_supported_opset_runs(opset):
    net = dagnet.load("topologies/deep_skip.yaml", seed=0)
    X = np.random.default_rng(0).normal(size=(5, 2))
    try:
        Y = onnx_predict(net, X, opset=opset)
    except Exception as err:   # an onnx newer than this onnxruntime
        if "opset" in str(err).lower() and opset > 17:
            pytest.skip(f"onnxruntime does not run opset {opset} yet")
        raise
    np.testing.assert_allclose(Y, net.predict(X), rtol=1e-12, atol=1e-12)


def test_inputs_and_outputs_are_named_with_the_node_names_in_the_metadata():
    net = dagnet.load("topologies/tutorial_2_5_1.yaml", seed=0)
    proto = exporter.model(net, input_name="points", output_name="red")
    assert [i.name for i in proto.graph.input] == ["points"]
    assert [o.name for o in proto.graph.output] == ["red"]
    props = {p.key: p.value for p in proto.metadata_props}
    assert props["dagnet.inputs"] == '["in_x", "in_y"]' and props["dagnet.outputs"] == '["out"]'
    assert props["dagnet.loss"] == net.loss
    assert proto.graph.input[0].doc_string == "columns: in_x, in_y"


def test_network_method_writes_a_file_that_verifies(tmp_path):
    net = dagnet.load("topologies/mlp_one_hidden_ce.yaml", seed=0)
    path = net.to_onnx(tmp_path / "net.onnx")
    assert exporter.verify(net, path) <= 1e-12
    np.testing.assert_allclose(exporter.run(path, [[0.5, -1.0]]), net.predict([[0.5, -1.0]]), rtol=1e-12)


def test_a_corrupt_onnx_file_is_one_clear_error(tmp_path):
    path = tmp_path / "broken.onnx"
    net = dagnet.load("topologies/xor_skip.yaml")
    path.write_bytes(exporter.model(net).SerializeToString()[:-40])
    with pytest.raises(InterchangeError, match=r"broken\.onnx: not a valid ONNX model"):
        exporter.run(path, [[0, 1]])
    with pytest.raises(InterchangeError, match="no such file"):
        exporter.run(tmp_path / "missing.onnx", [[0, 1]])


def test_bad_options_are_refused():
    net = dagnet.load("topologies/xor_skip.yaml")
    with pytest.raises(ValueError, match="dtype must be one of float64, float32"):
        exporter.model(net, dtype="float16")
    with pytest.raises(ValueError, match="opset must be a whole number from 17"):
        exporter.model(net, opset=13)


def test_a_missing_package_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "onnx", None)
    with pytest.raises(MissingDependency, match=r'ONNX export needs onnx: pip install "dagnet\[onnx\]"'):
        require("onnx", "ONNX export")


@pytest.mark.slow
def test_import_dagnet_imports_no_optional_package():
    modules = modules_loaded("import dagnet, dagnet.interchange.onnx, dagnet.interchange.torch, "
                             "dagnet.interchange.neat, dagnet.interchange.graphs, dagnet.interchange.sklearn_onnx")
    assert not set(modules) & {"onnx", "onnxruntime", "torch", "neat", "skl2onnx", "sklearn"}
