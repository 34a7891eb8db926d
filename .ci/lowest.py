"""Print a pip constraints file pinning every requirement pyproject.toml declares to its lower bound.

    python .ci/lowest.py > lowest.txt && pip install -e ".[test,all,dask]" -c lowest.txt

so the bounds the project declares are the versions the lowest-versions run installs: they
cannot drift apart. A requirement without a lower bound is left free.
"""
import os
import re
import sys

try:
    import tomllib
except ImportError:            # Python 3.10
    import tomli as tomllib

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
#: name[extras] >= version, the one form of bound pyproject.toml uses
LOWER_BOUND = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[[^\]]*\])?\s*>=\s*([^\s,;]+)\s*$")


def lower_bounds(project):
    """``{name: version}`` for every ``name>=version`` among the dependencies and extras."""
    requirements = list(project.get("dependencies", []))
    for extra in project.get("optional-dependencies", {}).values():
        requirements += extra
    bounds = {}
    for requirement in requirements:
        match = LOWER_BOUND.match(requirement)
        if match:
            name, version = match.group(1).lower(), match.group(2)
            if bounds.setdefault(name, version) != version:
                sys.exit(f"pyproject.toml: {name} has two lower bounds, {bounds[name]} and {version}")
    return bounds


def main():
    with open(os.path.join(ROOT, "pyproject.toml"), "rb") as f:
        project = tomllib.load(f)["project"]
    for name, version in sorted(lower_bounds(project).items()):
        print(f"{name}=={version}")


if __name__ == "__main__":
    main()
