"""Every example runs in --quick mode and shows what it says it shows, so none can rot."""
import os

import pytest
from script_support import load_script

pytestmark = pytest.mark.slow   # each runs a whole example script

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EXAMPLES = os.path.join(ROOT, "examples")


def example(name):
    """Import ``examples/<name>.py`` as a module (examples are scripts, not a package)."""
    return load_script(os.path.join(EXAMPLES, f"{name}.py"), f"example_{name}")


def pictures_available():
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        return False
    return True


def written(folder, *names):
    """Assert ``names`` exist in ``folder`` and are not empty (pictures only when matplotlib is here)."""
    for name in names:
        if name.endswith((".png", ".gif")) and not pictures_available():
            continue
        path = os.path.join(folder, name)
        assert os.path.getsize(path) > 0, path


def test_seed000_cross_entropy_keeps_learning_where_mse_stalls(tmp_path, capsys):
    results = example("seed000_mse_vs_cross_entropy").main([str(tmp_path), "--quick"])
    out = capsys.readouterr().out
    assert "∂L/∂s is -0.0049 for MSE but -0.9975 for cross-entropy" in out
    assert results["cross_entropy"]["final_mean"] >= 0.8
    assert results["mse"]["final_mean"] >= 0.6
    written(tmp_path, "compare.png", "decision_mse.png", "decision_cross_entropy.png")


def test_seed001_forward_mode_visits_grow_with_parameters_reverse_mode_does_not(tmp_path, capsys):
    results = example("seed001_forward_vs_reverse").main([str(tmp_path), "--quick"])
    out = capsys.readouterr().out
    seed = results["seed_graph"]
    assert (seed["de_da"], seed["de_db"]) == (2.0, 5.0)        # e = (a + b)(b + 1) at a = 2, b = 1
    assert seed["forward_visits"] == 2 * seed["reverse_visits"]
    rows = results["networks"]
    assert all(r["max_rel_diff"] < 1e-10 for r in rows)
    assert all(r["forward_mode_node_visits"] > 3 * r["reverse_mode_node_visits"] for r in rows)
    grow = rows[-1]["forward_mode_node_visits"] / rows[0]["forward_mode_node_visits"]
    assert grow > 3 * rows[-1]["reverse_mode_node_visits"] / rows[0]["reverse_mode_node_visits"]
    assert "both give the same gradients" in out
    written(tmp_path, "forward_vs_reverse.csv", "cost.png")


def test_seed002_perceptron_and_2_5_1_learn_their_points(tmp_path, capsys):
    results = example("seed002_perceptron_and_2_5_1").main([str(tmp_path), "--quick"])
    out = capsys.readouterr().out
    assert results["perceptron"] >= 0.95
    assert results["perceptron_on_nonlinear"] < 0.85          # no line separates these
    assert results["2-5-1"] >= 0.9
    assert results["step_gap"] < 1e-14
    assert "moves as the tutorial's formula says" in out
    written(tmp_path, "perceptron.yaml", "tutorial_2_5_1.yaml", "perceptron_decision.png",
            "tutorial_2_5_1_decision.png", "tutorial_2_5_1_network.png", "tutorial_2_5_1_neurons.png")


def test_seed003_three_ways_agree_and_backprop_scales(tmp_path, capsys):
    results = example("seed003_three_ways").main([str(tmp_path), "--quick"])
    out = capsys.readouterr().out
    assert results["worst_backprop"] < 1e-12                 # the seed's analytic formula, exactly
    assert results["worst_numeric"] < 1e-6
    assert results["agree"] < 1e-12
    costs = results["costs"]
    assert costs[-1]["numerical_forward_passes"] == 2 * costs[-1]["parameters"]
    assert "dagnet's sse is 2L" in out
    written(tmp_path, "three_ways.csv", "cost.png")


def test_seed004_dagnet_agrees_with_the_corrected_matrix_formulas(tmp_path, capsys):
    results = example("seed004_tanh_softmax").main([str(tmp_path), "--quick"])
    out = capsys.readouterr().out
    assert max(results["before"].values()) < 1e-12
    assert max(results["after"].values()) < 1e-12
    assert results["accuracy"] >= 0.85
    for equation in ("(5)", "(6)", "(10)", "(14)", "(15)", "(16)", "(17)"):
        assert f"  {equation}" in out
    assert "= -120.0 × ∂E/∂W2" in out                          # the log-likelihood's sign and the missing 1/n
    assert "cannot be multiplied" in out
    written(tmp_path, "trained.yaml", "decision.png", "loss.png")


def test_skip_connections_help_xor_and_depth(tmp_path, capsys):
    results = example("skip_connections").main([str(tmp_path), "--quick"])
    out = capsys.readouterr().out
    skip, plain = results["xor_skip.yaml"], results["xor_2_2_1.yaml"]
    assert skip["successes"] >= 4 and plain["successes"] >= 3
    ratio = results["gradient_ratio"]
    assert ratio["plain"] > 10 * ratio["with skips"]          # vanishing gradients without skips
    assert results["with skips"]["accuracy"] >= results["plain"]["accuracy"]
    assert "seeds learn XOR" in out
    written(tmp_path, "skip_connections.csv", "depth.png", "network_plain.png", "network_with_skips.png")


@pytest.mark.parametrize("name", ["seed000_mse_vs_cross_entropy", "seed001_forward_vs_reverse",
                                  "seed002_perceptron_and_2_5_1", "seed003_three_ways",
                                  "seed004_tanh_softmax", "skip_connections"])
def test_every_example_has_a_docstring_and_quick_flag(name):
    module = example(name)
    assert module.__doc__ and "--quick" in module.__doc__
