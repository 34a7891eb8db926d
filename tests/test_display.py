"""What a notebook shows of networks, histories, traces and gradients: static HTML/SVG, bounded."""
import os
import re
import xml.dom.minidom

import numpy as np
from fresh_python import modules_loaded

import dagnet
from dagnet import display, generate
from dagnet.plots import svg

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def tutorial():
    return dagnet.load(os.path.join(ROOT, "topologies", "tutorial_2_5_1.yaml"), seed=0)


def test_a_network_draws_itself_one_path_per_edge_coloured_and_sized_by_weight():
    net = tutorial()
    net.set_weight("h.0", "out", -2.0)
    net.set_weight("h.1", "out", 0.1)
    drawing = net._repr_svg_()
    xml.dom.minidom.parseString(drawing)                     # well-formed SVG
    paths = re.findall(r'<path [^>]*stroke="([^"]+)" stroke-width="([^"]+)"[^>]*><title>([^<]+)</title>', drawing)
    assert len(paths) == 15
    by_title = {title: (colour, float(width)) for colour, width, title in paths}
    strong, weak = by_title["w(h.0 → out) = -2"], by_title["w(h.1 → out) = 0.1"]
    assert strong[0] == "#f59322" and weak[0] == "#0877bd"    # orange negative, blue positive
    assert strong[1] > 3 * weak[1]                            # width grows with |w|
    assert drawing.count("<circle") == 8


def test_skip_edges_are_drawn_dashed():
    net = dagnet.load(os.path.join(ROOT, "topologies", "xor_skip.yaml"))
    drawing = net._repr_svg_()
    dashed = re.findall(r'<path [^>]*stroke-dasharray[^>]*><title>([^<]+)</title>', drawing)
    assert sorted(dashed) == ["w(a → y) = 10", "w(b → y) = 10"]


def test_the_html_of_a_network_is_its_summary_and_its_picture():
    shown = tutorial()._repr_html_()
    assert "tutorial-2-5-1" in shown and "8 nodes, 15 edges" in shown and "<svg" in shown
    assert "<script" not in shown


def test_a_huge_network_is_summarised_not_drawn_and_quickly():
    net = generate.generate("mlp", sizes=[230, 230], seed=0)     # 53,590 edges: past the layout bound
    assert len(net.plan.edge_slot) > svg.MAX_EDGES_TO_LAY_OUT
    assert net._repr_svg_() is None
    shown = net._repr_html_()
    assert "<svg" not in shown and "53590 edges" in shown and len(shown) < 2000
    assert net._view is None                                    # not even net.graph was built


def test_big_groups_are_drawn_as_one_box():
    net = dagnet.load(os.path.join(ROOT, "topologies", "tanh_softmax_2_500_2.yaml"), seed=0)
    drawing = net._repr_svg_()
    assert "×500" in drawing and len(drawing) < 10_000


def test_a_history_shows_its_curves_on_a_log_axis_when_they_span_a_decade():
    net = tutorial()
    X, Y = dagnet.datasets.load("nonlinear")
    history = net.fit(X, Y, epochs=5, lr=0.5, batch_size=1, validation_split=0.2, seed=0)
    shown = history._repr_html_()
    assert shown.count("<svg") == 2                 # loss and accuracy
    assert shown.count("<polyline") == 4            # training and validation in each
    assert "5 epochs" in shown
    falling = svg.curves_svg({"loss": ([10.0, 1.0, 0.1], "#333", False)}, "loss")
    assert ">log<" in falling
    assert ">log<" not in svg.curves_svg({"loss": ([2.0, 1.5, 1.0], "#333", False)}, "loss")


def test_a_long_history_is_thinned_and_non_finite_values_left_out():
    values = list(np.linspace(1, 2, 100_000))
    values[5] = float("nan")
    drawing = svg.curves_svg({"loss": (values, "#333", False)}, "loss")
    points = re.search(r'<polyline points="([^"]+)"', drawing).group(1).split()
    assert len(points) <= svg.MAX_CURVE_POINTS + 1 and "nan" not in drawing
    assert dagnet.History()._repr_html_().count("no epochs") == 1


def test_a_trace_and_gradients_are_tables_by_node():
    net = tutorial()
    X, Y = dagnet.datasets.load("nonlinear")
    trace = net.forward(X[:2])
    shown = trace._repr_html_()
    assert "<td" in shown and f"{trace.z['out'][0]:.4g}" in shown and "2 samples" in shown
    loss, grads = net.gradients(X, Y)
    shown = grads._repr_html_()
    assert f"{grads.weight['h.3', 'out']:.4g}" in shown and f"{grads.bias['out']:.4g}" in shown
    assert "mean" in shown                              # 100 samples: the first few and the mean


def test_tables_are_bounded():
    net = dagnet.load(os.path.join(ROOT, "topologies", "tanh_softmax_2_500_2.yaml"), seed=0)
    X = np.zeros((1000, 2))
    shown = display.trace_html(net.forward(X))
    assert shown.count("<tr>") == display.MAX_ROWS + 1 and "464 nodes more" in shown
    assert len(shown) < 20_000


def test_importing_dagnet_and_loading_a_network_imports_no_display_code():
    modules = modules_loaded("import dagnet\ndagnet.load('topologies/xor_skip.yaml')")
    assert "dagnet.display" not in modules and "dagnet.plots.svg" not in modules
