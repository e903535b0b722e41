"""The query fields of DESIGN section 7 beside headroom and whatIf: ``beneficialOwners``
(R18) and ``returnTable`` (R20), through real HTTP against ``groupgraph serve --data`` of the
API's sample book (tests/api/sample.py: tier 1 1,000 CNY, CN-2018, amounts of the return in
万元 = 10,000 CNY, two decimals)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.api.conftest import Server
from tests.api.graphql.test_cost import cost


def test_beneficial_owners_as_a_query_field_with_the_basis_as_text(embedded_server: Server):
    # R18 on the sample (as Entity.beneficialOwners, test_graphql_http): C1's P1 holds 40% >=
    # 25% (ownership), P2 15% but of the controlling family (control); P1 is a person: none
    data = embedded_server.data("""{
        c1: beneficialOwners(entityId: "C1") { person { id name } basis share }
        p1: beneficialOwners(entityId: "P1") { basis }
        same: entity(id: "C1") { beneficialOwners { person { id } basis share } } }""")
    assert data["c1"] == [
        {"person": {"id": "P1", "name": "王建国"}, "basis": "ownership", "share": 0.4},
        {"person": {"id": "P2", "name": "李芳"}, "basis": "control", "share": 0.15}]
    assert data["p1"] == []
    assert data["same"]["beneficialOwners"] == [
        {"person": {"id": o["person"]["id"]}, "basis": o["basis"], "share": o["share"]}
        for o in data["c1"]]

    unknown = embedded_server.graphql('{ beneficialOwners(entityId: "NOPE") { basis } }')
    assert unknown["data"] is None
    assert unknown["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    assert unknown["errors"][0]["message"] == "no party has the id 'NOPE'"


def test_return_table_of_a_part_as_text_rows(embedded_server: Server):
    table = embedded_server.data("""{ returnTable(part: "non_interbank_single") {
        part title columns columnKeys rows unit } }""")["returnTable"]
    assert (table["part"], table["unit"]) == ("non_interbank_single", "万元")
    assert table["columns"][:6] == ["序号", "客户代码", "客户名称", "风险暴露总和",
                                    "其中：不可豁免风险暴露", "占一级资本净额比例"]
    assert table["columnKeys"][:6] == ["rank", "id", "name", "total", "non_exempt",
                                       "share_of_tier1"]
    assert len(table["columns"]) == len(table["columnKeys"]) == len(table["rows"][0])
    # the large exposures (at least 2.5% of tier 1 = 25) to single non-interbank clients,
    # after mitigation, largest first: C1 845, C3 120, C2 50 (20 of its own + 30 it
    # guarantees of C1's F1), C4 30; C5's 10 is 1%. In 万元: 845 / 10,000 = 0.0845 -> 0.08;
    # the shares of tier 1: 84.50%, 12.00%, 5.00%, 3.00%
    assert [row[:6] for row in table["rows"]] == [
        ["1", "C1", "华信实业集团有限公司", "0.08", "0.08", "84.50%"],
        ["2", "C3", "深圳市明达科技有限公司", "0.01", "0.01", "12.00%"],
        ["3", "C2", "Harbour Logistics Ltd", "0.01", "0.01", "5.00%"],
        ["4", "C4", "Alpha Trading Co", "0.00", "0.00", "3.00%"]]


def test_an_unknown_part_is_refused_with_the_parts_there_are(embedded_server: Server):
    answer = embedded_server.graphql('{ returnTable(part: "G14") { rows } }')
    [error] = answer["errors"]
    assert error["extensions"]["code"] == "BAD_INPUT"
    assert error["message"] == (
        "no return part 'G14'; the parts of CN-2018 are totals, large_exposure_clients, "
        "non_interbank_single, non_interbank_groups, interbank_single, interbank_groups")


def test_the_return_is_filled_once_per_snapshot(client: TestClient):
    snapshot = client.app.state.server.snapshot
    snapshot.calls.clear()
    for part in ("totals", "non_interbank_single", "totals"):
        answer = client.post("/graphql", json={
            "query": f'{{ returnTable(part: "{part}") {{ part rows }} }}'}).json()
        assert answer["data"]["returnTable"]["part"] == part, answer
    assert snapshot.calls["returns"] == 1


@pytest.mark.parametrize(("query", "expected"), [
    # every field one object (its lists of text count as one): returnTable 1 + 4 fields
    ('{ returnTable(part: "totals") { part columns rows unit } }', 1 + 4),
    # beneficialOwners 1 + (person 1 + id 1) + basis 1 + share 1
    ('{ beneficialOwners(entityId: "C1") { person { id } basis share } }', 1 + 2 + 1 + 1),
    # headroom 1 + (entity 1 + id 1) + (checks 1 + check 1 + limit 1) + (binding 1 + headroom 1)
    ('{ headroom(entityId: "C1") { entity { id } checks { check limit } binding { headroom } } }',
     1 + 2 + 3 + 2),
])
def test_the_new_fields_count_in_the_cost_limit(query, expected):
    assert cost(query) == expected
