"""Malformed and hostile inputs: one clear error each, fast, in bounded memory, never a crash.

A corpus of files that once crashed, hung or exhausted memory, and
hypothesis-driven fuzzing of the three readers users feed directly: the
topology loader, the experiment reader and the CSV reader.
"""
import json
import os
import stat
import subprocess
import sys
import time

import numpy as np
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import dagnet
from dagnet import datasets, limits
from dagnet.errors import ExperimentError
from dagnet.strictyaml import read_value

HEAD = "inputs: [a]\noutputs: [y]\n"
ONE_EDGE = "nodes: {y: {}}\nedges: [{from: a, to: y}]\n"

CORPUS = {
    "unhashable node in from": (HEAD + "nodes: {y: {}}\nedges: [{from: [[a], b], to: y}]",
                                "edges[0].from[0]: expected a node name"),
    "mapping as target": (HEAD + "nodes: {y: {}}\nedges: [{from: a, to: {x: 1}}]", "edges[0].to"),
    "size 1e400": (HEAD + "nodes: {h: {size: 1e400}, y: {}}\nedges: [{from: a, to: h}, {from: h, to: y}]",
                   "nodes.h.size: size must be a whole number >= 1, got inf"),
    "400-digit size": (HEAD + "nodes: {h: {size: " + "9" * 400 + "}, y: {}}\nedges: [{from: a, to: h}, {from: h, to: y}]",
                       "nodes.h.size: size must be a whole number >= 1"),
    "size .nan": (HEAD + "nodes: {h: {size: .nan}, y: {}}\nedges: [{from: a, to: h}, {from: h, to: y}]",
                  "nodes.h.size: size must be a whole number >= 1, got nan"),
    "size 1e9": (HEAD + "nodes: {h: {size: 1e9}, y: {}}\nedges: [{from: a, to: h}, {from: h, to: y}]",
                 "nodes.h.size: size 1,000,000,000 would make more than 100,000 nodes"),
    "3000 x 3000 group edge": (HEAD + "nodes: {h: {size: 3000}, g: {size: 3000}, y: {}}\n"
                                      "edges: [{from: a, to: h}, {from: h, to: g}, {from: g, to: y}]",
                               "edges[1]: 3,000 sources × 3,000 targets would make more than 1,000,000 edges"),
    "400-digit weight": (HEAD + "nodes: {y: {}}\nedges: [{from: a, to: y, weight: " + "9" * 400 + "}]",
                         "edges[0].weight: weight must be a finite number"),
    "400-digit bias": (HEAD + "nodes: {y: {bias: " + "9" * 400 + "}}\nedges: [{from: a, to: y}]",
                       "nodes.y.bias: bias must be finite"),
    "self-referencing alias": ("name: &m [*m]\n" + HEAD + ONE_EDGE, "alias *m is not allowed"),
    "alias bomb": ("a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{c}: &{c} [*{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}]\n"
        for p, c in zip("abcdefgh", "bcdefghi")) + HEAD + ONE_EDGE, "alias *a is not allowed"),
    "list nested 100,000 deep": ("[" * 100_000 + "]" * 100_000, "nested more than 64 levels deep"),
    "block list nested 30,000 deep": ("- " * 30_000 + "x\n", "nested more than 64 levels deep"),
    "JSON nested 1,000 deep": ("{" + '"a": [' * 1000 + "]" * 1000 + "}", "nested more than 64 levels deep"),
    "sexagesimal weight 1:30": (HEAD + "nodes: {y: {}}\nedges: [{from: a, to: y, weight: 1:30}]",
                                "weight must be a finite number, got '1:30'"),
    "trainable: maybe": (HEAD + "nodes: {y: {trainable: maybe}}\nedges: [{from: a, to: y}]",
                         "nodes.y.trainable: trainable must be true or false"),
    "name: [a, b]": ("name: [a, b]\n" + HEAD + ONE_EDGE, "name: name must be text"),
    "loss: [sse]": ("loss: [sse]\n" + HEAD + ONE_EDGE, "loss: loss must be text"),
    "group: [1, 2]": (HEAD + "nodes: {y: {group: [1, 2]}}\nedges: [{from: a, to: y}]",
                      "nodes.y.group: group must be a name"),
    "tab indentation": ("inputs: [a]\noutputs: [y]\nnodes:\n\ty: {}\n", "line 4: a tab indents this line"),
    "binary junk": ("\x00\x01\x02 inputs", "control characters are not allowed"),
    "!!float on a list": ("inputs: !!float [a]\noutputs: [y]\n" + ONE_EDGE,
                          "line 1, column 9: !!float needs a single value, not a list"),
    "!!map on a list": (HEAD + "nodes: !!map [y]\nedges: [{from: a, to: y}]", "line 3, column 8: !!map needs a mapping"),
    "!!int abc": (HEAD + "nodes: {y: {bias: !!int abc}}\nedges: [{from: a, to: y}]",
                  "line 3, column 19: 'abc' is not a whole number (!!int)"),
    "!!bool maybe": (HEAD + "nodes: {y: {trainable: !!bool maybe}}\nedges: [{from: a, to: y}]",
                     "'maybe' is not true or false (!!bool)"),
    "!!null 5": (HEAD + "nodes: {y: {bias: !!null 5}}\nedges: [{from: a, to: y}]", "'5' is not null (!!null)"),
    "4,400-digit weight": (HEAD + "nodes: {y: {}}\nedges: [{from: a, to: y, weight: " + "9" * 4400 + "}]",
                           "line 4, column 34: a whole number of 4,400 digits; at most 1,000"),
    "4,400-digit weight in JSON": ('{"inputs": ["a"], "outputs": ["y"], "nodes": {"y": {}}, "edges": '
                                   '[{"from": "a", "to": "y", "weight": ' + "9" * 4400 + "}]}",
                                   "a whole number of 4,400 digits"),
    "lone surrogate": (HEAD + "nodes: {y: {}}\nedges: [{from: a, to: \ud800}]",
                       "line 4, column 23: U+D800 is half of a character"),
    "lone surrogate in JSON": ('{"inputs": ["\udc00"], "outputs": ["y"]}', "line 1, column 14: U+DC00"),
    "escape beyond Unicode": ('name: "\\U10000000"\n' + HEAD + ONE_EDGE, "line 1, column 10: "),
    "escaped lone surrogate in JSON": ('{"inputs": ["\\ud800"], "outputs": ["y"]}', "line 1, column "),
}


