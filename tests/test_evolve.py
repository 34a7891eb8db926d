"""dagnet.evolve: neat-python's search with dagnet's training inside, exact write-back, refusal, XOR solved."""
import os
import pickle
import subprocess
import sys

import numpy as np
import pytest
from fresh_python import modules_loaded

import dagnet
from dagnet import datasets
from dagnet.evolve import EvolveError, Settings, evolve, neatconfig
from dagnet.evolve.phenotype import Networks, network, plain, unfold, write_back
from dagnet.interchange import MissingDependency
from dagnet.interchange import neat as neat_interchange

neat = pytest.importorskip("neat", reason="the neat extra (neat-python) is not installed")

XOR_X, XOR_Y = datasets.load("xor")


def neat_config(tmp_path, text, name="config"):
    path = tmp_path / name
    path.write_text(text)
    return neatconfig.read(path)


def activate(genome, config, X):
    ff = neat.nn.FeedForwardNetwork.create(genome, config)
    return np.array([ff.activate(list(x)) for x in X])


@pytest.mark.parametrize("activation", neatconfig.EXACT)
def test_lamarckian_write_back_makes_neat_compute_what_the_trained_network_computes(tmp_path, activation):
    """genome -> network -> train -> genome -> neat-python's network equals dagnet's, to 1e-12."""
    text = neatconfig.default_text(2, 2, pop_size=6, activations=(activation,), node_add_prob=0.9)
    text = text.replace("response_init_stdev     = 0.0", "response_init_stdev     = 0.6")
    config = neat_config(tmp_path, text)
    population = neat.Population(config, seed=4).population
    X = np.random.default_rng(0).uniform(-1, 1, (40, 2))
    Y = (X > 0).astype(float)
    for k, genome in enumerate(population.values()):
        genome.mutate(config.genome_config)
        genome.mutate(config.genome_config)
        if k == 0:
            next(iter(genome.nodes.values())).response = 0.0     # folds to weight 0; unfolds against 1
        g = plain(genome, config.genome_config)
        net = network(g, loss="mse")
        net.fit(X, Y, epochs=30, lr=0.05, optimizer="adam", seed=k, verbose=False)
        assert not np.allclose(net.predict(X), activate(genome, config, X), atol=1e-6)   # it learned
        write_back(genome, unfold(g, net))
        assert np.max(np.abs(activate(genome, config, X) - net.predict(X))) < 1e-12
        again = network(plain(genome, config.genome_config))
        assert np.max(np.abs(again.predict(X) - net.predict(X))) < 1e-12


def test_a_genome_of_a_known_structure_gets_the_network_a_new_build_gives_bit_for_bit(tmp_path):
    text = neatconfig.default_text(3, 2, pop_size=12, activations=neatconfig.EXACT, node_add_prob=0.9)
    config = neat_config(tmp_path, text.replace("response_init_stdev     = 0.0", "response_init_stdev     = 0.6"))
    rng = np.random.default_rng(0)
    networks = Networks()
    for genome in neat.Population(config, seed=1).population.values():
        genome.mutate(config.genome_config)
        g = plain(genome, config.genome_config)
        networks.network(g)                                    # its structure, compiled once
        g.nodes = {k: (a, s, rng.normal(), rng.normal()) for k, (a, s, _, _) in g.nodes.items()}
        g.connections = [(u, v, rng.normal(), on) for u, v, _, on in g.connections]
        again, fresh = networks.network(g), network(g)
        assert again.plan is not fresh.plan and again.plan.edge_slot == fresh.plan.edge_slot
        assert np.array_equal(again.params, fresh.params)


@pytest.mark.parametrize("key, value, named", [
    ("aggregation_options     = sum", "aggregation_options     = sum product", "aggregation_options"),
    ("activation_options      = tanh gauss", "activation_options      = tanh sin", "activation_options"),
    ("activation_options      = tanh gauss", "activation_options      = tanh cube", "activation_options"),
    ("feed_forward            = True", "feed_forward            = False", "feed_forward"),
    ("num_inputs              = 2", "num_inputs              = 3", "num_inputs"),
])
def test_a_config_dagnet_cannot_fold_is_refused_with_its_key_named(tmp_path, key, value, named):
    path = tmp_path / "bad-config"
    text = neatconfig.default_text(2, 1)
    assert key in text
    path.write_text(text.replace(key, value))
    with pytest.raises(EvolveError) as caught:
        evolve(XOR_X, XOR_Y, tmp_path / "run", config=path, generations=1)
    assert f"DefaultGenome.{named}" in str(caught.value) and str(path) in str(caught.value)
    assert not os.path.exists(tmp_path / "run" / "neat-checkpoint-1")


