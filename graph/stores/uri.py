"""Opening a store from its URI.

``embedded:PATH`` is a local file (the default, in the user's data directory);
``bolt://...`` and ``neo4j://...`` name a Neo4j server, with ``NEO4J_USER``,
``NEO4J_PASSWORD`` and optionally ``NEO4J_DATABASE`` from the environment.

>>> default_store_uri().startswith("embedded:")
True
"""

from __future__ import annotations

import os
from pathlib import Path

from graph.stores.base import GraphStore
from schema.errors import StoreUnavailable

__all__ = ["NEO4J_SCHEMES", "default_store_uri", "open_store"]

NEO4J_SCHEMES = ("bolt://", "bolt+s://", "bolt+ssc://", "neo4j://", "neo4j+s://", "neo4j+ssc://")


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
