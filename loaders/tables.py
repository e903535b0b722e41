"""Read one table of a dataset, from CSV, Excel or Parquet, into text cells with positions.

Every cell comes out as stripped text ("" when empty), whatever the file format, so that one
set of parsers (``schema.values``) validates them all. Each row keeps the position a person
would look for: the line of a CSV file, the row of a sheet or of a Parquet file.

CSV files may be UTF-8 (with or without a byte order mark) or GB18030, the superset of GBK
that Chinese bank exports use. UTF-8 is tried first: GBK text is rarely valid UTF-8, while
UTF-8 text with Chinese characters often decodes as (wrong) GB18030. A file is never read
in a mix of the two: see :func:`decode_text`.

A CSV cell never holds a line break: every value of the data contract is one line, and a
quoted cell that runs over lines is nearly always a stray quote, which would otherwise
swallow the rows after it silently. Both a cell with a line break and a quote that is never
closed are problems naming the line the cell starts on.

:func:`read_columns` reads a whole table into columns (:class:`ColumnTable`), the form the
validation works on. A CSV file goes through pyarrow's CSV reader, many times faster than
the csv module and a row dict per line. Pyarrow is preferred to polars because it is
already a dependency (Parquet) and pandas, Excel and Parquet tables convert to it at no cost.
It reads every cell as text, with no type inference and no null values, so that our own
parsers still see every cell. The csv module stays the reference: pyarrow has no line
numbers, and it reads some malformed quoting (``"a"b``) that the strict csv module refuses.
So pyarrow's result is used only when it provably equals the csv module's: every line after
the header is one row (no line break but LF and CR LF, no NUL character), each line that
holds a quote parses as one whole row on its own in the strict csv module (whose cells are
the ones kept), and pyarrow found as many rows as there are non-empty lines. Row i is then
the i-th non-empty line. Any other file is read by the csv module row by row, as before,
with the same problems. A Parquet file is read into the same arrays; an Excel sheet row by
row (openpyxl reads a cell at a time), then gathered into columns.
"""

from __future__ import annotations

import codecs
import csv
import io
import math
import operator
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import numpy as np

from schema.errors import InvalidDataset, Problem

__all__ = ["SUFFIXES", "ColumnTable", "Row", "Table", "decode_text", "find_table", "read_columns",
           "read_table"]

SUFFIXES = (".csv", ".xlsx", ".parquet")
# what str.strip() strips (every character for which str.isspace() is true), for pyarrow
# to strip the same
_WHITESPACE = ("\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004"
               "\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000")


@dataclass(frozen=True)
class Row:
    """One data row: its position in the file and its cells by column name."""

    line: int
    cells: dict[str, str]


@dataclass
class Table:
    """A table read from ``path``: its column names (lower case), and its rows, read as
    they are iterated (once), so that a large file is never held whole as rows. Problems
    met while reading rows (a row of the wrong width, malformed CSV) are collected in
    ``problems``: look at them after the iteration."""

    path: Path
    columns: list[str]
    row_source: Iterator[Row]
    unit: str = "line"
    problems: list[Problem] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.path.name

    def problem(self, line: int | None, column: str | None, message: str) -> Problem:
        return Problem(self.name, line, column, message, self.unit)

    def __iter__(self) -> Iterator[Row]:
        return self.row_source


