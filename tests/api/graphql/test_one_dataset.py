"""One answer, one dataset: graph queries that go to the store are refused once the store
holds another dataset than the one served; and errors outside GraphQL are masked too."""

from __future__ import annotations

import logging
from pathlib import Path

from fastapi.testclient import TestClient

from api.server.app import create_app
from api.server.settings import Settings
from graph.stores.embedded import EmbeddedStore
from loaders.dataset import read_dataset
from loaders.synthetic import generate_portfolio
from tests.api.conftest import in_process

PATHS = '{ paths(fromId: "C1", toId: "C3") { length } }'


def test_graph_queries_wait_for_the_store_and_the_snapshot_to_agree(sample_store: EmbeddedStore,
                                                                    tmp_path: Path):
    with in_process(sample_store) as client:
        served = client.get("/health").json()["version"]
        assert client.post("/graphql", json={"query": PATHS}).json()["data"]["paths"]

        generate_portfolio(tmp_path / "other", parties=60, seed=3)   # `groupgraph load` meanwhile
        other = sample_store.replace(read_dataset(tmp_path / "other")).info.version

        answer = client.post("/graphql", json={"query": PATHS}).json()
        assert answer["data"] is None
        assert answer["errors"][0]["message"].startswith(
            f"the store now holds dataset {other}, not the dataset {served} this server "
            f"answers from")
        # what the snapshot answers alone still comes, all from the dataset served
        entity = client.post("/graphql", json={"query": '{ entity(id: "C1") { name } }'}).json()
        assert entity["data"]["entity"]["name"] == "华信实业集团有限公司"
        view = client.get("/views/entities/C1?hops=1")
        assert view.status_code == 503 and "graph queries" in view.text


def test_an_internal_error_on_a_page_is_masked_and_logged(sample_store: EmbeddedStore,
                                                          monkeypatch, caplog):
    def broken(*_args, **_kwargs):
        raise RuntimeError("secret: bolt://admin:hunter2@db")

    monkeypatch.setattr("api.server.pages.view_of", broken)
    app = create_app(Settings(), store=sample_store)
    with TestClient(app, raise_server_exceptions=False) as client, \
            caplog.at_level(logging.ERROR, logger="groupgraph.api"):
        response = client.get("/views/entities/C1", headers={"x-request-id": "req-7"})
    assert response.status_code == 500
    assert response.text == "Internal error; request id req-7"
    assert response.headers["x-request-id"] == "req-7"
    logged = [r for r in caplog.records if "req-7" in r.getMessage()]
    assert logged and logged[0].exc_info and "hunter2" in str(logged[0].exc_info[1])


def test_a_cursor_of_the_dataset_served_before_a_reload_is_refused(sample_store: EmbeddedStore,
                                                                   tmp_path: Path):
    query = "query($after: String) { groups(first: 2, after: $after) { edges { node { id } } " \
            "pageInfo { endCursor } } }"
    with in_process(sample_store) as client:
        before = client.app.state.server.snapshot.version
        first = client.post("/graphql", json={"query": query}).json()["data"]["groups"]
        cursor = first["pageInfo"]["endCursor"]
        second = client.post("/graphql", json={"query": query, "variables": {"after": cursor}})
        assert second.json()["data"]["groups"]["edges"][0]["node"]["id"] not in {
            e["node"]["id"] for e in first["edges"]}

        generate_portfolio(tmp_path / "other", parties=60, seed=4)
        sample_store.replace(read_dataset(tmp_path / "other"))
        after = client.app.state.server.reload().version
        answer = client.post("/graphql", json={"query": query, "variables": {"after": cursor}})
        assert answer.json()["errors"][0]["message"] == (
            f"this cursor is of dataset {before}, but the server now answers from dataset "
            f"{after}: the list may have changed; start again from the first page")
