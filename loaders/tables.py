"""Read one table of a dataset, from CSV, Excel or Parquet, into text cells with positions.

Every cell comes out as stripped text ("" when empty), whatever the file format, so that one
set of parsers (``schema.values``) validates them all. Each row keeps the position a person
would look for: the line of a CSV file, the row of a sheet or of a Parquet file.

CSV files may be UTF-8 (with or without a byte order mark) or GB18030, the superset of GBK
that Chinese bank exports use. UTF-8 is tried first: GBK text is almost never valid UTF-8,
while UTF-8 text with Chinese characters often decodes as (wrong) GB18030.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from schema.errors import InvalidDataset, Problem

__all__ = ["SUFFIXES", "Row", "Table", "decode_text", "find_table", "read_table"]

SUFFIXES = (".csv", ".xlsx", ".parquet")


@dataclass(frozen=True)
class Row:
    """One data row: its position in the file and its cells by column name."""

    line: int
    cells: dict[str, str]


@dataclass(frozen=True)
class Table:
    """A table read from ``path``: its column names (lower case) and its rows."""

    path: Path
    columns: list[str]
    rows: list[Row]
    unit: str = "line"

    @property
    def name(self) -> str:
        return self.path.name

    def problem(self, line: int | None, column: str | None, message: str) -> Problem:
        return Problem(self.name, line, column, message, self.unit)

    def __iter__(self) -> Iterator[Row]:
        return iter(self.rows)


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
    """Decode a text file as UTF-8 (BOM optional) or else GB18030."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as utf8_error:
        try:
            return data.decode("gb18030")
        except UnicodeDecodeError:
            line = data.count(b"\n", 0, utf8_error.start) + 1
            raise InvalidDataset([Problem(
                name, line, None,
                f"expected text in UTF-8 or GB18030/GBK; byte {utf8_error.start} "
                f"(0x{data[utf8_error.start]:02x}) is neither",
            )]) from None


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
    text = decode_text(path.read_bytes(), path.name)
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        columns = _header(next(reader), path.name, "line")
    except StopIteration:
        raise InvalidDataset([Problem(path.name, 1, None, "expected a header line")]) from None
    rows: list[Row] = []
    problems: list[Problem] = []
    start = reader.line_num + 1
    try:
        for raw in reader:
            if any(cell.strip() for cell in raw):
                if len(raw) != len(columns):
                    problems.append(Problem(
                        path.name, start, None,
                        f"expected {len(columns)} cells as in the header, found {len(raw)}"))
                else:
                    rows.append(Row(start, {c: v.strip() for c, v in zip(columns, raw, strict=True)}))
            start = reader.line_num + 1
    except csv.Error as error:
        problems.append(Problem(path.name, start, None, f"malformed CSV: {error}"))
    if problems:
        raise InvalidDataset(problems)
    return Table(path, columns, rows)


def _read_xlsx(path: Path) -> Table:
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many unrelated types for a bad file
        raise InvalidDataset([Problem(path.name, None, None,
                                      f"expected an Excel .xlsx workbook: {error}")]) from None
    try:
        sheet = book[path.stem] if path.stem in book.sheetnames else book.worksheets[0]
        values = sheet.iter_rows(values_only=True)
        try:
            columns = _header(list(next(values)), path.name, "row")
        except StopIteration:
            raise InvalidDataset([Problem(path.name, 1, None, "expected a header row", "row")]) from None
        rows = []
        for number, raw in enumerate(values, start=2):
            cells = [_cell_text(v) for v in raw]
            if any(cells):
                cells += [""] * (len(columns) - len(cells))
                rows.append(Row(number, dict(zip(columns, cells, strict=False))))
        return Table(path, columns, rows, unit="row")
    finally:
        book.close()


def _read_parquet(path: Path) -> Table:
    import pyarrow.parquet as pq

    try:
        data = pq.read_table(path)
    except Exception as error:  # pyarrow raises ArrowInvalid, OSError, ...
        raise InvalidDataset([Problem(path.name, None, None,
                                      f"expected a Parquet file: {error}")]) from None
    columns = _header(list(data.column_names), path.name, "row")
    rows = [
        Row(number, {c: _cell_text(v) for c, v in zip(columns, record.values(), strict=True)})
        for number, record in enumerate(data.to_pylist(), start=1)
    ]
    return Table(path, columns, rows, unit="row")


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