@pytest.mark.parametrize("name", list(CORPUS))
def test_each_hostile_topology_is_one_quick_topology_error(name):
    text, expected = CORPUS[name]
    started = time.perf_counter()
    with pytest.raises(dagnet.TopologyError) as err:
        dagnet.loads(text, source="hostile.yaml")
    assert time.perf_counter() - started < 1.0
    message = str(err.value)
    assert message.startswith("hostile.yaml: ") and expected in message
    assert len(message) < 400 and "\n" not in message


@pytest.mark.parametrize("text, line", [("[" * 70 + "]" * 70, 1), ("a: 1\nb: " + "[" * 2000 + "]" * 2000, 2),
                                        ("inputs:\n" + "- " * 200 + "x\n", 2)])
def test_our_depth_limit_holds_whatever_the_c_parser_refuses_first(monkeypatch, text, line):
    """A C parser that stops early with a reason of its own (as libyaml 0.2.6 does at
    depth 1,000) does not hide dagnet's own limit: the error is ours, with file and line."""
    from dagnet import strictyaml
    walk = strictyaml._check_events

    def stops_at_once(text, loader=strictyaml._BaseLoader):
        if not issubclass(loader, yaml.SafeLoader):         # the C parser, not the pure-Python one
            raise yaml.MarkedYAMLError(None, None, "a limit of the parser's own",
                                       yaml.Mark("x", 0, line - 1, 3, None, None))
        return walk(text, loader)

    monkeypatch.setattr(strictyaml, "_check_events", stops_at_once)
    started = time.perf_counter()
    with pytest.raises(dagnet.TopologyError) as err:
        dagnet.loads(text, source="deep.yaml")
    assert time.perf_counter() - started < 5.0      # a safety bound: 0.5 s here, past 1 s on a loaded machine
    assert str(err.value).startswith(f"deep.yaml: line {line}, column ")
    assert "nested more than 64 levels deep" in str(err.value)
    with pytest.raises(dagnet.TopologyError, match=f"deep.yaml: line {line}, column 4: a limit of the parser"):
        dagnet.loads("a: [b, c]\n", source="deep.yaml")      # nothing of ours broken: its reason stands


