"""Every way a topology can be broken gets a message naming the file, the key and the culprit."""
import networkx as nx
import numpy as np
import pytest

import dagnet
from dagnet import TopologyError

GOOD = """
inputs: [a, b]
outputs: [y]
nodes:
  hidden: {size: 2}
  y: {}
edges:
  - {from: [a, b], to: hidden}
  - {from: hidden, to: y}
"""


def error_of(text, tmp_path):
    path = tmp_path / "net.yaml"
    path.write_text(text)
    with pytest.raises(TopologyError) as info:
        dagnet.load(path)
    message = str(info.value)
    assert message.startswith(str(path) + ": "), message
    assert "\n" not in message
    return message


def test_a_good_file_loads(tmp_path):
    path = tmp_path / "net.yaml"
    path.write_text(GOOD)
    net = dagnet.load(path, seed=0)
    assert list(net.plan.nodes) == ["a", "b", "hidden.0", "hidden.1", "y"]


def test_cycle_is_printed_as_its_path(tmp_path):
    message = error_of("""
inputs: [x]
outputs: [y]
nodes: {a: {}, b: {}, c: {}, y: {}}
edges:
  - {from: x, to: a}
  - {from: a, to: b}
  - {from: b, to: c}
  - {from: c, to: a}
  - {from: c, to: y}
""", tmp_path)
    assert "cycle 'a' -> 'b' -> 'c' -> 'a'" in message
    assert "edges[" in message


def test_self_loop(tmp_path):
    message = error_of(GOOD + "  - {from: y, to: y}\n", tmp_path)
    assert "edges[2]: self-loop on 'y'" in message


def test_unknown_edge_endpoint_suggests_the_closest_name(tmp_path):
    message = error_of(GOOD.replace("to: hidden}", "to: hiden}"), tmp_path)
    assert "edges[0].to: unknown node 'hiden' (did you mean 'hidden'?)" in message


def test_unknown_source_is_named(tmp_path):
    message = error_of(GOOD.replace("from: [a, b]", "from: [a, c]"), tmp_path)
    assert "edges[0].from: unknown node 'c'" in message


def test_duplicate_node_name(tmp_path):
    message = error_of(GOOD.replace("  y: {}", "  y: {}\n  a: {}"), tmp_path)
    assert "nodes.a: duplicate node name 'a' (first defined at inputs[0])" in message


def test_group_member_clashing_with_a_node(tmp_path):
    message = error_of(GOOD.replace("  y: {}", "  y: {}\n  hidden.1: {}"), tmp_path)
    assert "duplicate node name 'hidden.1'" in message


def test_duplicate_edge(tmp_path):
    message = error_of(GOOD + "  - {from: hidden.0, to: y}\n", tmp_path)
    assert "edges[2]: duplicate edge 'hidden.0' -> 'y' (first at edges[1])" in message


def test_edge_into_an_input(tmp_path):
    message = error_of(GOOD + "  - {from: y, to: a}\n", tmp_path)
    assert "edges[2]: edge 'y' -> 'a' goes into input 'a'" in message


def test_output_that_is_not_a_node(tmp_path):
    message = error_of(GOOD.replace("outputs: [y]", "outputs: [z]"), tmp_path)
    assert "outputs[0]: unknown node 'z'" in message


def test_nodes_that_cannot_reach_an_output_are_listed(tmp_path):
    message = error_of(GOOD.replace("  y: {}", "  y: {}\n  lost: {}\n  astray: {}") +
                       "  - {from: a, to: [lost, astray]}\n", tmp_path)
    assert "2 nodes cannot reach any output: 'astray', 'lost'" in message
    assert "nodes.astray" in message


def test_unused_input(tmp_path):
    message = error_of(GOOD.replace("inputs: [a, b]", "inputs: [a, b, c]"), tmp_path)
    assert "1 input cannot reach any output: 'c'" in message
    assert "inputs[2]" in message


def test_unknown_activation_lists_the_valid_ones(tmp_path):
    message = error_of(GOOD.replace("  y: {}", "  y: {activation: sigmiod}"), tmp_path)
    assert "nodes.y: unknown activation 'sigmiod' for node 'y' (did you mean 'sigmoid'?)" in message
    assert "known: elu, gaussian, identity" in message


def test_unknown_loss_lists_the_valid_ones(tmp_path):
    message = error_of("loss: mse_loss\n" + GOOD, tmp_path)
    assert "loss: unknown loss 'mse_loss' (did you mean 'mse'?); known: sse, mse, cross_entropy" in message


def test_softmax_on_a_hidden_node(tmp_path):
    message = error_of(GOOD.replace("hidden: {size: 2}", "hidden: {size: 2, activation: softmax}"),
                       tmp_path)
    assert "nodes.hidden: softmax on node 'hidden.0', which is not an output" in message


