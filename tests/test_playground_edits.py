"""Playground edits keep the weights that survive them; topology errors find their line; limits hold."""

import statistics
import time

import numpy as np
import pytest
from hypothesis import given, strategies as st

import dagnet
from dagnet.errors import TopologyError
from dagnet.playground import edits, limits
from dagnet.playground.yamllines import error_line
from dagnet.strictyaml import read_document
from strategies import dags

TUTORIAL = "topologies/tutorial_2_5_1.yaml"


def weights_of(net):
    return {e: net.weight(*e) for e in net.graph.edges}


def biases_of(net):
    return {n: net.bias(n) for n in net.plan.bias_slot}


# -- edits --------------------------------------------------------------------------------

def test_adding_a_skip_edge_keeps_every_other_weight_and_bias():
    net = dagnet.load(TUTORIAL, seed=3)
    net.params = net.params + 0.25          # "trained": no longer what the seed draws
    edited = edits.toggle_edge(net, "in_x", "out", seed=3)
    assert set(edited.graph.edges) == set(net.graph.edges) | {("in_x", "out")}
    assert {e: edited.weight(*e) for e in net.graph.edges} == weights_of(net)
    assert biases_of(edited) == biases_of(net)


def test_toggling_an_edge_twice_gives_back_the_same_network():
    net = dagnet.load(TUTORIAL, seed=0)
    back = edits.toggle_edge(edits.toggle_edge(net, "in_x", "out"), "in_x", "out")
    assert weights_of(back) == weights_of(net) and biases_of(back) == biases_of(net)


def test_an_edge_that_closes_a_cycle_is_refused_and_names_it():
    net = dagnet.load(TUTORIAL, seed=0)
    with pytest.raises(TopologyError, match="cycle 'h.0' -> 'out' -> 'h.0'"):
        edits.toggle_edge(net, "out", "h.0")


def test_removing_the_last_edge_out_of_a_node_is_refused():
    net = dagnet.load(TUTORIAL, seed=0)
    with pytest.raises(TopologyError, match="cannot reach any output: 'h.2'"):
        edits.toggle_edge(net, "h.2", "out")


def test_an_unknown_node_is_named_with_the_near_miss():
    net = dagnet.load(TUTORIAL, seed=0)
    with pytest.raises(TopologyError, match=r"no source node 'in-x' \(did you mean 'in_x'\?\)"):
        edits.toggle_edge(net, "in-x", "out")


def test_a_perceptron_added_beside_another_joins_its_group_and_copies_its_edges():
    net = dagnet.load(TUTORIAL, seed=0)
    edited, name = edits.add_perceptron(net, beside="h.1")
    assert name == "h.5"
    assert set(edited.graph.predecessors("h.5")) == {"in_x", "in_y"}
    assert set(edited.graph.successors("h.5")) == {"out"}
    assert "h: {size: 6}" in edits.structure_text(edited)
    assert {e: edited.weight(*e) for e in net.graph.edges} == weights_of(net)


def test_a_perceptron_added_with_nothing_selected_goes_from_every_input_to_every_output():
    net = dagnet.load(TUTORIAL, seed=0)
    edited, name = edits.add_perceptron(net)
    assert set(edited.graph.predecessors(name)) == {"in_x", "in_y"}
    assert set(edited.graph.successors(name)) == {"out"}


def test_removing_a_perceptron_keeps_the_rest_and_inputs_stay():
    net = dagnet.load(TUTORIAL, seed=0)
    edited = edits.remove_perceptron(net, "h.3")
    assert "h.3" not in edited.graph
    assert {e: edited.weight(*e) for e in edited.graph.edges} == \
        {e: w for e, w in weights_of(net).items() if "h.3" not in e}
    with pytest.raises(TopologyError, match="only hidden perceptrons"):
        edits.remove_perceptron(net, "in_x")


def test_activation_and_loss_edits_are_judged_by_the_graph_rules():
    net = dagnet.load(TUTORIAL, seed=0)
    assert edits.set_activation(net, "h.0", "tanh").plan.activation["h.0"] == "tanh"
    with pytest.raises(TopologyError, match="unknown activation 'tnah'.*did you mean 'tanh'"):
        edits.set_activation(net, "h.0", "tnah")
    with pytest.raises(TopologyError, match="softmax on node 'h.0', which is not an output"):
        edits.set_activation(net, "h.0", "softmax")
    assert edits.set_loss(net, "binary_cross_entropy").loss == "binary_cross_entropy"
    with pytest.raises(TopologyError, match="loss 'cross_entropy' needs softmax outputs"):
        edits.set_loss(net, "cross_entropy")


