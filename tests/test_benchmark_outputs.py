"""A benchmark run writes under runs/ (ignored by git); the results a README quotes only when asked."""
import importlib.util
import os

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@pytest.fixture(scope="module")
def run_script():
    spec = importlib.util.spec_from_file_location("benchmarks_run", os.path.join(ROOT, "benchmarks", "run.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_a_benchmark_run_writes_under_runs(run_script):
    assert run_script.parse_args([]).out == os.path.join(ROOT, "runs", "benchmarks", "results.json")
    assert run_script.parse_args(["--out", "mine.json"]).out == "mine.json"


def test_only_write_results_rewrites_the_quoted_results(run_script):
    assert run_script.parse_args(["--write-results"]).out == os.path.join(ROOT, "benchmarks", "results.json")
    with pytest.raises(SystemExit):
        run_script.parse_args(["--write-results", "--out", "mine.json"])
