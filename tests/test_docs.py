"""Every code block of README.md and docs/*.md runs, and every output a page shows is what it gives.

The convention for whoever writes a page (docs/architecture.md says it in one line):

- The ```python blocks of a page run in order, in one namespace, in a fresh folder that holds the
  repository's ``topologies/``, ``docs/`` and ``examples/``. A line ``expression  # -> shown``
  shows the expression's value as Python writes it (its repr); words after a further ``  #``
  are a remark. A block of ``>>>`` lines is a doctest.
- In a ```sh block every ``dagnet ...`` line runs and must succeed. ``$ dagnet ...`` is a
  transcript: the lines after it, up to the next ``$``, are what the command prints (stdout and
  stderr together). Other programs (pip, python, curl, dask) are not run here.
- Shown and printed output agree when they differ only where a machine may differ: whitespace;
  ``...``, which stands for anything; times (``0.4 s``, ``12.3 ms``), which match any time; a figure
  with k decimals, which matches a value that rounds to it (``0.875`` shows 0.87512);
  a figure in e-notation (``6.42e-09``), which matches within a factor of ten (the last bits of
  such figures move with the machine's vector units); and the parameter at which a gradient
  check's worst error falls (``at w['a' -> 'b']``).
- ``<!-- needs: PACKAGE ... -->`` under a heading: that section's blocks run only where those
  packages import. ``<!-- not run: REASON -->`` right above a block: it does not run, for the
  reason given (a server, a cluster, files the page does not make).

A figure that changes is one failing test naming the page, its line, what the page shows and what
was printed.
"""
import ast
import contextlib
import dataclasses
import doctest
import glob
import importlib.util
import io
import os
import re
import shlex
import tokenize

import numpy as np
import pytest

from dagnet.cli import main

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PAGES = ["README.md"] + [f"docs/{name}" for name in sorted(os.listdir(os.path.join(ROOT, "docs")))
                         if name.endswith(".md")]
#: Pages that take more than about a second to run (training, pictures, scikit-learn's searches).
SLOW = {"README.md", "docs/changing-topologies.md", "docs/evolve.md", "docs/interchange.md", "docs/pictures.md",
        "docs/sklearn.md", "docs/sparse.md", "docs/sweeps.md"}
#: The folders a page's snippets name, linked into the folder they run in.
FOLDERS = ("topologies", "docs", "examples")

FENCE = re.compile(r"^```(\w*)\s*$")
HEADING = re.compile(r"^(#+) ")
NEEDS = re.compile(r"^<!-- needs: (.*?) -->\s*$")
NOT_RUN = re.compile(r"^<!-- not run: (.*?) -->\s*$")
#: A comment that looks like a value (a number, a bracket, a quote, a repr such as ``Name(...)``).
VALUE_LIKE = re.compile(r"#\s*([-−]?\d|[(\[{'\"]|[A-Z]\w*\()")
TOKEN = re.compile(r"(?P<any>\.\.\.)"
                   r"|(?P<time>\d+(?:\.\d+)?\s?(?:ns|µs|us|ms|s)\b)"
                   r"|(?P<number>(?<![\w.])-?\d+(?:\.\d+)?(?:e[-+]?\d+)?(?!\w))"
                   r"|(?P<word>[^\W\d_]+)"
                   r"|(?P<char>\S)")
#: Where a gradient check's worst error falls moves with the last bits of the figures.
PLACE = re.compile(r"at [wb]\[[^\]]*\]")
#: The options by which a command names a file or folder it writes.
OUTPUT_OPTIONS = ("--out", "--picture", "--history", "--gif")


@dataclasses.dataclass
class Block:
    page: str
    line: int                 # the line of the opening fence, from 1
    language: str             # "python", "sh", "yaml", "" ...
    text: str
    needs: tuple              # packages the block's section needs
    not_run: str = None       # why the block is not run


def read(page):
    with open(os.path.join(ROOT, page), encoding="utf-8") as f:
        return f.read()


