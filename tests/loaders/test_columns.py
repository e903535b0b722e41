"""Reading and validating on columns gives what reading row by row gives: the same dataset
(equal records, origins and version) from a valid folder, the same problems from a bad one.

The row-by-row way is the one the loader had before columns, and still has for what the
columns leave in doubt: every CSV file read by the csv module, and every row checked by the
row-by-row validation (the ``row_by_row`` fixture makes every row a suspect).
"""

from __future__ import annotations

import csv
import io
import random
import shutil
import sys
from dataclasses import fields
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

import loaders.dataset.relationships
import loaders.dataset.rows
import loaders.tables
from loaders.columns import parse_column
from loaders.dataset import read_dataset
from loaders.synthetic import generate_portfolio
from loaders.tables import ColumnTable, _csv_rows, _gather, decode_text, read_columns
from schema.errors import InvalidDataset
from schema.model import PropertySpec, load_model
from schema.records import (
    Collateral,
    DeclaredMember,
    Entity,
    Facility,
    ProductParty,
    Relationship,
    Underlying,
)
from schema.values import (
    PARSERS,
    ValueRejected,
    lei_check_digits,
    lei_is_valid,
    lei_valid,
    uscc_check_char,
    uscc_check_mismatches,
)
from tests.fuzz import FUZZ
from tests.loaders.test_fuzz_loader import EDGE_CELLS


def _every_row_suspect(spec: PropertySpec, texts: list[str], empty: np.ndarray):
    parsed = parse_column(spec, texts, empty)
    parsed.rejected = np.ones(len(texts), bool)
    return parsed


def outcome(folder: Path) -> object:
    """The dataset read from ``folder``, or the problems (as text) that refused it."""
    try:
        return read_dataset(folder)
    except InvalidDataset as error:
        return [str(p) for p in error.problems]


def row_by_row(folder: Path, monkeypatch: pytest.MonkeyPatch) -> object:
    with monkeypatch.context() as patch:
        patch.setattr(loaders.tables, "_arrow_csv", lambda _path, _text: None)
        patch.setattr(loaders.tables, "_parquet_columns",
                      lambda path: _gather(loaders.tables._read_parquet(path)))
        # the two modules that parse columns at once
        patch.setattr(loaders.dataset.rows, "parse_column", _every_row_suspect)
        patch.setattr(loaders.dataset.relationships, "parse_column", _every_row_suspect)
        return outcome(folder)


def same_both_ways(folder: Path, monkeypatch: pytest.MonkeyPatch) -> object:
    by_columns = outcome(folder)
    assert by_columns == row_by_row(folder, monkeypatch)
    if not isinstance(by_columns, list):
        assert by_columns.version == row_by_row(folder, monkeypatch).version
    return by_columns


@pytest.mark.parametrize("seed", [1, 2])
def test_a_generated_portfolio_reads_the_same_both_ways(tmp_path, monkeypatch, seed):
    generate_portfolio(tmp_path, parties=3000, seed=seed)
    data = same_both_ways(tmp_path, monkeypatch)
    assert len(data.entities) == 3000 and data.relationships and data.declared_groups
    assert data.relationships[0].origin == "relationships.csv:2"


def test_the_csv_reader_is_pyarrow_for_a_plain_file(tmp_path, monkeypatch):
    generate_portfolio(tmp_path, parties=200, seed=1)
    expected = read_dataset(tmp_path)

    def refuse(path: Path, _text: str) -> None:
        raise AssertionError(f"{path.name} read row by row")

    monkeypatch.setattr(loaders.tables, "_csv_rows", refuse)
    assert read_dataset(tmp_path) == expected


def _rewrite(folder: Path, name: str, rows: list[list[str]], *, quoting: int = csv.QUOTE_MINIMAL,
             terminator: str = "\n") -> None:
    buffer = io.StringIO()
    csv.writer(buffer, quoting=quoting, lineterminator=terminator).writerows(rows)
    (folder / name).write_text(buffer.getvalue(), encoding="utf-8", newline="")


def _rows(folder: Path, name: str) -> list[list[str]]:
    with (folder / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))


TABLES = ("entities.csv", "relationships.csv", "facilities.csv", "groups.csv")


