"""BODS 0.4 on the real Gasgrid example; the 0.2 rendering of the GLEIF extract; interests,
ranges, versions and errors on small hand-written statements."""

import json
from datetime import date
from pathlib import Path

import pytest

from graph.analysis import analyse
from loaders.bods import read_bods
from loaders.gleif import read_gleif
from loaders.merge import merge_sources
from tests.loaders.real_data import gasgrid_file, gleif_files

GASGRID, KAASUVERKKO, MINISTRY, REPUBLIC = ("bods:19f1c5afe9d7", "bods:0199c515a699",
                                            "bods:7ff95ba3682c", "bods:05ce06ec97b1")
AS_OF = date(2023, 11, 6)


def test_gasgrid_entities_and_edges():
    source = read_bods(gasgrid_file())
    assert (source.problems, source.notes, source.standard) == ([], [], "BODS 0.4")
    names = {i: e.name for i, e in source.entities.items()}
    assert names == {GASGRID: "Gasgrid Finland Oy", KAASUVERKKO: "Suomen Kaasuverkko Oy",
                     MINISTRY: "Valtiovarainministerio", REPUBLIC: "Suomen tasavalta"}
    gasgrid = source.entities[GASGRID]
    assert (gasgrid.registration_id, gasgrid.country, gasgrid.extra["registration_scheme"]) == (
        "3007894-1", "FI", "FI-PRO")
    assert (gasgrid.source_standard, gasgrid.record_id, gasgrid.statement_date,
            gasgrid.origin) == ("BODS 0.4", "19f1c5afe9d7", date(2022, 2, 14),
                                "bods-package-fi-soe.json:2")
    assert source.entities[MINISTRY].extra["bods_type"] == "stateBody/governmentDepartment"
    edges = [(r.type, r.source, r.target, r.share) for r in source.relationships]
    assert edges == [
        ("OWNS", KAASUVERKKO, GASGRID, 0.765),
        ("OWNS", MINISTRY, KAASUVERKKO, 1.0),
        ("OWNS", MINISTRY, GASGRID, 0.235),
        ("CONTROLS", REPUBLIC, MINISTRY, None),
        # declared indirect: kept to check, not an edge of ownership
        ("DECLARED_INTEREST", REPUBLIC, GASGRID, 1.0),
    ]
    declared = source.relationships[-1]
    assert (declared.interest_type, declared.interest_level, declared.record_id,
            declared.origin) == ("shareholding", "indirect", "e8ddaee2a7a4",
                                 "bods-package-fi-soe.json:304")
    assert declared.extra["component_records"].startswith("0199c515a699, 7ff95ba3682c")
    assert source.relationships[3].basis == "otherInfluenceOrControl (BODS)"


def test_gasgrid_integrated_ownership_and_control():
    analysis = analyse(merge_sources([read_bods(gasgrid_file())]).dataset, as_of=AS_OF)
    # the ministry: 23.5 % directly + 100 % x 76.5 % through Suomen Kaasuverkko
    assert analysis.integrated_ownership(MINISTRY, GASGRID) == pytest.approx(1.0, abs=1e-12)
    assert analysis.integrated_ownership(KAASUVERKKO, GASGRID) == pytest.approx(0.765)
    # the republic holds no shares: its link to the ministry is control, not ownership
    assert analysis.integrated_ownership(REPUBLIC, GASGRID) == 0.0
    for company in (GASGRID, KAASUVERKKO, MINISTRY):
        assert analysis.control.ultimate_controllers(company) == [REPUBLIC]
    assert analysis.group_by_member[GASGRID].members == tuple(sorted(
        [GASGRID, KAASUVERKKO, MINISTRY, REPUBLIC]))


def test_the_bods_02_rendering_of_gleif_gives_the_graph_of_the_xml():
    lei, rr = gleif_files()
    folder = lei.parent
    bods = read_bods([folder / "lei-updates-data2-out.json", folder / "rr-updates-data2-out.json"])
    assert bods.problems == [] and bods.standard == "BODS 0.2"
    xml = read_gleif([lei], [rr])
    assert set(bods.entities) == set(xml.entities)
    assert [(r.type, r.source, r.target, r.fund_relation) for r in bods.relationships] == \
        [(r.type, r.source, r.target, r.fund_relation) for r in xml.relationships]
    one, other = (analyse(merge_sources([s]).dataset, as_of=AS_OF) for s in (bods, xml))
    for entity in xml.entities:
        assert one.control.ultimate_controllers(entity) == other.control.ultimate_controllers(entity)


# -- small hand-written BODS 0.4 ------------------------------------------------------------

