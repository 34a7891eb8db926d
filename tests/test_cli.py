"""The dagnet command: every subcommand, and every user error as one line with the right exit code."""
import csv
import glob
import re
import os
import subprocess
import sys

import numpy as np
import pytest

import dagnet

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TOPOLOGIES = os.path.join(ROOT, "topologies")


def topology(name):
    return os.path.join(TOPOLOGIES, name)


def one_error_line(err):
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert lines[0].startswith("dagnet: error: "), err
    return lines[0]


def write_csv(path, header, rows):
    with open(path, "w", newline="") as f:
        out = csv.writer(f)
        out.writerow(header)
        out.writerows(rows)
    return path


# -- the command itself ------------------------------------------------------------------

@pytest.mark.slow
def test_python_dash_m_dagnet_help_runs_in_a_fresh_interpreter():
    done = subprocess.run([sys.executable, "-m", "dagnet", "--help"], capture_output=True, text=True,
                          cwd=ROOT, env={**os.environ, "PYTHONPATH": ROOT}, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("usage: dagnet")
    for command in ("validate", "info", "train", "predict", "gradcheck", "draw"):
        assert command in done.stdout


def test_no_help_page_or_user_facing_text_speaks_of_seed_numbers(run):
    """Users know the tutorials by their titles and sections, not by the project's "seed 002"."""
    from dagnet.cli import COMMANDS

    texts = [run("--help")[1]] + [run(command, "--help")[1] for command in COMMANDS]
    for folder in ("dagnet/playground/static", "docs"):
        for path in glob.glob(os.path.join(ROOT, folder, "**", "*.*"), recursive=True):
            if path.endswith((".md", ".js", ".html")):
                texts.append(open(path, encoding="utf-8").read())
    texts.append(open(os.path.join(ROOT, "README.md"), encoding="utf-8").read())
    assert not [t for t in texts if re.search(r"\bseed[ _]?0\d\d\b", t, re.IGNORECASE)]


@pytest.mark.parametrize("command", ["validate", "info", "train", "predict", "gradcheck", "draw"])
def test_every_command_explains_itself_with_an_example(run, command):
    code, out, _ = run(command, "--help")
    assert code == 0
    assert f"usage: dagnet {command}" in out
    assert "example:\n  dagnet " + command in out


def test_a_warning_while_a_command_runs_is_one_note_line(run, monkeypatch, topology_path):
    """Such as the numpy engine running because the native kernel is not built: no Python
    warning text (file, line, source) reaches the command line's user."""
    import warnings
    from dagnet.cli import validate
    checked = validate.run

    def warns(args):
        warnings.warn("the numpy engine runs\ninstead", UserWarning)
        warnings.warn("'parseString' deprecated", DeprecationWarning)   # a library's notice: not shown
        warnings.warn("a default will change", FutureWarning)
        return checked(args)

    monkeypatch.setattr(validate, "run", warns)
    with warnings.catch_warnings():
        warnings.simplefilter("always")
        code, out, err = run("validate", topology_path("xor_skip.yaml"))
    assert code == 0 and out.startswith("ok")
    assert err == "dagnet: note: the numpy engine runs; instead\n"


def test_no_command_is_a_usage_error(run):
    code, _, err = run()
    assert code == 2
    assert "a command is needed: validate, info, train" in one_error_line(err)


def test_an_unknown_command_is_a_usage_error(run):
    code, _, err = run("trian")
    assert code == 2
    assert "invalid choice: 'trian'" in one_error_line(err)


def test_an_unknown_flag_is_a_usage_error(run):
    code, _, err = run("info", topology("xor_skip.yaml"), "--colour")
    assert code == 2
    assert "unrecognized arguments: --colour" in one_error_line(err)


def test_ctrl_c_exits_130_with_one_line(run, monkeypatch):
    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt
    monkeypatch.setattr(dagnet, "load", interrupted)
    code, _, err = run("info", topology("xor_skip.yaml"))
    assert code == 130
    assert one_error_line(err) == "dagnet: error: interrupted"


# -- validate ------------------------------------------------------------------------------

def test_validate_prints_ok_for_every_good_file(run):
    files = [topology(f) for f in ("xor_skip.yaml", "tutorial_2_5_1.yaml", "deep_skip.yaml")]
    code, out, err = run("validate", *files)
    assert code == 0 and err == ""
    assert out.count("ok  ") == 3
    assert "xor_skip.yaml: 2 inputs, 1 output, 4 nodes, 5 edges, 7 parameters" in out


def test_validate_names_each_bad_file_and_exits_1(run, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("inputs: [a]\noutputs: [y]\nnodes: {y: {}}\nedges:\n  - {from: a, to: hiden}\n")
    code, out, err = run("validate", topology("xor_skip.yaml"), bad)
    assert code == 1
    assert out.count("ok  ") == 1
    line = one_error_line(err)
    assert str(bad) in line and "edges[0].to" in line and "unknown node 'hiden'" in line


def test_validate_goes_on_after_a_file_the_yaml_reader_refuses(run, tmp_path):
    tagged = tmp_path / "tagged.yaml"
    tagged.write_text("inputs: !!float [a]\noutputs: [y]\n")
    code, out, err = run("validate", tagged, topology("xor_skip.yaml"))
    assert code == 1 and out.count("ok  ") == 1
    assert f"{tagged}: line 1, column 9: !!float needs a single value" in one_error_line(err)


def test_validate_a_missing_file(run):
    code, _, err = run("validate", "no/such/file.yaml")
    assert code == 1
    assert "no/such/file.yaml: no such file" in one_error_line(err)


def test_validate_broken_yaml(run, tmp_path):
    bad = tmp_path / "broken.yaml"
    bad.write_text("inputs: [a\noutputs: [y]\n")
    code, _, err = run("validate", bad)
    assert code == 1
    assert str(bad) in one_error_line(err)


# -- info --------------------------------------------------------------------------------------

def test_info_describes_structure_depth_and_skips(run):
    code, out, _ = run("info", topology("xor_skip.yaml"))
    assert code == 0
    assert "inputs:      2: a, b" in out
    assert "depth:       2" in out
    assert "generations: 3, sizes 2 | 1 | 1" in out
    assert "skip edges:  2: a -> y, b -> y" in out
    assert "parameters:  7 trainable" in out


def test_info_json(run):
    import json

    code, out, _ = run("info", topology("deep_skip.yaml"), "--json")
    facts = json.loads(out)
    assert code == 0
    assert facts["groups"] == {"l1": 6, "l2": 6, "l3": 6, "l4": 6}
    assert facts["depth"] == 5 and facts["generations"] == [2, 6, 6, 6, 6, 1]
    assert facts["parameters"] == 277


def test_info_on_a_folder_is_one_line(run, tmp_path):
    code, _, err = run("info", tmp_path)
    assert code == 1
    assert "is a directory" in one_error_line(err)


# -- gradcheck ---------------------------------------------------------------------------------

def test_gradcheck_agrees_on_random_data(run):
    code, out, _ = run("gradcheck", topology("deep_skip.yaml"))
    assert code == 0
    assert "277 of 277 parameters on 8 random samples" in out
    for method in ("backprop", "numerical", "forward mode"):
        assert f"  {method}" in out
    assert out.rstrip().endswith("ok: every gradient agrees within 1e-06")


@pytest.mark.slow
def test_gradcheck_samples_some_parameters_of_a_big_network(run):
    code, out, _ = run("gradcheck", topology("tanh_softmax_2_500_2.yaml"), "--samples", 4)
    assert code == 0
    assert "300 of 2502 parameters" in out


def test_gradcheck_fails_loudly_when_the_tolerance_is_impossible(run):
    code, out, err = run("gradcheck", topology("chain_1_1_1.yaml"), "--tolerance", "1e-30")
    assert code == 1
    assert "gradients disagree" in one_error_line(err)


def test_gradcheck_rejects_a_nonsense_tolerance(run):
    code, _, err = run("gradcheck", topology("chain_1_1_1.yaml"), "--tolerance", "small")
    assert code == 2
    assert "--tolerance: expected a number, got 'small'" in one_error_line(err)


# -- draw ------------------------------------------------------------------------------------------

@pytest.mark.slow
def test_draw_writes_a_png(run, tmp_path):
    pytest.importorskip("matplotlib")
    code, out, _ = run("draw", topology("xor_skip.yaml"), "--out", tmp_path / "xor.png")
    assert code == 0
    assert (tmp_path / "xor.png").stat().st_size > 5000
    assert out.strip() == f"wrote {tmp_path / 'xor.png'}"


def test_draw_dot_needs_no_matplotlib(run, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    code, _, _ = run("draw", topology("tutorial_2_5_1.yaml"), "--out", tmp_path / "net.dot")
    assert code == 0
    assert (tmp_path / "net.dot").read_text().startswith('digraph "tutorial-2-5-1"')


def test_draw_without_matplotlib_says_how_to_get_it(run, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    monkeypatch.setitem(sys.modules, "matplotlib.figure", None)
    code, _, err = run("draw", topology("xor_skip.yaml"), "--out", tmp_path / "xor.png")
    assert code == 1
    assert one_error_line(err) == 'dagnet: error: matplotlib is needed for pictures: pip install "dagnet[plot]"'


def test_draw_an_unknown_format_is_a_usage_error(run, tmp_path):
    code, _, err = run("draw", topology("xor_skip.yaml"), "--out", tmp_path / "xor.bmpx")
    assert code == 2
    assert "give a .png, .svg, .pdf or .dot file" in one_error_line(err)


def test_draw_into_a_missing_folder(run, tmp_path):
    code, _, err = run("draw", topology("xor_skip.yaml"), "--out", tmp_path / "nope" / "xor.png")
    assert code == 1
    assert "does not exist" in one_error_line(err)


def test_draw_decision_regions_needs_data(run, tmp_path):
    code, _, err = run("draw", topology("xor_skip.yaml"), "--kind", "decision", "--out", tmp_path / "d.png")
    assert code == 2
    assert "--kind decision needs --data" in one_error_line(err)


@pytest.mark.slow
def test_draw_neurons_and_decision_regions_from_a_csv(run, tmp_path):
    pytest.importorskip("matplotlib")
    data = write_csv(tmp_path / "xor.csv", ["a", "b", "y"], [[0, 0, 0], [0, 1, 1], [1, 0, 1], [1, 1, 0]])
    code, _, _ = run("draw", topology("xor_skip.yaml"), "--kind", "decision", "--data", data,
                     "--out", tmp_path / "d.png")
    assert code == 0 and (tmp_path / "d.png").exists()
    code, _, _ = run("draw", topology("xor_skip.yaml"), "--kind", "neurons", "--out", tmp_path / "n.png")
    assert code == 0 and (tmp_path / "n.png").exists()


# -- train ----------------------------------------------------------------------------------------------

@pytest.mark.slow
def test_train_writes_the_network_history_and_pictures(run, tmp_path):
    pytest.importorskip("matplotlib")
    out_dir = tmp_path / "run"
    code, out, err = run("train", topology("tutorial_2_5_1.yaml"), "--data", "nonlinear", "--epochs", 40,
                         "--lr", 0.5, "--batch-size", 1, "--seed", 0, "--out", out_dir, "--quiet")
    assert code == 0, err
    for name in ("trained.yaml", "history.csv", "loss.png", "network.png", "decision.png", "neurons.png"):
        assert (out_dir / name).stat().st_size > 0, name
    assert "trained tutorial-2-5-1 for 40 epochs" in out and "accuracy" in out
    trained = dagnet.load(out_dir / "trained.yaml")
    with open(out_dir / "history.csv") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 40 and float(rows[-1]["accuracy"]) > 0.7
    assert trained.n_params == 21


def test_train_without_matplotlib_still_writes_the_rest(run, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    monkeypatch.setitem(sys.modules, "matplotlib.figure", None)
    code, out, err = run("train", topology("xor_skip.yaml"), "--data", "xor", "--epochs", 3,
                         "--out", tmp_path, "--quiet")
    assert code == 0
    assert 'pictures skipped: pip install "dagnet[plot]"' in err
    assert sorted(os.listdir(tmp_path)) == ["history.csv", "trained.yaml"]


def test_train_prints_progress_lines_without_tqdm(run, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "tqdm", None)
    code, _, err = run("train", topology("xor_skip.yaml"), "--data", "xor", "--epochs", 20,
                       "--out", tmp_path, "--no-pictures")
    assert code == 0
    assert "epoch 20/20: loss" in err


def test_train_on_a_csv_with_named_columns(run, tmp_path):
    rng = np.random.default_rng(0)
    X = rng.uniform(-1, 1, size=(40, 2))
    rows = [[x0, "ignored", x1, int(x0 > x1)] for x0, x1 in X]
    data = write_csv(tmp_path / "points.csv", ["u", "note", "v", "label"], rows)
    code, out, err = run("train", topology("perceptron.yaml"), "--data", data, "--inputs", "u,v",
                         "--targets", "label", "--epochs", 50, "--lr", 0.5, "--batch-size", 1,
                         "--out", tmp_path / "run", "--no-pictures", "--quiet")
    assert code == 0, err
    assert "accuracy" in out


def test_train_needs_data(run, tmp_path):
    code, _, err = run("train", topology("xor_skip.yaml"), "--out", tmp_path)
    assert code == 2
    assert "the following arguments are required: --data (see 'dagnet train --help')" in one_error_line(err)
    code, out, _ = run("train", "--help")
    assert code == 0 and " --data NAME|CSV " in " ".join(out.split())      # required in the usage line too
    assert "[--data NAME" not in out


def test_train_an_unknown_data_set(run, tmp_path):
    code, _, err = run("train", topology("xor_skip.yaml"), "--data", "moonz", "--out", tmp_path)
    assert code == 1
    assert "unknown data set 'moonz' (did you mean 'moons'?)" in one_error_line(err)


def test_train_a_missing_csv(run, tmp_path):
    code, _, err = run("train", topology("xor_skip.yaml"), "--data", tmp_path / "nope.csv", "--out", tmp_path)
    assert code == 1
    assert "nope.csv: no such file" in one_error_line(err)


def test_train_a_csv_without_the_named_column(run, tmp_path):
    data = write_csv(tmp_path / "d.csv", ["a", "b", "y"], [[0, 0, 0], [1, 1, 1]])
    code, _, err = run("train", topology("xor_skip.yaml"), "--data", data, "--targets", "label",
                       "--out", tmp_path / "run")
    assert code == 1
    assert "no column 'label'" in one_error_line(err)


def test_train_a_csv_with_text_in_a_number_column(run, tmp_path):
    data = write_csv(tmp_path / "d.csv", ["a", "b", "y"], [[0, 0, 0], [1, "one", 1]])
    code, _, err = run("train", topology("xor_skip.yaml"), "--data", data, "--out", tmp_path / "run")
    assert code == 1
    one_error_line(err)


def test_train_classes_that_do_not_fit_the_outputs(run, tmp_path):
    code, _, err = run("train", topology("mlp_one_hidden.yaml"), "--data", "blobs", "--out", tmp_path)
    assert code == 1
    assert "classes but the network has one output" in one_error_line(err)


def test_train_inputs_that_do_not_fit(run, tmp_path):
    code, _, err = run("train", topology("chain_1_1_1.yaml"), "--data", "moons", "--out", tmp_path)
    assert code == 1
    assert "2 input columns but the network has 1 input (x)" in one_error_line(err)


@pytest.mark.parametrize("flag, value, message", [
    ("--epochs", "-3", "expected a whole number >= 0"),
    ("--lr", "fast", "expected a number, got 'fast'"),
    ("--batch-size", "0", "expected a whole number >= 1"),
    ("--val-split", "1.5", "expected a fraction in [0, 1)"),
])
def test_train_bad_numbers_are_usage_errors(run, tmp_path, flag, value, message):
    code, _, err = run("train", topology("xor_skip.yaml"), "--data", "xor", "--out", tmp_path, flag, value)
    assert code == 2
    assert message in one_error_line(err)


def test_train_out_must_be_a_folder(run, tmp_path):
    afile = tmp_path / "file"
    afile.write_text("x")
    code, _, err = run("train", topology("xor_skip.yaml"), "--data", "xor", "--out", afile)
    assert code == 1
    assert "exists and is not a folder" in one_error_line(err)


def test_train_reports_divergence_and_keeps_the_last_finite_weights(run, tmp_path):
    """A linear chain at lr 10 on sine really diverges (saturating sigmoids would not)."""
    path = tmp_path / "linear.yaml"
    path.write_text("inputs: [x]\noutputs: [y]\nloss: mse\ndefaults: {activation: linear}\n"
                    "nodes: {h: {}, y: {}}\nedges: [{from: x, to: h}, {from: h, to: y}]\n")
    code, out, err = run("train", path, "--data", "sine", "--epochs", 50, "--lr", 10, "--batch-size", 1,
                         "--out", tmp_path / "out", "--no-pictures", "--quiet")
    assert code == 1
    errors = [line for line in err.splitlines() if line.startswith("dagnet: error:")]
    assert len(errors) == 1 and "Traceback" not in err
    assert re.search(r"training diverged in epoch \d+: .* try a smaller lr \(now 10\)", errors[0])
    saved = dagnet.load(tmp_path / "out" / "trained.yaml")
    assert np.all(np.isfinite(saved.params))


def test_train_unknown_optimizer(run, tmp_path):
    code, _, err = run("train", topology("xor_skip.yaml"), "--data", "xor", "--optimizer", "adamm",
                       "--out", tmp_path)
    assert code == 2                                    # a bad command-line value is a usage error
    assert "unknown optimizer 'adamm' (did you mean 'adam'?)" in one_error_line(err)


# -- predict ------------------------------------------------------------------------------------------------

def test_predict_writes_outputs_and_classes(run, tmp_path):
    data = write_csv(tmp_path / "xor.csv", ["a", "b"], [[0, 0], [0, 1], [1, 0], [1, 1]])
    code, out, err = run("predict", topology("xor_skip.yaml"), "--data", data)
    assert code == 0, err
    rows = list(csv.reader(out.splitlines()))
    assert rows[0] == ["a", "b", "y", "class"]          # a sigmoid output is a probability
    assert [round(float(r[2])) for r in rows[1:]] == [0, 1, 1, 0]
    assert [r[3] for r in rows[1:]] == ["0", "1", "1", "0"]


def test_predict_to_a_file_with_a_score(run, tmp_path):
    data = write_csv(tmp_path / "xor.csv", ["a", "b", "y"], [[0, 0, 0], [0, 1, 1], [1, 0, 1], [1, 1, 0]])
    code, _, err = run("predict", topology("xor_skip.yaml"), "--data", data, "--out", tmp_path / "p.csv")
    assert code == 0
    assert "wrote 4 predictions" in err and "1.0000 on 4 samples" in err
    assert (tmp_path / "p.csv").read_text().splitlines()[0] == "a,b,y,class"


def test_predict_a_softmax_network_adds_the_class(run, tmp_path):
    data = write_csv(tmp_path / "x.csv", ["x.0", "x.1"], [[0.1, 0.2], [1.0, -1.0]])
    code, out, _ = run("predict", topology("mlp_one_hidden_ce.yaml"), "--data", data)
    assert code == 0
    assert out.splitlines()[0] == "x.0,x.1,y.0,y.1,class"


def test_predict_a_missing_file(run, tmp_path):
    code, _, err = run("predict", topology("xor_skip.yaml"), "--data", tmp_path / "none.csv")
    assert code == 1
    assert "none.csv: no such file" in one_error_line(err)


def test_predict_too_few_columns(run, tmp_path):
    data = write_csv(tmp_path / "one.csv", ["a"], [[0], [1]])
    code, _, err = run("predict", topology("xor_skip.yaml"), "--data", data)
    assert code == 1
    assert "columns a do not name the network's 2 inputs (a, b); name them with --inputs" in one_error_line(err)