def test_quoted_cells_crlf_and_blank_lines_keep_values_and_lines(tmp_path, monkeypatch):
    generate_portfolio(tmp_path / "plain", parties=300, seed=3)
    expected = read_dataset(tmp_path / "plain")
    folder = tmp_path / "quoted"
    shutil.copytree(tmp_path / "plain", folder)
    for name in TABLES:
        _rewrite(folder, name, _rows(folder, name), quoting=csv.QUOTE_ALL, terminator="\r\n")
    quoted = same_both_ways(folder, monkeypatch)
    assert quoted == expected and quoted.version == expected.version
    # blank lines move every later row down a line: the origins say so both ways
    text = (folder / "relationships.csv").read_bytes().decode("utf-8").split("\r\n")
    (folder / "relationships.csv").write_text("\r\n".join([*text[:3], "", "", *text[3:]]),
                                              encoding="utf-8", newline="")
    spaced = same_both_ways(folder, monkeypatch)
    assert spaced.relationships[2].origin == "relationships.csv:6"


def test_a_name_with_a_comma_and_a_quote(tmp_path, monkeypatch):
    generate_portfolio(tmp_path, parties=100, seed=1)
    rows = _rows(tmp_path, "entities.csv")
    rows[1][1] = 'Harbour "Blue", Logistics'
    rows[2][1] = '  spaced\u3000'
    _rewrite(tmp_path, "entities.csv", rows)
    data = same_both_ways(tmp_path, monkeypatch)
    assert data.entities[rows[1][0]].name == 'Harbour "Blue", Logistics'
    assert data.entities[rows[2][0]].name == "spaced"


@pytest.mark.parametrize("text", [
    "id,name\nA,x\n",
    "id,name\r\nA,x\r\n\r\nB,y",
    "id,name\n\n\nA,x\n\n",
    "id,name\n",
    "id,name",
    'id,name\nA,"x, y"\nB,"say ""hi"""\n',
    'id,name\nA,x"y\n',
    'id,name\nA,"x"y\nB,z\n',
    'id,name\nA,"x\ny"\nB,z\n',
    'id,name\nA,"x\n',
    "id,name\nA,x,extra\nB,y\n",
    "id,name\nA\nB,y\n",
    "id,name\n ,  \nA,x\n",
    "id,name\nA,x\rB,y\n",
    "id,name\nA,x\0\n",
    '"id",name\n"A",x\n',
    "id,name\n\u3000A\u2003, x \n",
    "id,name\nA,x\u2028y\nB,z\x85\x0b\x0c\n",
    '\ufeffid,name\nA,"x\u2028"\n',
])
def test_read_columns_reads_as_the_csv_module_does(tmp_path, text):
    path = tmp_path / "entities.csv"
    path.write_text(text, encoding="utf-8", newline="")
    found = read_columns(path)
    expected = _gather(_csv_rows(path, decode_text(path.read_bytes(), path.name)))
    cells = {column: found.column(column) for column in found.columns}
    assert (found.columns, cells, list(found.lines), found.problems) == (
        expected.columns, expected.lists, list(expected.lines), expected.problems)
    for column in found.columns:
        assert found.blank(column).tolist() == [not cell for cell in cells[column]]
        assert found.distinct(column) == set(cells[column])
    every = [expected.row(at) for at in range(len(expected))]
    assert [found.row(at) for at in range(len(found))] == every
    assert [row for _, row in found.rows(list(range(len(found))))] == every
    assert [row for _, row in found.rows([0] if len(found) else [])] == every[:1]


def test_the_model_defaults_are_the_record_defaults():
    # an empty cell of a column parsed at once gets the property's default; a record made
    # row by row without that value gets its field's default: they must be one
    model = load_model()
    records = {"Entity": Entity, "Facility": Facility, "DeclaredGroup": DeclaredMember,
               "Underlying": Underlying, "Collateral": Collateral, "ProductParty": ProductParty}
    kinds = [(records[name], kind.properties) for name, kind in model.nodes.items()]
    kinds += [(Relationship, {**model.common, **kind.properties})
              for kind in model.relationships.values()]
    for cls, specs in kinds:
        defaults = {f.name: f.default for f in fields(cls)}
        for name, spec in specs.items():
            if spec.required:       # never empty in a valid row
                continue
            assert spec.default == defaults[name], (cls.__name__, name)
            assert type(spec.default) is type(defaults[name]), (cls.__name__, name)