@dataclass
class ColumnTable:
    """A table read whole, by columns: :meth:`column` gives the stripped text of a column's
    cells ("" when empty), row i found at ``lines[i]`` (a CSV line, a row of a sheet or of a
    Parquet file). ``problems`` are those met while reading (a row of the wrong width,
    malformed CSV), as in :class:`Table`.

    The cells are held as pyarrow string arrays (``arrow``) or as lists (``lists``, from a
    row-by-row reader). A column of an array becomes a list of Python strings only while
    its caller parses it, so that a table is held as the file's bytes and an offset per
    cell, not as a Python string of some 60 bytes per cell. ``overrides`` are whole rows
    whose cells replace the array's (the csv module's reading of a line holding a quote)."""

    path: Path
    columns: list[str]
    lines: Sequence[int]
    unit: str = "line"
    problems: list[Problem] = field(default_factory=list)
    lists: dict[str, list[str]] = field(default_factory=dict)
    arrow: dict[str, Any] = field(default_factory=dict)
    overrides: dict[int, list[str]] = field(default_factory=dict)
    _empty: dict[str, np.ndarray] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.path.name

    def __len__(self) -> int:
        return len(self.lines)

    def problem(self, line: int | None, column: str | None, message: str) -> Problem:
        return Problem(self.name, line, column, message, self.unit)

    def column(self, name: str) -> list[str]:
        """The cells of column ``name``; all empty when the table has no such column."""
        if name in self.lists:
            return self.lists[name]
        if name not in self.arrow or self.blank(name).all():
            return [""] * len(self)
        chunks = self.arrow[name].chunks
        first = chunks[0].dictionary_encode()
        if len(first.dictionary) * 2 > len(first):      # mostly distinct, as ids and names
            cells = self.arrow[name].to_pylist()
        else:
            # one string for each distinct text of a block of rows, as the records keep
            # them: a million relationships say 'register' with one string, not a million
            cells = []
            for coded in [first, *(chunk.dictionary_encode() for chunk in chunks[1:])]:
                texts = np.array(coded.dictionary.to_pylist(), dtype=object)
                cells += texts[coded.indices.to_numpy()].tolist()
        at_column = self.columns.index(name)
        for at, row in self.overrides.items():
            cells[at] = row[at_column]
        return cells

    def blank(self, name: str) -> np.ndarray:
        """Which cells of column ``name`` are empty (all of them without such a column)."""
        if name not in self._empty:
            if name in self.arrow:
                from pyarrow import compute

                empty = compute.equal(self.arrow[name], "").to_numpy()
                at_column = self.columns.index(name)
                for at, row in self.overrides.items():
                    empty[at] = not row[at_column]
            elif name in self.lists:
                empty = np.fromiter(map(operator.not_, self.lists[name]), bool, len(self))
            else:
                empty = np.ones(len(self), bool)
            self._empty[name] = empty
        return self._empty[name]

    def distinct(self, name: str) -> set[str]:
        """The texts column ``name`` holds."""
        if name not in self.arrow or self.overrides:   # the array's texts are not all of them
            return set(self.column(name))
        return set(self.arrow[name].unique().to_pylist())

    def rows(self, ats: list[int]) -> Iterator[tuple[int, Row]]:
        """Each row of ``ats`` (and its number), as the row-by-row reader gives it."""
        if len(ats) * 20 < len(self):
            yield from ((at, self.row(at)) for at in ats)
            return
        # many rows (a table of which much is wrong): each column made a list once, rather
        # than a cell at a time out of the arrays
        cells = {c: self.column(c) for c in self.columns}
        for at in ats:
            yield at, Row(self.lines[at], {c: column[at] for c, column in cells.items()})

    def row(self, at: int) -> Row:
        """Row ``at`` as the row-by-row reader gives it."""
        if at in self.overrides:
            return Row(self.lines[at], dict(zip(self.columns, self.overrides[at], strict=True)))
        if self.lists:
            return Row(self.lines[at], {c: self.lists[c][at] for c in self.columns})
        return Row(self.lines[at], {c: self.arrow[c][at].as_py() for c in self.columns})


def find_table(folder: Path, stem: str) -> Path | None:
    """The file holding table ``stem`` in ``folder`` (``entities.csv``, ``.xlsx`` or
    ``.parquet``), or None. Two files for one table is an error: which one is meant?"""
    found = [folder / f"{stem}{suffix}" for suffix in SUFFIXES if (folder / f"{stem}{suffix}").is_file()]
    if len(found) > 1:
        names = ", ".join(p.name for p in found)
        raise InvalidDataset([Problem(str(folder), None, None,
                                      f"table '{stem}' is given twice ({names}): keep one")])
    return found[0] if found else None


