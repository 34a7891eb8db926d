"""Topology generators: valid DAGs with the promised edges and skips, files that load alike, the CLI."""
import itertools
import tracemalloc

import networkx as nx
import numpy as np
import pytest

import dagnet
from dagnet import generate, limits

X = np.random.default_rng(0).normal(size=(7, 3))


def hidden_layers(G):
    """``[[members of h1], [members of h2], ...]`` by the generators' group names."""
    groups = {}
    for n, d in G.nodes(data=True):
        if str(d.get("group", "")).startswith("h") and d["group"] != "h":
            groups.setdefault(int(d["group"][1:]), []).append(n)
    return [sorted(groups[k], key=lambda n: int(n.split(".")[1])) for k in sorted(groups)]


def layers_of(G):
    """``[inputs, h1, ..., hL, outputs]`` as node lists."""
    return [list(G.graph["inputs"]), *hidden_layers(G), list(G.graph["outputs"])]


def layer_edges(layers, pairs):
    """The all-to-all edges between the layer index pairs ``pairs``."""
    return {(u, v) for i, j in pairs for u in layers[i] for v in layers[j]}


def oriented_edges(U):
    """The generators' orientation of an undirected graph on 0..n-1: lower index to higher."""
    return {(f"h.{min(a, b)}", f"h.{max(a, b)}") for a, b in U.edges}


def wired_edges(U, G):
    """Every edge a random kind should have: U oriented, inputs into sources, sinks into outputs."""
    inner = oriented_edges(U)
    targets = {v for _, v in inner}
    sources = {u for u, _ in inner}
    hidden = [f"h.{k}" for k in range(len(U))]
    return inner | {(x, h) for x in G.graph["inputs"] for h in hidden if h not in targets} | \
        {(h, y) for h in hidden if h not in sources for y in G.graph["outputs"]}


CASES = [
    ("mlp", {"sizes": [3, 4, 2], "inputs": 3, "outputs": 2}),
    ("mlp", {"sizes": []}),
    ("input_output_skips", {"sizes": [3, 4], "outputs": 3}),
    ("residual", {"sizes": [4] * 6, "every": 2}),
    ("residual", {"sizes": [3] * 7, "every": 3, "connect": "all", "skip_weight": 1.0}),
    ("dense", {"sizes": [3, 2, 4], "outputs": 2}),
    ("cascade", {"n_hidden": 5, "inputs": 3}),
    ("erdos_renyi", {"n": 10, "p": 0.3, "graph_seed": 3}),
    ("barabasi_albert", {"n": 10, "m": 3, "graph_seed": 1}),
    ("watts_strogatz", {"n": 12, "k": 4, "p": 0.3, "graph_seed": 2}),
]


@pytest.mark.parametrize("kind, params", CASES, ids=[f"{k}-{i}" for i, (k, _) in enumerate(CASES)])
def test_every_generator_gives_a_dag_that_loads_from_the_graph_and_from_its_file(kind, params):
    G = generate.graph(kind, **params)
    assert nx.is_directed_acyclic_graph(G)
    net = dagnet.Network.from_graph(G, seed=5)
    twin = dagnet.loads(generate.to_yaml(G), seed=5)
    assert (twin.inputs, twin.outputs, twin.loss) == (net.inputs, net.outputs, net.loss)
    assert set(twin.graph.edges) == set(G.edges)
    assert twin.n_params == net.n_params == G.number_of_edges() + len(G) - len(net.inputs)
    x = X[:, :len(net.inputs)]
    assert np.array_equal(twin.predict(x), net.predict(x))      # the file initialises as the graph does


def test_generate_builds_the_network_with_the_seed_for_weights():
    a, b = generate.generate("dense", sizes=[3, 3], seed=1), generate.generate("dense", sizes=[3, 3], seed=1)
    c = generate.generate("dense", sizes=[3, 3], seed=2)
    assert np.array_equal(a.params, b.params)
    assert set(a.graph.edges) == set(c.graph.edges) and not np.array_equal(a.params, c.params)


