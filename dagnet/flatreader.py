"""The edge list of a flat topology file, as ``net.save`` lays it out, scanned with numpy.

:mod:`dagnet.flatwriter` writes the edges last, one entry a line::

    "edges": [
      {"from": ["x0", "h12"], "to": "h57", "weight": [0.13, -0.52]},
      {"from": ["h3"], "to": "h57", "weight": [1e-05], "trainable": false}
    ]
    }

:func:`split` checks that the edge list is exactly of this shape (names
without escapes or control characters, every weight a JSON number with a
fraction or an exponent, one weight per source) with whole-array
operations, and returns the text before it (the rest of the file, to be
read by the strict reader) and a :class:`Scanned` edge list; any other
shape gives None and the caller reads the whole file with the strict
reader. A text this accepts is JSON, and the arrays it gives are the ones
the strict reader and :func:`dagnet.edgelists.read` make of it, bit for
bit: numbers are read by the same correctly rounded conversion.
:meth:`Scanned.resolve` maps the names to node positions once the nodes
are known, or gives None (an unknown name, a group, too many edges), and
the caller reads the file the strict way, which names the problem.

Examples
--------
>>> head, scanned = split('{"inputs": ["a"], "outputs": ["y"], "nodes": {"y": {}},\\n"edges": [\\n'
...                       '  {"from": ["a"], "to": "y", "weight": [0.5]}\\n]\\n}\\n')
>>> head
'{"inputs": ["a"], "outputs": ["y"], "nodes": {"y": {}},\\n"edges": []\\n}\\n'
>>> [a.tolist() for a in scanned.resolve(["a", "y"], 10)]
[[0], [1], [0.5], [True], [0]]
>>> split('{"edges": [{"from": "a", "to": "y"}]}') is None        # another shape: the strict reader's
True
"""
import numpy as np

_OPEN = b'\n"edges": [\n'
_END = b"\n]\n}\n"
_QUOTE, _NEWLINE, _COMMA = 34, 10, 44

# Classes of the bytes of a weight list: digit, minus, plus, point, exponent, comma, space; 0 = other.
_D, _M, _P, _O, _E, _C, _S = range(1, 8)
_CLASS = np.zeros(256, dtype=np.uint8)
_CLASS[48:58] = _D
for _char, _kind in (("-", _M), ("+", _P), (".", _O), ("e", _E), ("E", _E), (",", _C), (" ", _S)):
    _CLASS[ord(_char)] = _kind
# The neighbours a JSON number list ("0.5, -1e-05, 2.25E+3") allows: a digit, then a digit, point,
# exponent or comma; a comma, then one space; a space, then a sign or digit; a sign, then a digit...
_PAIRS = np.zeros(64, dtype=bool)
for _a, _b in ((_D, _D), (_D, _O), (_D, _E), (_D, _C), (_M, _D), (_P, _D), (_O, _D), (_E, _D), (_E, _M),
               (_E, _P), (_C, _S), (_S, _M), (_S, _D)):
    _PAIRS[8 * _a + _b] = True


def _is(buffer, at, literal):
    """True when ``literal`` stands at every offset ``at`` of ``buffer``."""
    if len(at) and (at.min() < 0 or at.max() + len(literal) > len(buffer)):
        return False
    return all((buffer[at + j] == byte).all() for j, byte in enumerate(literal.encode()))


class Scanned:
    """An edge list that has the flat form's shape: name spans, weights, and each entry's extent."""

    def __init__(self, buffer, starts, lengths, is_target, counts, weight, trainable):
        self.buffer, self.starts, self.lengths = buffer, starts, lengths
        self.is_target, self.counts, self.weight, self.trainable = is_target, counts, weight, trainable

    def resolve(self, names, max_edges):
        """``(src, dst, weight, trainable, entry)`` as :func:`dagnet.edgelists.read` gives them, with
        ``names`` the file's nodes by position; None when a name is not one of them (a group, an
        unknown node) or there are more than ``max_edges`` edges."""
        total = len(self.weight)
        if total > max_edges:
            return None
        at = _positions(self.buffer, self.starts, self.lengths, names)
        if at is None:
            return None
        counts = self.counts
        return (at[~self.is_target], np.repeat(at[self.is_target], counts), self.weight,
                np.repeat(self.trainable, counts), np.repeat(np.arange(len(counts), dtype=np.int32), counts))


