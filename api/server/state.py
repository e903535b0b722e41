"""What the server holds between requests: its store, settings and current snapshot.

A request takes the current snapshot when it starts and keeps it to the end, so a
``reload`` that swaps in a new snapshot meanwhile never mixes two datasets in one answer.
Graph queries (paths, ownership chains, neighbourhoods) go to the store, which may hold
another dataset by then (``groupgraph load``, or a reload between its load and its new
snapshot): :meth:`ServerState.store_of` refuses them in that case rather than mix the two.
Reloads run one at a time.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Sequence
from pathlib import Path

from api import service
from api.graphql.errors import BadRequest, Forbidden, Unavailable, log
from api.graphql.snapshot import Snapshot, build_snapshot
from api.server.settings import Settings
from graph.stores.base import GraphStore

__all__ = ["MAX_PATH", "ServerState", "freeze_heap"]

MAX_PATH = 4096
"""The longest path ``reload`` takes (Linux's PATH_MAX)."""


def freeze_heap() -> None:
    """Move every object alive now (a snapshot is millions of them) out of the garbage
    collector's sight: they live until the next reload, and a full collection walking them
    all would stall every request for a moment (the p95 latency showed it). Reference
    counting still frees an old snapshot once no request holds it."""
    gc.collect()
    gc.freeze()


class ServerState:
    """The store, the settings and the snapshot being served."""

    def __init__(self, store: GraphStore, settings: Settings, snapshot: Snapshot | None = None
                 ) -> None:
        self.store = store
        self.settings = settings
        self._snapshot = snapshot
        self._reloading = threading.Lock()

    @property
    def snapshot(self) -> Snapshot:
        """The snapshot being served; built on first use when the app was not given one."""
        if self._snapshot is None:
            with self._reloading:
                if self._snapshot is None:
                    self._snapshot = self._build()
        return self._snapshot

    @property
    def ready(self) -> bool:
        return self._snapshot is not None

    def _build(self) -> Snapshot:
        snapshot = build_snapshot(self.store, as_of=self.settings.as_of,
                                  regime=self.settings.regime)
        freeze_heap()
        log.info("serving dataset %s from %s: %d parties, %d groups (analysed in %.1f s)",
                 snapshot.version, self.store.uri, len(snapshot.dataset.entities),
                 len(snapshot.analysis.groups), snapshot.build_seconds)
        return snapshot

    def store_of(self, snapshot: Snapshot) -> GraphStore:
        """The store, for a graph query answered beside ``snapshot``. Raises Unavailable
        when the store holds another dataset than the snapshot's (one more cheap query)."""
        info = self.store.info()
        if info is None or info.version != snapshot.version:
            held = f"dataset {info.version}" if info is not None else "no dataset"
            raise Unavailable(
                f"the store now holds {held}, not the dataset {snapshot.version} this server "
                f"answers from: graph queries (paths, ownership chains, neighbourhoods) resume "
                f"once the server has read the store again (the reload mutation, or a restart)")
        return self.store

    def allowed_path(self, path: str) -> Path:
        """``path`` resolved, if it is a folder or file under one of the reload roots."""
        roots = self.settings.reload_roots
        if not roots:
            raise Forbidden("this server reads no dataset folders: GROUPGRAPH_RELOAD_ROOTS is not "
                            "set (reload without a path re-reads the store)")
        if "\0" in path or len(path) > MAX_PATH:
            raise BadRequest(f"not a path: expected at most {MAX_PATH} characters and no NUL")
        try:
            path.encode("utf-8")
        except UnicodeEncodeError:
            raise BadRequest("not a path: it holds text that is not Unicode (a lone "
                             "surrogate)") from None
        # no expanduser: the server's home folders are none of a client's business
        candidate = Path(path)
        if not candidate.is_absolute():
            candidate = roots[0] / candidate
        try:
            resolved = candidate.resolve()
            found = resolved.exists()
        except OSError as error:     # a name too long for the file system, a loop of links
            raise BadRequest(f"not a path this server can read: {error.strerror}") from None
        if not any(resolved == root or resolved.is_relative_to(root) for root in roots):
            raise Forbidden(f"{path!r} is outside the folders this server may read "
                            f"(GROUPGRAPH_RELOAD_ROOTS)")
        if not found:
            raise BadRequest(f"no dataset folder or file at {path!r}")
        return resolved

    def reload(self, paths: Sequence[str] = ()) -> Snapshot:
        """Load ``paths`` into the store (when given: a dataset folder and/or GLEIF and BODS
        files, as ``groupgraph load`` takes them, through :func:`api.service.load`), then
        analyse the store again and serve the new snapshot. Raises InvalidDataset for bad
        input; the store and the snapshot served stay as they were."""
        allowed = [self.allowed_path(p) for p in paths]
        with self._reloading:
            if allowed:
                outcome = service.load(self.store, allowed, as_of=self.settings.as_of)
                log.info("reload: %s dataset %s from %s",
                         "kept" if outcome.summary.unchanged else "loaded",
                         outcome.summary.info.version, outcome.source)
            self._snapshot = self._build()
            return self._snapshot
