import os

import numpy as np
import pytest
from hypothesis import settings

settings.register_profile("ci", max_examples=60, deadline=None, derandomize=True)
settings.register_profile("dev", max_examples=25, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@pytest.fixture
def topology_path():
    return lambda name: os.path.join(ROOT, "topologies", name)


@pytest.fixture
def rng():
    return np.random.default_rng(12345)


@pytest.fixture
def run(capsys):
    """``run(*argv) -> (exit code, stdout, stderr)``: the ``dagnet`` command, in-process."""
    from dagnet.cli import main

    def call(*argv):
        code = main([str(a) for a in argv])
        out, err = capsys.readouterr()
        assert "Traceback" not in err
        return code, out, err
    return call
