"""Small wording helpers shared by every message dagnet prints.

>>> plural(1, "epoch"), plural(3, "output")
('1 epoch', '3 outputs')
>>> one_line("first\\n  second\\n")
'first; second'
>>> names(["a", "b", "c", "d", "e", "f", "g", "h", "i"], limit=4)
'a, b, c, …, h, i (9)'
"""


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
