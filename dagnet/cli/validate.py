"""``dagnet validate``: load each topology file and report ok or its first problem."""
import dagnet
from dagnet.text import plural

from .common import EXIT_INVALID, EXIT_OK, command, error, os_error


def add(subparsers):
    p = command(subparsers, "validate", "check topology files",
                 "Load each topology and report 'ok' or the first problem in it (file, key, node).",
                 "  dagnet validate topologies/*.yaml")
    p.add_argument("files", nargs="+", metavar="FILE", help="topology YAML files")
    p.set_defaults(func=run)


def run(args):
    bad = 0
    for path in args.files:
        try:
            net = dagnet.load(path, seed=0)
        except (dagnet.TopologyError, ValueError, OSError) as err:
            bad += 1
            error(os_error(err) if isinstance(err, OSError) else err)
            continue
        wiring = net.plan.wiring        # the counts without building a networkx graph
        print(f"ok  {path}: {plural(len(net.inputs), 'input')}, {plural(len(net.outputs), 'output')}, "
              f"{plural(len(wiring.names), 'node')}, {plural(len(wiring.src), 'edge')}, "
              f"{plural(net.n_params, 'parameter')}")
    return EXIT_INVALID if bad else EXIT_OK
