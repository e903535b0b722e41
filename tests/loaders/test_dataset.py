"""Loading a dataset folder: the happy path, encodings, formats, and one bad file per kind
of error, each naming file, line and column."""

import json
from pathlib import Path

import pandas as pd
import pytest

from api.cli.formats import render_json
from graph.analysis import analyse
from graph.reports.report import build_report
from graph.risk import assess
from graph.stores.embedded import EmbeddedStore
from loaders.dataset import read_dataset
from loaders.synthetic import generate_portfolio
from schema.errors import InvalidDataset
from tests.api.sample import write_sample
from tests.datasets import BANK_TOML, write_folder, write_table

ENTITIES = [
    {"id": "P1", "name": "王建国", "kind": "person"},
    {"id": "P2", "name": "李芳", "kind": "person"},
    {"id": "C1", "name": "华信实业集团有限公司", "kind": "company",
     "registration_id": "91350100M000100Y43", "lei": "5493001KJTIIGC8Y1R12", "net_assets": "500"},
    {"id": "C2", "name": "Harbour Logistics Ltd", "kind": "company", "is_bank": "false"},
]
RELATIONSHIPS = [
    {"type": "OWNS", "source": "P1", "target": "C1", "share": "40%"},
    {"type": "OWNS", "source": "P2", "target": "C1", "share": "0.15"},
    {"type": "RELATIVE_OF", "source": "P2", "target": "P1", "relation": "spouse"},
    {"type": "OWNS", "source": "C1", "target": "C2", "share": "60 %"},
    {"type": "GUARANTEES", "source": "C2", "target": "C1", "amount": "30", "facility": "F1",
     "eligible": "true"},
]
FACILITIES = [
    {"id": "F1", "borrower": "C1", "outstanding": "100", "undrawn": "50", "ccf": "0.5",
     "currency": "USD"},
    {"id": "F2", "borrower": "C2", "outstanding": "20"},
]


def good_folder(tmp_path: Path) -> Path:
    return write_folder(tmp_path / "data", [dict(e) for e in ENTITIES],
                        [dict(r) for r in RELATIONSHIPS], [dict(f) for f in FACILITIES])


def test_reads_a_valid_folder(tmp_path):
    data = read_dataset(good_folder(tmp_path))
    assert list(data.entities) == ["P1", "P2", "C1", "C2"]
    assert data.entities["C1"].name == "华信实业集团有限公司"
    assert data.entities["C1"].net_assets == 500.0
    shares = [r.share for r in data.relationships if r.type == "OWNS"]
    assert shares == [0.4, 0.15, 0.6]
    tie = next(r for r in data.relationships if r.type == "RELATIVE_OF")
    assert (tie.source, tie.target) == ("P1", "P2")       # undirected: stored in order
    assert data.facilities[0].currency == "USD"
    assert data.facilities[1].undrawn == 0.0              # default
    assert data.bank.fx == {"USD": 7.0}
    assert data.relationships[0].origin == "relationships.csv:2"


def test_turning_a_relative_pair_round_keeps_its_meaning(tmp_path):
    relationships = [*RELATIONSHIPS[:2], {"type": "RELATIVE_OF", "source": "P2", "target": "P1",
                                          "relation": "parent"}, *RELATIONSHIPS[3:]]
    folder = write_folder(tmp_path / "d", ENTITIES, relationships, FACILITIES)
    tie = next(r for r in read_dataset(folder).relationships if r.type == "RELATIVE_OF")
    assert (tie.source, tie.relation, tie.target) == ("P1", "child", "P2")


def test_extra_columns_are_kept(tmp_path):
    entities = [dict(e, analyst_note="AA") for e in ENTITIES]
    folder = write_folder(tmp_path / "d", entities, RELATIONSHIPS, FACILITIES)
    assert read_dataset(folder).entities["C1"].extra == {"analyst_note": "AA"}


