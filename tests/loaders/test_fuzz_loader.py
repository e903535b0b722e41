"""A property-based fuzzer of the load: a valid dataset folder, mutated as careless exports
and hostile files mutate it (a cell replaced, a stray quote, numbers at the edges, another
encoding, a truncated file, a row doubled or dropped, a broken bank.toml), then loaded into
a store that holds the original.

Whatever the mutation, the load either lands whole and valid (the store holds exactly what
was read; every reference resolves; no share sum above 100 %; every amount finite; the
report is strict JSON), or fails with :class:`InvalidDataset` whose every problem names its
file, and the store still holds the original dataset, unchanged.
"""

from __future__ import annotations

import csv
import io
import json
import math
import shutil
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from api import service
from graph.reports.report import build_report
from graph.stores.embedded import EmbeddedStore
from loaders.dataset import read_dataset
from schema.errors import InvalidDataset
from schema.records import Dataset
from tests.api.sample import write_sample
from tests.fuzz import FUZZ, record

EDGE_CELLS = ["", '"', '"annual_report', 'a"b', "x\ny", "x\r\ny", "\0", ",", "1e308", "1.7e308",
              "1e400", "-1e400", "nan", "NaN", "inf", "-inf", "-0", "0", "-1", "1e-300", "1e-400",
              "35 %", "35%", "150%", "0.5", "1", "2", "1,000", "٣٥", "３５", "true", "TRUE", "yes",
              "2024-W01-1", "2024-02-30", "2024-12-31", "20241231", "C1", "P1", "NOPE", "company",
              "person", "OWNS", "GUARANTEES", "spouse", "瑞业实业集团", "\ufeff", "\u202e", "CNY",
              "USD", "XYZ", " C1 ", "c1"]
CELLS = st.one_of(st.sampled_from(EDGE_CELLS), st.text(max_size=12))
ENCODINGS = ["utf-8-sig", "gb18030", "utf-16", "latin-1", "cp1252"]
FILES = ("entities.csv", "relationships.csv", "facilities.csv", "groups.csv", "bank.toml")


@pytest.fixture(scope="module")
def original(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = write_sample(tmp_path_factory.mktemp("fuzz") / "original")
    (folder / "groups.csv").write_text(
        "group_id,member,group_name\nD1,C1,华信集团\nD1,C2,华信集团\nD2,C3,\n", encoding="utf-8")
    return folder


def _rows(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))


def _write_rows(path: Path, rows: list[list[str]]) -> None:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")


