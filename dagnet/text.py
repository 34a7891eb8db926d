"""Small wording helpers shared by every message dagnet prints.

>>> plural(1, "epoch"), plural(3, "output")
('1 epoch', '3 outputs')
>>> one_line("first\\n  second\\n")
'first; second'
>>> names(["a", "b", "c", "d", "e", "f", "g", "h", "i"], limit=4)
'a, b, c, …, h, i (9)'
>>> rounded(0.123456), rounded(-3.2e218), rounded(0.0001234)
('0.1235', '-3.2e+218', '0.000123')
"""
import math


def plural(n, noun):
    """``"1 epoch"``, ``"2 epochs"``."""
    return f"{n} {noun}" + ("" if n == 1 else "s")


def one_line(text):
    """``text`` with its lines joined by "; " (for one-line error messages)."""
    return "; ".join(part.strip() for part in str(text).splitlines() if part.strip())


def names(items, limit=8):
    """Items joined by commas, the middle elided past ``limit``."""
    items = [str(n) for n in items]
    if len(items) <= limit:
        return ", ".join(items)
    return f"{', '.join(items[:3])}, …, {', '.join(items[-2:])} ({len(items)})"


def rounded(value, places=4):
    """``value`` with ``places`` decimals, or ``places - 1`` significant digits when that would
    mislead: below 0.001 (too few digits left) or from 10⁴ up (a diverged loss or R² would print
    hundreds of digits). Non-finite values print as ``nan``, ``inf``."""
    value = float(value)
    if value == 0 or not math.isfinite(value) or 1e-3 <= abs(value) < 1e4:
        return f"{value:.{places}f}"
    return f"{value:.{places - 1}g}"
