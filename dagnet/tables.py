"""CSV tables in: one bounded read, a header row of names, number columns picked by name.

:func:`read_table` reads a CSV file through :func:`dagnet.files.read_text`
(regular files only, up to a size limit, UTF-8) and takes its first row as
the column names; :meth:`Table.arrays` turns the named columns of every
data row into float arrays, one row at a time, keeping only the cells asked
for. Line ends may be ``\\n``, ``\\r\\n`` or ``\\r`` alone. Every problem is one
:class:`~dagnet.errors.CSVError` naming the file and the row (and column).

Examples
--------
>>> import os, tempfile
>>> path = os.path.join(tempfile.mkdtemp(), "points.csv")
>>> with open(path, "w") as f:
...     _ = f.write("u, v,label\\r1,2,0\\r3,4,1\\r")
>>> table = read_table(path)
>>> table.header
['u', 'v', 'label']
>>> X, Y = table.arrays(["u", "v"], ["label"])
>>> X.tolist(), Y.ravel().tolist()
([[1.0, 2.0], [3.0, 4.0]], [0.0, 1.0])
>>> table.arrays(["lable"])
Traceback (most recent call last):
...
dagnet.errors.CSVError: ...points.csv: no column 'lable' (did you mean 'label'?); columns: u, v, label
"""
import csv
import io
from array import array
from dataclasses import dataclass

import numpy as np

from .errors import CSVError, suggest
from .files import read_text
from .limits import LIMITS, hint
from .text import names, plural

#: Characters of the text handed to the csv parser at a time (cut at a line end), so that the
#: parser's buffer (four bytes a character) stays small whatever the size of the file.
CHUNK = 1 << 20

#: Column names offered as near misses when a name is not found (a wide header stays fast).
SUGGESTIONS = 1000


@dataclass(frozen=True)
class Table:
    """A CSV file read once: its ``source``, its ``header`` (stripped names) and its ``text``."""

    source: str
    header: list
    text: str
    delimiter: str = ","

    def require(self, wanted):
        """Refuse any name of ``wanted`` that the header lacks, or has twice (CSVError)."""
        for name in wanted:
            count = self.header.count(name)
            if count == 0:
                raise CSVError(f"no column {_shown(name)}{suggest(name, self.header[:SUGGESTIONS])}; "
                               f"columns: {names(map(_cut, self.header))}", source=self.source)
            if count > 1:
                raise CSVError(f"the header names column {_shown(name)} {count} times; rename one",
                               source=self.source)

    def arrays(self, *groups):
        """One float array of shape (n_rows, len(group)) per list of column names in ``groups``.

        Blank rows are skipped; a row with another number of cells than the
        header, a cell that is not a finite number, no data rows at all or
        more rows than ``LIMITS.max_samples`` is a CSVError.
        """
        self.require([name for group in groups for name in group])
        position = {name: self.header.index(name) for group in groups for name in group}
        wanted = sorted(set(position.values()))
        values = {j: array("d") for j in wanted}
        width, n = len(self.header), 0
        rows = records(self.text, self.source, self.delimiter)
        next(rows)
        for number, row in enumerate(rows, start=2):
            if not any(cell.strip() for cell in row):
                continue
            if len(row) != width:
                raise CSVError(f"{plural(len(row), 'cell')}, the header has {width}", source=self.source,
                               key=f"row {number}")
            n += 1
            if n > LIMITS.max_samples:
                raise CSVError(f"more than {LIMITS.max_samples:,} data rows {hint('max_samples')}",
                               source=self.source, key=f"row {number}")
            for j in wanted:
                values[j].append(_number(row[j], self.source, number, self.header[j]))
        if n == 0:
            raise CSVError("no data rows below the header", source=self.source)
        columns = {j: np.frombuffer(values[j], dtype=float) for j in wanted}
        return tuple(np.column_stack([columns[position[name]] for name in group]) if group
                     else np.empty((n, 0)) for group in groups)


def read_table(path, delimiter=","):
    """The :class:`Table` of the CSV file ``path``: read once, header row split off (CSVError if not)."""
    text = read_text(path, CSVError, what="CSV file")
    header = next(records(text, path, delimiter), None)
    if header is None:
        raise CSVError("empty file; expected a header row of column names", source=path)
    if not any(name.strip() for name in header):
        raise CSVError("the first row is blank; expected a header row of column names", source=path,
                       key="row 1")
    return Table(path, [name.strip() for name in header], text, delimiter)


def records(text, source, delimiter=","):
    """The rows of CSV ``text`` as lists of cells; a row the csv parser refuses is a CSVError."""
    reader = csv.reader(_lines(text), delimiter=delimiter)
    number = 0
    while True:
        number += 1
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as err:
            problem = str(err)
            if "field larger than field limit" in problem:
                problem = f"a cell of more than {csv.field_size_limit():,} characters"
            raise CSVError(f"not CSV this reader takes ({problem})", source=source,
                           key=f"row {number}") from None
        yield row


def _lines(text):
    """The lines of ``text``, each with its end, fed to the csv parser a chunk at a time."""
    start, size = 0, len(text)
    while start < size:
        end = text.find("\n", start + CHUNK)
        if end < 0:
            end = text.find("\r", start + CHUNK)     # a file of \r alone (\n cannot follow: none left)
        end = size if end < 0 else end + 1
        yield from io.StringIO(text[start:end], newline="")
        start = end


def _number(cell, source, row, column):
    """The finite float a cell holds, or a CSVError naming its row and column."""
    text = cell.strip()
    try:
        value = float(text)
    except ValueError:
        raise CSVError(f"{_shown(text)} is not a number", source=source,
                       key=f"row {row}, column {_shown(column)}") from None
    if value != value or value in (float("inf"), float("-inf")):
        raise CSVError(f"{_shown(text)} is not finite", source=source, key=f"row {row}, column {_shown(column)}")
    return value


def _cut(text, limit=40):
    """``text`` cut to ``limit`` characters (a hostile file must not make a huge message)."""
    return text if len(text) <= limit else text[:limit] + "…"


def _shown(text, limit=40):
    """``text`` quoted, cut to ``limit`` characters."""
    return repr(text) if len(text) <= limit else repr(text[:limit]) + "…"
