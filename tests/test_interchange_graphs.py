"""GraphML, GEXF and node-link JSON: typed attributes, and JSON that reads back as the same network."""
import json

import networkx as nx
import numpy as np
import pytest
from hypothesis import given
from strategies import ALL, dags

import dagnet
from dagnet.interchange import InterchangeError, graphs


def same_network(a, b):
    assert a.plan.nodes == b.plan.nodes
    assert (a.inputs, a.outputs, a.loss, a.name) == (b.inputs, b.outputs, b.loss, b.name)
    assert a.plan.edge_slot == b.plan.edge_slot and a.plan.bias_slot == b.plan.bias_slot
    assert a.plan.activation == b.plan.activation
    assert np.array_equal(a.plan.mask, b.plan.mask)
    assert a.params.tobytes() == b.params.tobytes()            # bit for bit
    for n in a.graph:
        assert a.graph.nodes[n]["group"] == b.graph.nodes[n]["group"]


@pytest.mark.slow
@given(dags(activations=ALL))
def test_node_link_json_reads_back_as_the_same_network(case):
    G, inputs, outputs, loss, seed = case
    net = dagnet.Network.from_graph(G, inputs, outputs, loss=loss, seed=seed)
    text = json.dumps(graphs.to_node_link(net))
    same_network(graphs.from_node_link(text), net)


def test_a_file_round_trip_keeps_groups_fixed_weights_and_metadata(tmp_path):
    net = dagnet.loads("""
name: kept
description: every attribute survives
metadata: {author: someone, run: 3}
inputs: {x: 2}
outputs: [y]
loss: sse
nodes:
  h: {size: 3, activation: tanh}
  g: {activation: sigmoid, bias: 0.25, trainable: false}
  y: {activation: linear, bias: false}
edges:
  - {from: x, to: h}
  - {from: h, to: y, weight: 0.5, trainable: false}
  - {from: x.0, to: [y, g]}
  - {from: g, to: y}
""", seed=4)
    assert net.plan.mask[net.plan.bias_slot["g"]] == 0.0
    path = graphs.write_json(net, tmp_path / "net.json")
    back = graphs.read_json(path)
    same_network(back, net)
    assert back.graph.graph["metadata"] == {"author": "someone", "run": 3}
    assert back.graph.graph["description"] == "every attribute survives"
    data = json.loads(path.read_text())
    assert nx.is_isomorphic(networkx_reads(data), nx.DiGraph(net.graph))     # what networkx makes of it


def networkx_reads(data):
    """networkx's own reading of node-link data (before networkx 3.4 the edge list's key was a link)."""
    try:
        return nx.node_link_graph(data, directed=True, multigraph=False, edges="edges")
    except TypeError:
        return nx.node_link_graph(data, directed=True, multigraph=False, attrs={
            "source": "source", "target": "target", "name": "id", "key": "key", "link": "edges"})


def _kinds(attrs):
    return {type(v) for v in attrs.values()}


@pytest.mark.parametrize("fmt", ["graphml", "gexf"])
def test_graphml_and_gexf_carry_typed_attributes(tmp_path, fmt):
    net = dagnet.load("topologies/deep_skip.yaml", seed=0)
    write, read = {"graphml": (graphs.write_graphml, nx.read_graphml),
                   "gexf": (graphs.write_gexf, nx.read_gexf)}[fmt]
    H = read(write(net, tmp_path / f"net.{fmt}"))
    assert H.number_of_nodes() == len(net.graph) and H.number_of_edges() == net.graph.number_of_edges()
    for u, v in net.graph.edges:
        edge = H.edges[str(u), str(v)]
        assert edge["weight"] == net.weight(u, v)                  # doubles keep every digit
        assert type(edge["trainable"]) is bool and type(edge["skip"]) is bool
    for n in net.graph:
        node = H.nodes[str(n)]
        assert node["role"] == net.graph.nodes[n]["role"]
        if net.bias(n) is not None:
            assert node["bias"] == net.bias(n) and type(node["bias"]) is float
        assert type(node["generation"]) is int


def test_every_attribute_of_the_typed_graph_is_a_plain_scalar():
    net = dagnet.loads("""
inputs: [a]
outputs: [y]
nodes: {h: {size: 2, bias: false}, y: {}}
edges: [{from: a, to: h}, {from: h, to: y}, {from: a, to: y}]
""", seed=0)
    H = graphs.typed_graph(net)
    for _, attrs in H.nodes(data=True):
        assert _kinds(attrs) <= {str, int, float, bool}
    for _, _, attrs in H.edges(data=True):
        assert _kinds(attrs) <= {float, bool}
    assert _kinds(H.graph) <= {str}
    assert "bias" not in H.nodes["h.0"] and H.nodes["h.0"]["has_bias"] is False
    assert H.edges["a", "y"]["skip"] is True and H.edges["a", "h.0"]["skip"] is False
    assert json.loads(H.graph["inputs"]) == ["a"]


def test_names_that_read_alike_are_refused_for_graphml():
    G = nx.DiGraph([(1, "1"), ("1", "y")])
    net = dagnet.Network.from_graph(G, inputs=[1], outputs=["y"], seed=0)
    with pytest.raises(InterchangeError, match=r"nodes 1 and '1' have the same text '1'"):
        graphs.typed_graph(net)
    same_network(graphs.from_node_link(graphs.to_node_link(net)), net)   # JSON keeps them apart


@pytest.mark.parametrize("text, message", [
    ('{"nodes": [', "not JSON"),
    ('[1, 2]', "not node-link JSON: expected an object with a 'nodes' list"),
    ('{"nodes": [], "edges": {}}', "expected an 'edges' .or 'links'. list"),
    ('{"nodes": [{"id": "a"}, {"id": "a"}], "edges": []}', r"nodes\[1\]: node 'a' is listed twice"),
    ('{"nodes": [{"id": "a"}], "edges": [{"source": "a", "target": "b"}]}',
     r"edges\[0\]: edge 'a' -> 'b': 'b' is not among the nodes"),
    ('{"directed": false, "nodes": [], "edges": []}', "must be directed"),
    ('{"graph": {"inputs": ["x"], "outputs": ["b"]}, "nodes": [{"id": "x"}, {"id": "a"}, {"id": "b"}], '
     '"edges": [{"source": "x", "target": "a"}, {"source": "a", "target": "b"}, '
     '{"source": "b", "target": "a"}]}', r"broken\.json: cycle 'a' -> 'b' -> 'a'"),
])
def test_broken_node_link_json_is_one_clear_error(tmp_path, text, message):
    path = tmp_path / "broken.json"
    path.write_text(text)
    with pytest.raises(dagnet.TopologyError if "cycle" in message else InterchangeError, match=message):
        graphs.read_json(path)
