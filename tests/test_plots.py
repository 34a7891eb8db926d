"""Pictures: every function returns a matplotlib Figure and writes a real file, atomically."""
import dataclasses
import os
import sys

import networkx as nx
import numpy as np
import pytest
from hypothesis import given, settings
from strategies import dags

import dagnet
from dagnet import generate, plots
from dagnet.activations import ACTIVATIONS

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

XOR_X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
XOR_Y = np.array([0, 1, 1, 0], dtype=float)


@pytest.fixture
def mpl():
    return pytest.importorskip("matplotlib")


def is_png(path):
    with open(path, "rb") as f:
        return f.read(8) == b"\x89PNG\r\n\x1a\n"


def three_class_net(seed=3):
    G = nx.DiGraph()
    G.add_edges_from((i, f"h{k}") for i in ("x1", "x2") for k in range(4))
    G.add_edges_from((f"h{k}", f"o{c}") for k in range(4) for c in range(3))
    for k in range(4):
        G.nodes[f"h{k}"]["activation"] = "tanh"
    for c in range(3):
        G.nodes[f"o{c}"]["activation"] = "softmax"
    return dagnet.Network.from_graph(G, inputs=["x1", "x2"], outputs=["o0", "o1", "o2"],
                                     loss="cross_entropy", seed=seed)


def test_draw_network_returns_a_figure_and_writes_a_png(mpl, topology_path, tmp_path):
    net = dagnet.load(topology_path("tutorial_2_5_1.yaml"), seed=0)
    path = tmp_path / "net.png"
    fig = plots.draw_network(net, path)
    assert isinstance(fig, mpl.figure.Figure)
    assert is_png(path) and path.stat().st_size > 5000
    assert os.listdir(tmp_path) == ["net.png"]        # no temporary file left behind


def test_skip_edges_are_drawn_as_curves(mpl, topology_path):
    from matplotlib.patches import PathPatch

    fig = plots.draw_network(dagnet.load(topology_path("xor_skip.yaml")))
    arcs = [p for p in fig.axes[0].patches if isinstance(p, PathPatch)]
    assert len(arcs) == 2                               # a -> y and b -> y jump over n
    assert plots.skip_edges(dagnet.load(topology_path("xor_skip.yaml")).graph) == [("a", "y"), ("b", "y")]


def test_big_groups_collapse_into_one_box_with_merged_edges(topology_path):
    net = dagnet.load(topology_path("tanh_softmax_2_500_2.yaml"), seed=0)
    D = plots.drawing_graph(net)                        # auto: groups of more than 12 members
    assert sorted(D.nodes[k]["members"] for k in D) == [2, 2, 500]
    assert sorted(len(d["weights"]) for *_, d in D.edges(data=True)) == [1000, 1000]
    assert len(plots.drawing_graph(net, collapse_groups=False)) == 504
    with pytest.raises(ValueError, match="no group 'hiden'"):
        plots.drawing_graph(net, collapse_groups=["hiden"])


def test_collapsed_drawing_of_a_large_network(mpl, topology_path, tmp_path):
    net = dagnet.load(topology_path("tanh_softmax_2_500_2.yaml"), seed=0)
    fig = plots.draw_network(net, tmp_path / "big.svg")
    assert isinstance(fig, mpl.figure.Figure)
    assert (tmp_path / "big.svg").read_text().lstrip().startswith("<?xml")


def test_decision_regions_of_a_binary_classifier(mpl, topology_path, tmp_path):
    net = dagnet.load(topology_path("xor_skip.yaml"))
    fig = plots.decision_regions(net, XOR_X, XOR_Y, tmp_path / "xor.png", resolution=50)
    assert "accuracy 1.000" in fig.axes[0].get_title()
    assert is_png(tmp_path / "xor.png")


def test_decision_regions_of_a_three_class_softmax(mpl, tmp_path):
    net = three_class_net()
    X = np.random.default_rng(0).normal(size=(60, 2))
    fig = plots.decision_regions(net, X, net.predict_classes(X), tmp_path / "three.png", resolution=60)
    image = fig.axes[0].images[0].get_array()
    assert image.shape == (60, 60, 3)                   # one colour per class, paler where unsure
    assert is_png(tmp_path / "three.png")


def test_decision_regions_of_a_regression_output_has_a_colour_bar(mpl, tmp_path):
    G = nx.DiGraph([("a", "h"), ("b", "h"), ("h", "y"), ("a", "y")])
    G.nodes["y"]["activation"] = "linear"
    net = dagnet.Network.from_graph(G, seed=0)
    X = np.random.default_rng(1).normal(size=(30, 2))
    fig = plots.decision_regions(net, X, X[:, 0], resolution=40)
    assert len(fig.axes) == 2 and "R²" in fig.axes[0].get_title()


