"""Merging public sources with a bank's dataset: matching by LEI or registration id,
provenance, corroboration and conflicts, and the problems that stop a load."""

import json
from datetime import date
from pathlib import Path

import pytest

from graph.analysis import analyse
from graph.stores.embedded import EmbeddedStore
from loaders.bods import read_bods
from loaders.merge import load_paths, merge_sources, placeholder_bank
from schema.errors import InvalidDataset
from tests.datasets import write_folder
from tests.loaders.real_data import gasgrid_file, gleif_files
from tests.loaders.test_bods import PARTIES, entity, interest, link
from tests.loaders.test_gleif import MONEYTECH, MONOOVA_FX, MONOOVA_GLOBAL, VUB_BANK

AS_OF = date(2023, 11, 6)
BANK_ENTITIES = [
    {"id": "C1", "name": "VUB Bank", "kind": "company", "lei": VUB_BANK, "country": "SK"},
    {"id": "C2", "name": "Monoova Global Payments", "kind": "company",
     "registration_id": "106249852", "country": "AU"},
    {"id": "C3", "name": "Moneytech Group", "kind": "company", "lei": MONEYTECH},
    {"id": "P1", "name": "Jane Citizen", "kind": "person"},
]
BANK_RELATIONSHIPS = [{"type": "OWNS", "source": "P1", "target": "C3", "share": "70%"}]
BANK_FACILITIES = [{"id": "F1", "borrower": "C2", "outstanding": "100"}]


@pytest.fixture
def bank_folder(tmp_path):
    return write_folder(tmp_path / "bank", BANK_ENTITIES, BANK_RELATIONSHIPS, BANK_FACILITIES)


def test_bank_folder_merged_with_gleif(bank_folder):
    result = load_paths([bank_folder, *gleif_files()], as_of=AS_OF)
    data = result.dataset
    assert data.bank.name == "Test Bank"
    assert len(data.entities) == 4 + 12 - 3
    # by LEI: the bank's record and id are kept, the public record is named in extra
    assert data.entities["C1"].name == "VUB Bank"
    assert data.entities["C1"].extra["matched_records"] == (
        f"GLEIF LEI-CDF {VUB_BANK} (lei-updates-data2.xml:record 7) 2023-09-12")
    # by registration id "106 249 852", written without spaces by the bank: LEI filled in
    global_ = data.entities["C2"]
    assert (global_.lei, global_.registration_status) == (MONOOVA_GLOBAL, "ISSUED")
    assert VUB_BANK not in data.entities and MONOOVA_GLOBAL not in data.entities
    notes = [str(n) for n in result.notes if n.kind == "matched"]
    assert any("is C2 'Monoova Global Payments' (by registration id); the names differ; "
               "filled lei, legal_status, registration_status" in n for n in notes)
    # GLEIF's edges now join the bank's parties
    edges = {(r.type, r.source, r.target) for r in data.relationships}
    assert {("CONTROLS", "C3", "C2"), ("CONTROLS", "C2", MONOOVA_FX),
            ("ULTIMATE_PARENT_OF", "C3", MONOOVA_FX), ("OWNS", "P1", "C3")} <= edges
    analysis = analyse(data, as_of=AS_OF)
    # the bank knows who stands above Moneytech: GLEIF's accounting parent is not the top
    assert analysis.control.ultimate_controllers(MONOOVA_FX) == ["P1"]
    group = analysis.group_by_member["C2"]
    assert {"P1", "C3", "C2", MONOOVA_FX} <= set(group.members)
    assert analysis.group_exposure(group).gross == 100.0


def test_public_only_load_has_a_placeholder_bank_and_keeps_provenance(tmp_path):
    lei, rr = gleif_files()
    result = load_paths([lei, rr, gasgrid_file()], as_of=AS_OF)
    bank = result.dataset.bank
    assert bank == placeholder_bank([]).__class__(
        name="No bank: public ownership data only (GLEIF LEI-CDF / GLEIF RR-CDF, BODS 0.4); "
             "capital not given", base_currency="XXX", tier1_capital=1.0, net_capital=1.0,
        regime="CN-2018")
    assert (len(result.dataset.entities), len(result.dataset.relationships)) == (16, 16)
    assert result.dataset.facilities == ()
    store = EmbeddedStore(tmp_path / "store.sqlite")
    store.replace(result.dataset, source=" + ".join(result.sources))
    back = store.read()
    assert back.version == result.dataset.version
    gasgrid = back.entities["bods:19f1c5afe9d7"]
    assert (gasgrid.source_standard, gasgrid.record_id, gasgrid.statement_date, gasgrid.origin) == (
        "BODS 0.4", "19f1c5afe9d7", date(2022, 2, 14), "bods-package-fi-soe.json:2")
    declared = next(r for r in back.relationships if r.type == "ULTIMATE_PARENT_OF")
    assert (declared.source_standard, declared.statement_date, declared.quantifier) == (
        "GLEIF RR-CDF", date(2020, 7, 16), 1.0)


def write_bods(tmp_path: Path, statements) -> Path:
    path = tmp_path / "bods.json"
    path.write_text(json.dumps(statements), encoding="utf-8")
    return path


