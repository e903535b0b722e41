"""``Stress``: a party's distress after a DebtRank run (R12)."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from api.graphql.types import common
from api.graphql.types.entity import Entity

__all__ = ["Stress"]


@strawberry.type(description="A party's final distress in DebtRank: h from 0 (untouched) to "
                             "1 (defaulted).")
class Stress:
    entity_id: strawberry.ID = strawberry.field(description="The party's id.")
    stress: float = strawberry.field(description="Final distress h in (0, 1].")

    @strawberry.field(description="The party.")
    async def entity(self, info: Info) -> Entity | None:
        return await common.entity(info, str(self.entity_id))