def test_the_command_refuses_an_unfoldable_config_in_one_line(tmp_path, run):
    path = tmp_path / "bad-config"
    path.write_text(neatconfig.default_text(2, 1).replace("aggregation_options     = sum",
                                                         "aggregation_options     = mean"))
    code, out, err = run("evolve", "--data", "xor", "--out", tmp_path / "run", "--config", path)
    assert code == 1 and len(err.strip().splitlines()) == 1 and "aggregation_options" in err


@pytest.mark.slow
def test_small_seeded_xor_evolution_solves_within_bounded_generations(tmp_path):
    outcome = evolve(XOR_X, XOR_Y, tmp_path, settings=Settings(epochs=100, lr=0.1, validation=0, seed=1),
                     generations=15, pictures=False, log=lambda line: None)
    assert outcome.summary["solved_at"] is not None and outcome.summary["solved_at"] <= 15
    assert dagnet.load(tmp_path / "champion.yaml").score(XOR_X, XOR_Y) == 1.0
    assert outcome.network.score(XOR_X, XOR_Y) == 1.0


def test_the_champion_files_compute_the_same_three_ways(tmp_path, run):
    code, out, err = run("evolve", "--data", "xor", "--out", tmp_path, "--generations", "3", "--epochs", "60",
                         "--pop-size", "20", "--no-pictures")
    assert code == 0 and "champion: genome" in out and "gen   2" in err
    net = dagnet.load(tmp_path / "champion.yaml")
    config = neatconfig.read(tmp_path / neatconfig.CONFIG_NAME)
    with open(tmp_path / "champion.pkl", "rb") as f:
        genome = pickle.load(f)
    X = np.random.default_rng(1).uniform(-2, 2, (50, 2))
    assert np.max(np.abs(activate(genome, config, X) - net.predict(X))) < 1e-12
    imported = neat_interchange.load(tmp_path / "champion.json")
    assert np.max(np.abs(imported.predict(X) - net.predict(X))) < 1e-12
    assert (tmp_path / "history.csv").read_text().count("\n") == 4


def test_baldwinian_genomes_keep_their_values_and_the_champion_is_still_trained(tmp_path):
    outcome = evolve(XOR_X, XOR_Y, tmp_path, generations=2, pictures=False, log=lambda line: None,
                     settings=Settings(epochs=50, validation=0, inheritance="baldwinian"))
    with open(tmp_path / "champion.pkl", "rb") as f:
        genome = pickle.load(f)
    assert np.max(np.abs(activate(genome, outcome.config, XOR_X) - outcome.network.predict(XOR_X))) < 1e-12


def test_without_neat_python_a_run_says_what_to_install(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "neat", None)
    with pytest.raises(MissingDependency, match=r'pip install "dagnet\[neat\]"'):
        evolve(XOR_X, XOR_Y, tmp_path, generations=1)


@pytest.mark.slow
def test_import_dagnet_and_its_command_line_do_not_import_neat_python():
    assert "neat" not in modules_loaded("import dagnet, dagnet.evolve, dagnet.cli; dagnet.cli.build_parser()")


# -- the same run whatever happens to it ---------------------------------------------------------

SPIRALS = datasets.load("spirals", n_samples=80, seed=0)
SMALL_RUN = Settings(epochs=30, seed=2)

#: A run killed with SIGKILL while generation 3 is being evaluated (after its checkpoint of 3).
KILLED = """
import os, signal, sys
from dagnet import datasets
from dagnet.evolve import Settings, evolve
X, Y = datasets.load("spirals", n_samples=80, seed=0)
def log(line):
    if line.startswith("gen   3"):
        os.kill(os.getpid(), signal.SIGKILL)
evolve(X, Y, sys.argv[1], config=sys.argv[2], settings=Settings(epochs=30, seed=2), generations=6,
       pictures=False, log=log)
"""


