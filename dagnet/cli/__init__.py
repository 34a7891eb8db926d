"""The ``dagnet`` command: one module per subcommand, registered in :data:`COMMANDS`.

Built on argparse from the standard library, so the command costs no
dependency beyond dagnet's own. Each command module has ``add(subparsers)``,
which declares its flags (with an example in its ``--help``) and sets
``func=run``, and ``run(args)``, which does the work through dagnet's
public API and returns the exit code. A new command is one module and one
entry in :data:`COMMANDS`.

Only the command being run is imported (its module pulls in numpy,
networkx and the rest), so ``dagnet --version`` imports none of them and
``dagnet validate`` only what loading a topology needs; ``dagnet --help``
and a mistyped command import every command, to list them.

Every error is one line on stderr, ``dagnet: error: ...``, never a
traceback (set ``DAGNET_DEBUG=1`` to see one for an unexpected failure);
exit codes are in :mod:`dagnet.cli.common`.
"""
import argparse
import importlib
import os
import sys
import warnings

import dagnet
from dagnet.plots.figures import MissingMatplotlib

from .common import (EXIT_INTERRUPTED, EXIT_INVALID, EXIT_OK, EXIT_USAGE, InputError, Parser,
                     UsageError, error, formatter, os_error,
                     warning_note)

#: The subcommands, in the order ``dagnet --help`` lists them (modules of this package).
COMMANDS = ["validate", "info", "train", "predict", "gradcheck", "draw", "generate", "sweep", "prune", "grow",
            "export", "import_neat", "evolve", "playground"]


def typed(name):
    """A command's name as typed: ``import-neat`` for the module ``import_neat``."""
    return name.replace("_", "-")


def commands_needed(argv):
    """The modules of :data:`COMMANDS` that parsing ``argv`` needs: the one named, else all or none.

    The command is the first word that is not an option (the top-level
    options take no value). With none, only ``--help`` needs every command
    (to list them); an unknown one needs them all, to name the choices.
    """
    word = next((a for a in argv if a == "--" or not a.startswith("-")), None)
    by_word = {typed(name): name for name in COMMANDS}
    if word in by_word:
        return [by_word[word]]
    if word is None and not any(a in ("-h", "--help") for a in argv):
        return []
    return COMMANDS


class Version(argparse.Action):
    """``--version``: dagnet's version and the backend it trains on, worked out only when asked."""

    def __init__(self, option_strings, dest=argparse.SUPPRESS, default=argparse.SUPPRESS, help=None):
        super().__init__(option_strings, dest, nargs=0, default=default, help=help)

    def __call__(self, parser, namespace, values, option_string=None):
        native = importlib.import_module("dagnet.native")
        print(f"dagnet {dagnet.__version__}, {native.status()}")
        parser.exit()


def build_parser(commands=None):
    """The ``dagnet`` argument parser with the subcommands ``commands`` (default: every one)."""
    parser = Parser(prog="dagnet", formatter_class=formatter,
                    description="Neural networks whose topology is any loop-free graph of perceptrons.",
                    epilog="examples:\n"
                           "  dagnet info topologies/xor_skip.yaml\n"
                           "  dagnet train topologies/tutorial_2_5_1.yaml --data nonlinear --epochs 800 "
                           "--lr 0.5 --batch-size 1 --out runs/tutorial\n"
                           "  dagnet draw runs/tutorial/trained.yaml --out net.png\n\n"
                           "'dagnet COMMAND --help' explains each command.")
    parser.add_argument("--version", action=Version, help="show the version and the training backend, and exit")
    subparsers = parser.add_subparsers(title="commands", metavar="COMMAND")
    for name in COMMANDS if commands is None else commands:
        importlib.import_module(f"{__name__}.{name}").add(subparsers)
    parser.set_defaults(commands=[typed(name) for name in COMMANDS])
    return parser


def main(argv=None):
    """Run the ``dagnet`` command with ``argv`` (default ``sys.argv[1:]``); return the exit code.

    A warning raised while a command runs (say, that the numpy engine runs
    because the native kernel is not built) is one ``dagnet: note:`` line,
    without Python's file and source line. A library's deprecation notices
    are for its programmers, not for the command's user: they are not shown.
    """
    with warnings.catch_warnings():
        warnings.showwarning = warning_note
        for notice in (DeprecationWarning, PendingDeprecationWarning, FutureWarning):
            warnings.simplefilter("ignore", notice)
        return _run(argv)


def _run(argv):
    try:
        argv = sys.argv[1:] if argv is None else list(argv)
        parser = build_parser(commands_needed(argv))
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
    except MissingMatplotlib as err:
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