@pytest.mark.parametrize("cls", [Entity, Facility, Relationship, DeclaredMember])
def test_records_made_from_columns_are_those_the_class_makes(cls):
    values = [f"v{at}" for at, _ in enumerate(fields(cls))]
    made = loaders.dataset.rows.maker(cls)(*values)
    assert made == cls(*values) and hash(made) == hash(cls(*values))
    assert type(made) is cls and [getattr(made, f.name) for f in fields(cls)] == values
    with pytest.raises(AttributeError):
        made.origin = "elsewhere"          # still frozen


def _specs() -> list[PropertySpec]:
    """A property of every type of the model (and each enum)."""
    model = load_model()
    specs = [*model.common.values(), *(s for k in model.nodes.values() for s in k.properties.values()),
             *(s for k in model.relationships.values() for s in k.properties.values())]
    return list({(s.type, s.values, s.default): s for s in specs}.values())


def test_every_type_of_the_model_is_parsed_by_columns():
    assert {s.type for s in _specs()} == set(PARSERS) | {"enum"}


CELLS = [*EDGE_CELLS, "5493001KJTIIGC8Y1R12", "5493001kjtiigc8y1r12", "5493001KJTIIGC8Y1R13",
         "91350100M000100Y43", "91350100m000100y43", "91350100M000100Y44", "123456789012345",
         "1e15", "1000000000000001", "0.0", "1.0", "1.0000001", "+0.5", ".5", "5.", "0x10",
         "1e-320", "100 %", "0.5%", "%", "nan%", "1e400%", "-5%", "50\u3000%", "٣٥%", "1_0%",
         "-0.0", "  ", "2024-01-01", "Y", "No", "watch", "DEFAULTED", "company ", "usd", "cny"]


@pytest.mark.parametrize("spec", _specs(), ids=lambda s: f"{s.type}:{s.name}")
def test_a_column_parses_each_cell_as_its_parser_does(spec):
    texts = [c.strip() for c in CELLS]
    parsed = parse_column(spec, texts, np.array([not t for t in texts]))
    for at, text in enumerate(texts):
        if not text:
            assert parsed.values[at] == spec.default and parsed.empty[at], text
            assert not parsed.rejected[at]
            continue
        try:
            expected = spec.parse(text) if not spec.verbatim else text
        except ValueRejected:
            assert parsed.rejected[at], text
            continue
        assert not parsed.rejected[at], text
        assert parsed.values[at] == expected and type(parsed.values[at]) is type(expected), text


def test_a_column_of_random_numbers_parses_as_its_parser_does():
    draw = random.Random(7)
    texts = [draw.choice([f"{draw.uniform(-2, 2):.{draw.randint(0, 17)}g}",
                          f"{draw.uniform(-1, 120):.3f}%", f"{draw.random():.20f}",
                          f"{draw.uniform(0, 2e15):.6e}", str(draw.randint(0, 10**16))])
             for _ in range(4000)]
    for spec in (s for s in _specs() if s.type in ("amount", "fraction", "share")):
        parsed = parse_column(spec, texts, np.zeros(len(texts), bool))
        for at, text in enumerate(texts):
            try:
                expected = spec.parse(text)
            except ValueRejected:
                assert parsed.rejected[at], (spec.type, text)
            else:
                assert (parsed.values[at], parsed.rejected[at]) == (expected, False), (spec.type, text)


def test_check_characters_at_once_as_one_at_a_time():
    draw = random.Random(3)
    uscc = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    codes = ["".join(draw.choice(uscc) for _ in range(18)) for _ in range(3000)]
    codes = [c[:17] + uscc_check_char(c[:17]) if at % 2 else c for at, c in enumerate(codes)]
    codes += ["I" * 18, "中" * 18, "", "9135"]
    assert uscc_check_mismatches(codes).tolist() == [
        len(c) == 18 and all(x in uscc for x in c) and uscc_check_char(c[:17]) != c[17] for c in codes]
    lei = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    codes = ["".join(draw.choice(lei) for _ in range(18)) for _ in range(3000)]
    codes = [c + (lei_check_digits(c) if at % 2 else f"{draw.randrange(100):02d}")
             for at, c in enumerate(codes)]
    codes += ["A" * 18 + "00", "A" * 18 + "99", "A" * 18 + "0A", "中" * 20, "", codes[1].lower()]
    assert lei_valid(codes).tolist() == [lei_is_valid(c) for c in codes]