def test_pictures_of_the_input_plane_need_two_inputs(mpl, topology_path):
    net = dagnet.load(topology_path("chain_1_1_1.yaml"))
    with pytest.raises(ValueError, match="two inputs; this one has 1"):
        plots.decision_regions(net, np.zeros((2, 1)), np.zeros(2))
    with pytest.raises(ValueError, match="two inputs"):
        plots.neuron_maps(net)


def test_neuron_maps_show_every_perceptron(mpl, topology_path, tmp_path):
    net = dagnet.load(topology_path("tutorial_2_5_1.yaml"), seed=0)
    fig = plots.neuron_maps(net, XOR_X, tmp_path / "neurons.png", resolution=30)
    titled = sorted(ax.get_title().split("\n")[0] for ax in fig.axes if ax.images)
    assert titled == ["h.0", "h.1", "h.2", "h.3", "h.4", "output out"]
    assert is_png(tmp_path / "neurons.png")


def test_loss_curves_from_a_history(mpl, topology_path, tmp_path):
    net = dagnet.load(topology_path("xor_2_2_1.yaml"), seed=0)
    history = net.fit(XOR_X, XOR_Y, epochs=30, lr=0.5, validation_data=(XOR_X, XOR_Y), verbose=False)
    fig = plots.loss_curves(history, tmp_path / "loss.png")
    assert len(fig.axes) == 2                           # loss, and accuracy beside it
    assert [l.get_label() for l in fig.axes[0].get_lines()][:2] == ["training", "validation"]
    assert is_png(tmp_path / "loss.png")
    with pytest.raises(ValueError, match="no epochs"):
        plots.loss_curves({"loss": []})


@pytest.mark.slow
def test_animate_training_writes_a_gif_of_several_frames(mpl, topology_path, tmp_path):
    from PIL import Image

    net = dagnet.load(topology_path("xor_2_2_1.yaml"), seed=0)
    path = tmp_path / "training.gif"
    fig = plots.animate_training(net, XOR_X, XOR_Y, path, {"epochs": 40, "lr": 2.0, "seed": 0},
                                 frames=4, resolution=20, dpi=40)
    assert fig.history.epochs == 40
    with Image.open(path) as gif:
        assert gif.format == "GIF" and gif.n_frames >= 3
    assert os.listdir(tmp_path) == ["training.gif"]


def test_to_dot_is_graphviz_text_without_graphviz(topology_path):
    text = plots.to_dot(dagnet.load(topology_path("xor_skip.yaml")))
    assert text.startswith('digraph "xor-skip" {') and text.rstrip().endswith("}")
    assert "rankdir=LR" in text
    assert '"n" -> "y" [color="#f59322"' in text         # w = −20: orange
    assert '"a" -> "y"' in text and "style=dashed" in text   # a skip edge


def test_to_dot_quotes_awkward_names():
    G = nx.DiGraph([('say "hi"', "out")])
    text = plots.to_dot(dagnet.Network.from_graph(G, seed=0))
    assert '"say \\"hi\\"" -> "out"' in text


def test_a_missing_matplotlib_says_how_to_install_it(monkeypatch, topology_path):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    monkeypatch.setitem(sys.modules, "matplotlib.figure", None)
    with pytest.raises(ImportError, match=r'pip install "dagnet\[plot\]"') as info:
        plots.draw_network(dagnet.load(topology_path("xor_skip.yaml")))
    assert isinstance(info.value, plots.MissingMatplotlib)
    assert plots.to_dot(dagnet.load(topology_path("xor_skip.yaml")))   # DOT still works


def test_an_unknown_picture_format_is_refused(mpl, topology_path, tmp_path):
    with pytest.raises(ValueError, match="unknown extension '.xyz'"):
        plots.draw_network(dagnet.load(topology_path("xor_skip.yaml")), tmp_path / "net.xyz")
    assert os.listdir(tmp_path) == []


# -- skip arcs are routed around the columns they jump over ------------------------------------

def jumped_columns(D, pos, u, v):
    """``{column: (lowest y, highest y)}`` of the columns with nodes strictly between u and v."""
    span = {}
    for k in D:
        x, y = pos[k]
        if pos[u][0] < x < pos[v][0]:
            low, high = span.get(x, (y, y))
            span[x] = (min(low, y), max(high, y))
    return span


