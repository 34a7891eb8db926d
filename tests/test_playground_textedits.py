"""An edit made by clicking changes the topology text only where it changes the network.

Comments, the description's lines and ``defaults`` stay; a reset after an
edit draws the weights the file with that edit written by hand draws; and
whatever the text's layout, the new text reads back as the structural edit.
"""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import dagnet
from dagnet.errors import TopologyError
from dagnet.playground import edits, textedits
from dagnet.playground import yamlspans as spans
from dagnet.playground.session import Session
from dagnet.strictyaml import read_document
from dagnet.writer import flow, scalar
from strategies import dags

TUTORIAL = open("topologies/tutorial_2_5_1.yaml").read()
#: The tutorial's file as a person keeps it: with comments of their own.
COMMENTED = TUTORIAL.replace("loss: sse\n", "loss: sse          # the tutorial's E: no 1/2, no mean\n"
                                            "# the hidden layer and the output\n")


def edited(text, op, **arguments):
    """The text after ``op`` on the network of ``text`` (seed 0)."""
    net, _ = edits.from_text(text, seed=0)
    result = edits.EDITS[op](net, seed=0, **arguments)
    target, made = result if isinstance(result, tuple) else (result, None)
    new, built = textedits.edited_text(text, op, arguments, net, target, made, seed=0)
    assert textedits.same_structure(built.graph, target.graph)
    return new


@pytest.mark.parametrize("op, arguments, old, new", [
    ("toggle_edge", {"source": "in_x", "target": "out"},
     "  - {from: h, to: out}\n", "  - {from: h, to: out}\n  - {from: in_x, to: out}\n"),
    ("toggle_edge", {"source": "in_x", "target": "h.2"},
     "  - {from: [in_x, in_y], to: h}\n", "  - {from: in_y, to: h}\n  - {from: in_x, to: [h.0, h.1, h.3, h.4]}\n"),
    ("add_perceptron", {"beside": "h.1"}, "  h:   {size: 5}\n", "  h:   {size: 6}\n"),
    ("add_perceptron", {}, "  h:   {size: 5}\n", "  h:   {size: 5}\n  p1: {}\n"),
    ("remove_perceptron", {"node": "h.4"}, "  h:   {size: 5}\n", "  h:   {size: 4}\n"),
    ("set_activation", {"node": "out", "activation": "tanh"}, "  out: {}\n", "  out: {activation: tanh}\n"),
    ("set_loss", {"loss": "mse"}, "loss: sse  ", "loss: mse  "),
])
def test_an_edit_changes_the_text_where_a_person_would(op, arguments, old, new):
    text = edited(COMMENTED, op, **arguments)
    if op == "add_perceptron" and not arguments:
        assert text.endswith("  - {from: [in_x, in_y], to: p1}\n  - {from: p1, to: out}\n")
        text = text.replace("  - {from: [in_x, in_y], to: p1}\n  - {from: p1, to: out}\n", "")
    assert text == COMMENTED.replace(old, new, 1)


def test_a_derived_input_is_one_more_input_and_one_more_edge_entry():
    text = edited(COMMENTED, "toggle_feature", feature="sin(x)")
    assert text == COMMENTED.replace("inputs: [in_x, in_y]", 'inputs: [in_x, in_y, "sin(x)"]') + \
        '  - {from: "sin(x)", to: h}\n'
    assert edited(text, "toggle_feature", feature="sin(x)") == COMMENTED


def test_comments_the_description_and_defaults_survive_a_run_of_edits():
    session = Session(text=COMMENTED)
    for op, arguments in [("toggle_edge", {"source": "in_x", "target": "out"}), ("add_perceptron", {"beside": "h.0"}),
                          ("add_perceptron", {}), ("set_activation", {"node": "p1", "activation": "tanh"}),
                          ("remove_perceptron", {"node": "h.2"}), ("toggle_edge", {"source": "in_y", "target": "out"})]:
        session.edit(op, **arguments)
    head = COMMENTED[:COMMENTED.index("nodes:")]
    assert session.text.startswith(head)          # description's lines, defaults, both comments
    assert "init: uniform" in session.text and "Two\n  inputs" in session.text
    again, _ = edits.from_text(session.text)
    assert textedits.same_structure(again.graph, session.net.graph)
    session.close()