def test_an_edit_past_the_limits_is_refused(monkeypatch):
    monkeypatch.setattr(limits, "MAX_EDGES", 15)
    net = dagnet.load(TUTORIAL, seed=0)
    with pytest.raises(TopologyError, match="16 edges is over the playground's limit of 15"):
        edits.toggle_edge(net, "in_x", "out")


@pytest.mark.slow
@given(dags(), st.data())
def test_toggling_any_edge_of_a_random_dag_keeps_every_surviving_parameter(network, data):
    G, inputs, outputs, loss, seed = network
    net = dagnet.Network.from_graph(G, inputs, outputs, loss=loss, seed=seed)
    inputs = set(net.inputs)
    candidates = [(u, v) for u in net.graph for v in net.graph if u != v and v not in inputs]
    u, v = data.draw(st.sampled_from(candidates))
    try:
        edited = edits.toggle_edge(net, u, v, seed=1)
    except TopologyError:
        return   # a cycle or a dead end: refused, nothing to compare
    for e in set(edited.graph.edges) & set(net.graph.edges):
        assert edited.weight(*e) == net.weight(*e)
    for n in set(edited.plan.bias_slot) & set(net.plan.bias_slot):
        assert edited.bias(n) == net.bias(n)
    moved = edits.carry(net.params, net.plan, edited.plan, edited.params)
    np.testing.assert_array_equal(moved, edited.params)


def test_carry_moves_optimiser_moments_to_their_new_slots():
    net = dagnet.load(TUTORIAL, seed=0)
    edited = edits.toggle_edge(net, "in_x", "out")
    moments = np.arange(net.plan.n_params, dtype=float)
    moved = edits.carry(moments, net.plan, edited.plan, np.full(edited.plan.n_params, -1.0))
    for e, slot in net.plan.edge_slot.items():
        assert moved[edited.plan.edge_slot[e]] == moments[slot]
    assert moved[edited.plan.edge_slot["in_x", "out"]] == -1.0


# -- text ----------------------------------------------------------------------------------

def test_applied_text_keeps_old_weights_unless_the_text_gives_its_own():
    old = dagnet.load(TUTORIAL, seed=0)
    text = open(TUTORIAL).read().replace("  - {from: h, to: out}",
                                         "  - {from: h, to: out}\n  - {from: in_x, to: out, weight: 2.5}")
    net, given = edits.from_text(text, previous=old, seed=7)
    assert {e: net.weight(*e) for e in old.graph.edges} == weights_of(old)
    assert net.weight("in_x", "out") == 2.5
    assert list(given) == [net.plan.edge_slot["in_x", "out"]]


def test_weights_the_text_states_win_over_the_surviving_ones():
    old = dagnet.load(TUTORIAL, seed=0)
    text = open(TUTORIAL).read().replace("  - {from: h, to: out}", "  - {from: h, to: out, weight: 0.5}")
    net, _ = edits.from_text(text, previous=old, seed=7)
    assert [net.weight(f"h.{k}", "out") for k in range(5)] == [0.5] * 5
    assert net.weight("in_x", "h.0") == old.weight("in_x", "h.0")


def test_the_structure_text_reads_back_as_the_same_structure():
    net = edits.add_perceptron(dagnet.load(TUTORIAL, seed=0), beside="h.0")[0]
    net = edits.set_activation(net, "h.2", "tanh")
    again, _ = edits.from_text(edits.structure_text(net), previous=net)
    assert set(again.graph.edges) == set(net.graph.edges)
    assert again.plan.activation == net.plan.activation
    assert weights_of(again) == weights_of(net)


def never_parsed(monkeypatch):
    def never(*args, **kwargs):
        raise AssertionError("the topology was built before its size was checked")
    monkeypatch.setattr(edits.topology, "parse", never)


def test_a_huge_group_is_refused_before_it_is_built(monkeypatch):
    text = "inputs: [a]\noutputs: [y]\nnodes:\n  h: {size: 100000000}\n  y: {}\nedges:\n" \
           "  - {from: a, to: h}\n  - {from: h, to: y}\n"
    never_parsed(monkeypatch)
    with pytest.raises(TopologyError, match="100000002 nodes is over the playground's limit"):
        edits.from_text(text)


def test_a_size_written_as_a_float_counts_as_the_loader_builds_it(monkeypatch):
    """``size: 2e2`` builds 200 perceptrons: it must count as 200, not as 1, before anything is built."""
    text = "inputs: {x: 2e2}\noutputs: [y]\nnodes: {h: {size: 2e2}, y: {}}\n" \
           "edges: [{from: x, to: h}, {from: h, to: y}]\n"
    assert dagnet.values.group_size(2e2) == 200 and len(dagnet.topology.parse(text)[0]) == 401
    never_parsed(monkeypatch)
    with pytest.raises(TopologyError, match="401 nodes is over the playground's limit"):
        edits.from_text(text)


