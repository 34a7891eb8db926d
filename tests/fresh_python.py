"""A fresh Python interpreter, for what importing dagnet costs: the modules a few statements load."""
import json
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def modules_loaded(statements):
    """The sorted names in ``sys.modules`` after a new interpreter runs ``statements`` in the repository."""
    child = f"{statements}\nimport json as _json, sys as _sys\nprint(_json.dumps(sorted(_sys.modules)))\n"
    done = subprocess.run([sys.executable, "-c", child], capture_output=True, text=True, cwd=ROOT, check=True)
    return json.loads(done.stdout.splitlines()[-1])


def packages_loaded(statements):
    """The top-level packages among :func:`modules_loaded`."""
    return sorted({name.split(".")[0] for name in modules_loaded(statements)})
