"""The lowest-versions run of .ci/run installs exactly the lower bounds pyproject.toml declares."""
import os

from script_support import load_script


def lowest():
    return load_script(os.path.join(".ci", "lowest.py"), "ci_lowest")


def test_every_lower_bound_becomes_a_pin_and_extras_of_a_requirement_are_dropped():
    project = {"dependencies": ["numpy>=1.23.2", "networkx >= 2.8", "pyyaml"],
               "optional-dependencies": {"dask": ["dask[distributed]>=2023.1", "joblib>=1.4"],
                                         "all": ["joblib>=1.4"], "dev": ["dagnet[test]", "httpx2"]}}
    assert lowest().lower_bounds(project) == {"numpy": "1.23.2", "networkx": "2.8", "dask": "2023.1",
                                              "joblib": "1.4"}


def test_the_core_and_the_test_extra_are_pinned(capsys):
    lowest().main()
    pins = dict(line.split("==") for line in capsys.readouterr().out.split())
    assert {"numpy", "scipy", "networkx", "pyyaml", "pytest", "hypothesis"} <= set(pins)