def _bad_portfolio(folder: Path) -> None:
    """A generated portfolio with one of each kind of wrong cell, row and reference."""
    generate_portfolio(folder, parties=300, seed=5)
    entities = _rows(folder, "entities.csv")
    header = entities[0]
    cell = {name: at for at, name in enumerate(header)}
    companies = [r for r in entities[1:] if r[cell["kind"]] == "company"]
    persons = [r for r in entities[1:] if r[cell["kind"]] == "person"]
    companies[0][cell["net_assets"]] = "-5"
    companies[1][cell["revenue"]] = "1e400"
    companies[2][cell["total_assets"]] = "1_000"
    companies[3][cell["registration_id"]] = companies[3][cell["registration_id"]][:17] + "0"
    companies[4][cell["lei"]] = "5493001KJTIIGC8Y1R13"
    companies[5][cell["is_bank"]] = "maybe"
    companies[6][cell["status"]] = "asleep"
    companies[7][cell["name"]] = ""
    persons[0][cell["kind"]] = "robot"
    entities.append(list(companies[8]))                      # an id given twice
    _rewrite(folder, "entities.csv", entities)

    facilities = _rows(folder, "facilities.csv")
    cell = {name: at for at, name in enumerate(facilities[0])}
    facilities[1][cell["outstanding"]] = "lots"
    facilities[2][cell["ccf"]] = "1.5"
    facilities[3][cell["currency"]] = "EUR"
    facilities[4][cell["borrower"]] = "NOBODY"
    facilities[5][cell["borrower"]] = persons[0][0]          # a party whose row is wrong
    # the last rows name parties whose rows are valid
    facilities.append(list(facilities[-1]))
    facilities.append(list(facilities[-3]))
    facilities[-1][cell["currency"]] = "EUR"                 # a duplicate that is wrong too
    _rewrite(folder, "facilities.csv", facilities)

    relationships = _rows(folder, "relationships.csv")
    cell = {name: at for at, name in enumerate(relationships[0])}
    by_type: dict[str, list[list[str]]] = {}
    for row in relationships[1:]:
        by_type.setdefault(row[cell["type"]], []).append(row)
    owns, guarantees = by_type["OWNS"], by_type["GUARANTEES"]
    owns[0][cell["share"]] = "150%"
    owns[1][cell["share"]] = "35"
    owns[2][cell["share"]] = ""
    held = next(r for r in reversed(owns) if r[cell["source"]].startswith("C"))
    held[cell["target"]] = held[cell["source"]]
    # from here on, rows near the end: they name parties whose rows are valid, so that only
    # the one thing wrong makes them so
    owns[-4][cell["valid_from"]], owns[-4][cell["valid_to"]] = "2024-05-01", "2024-01-01"
    owns[-5][cell["valid_to"]] = "2024-02-30"
    owns[-6][cell["role"]] = "ceo"
    owns[-3][cell["target"]] = persons[-1][0]
    owns[-7][cell["source"]] = "NOBODY"
    owns[-8][cell["type"]] = "LOVES"
    owns[-9][cell["type"]] = "owns"                          # a type in small letters is fine
    guarantees[-2][cell["amount"]] = "9e15"
    guarantees[-3][cell["facility"]] = "F-NONE"
    late = guarantees[-1]                                    # a facility owed by someone else
    late[cell["facility"]] = next(f[0] for f in reversed(facilities[1:])
                                  if f[1] != late[cell["target"]])
    guarantees[-4][cell["eligible"]] = "perhaps"
    for row in relationships:                                # a column of an extension
        row.append("")
    relationships[0][-1] = "currency"
    guarantees[-5][-1], guarantees[-6][-1], guarantees[-7][-1] = "EUR", "usd", "CNY"
    by_type["MANAGES"][-1][cell["role"]] = "janitor"
    by_type["RELATIVE_OF"][-2][cell["relation"]] = "cousin"
    relationships.append(list(owns[-12]))                    # a fact given twice
    tie = by_type["RELATIVE_OF"][-1]
    turned = list(tie)
    turned[cell["source"]], turned[cell["target"]] = tie[cell["target"]], tie[cell["source"]]
    relationships.append(turned)                             # the same tie, turned round
    _rewrite(folder, "relationships.csv", relationships)

    groups = _rows(folder, "groups.csv")
    groups[1][1] = "NOBODY"
    groups[2][0] = ""
    groups.append(list(groups[3]))
    _rewrite(folder, "groups.csv", groups)


