"""A CSV file as a table of cells, each data row with its spreadsheet row number.

`read_table` reads any CSV with a header row (comma, semicolon or tab) and says precisely what is
wrong with a bad one (`DataError` naming row and column). A file of numbers, or of numbers with a
text column last, is parsed by NumPy (`NumberTable`); any other file, and every file with a
problem, by the csv module cell by cell (`CellTable`). Both are `Table`s and answer the same
questions: a column's cells as text, and as numbers (missing cells marked, cells that are not
numbers listed). What the columns mean (target, features, classes) is `workbench.core.tabular`'s
business.
"""
from __future__ import annotations

import codecs
import csv
import io
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from workbench.core.data_error import DataError, check_stop

MISSING = frozenset({"", "?", "na", "nan"})   # compared lower-case, after stripping spaces
DELIMITERS = (",", ";", "\t")
SNIFF_LINES = 50
# How much the reader does at a time while it holds the GIL, so that a GUI thread waiting for it
# gets a turn often. Text NumPy parses: about 14 ms for the densest files (digits and commas).
# Not much less: CPython hands the GIL to a waiting thread only when the holder kept it for a
# whole switch interval (5 ms), and parsing 64 KiB at a time (3.5 ms) starved a waiting GUI
# thread for up to 1.3 s. Bytes decoded: about 1 ms.
CHUNK_CHARS = 256 * 1024
DECODE_BYTES = 4 * 1024 * 1024
STOP_CHECK_ROWS = 1000       # the csv module's rows read between looks at whether to stop
_NOT_BLANK = re.compile(r"\S")


@dataclass
class Table:
    """A CSV file's header and data rows, with each data row's spreadsheet row number; how the
    cells are held is the subclass's business."""

    path: str
    header: list[str]
    row_numbers: np.ndarray
    decimal_comma: bool

    def cells(self, c: int, keep: np.ndarray | None = None) -> list[str]:
        """Column c's cells as text (those of the rows `keep` marks)."""
        raise NotImplementedError

    def numbers(self, c: int, keep: np.ndarray | None = None) -> "Numbers":
        """Column c read as numbers (the rows `keep` marks)."""
        return parse_numbers(self.cells(c, keep), self.decimal_comma)

    def column_label(self, index: int) -> str:
        return f"{index + 1} ({self.header[index]!r})"

    def error(self, message: str, row_index: int | None = None, column: int | None = None) -> DataError:
        row = int(self.row_numbers[row_index]) if row_index is not None else None
        label = self.column_label(column) if column is not None else None
        return DataError(message, path=self.path, row=row, column=label)


@dataclass
class CellTable(Table):
    """A CSV file read by the csv module: every cell as text."""

    columns: list[list[str]]

    def cells(self, c: int, keep: np.ndarray | None = None) -> list[str]:
        return _kept(self.columns[c], keep)


@dataclass
class NumberTable(Table):
    """A CSV file parsed by NumPy: finite numbers in every column, or in every column but the last
    (`text_last`, as in a table of measurements with a class name at the end). `values` holds the
    number columns; a column's text is split out of `lines` only when asked for."""

    values: np.ndarray
    lines: list[str]
    delimiter: str
    text_last: bool
    _text: dict[int, list[str]] = field(default_factory=dict)     # the columns split out so far

    def cells(self, c: int, keep: np.ndarray | None = None) -> list[str]:
        if c not in self._text:
            self._text[c] = ([line.rpartition(self.delimiter)[2].strip() for line in self.lines]
                             if c == len(self.header) - 1 else
                             [line.split(self.delimiter, c + 1)[c].strip() for line in self.lines])
        return _kept(self._text[c], keep)

    def numbers(self, c: int, keep: np.ndarray | None = None) -> "Numbers":
        if self.text_last and c == len(self.header) - 1:
            return super().numbers(c, keep)
        values = self.values[:, c] if keep is None or keep.all() else self.values[keep, c]
        return Numbers(values, np.zeros(len(values), bool), np.zeros(0, np.intp))


@dataclass
class Numbers:
    """One column read as numbers: values (nan where missing), the missing mask, non-numbers."""

    values: np.ndarray
    missing: np.ndarray
    bad: np.ndarray     # row indices of cells that are neither numbers nor missing

    @property
    def mostly_numbers(self) -> bool:
        present = int((~self.missing).sum())
        return present > 0 and len(self.bad) * 2 <= present


def _kept(cells: list[str], keep: np.ndarray | None) -> list[str]:
    """The cells of the rows `keep` marks (all, without a copy, when it marks every row)."""
    return cells if keep is None or keep.all() else [cell for cell, k in zip(cells, keep) if k]