def test_mlp_connects_consecutive_layers_only():
    G = generate.graph("mlp", sizes=[3, 4, 2], inputs=3, outputs=2)
    layers = layers_of(G)
    assert [len(layer) for layer in layers] == [3, 3, 4, 2, 2]
    assert G.number_of_edges() == 3 * 3 + 3 * 4 + 4 * 2 + 2 * 2
    assert set(G.edges) == layer_edges(layers, [(i, i + 1) for i in range(4)])


def test_mlp_without_hidden_layers_is_inputs_to_outputs():
    G = generate.graph("mlp", sizes=[], inputs=3, outputs=1)
    assert set(G.edges) == {("x.0", "y"), ("x.1", "y"), ("x.2", "y")}


def test_input_output_skips_add_every_input_to_every_output():
    G = generate.graph("input_output_skips", sizes=[3, 4], inputs=2, outputs=3)
    layers = layers_of(G)
    assert G.number_of_edges() == 2 * 3 + 3 * 4 + 4 * 3 + 2 * 3
    assert set(G.edges) == layer_edges(layers, [(0, 1), (1, 2), (2, 3), (0, 3)])


@pytest.mark.parametrize("n_layers, every", [(4, 2), (5, 2), (6, 2), (7, 3), (8, 3), (3, 2)])
def test_residual_skips_every_k_layers_one_to_one(n_layers, every):
    width = 3
    G = generate.graph("residual", sizes=[width] * n_layers, every=every)
    layers = layers_of(G)
    starts = list(range(1, n_layers - every + 1, every))              # h1, h(1+k), h(1+2k), ...
    skips = {(f"h{i}.{j}", f"h{i + every}.{j}") for i in starts for j in range(width)}
    chain = layer_edges(layers, [(i, i + 1) for i in range(n_layers + 1)])
    assert set(G.edges) == chain | skips
    assert G.number_of_edges() == 2 * width + (n_layers - 1) * width ** 2 + width + len(starts) * width
    assert len(starts) == (n_layers - 1) // every


def test_residual_connect_all_and_skip_weight():
    G = generate.graph("residual", sizes=[2, 3, 3, 4, 2], every=2, connect="all", skip_weight=1.0)
    layers = layers_of(G)
    skips = layer_edges(layers, [(1, 3), (3, 5)])                      # h1 -> h3, h3 -> h5, all to all
    assert set(G.edges) - layer_edges(layers, [(i, i + 1) for i in range(6)]) == skips
    assert all(G.edges[e]["weight"] == 1.0 for e in skips)
    net = dagnet.Network.from_graph(G, seed=0)
    assert net.weight("h1.0", "h3.2") == 1.0


def test_dense_feeds_every_later_layer():
    sizes, n_in, n_out = [3, 2, 4], 2, 2
    G = generate.graph("dense", sizes=sizes, inputs=n_in, outputs=n_out)
    widths = [n_in, *sizes, n_out]
    assert G.number_of_edges() == sum(a * b for a, b in itertools.combinations(widths, 2))
    assert set(G.edges) == layer_edges(layers_of(G), itertools.combinations(range(len(widths)), 2))


@pytest.mark.parametrize("H, n_in, n_out", [(0, 2, 1), (1, 2, 1), (5, 3, 2), (8, 2, 1)])
def test_cascade_feeds_each_hidden_perceptron_from_inputs_and_all_earlier_ones(H, n_in, n_out):
    G = generate.graph("cascade", n_hidden=H, inputs=n_in, outputs=n_out)
    assert G.number_of_edges() == n_in * H + H * (H - 1) // 2 + (n_in + H) * n_out
    inputs, outputs = G.graph["inputs"], G.graph["outputs"]
    for k in range(H):
        assert set(G.predecessors(f"h.{k}")) == set(inputs) | {f"h.{j}" for j in range(k)}
    for y in outputs:
        assert set(G.predecessors(y)) == set(inputs) | {f"h.{j}" for j in range(H)}
    assert nx.dag_longest_path_length(G) == H + 1                     # each perceptron adds depth


