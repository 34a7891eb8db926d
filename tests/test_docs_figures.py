"""The figures the docs show are the ones the commands print today.

Every fenced block in README.md and docs/*.md whose first line is
``$ dagnet ...`` is run (in-process, from the repository's root) and its
output compared line by line with the block: times (``12.34 ms``,
``1.2 s``), the spaces that align columns and the parameter at which a
worst error falls may differ, figures like ``6.42e-09`` must agree within
a factor of ten (their last bits depend on the machine's vector units),
a line ``...`` stands for any number of lines, and everything else must
be equal. The Python figures the README quotes are
recomputed the same way.
"""
import os
import re
import shlex

import numpy as np
import pytest

import dagnet

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DOCS = ["README.md"] + [os.path.join("docs", f) for f in sorted(os.listdir(os.path.join(ROOT, "docs")))
                        if f.endswith(".md")]
TIME = re.compile(r"\d+(\.\d+)? (ms|s)\b")
#: A figure such as 6.42e-09: machines round their last bits differently (vector units, libm),
#: so such figures must agree to within a factor of ten, not to the digit.
FIGURE = re.compile(r"\d\.\d+e[-+]\d+")
#: Where the worst disagreement falls moves with those last bits too.
PLACE = re.compile(r"at [wb]\[[^\]]*\]")


def command_blocks():
    """(file, command, expected output lines) for every ``$ dagnet`` block of the docs."""
    found = []
    for doc in DOCS:
        text = open(os.path.join(ROOT, doc), encoding="utf-8").read()
        for block in re.findall(r"^```[a-z]*\n(.*?)^```", text, re.S | re.M):
            lines = block.rstrip("\n").split("\n")
            if lines[0].startswith("$ dagnet "):
                found.append((doc, lines[0][2:], lines[1:]))
    return found


def matches(expected, got):
    """True when the output lines ``got`` match the documented lines (``...`` = any lines)."""
    if not expected:
        return not got
    if expected[0].strip() == "...":
        return any(matches(expected[1:], got[k:]) for k in range(len(got) + 1))
    if not got:
        return False
    return same_line(expected[0], got[0]) and matches(expected[1:], got[1:])


def same_line(documented, printed):
    """Equal but for times, alignment, the place of a worst error, and figures within a factor of 10."""
    def mask(line):
        return " ".join(PLACE.sub("at P", FIGURE.sub("F", TIME.sub("T", line))).split())
    figures = [(float(a), float(b)) for a, b in zip(FIGURE.findall(documented), FIGURE.findall(printed))]
    close = all(a == b or (a > 0 and b > 0 and 0.1 <= a / b <= 10) for a, b in figures)
    return mask(documented) == mask(printed) and close


@pytest.mark.parametrize("doc, command, expected", command_blocks(),
                         ids=[f"{d}: {c}" for d, c, _ in command_blocks()])
def test_a_documented_command_prints_what_the_docs_show(run, monkeypatch, doc, command, expected):
    monkeypatch.chdir(ROOT)
    argv = shlex.split(command)[1:]
    code, out, err = run(*argv)
    got = (out + err).rstrip("\n").split("\n")
    assert matches(expected, got), "\n".join(["documented:"] + expected + ["printed:"] + got)


def test_the_readme_gradcheck_figure_is_what_gradcheck_gives():
    readme = open(os.path.join(ROOT, "README.md"), encoding="utf-8").read()
    quoted = re.search(r"^ok: worst relative error backprop vs numerical.*$", readme, re.M).group(0)
    net = dagnet.load(os.path.join(ROOT, "topologies", "deep_skip.yaml"), seed=0)
    X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]])
    assert same_line(quoted, str(dagnet.gradcheck(net, X, [0, 1, 1, 0])))


def test_the_readme_topology_is_the_shipped_file():
    readme = open(os.path.join(ROOT, "README.md"), encoding="utf-8").read()
    block = re.search(r"```yaml\n(.*?)```", readme, re.S).group(1)
    name = re.search(r"^name: (\S+)", block, re.M).group(1)
    path = os.path.join(ROOT, "topologies", name.replace("-", "_") + ".yaml")
    assert open(path, encoding="utf-8").read() == block