def decode_text(data: bytes, name: str) -> str:
    """Decode a text file as UTF-8 (BOM optional) or else GB18030.

    A file is UTF-8 when it decodes as UTF-8. Otherwise it is GB18030 when it decodes as
    GB18030, has no UTF-8 byte order mark, and fewer than half of its lines with non-ASCII
    bytes are valid UTF-8. A line of GBK text is valid UTF-8 only by accident, for short
    names (郑伟 is D6 A3 CE B0, two valid UTF-8 sequences); a UTF-8 file with a row pasted from
    a GBK export has nearly all of its lines valid, and reading it as GB18030 would garble
    every other line (瑞业实业集团 became 鐟炰笟瀹炰笟闆嗗洟). Such a mixed file is a problem
    naming its first line that is not UTF-8. (The reverse, a GBK file with a few UTF-8 rows,
    cannot be told from a GBK file by this rule and is read as GB18030.)
    """
    bom = data.startswith(codecs.BOM_UTF8)
    body = data[len(codecs.BOM_UTF8):] if bom else data
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as utf8_error:
        start = utf8_error.start
    line = body.count(b"\n", 0, start) + 1
    byte = f"byte {start + len(data) - len(body)} (0x{body[start]:02x})"
    if bom or _mostly_utf8(body):
        reason = ("the file starts with a UTF-8 byte order mark" if bom
                  else "most of the file's other lines are")
        raise InvalidDataset([Problem(
            name, line, None,
            f"expected one encoding for the whole file: this line is not valid UTF-8 at "
            f"{byte}, while {reason}")])
    try:
        return body.decode("gb18030")
    except UnicodeDecodeError:
        raise InvalidDataset([Problem(
            name, line, None,
            f"expected text in UTF-8 or GB18030/GBK; {byte} is neither",
        )]) from None


def _mostly_utf8(data: bytes) -> bool:
    """Whether at least half of the lines of ``data`` with non-ASCII bytes are valid UTF-8."""
    valid = invalid = 0
    for line in data.split(b"\n"):
        if line.isascii():
            continue
        try:
            line.decode("utf-8")
            valid += 1
        except UnicodeDecodeError:
            invalid += 1
    return valid >= invalid


def read_table(path: Path) -> Table:
    """Read a CSV, Excel (.xlsx) or Parquet table. Raises InvalidDataset on unreadable files,
    duplicate column names and rows of the wrong width."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return _read_csv(path)
    if suffix == ".xlsx":
        return _read_xlsx(path)
    if suffix == ".parquet":
        return _read_parquet(path)
    raise InvalidDataset([Problem(path.name, None, None,
                                  f"expected a .csv, .xlsx or .parquet file, got {suffix!r}")])


def read_columns(path: Path) -> ColumnTable:
    """Read a CSV, Excel (.xlsx) or Parquet table whole into columns. Raises InvalidDataset
    as :func:`read_table` does; the problems of rows are in the table's ``problems``."""
    if path.suffix.lower() == ".csv":
        # the text as UTF-8, and not as str too: a str of Chinese text takes twice its bytes
        data = decode_text(path.read_bytes(), path.name).encode("utf-8")
        return _arrow_csv(path, data) or _gather(_csv_rows(path, data.decode("utf-8")))
    if path.suffix.lower() == ".parquet":
        return _parquet_columns(path)
    return _gather(read_table(path))


def _gather(table: Table) -> ColumnTable:
    """The rows of a row-by-row table, as columns."""
    cells: dict[str, list[str]] = {c: [] for c in table.columns}
    lines: list[int] = []
    appends = [(c, cells[c].append) for c in table.columns]
    for row in table:
        lines.append(row.line)
        for column, append in appends:
            append(row.cells.get(column, ""))
    return ColumnTable(table.path, table.columns, lines, table.unit, table.problems, lists=cells)


def _arrow_csv(path: Path, data: bytes) -> ColumnTable | None:
    """The CSV text ``data`` (UTF-8) read by pyarrow, or None when the csv module might read
    it otherwise (see the module's docstring)."""
    import pyarrow as pa
    from pyarrow import csv as arrow_csv

    # a byte below 0x80 is that character wherever it is in UTF-8 text
    if b"\0" in data or data.count(b"\r") != data.count(b"\r\n"):
        return None
    start = data.find(b"\n") + 1 or len(data)          # past the header line
    try:
        _, columns = _csv_header(path, data[:start].decode("utf-8"))
    except InvalidDataset:       # the csv module says what is wrong, reading the whole file
        return None
    if not columns:
        return None
    body = memoryview(data)[start:]
    lines = _nonempty_lines(body)
    if not lines:
        return ColumnTable(path, columns, [], lists={c: [] for c in columns})
    names = [str(at) for at in range(len(columns))]
    # the system's allocator gives freed memory back; pyarrow's own (mimalloc) kept the
    # parser's buffers as long as the process lived
    pool = pa.system_memory_pool()
    try:
        table = arrow_csv.read_csv(
            pa.py_buffer(body),
            read_options=arrow_csv.ReadOptions(column_names=names),
            parse_options=arrow_csv.ParseOptions(newlines_in_values=False),
            convert_options=arrow_csv.ConvertOptions(
                column_types=dict.fromkeys(names, pa.string()), null_values=[],
                strings_can_be_null=False, quoted_strings_can_be_null=False, check_utf8=False),
            memory_pool=pool)
    except pa.ArrowInvalid:      # a row of the wrong width, most often
        return None
    if table.num_rows != len(lines):
        return None
    overrides = _quoted_lines(body, lines, len(columns)) if data.find(b'"', start) >= 0 else {}
    if overrides is None:
        return None
    read = table.columns
    del table
    arrow = {}
    for at, column in enumerate(columns):      # each column let go once stripped
        arrow[column], read[at] = _stripped(read[at], pool), None
    return ColumnTable(path, columns, lines, arrow=arrow, overrides=overrides)


