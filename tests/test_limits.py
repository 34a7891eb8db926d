"""Every way into dagnet holds the same size limits, checked on the counts before anything is built."""
from types import SimpleNamespace

import networkx as nx
import pytest

import dagnet
from dagnet import limits
from dagnet.generate import generate
from dagnet.interchange import InterchangeError, graphs
from dagnet.interchange import neat as neat_import


# A fan: input x, hidden h0 ... h{k-1}, output y; k + 2 nodes and 2k edges, in each way's language.

def fan_text(k, cycle=False):
    edges = "[{from: x, to: hs}, {from: hs, to: y}" + (", {from: y, to: hs}]" if cycle else "]")
    return f"inputs: [x]\noutputs: [y]\nnodes: {{hs: {{size: {k}}}, y: {{}}}}\nedges: {edges}\n"


def fan_graph(k, cycle=False):
    G = nx.DiGraph(inputs=["x"], outputs=["y"])
    G.add_edges_from(("x", f"h{i}") for i in range(k))
    G.add_edges_from((f"h{i}", "y") for i in range(k))
    if cycle:
        G.add_edge("y", "h0")
    return G


def fan_node_link(k, cycle=False):
    return {"directed": True, "multigraph": False, "graph": {"inputs": ["x"], "outputs": ["y"]},
            "nodes": [{"id": n} for n in fan_graph(k)],
            "edges": [{"source": u, "target": v} for u, v in fan_graph(k, cycle).edges]}


def fan_neat_json(k, cycle=False):
    node = {"type": "hidden", "activation": {"name": "tanh"}, "aggregation": {"name": "sum"},
            "bias": 0.0, "response": 1.0}
    return {"topology": {"input_keys": [-1], "output_keys": [0]},
            "nodes": [{**node, "id": i} for i in range(k + 1)] + [{"id": -1, "type": "input"}],
            "connections": [{"from": -1, "to": i, "weight": 1.0} for i in range(1, k + 1)]
                           + [{"from": i, "to": 0, "weight": 1.0} for i in range(1, k + 1)]
                           + ([{"from": 0, "to": 1, "weight": 1.0}] if cycle else [])}


def fan_neat_objects(k, cycle=False):
    data = fan_neat_json(k, cycle)
    nodes = {n["id"]: SimpleNamespace(activation="tanh", aggregation="sum", bias=0.0, response=1.0)
             for n in data["nodes"] if n["id"] >= 0}
    connections = {(c["from"], c["to"]): SimpleNamespace(key=(c["from"], c["to"]), weight=1.0, enabled=True)
                   for c in data["connections"]}
    config = SimpleNamespace(input_keys=[-1], output_keys=[0])
    return SimpleNamespace(nodes=nodes, connections=connections), config


WAYS_IN = {   # name: (build a fan of k hidden nodes, the error it raises over the limits)
    "topology file": (lambda k, cycle=False: dagnet.loads(fan_text(k, cycle)), dagnet.TopologyError),
    "Network.from_graph": (lambda k, cycle=False: dagnet.Network.from_graph(fan_graph(k, cycle)),
                           dagnet.TopologyError),
    "node-link JSON": (lambda k, cycle=False: graphs.from_node_link(fan_node_link(k, cycle)), InterchangeError),
    "neat-python JSON": (lambda k, cycle=False: neat_import.from_json(fan_neat_json(k, cycle)), InterchangeError),
    "neat-python genome": (lambda k, cycle=False: neat_import.from_neat(*fan_neat_objects(k, cycle)),
                           InterchangeError),
}


@pytest.mark.parametrize("way", WAYS_IN)
def test_every_way_in_refuses_a_node_more_than_the_limit(way):
    build, error = WAYS_IN[way]
    with limits.raised(max_nodes=22):
        assert len(build(20).graph) == 22                    # at the limit: built
        with pytest.raises(error, match=r"dagnet\.limits\.LIMITS\.max_nodes is 22"):
            build(21)


@pytest.mark.parametrize("way", WAYS_IN)
def test_every_way_in_refuses_an_edge_more_than_the_limit(way):
    build, error = WAYS_IN[way]
    with limits.raised(max_edges=40):
        assert build(20).graph.number_of_edges() == 40
        with pytest.raises(error, match=r"dagnet\.limits\.LIMITS\.max_edges is 40"):
            build(21)


@pytest.mark.parametrize("way", WAYS_IN)
def test_the_counts_are_checked_before_anything_else(way):
    """A network over the limits and with a cycle is refused for its size: nothing was built to find the cycle."""
    build, error = WAYS_IN[way]
    with pytest.raises(ValueError, match="cycle"):
        build(3, cycle=True)
    with limits.raised(max_nodes=10):
        with pytest.raises(error, match="LIMITS.max_nodes"):
            build(30, cycle=True)


def test_a_generated_network_holds_the_same_limits():
    with limits.raised(max_nodes=22):
        assert len(generate("mlp", inputs=1, outputs=1, sizes=[20]).graph) == 22
        with pytest.raises(ValueError, match=r"dagnet\.limits\.LIMITS\.max_nodes is 22"):
            generate("mlp", inputs=1, outputs=1, sizes=[21])


def test_the_message_says_how_far_over_and_which_limit():
    with limits.raised(max_nodes=22):
        with pytest.raises(dagnet.TopologyError, match=r"^23 nodes \(inputs included\), over 22 \(the "
                                                       r"limit dagnet\.limits\.LIMITS\.max_nodes is 22; "
                                                       r"raise it if you mean it\)$"):
            dagnet.Network.from_graph(fan_graph(21))


def test_a_network_built_from_a_graph_loads_again_from_the_file_it_saves(tmp_path):
    with limits.raised(max_nodes=22):
        net = dagnet.Network.from_graph(fan_graph(20), seed=0)
        net.save(tmp_path / "fan.yaml")
        assert (dagnet.load(tmp_path / "fan.yaml").params == net.params).all()
