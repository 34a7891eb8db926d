"""neat-python import: outputs equal FeedForwardNetwork.activate on its XOR example and on random genomes."""
import gzip
import json
import os
import pickle
import random

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

import dagnet
from dagnet.interchange import InterchangeError
from dagnet.interchange import neat as importer

neat = pytest.importorskip("neat", reason="the neat extra (neat-python) is not installed")
from neat.export import export_network_json  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
XOR_CONFIG = os.path.join(ROOT, "docs", "interchange-xor-config.ini")
XOR = [(0.0, 0.0), (0.0, 1.0), (1.0, 0.0), (1.0, 1.0)]

#: Every activation the importer maps, both aggregations it folds, hidden nodes, disabled
#: connections and deleted nodes: what random genomes are made of.
RANDOM_CONFIG = open(XOR_CONFIG).read().replace(
    "activation_mutate_rate  = 0.0", "activation_mutate_rate  = 0.5").replace(
    "activation_options      = sigmoid",
    "activation_options      = " + " ".join(importer.NEAT_ACTIVATIONS)).replace(
    "aggregation_mutate_rate = 0.0", "aggregation_mutate_rate = 0.3").replace(
    "aggregation_options     = sum", "aggregation_options     = sum mean").replace(
    "num_inputs              = 2", "num_inputs              = 3").replace(
    "num_outputs             = 1", "num_outputs             = 2").replace(
    "num_hidden              = 0", "num_hidden              = 2").replace(
    "initial_connection      = full", "initial_connection      = partial_direct 0.5").replace(
    "response_init_stdev     = 0.0", "response_init_stdev     = 0.5").replace(
    "response_mutate_rate    = 0.0", "response_mutate_rate    = 0.5").replace(
    "enabled_mutate_rate     = 0.01", "enabled_mutate_rate     = 0.2").replace(
    "node_add_prob           = 0.2", "node_add_prob           = 0.5")


def make_config(path):
    return neat.Config(neat.DefaultGenome, neat.DefaultReproduction, neat.DefaultSpeciesSet,
                       neat.DefaultStagnation, str(path))


def activate(genome, config, X):
    ff = neat.nn.FeedForwardNetwork.create(genome, config)
    return np.array([ff.activate(list(x)) for x in X])


@pytest.fixture(scope="module")
def random_config(tmp_path_factory):
    path = tmp_path_factory.mktemp("neat") / "random-config.ini"
    path.write_text(RANDOM_CONFIG)
    config = make_config(path)
    config.genome_config.innovation_tracker = neat.innovation.InnovationTracker()
    return config


def random_genome(config, seed, mutations):
    random.seed(seed)
    genome = neat.DefaultGenome(seed)
    genome.configure_new(config.genome_config)
    for _ in range(mutations):
        genome.mutate(config.genome_config)
    return genome


@pytest.fixture(scope="module")
def xor_winner():
    """neat-python's XOR example, evolved with a fixed seed: (winner genome, config)."""
    random.seed(3)
    config = make_config(XOR_CONFIG)

    def fitness(genomes, config):
        for _, genome in genomes:
            genome.fitness = 4.0 - float(np.sum((activate(genome, config, XOR)[:, 0] - [0, 1, 1, 0]) ** 2))

    return neat.Population(config).run(fitness, 300), config


# -- agreement -------------------------------------------------------------------------------------

@pytest.mark.slow
def test_xor_example_imports_exactly(xor_winner):
    winner, config = xor_winner
    net = dagnet.from_neat(winner, config)
    assert winner.fitness > 3.9
    np.testing.assert_allclose(net.predict(XOR), activate(winner, config, XOR), rtol=0, atol=1e-12)
    assert net.inputs == [-1, -2] and net.outputs == [0]


@pytest.mark.slow
def test_xor_example_through_the_json_export_and_through_a_pickle(xor_winner, tmp_path):
    winner, config = xor_winner
    expected = activate(winner, config, XOR)
    path = tmp_path / "winner.json"
    export_network_json(neat.nn.FeedForwardNetwork.create(winner, config), filepath=str(path),
                        metadata={"genome_id": winner.key, "fitness": winner.fitness})
    from_json = importer.load(path)
    np.testing.assert_allclose(from_json.predict(XOR), expected, rtol=0, atol=1e-12)
    assert from_json.name == f"neat-genome-{winner.key}"
    pickled = tmp_path / "winner.pkl"
    pickled.write_bytes(pickle.dumps(winner))
    from_pickle = importer.load(pickled, config=XOR_CONFIG, allow_pickle=True)
    np.testing.assert_allclose(from_pickle.predict(XOR), expected, rtol=0, atol=1e-12)