def counted(count: int, noun: str) -> str:
    """'1 value', '2 values'."""
    return f"{count} {noun}" + ("" if count == 1 else "s")


def read_table(path: str | Path, stop: threading.Event | None = None) -> Table:
    """The file's cells; raises DataError for a bad file, ReadStopped once `stop` is set."""
    text = _read_text(path, stop)
    delimiter = _sniff_delimiter(text)
    return _number_table(text, delimiter, path, stop) or _text_table(text, delimiter, path, stop)


def _number_table(text: str, delimiter: str, path: str | Path,
                  stop: threading.Event | None = None) -> NumberTable | None:
    """A file of numbers only, or numbers and a text column last (as the large files people train
    on mostly are), read by NumPy's parser: two to four times as fast as the csv module (60,000 x
    785: 13 s against 50) and without a Python string per cell. None for any other file (text or
    missing cells elsewhere, quotes, blank or ragged lines, a decimal comma), which `_text_table`
    reads, with its messages.

    NumPy parses a chunk of lines at a time: it holds the GIL while it parses, and a GUI thread
    waiting for the read must get its turn often (whole at once, 60,000 x 785 held it for 10 s;
    in chunks, for 0.2 s at most, decoding the file)."""
    start = 0
    while start < len(text):                    # the header is the first line that is not blank
        end = text.find("\n", start)
        end = len(text) if end < 0 else end + 1
        if text[start:end].strip():
            break
        start = end
    else:
        return None
    header_line = text[start:end]
    if text.find('"', end) >= 0 or "\r" in header_line.rstrip("\r\n") or _NOT_BLANK.search(text, end) is None:
        return None                             # (csv reads a header with a lone carriage return)
    header_row = text.count("\n", 0, start) + 1
    header = _header([cell.strip() for cell in next(csv.reader([header_line], delimiter=delimiter))],
                     path, header_row)
    # numbers, and text (labels) in the last column? The first row tells
    first_end = text.find("\n", end)
    first = text[end:first_end if first_end >= 0 else len(text)]
    text_last = len(header) > 1 and _number(first.rpartition(delimiter)[2].strip(), False) is None
    parts, lines = [], []
    for chunk in _whole_lines(text, end, CHUNK_CHARS):
        check_stop(stop)
        chunk_lines = chunk.split("\n")
        if chunk_lines[-1] == "":
            chunk_lines.pop()
        if any(line.count(delimiter) != len(header) - 1 for line in chunk_lines):
            return None                         # ragged (or the header is not the only line of text)
        part = _numbers_in(chunk, delimiter, len(header) - text_last)
        if part is None or len(part) != len(chunk_lines):
            return None                         # (a skipped blank line shows as a row too few)
        parts.append(part)
        lines.extend(chunk_lines)
    row_numbers = np.arange(header_row + 1, header_row + 1 + len(lines))
    return NumberTable(str(path), header, row_numbers, delimiter == ";", np.concatenate(parts), lines,
                       delimiter, text_last)


def _whole_lines(text: str, start: int, size: int):
    """`text[start:]` in pieces of about `size` characters that end at a line end."""
    while start < len(text):
        end = text.find("\n", start + size)
        end = len(text) if end < 0 else end + 1
        yield text[start:end]
        start = end


def _numbers_in(body: str, delimiter: str, columns: int) -> np.ndarray | None:
    """The first `columns` columns of every line as finite numbers, or None."""
    try:
        values = np.loadtxt(io.StringIO(body), delimiter=delimiter, comments=None, ndmin=2,
                            dtype=np.float64, usecols=range(columns))
    except ValueError:
        return None
    return values if values.shape[1] == columns and np.isfinite(values).all() else None


