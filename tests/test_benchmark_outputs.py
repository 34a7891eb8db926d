"""A benchmark run writes under runs/ (ignored by git); the results a README quotes only when asked."""
import os

import pytest
from script_support import load_script

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@pytest.fixture(scope="module")
def run_script():
    return load_script(os.path.join("benchmarks", "run.py"), "benchmarks_run")


def test_a_benchmark_run_writes_under_runs(run_script):
    assert run_script.parse_args([]).out == os.path.join(ROOT, "runs", "benchmarks", "results.json")
    assert run_script.parse_args(["--out", "mine.json"]).out == "mine.json"


def test_only_write_results_rewrites_the_quoted_results(run_script):
    assert run_script.parse_args(["--write-results"]).out == os.path.join(ROOT, "benchmarks", "results.json")
    with pytest.raises(SystemExit):
        run_script.parse_args(["--write-results", "--out", "mine.json"])


@pytest.fixture(scope="module")
def sparse_script():
    return load_script(os.path.join("benchmarks", "sparse.py"), "benchmarks_sparse")


def test_the_sparse_benchmark_prints_its_help(sparse_script, capsys):
    with pytest.raises(SystemExit) as stop:
        sparse_script.main(["--help"])
    assert stop.value.code == 0 and "--rewind-step" in capsys.readouterr().out


def test_the_lottery_chain_reaches_20_and_10_percent_at_an_even_rate(sparse_script):
    kept = sparse_script.lottery_schedule(7, chain=True)
    assert len(kept) == 10 and kept[6] == pytest.approx(0.2) and kept[-1] == pytest.approx(0.1)
    rates = [b / a for a, b in zip([1.0] + kept, kept)]
    assert max(rates) - min(rates) < 0.01                    # 20.5 % then 20.6 % of the weights left go each round
    assert sparse_script.lottery_schedule(3, chain=False) == [0.2, 0.1]    # --lottery-rounds from the dense network