@pytest.mark.slow
def test_an_imported_winner_fine_tunes_with_backprop(xor_winner):
    winner, config = xor_winner
    net = dagnet.from_neat(winner, config, loss="sse")
    before = net.evaluate(XOR, [0, 1, 1, 0])
    net.fit(XOR, [0, 1, 1, 0], epochs=200, lr=0.05, optimizer="adam", batch_size=None, verbose=False)
    assert net.evaluate(XOR, [0, 1, 1, 0]) < before / 10


def _clamped(net, X):
    """Rows where neat-python's clamp of 5·x at ±60 is active for some sin or softplus node."""
    trace = net.forward(X)
    rows = np.zeros(len(X), dtype=bool)
    for node in net.plan.nodes:
        if net.plan.activation[node] in ("sin", "softplus"):
            rows |= np.abs(trace.s[node]) > 60
    return rows


@given(st.integers(0, 2**31 - 1), st.integers(0, 25))
def test_random_genomes_compute_what_neat_python_computes(random_config, seed, mutations):
    genome = random_genome(random_config, seed, mutations)
    net = dagnet.from_neat(genome, random_config)
    X = np.random.default_rng(seed).uniform(-1, 1, size=(12, 3))
    inside = ~_clamped(net, X)
    assume(inside.any())
    np.testing.assert_allclose(net.predict(X)[inside], activate(genome, random_config, X)[inside],
                               rtol=1e-12, atol=1e-12)


@given(st.integers(0, 2**31 - 1), st.integers(0, 25))
def test_the_json_export_gives_the_same_network_as_the_genome(random_config, seed, mutations):
    genome = random_genome(random_config, seed, mutations)
    ff = neat.nn.FeedForwardNetwork.create(genome, random_config)
    from_json = importer.from_json(export_network_json(ff))
    X = np.random.default_rng(seed).uniform(-1, 1, size=(6, 3))
    np.testing.assert_allclose(from_json.predict(X), dagnet.from_neat(genome, random_config).predict(X),
                               rtol=1e-12, atol=1e-12)


def test_sin_beyond_neat_pythons_clamp_is_where_the_two_part():
    net = importer.from_json(_genome_json([("sin", 0.0)], [(-1, 0, 1.0)]))
    inside, outside = np.array([[11.0]]), np.array([[13.0]])
    assert abs(net.predict(inside)[0, 0] - np.sin(5 * 11.0)) < 1e-12
    assert abs(net.predict(outside)[0, 0] - np.sin(60.0)) > 0.1      # neat-python gives sin(60)


# -- what is dropped, folded, added --------------------------------------------------------------

def _genome_json(nodes, connections, inputs=(-1,), network_type="feedforward"):
    """neat-python's JSON layout: nodes [(activation, bias)] as keys 0, 1, ...; outputs: key 0."""
    return {"format_version": "1.0", "network_type": network_type,
            "topology": {"num_inputs": len(inputs), "num_outputs": 1, "input_keys": list(inputs),
                         "output_keys": [0]},
            "nodes": [{"id": k, "type": "output" if k == 0 else "hidden",
                       "activation": {"name": act, "custom": False},
                       "aggregation": {"name": "sum", "custom": False}, "bias": bias, "response": 1.0}
                      for k, (act, bias) in enumerate(nodes)],
            "connections": [{"from": u, "to": v, "weight": w, "enabled": on}
                            for u, v, w, *rest in connections for on in [rest[0] if rest else True]]}


def test_disabled_connections_unused_nodes_and_unconnected_inputs():
    data = _genome_json([("tanh", 0.5), ("relu", 0.1), ("sigmoid", 0.0)],
                        [(-1, 0, 2.0), (-1, 1, 1.0), (1, 0, 3.0, False), (-2, 2, 1.0), (2, 0, 1.0, False)],
                        inputs=(-1, -2, -3))
    net = importer.from_json(data)
    assert sorted(net.graph.nodes, key=str) == [-1, -2, -3, 0]
    assert net.weight(-1, 0) == 2.5 * 2.0 and net.bias(0) == 2.5 * 0.5
    assert net.weight(-2, 0) == 0.0 and net.plan.mask[net.plan.edge_slot[-2, 0]] == 0.0
    description = net.graph.graph["description"]
    assert "2 disabled connections dropped" in description
    assert "nodes reaching no output dropped: 1, 2" in description
    assert "inputs reaching no output, fixed at weight 0: -2, -3" in description


