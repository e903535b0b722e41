"""``Exposure { gross net exempt mitigatedOut mitigatedIn byCategory }`` (R13-R16) and the
anonymous client (R15) through real HTTP, against ``groupgraph serve --data`` of a small
book with every kind of the exposure model. Tier 1 1,000 CNY (CN-2018: look-through at
0.15% x 1,000 = 1.5).

Parties: P1 holds 60% of A and of B (one group {A, B, P1}); S1 is China's central
government (sovereign, CN: exempt); FUND an asset-management product.

* A: FA1 loan 100 drawn + 0.5 x 50 undrawn: general 100, potential 25; FA2 trading 5; the
  fund's underlying of A, 2 >= 1.5, looked through: specific 2. Before mitigation 132.
  FA1 is secured by cash 10 (reduces) and a government bond of S1 for 20 (moves to S1):
  general 100 - 10 - 20 = 70; after 102; out 30, in 0 (132 = 102 + 30 - 0).
* B: FB1 counterparty (EAD) 40, before and after.
* S1: FS1 bond 30 (general) + the 20 moved in: after 50; out 0, in 20; exempt.
* FUND: FP1 50, 2 to A and the 48 unidentified to the anonymous client (specific 48).
* The group: before 172, after 142, out 30, in 0; not exempt.
* The book: before 132 + 40 + 30 + 48 = 250, after 102 + 40 + 50 + 48 = 240, out 30, in 20.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.api.conftest import Server, start_server
from tests.api.graphql.test_cost import cost
from tests.datasets import write_folder, write_table

EXPOSURE = """fragment X on Exposure { gross net exempt mitigatedOut mitigatedIn
    byCategory { category gross net } }"""
COLUMNS = ("general", "specific", "trading", "counterparty", "potential", "other")


def write_book(folder: Path) -> Path:
    write_folder(folder, [
        {"id": "A", "name": "安信制造有限公司", "kind": "company", "country": "CN"},
        {"id": "B", "name": "Bright Shipping Ltd", "kind": "company", "country": "HK"},
        {"id": "P1", "name": "王强", "kind": "person"},
        {"id": "S1", "name": "中华人民共和国财政部", "kind": "company",
         "counterparty_class": "sovereign", "country": "CN"},
        {"id": "FUND", "name": "鑫源资产管理计划", "kind": "company",
         "counterparty_class": "am_product"},
    ], [
        {"type": "OWNS", "source": "P1", "target": "A", "share": "60%"},
        {"type": "OWNS", "source": "P1", "target": "B", "share": "60%"},
    ], [
        {"id": "FA1", "borrower": "A", "outstanding": "100", "undrawn": "50", "ccf": "0.5",
         "product": "loan"},
        {"id": "FA2", "borrower": "A", "outstanding": "5", "category": "trading", "product": "bond"},
        {"id": "FB1", "borrower": "B", "outstanding": "40", "category": "counterparty",
         "product": "derivative"},
        {"id": "FS1", "borrower": "S1", "outstanding": "30", "category": "bond", "product": "bond"},
        {"id": "FP1", "borrower": "FUND", "outstanding": "50", "category": "am_product",
         "product": "fund"},
    ])
    write_table(folder / "underlyings.csv", [{"facility": "FP1", "obligor": "A", "amount": "2"}])
    write_table(folder / "collateral.csv", [
        {"facility": "FA1", "kind": "cash", "value": "10", "issuer": ""},
        {"facility": "FA1", "kind": "gov_bond", "value": "20", "issuer": "S1"}])
    return folder


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory):
    folder = write_book(tmp_path_factory.mktemp("exposure-book") / "data")
    started = start_server(["--data", str(folder)],
                           tmp_path_factory.mktemp("serve") / "exposure.log")
    yield started
    started.stop()


def columns(exposure: dict) -> dict[str, tuple[float, float]]:
    assert [c["category"] for c in exposure["byCategory"]] == list(COLUMNS)
    return {c["category"]: (c["gross"], c["net"]) for c in exposure["byCategory"]
            if c["gross"] or c["net"]}


def test_a_party_with_look_through_and_mitigation(server: Server):
    data = server.data('{ entity(id: "A") { exposure { ...X } } }' + EXPOSURE)
    a = data["entity"]["exposure"]
    assert (a["gross"], a["net"], a["exempt"], a["mitigatedOut"], a["mitigatedIn"]) == (
        132.0, 102.0, False, 30.0, 0.0)
    assert columns(a) == {"general": (100.0, 70.0), "specific": (2.0, 2.0),
                          "trading": (5.0, 5.0), "potential": (25.0, 25.0)}


def test_an_exempt_party_that_mitigation_moved_exposure_onto(server: Server):
    s1 = server.data('{ entity(id: "S1") { exposure { ...X } } }' + EXPOSURE)["entity"]["exposure"]
    assert (s1["gross"], s1["net"], s1["exempt"], s1["mitigatedOut"], s1["mitigatedIn"]) == (
        30.0, 50.0, True, 0.0, 20.0)
    assert columns(s1) == {"general": (30.0, 50.0)}


def test_a_group_and_the_whole_book(server: Server):
    data = server.data("""{ groupOf(entityId: "A") { size exposure { ...X } }
        dataset { exposure { ...X } } }""" + EXPOSURE)
    group = data["groupOf"]["exposure"]
    assert data["groupOf"]["size"] == 3
    assert (group["gross"], group["net"], group["exempt"], group["mitigatedOut"],
            group["mitigatedIn"]) == (172.0, 142.0, False, 30.0, 0.0)
    assert columns(group) == {"general": (100.0, 70.0), "specific": (2.0, 2.0),
                              "trading": (5.0, 5.0), "counterparty": (40.0, 40.0),
                              "potential": (25.0, 25.0)}
    book = data["dataset"]["exposure"]
    assert (book["gross"], book["net"], book["exempt"], book["mitigatedOut"],
            book["mitigatedIn"]) == (250.0, 240.0, False, 30.0, 20.0)
    # general 100 + 30 before, 70 + 50 after; specific 2 + 48
    assert columns(book) == {"general": (130.0, 120.0), "specific": (50.0, 50.0),
                             "trading": (5.0, 5.0), "counterparty": (40.0, 40.0),
                             "potential": (25.0, 25.0)}


def test_the_anonymous_client_answers_like_any_party(server: Server):
    data = server.data("""{ entity(id: "ANONYMOUS") { id kind exposure { ...X } group { size } }
        entities(ids: ["ANONYMOUS", "FUND"]) { id exposure { gross } } }""" + EXPOSURE)
    anonymous = data["entity"]
    assert (anonymous["id"], anonymous["kind"]) == ("ANONYMOUS", "COMPANY")
    assert (anonymous["exposure"]["gross"], anonymous["exposure"]["net"],
            anonymous["exposure"]["exempt"]) == (48.0, 48.0, False)
    assert columns(anonymous["exposure"]) == {"specific": (48.0, 48.0)}
    assert anonymous["group"] == {"size": 1}
    # the fund keeps nothing: 2 to A, 48 to the anonymous client
    assert data["entities"] == [{"id": "ANONYMOUS", "exposure": {"gross": 48.0}},
                                {"id": "FUND", "exposure": {"gross": 0.0}}]


def test_by_category_counts_its_six_columns_in_the_cost_limit(server: Server):
    # without the served dataset's sizes a list counts one item: entity 1 + (exposure 1 +
    # (byCategory 1 + 1 x (category 1)))
    assert cost('{ entity(id: "A") { exposure { byCategory { category } } } }') == 1 + 1 + 1 + 1
    # the server counts six: entities(ids:) of 20 ids, each exposure 1 + byCategory (1 + 6 x 3)
    # = 20: 1 + 20 x 20 = 401 objects, refused under a limit of 400
    def query(ids: int) -> str:
        listed = ", ".join('"A"' for _ in range(ids))
        return f"{{ entities(ids: [{listed}]) {{ exposure {{ byCategory {{ category gross net }} }} }} }}"

    limited = start_server(["--data", str(write_book(server.log.parent / "limited"))],
                           server.log.parent / "limited.log", env={"GROUPGRAPH_MAX_COST": "400"})
    try:
        answer = limited.graphql(query(20))
        assert answer["errors"][0]["extensions"]["code"] == "TOO_COSTLY"
        assert "about 401 objects" in answer["errors"][0]["message"]
        assert "errors" not in limited.graphql(query(19))       # 1 + 19 x 20 = 381
    finally:
        limited.stop()


def test_the_breakdowns_of_a_page_are_one_batch_each(client: TestClient):
    # the API's sample book (tests/api/sample.py), in process: every party's and every
    # group's breakdown on a page comes from one snapshot call each, whatever the page size
    snapshot = client.app.state.server.snapshot
    snapshot.calls.clear()
    answer = client.post("/graphql", json={"query": """{ groups(first: 10) { edges { node {
        exposure { exempt byCategory { gross } }
        members(first: 10) { edges { node { exposure { mitigatedOut byCategory { net } } } } }
        } } } }"""}).json()
    assert "errors" not in answer, answer
    members = [m for g in answer["data"]["groups"]["edges"] for m in g["node"]["members"]["edges"]]
    assert len(answer["data"]["groups"]["edges"]) == 6 and len(members) == 9
    assert (snapshot.calls["breakdowns"], snapshot.calls["group_breakdowns"]) == (1, 1)
