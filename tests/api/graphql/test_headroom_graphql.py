"""``headroom`` and ``whatIf`` (R19) through real HTTP, against ``groupgraph serve --store``
on an embedded store of the API's sample book (tests/api/sample.py): tier 1 1,000, net
capital 1,200 (CN-2018): single party 150, loans 120, group 200."""

from __future__ import annotations

from pathlib import Path

import pytest

from api.graphql.cost import FIELD_WEIGHTS
from graph.stores.embedded import EmbeddedStore
from loaders.dataset import read_dataset
from tests.api.conftest import Server, start_server
from tests.api.graphql.test_cost import cost

LIMIT = """fragment L on LimitHeadroom { check subjectId subjectKind limit gross net
           checkedExposure headroom limitCheck { limit denominator } }"""
WHAT_IF = """query($p: [ProposedFacility!]!) { whatIf(facilities: $p) { facilityIds
    before { ...L } after { ...L } newFlags { code check subjectId }
    subjects { subjectId kind before { ...L } after { ...L } flagsBefore { code check }
               newFlags { code check } } } } """ + LIMIT


@pytest.fixture(scope="module")
def store_file(sample_folder: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("headroom") / "store.sqlite"
    with EmbeddedStore(path) as store:
        store.replace(read_dataset(sample_folder), source=str(sample_folder))
    return path


@pytest.fixture(scope="module")
def server(store_file: Path, tmp_path_factory: pytest.TempPathFactory):
    started = start_server(["--store", f"embedded:{store_file}"],
                           tmp_path_factory.mktemp("serve") / "headroom.log")
    yield started
    started.stop()


def test_headroom_of_a_party_and_of_an_unknown_one(server: Server):
    data = server.data("""{ headroom(entityId: "C3") { entity { id name } groupId baseCurrency
        checks { ...L } binding { ...L } } }""" + LIMIT)
    room = data["headroom"]
    assert room["entity"] == {"id": "C3", "name": "深圳市明达科技有限公司"}
    # C3 borrows a loan of 120: single 15% x 1,000 = 150, 150 - 120 = 30; loans 10% x 1,200
    # = 120, 120 - 120 = 0 (binds)
    assert [(h["check"], h["subjectId"], h["limit"], h["gross"], h["net"], h["headroom"])
            for h in room["checks"]] == [("single_party", "C3", 150.0, 120.0, 120.0, 30.0),
                                         ("single_party_loans", "C3", 120.0, 120.0, 120.0, 0.0)]
    assert [(h["limitCheck"]["limit"], h["limitCheck"]["denominator"]) for h in room["checks"]] == [
        (0.15, "tier1_capital"), (0.1, "net_capital")]
    assert room["binding"]["check"] == "single_party_loans"
    assert room["groupId"] is None and room["baseCurrency"] == "CNY"

    # headroom is non-null: an unknown party is an error with a code, not a null
    unknown = server.graphql('{ headroom(entityId: "NOPE") { entity { id } } }')
    assert unknown["data"] is None
    [error] = unknown["errors"]
    assert error["extensions"]["code"] == "NOT_FOUND"
    assert error["message"] == "no party has the id 'NOPE'" and error["path"] == ["headroom"]

    c1 = server.data('{ headroom(entityId: "C1") { groupId checks { ...L } } }' + LIMIT)["headroom"]
    group = next(h for h in c1["checks"] if h["subjectKind"] == "GROUP")
    # the family group: 875 + 20 before mitigation, 845 + 50 after; 20% x 1,000 = 200 - 895 < 0
    assert (group["subjectId"], group["limit"], group["gross"], group["net"],
            group["headroom"]) == (c1["groupId"], 200.0, 895.0, 895.0, 0.0)


def test_what_if_with_a_guarantor_and_the_store_left_unchanged(server: Server, store_file: Path):
    version = server.data("{ dataset { version } }")["dataset"]["version"]
    content = store_file.read_bytes()
    # C5 borrows 10; 20 more guaranteed by C3 for 20 (eligible): C5 30 before mitigation, 10
    # after; C3 120 before, 140 after (headroom 150 - 140 = 10)
    data = server.data(WHAT_IF, {"p": [{"borrower": "C5", "outstanding": 20, "guarantor": "C3",
                                        "guaranteeAmount": 20}]})["whatIf"]
    assert data["facilityIds"] == ["WHATIF-1"]
    subjects = {s["subjectId"]: s for s in data["subjects"]}
    assert list(subjects) == ["C5", "C3"]
    c5 = subjects["C5"]["after"][0]
    assert (c5["gross"], c5["net"], c5["headroom"]) == (30.0, 10.0, 140.0)
    c3 = subjects["C3"]["after"][0]
    assert (c3["gross"], c3["net"], c3["headroom"]) == (120.0, 140.0, 10.0)
    assert subjects["C3"]["before"][0]["headroom"] == 30.0
    # before and after: every subject's limits in one list, C5's then C3's (two checks each:
    # single party 150, loans 120); C5 10 before (150 - 10 = 140, 120 - 10 = 110)
    assert [(h["subjectId"], h["check"], h["net"], h["headroom"]) for h in data["before"]] == [
        ("C5", "single_party", 10.0, 140.0), ("C5", "single_party_loans", 10.0, 110.0),
        ("C3", "single_party", 120.0, 30.0), ("C3", "single_party_loans", 120.0, 0.0)]
    # after: C5 30 before mitigation, 10 after (the guaranteed 20 moves to C3); loans are
    # drawn balances, the same in both views (30: 120 - 30 = 90); C3 120 + 20 = 140 after
    # mitigation, its loans still 120
    assert [(h["subjectId"], h["check"], h["gross"], h["net"], h["headroom"])
            for h in data["after"]] == [
        ("C5", "single_party", 30.0, 10.0, 140.0), ("C5", "single_party_loans", 30.0, 30.0, 90.0),
        ("C3", "single_party", 120.0, 140.0, 10.0),
        ("C3", "single_party_loans", 120.0, 120.0, 0.0)]

    # C4 borrows 30; 100 more: 130 = 86.7% of 150, a warning; loans 130 > 120, a breach
    data = server.data(WHAT_IF, {"p": [{"borrower": "C4", "outstanding": 100}]})["whatIf"]
    c4 = data["subjects"][0]
    assert sorted((f["code"], f["check"]) for f in c4["newFlags"]) == [
        ("LIMIT_BREACH", "single_party_loans"), ("LIMIT_WARNING", "single_party")]
    assert sorted((f["code"], f["check"], f["subjectId"]) for f in data["newFlags"]) == [
        ("LIMIT_BREACH", "single_party_loans", "C4"), ("LIMIT_WARNING", "single_party", "C4")]

    # the served book and the store are as they were
    after = server.data('{ dataset { version } entity(id: "C4") { exposure { gross } } }')
    assert after["dataset"]["version"] == version and after["entity"]["exposure"]["gross"] == 30.0
    assert store_file.read_bytes() == content
    with EmbeddedStore(store_file) as store:
        assert store.info().version == version


def test_bad_proposals_are_refused_with_the_proposal_and_field(server: Server):
    answer = server.graphql(WHAT_IF, {"p": [
        {"borrower": "C4", "outstanding": 1},
        {"borrower": "ZZ", "outstanding": -5, "currency": "EUR"}]})
    [error] = answer["errors"]
    assert error["extensions"]["code"] == "INVALID_DATASET"
    assert "what-if, proposal 2, column 'borrower': unknown entity id 'ZZ'" in error["message"]
    assert "what-if, proposal 2, column 'outstanding': expected a non-negative amount" in error["message"]
    assert "what-if, proposal 2, column 'currency': no exchange rate for EUR" in error["message"]

    many = server.graphql(WHAT_IF, {"p": [{"borrower": "C4", "outstanding": 1}] * 51})
    assert many["errors"][0]["extensions"]["code"] == "BAD_INPUT"
    assert "facilities must hold 1 to 50 proposals, got 51" in many["errors"][0]["message"]


def test_what_if_is_weighted_in_the_cost_limit(server: Server):
    # whatIf 1 + 10,000 + (facilityIds 1); five of them pass the 50,000 default limit
    assert FIELD_WEIGHTS["Query.whatIf"] == 10_000
    one = '{ whatIf(facilities: [{borrower: "C4", outstanding: 1}]) { facilityIds } }'
    assert cost(one) == 1 + 10_000 + 1
    five = "{ " + " ".join(f'w{k}: whatIf(facilities: [{{borrower: "C4", outstanding: 1}}]) '
                           f"{{ facilityIds }}" for k in range(5)) + " }"
    answer = server.graphql(five)
    assert answer["errors"][0]["extensions"]["code"] == "TOO_COSTLY"
