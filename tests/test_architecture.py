"""The house rules of dagnet/, checked: module size, no import cycle, no private name across modules.

docs/architecture.md is the map these rules keep true.
"""
import ast
import os

import networkx as nx
import pytest

ROOT = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "dagnet")
MAX_LINES = 400


def modules():
    """``{dotted name: path}`` of every module of the package."""
    found = {}
    for folder, _, files in os.walk(ROOT):
        for name in files:
            if name.endswith(".py"):
                path = os.path.join(folder, name)
                rel = os.path.relpath(path, os.path.dirname(ROOT))[:-3].replace(os.sep, ".")
                found[rel[:-len(".__init__")] if rel.endswith(".__init__") else rel] = path
    return found


def imports(name, path):
    """(module imported, names taken from it) for every ``import``/``from`` of dagnet in ``path``."""
    tree = ast.parse(open(path, encoding="utf-8").read())
    package = name if path.endswith("__init__.py") else name.rpartition(".")[0]
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[:len(parts) - node.level + 1] + ([base] if base else []))
            if base.startswith("dagnet"):
                for alias in node.names:
                    target = f"{base}.{alias.name}"
                    out.append((target if target in modules() else base, alias.name))
        elif isinstance(node, ast.Import):
            out += [(alias.name, None) for alias in node.names if alias.name.startswith("dagnet")]
    return out


@pytest.mark.parametrize("name", sorted(modules()))
def test_no_module_is_over_400_lines(name):
    with open(modules()[name], encoding="utf-8") as f:
        assert sum(1 for _ in f) <= MAX_LINES


def test_no_import_cycle():
    """Module-level imports among dagnet's modules form a DAG (imports inside functions count too)."""
    found = modules()
    G = nx.DiGraph()
    for name, path in found.items():
        for target, _ in imports(name, path):
            if target in found and target != name and not target.startswith(name + "."):
                if not name.startswith(target + "."):      # a module importing its own package
                    G.add_edge(name, target)
    cycles = list(nx.simple_cycles(G))
    assert not cycles, f"import cycles: {cycles[:3]}"


def test_no_private_name_crosses_modules():
    """``from dagnet.x import _name`` and ``x._name`` of another dagnet module are not used."""
    found = modules()
    offences = []
    for name, path in found.items():
        tree = ast.parse(open(path, encoding="utf-8").read())
        aliases = {}
        for target, imported in imports(name, path):
            own = target == name or target.startswith(name + ".")   # a package and its own private parts
            if imported and imported.startswith("_") and not imported.startswith("__") and not own:
                offences.append(f"{name} imports {imported} from {target}")
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("dagnet"):
                for alias in node.names:
                    if f"{node.module}.{alias.name}" in found:
                        aliases[alias.asname or alias.name] = f"{node.module}.{alias.name}"
            elif isinstance(node, ast.ImportFrom) and node.level:
                for alias in node.names:
                    aliases[alias.asname or alias.name] = alias.name
        for node in ast.walk(tree):
            if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
                    and node.value.id in aliases and node.attr.startswith("_")
                    and not node.attr.startswith("__")):
                offences.append(f"{name} uses {node.value.id}.{node.attr}")
    assert not offences, offences


def test_no_public_name_of_dagnet_is_also_a_module_name():
    """Importing ``dagnet.x`` sets the attribute ``dagnet.x`` to the module: a function ``x`` would vanish."""
    import importlib

    import dagnet
    for name in modules():
        if name.count(".") == 1 and not name.rpartition(".")[2].startswith("_"):
            importlib.import_module(name)
    functions = [n for n in dagnet.__all__ if n not in ("datasets", "edits", "metrics")]
    assert all(not isinstance(getattr(dagnet, n), type(dagnet)) for n in functions), \
        [n for n in functions if isinstance(getattr(dagnet, n), type(dagnet))]
