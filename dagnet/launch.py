"""The ``dagnet`` console script: the command line, with Ctrl-C answered even while it starts up.

Starting a command takes a moment (its module imports numpy, networkx
and whatever else it needs); a Ctrl-C then, or a second one while results
are written, ends with one line and exit code 130 instead of a traceback:
here while the command line itself is imported, in
:func:`dagnet.cli.main` once it runs.
"""
import signal
import sys

EXIT_INTERRUPTED = 130


def main(argv=None):
    """Run ``dagnet`` with ``argv``; return its exit code."""
    try:
        from dagnet.cli import main as run
        return run(argv)
    except KeyboardInterrupt:
        signal.signal(signal.SIGINT, signal.SIG_IGN)   # a further Ctrl-C must not cut this short
        print("dagnet: error: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED


if __name__ == "__main__":   # pragma: no cover
    sys.exit(main())