def parse(page):
    """(the page's fenced blocks, problems with its markers)."""
    lines = read(page).split("\n")
    found, problems, needs, reason, at, level = [], [], {}, None, 0, 0
    i = 0
    while i < len(lines):
        line = lines[i]
        heading, needed, not_run, fence = (HEADING.match(line), NEEDS.match(line), NOT_RUN.match(line),
                                           FENCE.match(line))
        if fence:
            end = next(j for j in range(i + 1, len(lines)) if lines[j].startswith("```"))
            packages = tuple(p for level in sorted(needs) for p in needs[level])
            found.append(Block(page, i + 1, fence.group(1), "\n".join(lines[i + 1:end]) + "\n", packages, reason))
            reason, i = None, end
        elif not_run:
            reason, at = not_run.group(1).strip(), i + 1
            if not reason:
                problems.append(f"{page}:{i + 1}: a 'not run' marker must say why")
        elif line.strip() and reason is not None:
            problems.append(f"{page}:{at}: a 'not run' marker must sit right above its block")
            reason = None
        if heading:        # a section's needs end where a heading of its level or above begins
            level = len(heading.group(1))
            needs = {k: v for k, v in needs.items() if k < level}
        elif needed:
            needs[level] = tuple(needed.group(1).split())
        i += 1
    return found, problems


def blocks(page):
    return parse(page)[0]


def runs_something(block):
    """True for a block that runs: python, or sh with a dagnet command, and not marked ``not run``."""
    runnable = block.language == "python" or (block.language in ("sh", "") and bool(commands(block.text)))
    return runnable and block.not_run is None


# -- comparing what a page shows with what was printed -----------------------------------------

def tokens(text):
    return [(m.lastgroup, m.group()) for m in TOKEN.finditer(PLACE.sub("at PLACE", text))]


def same_figure(shown, printed):
    s, p = float(shown), float(printed)
    if "e" in shown.lower():
        return s == p or (s * p > 0 and 0.1 <= s / p <= 10)
    if "." not in shown:
        return shown.lstrip("-") == printed.lstrip("-") and s == p
    decimals = len(shown.split(".")[1])
    return abs(s - p) <= 0.5 * 10.0 ** -decimals + 1e-12


def same_token(shown, printed):
    if shown[0] == "time":
        return printed[0] == "time"
    if shown[0] == "number":
        return printed[0] == "number" and same_figure(shown[1], printed[1])
    return shown == printed


def same_output(shown, printed):
    """True when ``printed`` is what ``shown`` shows, by the rules of this module's docstring."""
    printed_tokens = tokens(printed)
    reach = [True] + [False] * len(printed_tokens)     # reach[j]: the shown tokens so far match printed[:j]
    for token in tokens(shown):
        if token[0] == "any":
            reach = [any(reach[:j + 1]) for j in range(len(reach))]
        else:
            reach = [False] + [reach[j] and same_token(token, p) for j, p in enumerate(printed_tokens)]
    return reach[-1]


def mismatch(where, shown, printed):
    return f"{where}: the page shows\n{shown.rstrip()}\nbut it printed\n{printed.rstrip()}"


# -- running python blocks ---------------------------------------------------------------------

class Checker(doctest.OutputChecker):
    def check_output(self, want, got, optionflags):
        return same_output(want, got)


def shown_values(text):
    """``{line: shown}`` for the ``# -> shown`` comments of a python block (lines from 1)."""
    shown = {}
    for token in tokenize.generate_tokens(io.StringIO(text).readline):
        if token.type == tokenize.COMMENT and token.string.startswith("# ->"):
            shown[token.start[0]] = token.string[len("# ->"):].split("  #")[0].strip()
    return shown


