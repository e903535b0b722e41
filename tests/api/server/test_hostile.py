"""What hostile or careless requests get, through real HTTP: a client error with a code,
never a 500, a frozen server, a file path or another reader's view of the dataset."""

from __future__ import annotations

import httpx
import pytest

from tests.api.conftest import in_process
from tests.api.sample import write_sample

BOMB = ('query { entity(id: "C1") { ...F20 } } fragment F0 on Entity { id } '
        + " ".join(f"fragment F{i} on Entity {{ ...F{i - 1} ...F{i - 1} }}" for i in range(1, 21)))
"""857 characters (the report had 826) whose fragments expand to 2^20 + 1 fields: within the depth, token and
alias limits, and half a minute of validation before it was refused before validating."""


def test_a_fragment_bomb_is_refused_before_validation(embedded_server):
    assert len(BOMB) < 900
    answer = embedded_server.graphql(BOMB)
    assert answer == {"data": None, "errors": [{
        "message": "query too large: its fragments expand to 1,048,577 fields, more than the "
                   "5,000 allowed", "extensions": {"code": "TOO_COSTLY"}}]}


@pytest.mark.parametrize(("body", "message"), [
    (b"null", 'expected a JSON object with a "query", got null'),
    (b"5", 'expected a JSON object with a "query", got 5'),
    (b'"q"', 'expected a JSON object with a "query", got "q"'),
    (b'{"query": "\xff\xfe"}', "the request body is not UTF-8 (byte 11)"),
    (b"[" * 100_000, "the request body nests deeper than 64 levels"),
    (b'{"a":' * 50_000 + b"1" + b"}" * 50_000, "the request body nests deeper than 64 levels"),
    (b'{"query": ', "the request body is not JSON: Expecting value at line 1, column 11"),
    (b'[{"query": "{ dataset { version } }"}]', "Batching is not enabled"),
])
def test_a_malformed_body_is_a_client_error_with_a_code(embedded_server, body, message):
    with httpx.Client(base_url=embedded_server.url, timeout=30) as client:
        response = client.post("/graphql", content=body,
                               headers={"content-type": "application/json"})
        assert response.status_code == 400
        error = response.json()["errors"][0]
        assert error["message"] == message
        assert error["extensions"]["code"] == "BAD_REQUEST"
        assert error["extensions"]["requestId"] == response.headers["x-request-id"]
        # the connection stays usable: the server did not drop it
        assert client.get("/health").json()["status"] == "ok"


def test_a_refusal_echoing_a_lone_surrogate_is_still_an_answer(embedded_server):
    body = b'{"query": "{ dataset { version } }", "operationName": "\\ud800"}'
    response = httpx.post(f"{embedded_server.url}/graphql", content=body, timeout=30,
                          headers={"content-type": "application/json"})
    assert response.status_code == 400
    error = response.json()["errors"][0]
    assert error["message"] == 'Unknown operation named "\ud800".'
    assert error["extensions"]["code"] == "BAD_REQUEST"


def test_a_spread_of_an_unknown_fragment_is_a_validation_error(embedded_server):
    # found by make fuzz: the depth limit failed on it, and its KeyError reached the client
    answer = embedded_server.graphql("{ dataset { version ...Nope } }")
    assert answer == {"data": None, "errors": [{"message": "Unknown fragment 'Nope'.",
                                                "extensions": {"code": "BAD_QUERY"}}]}


def test_graphql_errors_carry_codes(embedded_server):
    syntax = embedded_server.graphql("{ entity(id: ")["errors"][0]
    assert syntax["extensions"]["code"] == "BAD_QUERY"
    unknown = embedded_server.graphql("{ nope }")["errors"][0]
    assert unknown["extensions"]["code"] == "BAD_QUERY"
    page = embedded_server.graphql("{ groups(first: 1000) { totalCount } }")["errors"][0]
    assert page["extensions"]["code"] == "BAD_INPUT"


def test_readers_see_no_file_paths(embedded_server):
    dataset = embedded_server.data("{ dataset { store source } }")["dataset"]
    assert dataset["store"] == "embedded"
    assert dataset["source"] == "data"       # the folder's name, not where it lies
    assert "/" not in str(embedded_server.data("{ dataset { store source version } }"))


def test_anyone_opening_the_sign_in_page_learns_nothing_of_the_dataset(sample_store):
    with in_process(sample_store, api_keys={"reader-key-0123": "reader"}) as client:
        version = client.get("/health").json()["version"]
        for response in (client.get("/login"), client.post("/login", content=b"key=wrong")):
            assert response.status_code in (200, 401)
            assert "Sign in" in response.text
            assert "Test Bank" not in response.text and version not in response.text
        assert client.post("/login", content=b"key=wrong").status_code == 401


@pytest.fixture
def odd_ids(tmp_path):
    """The sample with parties whose ids hold a slash and a quote."""
    from graph.stores.embedded import EmbeddedStore
    from loaders.dataset import read_dataset

    folder = write_sample(tmp_path / "data")
    with (folder / "entities.csv").open("a", encoding="utf-8") as handle:
        handle.write('A/B,斜杠有限公司,company,,,,,,\n"Q""1",引号有限公司,company,,,,,,\n')
    store = EmbeddedStore(tmp_path / "store.sqlite")
    store.replace(read_dataset(folder), source=str(folder))
    with in_process(store) as client:
        yield client


def test_a_party_whose_id_holds_a_slash_or_a_quote_has_a_page_and_a_view(odd_ids):
    for path, name in (("A/B", "斜杠有限公司"), ("Q%221", "引号有限公司")):
        found = odd_ids.get("/search", params={"q": name})
        assert f'href="/entities/{path}"' in found.text
        page = odd_ids.get(f"/entities/{path}")
        assert page.status_code == 200 and name in page.text
        assert f'src="/views/entities/{path}?hops=2"' in page.text
        view = odd_ids.get(f"/views/entities/{path}")
        assert view.status_code == 200 and name in view.text