@pytest.mark.parametrize("n, p, graph_seed", [(10, 0.3, 3), (12, 0.0, 0), (6, 1.0, 0), (20, 0.2, 7)])
def test_erdos_renyi_orients_the_gnp_graph(n, p, graph_seed):
    G = generate.graph("erdos_renyi", n=n, p=p, graph_seed=graph_seed)
    U = nx.gnp_random_graph(n, p, seed=graph_seed)
    assert set(G.edges) == wired_edges(U, G)
    if p == 0.0:
        assert G.number_of_edges() == n * (2 + 1)                     # every perceptron is source and sink
    if p == 1.0:
        assert G.number_of_edges() == n * (n - 1) // 2 + 2 + 1        # a tournament: one source, one sink


@pytest.mark.parametrize("n, m", [(10, 3), (6, 1), (16, 2)])
def test_barabasi_albert_has_m_edges_per_joining_perceptron(n, m):
    G = generate.graph("barabasi_albert", n=n, m=m, graph_seed=1)
    inner = [(u, v) for u, v in G.edges if u.startswith("h.") and v.startswith("h.")]
    assert len(inner) == m * (n - m)
    assert set(G.edges) == wired_edges(nx.barabasi_albert_graph(n, m, seed=1), G)


@pytest.mark.parametrize("n, k, p", [(12, 4, 0.3), (8, 2, 0.0), (10, 6, 1.0)])
def test_watts_strogatz_keeps_n_k_over_2_edges(n, k, p):
    G = generate.graph("watts_strogatz", n=n, k=k, p=p, graph_seed=2)
    inner = [(u, v) for u, v in G.edges if u.startswith("h.") and v.startswith("h.")]
    assert len(inner) == n * k // 2
    assert set(G.edges) == wired_edges(nx.watts_strogatz_graph(n, k, p, seed=2), G)
    assert all(int(u[2:]) < int(v[2:]) for u, v in inner)


@pytest.mark.parametrize("kind", generate.RANDOM_KINDS)
def test_the_same_graph_seed_gives_the_same_graph(kind):
    a, b = generate.graph(kind, n=14, graph_seed=4), generate.graph(kind, n=14, graph_seed=4)
    assert list(a.edges) == list(b.edges) and list(a.nodes) == list(b.nodes)
    others = [set(generate.graph(kind, n=14, graph_seed=s).edges) for s in range(5, 10)]
    assert any(o != set(a.edges) for o in others)
    assert generate.to_yaml(a) == generate.to_yaml(b)


def test_outputs_and_losses_follow_the_task():
    two = dagnet.Network.from_graph(generate.graph("mlp", sizes=[3], outputs=3), seed=0)
    assert two.loss == "cross_entropy" and two.outputs == ["y.0", "y.1", "y.2"]
    regression = generate.graph("cascade", n_hidden=2, loss="mse", inputs=["t"], outputs=["f"])
    assert regression.nodes["f"]["activation"] == "linear" and regression.graph["inputs"] == ["t"]
    assert dagnet.Network.from_graph(generate.graph("mlp"), seed=0).loss == "binary_cross_entropy"