def test_a_reset_after_an_edit_draws_what_the_file_written_by_hand_draws():
    by_hand = TUTORIAL + "  - {from: in_x, to: out}\n"
    session = Session(text=TUTORIAL)
    session.control("step")
    session.edit("toggle_edge", source="in_x", target="out")
    for seed in (0, 5):                  # the same seed puts the start back; a new one draws from the text
        session.set_training({"seed": seed})
        session.control("reset")
        hand = dagnet.loads(by_hand, seed=seed)
        assert {e: session.net.weight(*e) for e in hand.graph.edges} == {e: hand.weight(*e) for e in hand.graph.edges}
        assert {n: session.net.bias(n) for n in hand.plan.bias_slot} == {n: hand.bias(n) for n in hand.plan.bias_slot}
    session.close()


def test_an_edit_keeps_the_trained_value_of_a_weight_the_text_states():
    session = Session(text=open("topologies/xor_skip.yaml").read(), data={"name": "xor"})
    session.control("step")
    trained = session.net.weight("a", "n")
    assert trained != 10
    session.edit("toggle_edge", source="a", target="y")
    assert session.net.weight("a", "n") == trained and "{from: b, to: y, weight: 10}    # skips past n" in session.text
    session.close()


def test_where_no_small_change_will_do_only_the_changed_sections_are_written_anew():
    text = edited(COMMENTED, "remove_perceptron", node="h.2")     # no size says "h without h.2"
    assert text.startswith(COMMENTED[:COMMENTED.index("nodes:")])
    assert "h.2" not in text and "h.3: {group: h}" in text


def test_a_small_change_that_would_build_another_network_is_caught_by_reading_it_back():
    text = TUTORIAL.replace("  out: {}\n", "  out: {}\n  g: {}\n") + "  - {from: h.4, to: g}\n  - {from: g, to: out}\n"
    # h.5 beside h.4 copies its edge to g, which {size: 6} alone would not give it
    new = edited(text, "add_perceptron", beside="h.4")
    assert "h:   {size: 6}" not in new and new.startswith(text[:text.index("nodes:")])


@pytest.mark.parametrize("text", [
    '{"inputs": ["a", "b"], "outputs": ["y"], "nodes": {"h": {}, "y": {}},\n'
    ' "edges": [{"from": ["a", "b"], "to": "h"}, {"from": "h", "to": "y"}]}\n',
    "inputs:\n- a\n- b\noutputs: [y]\nnodes:\n  h:\n  y:\nedges:\n- from: [a, b]\n  to: h\n- from: h\n  to: y\n",
    "inputs: [a, b]\r\noutputs: [y]\r\nnodes: {h: {}, y: {activation: linear}}\r\nedges:\r\n"
    "  - {from: [a, b], to: h}  # both\r\n  - {from: h, to: y}\r\n",
])
def test_edits_write_into_flow_block_json_and_crlf_texts(text):
    added = edited(text, "toggle_edge", source="a", target="y")
    assert ("\r\n" in added) == ("\r\n" in text) and "\n\n" not in added.replace("\r", "")
    assert edited(added, "toggle_edge", source="a", target="y") == text
    assert "activation: tanh" in edited(text, "set_activation", node="y", activation="tanh")
    assert "{from: b, to: h}" in edited(added, "toggle_edge", source="a", target="h")


def test_a_splice_that_overlaps_another_is_refused():
    with pytest.raises(spans.Unplaceable):
        spans.apply("abcdef", [spans.Splice(1, 3, "x"), spans.Splice(2, 4, "y")])


