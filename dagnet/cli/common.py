"""What every command shares: exit codes, the two user errors, argument types, messages.

Exit codes: 0 success; 1 invalid input (a file that is missing or broken,
data that does not fit the network, a diverged training run, a failed
gradient check); 2 a wrong command line; 130 interrupted (Ctrl-C).
"""
import argparse
import contextlib
import math
import signal
import sys

import dagnet
from dagnet.errors import suggest
from dagnet.text import one_line

EXIT_OK, EXIT_INVALID, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130


class UsageError(Exception):
    """The command line itself is wrong (exit 2)."""


class InputError(Exception):
    """A file, a data set or a value does not fit (exit 1)."""


class Parser(argparse.ArgumentParser):
    """argparse that reports a usage error as one line instead of printing the usage block."""

    def error(self, message):
        raise UsageError(f"{message} (see '{self.prog} --help')")


def formatter(prog):
    return argparse.RawDescriptionHelpFormatter(prog, max_help_position=32)


def command(subparsers, name, summary, description, example):
    """A subcommand parser with its one-line summary, its description and an example in --help."""
    return subparsers.add_parser(name, help=summary, description=description,
                                 epilog="example:\n" + example, formatter_class=formatter)


def error(message):
    """Print ``dagnet: error: MESSAGE`` as one line on stderr."""
    print(f"dagnet: error: {one_line(message)}", file=sys.stderr)


def note(message):
    """A progress or status line on stderr (stdout carries the results)."""
    print(message, file=sys.stderr)


def warning_note(message, *_args, **_kwargs):
    """A Python warning as one ``dagnet: note: ...`` line on stderr (no file, no source line)."""
    print(f"dagnet: note: {one_line(message)}", file=sys.stderr)


def os_error(err):
    """An OSError as ``FILE: reason``."""
    if err.filename is not None:
        return f"{err.filename}: {(err.strerror or str(err)).lower()}"
    return str(err)


@contextlib.contextmanager
def interrupts_deferred():
    """Hold Ctrl-C while results are written; act on it (KeyboardInterrupt) once they are."""
    caught = []
    try:
        before = signal.signal(signal.SIGINT, lambda signum, frame: caught.append(signum))
    except ValueError:   # not the main thread: nothing to defer
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, before)
    if caught:
        raise KeyboardInterrupt


def load(path, args=None, seed=None):
    """``dagnet.load`` with the command's ``--seed``, ``--engine`` and ``--init`` when it has them."""
    return dagnet.load(path, seed=seed if seed is not None else getattr(args, "seed", None),
                       engine=getattr(args, "engine", "compiled"), init=getattr(args, "init", None))


# -- argument types (a bad value is a usage error, exit 2) ------------------------

#: The largest whole number a flag takes (epochs, sizes, seeds): beyond it is a typo, not a wish.
MAX_WHOLE = 2**31 - 1


def number(convert, ok, wanted):
    """An argparse type: ``convert(text)``, then ``ok(value)`` or a usage error "expected {wanted}"."""
    kind = "a whole number" if convert is int else "a number"

    def parse(text):
        shown = repr(text) if len(text) <= 40 else repr(text[:40]) + "…"
        try:
            value = convert(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected {kind}, got {shown}") from None
        if convert is int and abs(value) > MAX_WHOLE:
            raise argparse.ArgumentTypeError(f"expected {wanted} up to {MAX_WHOLE:,}, got {shown}")
        if not (math.isfinite(value) and ok(value)):
            raise argparse.ArgumentTypeError(f"expected {wanted}, got {shown}")
        return value
    return parse


seed = number(int, lambda v: v >= 0, "a whole number >= 0")


positive_int = number(int, lambda v: v >= 1, "a whole number >= 1")
count = number(int, lambda v: v >= 0, "a whole number >= 0")
positive_float = number(float, lambda v: v > 0, "a number > 0")
non_negative_float = number(float, lambda v: v >= 0, "a number >= 0")
fraction = number(float, lambda v: 0 <= v < 1, "a fraction in [0, 1)")


def columns(text):
    """--inputs/--targets: comma-separated column names."""
    names = [c.strip() for c in text.split(",") if c.strip()]
    if not names:
        raise argparse.ArgumentTypeError("expected comma-separated column names")
    return names


def choice(known, what):
    """An argparse type accepting one of ``known``, with the near miss in the error."""
    def parse(text):
        if text not in known:
            raise argparse.ArgumentTypeError(f"unknown {what} {text!r}{suggest(text, known)}; "
                                             f"known: {', '.join(known)}")
        return text
    return parse