def run_python(block, namespace):
    """Run a python block in ``namespace``; return the outputs that differ from the page's."""
    path = os.path.join(ROOT, block.page)
    if re.search(r"^\s*>>> ", block.text, re.M):
        test = doctest.DocTestParser().get_doctest(block.text, namespace, block.page, path, block.line)
        report = []
        doctest.DocTestRunner(checker=Checker()).run(test, out=report.append, clear_globs=False)
        namespace.update(test.globs)                    # the next block goes on from here
        return ["".join(report)] if report else []
    shown = shown_values(block.text)
    failures = []
    for statement in ast.parse(block.text).body:
        where = f"{block.page}:{block.line + statement.end_lineno}"
        expected = shown.get(statement.end_lineno)
        ast.increment_lineno(statement, block.line)   # tracebacks name the page's lines
        if expected is None:
            exec(compile(ast.Module([statement], []), path, "exec"), namespace)
        elif not isinstance(statement, ast.Expr):
            failures.append(f"{where}: '# ->' follows a statement, not an expression")
        else:
            value = eval(compile(ast.Expression(statement.value), path, "eval"), namespace)
            if not same_output(expected, repr(value)):
                failures.append(mismatch(where, expected, repr(value)))
    return failures


# -- running sh blocks -------------------------------------------------------------------------

def commands(text):
    """``[(line, command, shown)]`` of an sh block: each ``dagnet`` command, with the output the
    page shows after it when the block is a ``$`` transcript (else None)."""
    lines, joined = text.split("\n"), []
    for number, line in enumerate(lines, 1):
        if joined and joined[-1][1].endswith("\\"):
            joined[-1] = (joined[-1][0], joined[-1][1][:-1].rstrip() + " " + line.strip())
        else:
            joined.append((number, line))
    if not any(line.startswith("$ ") for _, line in joined):
        return [(number, line, None) for number, line in joined if line.startswith("dagnet ")]
    found = []
    for number, line in joined:
        if line.startswith("$ "):
            found.append((number, line[2:], []))
        elif found:
            found[-1][2].append(line)
    return [(number, command, "\n".join(shown)) for number, command, shown in found]


def run_dagnet(command):
    """(exit code, stdout and stderr as printed) of ``dagnet ...``, in-process; globs expanded."""
    argv = []
    for word in shlex.split(command, comments=True)[1:]:
        argv += sorted(glob.glob(word)) or [word] if "*" in word else [word]
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed), contextlib.redirect_stderr(printed):
        code = main(argv)
    return code, printed.getvalue()


def run_sh(block):
    failures = []
    for number, command, shown in commands(block.text):
        where = f"{block.page}:{block.line + number}"
        if not command.startswith("dagnet "):
            failures.append(f"{where}: '{command}' cannot run here: mark the block <!-- not run: why -->")
            continue
        code, printed = run_dagnet(command)
        if shown and shown.strip():
            if not same_output(shown, printed):
                failures.append(mismatch(f"{where}: $ {command}", shown, printed))
        elif code != 0:
            failures.append(f"{where}: {command} exited {code}:\n{printed.rstrip()}")
    return failures


# -- what a page needs besides itself ---------------------------------------------------------

def small_experiment(folder):
    """docs/sweeps.md runs ``experiment.yaml``, an experiment of the reader's: a small one."""
    with open(os.path.join(folder, "experiment.yaml"), "w", encoding="utf-8") as f:
        f.write("topologies: {small: {generate: mlp, sizes: [3]}}\n"
                "datasets: {moons: {n_samples: 30}}\ngrid: {epochs: 3}\nseeds: 2\n")


SETUP = {"docs/sweeps.md": small_experiment}


def run_page(page):
    """Run every block of ``page`` in the current folder: (outputs that differ, blocks skipped for
    want of a package)."""
    failures, skipped, namespace = [], [], {"__name__": "__docs__"}
    # numpy 2 writes a float64 as np.float64(0.5); the pages show values as numpy 1 and Python do
    legacy = "1.25" if np.lib.NumpyVersion(np.__version__) >= "2.0.0" else False
    with np.printoptions(legacy=legacy):
        for block in filter(runs_something, blocks(page)):
            missing = [p for p in block.needs if importlib.util.find_spec(p) is None]
            if missing:
                skipped.append(f"{block.page}:{block.line} needs {', '.join(missing)}")
            elif block.language == "python":
                failures += run_python(block, namespace)
            else:
                failures += run_sh(block)
    return failures, skipped