def written_anyhow(data, rng):
    """Topology ``data`` as text in a layout of ``rng``'s choosing: sections block or flow, indents of
    2 or 4, dashes indented or not, entries on one line or several, comments and blank lines."""
    def block(value, indent):
        pad, lines = " " * indent, []
        if isinstance(value, dict):
            for k, v in value.items():
                if isinstance(v, dict) and v and rng.random() < 0.3:
                    lines += [f"{pad}{scalar(k)}:"] + block(v, indent + rng.choice([2, 4]))
                elif isinstance(v, dict) and not v and rng.random() < 0.5:
                    lines.append(f"{pad}{scalar(k)}:")
                else:
                    lines.append(f"{pad}{scalar(k)}: {flow(v)}")
            return lines
        dash = rng.choice([0, indent])
        for item in value:
            pairs = list(item.items()) if isinstance(item, dict) else []
            if pairs and rng.random() < 0.3:
                lines.append(f"{' ' * dash}- {scalar(pairs[0][0])}: {flow(pairs[0][1])}")
                lines += [f"{' ' * (dash + 2)}{scalar(k)}: {flow(v)}" for k, v in pairs[1:]]
            else:
                lines.append(f"{' ' * dash}- {flow(item)}")
        return lines

    lines = []
    for key, value in data.items():
        if rng.random() < 0.2:
            lines.append(f"# about {key}")
        if rng.random() < 0.1:
            lines.append("")
        if key in ("inputs", "outputs", "nodes", "edges") and value and rng.random() < 0.6:
            lines.append(f"{key}:")
            lines += [line + ("   # note" if rng.random() < 0.15 else "") for line in block(value, rng.choice([2, 4]))]
        else:
            lines.append(f"{key}: {flow(value)}" + ("  # said" if rng.random() < 0.2 else ""))
    return "\n".join(lines + ["# the end"]) + "\n"


@settings(max_examples=40, deadline=None)
@given(dags(max_hidden=6, name_kind="str") | dags(max_hidden=6, name_kind="int"), st.data(), st.randoms())
def test_any_edit_of_any_topology_text_reads_back_as_the_structural_edit(network, data, rng):
    G, inputs, outputs, loss, seed = network
    written = edits.structure_text(dagnet.Network.from_graph(G, inputs, outputs, loss=loss))
    text = written_anyhow(read_document(written), rng)
    net, _ = edits.from_text(text)
    nodes, hidden = list(net.graph), [n for n in net.graph if net.graph.nodes[n]["role"] == "hidden"]
    perceptrons = [n for n in nodes if net.graph.nodes[n]["role"] != "input"]
    choices = [("toggle_edge", {"source": data.draw(st.sampled_from(nodes)),
                                "target": data.draw(st.sampled_from(perceptrons))}),
               ("add_perceptron", {"beside": data.draw(st.sampled_from([None] + hidden))}),
               ("set_activation", {"node": data.draw(st.sampled_from(perceptrons)),
                                   "activation": data.draw(st.sampled_from(["tanh", "relu", "sigmoid"]))}),
               ("set_loss", {"loss": data.draw(st.sampled_from(["sse", "mse"]))}),
               ("toggle_feature", {"feature": data.draw(st.sampled_from(["x^2", "xy", "sin(y)"]))})]
    if hidden:
        choices.append(("remove_perceptron", {"node": data.draw(st.sampled_from(hidden))}))
    op, arguments = data.draw(st.sampled_from(choices))
    try:
        result = edits.EDITS[op](net, seed=0, **arguments)
    except TopologyError:
        return                           # refused (a cycle, a dead end, a softmax inside): nothing to write
    target, made = result if isinstance(result, tuple) else (result, None)
    doc = textedits.Document(text)
    textedits.TEXT_EDITS[op](doc, net, target, made, **arguments)     # a small change, in any layout
    new, built = textedits.edited_text(text, op, arguments, net, target, made)
    assert new == doc.finish() and textedits.same_structure(built.graph, target.graph)
    assert all(line in new.splitlines() for line in text.splitlines() if line.startswith("#")), new
    np.testing.assert_array_equal(built.params, edits.from_text(new)[0].params)
