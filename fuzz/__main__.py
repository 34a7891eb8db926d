"""python -m fuzz NAME... [--seconds S]: fuzz dagnet's readers; exit 1 when anything is found."""
import argparse
import os
import sys

from . import TARGETS, target
from .harness import feed, outcome, run, save


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="python -m fuzz", description="Fuzz dagnet's readers: every input must end in a result or "
        "one of dagnet's own errors, within the time and memory allowed.")
    parser.add_argument("names", nargs="*", metavar="NAME", help=f"readers to fuzz (default: all: "
                        f"{', '.join(TARGETS)})")
    parser.add_argument("--seconds", type=float, default=300, help="time per reader (default 300)")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    parser.add_argument("--max-seconds", type=float, default=2.0, help="time allowed per input (default 2)")
    parser.add_argument("--memory-mib", type=int, default=1024, help="memory allowed (default 1024)")
    parser.add_argument("--out", default=os.path.join("runs", "fuzz"),
                        help="folder for the inputs of findings (default runs/fuzz)")
    parser.add_argument("--replay", metavar="FILE", help="feed one saved input to the (single) reader named")
    args = parser.parse_args(argv)
    names = args.names or TARGETS
    unknown = [n for n in names if n not in TARGETS]
    if unknown:
        parser.error(f"unknown reader {unknown[0]!r}; known: {', '.join(TARGETS)}")
    if args.replay:
        reader = target(names[0])
        feed(reader, reader.seeds[0], args.max_seconds)       # imports done before the timing, as in a run
        with open(args.replay, encoding="utf-8", errors="surrogatepass") as f:
            error, took = feed(reader, f.read(), args.max_seconds)
        print(f"{outcome(error)} ({took:.2f} s)")
        if error is not None:
            raise error
        return 0
    found = 0
    for i, name in enumerate(names):
        findings = run(target(name), args.seconds, seed=args.seed, max_seconds=args.max_seconds,
                       memory=args.memory_mib << 20, cap_memory=(i == 0))
        for path in save(findings, os.path.join(args.out, name)):
            print(f"  {path}")
        found += len(findings)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