def test_the_walk_for_our_own_limits_is_quick_where_the_c_parser_stops_first():
    """libyaml stops at a depth of 1,000 of its own; the pure-Python walk that then looks for
    our depth limit once spent a second scanning ahead over the open brackets."""
    text = "[" * 2000 + "-"
    with pytest.raises(dagnet.TopologyError):
        dagnet.loads("[" * 70)                        # the modules it needs, imported before timing
    started = time.perf_counter()
    with pytest.raises(dagnet.TopologyError, match="line 1, column 65: nested more than 64 levels deep"):
        dagnet.loads(text)
    assert time.perf_counter() - started < 0.3        # about 0.01 s; a second before


def test_a_long_broken_line_is_not_walked_again_in_python():
    text = "name: {a: " + "x" * 1_000_000              # a mapping never closed, on a line of a megabyte
    with pytest.raises(dagnet.TopologyError):
        dagnet.loads("[" * 70)                        # the modules it needs, imported before timing
    started = time.perf_counter()
    with pytest.raises(dagnet.TopologyError, match="line 2, column 1: "):
        dagnet.loads(text)
    assert time.perf_counter() - started < 0.5        # about 0.05 s; 2 s walked again in Python


def test_an_escaped_character_pair_in_json_is_one_character():
    assert dagnet.loads('{"inputs": ["\\ud83d\\ude00"], "outputs": ["y"], "nodes": {"y": {}}, '
                        '"edges": [{"from": "\U0001f600", "to": "y"}]}').inputs == ["\U0001f600"]


def test_yaml_scalars_follow_yaml_1_2():
    assert read_value("[1e-3, 010, 0x1F, 0o17, 1:30, yes, no, on, 2026-01-01, .inf, ~]") == [
        0.001, 10, 31, 15, "1:30", "yes", "no", "on", "2026-01-01", float("inf"), None]


def test_a_data_set_request_beyond_the_sample_limit_is_refused_before_drawing():
    with pytest.raises(ValueError, match="n_samples 1,000,000,000,000 is over 10,000,000"):
        datasets.load("moons", n_samples=10**12)
    with pytest.raises(ValueError, match="moons: noise must be a finite number >= 0, not 'high'"):
        datasets.load("moons", noise="high")
    with pytest.raises(ValueError, match="moons: seed must be a whole number >= 0, not -1"):
        datasets.load("moons", seed=-1)


def test_a_limit_can_be_raised_for_a_network_one_means():
    text = HEAD + "nodes: {h: {size: 200}, y: {}}\nedges: [{from: a, to: h}, {from: h, to: y}]"
    with limits.raised(max_nodes=100):
        with pytest.raises(dagnet.TopologyError, match="more than 100 nodes"):
            dagnet.loads(text)
    assert len(dagnet.loads(text).graph) == 202


def test_devices_fifos_and_huge_files_are_refused_without_reading_them(tmp_path):
    with pytest.raises(dagnet.TopologyError, match="/dev/zero: not a regular file"):
        dagnet.load("/dev/zero")
    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)
    started = time.perf_counter()
    with pytest.raises(dagnet.TopologyError, match="not a regular file"):
        dagnet.load(fifo)                      # no writer: a blocking open would hang here
    assert time.perf_counter() - started < 1.0
    big = tmp_path / "big.yaml"
    with open(big, "wb") as f:
        f.truncate(300 << 20)                  # sparse: no disk spent
    with pytest.raises(dagnet.TopologyError, match="over the limit of 256 MiB"):
        dagnet.load(big)


@pytest.mark.parametrize("name, problem", [("x" * 300 + ".yaml", "file name too long"),
                                           ("experiment.yaml/net.yaml", "not a directory"),
                                           ("net\x00.yaml", "a file name cannot hold a NUL character")])
def test_a_path_no_file_can_have_is_one_error_naming_the_key(tmp_path, name, problem):
    from dagnet import sweep
    path = tmp_path / "experiment.yaml"
    path.write_text(f"topologies: {{net: {json.dumps(name)}}}\ndatasets: [moons]\n")
    with pytest.raises(ExperimentError, match=f"experiment.yaml: topologies.net: .*: {problem}$"):
        sweep.load_experiment(path)
    with pytest.raises(dagnet.TopologyError, match=f"{problem}$"):
        dagnet.load(tmp_path / name)