def _stripped(cells: Any, pool: Any) -> Any:
    """The pyarrow string array ``cells`` with each cell stripped as str.strip() strips it."""
    from pyarrow import compute

    # a copy of every column, but one at a time: asking first whether any cell needs it
    # (a regular expression) took six times as long as the stripping
    return compute.utf8_trim(cells, characters=_WHITESPACE, memory_pool=pool)


def _nonempty_lines(data: memoryview) -> list[int]:
    """The numbers of the non-empty lines of ``data``, the file past its header line (so
    its first line is line 2): the lines the csv module reads a row from. Every ``\r`` of
    ``data`` is the start of a ``\r\n``."""
    codes = np.frombuffer(data, np.uint8)
    breaks = np.flatnonzero(codes == ord("\n"))
    starts = np.concatenate(([0], breaks + 1))
    ends = np.concatenate((breaks, [len(codes)]))
    length = ends - starts
    ended = length > 0
    length[ended] -= codes[ends[ended] - 1] == ord("\r")
    return (np.flatnonzero(length > 0) + 2).tolist()


def _quoted_lines(body: memoryview, lines: list[int], width: int) -> dict[int, list[str]] | None:
    """The csv module's stripped cells of each line holding a quote, by row; None when such
    a line is not one whole row of ``width`` cells to the strict csv module."""
    row_of = {line: at for at, line in enumerate(lines)}
    found = {}
    for number, line in enumerate(bytes(body).split(b"\n"), start=2):
        if b'"' not in line:
            continue
        try:
            rows = list(csv.reader([line.removesuffix(b"\r").decode("utf-8")], strict=True))
        except csv.Error:
            return None
        if len(rows) != 1 or len(rows[0]) != width:
            return None
        found[row_of[number]] = [cell.strip() for cell in rows[0]]
    return found


def _header(raw: list[Any], name: str, unit: str) -> list[str]:
    columns = [_cell_text(c).lower() for c in raw]
    problems = [
        Problem(name, 1, column, "column given twice", unit)
        for i, column in enumerate(columns) if column and column in columns[:i]
    ]
    problems += [
        Problem(name, 1, None, f"column {i + 1} has no name", unit)
        for i, column in enumerate(columns) if not column
    ]
    if problems:
        raise InvalidDataset(problems)
    return columns


def _read_csv(path: Path) -> Table:
    return _csv_rows(path, decode_text(path.read_bytes(), path.name))


def _csv_header(path: Path, text: str) -> tuple[Iterator[list[str]], list[str]]:
    """A strict CSV reader of ``text`` past its header line, and the header's columns."""
    # strict: a quote left open at the end of the file is an error, not a cell holding the
    # rest of the file (and text after a closing quote, '"a"b', is one too)
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        raw_header = next(reader)
    except StopIteration:
        raise InvalidDataset([Problem(path.name, 1, None, "expected a header line")]) from None
    except csv.Error as error:
        raise InvalidDataset([Problem(path.name, 1, None, _csv_error(error))]) from None
    if reader.line_num > 1:
        raise InvalidDataset([Problem(path.name, 1, None, (
            f"the header runs on to line {reader.line_num}: expected the column names on one "
            f"line; is a quote unbalanced?"))])
    return reader, _header(raw_header, path.name, "line")


