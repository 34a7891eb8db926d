"""The ``dagnet`` command: one module per subcommand, registered in :data:`COMMANDS`.

Built on argparse from the standard library, so the command costs no
dependency beyond dagnet's own. Each command module has ``add(subparsers)``,
which declares its flags (with an example in its ``--help``) and sets
``func=run``, and ``run(args)``, which does the work through dagnet's
public API and returns the exit code. A new command is one module and one
entry in :data:`COMMANDS`.

Every error is one line on stderr, ``dagnet: error: ...``, never a
traceback (set ``DAGNET_DEBUG=1`` to see one for an unexpected failure);
exit codes are in :mod:`dagnet.cli.common`.
"""
import importlib
import os
import sys

import dagnet
from dagnet import plots

from .common import (EXIT_INTERRUPTED, EXIT_INVALID, EXIT_OK, EXIT_USAGE, InputError, Parser,
                     UsageError, error, formatter, os_error)

#: The subcommands, in the order ``dagnet --help`` lists them (modules of this package).
COMMANDS = ["validate", "info", "train", "predict", "gradcheck", "draw", "generate", "sweep", "prune", "grow",
            "export", "import_neat", "evolve", "playground"]


def build_parser():
    """The ``dagnet`` argument parser with every subcommand."""
    parser = Parser(prog="dagnet", formatter_class=formatter,
                    description="Neural networks whose topology is any loop-free graph of perceptrons.",
                    epilog="examples:\n"
                           "  dagnet info topologies/xor_skip.yaml\n"
                           "  dagnet train topologies/tutorial_2_5_1.yaml --data nonlinear --epochs 800 "
                           "--lr 0.5 --batch-size 1 --out runs/tutorial\n"
                           "  dagnet draw runs/tutorial/trained.yaml --out net.png\n\n"
                           "'dagnet COMMAND --help' explains each command.")
    parser.add_argument("--version", action="version",
                        version=f"dagnet {dagnet.__version__}, {importlib.import_module('dagnet.native').status()}")
    subparsers = parser.add_subparsers(title="commands", metavar="COMMAND")
    for name in COMMANDS:
        importlib.import_module(f"{__name__}.{name}").add(subparsers)
    parser.set_defaults(commands=list(subparsers.choices))   # as typed: import-neat, not import_neat
    return parser


def main(argv=None):
    """Run the ``dagnet`` command with ``argv`` (default ``sys.argv[1:]``); return the exit code."""
    try:
        parser = build_parser()
        args = parser.parse_args(argv)
        if not hasattr(args, "func"):
            raise UsageError(f"a command is needed: {', '.join(args.commands)} (see 'dagnet --help')")
        code = args.func(args)
        return EXIT_OK if code is None else int(code)
    except UsageError as err:
        error(err)
        return EXIT_USAGE
    except SystemExit as err:   # --help and --version
        return err.code if isinstance(err.code, int) else (EXIT_OK if err.code is None else EXIT_USAGE)
    except KeyboardInterrupt:
        error("interrupted")
        return EXIT_INTERRUPTED
    except BrokenPipeError:   # e.g. dagnet predict ... | head
        sys.stdout = open(os.devnull, "w")
        return EXIT_OK
    except plots.MissingMatplotlib as err:
        error(err)
        return EXIT_INVALID
    except OSError as err:
        error(os_error(err))
        return EXIT_INVALID
    except (InputError, dagnet.TopologyError, ValueError) as err:
        error(err)
        return EXIT_INVALID
    except Exception as err:
        if os.environ.get("DAGNET_DEBUG"):
            raise
        error(f"unexpected {type(err).__name__}: {err} (a bug in dagnet? DAGNET_DEBUG=1 shows the "
              f"traceback)")
        return EXIT_INVALID
