"""``DefaultEvent``: a party defaulting in a round of a contagion (R11)."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from api.graphql.types import common
from api.graphql.types.entity import Entity

__all__ = ["DefaultEvent"]


@strawberry.type(description="A party that defaults, and in which round (0: an initial "
                             "default).")
class DefaultEvent:
    entity_id: strawberry.ID = strawberry.field(description="The party's id.")
    round: int = strawberry.field(description="The round it defaults in; 0 for the initial "
                                              "defaults.")

    @strawberry.field(description="The party.")
    async def entity(self, info: Info) -> Entity | None:
        return await common.entity(info, str(self.entity_id))