def test_an_experiment_file_is_read_strictly(tmp_path):
    from dagnet import sweep
    path = tmp_path / "experiment.yaml"
    path.write_text("topologies: {a: {generate: mlp}}\ndatasets: [moons]\nseeds: [0]\nseeds: [1]\n")
    with pytest.raises(ExperimentError, match="duplicate key 'seeds'"):
        sweep.load_experiment(path)


# -- fuzzing -------------------------------------------------------------------------

TOKENS = ["inputs", "outputs", "nodes", "edges", "from", "to", "size", "bias", "weight", "activation",
          "trainable", "group", "defaults", "loss", "name", "metadata", "a", "b", "h", "y", ":", " ",
          "\n", "  ", "- ", "[", "]", "{", "}", ",", "1", "-2", "1e400", ".nan", "999999999999",
          "true", "null", "&x", "*x", "!!python/object", "sigmoid", "sse", "'", '"', "#", "\t", "1:30"]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(
    st.lists(st.sampled_from(TOKENS), max_size=60).map("".join),
    st.text(max_size=200),
    st.builds(lambda body, cut: (HEAD + "nodes: {h: {size: 3}, y: {}}\n"
                                 "edges: [{from: a, to: h}, {from: h, to: y}]\n" + body)[:cut],
              st.lists(st.sampled_from(TOKENS), max_size=20).map("".join), st.integers(0, 200)),
))
def test_the_loader_answers_any_text_with_a_network_or_a_topology_error(text):
    started = time.perf_counter()
    try:
        net = dagnet.loads(text, seed=0)
    except dagnet.TopologyError as err:
        assert len(str(err)) < 1000
    else:
        assert np.all(np.isfinite(net.params))
    assert time.perf_counter() - started < 1.0


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(TOKENS + ["topologies", "datasets", "grid", "seeds", "threshold",
                                          "moons", "mlp", "generate", "lr", "epochs"]),
                max_size=40).map("".join))
def test_the_experiment_reader_answers_any_text_with_an_experiment_error(tmp_path_factory, text):
    from dagnet import sweep
    path = tmp_path_factory.mktemp("exp") / "e.yaml"
    path.write_text(text)
    try:
        sweep.read_experiment(path)
    except ExperimentError:
        pass


@settings(max_examples=150, deadline=None)
@given(st.lists(st.lists(st.sampled_from(["1", "-2.5", "x", "", " ", "nan", "1e400", '"', "\ufeff"]),
                         max_size=4), max_size=6))
def test_the_csv_reader_answers_any_table_with_arrays_or_a_value_error(tmp_path_factory, rows):
    path = tmp_path_factory.mktemp("csv") / "d.csv"
    path.write_text("\n".join(",".join(row) for row in [["a", "b"]] + rows))
    try:
        X, Y = datasets.load_csv(path, inputs=["a"], targets=["b"])
    except ValueError as err:
        assert str(path) in str(err)
    else:
        assert X.shape == Y.shape and np.all(np.isfinite(X)) and np.all(np.isfinite(Y))


# -- the command line ------------------------------------------------------------------

@pytest.mark.parametrize("argv, code, expected", [
    (["validate", "/dev/zero"], 1, "/dev/zero: not a regular file"),
    (["train", "topologies/xor_skip.yaml", "--data", "xor", "--epochs", "9" * 400, "--out", "OUT"], 2,
     "--epochs: expected a whole number >= 0 up to 2,147,483,647"),
    (["train", "topologies/xor_skip.yaml", "--data", "moons", "--n-samples", str(10**12), "--out", "OUT"],
     2, "--n-samples: expected a whole number >= 1 up to 2,147,483,647"),
    (["train", "topologies/xor_skip.yaml", "--data", "xor", "--optimizer", "adamm", "--out", "OUT"], 2,
     "unknown optimizer 'adamm' (did you mean 'adam'?)"),
    (["predict", "topologies/xor_skip.yaml", "--data", "MISSING/x.csv"], 1, "MISSING/x.csv: no such file"),
])
def test_bad_invocations_end_in_one_line_with_the_documented_code(run, tmp_path, monkeypatch, argv, code,
                                                                 expected):
    monkeypatch.chdir(os.path.join(os.path.dirname(__file__), ".."))
    argv = [str(tmp_path) if a == "OUT" else a for a in argv]
    got, _, err = run(*argv)
    assert got == code and expected in err and len(err.strip().splitlines()) == 1
    assert "a bug in dagnet" not in err