def pages_that_run():
    return [pytest.param(page, marks=[pytest.mark.slow] if page in SLOW else [], id=page)
            for page in PAGES if any(runs_something(b) for b in blocks(page))]


@pytest.mark.parametrize("page", pages_that_run())
def test_a_page_runs_and_prints_what_it_shows(page, tmp_path, monkeypatch):
    for folder in FOLDERS:
        os.symlink(os.path.join(ROOT, folder), tmp_path / folder)
    monkeypatch.chdir(tmp_path)
    SETUP.get(page, lambda folder: None)(str(tmp_path))
    failures, skipped = run_page(page)
    assert not failures, "\n\n".join(failures)
    if skipped:
        pytest.skip("; ".join(skipped))              # a section needs a package this machine lacks


# -- the conventions hold ----------------------------------------------------------------------

def test_every_not_run_marker_sits_above_a_block_and_says_why():
    assert [p for page in PAGES for p in parse(page)[1]] == []


def test_a_comment_that_shows_a_value_is_checked():
    """``x  # 0.961`` would never be run against the page: values are shown as ``# -> 0.961``."""
    unchecked = []
    for block in (b for page in PAGES for b in blocks(page) if b.language == "python"):
        if ">>> " in block.text:
            continue
        for token in tokenize.generate_tokens(io.StringIO(block.text).readline):
            if token.type == tokenize.COMMENT and VALUE_LIKE.match(token.string):
                unchecked.append(f"{block.page}:{block.line + token.start[0]}: {token.string}")
    assert unchecked == []


@pytest.mark.parametrize("page", ["README.md", "docs/cli.md"])
def test_the_command_line_tour_writes_only_under_runs(page):
    """Run from a clone, the tour's commands leave the repository's files alone: runs/ is ignored by git."""
    written = []
    for block in blocks(page):
        for _, command, _ in commands(block.text) if block.language == "sh" else []:
            words = shlex.split(command, comments=True)
            written += [words[k + 1] for k, w in enumerate(words[:-1]) if w in OUTPUT_OPTIONS]
    assert written and [path for path in written if not path.startswith("runs/")] == []


def test_the_readme_shows_what_its_main_job_prints():
    """The transcript after the main job is the main job's own dagnet command."""
    main_job = next(b for b in blocks("README.md") if b.language == "sh" and "pip install" in b.text)
    command = "dagnet " + main_job.text.strip().split("&& dagnet ", 1)[1]
    transcripts = [c for b in blocks("README.md") for _, c, shown in commands(b.text) if shown is not None]
    assert command in transcripts


def test_the_readme_topology_is_the_shipped_file():
    block = next(b.text for b in blocks("README.md") if b.language == "yaml")
    name = re.search(r"^name: (\S+)", block, re.M).group(1)
    with open(os.path.join(ROOT, "topologies", name.replace("-", "_") + ".yaml"), encoding="utf-8") as f:
        assert f.read() == block


@pytest.mark.parametrize("shown, printed, same", [
    ("0.875", "0.8751204", True), ("0.875", "0.8761", False), ("(504, 64)", "(504, 68)", False),
    ("1", "1.0", False), ("6.42e-09", "3.1e-08", True), ("6.42e-09", "1e-07", False),
    ("loss 0.282513 in 0.4 s", "loss 0.282513 in 12.75 s", True), ("loss 0.282513", "loss 0.29495", False),
    ("array([[0.01], [0.99]])", "array([[0.01],\n       [0.99]])", True),
    ("a\n...\nz", "a\nb\nc\nz", True), ("a\n...\nz", "a\nb", False),
    ("worst 3.57e-10 at w['l1.0' -> 'l3.4']", "worst 2.1e-10 at w['l1.2' -> 'l3.0']", True),
])
def test_shown_and_printed_output_agree_only_where_machines_may_differ(shown, printed, same):
    assert same_output(shown, printed) is same
