"""The documentation site: every public function and class is in the API reference with its docstring.

docs/reference.py makes the reference from the package (a page per public module); mkdocs.yml
builds the site from docs/ (the guides, the tutorial notebooks with their outputs, the reference).
The full build (``mkdocs build --strict``, the ``docs`` extra) is a slow test; CI also runs it as a
step of its own.
"""
import html
import importlib
import importlib.util
import inspect
import os
import re
import subprocess
import sys

import pytest
from fresh_python import packages_loaded
from script_support import load_script

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TAG = re.compile(r"<[^>]+>")
#: What a docstring's markup looks like before rendering: Sphinx roles, backticks, emphasis.
MARKUP = re.compile(r":(?:func|meth|class|mod|data|attr|exc|obj):|`+|\*+")
NOT_A_LETTER = re.compile(r"[\W_]+")


def reference():
    """docs/reference.py, the hook that makes the API reference."""
    return load_script(os.path.join("docs", "reference.py"), "docs_reference")


def public_objects():
    try:
        return reference().public_objects()
    except ImportError as err:         # dagnet.sklearn without scikit-learn, say
        pytest.skip(f"the reference imports every public module: {err}")


def find(path):
    """The object at the dotted ``path`` (a module's attribute, or a class's)."""
    module, _, name = path.rpartition(".")
    try:
        return getattr(importlib.import_module(module), name)
    except ModuleNotFoundError:
        owner = find(module)
        return getattr(owner, name)


def letters(text):
    """Only the letters and digits of ``text``: rendering moves spaces and punctuation around code."""
    return NOT_A_LETTER.sub("", text)


def first_words(docstring, count=6):
    """The first words of a docstring's summary line, its markup removed."""
    words = MARKUP.sub("", docstring.strip().split("\n")[0]).split()
    return " ".join(words[:count])


def text_of(page_html):
    return html.unescape(TAG.sub("", page_html))


def test_every_public_function_and_class_is_on_a_page_of_the_reference_and_has_a_docstring():
    objects = public_objects()
    rendered = [path for entries in objects.values() for _, path, here in entries if here]
    assert len(rendered) == len(set(rendered)), "each object is rendered once"
    offered = {path for entries in objects.values() for _, path, _ in entries}
    assert offered == set(rendered), "every object offered somewhere is rendered somewhere"
    missing = [path for path in rendered if not (inspect.getdoc(find(path)) or "").strip()]
    assert missing == []


def test_the_reference_has_the_modules_users_call():
    pages = list(public_objects())
    assert pages[0] == "dagnet"
    for module in ("dagnet.datasets", "dagnet.generate", "dagnet.plots", "dagnet.sweep", "dagnet.sklearn",
                   "dagnet.interchange", "dagnet.interchange.onnx", "dagnet.limits"):
        assert module in pages
    assert "dagnet.generate.layered" not in pages          # a package's inner parts are not pages
    names = {name for name, _, _ in public_objects()["dagnet"]}
    assert {"Network", "load", "loads", "History", "gradcheck", "prune", "grow"} <= names


def test_the_reference_does_not_depend_on_what_was_imported_before():
    """dagnet holds every submodule imported so far as an attribute; the pages are the same."""
    before = reference().modules()
    import dagnet.cascade  # noqa: F401 (a module that is not public, imported by the way)
    assert reference().modules() == before and "dagnet.cascade" not in before


def test_no_page_links_outside_the_site():
    """A link from docs/ to a file beside it (../benchmarks/...) breaks the strict build: say the path
    in words instead. Checked here quickly; the build itself is a slow test."""
    outside = []
    for name in sorted(os.listdir(os.path.join(ROOT, "docs"))):
        if name.endswith(".md"):
            with open(os.path.join(ROOT, "docs", name), encoding="utf-8") as f:
                outside += [f"docs/{name}: {m}" for m in re.findall(r"\]\((\.\./[^)]*)\)", f.read())]
    assert not outside, outside


def test_import_dagnet_imports_no_documentation_tool():
    packages = packages_loaded("import dagnet; dagnet.Network")
    assert not set(packages) & {"mkdocs", "mkdocstrings", "griffe", "nbclient", "nbformat", "ipykernel", "anywidget"}


@pytest.mark.slow
def test_the_site_builds_strict_with_every_public_name_and_its_docstring(tmp_path):
    for package in ("mkdocs", "material", "mkdocstrings_handlers.python", "mkdocs_jupyter"):
        try:
            found = importlib.util.find_spec(package) is not None
        except ModuleNotFoundError:
            found = False
        if not found:
            pytest.skip(f'building the site needs {package}: pip install -e ".[docs]"')
    objects = public_objects()
    site = tmp_path / "site"
    build = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site)],
                           cwd=ROOT, capture_output=True, text=True, env={**os.environ, "NO_MKDOCS_2_WARNING": "1"})
    assert build.returncode == 0, build.stderr[-3000:]
    problems = []
    for module, entries in objects.items():
        with open(site / "api" / module / "index.html", encoding="utf-8") as f:
            page_html = f.read()
        text = letters(text_of(page_html))
        for name, path, here in entries:
            if not here:
                continue
            if f'id="{path}"' not in page_html:
                problems.append(f"{module}: no entry for {path}")
            elif letters(first_words(inspect.getdoc(find(path)))) not in text:
                problems.append(f"{module}: {path} without its docstring ({first_words(inspect.getdoc(find(path)))!r})")
    assert problems == []
    for notebook in ("backpropagation-tutorial", "tanh-softmax-network"):
        with open(site / "tutorials" / notebook / "index.html", encoding="utf-8") as f:
            assert "the same (largest relative difference" in f.read()     # rendered with its outputs