def test_a_softplus_output_is_computed_by_a_perceptron_and_a_fixed_weight():
    net = importer.from_json(_genome_json([("softplus", 0.3)], [(-1, 0, 1.5)]))
    x = np.array([[-0.4], [0.2], [1.0]])
    neat_value = 0.2 * np.log1p(np.exp(5 * (0.3 + 1.5 * x)))
    np.testing.assert_allclose(net.predict(x), neat_value, rtol=1e-12)
    assert net.weight("0:softplus", 0) == 0.2 and net.plan.activation[0] == "linear"


def test_mean_aggregation_and_response_are_folded():
    data = _genome_json([("identity", 1.0)], [(-1, 0, 2.0), (-2, 0, 4.0)], inputs=(-1, -2))
    data["nodes"][0].update(aggregation={"name": "mean"}, response=3.0)
    net = importer.from_json(data)
    x = np.array([[1.0, -2.0]])
    assert net.predict(x)[0, 0] == 1.0 + 3.0 * (2.0 * 1.0 + 4.0 * -2.0) / 2


# -- what is refused ----------------------------------------------------------------------------

def test_a_recurrent_genome_is_refused_naming_the_cycle(random_config):
    genome = random_genome(random_config, 11, 0)
    genome.nodes[5] = random_config.genome_config.node_gene_type(5)
    genome.nodes[5].init_attributes(random_config.genome_config)
    genome.add_connection(random_config.genome_config, 0, 5, 1.0, True)
    genome.add_connection(random_config.genome_config, 5, 0, 1.0, True)
    with pytest.raises(InterchangeError, match=r"cycle (0 -> 5 -> 0|5 -> 0 -> 5).*feed-forward genomes only"):
        dagnet.from_neat(genome, random_config)


@pytest.mark.parametrize("activation, message", [
    ("cube", "node 0: neat-python activation 'cube' has no dagnet counterpart; dagnet imports sigmoid"),
    ("lelu", "node 0: neat-python's 'lelu' cannot be imported: its slope below 0 is 0.005"),
])
def test_an_activation_without_counterpart_is_refused_by_name(activation, message):
    with pytest.raises(InterchangeError, match=message):
        importer.from_json(_genome_json([(activation, 0.0)], [(-1, 0, 1.0)]))


def test_other_aggregations_and_custom_functions_are_refused(random_config, tmp_path):
    data = _genome_json([("tanh", 0.0)], [(-1, 0, 1.0)])
    data["nodes"][0]["aggregation"] = {"name": "product"}
    with pytest.raises(InterchangeError,
                       match=r"nodes\[0\]: node 0: aggregation 'product' is not a weighted sum"):
        importer.from_json(data)
    data["nodes"][0]["aggregation"] = {"name": "sum"}
    data["nodes"][0]["activation"] = {"name": "wiggle", "custom": True}
    with pytest.raises(InterchangeError, match="custom activation 'wiggle'"):
        importer.from_json(data)
    path = tmp_path / "custom.ini"
    path.write_text(RANDOM_CONFIG)
    config = make_config(path)
    config.genome_config.add_activation("wiggle", lambda z: z)
    genome = random_genome(random_config, 1, 0)
    genome.nodes[0].activation = "wiggle"
    with pytest.raises(InterchangeError, match="'wiggle' is a custom function"):
        dagnet.from_neat(genome, config)


