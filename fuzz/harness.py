"""A mutation fuzzer for dagnet's readers, bounded in time per input and in memory.

A target is a reader and the inputs it starts from: ``Target(name, seeds,
tokens, call, allowed)``. ``run`` mutates the seeds (tokens inserted,
spans deleted, duplicated, nested or spliced, characters replaced by
hostile ones), feeds each result to ``call`` and records every input
that raises something outside ``allowed`` (dagnet's own error types),
takes longer than ``max_seconds`` or runs out of the memory allowance.
Inputs that end in an outcome not seen before (a new error, with its
numbers blanked) join the corpus, a cheap stand-in for coverage.

Run one from the repository root (``python -m fuzz --help``)::

    python -m fuzz topology --seconds 300
"""
import dataclasses
import hashlib
import os
import random
import re
import signal
import time
import traceback
from typing import Callable

HOSTILE_CHARACTERS = ["\x00", "\x07", "\r", "\t", "\ufeff", "\ud800", "\u2028", "\x85", "é", "\U0001f600",
                      "\\", '"', "'", "#", "&", "*", "!", "%", "|", ">", "?", "@", "`"]
HOSTILE_TOKENS = ["1e400", "-1e400", ".nan", ".inf", "1e3", "-0", "0x1F", "0o17", "9" * 40, "9" * 5000,
                  "1e-320", "nan", "inf", "null", "~", "true", "[]", "{}", "''", "!!float", "!!int",
                  "!!bool", "!!null", "!!str", "!!map", "!!seq", "!!binary", "!!python/object:os.system",
                  "!<tag:yaml.org,2002:int>", "%YAML 1.1\n---\n", "&a", "*a", "<<", "---", "...", "\n", " ",
                  "  ", ",", ":", "- ", "[", "]", "{", "}", "? ", "x" * 300]


MAX_CORPUS = 5000
#: The longest input tried (characters).
MAX_INPUT = 1 << 20


@dataclasses.dataclass(frozen=True)
class Target:
    """A reader to fuzz: ``call(text)`` feeds it one input; ``allowed`` are the errors it may raise."""

    name: str
    seeds: list
    tokens: list
    call: Callable[[str], object]
    allowed: tuple


@dataclasses.dataclass
class Finding:
    kind: str          # "exception", "slow" or "memory"
    summary: str       # one line: what was raised, or how long it took
    text: str          # the input


class _TooSlow(BaseException):
    """Raised by the timer inside an input that runs past the hard stop."""