def entity(record_id, name, **details):
    return {"statementId": f"s-{record_id}", "statementDate": "2024-01-31", "recordId": record_id,
            "recordStatus": "new", "recordType": "entity",
            "publicationDetails": {"bodsVersion": "0.4"},
            "recordDetails": {"isComponent": False, "entityType": {"type": "registeredEntity"},
                              "name": name, **details}}


def person(record_id, name):
    return {"statementId": f"s-{record_id}", "statementDate": "2024-01-31", "recordId": record_id,
            "recordStatus": "new", "recordType": "person",
            "recordDetails": {"isComponent": False, "personType": "knownPerson",
                              "names": [{"type": "individual", "fullName": name}]}}


def link(record_id, subject, party, *interests, date_="2024-01-31", status="new"):
    return {"statementId": f"s-{record_id}-{date_}", "statementDate": date_,
            "recordId": record_id, "recordStatus": status, "recordType": "relationship",
            "recordDetails": {"isComponent": False, "subject": subject, "interestedParty": party,
                              "interests": list(interests)}}


def interest(kind, level="direct", start="2020-01-01", **share):
    return {"type": kind, "directOrIndirect": level, "startDate": start,
            **({"share": share} if share else {})}


def write(tmp_path: Path, statements, name="bods.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(statements, indent=1), encoding="utf-8")
    return path


PARTIES = [entity("c1", "Company One"), entity("c2", "Company Two"), person("p1", "Anna Virtanen")]


def edges_of(tmp_path, *links, **options):
    source = read_bods(write(tmp_path, [*PARTIES, *links]), **options)
    assert source.problems == []
    return source.relationships


def test_a_range_keeps_both_ends_and_uses_the_minimum(tmp_path):
    (owns,) = edges_of(tmp_path, link("r1", "c1", "p1", interest("shareholding", minimum=25,
                                                                 maximum=50)))
    assert (owns.type, owns.share, owns.share_min, owns.share_max) == ("OWNS", 0.25, 0.25, 0.5)
    (owns,) = edges_of(tmp_path, link("r1", "c1", "p1", interest("shareholding", minimum=25,
                                                                 maximum=50)),
                       range_share="maximum")
    assert owns.share == 0.5 and owns.share_min == 0.25


def test_more_than_half_in_a_band_is_control(tmp_path):
    (owns,) = edges_of(tmp_path, link("r1", "c1", "p1", interest(
        "shareholding", exclusiveMinimum=50, maximum=75)))
    assert owns.share == pytest.approx(0.500001) and owns.share_min == 0.5
    dataset = merge_sources([read_bods(write(tmp_path, [*PARTIES, link(
        "r1", "c1", "p1", interest("shareholding", exclusiveMinimum=50, maximum=75))]))]).dataset
    assert analyse(dataset, as_of=AS_OF).control.ultimate_controllers("bods:c1") == ["bods:p1"]


def test_voting_rights_control_above_half_and_are_declared_otherwise(tmp_path):
    control, declared = edges_of(
        tmp_path, link("r1", "c1", "p1", interest("votingRights", exact=60)),
        link("r2", "c2", "p1", interest("votingRights", exact=30)))
    assert (control.type, control.basis, control.share_min) == (
        "CONTROLS", "majority of voting rights (BODS)", 0.6)
    assert (declared.type, declared.interest_type, declared.interest_level, declared.share) == (
        "DECLARED_INTEREST", "votingRights", "direct", 0.3)


def test_board_and_other_control_and_managers(tmp_path):
    control, manages = edges_of(
        tmp_path,
        link("r1", "c1", "c2", interest("appointmentOfBoard"), interest("otherInfluenceOrControl")),
        link("r2", "c1", "p1", interest("boardChair")))
    assert (control.type, control.source, control.basis) == (
        "CONTROLS", "bods:c2", "appointmentOfBoard, otherInfluenceOrControl (BODS)")
    assert (manages.type, manages.source, manages.role) == ("MANAGES", "bods:p1", "chairman")


def test_the_latest_statement_of_a_record_wins_and_closed_ends_it(tmp_path):
    first = link("r1", "c1", "p1", interest("shareholding", exact=40), date_="2023-01-01")
    later = link("r1", "c1", "p1", interest("shareholding", exact=45), date_="2024-01-01")
    (owns,) = edges_of(tmp_path, later, first)   # order in the file does not matter
    assert owns.share == 0.45 and owns.statement_date == date(2024, 1, 1)
    closed = link("r1", "c1", "p1", interest("shareholding", exact=45), date_="2024-06-01",
                  status="closed")
    (owns,) = edges_of(tmp_path, first, later, closed)
    assert owns.valid_to == date(2024, 5, 31) and not owns.is_current(date(2024, 6, 1))
    assert owns.registration_status == "closed"


def test_unspecified_interested_party_is_noted_on_the_subject(tmp_path):
    unknown = link("r1", "c1", "x", interest("shareholding", exact=80))
    unknown["recordDetails"]["interestedParty"] = {
        "reason": "subjectUnableToConfirmOrIdentifyBeneficialOwner"}
    source = read_bods(write(tmp_path, [*PARTIES, unknown]))
    assert source.relationships == []
    assert source.entities["bods:c1"].extra["unspecified_interested_party"] == (
        "subjectUnableToConfirmOrIdentifyBeneficialOwner (record r1)")
    assert "no edge" in source.notes[0]


def test_old_statement_types_and_replaced_statements(tmp_path):
    statements = [
        {"statementID": "e1", "statementType": "entityStatement", "entityType": "registeredEntity",
         "name": "Oy Esimerkki Ab", "identifiers": [{"scheme": "XI-LEI", "id": "5493001KJTIIGC8Y1R12"}]},
        {"statementID": "pp1", "statementType": "personStatement",
         "names": [{"givenName": "Matti", "familyName": "Meikäläinen"}]},
        {"statementID": "o1", "statementType": "ownershipOrControlStatement",
         "subject": {"describedByEntityStatement": "e1"},
         "interestedParty": {"describedByPersonStatement": "pp1"},
         "interests": [{"type": "shareholding", "interestLevel": "direct", "share": {"exact": 30}}]},
        {"statementID": "o2", "statementType": "ownershipOrControlStatement",
         "replacesStatements": ["o1"], "subject": {"describedByEntityStatement": "e1"},
         "interestedParty": {"describedByPersonStatement": "pp1"},
         "interests": [{"type": "voting-rights", "interestLevel": "direct", "share": {"exact": 70}}]},
    ]
    source = read_bods(write(tmp_path, statements))
    assert source.problems == []
    assert source.entities["bods:pp1"].name == "Matti Meikäläinen"
    (control,) = source.relationships
    assert (control.type, control.source, control.target) == (
        "CONTROLS", "bods:pp1", "5493001KJTIIGC8Y1R12")   # the LEI is the id


def test_json_lines(tmp_path):
    path = tmp_path / "bods.jsonl"
    path.write_text("\n".join(json.dumps(s) for s in [
        *PARTIES, link("r1", "c1", "p1", interest("shareholding", exact=55))]), encoding="utf-8")
    (owns,) = read_bods(path).relationships
    assert owns.share == 0.55 and owns.origin == "bods.jsonl:4"


def start_line(path: Path, record_id: str) -> int:
    """The line where the statement of ``record_id`` opens (json.dumps with indent=1)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    at = next(i for i, text in enumerate(lines, 1) if f'"recordId": "{record_id}"' in text)
    return max(i for i in range(1, at) if lines[i - 1] == " {")


def test_problems_name_file_line_and_field(tmp_path):
    bad_share = link("r1", "c1", "p1", interest("shareholding", exact=150))
    bad_lei = entity("c3", "Bad LEI Oy", identifiers=[{"scheme": "XI-LEI",
                                                       "id": "5493001KJTIIGC8Y1R13"}])
    path = write(tmp_path, [*PARTIES, bad_share, bad_lei])
    assert [str(p) for p in read_bods(path).problems] == [
        f"bods.json, line {start_line(path, 'r1')}, column 'interests[0].share.exact': expected "
        "a percentage from 0 to 100, got 150",
        f"bods.json, line {start_line(path, 'c3')}, column 'identifiers': expected an LEI with "
        "valid ISO 7064 check digits, got '5493001KJTIIGC8Y1R13'",
    ]
    # references are resolved once every statement is read, and reported with their line
    path = write(tmp_path, [*PARTIES, link("r2", "c1", "p9", interest("shareholding", exact=10))])
    assert [str(p) for p in read_bods(path).problems] == [
        f"bods.json, line {start_line(path, 'r2')}, column 'interestedParty': unknown entity or "
        "person record 'p9'"]


def test_malformed_json(tmp_path):
    path = tmp_path / "bods.json"
    path.write_text('[\n {"recordId": "c1", "recordType": "entity",\n  "recordDetails": {]}\n]',
                    encoding="utf-8")
    source = read_bods(path)
    assert [str(p) for p in source.problems] == [
        "bods.json, line 3, column 'JSON': malformed JSON at column 21: Expecting property name "
        "enclosed in double quotes"]