def test_a_folder_with_every_kind_of_bad_cell_has_the_same_problems_both_ways(tmp_path, monkeypatch):
    _bad_portfolio(tmp_path)
    found = same_both_ways(tmp_path, monkeypatch)
    assert isinstance(found, list)
    files = {problem.split(",")[0] for problem in found}
    assert files == {"entities.csv", "facilities.csv", "relationships.csv", "groups.csv"}
    assert any("duplicate id" in p for p in found)
    assert any("duplicate facility id" in p for p in found)
    assert any("duplicate RELATIVE_OF" in p for p in found)
    assert any("listed twice in group" in p for p in found)
    assert len(found) >= 35


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("columns") / "small"
    generate_portfolio(folder, parties=60, seed=2)
    return folder


def test_random_cells_give_the_same_outcome_both_ways(small, tmp_path, monkeypatch):
    original = {name: _rows(small, name) for name in TABLES}

    @FUZZ
    @given(st.data())
    def one(data: st.DataObject) -> None:
        folder = tmp_path / "mutated"
        shutil.rmtree(folder, ignore_errors=True)
        shutil.copytree(small, folder)
        tables = {name: [list(row) for row in rows] for name, rows in original.items()}
        for _ in range(data.draw(st.integers(1, 6))):
            name = data.draw(st.sampled_from(TABLES))
            rows = tables[name]
            line = data.draw(st.integers(1, len(rows) - 1))
            column = data.draw(st.integers(0, len(rows[0]) - 1))
            # an edge cell, any text, or another row's cell (a reference, a duplicate)
            rows[line][column] = data.draw(st.one_of(st.sampled_from(CELLS), st.text(max_size=8),
                                                     st.sampled_from([r[column] for r in rows])))
            _rewrite(folder, name, rows)
        same_both_ways(folder, monkeypatch)

    one()


def test_excel_and_parquet_read_the_same_both_ways(tmp_path, monkeypatch):
    generate_portfolio(tmp_path, parties=150, seed=4)
    frame = pd.read_csv(tmp_path / "facilities.csv", dtype=str, keep_default_na=False)
    frame.loc[3, "outstanding"] = "-1"
    frame.to_parquet(tmp_path / "facilities.parquet", index=False)
    frame = pd.read_csv(tmp_path / "groups.csv", dtype=str, keep_default_na=False)
    frame.to_excel(tmp_path / "groups.xlsx", index=False)
    for name in ("facilities.csv", "groups.csv"):
        (tmp_path / name).unlink()
    found = same_both_ways(tmp_path, monkeypatch)
    assert found == ["facilities.parquet, row 4, column 'outstanding': expected a non-negative "
                     "amount, got '-1'"]


def test_pyarrow_strips_what_str_strip_strips():
    spaces = {chr(code) for code in range(sys.maxunicode + 1) if chr(code).isspace()}
    assert set(loaders.tables._WHITESPACE) == spaces


def test_parquet_columns_of_every_type_read_as_row_by_row(tmp_path, monkeypatch):
    frame = pd.DataFrame({
        "id": ["C1", " C2 ", None, "C4"], "Name": ["a", "b\u3000", "c", None],
        "kind": pd.Categorical(["company", "person", "company", "company"]),
        "net_assets": [1.0, 2.5, float("nan"), 1e16], "is_bank": [True, False, None, True],
        "revenue": [1, 2, 3, 4], "statement_date": pd.to_datetime(
            ["2024-01-01", "2024-01-02T10:00:00", None, "2024-12-31"], format="ISO8601"),
        "nothing": [None, None, None, None]})
    path = tmp_path / "entities.parquet"
    frame.to_parquet(path, index=False)
    found = read_columns(path)
    expected = _gather(loaders.tables._read_parquet(path))
    assert found.columns == expected.columns == [c.lower() for c in frame.columns]
    assert {c: found.column(c) for c in found.columns} == expected.lists
    assert list(found.lines) == list(expected.lines) == [1, 2, 3, 4]
    assert [found.row(at) for at in range(4)] == [expected.row(at) for at in range(4)]


def test_a_column_table_gives_rows_as_the_row_reader_does(tmp_path):
    path = tmp_path / "groups.csv"
    path.write_text("group_id,member,note\nG1,P1,\nG1, P2 ,x\n", encoding="utf-8")
    table = read_columns(path)
    assert isinstance(table, ColumnTable) and len(table) == 2
    assert table.row(1).line == 3 and table.row(1).cells == {"group_id": "G1", "member": "P2",
                                                             "note": "x"}
    assert table.column("absent") == ["", ""] and table.blank("absent").tolist() == [True, True]
