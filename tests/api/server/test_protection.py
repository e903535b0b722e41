"""Limits, masking and introspection: each abusive query is refused with a clear GraphQL
error, and an internal error reaches the client masked (logged with its request id)."""

from __future__ import annotations

import logging

import pytest

from api.graphql.snapshot import Snapshot
from tests.api.conftest import in_process


def post(client, query: str, **headers: str) -> dict:
    response = client.post("/graphql", json={"query": query}, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


def nested(depth: int) -> str:
    """A query ``depth`` fields deep: entity > group > controllers > group > ..."""
    body = "id"
    for level in range(depth - 1):
        body = f"group {{ {body} }}" if level % 2 == 0 else f"controllers {{ {body} }}"
    return f'{{ entity(id: "C1") {{ {body} }} }}'


def test_a_query_within_the_limits_passes(client):
    answer = post(client, nested(12))
    assert "errors" not in answer and answer["data"]["entity"] is not None


def test_too_deep_a_query_is_refused(client):
    answer = post(client, nested(13))
    assert answer["data"] is None
    assert answer["errors"][0]["message"] == "'anonymous' exceeds maximum operation depth of 12"


def test_too_many_tokens_are_refused(client):
    fields = " ".join(["id"] * 2100)
    answer = post(client, f'{{ entity(id: "C1") {{ {fields} }} }}')
    assert answer["data"] is None
    assert "Document contains more than 2000 tokens" in answer["errors"][0]["message"]


def test_too_many_aliases_are_refused(client):
    aliases = " ".join(f'a{k}: entity(id: "C1") {{ id }}' for k in range(21))
    answer = post(client, f"{{ {aliases} }}")
    assert answer["data"] is None
    assert answer["errors"][0]["message"] == "21 aliases found. Allowed: 20"


def test_too_large_a_page_is_refused(client):
    answer = post(client, "{ groups(first: 101) { totalCount } }")
    assert answer["errors"][0]["message"].startswith(
        "first must be between 0 and 100 (the maximum page size), got 101")
    assert answer["errors"][0]["path"] == ["groups"]


def test_graph_queries_per_request_are_limited(client):
    paths = " ".join(f'p{k}: paths(fromId: "C1", toId: "C3") {{ length }}' for k in range(11))
    answer = post(client, f"{{ {paths} }}")
    messages = {e["message"] for e in answer["errors"]}
    assert messages == {"too many graph queries in one request: at most 10 (paths, ownership "
                        "chains, neighbourhoods)"}
    assert len(answer["errors"]) == 1 and answer["errors"][0]["path"] == ["p10"]


def test_limits_follow_the_settings(sample_store):
    with in_process(sample_store, max_depth=3, max_aliases=1, max_page_size=5) as client:
        assert post(client, nested(4))["errors"][0]["message"].endswith("depth of 3")
        assert "aliases found" in post(client, '{ a: dataset { bank } b: dataset { bank } }')[
            "errors"][0]["message"]
        assert "between 0 and 5" in post(client, "{ groups(first: 6) { totalCount } }")[
            "errors"][0]["message"]


def test_introspection_can_be_turned_off(sample_store):
    query = "{ __schema { queryType { name } } }"
    with in_process(sample_store) as client:
        assert post(client, query)["data"]["__schema"]["queryType"]["name"] == "Query"
    with in_process(sample_store, introspection=False) as client:
        answer = post(client, query)
        assert answer["data"] is None
        assert "introspection" in answer["errors"][0]["message"].lower()
        # and GraphiQL, which needs introspection, is not served
        assert client.get("/graphql", headers={"accept": "text/html"}).status_code != 200
        assert post(client, '{ entity(id: "C1") { name } }')["data"]["entity"]["name"]


def test_an_internal_error_is_masked_for_the_client_and_logged(client, monkeypatch, caplog):
    def broken(self, ids):
        raise RuntimeError("secret: connection string bolt://admin:hunter2@db")

    monkeypatch.setattr(Snapshot, "exposures", broken)
    with caplog.at_level(logging.ERROR, logger="groupgraph.api"):
        response = client.post("/graphql", json={"query": '{ entity(id: "C1") { name exposure { gross } } }'},
                               headers={"x-request-id": "req-42"})
    assert response.status_code == 200
    answer = response.json()
    assert response.headers["x-request-id"] == "req-42"
    assert answer["errors"] == [{"message": "Internal error; request id req-42",
                                 "locations": [{"line": 1, "column": 27}],
                                 "path": ["entity", "exposure"],
                                 "extensions": {"code": "INTERNAL", "requestId": "req-42"}}]
    assert answer["data"] == {"entity": None}
    assert "hunter2" not in response.text and "secret" not in response.text
    logged = [r for r in caplog.records if "req-42" in r.getMessage()]
    assert logged and "hunter2" in logged[0].getMessage() and logged[0].exc_info


def test_every_response_carries_a_request_id(client):
    first = client.get("/health").headers["x-request-id"]
    second = client.get("/health").headers["x-request-id"]
    assert first != second and len(first) == 16
    # an unusable id from the caller is replaced
    assert client.get("/health", headers={"x-request-id": "bad id\n"}).headers["x-request-id"] != "bad id"


@pytest.mark.parametrize("query", ['{ entity(id: "C1") { nosuchfield } }', "{ entity( }"])
def test_client_mistakes_are_shown_not_masked(client, query):
    message = post(client, query)["errors"][0]["message"]
    assert "Internal error" not in message


COSTLY = """{ groups(first: 100) { edges { node { members(first: 100) { edges { node {
  group { members(first: 100) { edges { node { name } } } } } } } } } } }"""


def test_too_costly_a_query_is_refused_before_it_runs(client):
    answer = post(client, COSTLY)   # within the depth, token and alias limits
    assert answer["data"] is None
    assert answer["errors"][0]["message"] == (
        "query too costly: it may return about 3,040,301 objects, more than the 50,000 "
        "allowed; ask for smaller pages (first) or fewer nested lists")


def test_the_cost_limit_follows_the_settings(sample_store):
    query = '{ groupOf(entityId: "C1") { id members(first: %d) { edges { node { id name } } } } }'
    with in_process(sample_store, max_cost=100) as client:
        assert "more than the 100 allowed" in post(client, query % 50)["errors"][0]["message"]
        assert post(client, query % 10)["data"]["groupOf"]["members"]["edges"]


def test_min_size_below_one_is_refused_and_sizes_share_one_ordering(client):
    answer = post(client, "{ groups(minSize: 0) { totalCount } }")
    assert answer["errors"][0]["message"] == "minSize must be at least 1, got 0"
    snapshot = client.app.state.server.snapshot
    sizes = [g.size for g in snapshot.analysis.groups]
    for size in range(1, 200):      # any number of sizes, one cached ordering
        counted = post(client, f"{{ groups(minSize: {size}) {{ totalCount }} }}")
        assert counted["data"]["groups"]["totalCount"] == sum(s >= size for s in sizes)
    assert len(snapshot._group_lists) == 1


def test_too_large_a_body_is_refused(sample_store):
    with in_process(sample_store, max_body_bytes=10_000) as client:
        padded = '{ entity(id: "%s") { id } }' % ("x" * 20_000)
        assert client.post("/graphql", json={"query": padded}).status_code == 413
        assert post(client, '{ entity(id: "C1") { id } }')["data"]["entity"]["id"] == "C1"


def test_an_internal_error_before_execution_is_masked_too(client, monkeypatch, caplog):
    # a failure in validation escapes the operation, where a masking extension never saw it
    def broken(_document):
        raise RuntimeError("secret detail /srv/bank")

    monkeypatch.setattr("api.graphql.cost.expanded_fields", broken)
    with caplog.at_level(logging.ERROR, logger="groupgraph.api"):
        answer = post(client, "{ dataset { version } }")
    (error,) = answer["errors"]
    assert error["message"].startswith("Internal error; request id ")
    assert error["extensions"]["code"] == "INTERNAL"
    assert "secret" not in str(answer)
    assert "secret detail /srv/bank" in caplog.text