@st.composite
def mutations(draw: st.DrawFn, folder: Path) -> tuple[str, str]:
    """Mutate the dataset in ``folder`` in place; returns (file, what was done)."""
    name = draw(st.sampled_from(FILES))
    path = folder / name
    if name == "bank.toml":
        lines = path.read_text(encoding="utf-8").splitlines()
        at = draw(st.integers(0, len(lines) - 1))
        key = lines[at].split("=")[0].strip() if "=" in lines[at] else "x"
        value = draw(st.one_of(st.sampled_from(["nan", "inf", "-inf", "1e400", "1e-300", "0", "-5",
                                                '"NOPE"', '"BASEL"', '""', "[]", "1e15", "=",
                                                '"CN-2018"']), CELLS.map(json.dumps)))
        lines[at] = f"{key} = {value}" if draw(st.booleans()) else value
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        return name, f"line {at + 1}: {lines[at]!r}"
    rows = _rows(path)
    kind = draw(st.sampled_from(["cell", "raw cell", "truncate", "encoding", "double", "drop",
                                 "column"]))
    if kind in ("cell", "raw cell"):
        line = draw(st.integers(0, len(rows) - 1))
        column = draw(st.integers(0, max(len(rows[line]) - 1, 0)))
        value = draw(CELLS)
        if kind == "cell":               # written by a CSV writer: quoted as it must be
            rows[line][column] = value
            _write_rows(path, rows)
        else:                            # pasted into the text as it is: quotes unbalanced
            text = path.read_text(encoding="utf-8").split("\n")
            cells = text[line].split(",")
            cells[min(column, len(cells) - 1)] = value
            text[line] = ",".join(cells)
            path.write_text("\n".join(text), encoding="utf-8")
        return name, f"{kind} {line + 1}:{column + 1} = {value!r}"
    if kind == "truncate":
        data = path.read_bytes()
        cut = draw(st.integers(0, len(data)))
        path.write_bytes(data[:cut])
        return name, f"truncated at byte {cut}"
    if kind == "encoding":
        encoding = draw(st.sampled_from(ENCODINGS))
        text = path.read_text(encoding="utf-8")
        whole = draw(st.booleans())
        if whole:
            path.write_bytes(text.encode(encoding, "replace"))
        else:                            # one row in another encoding
            lines = text.split("\n")
            at = draw(st.integers(1, max(len(lines) - 1, 1)))
            data = [line.encode("utf-8") for line in lines]
            if at < len(lines):
                data[at] = lines[at].encode(encoding, "replace")
            path.write_bytes(b"\n".join(data))
        return name, f"{'file' if whole else 'one row'} in {encoding}"
    if kind in ("double", "drop") and len(rows) > 1:
        line = draw(st.integers(1, len(rows) - 1))
        if kind == "double":
            rows.insert(line, list(rows[line]))
        else:
            del rows[line]
        _write_rows(path, rows)
        return name, f"{kind} row {line + 1}"
    header = rows[0]
    if header:
        at = draw(st.integers(0, len(header) - 1))
        header[at] = draw(st.sampled_from(["", "id", "share", "Share", "x", header[at] + " "]))
        _write_rows(path, rows)
        return name, f"header column {at + 1} = {header[at]!r}"
    return name, "nothing"


def _valid(dataset: Dataset) -> None:
    """What every dataset in a store must be."""
    entities = dataset.entities
    for r in dataset.relationships:
        assert r.source in entities and r.target in entities, r
    for f in dataset.facilities:
        assert f.borrower in entities, f
        for value in (f.outstanding, f.undrawn, f.ccf):
            assert value is None or math.isfinite(value), f
    totals: dict[str, float] = {}
    for r in dataset.current_relationships(date.today()):
        if r.type == "OWNS":
            totals[r.target] = totals.get(r.target, 0.0) + (r.share or 0.0)
    assert all(t <= 1 + 1e-6 for t in totals.values()), totals
    bank = dataset.bank
    assert math.isfinite(bank.tier1_capital) and bank.tier1_capital > 0
    assert math.isfinite(bank.net_capital) and bank.net_capital > 0


def test_every_load_lands_whole_and_valid_or_fails_naming_the_place(original, tmp_path):
    store = EmbeddedStore(tmp_path / "store.sqlite")
    before = store.replace(read_dataset(original), source="original").info
    held = store.read()

    @FUZZ
    @given(st.data())
    def one(data: st.DataObject) -> None:
        folder = tmp_path / "mutated"
        shutil.rmtree(folder, ignore_errors=True)
        shutil.copytree(original, folder)
        changed, how = data.draw(mutations(folder))
        how = f"{changed}: {how}"
        try:
            outcome = service.load(store, [folder])
        except InvalidDataset as error:
            assert error.problems, how
            for problem in error.problems:     # each names a file of the dataset, or it
                assert Path(problem.file).name in FILES or problem.file == str(folder), (
                    how, problem)
                assert problem.message, (how, problem)
            assert store.info().version == before.version, how
            assert store.read() == held, how
            record("loader", "refused")
            return
        try:        # it landed: the store holds what was read, valid; the report strict JSON
            loaded = store.read()
            assert loaded == outcome.result.dataset, how
            _valid(loaded)
            json.dumps(build_report(service.assess_dataset(loaded)), allow_nan=False)
            record("loader", "loaded")
        finally:    # back to the original for the next case, whatever happened
            store.replace(held, source="original")

    try:
        one()
    finally:
        store.close()