def test_three_labels_on_one_sigmoid_output_are_refused(run, tmp_path, monkeypatch):
    data = tmp_path / "three.csv"
    data.write_text("a,b,y\n0,0,0\n0,1,1\n1,0,2\n1,1,1\n")
    monkeypatch.chdir(os.path.join(os.path.dirname(__file__), ".."))
    code, _, err = run("train", "topologies/xor_skip.yaml", "--data", data, "--out", tmp_path / "out")
    assert code == 1 and "outside what its sigmoid activation can give, [0, 1]" in err


def test_a_csv_with_more_columns_than_inputs_must_name_them(run, tmp_path, monkeypatch):
    data = tmp_path / "three.csv"
    data.write_text("p,q,r\n0,0,0\n0,1,1\n")
    monkeypatch.chdir(os.path.join(os.path.dirname(__file__), ".."))
    code, _, err = run("predict", "topologies/chain_1_1_1.yaml", "--data", data)
    assert code == 1 and "do not name the network's 1 input (x); name them with --inputs" in err


@pytest.mark.parametrize("command", ["train", "predict"])
@pytest.mark.parametrize("make, problem", [
    (lambda path: os.mkfifo(path), "not a regular file"),                  # no writer: open() would hang
    (lambda path: os.symlink("/dev/zero", path), "not a regular file"),    # endless: would read on
    (lambda path: path.write_text("a,b,y\n" + "1" * 200_000 + ",0,1\n"),
     "row 2: not CSV this reader takes (a cell of more than 131,072 characters)"),
    (lambda path: path.write_text("a" * 200_000 + ",b,y\n0,0,1\n"),
     "row 1: not CSV this reader takes (a cell of more than 131,072 characters)"),
])
def test_a_csv_the_reader_cannot_take_is_one_quick_line(run, tmp_path, monkeypatch, command, make, problem):
    data = tmp_path / "d.csv"
    make(data)
    monkeypatch.chdir(os.path.join(os.path.dirname(__file__), ".."))
    started = time.perf_counter()
    code, _, err = run(command, "topologies/xor_skip.yaml", "--data", data, "--out", tmp_path / "out")
    assert time.perf_counter() - started < 5.0
    assert code == 1 and len(err.strip().splitlines()) == 1
    assert err.startswith(f"dagnet: error: {data}: {problem}") and "bug" not in err


def test_a_csv_problem_is_one_of_dagnets_own_errors(tmp_path):
    from dagnet.errors import CSVError, DagnetError
    data = tmp_path / "d.csv"
    data.write_text("a,b\n" + "1" * 200_000 + ",2\n")
    with pytest.raises(CSVError) as err:
        datasets.load_csv(data, inputs=["a"], targets=["b"])
    assert isinstance(err.value, DagnetError) and err.value.source == str(data) and err.value.key == "row 2"


@pytest.mark.parametrize("end", ["\n", "\r\n", "\r"])
@pytest.mark.parametrize("chunk", [1 << 20, 7])
def test_csv_rows_end_in_any_line_end_whatever_the_chunks_read(tmp_path, monkeypatch, end, chunk):
    from dagnet import tables
    monkeypatch.setattr(tables, "CHUNK", chunk)
    data = tmp_path / "d.csv"
    rows = ["a,b,note", '0.5,1,"7', '"', "", "-2,3e2,x"]       # a cell over two lines, a blank row
    data.write_bytes(end.join(rows).encode() + end.encode())
    X, Y = datasets.load_csv(data, inputs=["a"], targets=["b"])
    assert X.ravel().tolist() == [0.5, -2.0] and Y.ravel().tolist() == [1.0, 300.0]
    with pytest.raises(ValueError, match="row 4, column 'note': 'x' is not a number"):
        datasets.load_csv(data, inputs=["note"])