def small_config(tmp_path):
    path = tmp_path / "small-config"
    path.write_text(neatconfig.default_text(2, 1, pop_size=16))
    return path


def fingerprint(folder):
    """The run's champion genome (every gene's values) and history (timings aside)."""
    with open(os.path.join(folder, "champion.pkl"), "rb") as f:
        genome = pickle.load(f)
    nodes = sorted((k, g.bias, g.response, g.activation) for k, g in genome.nodes.items())
    connections = sorted((k, g.weight, g.enabled, g.innovation) for k, g in genome.connections.items())
    with open(os.path.join(folder, "history.csv")) as f:
        history = [line.rsplit(",", 1)[0] for line in f]
    with open(os.path.join(folder, "species.csv")) as f:
        species = f.read()
    return genome.key, nodes, connections, history, species


@pytest.mark.slow
def test_a_run_killed_mid_generation_and_resumed_ends_as_an_uninterrupted_run(tmp_path):
    config = small_config(tmp_path)
    evolve(*SPIRALS, tmp_path / "whole", config=config, settings=SMALL_RUN, generations=6, pictures=False,
           log=lambda line: None)
    killed = subprocess.run([sys.executable, "-c", KILLED, str(tmp_path / "cut"), str(config)],
                            capture_output=True, text=True)
    assert killed.returncode == -9, killed.stderr
    assert not os.path.exists(tmp_path / "cut" / "champion.pkl")
    lines = []
    evolve(*SPIRALS, tmp_path / "cut", config=config, settings=SMALL_RUN, generations=6, pictures=False,
           resume=True, log=lines.append)
    assert lines[0].endswith("at generation 3")
    assert fingerprint(tmp_path / "cut") == fingerprint(tmp_path / "whole")


@pytest.mark.slow
def test_serial_joblib_and_dask_runs_are_bit_identical(tmp_path):
    distributed = pytest.importorskip("dask.distributed")
    config = small_config(tmp_path)
    common = dict(config=config, settings=SMALL_RUN, generations=3, pictures=False, log=lambda line: None)
    evolve(*SPIRALS, tmp_path / "serial", n_jobs=1, **common)
    evolve(*SPIRALS, tmp_path / "joblib", n_jobs=2, **common)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0") \
            as cluster, distributed.Client(cluster) as client:
        evolve(*SPIRALS, tmp_path / "dask", scheduler=client, **common)
    assert fingerprint(tmp_path / "serial") == fingerprint(tmp_path / "joblib") == fingerprint(tmp_path / "dask")


def test_ctrl_c_keeps_the_champion_so_far(tmp_path):
    def log(line):
        if line.startswith("gen   1"):
            raise KeyboardInterrupt
    outcome = evolve(XOR_X, XOR_Y, tmp_path, generations=10, pictures=False, log=log,
                     settings=Settings(epochs=20, validation=0))
    assert outcome.interrupted and outcome.summary["interrupted"] and len(outcome.history) == 2
    assert dagnet.load(tmp_path / "champion.yaml").n_params == outcome.network.n_params


def test_the_command_resumes_a_run_and_reads_csv_data(tmp_path, run):
    data = tmp_path / "gates.csv"
    datasets.save_csv(data, XOR_X, XOR_Y, inputs=["a", "b"], targets=["y"])
    common = ("evolve", "--data", data, "--out", tmp_path / "run", "--pop-size", "10", "--epochs", "10",
              "--no-pictures")
    code, out, err = run(*common, "--generations", "2")
    assert code == 0 and (tmp_path / "run" / "neat-checkpoint-2").exists()
    code, out, err = run(*common, "--generations", "4", "--resume")
    assert code == 0 and "resuming" in err and "gen   2" in err and "gen   0" not in err
    assert (tmp_path / "run" / "history.csv").read_text().count("\n") == 5


def test_neat_python_before_2_is_refused_with_what_to_install(tmp_path, monkeypatch):
    monkeypatch.setattr(neat, "__version__", "0.92")
    with pytest.raises(MissingDependency, match="neat-python 2.0 or later"):
        evolve(XOR_X, XOR_Y, tmp_path, generations=1)
