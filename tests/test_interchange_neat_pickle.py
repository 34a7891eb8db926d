"""Pickled genomes: read only when trusted, and even then no code from the file runs."""
import os
import pickle
import random

import numpy as np
import pytest

from dagnet.interchange import InterchangeError
from dagnet.interchange import neat as importer

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
XOR_CONFIG = os.path.join(ROOT, "docs", "interchange-xor-config.ini")


class OpensMarker:
    """Unpickling calls ``open(marker, "w")``: the marker file appears if the pickle runs."""

    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        return open, (self.marker, "w")


class RunsShell:
    """Unpickling calls ``os.system("touch marker")``."""

    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        return os.system, (f"touch '{self.marker}'",)


def evil_files(tmp_path):
    """(path, marker) of pickles that would write their marker file if they ever ran."""
    out = []
    for k, (cls, name) in enumerate([(OpensMarker, "evil.pkl"), (RunsShell, "shell.pickle"),
                                     (OpensMarker, "genome.json"), (RunsShell, "winner"),
                                     (OpensMarker, "protocol0.pkl")]):
        marker = tmp_path / f"marker{k}"
        path = tmp_path / name
        path.write_bytes(pickle.dumps([cls(marker)], protocol=0 if "protocol0" in name else 4))
        out.append((path, marker))
    return out


@pytest.mark.parametrize("trusted", [False, True])
def test_an_evil_pickle_never_runs_with_or_without_trust(tmp_path, trusted):
    if trusted:
        pytest.importorskip("neat")                  # the config is read before the pickle
    config = XOR_CONFIG if trusted else None
    for path, marker in evil_files(tmp_path):
        with pytest.raises(InterchangeError) as err:
            importer.load(path, config=config, allow_pickle=trusted)
        assert not marker.exists(), f"{path.name} ran"
        assert str(path) in str(err.value)
        if trusted and path.suffix != ".json":
            assert "refused to unpickle" in str(err.value) or "neat-python" in str(err.value)


def test_without_trust_a_pickle_is_refused_before_it_is_read(tmp_path):
    path, marker = evil_files(tmp_path)[0]
    with pytest.raises(InterchangeError, match=r"evil\.pkl: not JSON, so a pickled genome; unpickling "
                                               r"can run code.*allow_pickle=True"):
        importer.load(path, config=XOR_CONFIG)
    assert not marker.exists()


def test_the_config_is_checked_before_the_pickle_is_read(tmp_path):
    path, marker = evil_files(tmp_path)[0]
    with pytest.raises(InterchangeError, match="no such config file"):
        importer.load(path, config=tmp_path / "nonexistent", allow_pickle=True)
    assert not marker.exists()


def test_a_refused_global_is_named(tmp_path):
    pytest.importorskip("neat")
    path, _ = evil_files(tmp_path)[1]
    with pytest.raises(InterchangeError, match=r"shell\.pickle: refused to unpickle (posix|os)\.system: "
                                               r"dagnet unpickles only neat-python's genome and gene classes"):
        importer.load(path, config=XOR_CONFIG, allow_pickle=True)


class AsksForATerabyte:
    def __reduce__(self):
        return bytes, (10**12,)


def test_a_pickle_asking_for_a_huge_allocation_is_refused(tmp_path):
    pytest.importorskip("neat")
    path = tmp_path / "big.pkl"
    path.write_bytes(pickle.dumps(AsksForATerabyte()))
    with pytest.raises(InterchangeError, match=r"refused to unpickle builtins\.bytes"):
        importer.load(path, config=XOR_CONFIG, allow_pickle=True)


@pytest.mark.parametrize("name, content, message", [
    ("genome.json", pickle.dumps({"nodes": {}}), r"genome\.json: named \.json but holds a pickle"),
    ("genome.pkl", b' {"nodes": []}', r"genome\.pkl: named \.pkl but holds JSON text: name it \.json"),
    ("genome.pickle", b"\xef\xbb\xbf[1]", r"genome\.pickle: named \.pickle but holds JSON text"),
])
def test_a_file_must_hold_what_its_name_says(tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(InterchangeError, match=message):
        importer.load(path, config=XOR_CONFIG, allow_pickle=True)


@pytest.mark.parametrize("protocol", range(pickle.HIGHEST_PROTOCOL + 1))
def test_a_genome_pickled_with_any_protocol_imports_when_trusted(tmp_path, protocol):
    neat = pytest.importorskip("neat")
    config = neat.Config(neat.DefaultGenome, neat.DefaultReproduction, neat.DefaultSpeciesSet,
                         neat.DefaultStagnation, XOR_CONFIG)
    config.genome_config.innovation_tracker = neat.innovation.InnovationTracker()
    random.seed(protocol)
    genome = neat.DefaultGenome(protocol)
    genome.configure_new(config.genome_config)
    for _ in range(6):
        genome.mutate(config.genome_config)
    genome.fitness = 3.25
    path = tmp_path / "winner.pkl"
    path.write_bytes(pickle.dumps(genome, protocol=protocol))
    net = importer.load(path, config=XOR_CONFIG, allow_pickle=True)
    X = np.array([[0.0, 1.0], [1.0, 0.5]])
    ff = neat.nn.FeedForwardNetwork.create(genome, config)
    np.testing.assert_allclose(net.predict(X), [ff.activate(list(x)) for x in X], rtol=1e-12, atol=1e-12)
    assert net.name == f"neat-genome-{protocol}" and net.graph.graph["metadata"]["fitness"] == 3.25


def test_an_evil_object_inside_a_real_genome_never_runs(tmp_path):
    neat = pytest.importorskip("neat")
    config = neat.Config(neat.DefaultGenome, neat.DefaultReproduction, neat.DefaultSpeciesSet,
                         neat.DefaultStagnation, XOR_CONFIG)
    config.genome_config.innovation_tracker = neat.innovation.InnovationTracker()
    genome = neat.DefaultGenome(1)
    genome.configure_new(config.genome_config)
    marker = tmp_path / "marker"
    genome.fitness = OpensMarker(marker)
    path = tmp_path / "winner.pkl"
    path.write_bytes(pickle.dumps(genome))
    with pytest.raises(InterchangeError, match=r"refused to unpickle (io|builtins)\.open"):
        importer.load(path, config=XOR_CONFIG, allow_pickle=True)
    assert not marker.exists()


@pytest.mark.parametrize("trust", [[], ["--trust-pickle"]])
@pytest.mark.parametrize("config", ["/nonexistent", XOR_CONFIG])
def test_import_neat_never_runs_an_evil_pickle(run, tmp_path, trust, config):
    for path, marker in evil_files(tmp_path):
        code, _, err = run("import-neat", path, "--config", config, *trust, "--out", tmp_path / "x.yaml")
        assert code == 1 and len(err.strip().splitlines()) == 1, err
        assert not marker.exists(), f"{path.name} ran"
    assert not (tmp_path / "x.yaml").exists()
