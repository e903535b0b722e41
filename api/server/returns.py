"""The returns page (R20): the parts of the regime's large-exposure return, and its files.

==================================  ========================================================
route                               answer
==================================  ========================================================
``/returns``                        every part of the return (CN-2018: G14; BASEL: the
                                    lists of LEX20.4) with its rows, amounts in base currency
``/returns/download?format=xlsx``   the return as a workbook, as ``groupgraph returns`` writes
``/returns/download?format=csv``    a zip of the CSV files (one per part, and ``about.csv``)
``/returns/download?format=json``   the return as JSON
==================================  ========================================================

The page shows amounts in the bank's base currency, as every other page does; the files are
in the return's own unit (CN-2018: 万元), as filed. The return is filled once per snapshot
(``Snapshot.returns``, which the GraphQL ``returnTable`` reads too), when first asked for.

>>> from schema.regime import load_regime
>>> from graph.reports.returns import read_definition
>>> part = read_definition(load_regime("CN-2018")).part("non_interbank_single")
>>> [cell_text(c, v, 10_000.0) for c, v in zip(part.columns[3:6], (0.0147, 0.0147, 0.147))]
['147.00', '147.00', '14.70%']
"""

from __future__ import annotations

import io
import re
import tempfile
import zipfile
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from api.cli.returns import render_returns_json, write_returns_csv, write_returns_xlsx
from api.server.pages import page_layout, page_response, secure_headers
from api.server.state import ServerState
from graph.reports.returns import InvalidReturns, Returns
from graph.reports.returns.definition import ReturnColumn

__all__ = ["FORMATS", "cell_text", "returns_router"]

FORMATS = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "application/zip",
    "json": "application/json",
}
"""The files the page offers, with their media types (CSV: one file per part, zipped)."""

_DOWNLOAD_CSP = "default-src 'none'; frame-ancestors 'none'"
_FILE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


def cell_text(column: ReturnColumn, value: Any, divisor: float) -> str:
    """A cell as the page shows it: amounts back in base currency (the part holds them in
    the return's unit, ``divisor`` base units each) with two decimals and thousands
    separators, ratios as percentages to two places, the rest as given."""
    if column.kind == "money":
        return f"{value * divisor:,.2f}"
    if column.kind == "ratio":
        return f"{value * 100:.2f}%"
    return str(value)


def _file(returns: Returns, kind: str) -> bytes:
    """The return as the bytes of a file of ``kind`` (one of FORMATS)."""
    if kind == "json":
        return render_returns_json(returns).encode("utf-8")
    with tempfile.TemporaryDirectory(prefix="groupgraph-returns-") as scratch:
        if kind == "xlsx":
            path = Path(scratch) / "returns.xlsx"
            write_returns_xlsx(returns, path)
            return path.read_bytes()
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for path in write_returns_csv(returns, Path(scratch) / "csv"):
                archive.write(path, path.name)
        return buffer.getvalue()


def returns_router(state: ServerState) -> APIRouter:
    """The routes of the returns page and its files over ``state``'s current snapshot."""
    router = APIRouter(include_in_schema=False)

    @router.get("/returns", response_class=HTMLResponse)
    def returns_page(request: Request) -> HTMLResponse:
        snapshot = state.snapshot
        try:
            returns = snapshot.returns
        except InvalidReturns as error:
            return page_response("returns.html", status=404, **page_layout(snapshot, request),
                                 returns=None, problem=str(error))
        definition = returns.definition
        parts = [{"table": table, "rows": [
            [(column, cell_text(column, row[column.key], definition.divisor),
              row.get(f"{column.key}_en")) for column in table.columns]
            for row in table.rows]} for table in returns.parts]
        return page_response("returns.html", **page_layout(snapshot, request), returns=returns,
                             definition=definition, parts=parts, formats=list(FORMATS),
                             groups=snapshot.analysis.group_by_id, problem=None)

    @router.get("/returns/download")
    def returns_file(kind: str = Query("xlsx", alias="format", pattern="^(xlsx|csv|json)$")
                     ) -> Response:
        snapshot = state.snapshot
        try:
            returns = snapshot.returns
        except InvalidReturns as error:
            return Response(str(error), status_code=404, media_type="text/plain; charset=utf-8",
                            headers=secure_headers(_DOWNLOAD_CSP))
        name = _FILE_NAME.sub("_", f"{returns.definition.template}-{returns.as_of.isoformat()}")
        suffix = "zip" if kind == "csv" else kind
        return Response(_file(returns, kind), media_type=FORMATS[kind], headers={
            **secure_headers(_DOWNLOAD_CSP),
            "content-disposition": f'attachment; filename="{name}.{suffix}"'})

    return router
