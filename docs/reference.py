"""The site's API reference, made from the package itself: a page per public module, every public
function and class of it rendered from its numpydoc docstring by mkdocstrings.

mkdocs runs this file as a hook (``hooks:`` in mkdocs.yml): ``on_config`` puts the pages into the
navigation under "API reference", ``on_files`` writes them. A name is public when ``dagnet``
offers it (its lazily loaded names and modules), or when a public module lists it in ``__all__``,
or, for a module without ``__all__``, when the module defines it under a name without a leading
underscore. A new public function, class or module therefore appears in the reference without
anyone editing a page; ``tests/test_site.py`` builds the site and checks that every one of them is
there with its docstring.

Each function or class is rendered once, on the page of the module that defines it when that
module has a page, else on the first page that offers it; other pages offering it link there.
"""
import importlib
import importlib.util
import inspect
import pkgutil
import re
import sys

#: Modules a user calls, in the order of the reference; the ones not installed (the optional
#: widget, a module still to come) are left out. ``dagnet``'s own lazily loaded modules follow.
USER_MODULES = ("dagnet", "dagnet.datasets", "dagnet.features", "dagnet.generate", "dagnet.edits", "dagnet.metrics",
                "dagnet.plots", "dagnet.sweep", "dagnet.sklearn", "dagnet.interchange", "dagnet.sparse",
                "dagnet.evolve", "dagnet.widget", "dagnet.results", "dagnet.gradient_check")
TITLE = "API reference"
FOLDER = "api"
#: A Sphinx role before inline code (``:func:`x``` in a docstring), which markdown leaves as text.
SPHINX_ROLE = re.compile(r":(?:func|meth|class|mod|data|attr|exc|obj):(<code>)")


def installed(name):
    try:
        return importlib.util.find_spec(name) is not None
    except ModuleNotFoundError:          # a parent package that is not there
        return False


def modules():
    """The public modules, in page order: the user modules, the submodules of the public packages
    (``dagnet.interchange.onnx`` ...), then the other modules ``dagnet`` loads on first use."""
    import dagnet

    names = []
    for name in (name for name in USER_MODULES if installed(name)):
        names.append(name)
        module = importlib.import_module(name)
        if name != "dagnet" and hasattr(module, "__path__"):
            names += [f"{name}.{info.name}" for info in pkgutil.iter_modules(module.__path__)
                      if is_public_submodule(module, info.name)]
    names += [f"dagnet.{name}" for name in offered_by_dagnet()
              if inspect.ismodule(getattr(dagnet, name)) and f"dagnet.{name}" not in names]
    return names


def offered_by_dagnet():
    """The names ``import dagnet`` offers (it loads them on first use), read from a fresh copy of the
    package's namespace: the package itself also holds every submodule imported so far."""
    import dagnet

    spec = importlib.util.spec_from_file_location("dagnet_as_imported", dagnet.__file__)
    fresh = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(fresh)
    return [name for name in dir(fresh) if not name.startswith("_") and not inspect.ismodule(vars(fresh).get(name))]


def is_public_submodule(package, name):
    """A submodule is public when its package's docstring names it (``:mod:`dagnet.x.y```), the way
    ``dagnet.interchange`` lists its formats; the parts of a package it describes as its inner
    modules (``:mod:`.layered```) are not."""
    return f":mod:`{package.__name__}.{name}`" in (package.__doc__ or "")


def offered(name):
    """``{public name: object}`` of the functions and classes module ``name`` offers."""
    module = importlib.import_module(name)
    if name == "dagnet":
        names = offered_by_dagnet()
    elif isinstance(getattr(module, "__all__", None), (list, tuple)):
        names = list(module.__all__)
    else:
        names = [n for n, value in vars(module).items() if not n.startswith("_")
                 and getattr(value, "__module__", None) == name]
    found = {}
    for public in names:
        value = getattr(module, public)
        if (inspect.isclass(value) or inspect.isfunction(value)) and getattr(value, "__module__", "").startswith("dagnet"):
            found[public] = value
    return found


def canonical(value):
    """The dotted path where ``value`` is defined, the id of its entry in the reference."""
    return f"{value.__module__}.{value.__qualname__}"


def public_objects():
    """``{module: [(public name, canonical path, rendered here)]}`` for every page of the reference."""
    pages = modules()
    home = {}
    listing = {page: offered(page) for page in pages}
    for page in pages:
        for value in listing[page].values():
            path = canonical(value)
            if value.__module__ in pages:
                home.setdefault(path, value.__module__)
            else:
                home.setdefault(path, page)
    return {page: [(name, canonical(value), home[canonical(value)] == page)
                   for name, value in sorted(listing[page].items())] for page in pages}


def page_name(module):
    return f"{FOLDER}/{module}.md"


def page(module, entries):
    """The markdown of ``module``'s page: its docstring, then its functions and classes."""
    lines = [f"# {module}", "", f"::: {module}", "    options:", "      members: false",
             "      show_root_heading: false", "      show_root_toc_entry: false", ""]
    here = [(name, path) for name, path, rendered in entries if rendered]
    elsewhere = [(name, path) for name, path, rendered in entries if not rendered]
    if elsewhere:
        lines += ["Also offered here: " + ", ".join(f"[`{name}`][{path}]" for name, path in elsewhere) + ".", ""]
    for name, path in here:
        lines += [f"::: {path}", ""]
    return "\n".join(lines)


def index(objects):
    lines = [f"# {TITLE}", "",
             "Every public function and class of dagnet, rendered from its docstring, one page per "
             "module. `import dagnet` gives the names of the first page; the modules are imported "
             "as `from dagnet import generate` or `import dagnet.generate`.", "",
             "| module | functions and classes |", "|---|---|"]
    for module, entries in objects.items():
        names = ", ".join(f"`{name}`" for name, _, _ in entries) or "(its docstring)"
        lines.append(f"| [{module}]({module}.md) | {names} |")
    return "\n".join(lines) + "\n"


# -- the mkdocs hook ---------------------------------------------------------------------------

def on_config(config):
    """Fill the "API reference" entry of the navigation with the generated pages."""
    pages = [f"{FOLDER}/index.md"] + [{module: page_name(module)} for module in modules()]
    for position, entry in enumerate(config["nav"] or []):
        if isinstance(entry, dict) and TITLE in entry:
            config["nav"][position] = {TITLE: pages}
    return config


def on_files(files, config):
    """Add the generated pages to the site's files."""
    from mkdocs.structure.files import File

    objects = public_objects()
    files.append(File.generated(config, f"{FOLDER}/index.md", content=index(objects)))
    for module, entries in objects.items():
        files.append(File.generated(config, page_name(module), content=page(module, entries)))
    return files


def on_page_content(html, page, config, files):
    """Drop the Sphinx roles the docstrings write before inline code: ``:func:`x``` reads as ``x``."""
    return SPHINX_ROLE.sub(r"\1", html)


if __name__ == "__main__":            # python docs/reference.py: print the pages
    for module, entries in public_objects().items():
        print(page(module, entries))
    sys.exit(0)
