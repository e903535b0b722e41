"""The context of one GraphQL request: its snapshot, loaders, caller and request id."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from strawberry.fastapi import BaseContext

from api.graphql.dataloaders import Loaders, create_loaders
from api.graphql.errors import BadRequest, Forbidden
from api.graphql.snapshot import Snapshot
from graph.analysis.exposure import CATEGORIES
from graph.stores.base import GraphStore

if TYPE_CHECKING:   # the server holds the state; GraphQL only reads it (no import cycle)
    from api.server.settings import Settings
    from api.server.state import ServerState

__all__ = ["Context"]


@dataclass
class Context(BaseContext):
    """Built per request by the router's ``context_getter``."""

    state: ServerState
    snapshot: Snapshot
    request_id: str
    role: str | None
    loaders: Loaders = field(init=False)
    store_calls: int = 0

    def __post_init__(self) -> None:
        super().__init__()
        self.loaders = create_loaders(self.snapshot)

    @property
    def settings(self) -> Settings:
        return self.state.settings

    @property
    def list_sizes(self) -> dict[str, int]:
        """The lengths of the unpaged whole-book lists, for the cost limit
        (:mod:`api.graphql.cost`)."""
        return {"Query.largeExposures": len(self.snapshot.large_exposures),
                "Query.guaranteeCircles": len(self.snapshot.circles),
                "Exposure.byCategory": len(CATEGORIES)}

    def store(self) -> GraphStore:
        """The store, for one graph query (paths, chains, neighbourhoods); each request may
        make at most ``max_store_calls`` of them, and none once the store holds another
        dataset than the one served (:meth:`api.server.state.ServerState.store_of`)."""
        self.store_calls += 1
        limit = self.settings.max_store_calls
        if self.store_calls > limit:
            raise BadRequest(f"too many graph queries in one request: at most {limit} "
                             f"(paths, ownership chains, neighbourhoods)")
        return self.state.store_of(self.snapshot)

    def require_loader(self) -> None:
        """Mutations need a key of the ``loader`` role, and a server of one worker."""
        if not self.settings.reload_allowed:
            raise Forbidden("reload is not available on a server of several workers: it would "
                            "renew one worker's data only; restart the server instead")
        if self.role != "loader":
            raise Forbidden("only an API key of the loader role may call mutations"
                            if self.settings.auth_required else
                            "mutations need an API key of the loader role, and this server "
                            "has no keys configured (GROUPGRAPH_API_KEYS)")
