"""A ring of companies holding all of one another (R1 allows it) has no integrated ownership
(R2): the API says so, as a client error, for the pairs it concerns, and answers the rest."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from graph.stores.embedded import EmbeddedStore
from loaders.dataset import read_dataset
from tests.api.conftest import Server, in_process, start_server
from tests.datasets import write_folder

# A and B hold 100% of each other; B and C hold half of D each.
ENTITIES = [{"id": party, "name": f"Company {party}", "kind": "company"} for party in "ABCD"]
RELATIONSHIPS = [
    {"type": "OWNS", "source": "A", "target": "B", "share": "100%"},
    {"type": "OWNS", "source": "B", "target": "A", "share": "100%"},
    {"type": "OWNS", "source": "B", "target": "D", "share": "50%"},
    {"type": "OWNS", "source": "C", "target": "D", "share": "50%"},
]
FACILITIES = [{"id": "F1", "borrower": "D", "outstanding": "10"}]

QUERY = """{
  ring: integratedOwnership(ownerId: "A", ownedId: "D")
  fine: integratedOwnership(ownerId: "C", ownedId: "D")
  entity(id: "D") { name owners { edges { node { owner { id } share integratedShare } } } }
}"""


def undefined(owner: str, path: list[str | int], line: int, column: int) -> dict[str, Any]:
    return {"message": f"integrated ownership of {owner!r} in 'D' is not defined: the ring A, B "
                       f"holds 100% of itself (every share of each of its companies is held "
                       f"within it), so the chains of holdings around it never fade out",
            "locations": [{"line": line, "column": column}], "path": path,
            "extensions": {"code": "NOT_DEFINED"}}


EXPECTED = {
    "data": {"ring": None, "fine": 0.5, "entity": {"name": "Company D", "owners": {"edges": [
        {"node": {"owner": {"id": "B"}, "share": 0.5, "integratedShare": None}},
        {"node": {"owner": {"id": "C"}, "share": 0.5, "integratedShare": 0.5}}]}}},
    "errors": [undefined("A", ["ring"], 2, 3),
               undefined("B", ["entity", "owners", "edges", 0, "node", "integratedShare"], 4,
                         69)],
}


@pytest.fixture(scope="module")
def ring_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_folder(tmp_path_factory.mktemp("ring") / "data", ENTITIES, RELATIONSHIPS,
                        FACILITIES)


@pytest.fixture(scope="module")
def ring_server(ring_folder: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    server = start_server(["--data", str(ring_folder)],
                          tmp_path_factory.mktemp("serve") / "ring.log")
    yield server
    server.stop()


def by_owner(answer: dict[str, Any]) -> dict[str, Any]:
    """The answer with its errors in a fixed order (resolvers may finish in any)."""
    return {**answer, "errors": sorted(answer["errors"], key=lambda e: e["message"])}


def test_over_http_the_ring_is_a_client_error_and_the_rest_is_answered(ring_server):
    assert by_owner(ring_server.graphql(QUERY)) == EXPECTED
    assert ring_server.data('{ entity(id: "C") { name } }') == {"entity": {"name": "Company C"}}


def test_in_process_the_same(ring_folder, tmp_path):
    store = EmbeddedStore(tmp_path / "store.sqlite")
    store.replace(read_dataset(ring_folder))
    with in_process(store) as client:
        answer = client.post("/graphql", json={"query": QUERY}).json()
    assert by_owner(answer) == EXPECTED
