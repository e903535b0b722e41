"""``Holding``: a share held by one party in a company (an ``OWNS`` relationship)."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry.types import Info

from api.graphql.types import common
from schema.records import Relationship as RelationshipRecord

if TYPE_CHECKING:
    from api.graphql.types.entity import Entity
    from api.graphql.types.relationship import Relationship

__all__ = ["Holding"]


@strawberry.type(description="A shareholding: `owner` holds `share` of `owned` (OWNS).")
class Holding:
    record: strawberry.Private[RelationshipRecord]

    @classmethod
    def from_record(cls, record: RelationshipRecord) -> Holding:
        return cls(record=record)

    @strawberry.field(description="The shareholder.")
    async def owner(self, info: Info
              ) -> Annotated[Entity, strawberry.lazy("api.graphql.types.entity")] | None:
        return await common.entity(info, self.record.source)

    @strawberry.field(description="The company held.")
    async def owned(self, info: Info
              ) -> Annotated[Entity, strawberry.lazy("api.graphql.types.entity")] | None:
        return await common.entity(info, self.record.target)

    @strawberry.field(description="The fraction of the company's shares held, in (0, 1].")
    def share(self) -> float:
        return self.record.share or 0.0

    @strawberry.field(description="Integrated ownership of the owner in the company (R2): "
                                  "direct and through every chain of holdings. Null, with an "
                                  "error saying why, where it is not defined: through a ring of "
                                  "companies holding all of one another.")
    async def integrated_share(self, info: Info) -> float | None:
        return await common.context(info).loaders.integrated_ownership.load(
            (self.record.source, self.record.target))

    @strawberry.field(description="First day the holding holds (none: always).")
    def valid_from(self) -> date | None:
        return self.record.valid_from

    @strawberry.field(description="Last day the holding holds (none: still).")
    def valid_to(self) -> date | None:
        return self.record.valid_to

    @strawberry.field(description="The relationship as loaded, with its input row.")
    def relationship(self) -> Annotated[Relationship, strawberry.lazy("api.graphql.types.relationship")]:
        from api.graphql.types.relationship import Relationship

        return Relationship.from_record(self.record)
