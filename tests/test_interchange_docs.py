"""docs/interchange.md runs: every python block as a doctest, every ``dagnet`` line of its sh blocks.

Each ``## `` section runs in its own folder (with the repository's
``topologies/`` and ``docs/``), in document order, and is skipped with a
reason when a package its ``<!-- needs: ... -->`` line names is missing.
"""
import doctest
import os
import re
import shlex

import pytest

from dagnet.cli import main

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DOC = os.path.join(ROOT, "docs", "interchange.md")


def sections():
    text = open(DOC, encoding="utf-8").read()
    parts = re.split(r"^## ", text, flags=re.M)[1:]
    found = []
    for part in parts:
        heading = part.splitlines()[0].strip()
        needs = re.search(r"<!-- needs: ([^>]*) -->", part)
        blocks = re.findall(r"^```(python|sh)\n(.*?)^```", part, flags=re.M | re.S)
        found.append(pytest.param(needs.group(1).split() if needs else [], blocks, id=heading.split(":")[0]))
    return found


@pytest.mark.slow
@pytest.mark.parametrize("needs, blocks", sections())
def test_docs_section_runs(needs, blocks, tmp_path, monkeypatch, capsys):
    for package in needs:
        pytest.importorskip(package, reason=f"docs/interchange.md needs {package} here")
    for folder in ("topologies", "docs"):
        os.symlink(os.path.join(ROOT, folder), tmp_path / folder)
    monkeypatch.chdir(tmp_path)
    globs = {}
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    parser = doctest.DocTestParser()
    attempted = 0
    for kind, body in blocks:
        if kind == "python":
            test = parser.get_doctest(body, globs, "docs/interchange.md", DOC, 0)
            report = []
            result = runner.run(test, out=report.append, clear_globs=False)
            globs = test.globs                     # the next block goes on from here
            assert result.failed == 0, "".join(report)
            attempted += result.attempted
        else:
            for line in body.splitlines():
                if line.startswith("dagnet "):
                    code = main(shlex.split(line)[1:])
                    assert code == 0, f"{line}: {capsys.readouterr().err}"
                    attempted += 1
    assert attempted > 0