def test_the_same_link_from_two_sources_is_kept_once(tmp_path, bank_folder):
    # BODS knows Moneytech by its LEI and its holder by registration id
    statements = [
        entity("m", "MONEYTECH GROUP LIMITED", identifiers=[{"scheme": "XI-LEI", "id": MONEYTECH}]),
        entity("h", "Holder Pty Ltd", identifiers=[{"scheme": "AU-ACN", "id": "123 456 789"}],
               jurisdiction={"code": "AU"}),
        link("r1", "m", "h", interest("shareholding", exact=20)),
    ]
    folder = write_folder(tmp_path / "bank2", [*BANK_ENTITIES, {
        "id": "C4", "name": "Holder", "kind": "company", "registration_id": "123456789"}],
        [*BANK_RELATIONSHIPS, {"type": "OWNS", "source": "C4", "target": "C3", "share": "20%"}],
        BANK_FACILITIES)
    result = load_paths([folder, write_bods(tmp_path, statements)], as_of=AS_OF)
    owns = [r for r in result.dataset.relationships if r.type == "OWNS" and r.source == "C4"]
    assert len(owns) == 1 and owns[0].origin == "relationships.csv:3"
    assert owns[0].extra["also_stated_by"] == "BODS 0.4 r1 (bods.json:1) 2024-01-31"
    assert result.count("corroborated") == 1 and result.count("conflict") == 0

    statements[-1] = link("r1", "m", "h", interest("shareholding", exact=25))
    result = load_paths([folder, write_bods(tmp_path, statements)], as_of=AS_OF)
    (owns,) = [r for r in result.dataset.relationships if r.type == "OWNS" and r.source == "C4"]
    assert owns.share == 0.2   # the bank's own data comes first
    assert owns.extra["conflicting_statement"] == "BODS 0.4 r1 (bods.json:1) 2024-01-31: share=0.25"
    (conflict,) = [str(n) for n in result.notes if n.kind == "conflict"]
    assert "disagree (share 0.2 against 0.25); kept the first" in conflict


def test_shares_above_100_percent_across_sources_stop_the_load(tmp_path, bank_folder):
    statements = [
        entity("m", "MONEYTECH", identifiers=[{"scheme": "XI-LEI", "id": MONEYTECH}]),
        entity("h", "Other Holder"),
        link("r1", "m", "h", interest("shareholding", exact=40)),
    ]
    with pytest.raises(InvalidDataset) as error:
        load_paths([bank_folder, write_bods(tmp_path, statements)], as_of=AS_OF)
    (problem,) = error.value.problems
    assert str(problem) == (
        "bods.json, line 1, column 'share': the shares held in 'C3' (Moneytech Group) sum to "
        "110.0000%, more than 100% (R1): P1 70.0000% (relationships.csv:2), bods:h 40.0000% "
        "(bods.json:1)")


def test_a_party_no_file_describes_stops_the_load(tmp_path):
    _, rr = gleif_files()
    with pytest.raises(InvalidDataset) as error:
        load_paths([rr], as_of=AS_OF)
    first = str(error.value.problems[0])
    assert first == ("rr-updates-data2.xml, record 1, column 'source': FUND_LINK source "
                     "097900BHF50000076475 is in none of the files loaded (nor the bank's "
                     "entities): load the file that describes it")
    assert len(error.value.problems) == 11


def test_an_ambiguous_registration_id_matches_nothing(tmp_path):
    folder = write_folder(tmp_path / "bank", [
        {"id": "A", "name": "A Oy", "kind": "company", "registration_id": "3007894-1"},
        {"id": "B", "name": "B Oy", "kind": "company", "registration_id": "30078941"},
    ], [{"type": "DEPENDS_ON", "source": "A", "target": "B", "share": "10%"}],
        [{"id": "F1", "borrower": "A", "outstanding": "10"}])
    statements = [entity("g", "Gasgrid Finland Oy",
                         identifiers=[{"scheme": "FI-PRO", "id": "3007894-1"}])]
    result = load_paths([folder, write_bods(tmp_path, statements)], as_of=AS_OF)
    assert "bods:g" in result.dataset.entities
    (conflict,) = [n.message for n in result.notes if n.kind == "conflict"]
    assert "registration id 3007894-1 fits 2 parties (A, B); matched none" in conflict


def test_files_that_are_none_of_the_kinds_are_refused(tmp_path):
    other = tmp_path / "notes.txt"
    other.write_text("hello", encoding="utf-8")
    with pytest.raises(InvalidDataset, match="expected a dataset folder, a GLEIF LEI-CDF or "
                                             "RR-CDF XML file, or a BODS JSON file"):
        load_paths([other])


def test_merging_nothing_but_bods_people(tmp_path):
    result = merge_sources([read_bods(write_bods(tmp_path, [
        *PARTIES, link("r1", "c1", "p1", interest("shareholding", exact=60))]))])
    analysis = analyse(result.dataset, as_of=AS_OF)
    assert analysis.control.ultimate_controllers("bods:c1") == ["bods:p1"]


def test_parties_of_one_source_never_match_each_other_by_registration_id(tmp_path):
    # two companies with one register number under two registries: two parties
    statements = [entity("a", "A GmbH", identifiers=[{"scheme": "DE-CR", "id": "HRB 123"}]),
                  entity("b", "B GmbH", identifiers=[{"scheme": "DE-CR", "id": "HRB 123"}])]
    result = load_paths([write_bods(tmp_path, statements)])
    assert set(result.dataset.entities) == {"bods:a", "bods:b"}
    assert result.notes == []