def _text_table(text: str, delimiter: str, path: str | Path,
                stop: threading.Event | None = None) -> CellTable:
    """Any CSV file, cell by cell as text."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header: list[str] | None = None
    rows: list[list[str]] = []
    row_numbers: list[int] = []
    try:
        for count, cells in enumerate(reader):
            if count % STOP_CHECK_ROWS == 0:
                check_stop(stop)
            cells = [cell.strip() for cell in cells]
            if not any(cells):
                continue
            if header is None:
                header = _header(cells, path, reader.line_num)
            elif len(cells) != len(header):
                raise DataError(f"{counted(len(cells), 'value')}, but the header has "
                                f"{counted(len(header), 'column')}", path=path, row=reader.line_num)
            else:
                rows.append(cells)
                row_numbers.append(reader.line_num)
    except csv.Error as err:
        raise DataError(f"not a readable CSV file ({err})", path=path, row=reader.line_num) from None
    if header is None:
        raise DataError("the file is empty", path=path)
    if not rows:
        raise DataError("the file has a header but no data rows", path=path)
    columns = [list(column) for column in zip(*rows)]
    return CellTable(str(path), header, np.asarray(row_numbers), delimiter == ";", columns)


def _read_text(path: str | Path, stop: threading.Event | None = None) -> str:
    """The file's text, refusing folders, binary files and encodings other than UTF-8."""
    file = Path(path)
    if not file.exists():
        raise DataError("no such file", path=path)
    if not file.is_file():
        raise DataError("not a file", path=path)
    try:
        raw = file.read_bytes()
    except OSError as err:
        raise DataError(f"cannot read the file ({err.strerror})", path=path) from None
    decoder, parts = codecs.getincrementaldecoder("utf-8-sig")(), []
    for start in range(0, len(raw), DECODE_BYTES):      # in pieces: see DECODE_BYTES
        check_stop(stop)
        piece = raw[start:start + DECODE_BYTES]
        if b"\x00" in piece:
            raise DataError("binary data, not a CSV text file (or UTF-16 text; save it as UTF-8)", path=path)
        try:
            parts.append(decoder.decode(piece, final=start + DECODE_BYTES >= len(raw)))
        except UnicodeDecodeError:
            raise _decode_error(raw, path) from None
    return "".join(parts)


def _decode_error(raw: bytes, path: str | Path) -> DataError:
    """The DataError for a file that is not UTF-8, with the row of the first bad byte (found by
    decoding the whole file: a piece's error position is relative to the piece)."""
    try:
        raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        return DataError(f"not UTF-8 text (byte 0x{raw[err.start]:02x}); save the file as UTF-8 CSV",
                         path=path, row=raw.count(b"\n", 0, err.start) + 1)
    return DataError("not UTF-8 text; save the file as UTF-8 CSV", path=path)


def _sniff_delimiter(text: str) -> str:
    """The delimiter that splits the first lines into the same number (> 1) of columns, the most."""
    sample = [line for line in _first_lines(text, SNIFF_LINES) if line.strip()]

    def widths(delimiter: str) -> list[int]:
        return [len(cells) for cells in csv.reader(sample, delimiter=delimiter)]

    best, best_score = ",", (False, 1)
    for delimiter in DELIMITERS:
        counts = widths(delimiter)
        score = (len(set(counts)) == 1, counts[0] if counts else 1)
        if counts and counts[0] > 1 and score > best_score:
            best, best_score = delimiter, score
    return best


def _first_lines(text: str, count: int) -> list[str]:
    """`text.splitlines()[:count]` without splitting all of a large text (every line end
    splitlines knows includes "\n", so the text up to the count-th "\n" holds those lines)."""
    end = 0
    for _ in range(count):
        end = text.find("\n", end) + 1
        if end == 0:
            end = len(text)
            break
    return text[:end].splitlines()[:count]


def _header(cells: list[str], path: str | Path, row: int) -> list[str]:
    if all(_number(cell, decimal_comma=False) is not None for cell in cells):
        raise DataError("the first row holds numbers only; it must be a header with column names",
                        path=path, row=row)
    names = [cell or f"column {i + 1}" for i, cell in enumerate(cells)]
    seen: dict[str, int] = {}
    for i, name in enumerate(names):
        if name in seen:
            raise DataError(f"duplicate column name (also column {seen[name] + 1})", path=path, row=row,
                            column=f"{i + 1} ({name!r})")
        seen[name] = i
    return names


def parse_numbers(cells: list[str], decimal_comma: bool) -> Numbers:
    """Read a column as numbers; a fast path for clean columns, cell by cell otherwise."""
    try:
        values = np.array(cells, dtype=np.float64)
        if np.isfinite(values).all():
            return Numbers(values, np.zeros(len(cells), bool), np.zeros(0, np.intp))
    except ValueError:
        pass
    values = np.full(len(cells), np.nan)
    missing = np.zeros(len(cells), bool)
    bad = []
    for i, cell in enumerate(cells):
        if cell.lower() in MISSING:
            missing[i] = True
            continue
        number = _number(cell, decimal_comma)
        if number is None:
            bad.append(i)
        else:
            values[i] = number
    return Numbers(values, missing, np.asarray(bad, dtype=np.intp))


def _number(cell: str, decimal_comma: bool) -> float | None:
    """A finite number, or None; with ';' as delimiter '1,5' reads as 1.5."""
    if decimal_comma and "," in cell and "." not in cell:
        cell = cell.replace(",", ".")
    try:
        value = float(cell)
    except ValueError:
        return None
    return value if np.isfinite(value) else None
