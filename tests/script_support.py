"""What tests of the repository's scripts share: a script (an example, a benchmark, a CI or docs
helper; scripts, not a package) imported as a module."""
import importlib.util
import os

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def load_script(path, name):
    """Run the Python file ``path`` (from the repository's root) as a new module called ``name``."""
    spec = importlib.util.spec_from_file_location(name, os.path.join(ROOT, path))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
