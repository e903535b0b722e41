"""The returns of R20 (:func:`graph.reports.returns.build_returns`) as files.

* **xlsx**: one sheet per part, named by its title, in the regime file's order; a header row
  of the template's column titles, frozen; amounts in the return's unit rounded to its
  decimals (CN-2018: 万元, 2 places) with the number format ``#,##0.00``, ratios with
  ``0.00%``; a last sheet ``about`` names the bank, date, unit and each part's source.
* **csv**: a folder with one UTF-8 file (with BOM, for Excel) per part, ``<part key>.csv``,
  with the same header and the same figures as the xlsx cells (ratios to 6 places), and
  ``about.csv``. One file per part rather than one file with a part column: the parts have
  different columns.
* **json**: every part with its columns (Chinese and English titles), rows keyed by column
  key at full precision, the unit and the sources (:meth:`graph.reports.returns.Returns.to_dict`).
"""

from __future__ import annotations

import csv
import re
from pathlib import Path
from typing import Any

from api.cli.formats import render_json
from graph.reports.returns import Returns, ReturnTable

__all__ = ["render_returns_json", "write_returns_csv", "write_returns_xlsx"]

_RATIO_PLACES = 6
_SHEET_NAME = re.compile(r"[\[\]:*?/\\]")
ABOUT = "about"


def _cell(table: ReturnTable, kind: str, value: Any) -> Any:
    """A value as a file holds it: amounts rounded to the unit's decimals, ratios to 6
    places in CSV (Excel keeps them whole, its format shows them)."""
    if kind == "money":
        return round(value, table.decimals)
    return value


def _about(returns: Returns) -> list[tuple[str, Any]]:
    d = returns.definition
    rows: list[tuple[str, Any]] = [
        ("return", f"{d.title} ({d.title_en})"), ("regime", d.regime), ("source", d.source),
        ("bank", returns.bank), ("as of", returns.as_of.isoformat()),
        ("base currency", returns.base_currency), ("tier 1 capital", returns.tier1_capital),
        ("unit", f"{d.unit} ({d.unit_en}): amounts in {returns.base_currency} / {d.divisor:g}"),
        ("ratios", "share of tier 1 capital")]
    rows += [(f"{p.title} ({p.key})", p.source) for p in returns.parts]
    return rows


def _sheet_names(returns: Returns) -> list[str]:
    """Each part's title as a sheet name: without the characters Excel refuses, at most 31
    characters, unique (a number added where two would be the same)."""
    names: list[str] = []
    for part in returns.parts:
        name = _SHEET_NAME.sub(" ", part.title)[:31]
        number = 2
        while name in names or name == ABOUT:
            suffix = f" {number}"
            name = _SHEET_NAME.sub(" ", part.title)[:31 - len(suffix)] + suffix
            number += 1
        names.append(name)
    return names


def write_returns_xlsx(returns: Returns, path: Path) -> None:
    """The workbook: one sheet per part, then ``about``."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    money = "#,##0" + ("." + "0" * returns.definition.decimals if returns.definition.decimals else "")
    formats = {"money": money, "ratio": "0.00%", "count": "0"}
    book = Workbook()
    book.remove(book.active)
    for name, table in zip(_sheet_names(returns), returns.parts, strict=True):
        sheet = book.create_sheet(name)
        sheet.append([c.title for c in table.columns])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in table.rows:
            sheet.append([_cell(table, c.kind, row[c.key]) for c in table.columns])
        for index, column in enumerate(table.columns, start=1):
            letter = get_column_letter(index)
            sheet.column_dimensions[letter].width = max(10, min(40, 2 * len(column.title) + 2))
            if column.kind in formats:
                for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
                    cell.number_format = formats[column.kind]
        sheet.freeze_panes = "A2"
    about = book.create_sheet(ABOUT)
    for row in _about(returns):
        about.append(list(row))
    about.column_dimensions["A"].width = 40
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)


def write_returns_csv(returns: Returns, folder: Path) -> list[Path]:
    """``<part key>.csv`` per part and ``about.csv`` in ``folder``; returns the files."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for table in returns.parts:
        path = folder / f"{table.key}.csv"
        with path.open("w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow([c.title for c in table.columns])
            for row in table.rows:
                writer.writerow([round(row[c.key], _RATIO_PLACES) if c.kind == "ratio"
                                 else _cell(table, c.kind, row[c.key]) for c in table.columns])
        written.append(path)
    path = folder / f"{ABOUT}.csv"
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        csv.writer(handle).writerows(_about(returns))
    written.append(path)
    return written


def render_returns_json(returns: Returns) -> str:
    """The returns as indented JSON (full precision)."""
    return render_json(returns.to_dict()) + "\n"