def _positions(buffer, starts, lengths, names):
    """The position in ``names`` of each name ``buffer[starts:starts + lengths]``, or None if any is missing.

    Each name is its UTF-8 bytes, zero-padded to whole 64-bit words; the
    known names go into an open-addressing hash table (linear probing, half
    full), built and probed a round at a time for all names at once.
    """
    strings = [k for k, name in enumerate(names) if type(name) is str]
    if len(strings) < len(names):
        names = [names[k] for k in strings]
    encoded = "\0".join(names).encode("utf-8", "surrogatepass")
    ends = np.flatnonzero(np.frombuffer(encoded, dtype=np.uint8) == 0)
    if not names or len(ends) != len(names) - 1:
        return None            # a name with a NUL in it (never in a flat file): the strict way decides
    known_starts = np.concatenate([[0], ends + 1])
    known_lengths = np.concatenate([ends, [len(encoded)]]) - known_starts
    words = (int(lengths.max()) + 7) // 8 or 1
    fits = known_lengths <= 8 * words                          # a longer name is none of those scanned
    if not fits.any():
        return None
    table = _words(np.frombuffer(encoded + bytes(8 * words), dtype=np.uint8), known_starts[fits],
                   known_lengths[fits], words)
    where = np.array(strings, dtype=np.intp)[fits]
    bits = (2 * len(table)).bit_length()
    slots = _hash_table(table, bits)
    at = np.empty(len(starts), dtype=np.intp)
    step = max(1, (1 << 20) // words)                          # names a block: bounded memory for long names
    for a in range(0, len(starts), step):
        keys = _words(buffer, starts[a:a + step], lengths[a:a + step], words)
        found = _probe(slots, table, keys, bits)
        if found is None:
            return None
        at[a:a + step] = where[found]
    return at


def _words(buffer, starts, lengths, words):
    """The byte strings ``buffer[starts:starts + lengths]``, zero-padded, as rows of ``words`` uint64."""
    rows = np.zeros((len(starts), 8 * words), dtype=np.uint8)
    for j in range(int(lengths.max(initial=0))):
        column = buffer[np.minimum(starts + j, len(buffer) - 1)]
        column[lengths <= j] = 0
        rows[:, j] = column
    return rows.view(np.uint64)


def _home(rows, bits):
    """Each row's first slot in a table of ``2**bits`` (multiplicative hashing of its words)."""
    h = np.zeros(len(rows), dtype=np.uint64)
    for k in range(rows.shape[1]):
        h = (h ^ rows[:, k]) * np.uint64(0x9E3779B97F4A7C15)
    return (h >> np.uint64(64 - bits)).astype(np.intp)


def _hash_table(table, bits):
    """Slots (rows of ``table``, -1 for empty) of a hash table holding every (distinct) row of ``table``."""
    slots = np.full(1 << bits, -1, dtype=np.intp)
    pending, at = np.arange(len(table)), _home(table, bits)
    while len(pending):
        free = slots[at] < 0
        taken, first = np.unique(at[free], return_index=True)   # one row per free slot this round
        slots[taken] = pending[free][first]
        placed = np.zeros(len(pending), dtype=bool)
        placed[np.flatnonzero(free)[first]] = True
        pending, at = pending[~placed], (at[~placed] + 1) & ((1 << bits) - 1)
    return slots


def _probe(slots, table, keys, bits):
    """The row of ``table`` equal to each row of ``keys``, or None when one is not in it."""
    found = np.empty(len(keys), dtype=np.intp)
    todo, at = np.arange(len(keys)), _home(keys, bits)
    while len(todo):
        row = slots[at]
        if (row < 0).any():                                      # an empty slot before a match: absent
            return None
        match = (table[row] == keys[todo]).all(axis=1)
        found[todo[match]] = row[match]
        todo, at = todo[~match], (at[~match] + 1) & ((1 << bits) - 1)
    return found


def split(text):
    """``(head, scanned)``: ``text`` with an empty edge list, and its edge list; None if not of the flat form."""
    if not text.endswith("\n]\n}\n"):
        return None
    try:
        data = text.encode("utf-8")
    except UnicodeEncodeError:              # a lone surrogate: the strict reader names it
        return None
    cut = data.find(_OPEN)
    if cut < 0 or not data.endswith(_END) or cut + len(_OPEN) >= len(data) - len(_END):
        return None
    scanned = _scan(data, cut + len(_OPEN), len(data) - len(_END))
    if scanned is None:
        return None
    return data[:cut].decode("utf-8") + '\n"edges": []\n}\n', scanned


#: Bytes a block: the whole-array passes run over blocks that stay in the cache, not over fresh memory.
_BLOCK = 1 << 20


def _scan(data, lo, hi):
    """The :class:`Scanned` edge entries of ``data[lo:hi]`` (entries a line, ``,`` after all but the last)."""
    buffer = np.frombuffer(data, dtype=np.uint8)
    newlines, quotes = [], []
    for a in range(lo, hi, _BLOCK):
        block = buffer[a:min(a + _BLOCK, hi)]
        newlines.append(a + np.flatnonzero(block == _NEWLINE))
        quotes.append(a + np.flatnonzero(block == _QUOTE))
        if np.count_nonzero(block < 32) != len(newlines[-1]) or (block == 92).any():   # tabs, escapes...
            return None
    newlines, quotes = np.concatenate(newlines), np.concatenate(quotes)
    line_start = np.concatenate([[lo], newlines + 1])
    line_end = np.concatenate([newlines - 1, [hi]])            # before each line's comma
    if len(newlines) and not (buffer[newlines - 1] == _COMMA).all():
        return None
    if len(quotes) % 2:
        return None
    opens, closes = quotes[0::2], quotes[1::2]
    before = np.searchsorted(quotes, newlines)                 # quotes before each line's end
    if (before % 2).any():
        return None                                            # a string across lines
    per_line = np.diff(np.concatenate([[0], before, [len(quotes)]])) // 2
    if (per_line < 5).any():
        return None
    first = np.concatenate([[0], np.cumsum(per_line)[:-1]])
    last = first + per_line - 1
    length = closes - opens - 1
    trainable = (length[last] == 9)
    if not (_is(buffer, opens[last[trainable]] + 1, "trainable") and (length[last[~trainable]] == 6).all()
            and _is(buffer, opens[last[~trainable]] + 1, "weight")):
        return None
    counts = per_line - 4 - trainable
    k_from, k_to = first, first + counts + 1
    target, k_weight = k_to + 1, k_to + 2
    role = np.zeros(len(opens), dtype=np.int8)                # 0: a source
    role[k_from], role[k_to], role[target], role[k_weight] = 1, 2, 3, 4
    role[last[trainable]] = 5
    sources = np.flatnonzero(role == 0)
    last_source = k_to - 1
    inner = sources[role[sources + 1] == 0]                   # a source followed by another
    c, o = closes, opens
    ok = ((counts >= 1).all() and (o[k_from] == line_start + 3).all() and _is(buffer, line_start, '  {"from": ["')
          and (length[k_from] == 4).all() and (o[k_from + 1] == c[k_from] + 4).all()
          and (o[inner + 1] == c[inner] + 3).all() and _is(buffer, c[inner], '", "')
          and (o[k_to] == c[last_source] + 4).all() and _is(buffer, c[last_source], '"], "to": "')
          and (length[k_to] == 2).all() and (o[target] == c[k_to] + 3).all()
          and (o[k_weight] == c[target] + 3).all() and _is(buffer, c[target], '", "weight": [')
          and (length[k_weight] == 6).all())
    if not ok:
        return None
    weight_start = c[k_weight] + 4
    weight_end = line_end - 2                                   # the "]" of "]}"
    k_tr = last[trainable]
    weight_end[trainable] = o[k_tr] - 3
    if not (_is(buffer, weight_end[~trainable], "]}") and _is(buffer, weight_end[trainable], '], "trainable": false}')
            and (c[k_tr] + 9 == line_end[trainable]).all() and (weight_end > weight_start).all()):
        return None
    weight = _numbers(data, weight_start, weight_end, counts)
    if weight is None:
        return None
    names = np.flatnonzero(role % 3 == 0)                      # sources and targets, in file order
    return Scanned(buffer, (o[names] + 1), length[names], role[names] == 3, counts, weight, ~trainable)


def _numbers(data, starts, ends, counts):
    """The numbers of the lists ``data[starts[i]:ends[i]]`` (``counts[i]`` each), or None unless each is
    ``", "``-separated JSON numbers, with a fraction or an exponent, whose values are finite."""
    size = np.cumsum(ends - starts)
    blocks = np.searchsorted(size, np.arange(_BLOCK // 2, size[-1], _BLOCK // 2)) + 1   # lists a block
    parts = []
    for a, b in zip([0, *blocks.tolist()], [*blocks.tolist(), len(starts)]):
        if a < b:
            parts.append(_block_numbers(data, starts[a:b], ends[a:b], counts[a:b]))
            if parts[-1] is None:
                return None
    return np.concatenate(parts)


def _block_numbers(lines, starts, ends, counts):
    """:func:`_numbers` of a block of lists."""
    text = b", ".join(map(lines.__getitem__, map(slice, starts.tolist(), ends.tolist())))
    kind = _CLASS[np.frombuffer(text, dtype=np.uint8)]
    if not _PAIRS[8 * kind[:-1] + kind[1:]].all() or kind[0] not in (_D, _M) or kind[-1] != _D:
        return None
    marks = kind[(kind - _O) < 3]       # per number: ".", "e" or ".e" (never none)
    if (not len(marks) or marks[0] == _C or marks[-1] == _C
            or not np.isin(8 * marks[:-1] + marks[1:], (8 * _C + _O, 8 * _C + _E, 8 * _O + _E, 8 * _O + _C,
                                                        8 * _E + _C)).all()):
        return None
    commas = np.flatnonzero(kind == _C)
    number_start = np.concatenate([[0], commas + 2])
    lead = number_start + (kind[number_start] == _M)           # no leading zero before more digits
    body = np.frombuffer(text, dtype=np.uint8)
    if ((body[lead] == 48) & (kind[np.minimum(lead + 1, len(kind) - 1)] == _D)).any():
        return None
    joins = np.cumsum(ends - starts + 2)[:-1] - 2               # the ", " between two lists
    rank = np.searchsorted(commas, joins)
    if not np.array_equal(np.diff(np.concatenate([[-1], rank, [len(commas)]])), counts):
        return None
    weight = np.fromstring(text, dtype=np.float64, sep=",")
    if len(weight) != counts.sum() or not np.isfinite(weight).all():
        return None
    return weight
