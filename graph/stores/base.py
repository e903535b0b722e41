"""The ``GraphStore`` interface, and opening a store from its URI.

A store keeps one dataset at a time. ``replace`` swaps in a new dataset atomically: readers
see the old dataset or the new one, never a mixture, and a failed load leaves the old one.
Analysis reads the whole dataset back with ``read`` and works on it in memory.

URIs: ``embedded:PATH`` (a local file, the default) or ``bolt://...``/``neo4j://...`` (with
``NEO4J_USER``, ``NEO4J_PASSWORD`` and optionally ``NEO4J_DATABASE`` from the environment).
"""

from __future__ import annotations

import os
from abc import ABC, abstractmethod
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from graph.stores import queries
from schema.errors import StoreUnavailable
from schema.records import Dataset

__all__ = ["GraphStore", "LoadSummary", "StoreInfo", "default_store_uri", "open_store"]

NEO4J_SCHEMES = ("bolt://", "bolt+s://", "bolt+ssc://", "neo4j://", "neo4j+s://", "neo4j+ssc://")


@dataclass(frozen=True)
class StoreInfo:
    """What a store holds: the dataset version (a content hash), when and from where."""

    uri: str
    version: str
    loaded_at: str
    source: str
    counts: dict[str, int]

    @classmethod
    def now(cls, uri: str, dataset: Dataset, source: str) -> StoreInfo:
        """What a store holds once ``dataset`` is loaded into it now."""
        counts = {
            "entities": len(dataset.entities),
            "relationships": len(dataset.relationships),
            "facilities": len(dataset.facilities),
            "declared_groups": len(dataset.declared_groups),
        }
        return cls(uri, dataset.version, datetime.now(UTC).isoformat(timespec="seconds"),
                   source, counts)


@dataclass(frozen=True)
class LoadSummary:
    """The outcome of ``replace``. ``unchanged`` is true when the store already held
    exactly this dataset."""

    info: StoreInfo
    unchanged: bool


class GraphStore(ABC):
    """A graph store holding one dataset."""

    uri: str

    @abstractmethod
    def replace(self, dataset: Dataset, *, source: str = "") -> LoadSummary:
        """Make ``dataset`` the store's dataset, atomically."""

    @abstractmethod
    def read(self) -> Dataset:
        """The stored dataset. Raises StoreEmpty when nothing was loaded."""

    @abstractmethod
    def info(self) -> StoreInfo | None:
        """What the store holds, or None when it is empty."""

    @abstractmethod
    def neighbourhood(self, entity_id: str, hops: int = 1, *, types: Iterable[str] | None = None,
                      as_of: date | None = None) -> queries.Subgraph:
        """Entities within ``hops`` steps of ``entity_id`` and the relationships among them.
        See :func:`graph.stores.queries.neighbourhood`."""

    @abstractmethod
    def ownership_chains(self, entity_id: str, direction: str = "up", max_hops: int = 4, *,
                         as_of: date | None = None) -> list[queries.Path]:
        """Chains of ``OWNS`` edges up to or down from ``entity_id``.
        See :func:`graph.stores.queries.ownership_chains`."""

    @abstractmethod
    def paths(self, from_id: str, to_id: str, max_hops: int = 4, *,
              types: Iterable[str] | None = None, as_of: date | None = None) -> list[queries.Path]:
        """Shortest connections between two entities. See :func:`graph.stores.queries.paths`."""

    def close(self) -> None:  # noqa: B027 - stores without connections have nothing to close
        """Release connections."""

    def for_worker(self) -> GraphStore:
        """The store for a process forked from this one (``serve --workers``), even after
        this one is closed: by default a new store of the same URI, since a database
        driver's connections must not cross a fork."""
        return open_store(self.uri)

    def __enter__(self) -> GraphStore:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


def default_store_uri() -> str:
    """``GROUPGRAPH_STORE``, else an embedded store in the user's data directory."""
    if uri := os.environ.get("GROUPGRAPH_STORE"):
        return uri
    base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return f"embedded:{base / 'groupgraph' / 'store.sqlite'}"


def open_store(uri: str | None = None) -> GraphStore:
    """Open the store named by ``uri`` (default: :func:`default_store_uri`)."""
    uri = uri or default_store_uri()
    if uri.startswith("embedded:"):
        from graph.stores.embedded import EmbeddedStore

        return EmbeddedStore(Path(uri.removeprefix("embedded:")).expanduser())
    if uri.startswith(NEO4J_SCHEMES):
        from graph.stores.neo4j import Neo4jStore

        return Neo4jStore(uri)
    raise StoreUnavailable(
        f"unknown store {uri!r}: expected embedded:PATH, bolt://HOST:PORT or neo4j://HOST:PORT"
    )
