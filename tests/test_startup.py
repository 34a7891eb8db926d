"""Starting the command: what it imports (counted, not timed), and Ctrl-C while it does."""
import json
import os
import signal
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SMALL = os.path.join(ROOT, "topologies", "xor_2_2_1.yaml")

#: Imported by no command that does not need them (the optional extras, scipy's special functions
#: and sparse matrices, and networkx: each takes longer to import than the rest of dagnet's core,
#: and a topology file is loaded and checked as arrays, without a graph).
EXTRAS = ["scipy", "matplotlib", "PIL", "joblib", "loky", "sklearn", "torch", "onnx", "starlette", "dask",
          "networkx"]
#: What loading a topology needs, and ``dagnet --version`` does not.
CORE = ["numpy", "networkx", "yaml"]


def imported(*argv, before=""):
    """``(exit code, sorted names of the modules loaded)`` after running ``dagnet ARGV`` in a fresh Python."""
    child = (f"import json, sys\n{before}\n"
             "from dagnet.launch import main\n"
             f"code = main({list(argv)!r})\n"
             "print(json.dumps([code, sorted(sys.modules)]))\n")
    proc = subprocess.run([sys.executable, "-c", child], capture_output=True, text=True, cwd=ROOT, timeout=120)
    code, modules = json.loads(proc.stdout.splitlines()[-1])
    return code, modules


def packages(modules, names):
    return sorted({m.split(".")[0] for m in modules} & set(names))


def test_the_version_imports_neither_the_core_libraries_nor_any_command():
    code, modules = imported("--version")
    assert code == 0
    assert packages(modules, CORE + EXTRAS) == []
    assert [m for m in modules if m.startswith("dagnet.cli.") and m != "dagnet.cli.common"] == []


@pytest.mark.parametrize("kernel", ["built", "missing"])
def test_validating_a_small_topology_imports_no_extra_and_no_other_command(kernel):
    missing = "sys.modules['dagnet.native._kernel'] = None" if kernel == "missing" else ""
    code, modules = imported("validate", SMALL, before=missing)
    assert code == 0
    assert packages(modules, EXTRAS) == []
    assert [m for m in modules if m.startswith("dagnet.cli.")] == ["dagnet.cli.common", "dagnet.cli.validate"]


def test_the_help_still_lists_every_command(run):
    from dagnet.cli import COMMANDS, typed

    code, out, _ = run("--help")
    assert code == 0
    assert all(f"    {typed(name)}" in out for name in COMMANDS)


def test_a_mistyped_command_is_one_line_naming_the_choices(run):
    code, _, err = run("vaildate", SMALL)
    assert code == 2 and err.count("\n") == 1 and "'validate'" in err


def test_no_command_names_every_command(run):
    code, _, err = run()
    assert code == 2 and "import-neat" in err and err.count("\n") == 1


@pytest.mark.slow
@pytest.mark.parametrize("module", ["dagnet.cli", "dagnet.cli.validate", "yaml"])
def test_ctrl_c_while_a_command_starts_is_one_line(module):
    """SIGINT while the command line, the command's module or a library it needs is imported."""
    child = ("import sys, time\n"
             "class Slow:   # an import made slow enough to be interrupted\n"
             "    def find_spec(self, name, path=None, target=None):\n"
             f"        if name == {module!r}:\n"
             "            print('ready', flush=True)\n"
             "            time.sleep(5)\n"
             "sys.meta_path.insert(0, Slow())\n"
             "from dagnet.launch import main\n"
             f"raise SystemExit(main(['validate', {SMALL!r}]))\n")
    proc = subprocess.Popen([sys.executable, "-c", child], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout.readline() == b"ready\n"
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 130 and err.decode() == "dagnet: error: interrupted\n"