@pytest.mark.parametrize("weight, shown", [("abc", "'abc'"), (".nan", "nan"), (".inf", "inf"),
                                           ("true", "True"), ("[1, 2]", None)])
def test_non_numeric_or_non_finite_weight(tmp_path, weight, shown):
    message = error_of(GOOD.replace("to: hidden}", f"to: hidden, weight: {weight}}}"), tmp_path)
    assert "edges[0].weight: weight must be" in message
    if shown:
        assert shown in message


def test_non_finite_bias(tmp_path):
    message = error_of(GOOD.replace("  y: {}", "  y: {bias: .nan}"), tmp_path)
    assert "nodes.y.bias: bias must be finite" in message


def test_duplicate_yaml_key(tmp_path):
    message = error_of(GOOD.replace("  y: {}", "  y: {}\n  y: {activation: tanh}"), tmp_path)
    assert "line 7, column 3: duplicate key 'y' (first at line 6)" in message


@pytest.mark.parametrize("tag", ["!!python/object/apply:os.system ['echo hi']", "!!binary aGk=",
                                 "!custom 3", "!!set {a, b}"])
def test_yaml_tags_beyond_plain_data_are_refused(tmp_path, tag):
    message = error_of(GOOD.replace("  y: {}", f"  y: {{bias: {tag}}}"), tmp_path)
    assert "is not allowed (plain data only)" in message


def test_empty_file(tmp_path):
    assert "empty topology" in error_of("", tmp_path)
    assert "empty topology" in error_of("# only a comment\n", tmp_path)


def test_a_file_that_is_not_a_mapping(tmp_path):
    assert "a topology must be a mapping" in error_of("- a\n- b\n", tmp_path)
    assert "got a str" in error_of("just text\n", tmp_path)


def test_broken_yaml_names_the_line(tmp_path):
    message = error_of("inputs: [a, b\noutputs: [y]\n", tmp_path)
    assert "line " in message


def test_unknown_key_suggests(tmp_path):
    message = error_of(GOOD.replace("edges:", "egdes:"), tmp_path)
    assert "egdes: unknown key 'egdes' (did you mean 'edges'?)" in message


def test_missing_file_is_a_topology_error():
    with pytest.raises(TopologyError, match="nope.yaml: no such file"):
        dagnet.load("nope.yaml")


def test_loss_needing_softmax_outputs(tmp_path):
    message = error_of("loss: cross_entropy\n" + GOOD, tmp_path)
    assert "loss 'cross_entropy' needs softmax outputs" in message


def test_yaml_text_errors_have_no_file_but_a_key():
    with pytest.raises(TopologyError, match=r"^edges\[0\]\.to: unknown node 'hiden'"):
        dagnet.loads(GOOD.replace("to: hidden}", "to: hiden}"))


def test_graph_errors_name_the_node():
    G = nx.DiGraph([("x", "a"), ("a", "b"), ("b", "a"), ("b", "y")])
    with pytest.raises(TopologyError, match="cycle 'a' -> 'b' -> 'a'"):
        dagnet.Network.from_graph(G, inputs=["x"], outputs=["y"])
    G = nx.DiGraph([("x", "y")])
    G.edges["x", "y"]["weight"] = float("nan")
    with pytest.raises(TopologyError, match="weight of edge 'x' -> 'y' must be a finite number"):
        dagnet.Network.from_graph(G)
    with pytest.raises(TopologyError, match="output 'z' is not a node"):
        dagnet.Network.from_graph(nx.DiGraph([("x", "y")]), outputs=["z"])


class TestDataErrors:
    net = dagnet.loads(GOOD, seed=0)

    def test_wrong_number_of_columns(self):
        with pytest.raises(ValueError, match=r"X must have shape \(n_samples, 2\), one column per "
                                             r"input \['a', 'b'\]; got shape \(4, 3\)"):
            self.net.predict(np.zeros((4, 3)))

    def test_nan_in_X(self):
        X = np.zeros((3, 2))
        X[1, 1] = np.nan
        with pytest.raises(ValueError, match="X has a non-finite value \\(nan\\) at row 1, input 'b'"):
            self.net.forward(X)

    def test_inf_in_Y(self):
        with pytest.raises(ValueError, match="Y has a non-finite value \\(inf\\) at row 0"):
            self.net.gradients(np.zeros((2, 2)), np.array([[np.inf], [0.0]]))

    def test_mismatched_target_shape(self):
        with pytest.raises(ValueError, match=r"Y must have shape \(n_samples, 1\)"):
            self.net.gradients(np.zeros((2, 2)), np.zeros((2, 2)))

    def test_mismatched_sample_counts(self):
        with pytest.raises(ValueError, match="X has 2 samples but Y has 3"):
            self.net.gradients(np.zeros((2, 2)), np.zeros((3, 1)))

    def test_non_numeric_X(self):
        with pytest.raises(ValueError, match="X must be numeric"):
            self.net.predict([["a", "b"]])
