"""Every shipped topology loads, validates and computes."""
import glob
import os

import numpy as np
import pytest

import dagnet
from dagnet.gradient_check import gradcheck

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FILES = sorted(glob.glob(os.path.join(ROOT, "topologies", "*.yaml")))


def test_the_shipped_topologies_are_there():
    names = {os.path.basename(f) for f in FILES}
    assert {"perceptron.yaml", "tutorial_2_5_1.yaml", "tanh_softmax_2_500_2.yaml", "mlp_one_hidden.yaml",
            "chain_1_1_1.yaml", "xor_skip.yaml", "deep_skip.yaml"} <= names


@pytest.mark.parametrize("path", FILES, ids=os.path.basename)
def test_topology_loads_and_its_gradients_check(path):
    net = dagnet.load(path, seed=0)
    rng = np.random.default_rng(0)
    X = rng.normal(size=(4, len(net.inputs)))
    Y = rng.integers(0, 2, size=(4, 1)) if net.loss != "mse" or len(net.outputs) == 1 else None
    if net.loss == "cross_entropy":
        Y = rng.integers(0, len(net.outputs), 4)
    elif len(net.outputs) > 1:
        Y = rng.random((4, len(net.outputs)))
    assert net.predict(X).shape == (4, len(net.outputs))
    result = gradcheck(net, X, Y, max_params=60)
    assert result.ok, str(result)


def test_same_seed_same_weights_different_seed_different(topology_path):
    a = dagnet.load(topology_path("deep_skip.yaml"), seed=5)
    b = dagnet.load(topology_path("deep_skip.yaml"), seed=5)
    c = dagnet.load(topology_path("deep_skip.yaml"), seed=6)
    assert np.array_equal(a.params, b.params)
    assert not np.array_equal(a.params, c.params)


def test_groups_expand_and_connect_all_to_all(topology_path):
    net = dagnet.load(topology_path("tanh_softmax_2_500_2.yaml"), seed=0)
    G = net.graph
    assert G.number_of_edges() == 2 * 500 + 500 * 2
    assert G.nodes["h.499"]["group"] == "h" and G.nodes["h.0"]["activation"] == "tanh"
    assert net.inputs == ["x.0", "x.1"] and net.outputs == ["out.0", "out.1"]


def test_explicit_weights_and_biases_are_start_values(topology_path):
    net = dagnet.load(topology_path("xor_skip.yaml"), seed=0)
    assert net.weight("n", "y") == -20.0 and net.bias("n") == -15.0


def test_weight_edits_through_the_graph_take_effect(topology_path):
    net = dagnet.load(topology_path("chain_1_1_1.yaml"))
    before = net.predict([[1.0]])
    net.graph.edges["h", "y"]["weight"] = 5.0
    assert net.weight("h", "y") == 5.0
    assert not np.array_equal(before, net.predict([[1.0]]))


def test_node_names_of_any_hashable_type():
    import networkx as nx
    G = nx.DiGraph([(0, (1, "a")), ((1, "a"), 2.5), (0, 2.5)])
    net = dagnet.Network.from_graph(G, seed=0)
    trace = net.forward([[1.0], [2.0]])
    assert trace.z[(1, "a")].shape == (2,) and net.outputs == [2.5]


def test_a_bias_free_node_has_no_bias_gradient():
    import networkx as nx
    G = nx.DiGraph([("x", "h"), ("h", "y")])
    G.nodes["h"]["bias"] = None
    net = dagnet.Network.from_graph(G, seed=0)
    _, grads = net.gradients([[1.0]], [[0.0]])
    assert "h" not in grads.bias and "y" in grads.bias and net.bias("h") is None


def test_glorot_follows_the_layer_formula_on_an_mlp_and_the_source_out_degree_in_a_dag():
    """w_{i→j} ~ U(±√(6 / (fan_in(j) + fan_out(i)))): the layer widths in an MLP, degrees in a DAG."""
    import networkx as nx
    from dagnet.generate import graph
    net = dagnet.Network.from_graph(graph("mlp", sizes=[40, 10], inputs=30, outputs=1), seed=0)
    layers = {"h1": (30, 40), "h2": (40, 10), "y": (10, 1)}
    for layer, (n_before, n_after) in layers.items():
        weights = np.abs([net.weight(u, v) for u, v in net.graph.edges if str(v).split(".")[0] == layer])
        limit = np.sqrt(6.0 / (n_before + n_after))
        assert weights.max() <= limit and weights.max() > 0.9 * limit, layer
    G = nx.DiGraph([("x", f"h{k}") for k in range(9)] + [(f"h{k}", "y") for k in range(9)] + [("x", "y")])
    skip = np.abs([dagnet.Network.from_graph(G, seed=s).weight("x", "y") for s in range(300)])
    assert skip.max() <= np.sqrt(6.0 / (10 + 10)) and skip.max() > 0.9 * np.sqrt(6.0 / 20)


def test_metadata_is_kept_with_the_network_through_save_and_load(tmp_path):
    text = ("name: m\nmetadata: {author: ada, tags: [demo, xor], version: 3}\n"
            "inputs: [a]\noutputs: [y]\nnodes: {y: {}}\nedges: [{from: a, to: y}]\n")
    net = dagnet.loads(text, seed=0)
    net.save(tmp_path / "m.yaml")
    again = dagnet.load(tmp_path / "m.yaml")
    meta = again.structure.graph["metadata"]
    assert meta["author"] == "ada" and meta["tags"] == ["demo", "xor"] and meta["version"] == 3
    assert meta["saved_by"] == "dagnet"
    assert dagnet.loads(again.to_yaml(form="grouped")).structure.graph["metadata"]["author"] == "ada"