@pytest.mark.parametrize("kind, params, message", [
    ("resnet", {}, "unknown generator 'resnet'"),
    ("residual", {"evry": 2}, "residual has no parameter 'evry' (did you mean 'every'?)"),
    ("residual", {"sizes": [4, 4], "every": 2}, "need at least 3 hidden layers, got 2"),
    ("residual", {"sizes": [4, 4, 5, 4]}, "connect='one_to_one' needs equal widths"),
    ("residual", {"every": 1}, "every must be a whole number >= 2"),
    ("mlp", {"sizes": "wide"}, "sizes must be a list of layer widths"),
    ("mlp", {"activations": ["tanh", "relu"]}, "activations has 2 names for 1 hidden layers"),
    ("erdos_renyi", {"p": 1.5}, "p must be a number between 0 and 1"),
    ("barabasi_albert", {"n": 3, "m": 3}, "needs 1 <= m < n"),
    ("watts_strogatz", {"k": 3}, "needs an even k"),
    ("mlp", {"inputs": ["a", "a"]}, "inputs lists a name twice"),
])
def test_bad_parameters_are_one_line_value_errors(kind, params, message):
    with pytest.raises(ValueError) as err:
        generate.graph(kind, **params)
    assert message in str(err.value) and "\n" not in str(err.value)


# -- the command ---------------------------------------------------------------------------

def test_generate_command_writes_a_file_that_loads_as_the_generator_graph(run, tmp_path):
    path = tmp_path / "res.yaml"
    code, out, _ = run("generate", "residual", "--param", "sizes=[4,4,4,4,4]", "every=2",
                       "-p", "skip_weight=1e-3", "--out", path)
    assert code == 0
    assert f"wrote {path}: residual, 2 inputs, 20 hidden, 1 output" in out
    G = generate.graph("residual", sizes=[4] * 5, every=2, skip_weight=0.001)
    net = dagnet.load(path, seed=3)
    assert set(net.graph.edges) == set(G.edges)
    assert net.weight("h1.0", "h3.0") == 0.001
    assert np.array_equal(net.predict(X[:, :2]), dagnet.Network.from_graph(G, seed=3).predict(X[:, :2]))


def test_generate_help_lists_every_kind_with_its_parameters_and_an_example(run):
    code, out, _ = run("generate", "--help")
    assert code == 0
    for kind in generate.GENERATORS:
        assert f"\n  {kind} " in out
    assert "sizes=[8, 8, 8, 8], every=2, connect=one_to_one" in out
    assert "every kind also takes: inputs=2, outputs=1" in out
    assert "example:\n  dagnet generate residual --param sizes=[8,8,8,8] every=2 --out" in out


@pytest.mark.parametrize("argv, code, message", [
    (["resnet"], 2, "unknown generator kind 'resnet'"),
    (["residul"], 2, "unknown generator kind 'residul' (did you mean 'residual'?)"),
    (["residual", "-p", "evry=2"], 2, "residual has no parameter 'evry' (did you mean 'every'?)"),
    (["mlp", "-p", "sizes"], 2, "--param 'sizes': expected KEY=VALUE"),
    (["mlp", "-p", "sizes=[3"], 2, "--param 'sizes=[3': not a YAML value"),
    (["mlp", "-p", "sizes=[2]", "sizes=[3]"], 2, "--param sizes is given twice"),
    (["residual", "-p", "every=9"], 1, "residual skips every 9 layers need at least 10 hidden layers"),
    (["mlp", "-p", "loss=cross_entropy"], 1, "cross_entropy needs at least 2 softmax outputs"),
])
def test_generate_command_errors_are_one_line(run, tmp_path, argv, code, message):
    got, out, err = run("generate", *argv, "--out", tmp_path / "net.yaml")
    lines = err.strip().splitlines()
    assert got == code and len(lines) == 1 and message in lines[0], err
    assert not (tmp_path / "net.yaml").exists()


def test_generate_into_a_missing_folder(run, tmp_path):
    code, _, err = run("generate", "mlp", "--out", tmp_path / "nowhere" / "net.yaml")
    assert code == 1 and "does not exist" in err


# -- the size limit ------------------------------------------------------------------------

