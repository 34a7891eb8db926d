"""The tutorial notebooks of docs/tutorials run, and print what the committed notebooks show.

Each notebook asserts, cell by cell, that dagnet's s_j, z_j, δ_j and gradients are its tutorial's
closed forms to 1e-12, so running it is a test. Running it again here also compares what each cell
prints with the committed notebook's output, by the rules of tests/test_docs.py (times match any
time, a figure with k decimals matches what rounds to it), with one more: figures below 1e-12 are
rounding noise that differs between machines, and match one another. A notebook whose outputs went
stale fails; ``python docs/tutorials/run.py`` runs them all again and saves them.
"""
import importlib.util
import json
import os
import re

import pytest

from script_support import load_script
from test_docs import same_output

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TUTORIALS = os.path.join(ROOT, "docs", "tutorials")
NOTEBOOKS = sorted(name for name in os.listdir(TUTORIALS) if name.endswith(".ipynb"))
#: What running a notebook needs (the ``dev`` extra has them).
RUNNERS = ("nbclient", "nbformat", "ipykernel")
E_NOTATION = re.compile(r"[-+]?\d+(?:\.\d+)?e[-+]?\d+")


def runner():
    """docs/tutorials/run.py, the script that executes and saves the notebooks."""
    return load_script(os.path.join(TUTORIALS, "run.py"), "tutorials_run")


def committed(name):
    with open(os.path.join(TUTORIALS, name), encoding="utf-8") as f:
        return json.load(f)


def code_cells(notebook):
    return [cell for cell in notebook["cells"] if cell["cell_type"] == "code"]


def source(cell):
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


def without_rounding_noise(text):
    """``text`` with every e-notation figure below 1e-12 written as ``noise``."""
    return E_NOTATION.sub(lambda m: "noise" if abs(float(m.group())) < 1e-12 else m.group(), text)


def test_there_are_the_five_tutorials_named_in_words():
    assert NOTEBOOKS == ["backpropagation-tutorial.ipynb", "forward-and-reverse-mode.ipynb",
                         "mse-and-cross-entropy.ipynb", "tanh-softmax-network.ipynb",
                         "three-ways-to-a-gradient.ipynb"]
    for name in NOTEBOOKS:
        text = json.dumps(committed(name))
        assert not re.search(r"seed ?\d{3}|seed\d", text), f"{name} names a tutorial by a number"


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_a_notebook_is_committed_run_and_ends_with_the_live_widget(name):
    notebook = committed(name)
    cells = code_cells(notebook)
    assert all(cell["execution_count"] for cell in cells), f"{name}: run python docs/tutorials/run.py"
    last = cells[-1]
    assert runner().LIVE in last["metadata"].get("tags", [])
    assert "from dagnet.widget import Playground" in source(last)
    assert "except ImportError" in source(last)          # runs, and says how to install, without the extra


def test_the_comparison_takes_rounding_noise_and_times_but_not_figures():
    assert same_output(without_rounding_noise("agree (difference 1.8e-16, in 0.13 ms)"),
                       without_rounding_noise("agree (difference 0.0e+00, in 1.2 ms)"))
    assert not same_output(without_rounding_noise("difference 2.2e-10"), without_rounding_noise("difference 1.1e-16"))
    assert not same_output("accuracy 0.885", "accuracy 0.878")


@pytest.mark.slow
@pytest.mark.parametrize("name", NOTEBOOKS)
def test_a_tutorial_notebook_runs_and_prints_what_it_shows(name):
    missing = [package for package in RUNNERS if importlib.util.find_spec(package) is None]
    if missing:
        pytest.skip(f"running notebooks needs {', '.join(missing)} (the dev extra)")
    run = runner()
    path = os.path.join(TUTORIALS, name)
    shown = dict(run.printed(committed(name)))
    printed = dict(run.printed(run.execute(path)))          # a failing assert inside fails here
    assert sorted(printed) == sorted(shown), f"{name}: other cells print now"
    for number, text in printed.items():
        assert same_output(without_rounding_noise(shown[number]), without_rounding_noise(text)), (
            f"{name}, cell {number}: the notebook shows\n{shown[number]}\nbut it printed\n{text}")
