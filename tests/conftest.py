"""Shared fixtures: the real Neo4j server that the test command started, and stores."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from graph.stores.base import GraphStore
from graph.stores.embedded import EmbeddedStore

NO_NEO4J = ("no Neo4j server: NEO4J_URI is not set. `make test` starts one with "
            "scripts/with-neo4j (it needs Java 17 and Maven); or point NEO4J_URI, NEO4J_USER "
            "and NEO4J_PASSWORD at your own")


@pytest.fixture(scope="session")
def neo4j_uri() -> str:
    uri = os.environ.get("NEO4J_URI")
    if not uri:
        if os.environ.get("CI") == "true":
            pytest.fail(NO_NEO4J)
        pytest.skip(NO_NEO4J)
    return uri


@pytest.fixture
def neo4j_store(neo4j_uri: str) -> Iterator[GraphStore]:
    """A Neo4j store on an emptied database."""
    from graph.stores.neo4j import Neo4jStore

    store = Neo4jStore(neo4j_uri, batch_size=7)  # small batches: several per test load
    store.clear()
    yield store
    store.close()


@pytest.fixture(params=["embedded", "neo4j"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> GraphStore:
    """Each store in turn: the same test runs on both (backend parity)."""
    if request.param == "embedded":
        return EmbeddedStore(tmp_path / "store.sqlite")
    return request.getfixturevalue("neo4j_store")
