"""The ``GraphStore`` interface (opening a store from its URI: :mod:`graph.stores.uri`).

A store keeps one dataset at a time. ``replace`` swaps in a new dataset atomically: readers
see the old dataset or the new one, never a mixture, and a failed load leaves the old one.
Analysis reads the whole dataset back with ``read`` and works on it in memory.

URIs: ``embedded:PATH`` (a local file, the default) or ``bolt://...``/``neo4j://...`` (with
``NEO4J_USER``, ``NEO4J_PASSWORD`` and optionally ``NEO4J_DATABASE`` from the environment).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime

from graph.stores import queries
from schema.records import Dataset

__all__ = ["GraphStore", "LoadSummary", "StoreInfo"]


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
            "underlyings": len(dataset.underlyings),
            "collateral": len(dataset.collateral),
            "product_parties": len(dataset.product_parties),
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

    @abstractmethod
    def for_worker(self) -> GraphStore:
        """The store for a process forked from this one (``serve --workers``), even after
        this one is closed (a database driver's connections must not cross a fork)."""

    def __enter__(self) -> GraphStore:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()