def assert_arcs_clear_the_columns_they_jump(D, pos, arcs):
    """Every skip arc passes each column it jumps over beyond its outermost node, crosses no
    straight edge between those columns, starts and ends at its nodes, and has a lane of its own."""
    from dagnet.plots.layout import CLEARANCE, arc_points

    assert set(arcs) == {(u, v) for u, v in D.edges if D.nodes[v]["column"] - D.nodes[u]["column"] > 1}
    for (u, v), arc in arcs.items():
        points = arc_points(arc)
        assert np.allclose(points[0], pos[u]) and np.allclose(points[-1], pos[v])
        assert np.all(np.diff(points[:, 0]) >= 0)                        # left to right, no loops
        span = jumped_columns(D, pos, u, v)
        for x, (low, high) in span.items():
            y = np.interp(x, points[:, 0], points[:, 1])
            assert y >= high + CLEARANCE - 1e-9 or y <= low - CLEARANCE + 1e-9, (u, v, x, y, low, high)
        for a, b in D.edges:                                            # straight edges among them
            (xa, ya), (xb, yb) = pos[a], pos[b]
            if (a, b) in arcs or xa not in span or xb not in span:
                continue
            along = points[(points[:, 0] >= xa) & (points[:, 0] <= xb), 1]
            assert np.all((along > max(ya, yb)) | (along < min(ya, yb))), ((u, v), (a, b))
    for (u, v), arc in arcs.items():                                    # no two arcs share a lane
        for (a, b), other in arcs.items():
            overlap = pos[u][0] + 1 <= pos[b][0] - 1 and pos[a][0] + 1 <= pos[v][0] - 1
            if (a, b) != (u, v) and overlap:
                assert arc.lane != other.lane, ((u, v), (a, b))


def test_skip_arcs_of_a_2_6_1_network_run_around_the_hidden_column():
    net = generate.generate("input_output_skips", sizes=[6], seed=0)
    D = plots.drawing_graph(net)
    pos = plots.positions(D)
    arcs = plots.route_skips(D, pos)
    assert sorted(arcs) == [("x.0", "y"), ("x.1", "y")]
    assert_arcs_clear_the_columns_they_jump(D, pos, arcs)
    lanes = sorted(arc.lane for arc in arcs.values())
    assert lanes[0] <= -2.5 - 0.5 and lanes[1] >= 2.5 + 0.5               # one below, one above h1


@settings(max_examples=40)
@given(dags(max_hidden=10))
def test_skip_arcs_of_any_dag_clear_every_column_they_jump(case):
    G, inputs, outputs, loss, _ = case
    net = dagnet.Network.from_graph(G, inputs=inputs, outputs=outputs, loss=loss, seed=0)
    D = plots.drawing_graph(net)
    pos = plots.positions(D)
    assert_arcs_clear_the_columns_they_jump(D, pos, plots.route_skips(D, pos))


def test_the_drawing_follows_the_routes(mpl):
    from matplotlib.patches import PathPatch

    net = generate.generate("input_output_skips", sizes=[6], seed=0)
    D = plots.drawing_graph(net)
    arcs = plots.route_skips(D, plots.positions(D))
    fig = plots.draw_network(net)
    drawn = {p.get_gid(): p.get_path().vertices for p in fig.axes[0].patches if isinstance(p, PathPatch)}
    assert drawn.keys() == {f"skip {u} -> {v}" for u, v in arcs}
    for (u, v), arc in arcs.items():
        assert np.array_equal(drawn[f"skip {u} -> {v}"], np.asarray(arc.vertices))
    low = min(arc.lane for arc in arcs.values())
    assert fig.axes[0].get_ylim()[0] < low                              # the lanes are in the picture


# -- colours and ranges come from the activation records ---------------------------------------

def test_fills_come_from_the_activation_records(monkeypatch, topology_path):
    net = dagnet.load(topology_path("tutorial_2_5_1.yaml"), seed=0)
    hidden = net.plan.activation["h.0"]
    assert plots.to_dot(net).count(f'fillcolor="{ACTIVATIONS[hidden].colour}"') == 6   # h.0-h.4 and out
    monkeypatch.setitem(ACTIVATIONS, hidden, dataclasses.replace(ACTIVATIONS[hidden], colour="#123456"))
    assert plots.to_dot(net).count('fillcolor="#123456"') == 6


