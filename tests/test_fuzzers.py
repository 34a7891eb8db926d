"""The fuzzers of fuzz/ run, briefly, for every reader they list, and find nothing.

A few seconds each is a smoke test, not a search: the searches are
``python -m fuzz NAME --seconds 300`` (docs/fuzzing.md). Each runs in a
process of its own, as the command does, under its memory cap.
"""
import os
import subprocess
import sys

import pytest

import fuzz

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@pytest.mark.slow
@pytest.mark.parametrize("name", fuzz.TARGETS)
def test_a_short_fuzz_of_each_reader_finds_nothing(tmp_path, name):
    proc = subprocess.run([sys.executable, "-m", "fuzz", name, "--seconds", "3", "--out", str(tmp_path)],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)
    summary = proc.stdout.strip().splitlines()[-1] if proc.stdout.strip() else proc.stderr
    assert proc.returncode == 0 and summary.endswith(" 0 findings"), proc.stdout + proc.stderr
    assert not os.listdir(tmp_path)                        # no input saved as a finding


@pytest.mark.parametrize("name", fuzz.TARGETS)
def test_each_fuzz_target_names_itself_and_allows_only_dagnets_errors(name):
    """A reader may raise dagnet's own errors; a server's target, its own record of a 4xx reply."""
    from dagnet.errors import DagnetError
    target = fuzz.target(name)
    assert target.name == name and target.seeds and target.tokens
    assert all(issubclass(kind, Exception) and kind.__module__.startswith(("dagnet", f"fuzz.{name}"))
               for kind in target.allowed)
    assert not any(issubclass(kind, ValueError) and not issubclass(kind, DagnetError) for kind in target.allowed)