def test_columns_matched_by_position_are_named_in_one_line(run, tmp_path, monkeypatch):
    data = tmp_path / "pq.csv"
    data.write_text("p,q\n0,0\n0,1\n")
    monkeypatch.chdir(os.path.join(os.path.dirname(__file__), ".."))
    code, out, err = run("predict", "topologies/xor_skip.yaml", "--data", data)
    assert code == 0 and out.startswith("p,q,y")
    assert err == f"{data}: inputs p, q (by position, as the network's a, b), no targets\n"


def test_columns_left_out_are_named_in_one_line(run, tmp_path, monkeypatch):
    data = tmp_path / "abzy.csv"
    data.write_text("a,b,z,y\n0,0,5,0\n0,1,5,1\n1,0,5,1\n1,1,5,0\n")
    monkeypatch.chdir(os.path.join(os.path.dirname(__file__), ".."))
    code, _, err = run("train", "topologies/xor_skip.yaml", "--data", data, "--epochs", "1",
                       "--out", tmp_path / "out")
    assert code == 0 and f"{data}: inputs a, b, targets y; ignored: z\n" in err
    code, _, err = run("predict", "topologies/xor_skip.yaml", "--data", data, "--targets", "y")
    assert code == 0 and err.startswith(f"{data}: inputs a, b, targets y; ignored: z\n")


def test_columns_all_named_by_the_network_go_unmentioned(run, tmp_path, monkeypatch):
    data = tmp_path / "aby.csv"
    data.write_text("a,b,y\n0,0,0\n0,1,1\n")
    monkeypatch.chdir(os.path.join(os.path.dirname(__file__), ".."))
    code, _, err = run("predict", "topologies/xor_skip.yaml", "--data", data)
    assert code == 0 and err.startswith("accuracy")


@pytest.mark.slow
def test_ctrl_c_during_start_up_is_one_line():
    """SIGINT while the command imports numpy and friends: exit 130 and one line, no traceback."""
    import signal
    child = ("import sys, time\n"
             "class Slow:   # the command line's imports, made slow enough to be interrupted\n"
             "    def find_spec(self, name, path=None, target=None):\n"
             "        if name == 'dagnet.cli':\n"
             "            print('ready', flush=True)\n"
             "            time.sleep(5)\n"
             "sys.meta_path.insert(0, Slow())\n"
             "from dagnet.launch import main\n"
             "raise SystemExit(main(['--help']))\n")
    proc = subprocess.Popen([sys.executable, "-c", child], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout.readline() == b"ready\n"
    proc.send_signal(signal.SIGINT)            # lands while dagnet.cli is being imported
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 130 and err.decode() == "dagnet: error: interrupted\n"


# -- files written ------------------------------------------------------------------------

def test_saved_files_follow_the_umask_keep_modes_and_links(tmp_path):
    from dagnet.files import atomic_write
    net = dagnet.load(os.path.join(os.path.dirname(__file__), "..", "topologies", "xor_skip.yaml"))
    old = os.umask(0o022)
    try:
        net.save(tmp_path / "new.yaml")
        assert stat.S_IMODE(os.stat(tmp_path / "new.yaml").st_mode) == 0o644
        (tmp_path / "shared.yaml").write_text("x")
        os.chmod(tmp_path / "shared.yaml", 0o664)
        net.save(tmp_path / "shared.yaml")
        assert stat.S_IMODE(os.stat(tmp_path / "shared.yaml").st_mode) == 0o664
        os.symlink(tmp_path / "shared.yaml", tmp_path / "link.yaml")
        net.save(tmp_path / "link.yaml")
        assert os.path.islink(tmp_path / "link.yaml")
        dead = tmp_path / ".new.yaml.999999999.abc.tmp"        # left by a writer that was killed
        dead.write_text("half")
        atomic_write(tmp_path / "new.yaml", lambda f: f.write("whole"))
        assert not dead.exists() and (tmp_path / "new.yaml").read_text() == "whole"
        with pytest.raises(FileNotFoundError) as err:
            net.save(tmp_path / "missing" / "x.yaml")
        assert err.value.filename == str(tmp_path / "missing") and ".tmp" not in str(err.value)
    finally:
        os.umask(old)