def _csv_rows(path: Path, text: str) -> Table:
    reader, columns = _csv_header(path, text)
    table = Table(path, columns, iter(()))

    def rows() -> Iterator[Row]:
        start = reader.line_num + 1
        width = len(columns)
        try:
            for raw in reader:
                broken = next((i for i, cell in enumerate(raw) if "\n" in cell or "\r" in cell),
                              None)
                if broken is not None:
                    column = columns[broken] if broken < width else None
                    table.problems.append(Problem(
                        path.name, start, column,
                        f"the cell holds a line break (it runs on to line {reader.line_num}): "
                        f"expected every row on one line; is a quote unbalanced?"))
                elif len(raw) == width:
                    yield Row(start, {c: v.strip() for c, v in zip(columns, raw, strict=True)})
                elif any(cell.strip() for cell in raw):
                    table.problems.append(Problem(
                        path.name, start, None,
                        f"expected {width} cells as in the header, found {len(raw)}"))
                start = reader.line_num + 1
        except csv.Error as error:
            table.problems.append(Problem(path.name, start, None, _csv_error(error)))

    table.row_source = rows()
    return table


def _csv_error(error: csv.Error) -> str:
    """What a CSV syntax error means for the person fixing the file."""
    # The csv module says only this when the file ends inside a quoted cell (strict mode);
    # any other wording still ends up in the message below, so nothing is lost if it changes.
    if str(error) == "unexpected end of data":
        return ("unterminated quoted cell: the quote opened on this line is never closed, so "
                "it would swallow every line after it; expected a closing '\"'")
    return f"malformed CSV: {error}"


def _read_xlsx(path: Path) -> Table:
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many unrelated types for a bad file
        raise InvalidDataset([Problem(path.name, None, None,
                                      f"expected an Excel .xlsx workbook: {error}")]) from None
    sheet = book[path.stem] if path.stem in book.sheetnames else book.worksheets[0]
    values = sheet.iter_rows(values_only=True)
    try:
        columns = _header(list(next(values)), path.name, "row")
    except StopIteration:
        book.close()
        raise InvalidDataset([Problem(path.name, 1, None, "expected a header row", "row")]) from None

    def rows() -> Iterator[Row]:
        try:
            for number, raw in enumerate(values, start=2):
                cells = [_cell_text(v) for v in raw]
                if any(cells):
                    cells += [""] * (len(columns) - len(cells))
                    yield Row(number, dict(zip(columns, cells, strict=False)))
        finally:
            book.close()

    return Table(path, columns, rows(), unit="row")


def _open_parquet(path: Path) -> tuple[Any, list[str]]:
    """The Parquet file at ``path`` and its column names (checked as a header is)."""
    import pyarrow.parquet as pq

    try:
        data = pq.ParquetFile(path)
    except Exception as error:  # pyarrow raises ArrowInvalid, OSError, ...
        raise InvalidDataset([Problem(path.name, None, None,
                                      f"expected a Parquet file: {error}")]) from None
    columns = _header(list(data.schema_arrow.names), path.name, "row")
    return data, columns


def _read_parquet(path: Path) -> Table:
    data, columns = _open_parquet(path)

    def rows() -> Iterator[Row]:
        number = 0
        for batch in data.iter_batches(batch_size=65_536):
            for record in batch.to_pylist():
                number += 1
                yield Row(number, {c: _cell_text(v)
                                   for c, v in zip(columns, record.values(), strict=True)})

    return Table(path, columns, rows(), unit="row")


def _parquet_columns(path: Path) -> ColumnTable:
    """A Parquet table's columns, each cell the text :func:`_read_parquet` gives it: a column
    of strings stays a pyarrow array (nulls empty, cells stripped); any other column's values
    go through :func:`_cell_text`, the one definition of a cell's text."""
    import pyarrow as pa
    from pyarrow import compute

    data, columns = _open_parquet(path)
    table = data.read()
    arrow = {}
    for column, cells in zip(columns, table.columns, strict=True):
        if pa.types.is_string(cells.type) or pa.types.is_large_string(cells.type):
            arrow[column] = compute.utf8_trim(compute.fill_null(cells, ""), characters=_WHITESPACE)
        else:
            arrow[column] = pa.chunked_array(
                [pa.array(list(map(_cell_text, cells.to_pylist())), pa.string())])
    return ColumnTable(path, columns, range(1, table.num_rows + 1), unit="row", arrow=arrow)


def _cell_text(value: Any) -> str:
    """A cell of any format as the text a CSV file would hold."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()