def mutate(rng, text, tokens, corpus):
    """One random change (or a few) to ``text``."""
    for _ in range(rng.choice([1, 1, 1, 2, 3, 5])):
        n = len(text)
        at, to = sorted((rng.randint(0, n), rng.randint(0, n)))
        if to - at > 64:
            to = at + rng.randint(0, 64)
        kind = rng.randrange(9)
        if kind == 0:
            text = text[:at] + rng.choice(tokens) + text[at:]
        elif kind == 1:
            text = text[:at] + rng.choice(HOSTILE_TOKENS) + text[at:]
        elif kind == 2:
            text = text[:at] + text[to:]
        elif kind == 3:
            text = text[:to] + text[at:to] + text[to:]
        elif kind == 4:
            text = text[:at] + rng.choice(HOSTILE_CHARACTERS) + text[at + 1:]
        elif kind == 5:
            other = rng.choice(corpus)
            cut = rng.randint(0, len(other))
            text = text[:at] + other[cut:cut + rng.randint(0, 200)] + text[to:]
        elif kind == 6:     # deep nesting or a long run of one token
            piece = rng.choice(["[", "{a: ", "- ", '{"a": ', rng.choice(tokens)])
            times = min(rng.choice([10, 65, 200, 2000]), MAX_INPUT // len(piece) + 1)   # a long token too
            text = text[:at] + piece * times + text[at:]
        elif kind == 7:
            text = text[:at] + str(rng.choice([0, -1, 1, 2**31, 2**63, 10**9, 10**400 % 10**12, 0.5])) + text[to:]
        else:
            text = text[:at] + text[at:to].upper() + text[to:]
    return text[:MAX_INPUT]


def outcome(error):
    """What an input led to, with numbers and quoted values blanked: inputs with new outcomes are kept."""
    if error is None:
        return "ok"
    problem = getattr(error, "problem", None) or str(error)     # dagnet's errors: without file and key
    return f"{type(error).__name__}: " + re.sub(r"'[^']*'|\"[^\"]*\"|\d+|\([^)]*\)", "_", problem)[:50]


def _memory_cap(extra_bytes):
    """Cap this process's address space at what it uses now plus ``extra_bytes`` (Linux)."""
    try:
        import resource
        with open("/proc/self/statm") as f:
            used = int(f.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
        limit = used + extra_bytes
        resource.setrlimit(resource.RLIMIT_AS, (limit, resource.getrlimit(resource.RLIMIT_AS)[1]))
        return True
    except (ImportError, OSError, ValueError):
        return False


def run(target, seconds, seed=0, max_seconds=2.0, memory=1 << 30, cap_memory=False, say=print):
    """Fuzz ``target`` for ``seconds``; a list of findings (one per distinct problem).

    ``cap_memory`` limits the whole process's address space to what it
    uses now plus ``memory`` (for a process of its own: ``python -m fuzz``).
    """
    rng = random.Random(seed)
    corpus = list(target.seeds)
    seen, findings, problems = set(), [], set()
    for text in corpus:           # the seeds once, as they are, before any allocation cap
        seen.add(outcome(feed(target, text, max_seconds)[0]))
    if cap_memory:
        _memory_cap(memory)
    started = time.monotonic()
    tried = 0
    while time.monotonic() - started < seconds:
        text = mutate(rng, rng.choice(corpus), target.tokens, corpus)
        tried += 1
        error, took = feed(target, text, max_seconds)
        key = outcome(error)
        finding = None
        if isinstance(error, MemoryError):
            finding = Finding("memory", f"MemoryError (over {memory >> 20} MiB)", text)
        elif isinstance(error, _TooSlow) or took > max_seconds:
            finding = Finding("slow", f"{took:.1f} s (over {max_seconds:g} s)", text)
        elif error is not None and not isinstance(error, target.allowed):
            where = traceback.extract_tb(error.__traceback__)[-1]
            finding = Finding("exception", f"{type(error).__name__}: {str(error)[:120]} "
                              f"({os.path.basename(where.filename)}:{where.lineno})", text)
        if finding is not None:
            problem = finding.summary.split(":")[0] + finding.kind + key[:40]
            if problem not in problems:
                problems.add(problem)
                findings.append(finding)
                say(f"{target.name}: {finding.kind}: {finding.summary}")
        if key not in seen:
            seen.add(key)
            if len(corpus) < MAX_CORPUS:
                corpus.append(text)
    say(f"{target.name}: {tried:,} inputs in {seconds:g} s, {len(seen)} outcomes, "
        f"{len(findings)} finding{'s' if len(findings) != 1 else ''}")
    return findings


def feed(target, text, max_seconds):
    """``(error or None, seconds)`` of ``target.call(text)``; a hard stop at 5 × ``max_seconds``."""
    def stop(signum, frame):
        raise _TooSlow()
    previous = signal.signal(signal.SIGALRM, stop) if hasattr(signal, "SIGALRM") else None
    if previous is not None:
        signal.setitimer(signal.ITIMER_REAL, 5 * max_seconds)
    started = time.perf_counter()
    try:
        target.call(text)
        error = None
    except (Exception, _TooSlow) as err:
        error = err
    finally:
        if previous is not None:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)
    return error, time.perf_counter() - started


def save(findings, folder):
    """Write each finding's input to ``folder`` (one file each, named by its hash); the paths."""
    if not findings:
        return []
    os.makedirs(folder, exist_ok=True)
    paths = []
    for finding in findings:
        digest = hashlib.sha1(finding.text.encode("utf-8", "surrogatepass")).hexdigest()[:12]
        path = os.path.join(folder, f"{finding.kind}-{digest}.txt")
        with open(path, "w", encoding="utf-8", errors="surrogatepass") as f:
            f.write(finding.text)
        paths.append(path)
    return paths