def test_neuron_maps_span_each_activation_range(mpl):
    G = nx.DiGraph([("a", "r"), ("b", "r"), ("a", "t"), ("b", "t"), ("r", "y"), ("t", "y")])
    G.nodes["r"]["activation"], G.nodes["t"]["activation"] = "relu", "tanh"
    G.nodes["y"]["activation"] = "linear"
    net = dagnet.Network.from_graph(G, seed=0)
    fig = plots.neuron_maps(net, resolution=10)
    ranges = {ax.get_title().split("\n")[0].split()[-1]: ax.images[0].get_clim() for ax in fig.axes if ax.images}
    assert ranges["t"] == (-1.0, 1.0)
    assert ranges["r"][0] == 0.0 and ranges["r"][1] > 0                  # relu: [0, the largest z]
    assert ranges["y"][0] == -ranges["y"][1]                              # linear: both ends open


def test_a_diverged_regression_prints_a_short_r2(mpl):
    G = nx.DiGraph([("a", "y"), ("b", "y")])
    G.nodes["y"]["activation"] = "linear"
    G.edges["a", "y"]["weight"] = 1e150
    net = dagnet.Network.from_graph(G, loss="mse", seed=0)
    X = np.random.default_rng(0).normal(size=(20, 2))
    title = plots.decision_regions(net, X, X[:, 1], resolution=10).axes[0].get_title()
    assert title.startswith("network: R² -") and "e+" in title and len(title) < 40, title


# -- the documentation ---------------------------------------------------------------------------

def python_blocks(path):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    return [block.split("\n", 1)[1] for block in text.split("```")[1::2] if block.startswith("python\n")]


@pytest.mark.slow
def test_the_pictures_page_runs_and_its_gif_shows_training(mpl, tmp_path, monkeypatch):
    from PIL import Image

    os.symlink(os.path.join(ROOT, "topologies"), tmp_path / "topologies")
    monkeypatch.chdir(tmp_path)                         # the snippets write into the current folder
    namespace = {}
    for block in python_blocks(os.path.join(ROOT, "docs", "pictures.md")):
        exec(compile(block, "docs/pictures.md", "exec"), namespace)
    for name in ("network.png", "decision.png", "neurons.png", "loss.png", "network.dot"):
        assert (tmp_path / name).stat().st_size > 0
    recorder, net, X, Y = (namespace[k] for k in ("recorder", "net", "X", "Y"))
    labels = Y.ravel()
    keep = net.params.copy()
    accuracies = []
    for _, params, _ in recorder.snapshots:
        net.params[:] = params
        accuracies.append(float(np.mean(net.predict_classes(X) == labels)))
    net.params[:] = keep
    assert accuracies[-1] >= accuracies[0] + 0.5                        # it learns, frame by frame
    with Image.open(tmp_path / "training.gif") as gif:
        frames = []
        for k in range(len(recorder.snapshots)):
            gif.seek(k)
            frames.append(gif.convert("RGB").tobytes())
    assert len(set(frames)) == len(frames)                               # no two frames alike


def test_loss_curves_report_the_weights_the_network_kept():
    pytest.importorskip("matplotlib")
    from dagnet.history import History
    h = History(loss=[3.0, 1.0, 2.0, 2.5], accuracy=[0.5, 0.9, 0.8, 0.7], best_epoch=2, weights_epoch=2)
    fig = plots.loss_curves(h)
    assert "loss 1, accuracy 0.900 (epoch 2, whose weights are kept)" in fig._suptitle.get_text()
    assert [line.get_xdata()[0] for line in fig.axes[0].lines[1:]] == [2]
    h.weights_epoch = 4                      # no early stopping: the last epoch's weights, no marker
    fig = plots.loss_curves(h)
    assert "4 epochs, loss 2.5, accuracy 0.700" in fig._suptitle.get_text()
    assert len(fig.axes[0].lines) == 1


def test_every_file_train_and_grow_write_follows_the_umask(mpl, run, topology_path, tmp_path):
    umask = 0o027                                   # not the usual 022, nor the 077 of a temporary file
    old = os.umask(umask)
    try:
        code, _, stderr = run("train", topology_path("xor_2_2_1.yaml"), "--data", "xor", "--epochs", "20",
                              "--seed", "0", "--gif", "--out", tmp_path / "run")
        assert code == 0, stderr
        grown = tmp_path / "grown"
        grown.mkdir()
        code, _, stderr = run("grow", "--data", "xor", "--max-units", "1", "--out", grown / "g.yaml",
                              "--history", grown / "units.csv", "--picture", grown / "growth.png",
                              "--gif", grown / "growth.gif")
        assert code == 0, stderr
    finally:
        os.umask(old)
    written = {p.relative_to(tmp_path).as_posix(): oct(p.stat().st_mode & 0o777)
               for p in tmp_path.rglob("*") if p.is_file()}
    assert "run/training.gif" in written and "grown/growth.gif" in written and len(written) >= 8
    assert written == dict.fromkeys(written, oct(0o666 & ~umask))