def declared_edges(kind, params, G):
    """The edges a kind declares before building: exact for the layered kinds, at most for the random."""
    if kind not in generate.RANDOM_KINDS:
        return G.number_of_edges()
    n = params["n"]
    inner = {"erdos_renyi": n * (n - 1) // 2, "barabasi_albert": params.get("m", 2) * (n - params.get("m", 2)),
             "watts_strogatz": n * params.get("k", 4) // 2}[kind]
    return inner + n * (len(G.graph["inputs"]) + len(G.graph["outputs"]))


@pytest.mark.parametrize("kind, params", CASES, ids=[f"{k}-{i}" for i, (k, _) in enumerate(CASES)])
def test_the_size_checked_is_the_size_built(kind, params, monkeypatch):
    G = generate.graph(kind, **params)
    edges = declared_edges(kind, params, G)
    assert edges >= G.number_of_edges()
    monkeypatch.setattr(limits.LIMITS, "max_nodes", len(G))
    monkeypatch.setattr(limits.LIMITS, "max_edges", edges)
    assert set(generate.graph(kind, **params).edges) == set(G.edges)      # exactly at the limits: built
    monkeypatch.setattr(limits.LIMITS, "max_edges", edges - 1)
    with pytest.raises(ValueError, match=f"{kind} can have up to {edges:,} edges"):
        generate.graph(kind, **params)
    monkeypatch.setattr(limits.LIMITS, "max_edges", edges)
    monkeypatch.setattr(limits.LIMITS, "max_nodes", len(G) - 1)
    with pytest.raises(ValueError, match=f"{kind} would have {len(G):,} perceptrons"):
        generate.graph(kind, **params)


@pytest.mark.parametrize("kind, params, message", [
    ("mlp", {"sizes": [1e9]}, "mlp would have 1,000,000,003 perceptrons"),
    ("mlp", {"inputs": 10**12}, "mlp would have 1,000,000,000,009 perceptrons"),
    ("erdos_renyi", {"n": 10**6}, "erdos_renyi would have 1,000,003 perceptrons"),
    ("erdos_renyi", {"n": 1500}, "erdos_renyi can have up to 1,128,750 edges"),
    ("dense", {"sizes": [1000, 1000]}, "dense can have up to 1,006,002 edges"),
    ("cascade", {"n_hidden": 2000}, "cascade can have up to 2,005,002 edges"),
])
def test_a_graph_over_the_limits_is_refused_before_it_is_built(kind, params, message):
    tracemalloc.start()
    try:
        with pytest.raises(ValueError) as err:
            generate.graph(kind, **params)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert message in str(err.value) and "dagnet.limits.LIMITS" in str(err.value)
    assert peak < 1 << 20                                 # nothing built: under 1 MiB


def test_the_limits_can_be_raised_for_a_network_one_means(monkeypatch):
    monkeypatch.setattr(limits.LIMITS, "max_nodes", 20)
    with pytest.raises(ValueError, match=r"over 20 \(the limit dagnet.limits.LIMITS.max_nodes is 20"):
        generate.graph("erdos_renyi", n=30)
    monkeypatch.setattr(limits.LIMITS, "max_nodes", 40)
    assert len(generate.graph("erdos_renyi", n=30)) == 33


@pytest.mark.parametrize("params", [{"sizes": [float("nan")]}, {"sizes": [1e400]}, {"n_hidden": 1e400}])
def test_non_finite_sizes_are_one_line_value_errors(params):
    kind = "cascade" if "n_hidden" in params else "mlp"
    with pytest.raises(ValueError, match="must be a whole number >= "):
        generate.graph(kind, **params)


def test_the_generate_command_refuses_a_huge_network_in_one_line(run, tmp_path):
    code, _, err = run("generate", "mlp", "-p", "sizes=[1e9]", "--out", tmp_path / "net.yaml")
    assert code == 1 and err.strip().splitlines() == [
        "dagnet: error: mlp would have 1,000,000,003 perceptrons (inputs and outputs included), over "
        "100,000 (the limit dagnet.limits.LIMITS.max_nodes is 100,000; raise it if you mean it)"]
    assert not (tmp_path / "net.yaml").exists()