def test_limits_count_group_edges_as_the_product_of_sizes():
    data = {"inputs": {"x": 3}, "nodes": {"h": {"size": 4.0}, "y": {}},
            "edges": [{"from": "x", "to": "h"}, {"from": ["h", "x"], "to": "y"}]}
    assert limits.count_topology(data) == (8, 3 * 4 + 7)


def test_limits_count_a_name_declared_twice_and_names_of_any_type():
    """The loader builds the input group before it finds the node of the same name: both count."""
    data = {"inputs": [{"h": 200}], "nodes": {"h": {}, 1: {"size": 2}, "1": {"size": 3}, "y": {}},
            "edges": [{"from": [["h"]], "to": 1}, {"from": "h", "to": "1"}]}
    assert limits.count_topology(data) == (200 + 1 + 2 + 3 + 1, 1 * 2 + 200 * 3)


def test_the_parsed_graph_is_checked_too_before_its_network_is_built(monkeypatch):
    monkeypatch.setattr(limits, "count_topology", lambda data: (0, 0))     # a count that missed something
    monkeypatch.setattr(limits, "MAX_EDGES", 14)
    monkeypatch.setattr(edits, "Network", None)                           # never reached
    with pytest.raises(TopologyError, match="15 edges is over the playground's limit of 14"):
        edits.from_text(open(TUTORIAL).read())


KEYED = ("inputs: [a]\n"             # 1
         "outputs: [y]\n"            # 2
         "nodes:\n"                  # 3
         "  h.0: {bias: 1}\n"        # 4
         "  y: {}\n"                 # 5
         "edges:\n"                  # 6
         "  - {from: h.0, to: y}\n"  # 7
         "  - {from: a, to: h.0}\n") # 8


@pytest.mark.parametrize("key, line", [
    ("edges[1].to", 8), ("edges[0]", 7), ("nodes.h.0", 4), ("nodes.h.0.bias", 4), ("outputs", 2),
    ("line 5, column 3", 5), ("nodes.missing", 3), (None, None),
])
def test_an_error_key_finds_its_line(key, line):
    assert error_line(KEYED, key) == line


def test_the_longest_node_name_a_key_path_can_mean_wins():
    text = "inputs: [a]\noutputs: [y]\nnodes:\n  h: {size: 2}\n  h.0: {bias: 1}\n  y: {}\n"
    assert error_line(text, "nodes.h.0") == 5 and error_line(text, "nodes.h.size") == 4
    assert error_line(text, "nodes.h.1") == 4          # no node h.1: the deepest part found, h


def test_an_error_key_through_a_name_of_many_dots_is_found_in_linear_time():
    """Every key of a mapping is compared once with the rest of the path, not once per split of it."""
    name = "a." * 16_000 + "b"
    text = f"inputs: [x]\noutputs: [y]\nnodes:\n  ? {name}\n  : {{activation: nope}}\n  y: {{}}\n"
    started = time.perf_counter()
    assert error_line(text, f"nodes.{name}.activation") == 5
    assert time.perf_counter() - started < 5       # a few ms; splitting the path at each dot took minutes


@pytest.mark.slow
def test_finding_an_error_line_costs_less_than_reading_the_text():
    """A 250 KiB topology: error_line took 3.2 times as long as the strict reader, 0.6 times now."""
    n = 3500
    text = "inputs: [a]\noutputs: [y]\nnodes:\n" + "".join(f"  n{i}: {{}}\n" for i in range(n)) + \
           "  y: {}\nedges:\n" + "".join(f"  - {{from: a, to: n{i}}}\n  - {{from: n{i}, to: y}}\n" for i in range(n))

    def took(call):
        started = time.perf_counter()
        call()
        return time.perf_counter() - started
    ratios = [took(lambda: error_line(text, f"edges[{2 * n - 1}].to")) / took(lambda: read_document(text))
              for _ in range(3)]
    assert error_line(text, f"edges[{2 * n - 1}].to") == 3 * n + 5
    assert statistics.median(ratios) < 1.5


def test_the_error_of_an_invalid_edge_names_the_line_it_is_on():
    text = open(TUTORIAL).read() + "  - {from: out, to: nowhere}\n"
    with pytest.raises(TopologyError) as caught:
        edits.from_text(text)
    assert "unknown node 'nowhere'" in str(caught.value)
    assert error_line(text, caught.value.key) == len(text.splitlines())