def test_gbk_encoded_file_with_chinese_names_loads(tmp_path):
    folder = good_folder(tmp_path)
    write_table(folder / "entities.csv", ENTITIES, encoding="gbk")
    raw = (folder / "entities.csv").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    data = read_dataset(folder)
    assert data.entities["P1"].name == "王建国"
    assert data.entities["C1"].name == "华信实业集团有限公司"


def test_utf8_with_bom_loads(tmp_path):
    folder = good_folder(tmp_path)
    write_table(folder / "entities.csv", ENTITIES, encoding="utf-8-sig")
    assert (folder / "entities.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    assert read_dataset(folder).entities["P2"].name == "李芳"


@pytest.mark.parametrize("suffix", [".xlsx", ".parquet"])
def test_excel_and_parquet_carry_the_same_columns(tmp_path, suffix):
    folder = good_folder(tmp_path)
    expected = read_dataset(folder)
    for stem in ("entities", "relationships", "facilities"):
        frame = pd.read_csv(folder / f"{stem}.csv", dtype=str, keep_default_na=False)
        (folder / f"{stem}.csv").unlink()
        if suffix == ".xlsx":
            frame.to_excel(folder / f"{stem}.xlsx", sheet_name=stem, index=False)
        else:
            frame.to_parquet(folder / f"{stem}.parquet", index=False)
    assert read_dataset(folder).version == expected.version


def test_excel_numbers_and_percent_cells(tmp_path):
    folder = good_folder(tmp_path)
    frame = pd.DataFrame([{"type": "OWNS", "source": "P1", "target": "C1", "share": 0.4},
                          {"type": "OWNS", "source": "C1", "target": "C2", "share": 0.6}])
    (folder / "relationships.csv").unlink()
    frame.to_excel(folder / "relationships.xlsx", index=False)
    data = read_dataset(folder)
    assert [r.share for r in data.relationships] == [0.4, 0.6]


def problems_of(folder: Path) -> list[str]:
    """The problems of a bad folder, after checking that loading it into a store that
    holds a good dataset leaves that store exactly as it was."""
    store_path = folder.parent / "store.sqlite"
    store = EmbeddedStore(store_path)
    store.replace(read_dataset(good_folder(folder.parent / "good")))
    before = store_path.read_bytes()
    with pytest.raises(InvalidDataset) as caught:
        store.replace(read_dataset(folder))
    assert store_path.read_bytes() == before
    return [str(p) for p in caught.value.problems]


def bad(tmp_path, *, entities=None, relationships=None, facilities=None, bank=BANK_TOML):
    return write_folder(tmp_path / "bad", entities or [dict(e) for e in ENTITIES],
                        relationships or [dict(r) for r in RELATIONSHIPS],
                        facilities or [dict(f) for f in FACILITIES], bank_toml=bank)


def test_missing_required_column(tmp_path):
    entities = [{k: v for k, v in e.items() if k != "kind"} for e in ENTITIES]
    assert problems_of(bad(tmp_path, entities=entities)) == [
        "entities.csv, line 1, column 'kind': missing required column"]


def test_missing_required_value(tmp_path):
    entities = [dict(e) for e in ENTITIES]
    entities[1]["name"] = ""
    assert problems_of(bad(tmp_path, entities=entities)) == [
        "entities.csv, line 3, column 'name': expected a value (text)"]


def test_unknown_entity_in_an_edge_and_in_a_facility(tmp_path):
    relationships = [dict(r) for r in RELATIONSHIPS]
    relationships[3]["target"] = "C9"
    facilities = [dict(f) for f in FACILITIES]
    facilities[1]["borrower"] = "X"
    assert problems_of(bad(tmp_path, relationships=relationships, facilities=facilities)) == [
        "facilities.csv, line 3, column 'borrower': unknown entity id 'X'",
        "relationships.csv, line 5, column 'target': unknown entity id 'C9'",
    ]


def test_duplicate_id(tmp_path):
    entities = [*ENTITIES, {"id": "C1", "name": "again", "kind": "company"}]
    assert problems_of(bad(tmp_path, entities=entities)) == [
        "entities.csv, line 6, column 'id': duplicate id 'C1', first given on line 4"]


def test_unknown_type_and_kind(tmp_path):
    entities = [dict(e) for e in ENTITIES]
    entities[3]["kind"] = "trust"
    relationships = [dict(r) for r in RELATIONSHIPS]
    relationships[0]["type"] = "LOVES"
    found = problems_of(bad(tmp_path, entities=entities, relationships=relationships))
    assert found[0] == "entities.csv, line 5, column 'kind': expected one of company, person, got 'trust'"
    assert found[1].startswith("relationships.csv, line 2, column 'type': expected one of CONTROLS,")
    assert found[1].endswith("got 'LOVES'")
    # C2's row was rejected: edges to it are not reported again
    assert len(found) == 2


def test_negative_amount_and_ccf_outside_0_1(tmp_path):
    facilities = [dict(f) for f in FACILITIES]
    facilities[0]["outstanding"] = "-5"
    facilities[1]["ccf"] = "1.5"
    assert problems_of(bad(tmp_path, facilities=facilities)) == [
        "facilities.csv, line 2, column 'outstanding': expected a non-negative amount, got '-5'",
        "facilities.csv, line 3, column 'ccf': expected a number from 0 to 1, got '1.5'",
    ]


def test_share_sum_above_one_names_company_and_sum(tmp_path):
    relationships = [*RELATIONSHIPS, {"type": "OWNS", "source": "C2", "target": "C1",
                                      "share": "50%"}]
    found = problems_of(bad(tmp_path, relationships=relationships))
    assert len(found) == 1
    assert found[0].startswith("relationships.csv, line 7, column 'share': the shares held in "
                               "'C1' (华信实业集团有限公司) sum to 1.05 (105.0000%)")
    assert "relationships.csv:2, relationships.csv:3, relationships.csv:7" in found[0]


def test_bare_share_above_one_is_ambiguous(tmp_path):
    relationships = [dict(r) for r in RELATIONSHIPS]
    relationships[0]["share"] = "35"
    found = problems_of(bad(tmp_path, relationships=relationships))
    assert found == ["relationships.csv, line 2, column 'share': expected a share as a fraction "
                     "in (0, 1] or a percentage such as 35%; the bare number '35' is ambiguous"]


def test_currency_without_fx_rate(tmp_path):
    facilities = [dict(f) for f in FACILITIES]
    facilities[1]["currency"] = "EUR"
    assert problems_of(bad(tmp_path, facilities=facilities)) == [
        "facilities.csv, line 3, column 'currency': no exchange rate for EUR: add it under [fx] "
        "in bank.toml (units of CNY per unit of EUR)"]


def test_self_loop_and_wrong_end_kinds(tmp_path):
    relationships = [*RELATIONSHIPS,
                     {"type": "GUARANTEES", "source": "C1", "target": "C1", "amount": "5"},
                     {"type": "MANAGES", "source": "C1", "target": "C2", "role": "ceo"}]
    assert problems_of(bad(tmp_path, relationships=relationships)) == [
        "relationships.csv, line 7, column 'target': GUARANTEES from 'C1' to itself",
        "relationships.csv, line 8, column 'source': MANAGES source must be a person; "
        "'C1' is a company",
    ]


def test_value_in_a_column_that_does_not_apply(tmp_path):
    relationships = [*RELATIONSHIPS, {"type": "MANAGES", "source": "P1", "target": "C1",
                                      "role": "ceo", "share": "0.1"}]
    assert problems_of(bad(tmp_path, relationships=relationships)) == [
        "relationships.csv, line 7, column 'share': does not apply to MANAGES: leave it empty"]


def test_guaranteed_facility_must_belong_to_the_target(tmp_path):
    relationships = [*RELATIONSHIPS, {"type": "GUARANTEES", "source": "P1", "target": "C2",
                                      "amount": "5", "facility": "F1"}]
    assert problems_of(bad(tmp_path, relationships=relationships)) == [
        "relationships.csv, line 7, column 'facility': facility 'F1' is owed by 'C1', not by "
        "the guaranteed party 'C2'"]


def test_duplicate_edge_and_undirected_duplicate(tmp_path):
    relationships = [*RELATIONSHIPS,
                     {"type": "RELATIVE_OF", "source": "P1", "target": "P2", "relation": "spouse"}]
    assert problems_of(bad(tmp_path, relationships=relationships)) == [
        "relationships.csv, line 7: duplicate RELATIVE_OF P1 -> P2, first given on line 4: "
        "combine them into one row"]


def test_bad_identifiers_are_rejected(tmp_path):
    entities = [dict(e) for e in ENTITIES]
    entities[2]["lei"] = "5493001KJTIIGC8Y1R13"
    entities[2]["registration_id"] = "91350100M000100Y44"
    found = problems_of(bad(tmp_path, entities=entities))
    assert found[0] == ("entities.csv, line 4, column 'lei': expected a 20-character LEI with "
                        "valid ISO 7064 check digits, got '5493001KJTIIGC8Y1R13'")
    assert found[1].startswith("entities.csv, line 4, column 'registration_id': expected a "
                               "unified social credit code with a valid check character")


def test_all_problems_of_all_files_are_reported_together(tmp_path):
    entities = [dict(e) for e in ENTITIES]
    entities[0]["kind"] = "robot"
    entities[3]["net_assets"] = "lots"
    facilities = [dict(f) for f in FACILITIES]
    facilities[0]["undrawn"] = "-1"
    found = problems_of(bad(tmp_path, entities=entities, facilities=facilities))
    assert "entities.csv, line 2, column 'kind': expected one of company, person, got 'robot'" in found
    assert ("entities.csv, line 5, column 'net_assets': expected a non-negative number such as "
            "1234.56, got 'lots'") in found
    assert "facilities.csv, line 2, column 'undrawn': expected a non-negative amount, got '-1'" in found


def test_missing_files_and_bad_bank(tmp_path):
    folder = bad(tmp_path, bank='name = "X"\nbase_currency = "CNY"\ntier1_capital = -3\n')
    (folder / "facilities.csv").unlink()
    assert problems_of(folder) == [
        "bank.toml, column 'net_capital': missing required setting",
        "bank.toml, column 'tier1_capital': expected a number from 1 to 1e15 (units of the "
        "base currency), got -3",
        f"facilities.csv: missing: expected facilities.csv, .xlsx or .parquet in {folder}",
    ]


def test_undecodable_bytes_name_the_line(tmp_path):
    folder = good_folder(tmp_path)
    (folder / "facilities.csv").write_bytes(b"id,borrower,outstanding\nF1,C1,1\nF2,C2,\xff\xfe\n")
    assert problems_of(folder) == [
        "facilities.csv, line 3: expected text in UTF-8 or GB18030/GBK; byte 38 (0xff) is neither"]


def test_row_of_wrong_width(tmp_path):
    folder = good_folder(tmp_path)
    (folder / "facilities.csv").write_text("id,borrower,outstanding\nF1,C1,1,9\n")
    assert problems_of(folder) == [
        "facilities.csv, line 2: expected 3 cells as in the header, found 4"]


def quote_last_cell(path: Path, line: int, *, opening: bool = True) -> None:
    """Put a stray quote before (or after) the last cell of ``line``, as a hand edit may."""
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    head, _, last = lines[line - 1].rstrip("\n").rpartition(",")
    lines[line - 1] = f'{head},"{last}\n' if opening else f'{head},{last}"\n'
    path.write_text("".join(lines), encoding="utf-8")


@pytest.mark.parametrize(("table", "line"), [("relationships.csv", 11), ("groups.csv", 20)])
def test_a_stray_quote_is_an_unterminated_cell_not_a_swallow(tmp_path, table, line):
    # The csv module read an unclosed quote as one cell holding every later line: the load
    # took 10 of the 85 relationships and said nothing, and missed a row given twice after it.
    folder = tmp_path / "data"
    generate_portfolio(folder, parties=40, seed=1)
    lines = (folder / table).read_text(encoding="utf-8").splitlines(keepends=True)
    (folder / table).write_text("".join([*lines, lines[1]]), encoding="utf-8")
    quote_last_cell(folder / table, line)
    assert problems_of(folder) == [
        f"{table}, line {line}: unterminated quoted cell: the quote opened on this line is "
        f"never closed, so it would swallow every line after it; expected a closing '\"'"]


def test_a_quoted_cell_running_over_lines_is_an_error(tmp_path):
    # Two stray quotes make one cell of lines 5 to 9, which has the header's width: the
    # rows between them vanished, the duplicate of line 2 on line 7 with them.
    folder = tmp_path / "data"
    generate_portfolio(folder, parties=40, seed=1)
    lines = (folder / "groups.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    lines[6] = lines[1]
    (folder / "groups.csv").write_text("".join(lines), encoding="utf-8")
    quote_last_cell(folder / "groups.csv", 5)
    quote_last_cell(folder / "groups.csv", 9, opening=False)
    assert problems_of(folder) == [
        "groups.csv, line 5, column 'group_name': the cell holds a line break (it runs on to "
        "line 9): expected every row on one line; is a quote unbalanced?"]


def bank_with(**settings: str) -> str:
    """bank.toml of the good folder with ``settings`` (TOML values as written) replaced."""
    lines = [line.partition(" = ") for line in BANK_TOML.splitlines()]
    return "".join(f"{key} = {settings[key]}\n" if key in settings else f"{key}{eq}{value}\n"
                   for key, eq, value in lines)


@pytest.mark.parametrize(("value", "shown"), [("nan", "nan"), ("inf", "inf"), ("1e400", "inf"),
                                             ("1e-300", "1e-300"), ("0.5", "0.5"),
                                             ("2e15", "2000000000000000.0")])
@pytest.mark.parametrize("key", ["tier1_capital", "net_capital"])
def test_capital_must_be_a_finite_amount_of_at_least_one_unit(tmp_path, key, value, shown):
    # 1e-300 would make every share of tier 1 infinite; nan and inf ended up in the report
    assert problems_of(bad(tmp_path, bank=bank_with(**{key: value}))) == [
        f"bank.toml, column '{key}': expected a number from 1 to 1e15 (units of the base "
        f"currency), got {shown}"]


@pytest.mark.parametrize(("value", "shown"), [("nan", "nan"), ("inf", "inf"), ("1e400", "inf"),
                                             ("0", "0"), ("1e10", "10000000000.0"),
                                             ("1e-10", "1e-10")])
def test_fx_rate_must_be_finite_and_bounded(tmp_path, value, shown):
    assert problems_of(bad(tmp_path, bank=bank_with(USD=value))) == [
        f"bank.toml, column 'fx.USD': expected a rate from 1e-9 to 1e9 (units of CNY per "
        f"unit of USD), got {shown}"]


def test_unknown_regime_is_refused_at_load(tmp_path):
    assert problems_of(bad(tmp_path, bank=bank_with(regime='"NOPE"'))) == [
        "bank.toml, column 'regime': unknown regime 'NOPE': expected one of BASEL, CN-2018 or "
        "the path of a regime .toml file"]


def test_regime_file_is_found_beside_bank_toml_and_must_parse(tmp_path, monkeypatch):
    folder = bad(tmp_path, bank=bank_with(regime='"own.toml"'))
    own = folder / "own.toml"
    assert problems_of(folder) == [
        f"bank.toml, column 'regime': unknown regime 'own.toml': expected one of BASEL, "
        f"CN-2018 or the path of a regime .toml file (looked for {own})"]
    own.write_text('name = "OWN"\ndependence_threshold = 0.6\n[ccf]\ndefault = 2\n')
    assert problems_of(folder) == [
        f"bank.toml, column 'regime': {own}: not a valid regime file: [ccf] needs a 'default' "
        f"and every factor in 0..1"]
    own.write_text('name = "OWN"\ndependence_threshold = 0.6\n[ccf]\ndefault = 0.5\n')
    monkeypatch.chdir(tmp_path)          # the path is kept whole: found from anywhere
    assert read_dataset(folder).bank.regime == str(own)


@pytest.mark.parametrize(("column", "row"), [("outstanding", 0), ("undrawn", 1)])
def test_amounts_above_a_quadrillion_are_refused(tmp_path, column, row):
    # two facilities of 1.7e308 loaded, and then the exposure sums overflowed
    facilities = [dict(f) for f in FACILITIES]
    facilities[row][column] = "1.7e308"
    assert problems_of(bad(tmp_path, facilities=facilities)) == [
        f"facilities.csv, line {row + 2}, column '{column}': expected an amount of at most "
        f"1e15, got '1.7e308'"]


def test_net_assets_and_guarantees_are_bounded_too(tmp_path):
    entities = [dict(e) for e in ENTITIES]
    entities[2]["net_assets"] = "1000000000000001"
    relationships = [dict(r) for r in RELATIONSHIPS]
    relationships[4]["amount"] = "9e15"
    assert problems_of(bad(tmp_path, entities=entities, relationships=relationships)) == [
        "entities.csv, line 4, column 'net_assets': expected an amount of at most 1e15, "
        "got '1000000000000001'",
        "relationships.csv, line 6, column 'amount': expected an amount of at most 1e15, "
        "got '9e15'"]


def test_the_largest_amounts_and_the_smallest_capital_keep_the_report_finite(tmp_path):
    facilities = [{"id": "F1", "borrower": "C1", "outstanding": "1e15", "undrawn": "1e15",
                   "ccf": "1"},
                  {"id": "F2", "borrower": "C2", "outstanding": "1e15", "undrawn": "", "ccf": ""}]
    folder = bad(tmp_path, facilities=facilities,
                 bank=bank_with(tier1_capital="1", net_capital="1"))
    report = json.loads(render_json(build_report(assess(analyse(read_dataset(folder))))))
    # F1: 1e15 + 1 x 1e15; F2: 1e15. C2 guarantees 30 of F1 (eligible): net moves 30.
    assert report["summary"]["exposure"] == {"gross": 3e15, "net": 3e15}
    group = report["groups"][0]
    assert group["share_of_tier1"] == {"gross": 3e15, "net": 3e15}
    assert {m["id"]: m["exposure"] for m in group["members"] if m["id"].startswith("C")} == {
        "C1": {"gross": 2e15, "net": 2e15 - 30}, "C2": {"gross": 1e15, "net": 1e15 + 30}}
    assert report["concentration"]["group"]["hhi"] == 10_000.0


GROUPS = [{"group_id": "G1", "member": "P1", "group_name": "瑞业实业集团"},
          {"group_id": "G1", "member": "P2", "group_name": "瑞业实业集团"},
          {"group_id": "G1", "member": "C1", "group_name": "瑞业实业集团"},
          {"group_id": "G2", "member": "C2", "group_name": "华信集团"}]


def test_a_utf8_file_with_one_gb18030_line_is_an_error_not_garbled(tmp_path):
    # Every UTF-8 name here has an even number of characters (3 bytes each), so the whole
    # file also decodes as GB18030: it was read so, and 瑞业实业集团 stored as 鐟炰笟瀹炰笟闆嗗洟.
    folder = write_folder(tmp_path / "bad", ENTITIES, RELATIONSHIPS, FACILITIES, GROUPS)
    groups = folder / "groups.csv"
    lines = groups.read_bytes().split(b"\n")
    lines[3] = lines[3].decode("utf-8").encode("gb18030")
    groups.write_bytes(b"\n".join(lines))
    groups.read_bytes().decode("gb18030")
    offset = len(b"\n".join(lines[:3])) + 1 + len(b"G1,C1,")
    assert problems_of(folder) == [
        f"groups.csv, line 4: expected one encoding for the whole file: this line is not valid "
        f"UTF-8 at byte {offset} (0xc8), while most of the file's other lines are"]


def test_a_gbk_file_keeps_its_names_when_some_lines_happen_to_be_valid_utf8(tmp_path):
    # 郑伟 in GBK is D6 A3 CE B0: two valid UTF-8 sequences (֣ΰ). Such lines are a minority
    # of a GBK file's lines with Chinese text, so the file is still read as GBK.
    entities = [*ENTITIES, {"id": "P3", "name": "郑伟", "kind": "person"}]
    folder = write_folder(tmp_path / "data", entities, RELATIONSHIPS, FACILITIES, GROUPS)
    write_table(folder / "entities.csv", entities, encoding="gbk")
    write_table(folder / "groups.csv", GROUPS, encoding="gbk")
    "郑伟".encode("gbk").decode("utf-8")
    data = read_dataset(folder)
    assert data.entities["P3"].name == "郑伟"
    assert data.entities["C1"].name == "华信实业集团有限公司"
    assert {m.group_name for m in data.declared_groups} == {"瑞业实业集团", "华信集团"}


def test_a_utf8_bom_means_utf8_throughout(tmp_path):
    folder = write_folder(tmp_path / "bad", ENTITIES, RELATIONSHIPS, FACILITIES, GROUPS)
    groups = folder / "groups.csv"
    text = groups.read_text(encoding="utf-8").replace("华信集团", "华信")
    groups.write_bytes(b"\xef\xbb\xbf" + text.encode("gb18030"))   # GB18030 but for the BOM
    assert problems_of(folder) == [
        "groups.csv, line 2: expected one encoding for the whole file: this line is not valid "
        "UTF-8 at byte 36 (0xc8), while the file starts with a UTF-8 byte order mark"]


@pytest.mark.parametrize("text", ["2024-W01-1", "2024W011", "20240101", "2024-02-30"])
def test_dates_are_year_month_day_only(tmp_path, text):
    # date.fromisoformat (3.11) also takes week and ordinal dates and the basic format
    relationships = [dict(r) for r in RELATIONSHIPS]
    relationships[0]["valid_to"] = text
    assert problems_of(bad(tmp_path, relationships=relationships)) == [
        f"relationships.csv, line 2, column 'valid_to': expected an ISO date such as "
        f"2024-12-31, got {text!r}"]


@pytest.mark.parametrize(("header", "message"), [
    ('",name,kind', "entities.csv, line 1: unterminated quoted cell"),
    ('"id\nx",name,kind', "entities.csv, line 1: the header runs on to line 2"),
])
def test_a_broken_header_is_an_error_at_line_1(tmp_path, header, message):
    # found by the loader fuzzer: the header's quote escaped the checks of the rows
    folder = write_sample(tmp_path / "data")
    lines = (folder / "entities.csv").read_text(encoding="utf-8").split("\n")
    lines[0] = header + lines[0][lines[0].index(",kind") + len(",kind"):]
    (folder / "entities.csv").write_text("\n".join(lines), encoding="utf-8")
    with pytest.raises(InvalidDataset) as error:
        read_dataset(folder)
    assert message in str(error.value)


def test_a_regime_file_outside_the_dataset_folder_is_refused(tmp_path):
    # a dataset under a server's reload root may not make it read files elsewhere
    (tmp_path / "elsewhere.toml").write_text('name = "X"\ndependence_threshold = 0.5\n'
                                             '[ccf]\ndefault = 0.5\n')
    for written in ('"../elsewhere.toml"', f'"{tmp_path / "elsewhere.toml"}"'):
        folder = bad(tmp_path, bank=bank_with(regime=written))
        assert problems_of(folder) == [
            f"bank.toml, column 'regime': regime file {written.strip(chr(34))!r}: expected a "
            f"file in the dataset folder"]