def test_broken_files_are_one_clear_error_each(tmp_path, random_config):
    cases = {
        "truncated.json": (b'{"format_version": "1.0", "nodes": [', r"truncated\.json: not JSON"),
        "recurrent.json": (json.dumps(_genome_json([("tanh", 0)], [(-1, 0, 1.0)], network_type="recurrent"))
                           .encode(), r"network_type: a 'recurrent' network: dagnet imports neat-python's "
                                      r"feed-forward networks only"),
        "other.json": (b'{"nodes": []}', r"topology: no topology with input_keys"),
        "dangling.json": (json.dumps(_genome_json([("tanh", 0)], [(7, 0, 1.0)])).encode(),
                          r"connections\[0\]: connection 7 -> 0: 7 is neither an input nor a node"),
    }
    for name, (content, message) in cases.items():
        path = tmp_path / name
        path.write_bytes(content)
        with pytest.raises(InterchangeError, match=message):
            importer.load(path)
    noise = tmp_path / "noise.pkl"
    noise.write_bytes(b"\x80\x05not a pickle at all")
    with pytest.raises(InterchangeError, match=r"noise\.pkl: not a pickled neat-python genome"):
        importer.load(noise, config=XOR_CONFIG, allow_pickle=True)
    with pytest.raises(InterchangeError, match=r"noise\.pkl: a pickled genome: give the "
                                               r"neat-python config file"):
        importer.load(noise, allow_pickle=True)
    checkpoint = tmp_path / "neat-checkpoint-4"
    checkpoint.write_bytes(gzip.compress(b"anything"))
    with pytest.raises(InterchangeError, match="likely a neat-python checkpoint"):
        importer.load(checkpoint, config=XOR_CONFIG, allow_pickle=True)
    numbers = tmp_path / "numbers.pkl"
    numbers.write_bytes(pickle.dumps([1, 2, 3]))
    with pytest.raises(InterchangeError, match="holds a list, not a neat-python genome"):
        importer.load(numbers, config=XOR_CONFIG, allow_pickle=True)
    genome = tmp_path / "genome.pkl"
    genome.write_bytes(pickle.dumps(random_genome(random_config, 1, 0)))
    garbage = tmp_path / "garbage.ini"
    garbage.write_text("[NEAT]\npop_size = many\n")
    with pytest.raises(InterchangeError, match=r"garbage\.ini: not a neat-python config file"):
        importer.load(genome, config=garbage, allow_pickle=True)
    with pytest.raises(InterchangeError, match="no such config file"):
        importer.load(genome, config=tmp_path / "missing.ini", allow_pickle=True)
    with pytest.raises(InterchangeError, match="no such file"):
        importer.load(tmp_path / "missing.json")


def test_random_genomes_reach_every_mapping(random_config):
    """The genomes the random tests draw hold every activation, mean, hidden and scaled nodes."""
    seen = set()
    for seed in range(150):
        genome = random_genome(random_config, seed, seed % 20)
        net = dagnet.from_neat(genome, random_config)
        seen |= {net.plan.activation[n] for n in net.plan.nodes if net.plan.activation[n]}
        seen |= {g.aggregation for g in genome.nodes.values()}
        seen |= {"hidden"} if len(net.plan.nodes) > 5 else set()
        seen |= {"scaled output"} if any(isinstance(n, str) for n in net.plan.nodes) else set()
        seen |= {"disabled"} if not all(c.enabled for c in genome.connections.values()) else set()
    wanted = {a.dagnet for a in importer.NEAT_ACTIVATIONS.values()} | {"sum", "mean", "hidden",
                                                                        "scaled output", "disabled"}
    assert wanted <= seen, wanted - seen


@given(st.integers(0, 2**31 - 1), st.integers(0, 25))
def test_a_genomes_blueprint_is_what_its_networkx_graph_gives(random_config, seed, mutations):
    """Genomes are built without networkx (thousands a run): the same nodes, edges, order and values."""
    import dataclasses

    from dagnet import graph as graph_rules
    from dagnet.blueprint import Blueprint
    from dagnet.evolve.phenotype import plain
    from dagnet.interchange import neat_folding

    g = plain(random_genome(random_config, seed, mutations), random_config.genome_config)
    direct, via = neat_folding.blueprint(g), Blueprint.of_graph(neat_folding.graph(g))
    for field in dataclasses.fields(Blueprint):
        if field.name.startswith("_"):          # caches
            continue
        a, b = getattr(direct, field.name), getattr(via, field.name)
        assert np.array_equal(a, b) if isinstance(a, np.ndarray) else a == b, field.name
    built = [dagnet.Network(graph_rules.complete(bp, g.inputs, g.outputs, "mse", seed=1)) for bp in (direct, via)]
    assert built[0].plan.edge_slot == built[1].plan.edge_slot
    assert np.array_equal(built[0].params, built[1].params)
