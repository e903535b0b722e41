"""``Management``: a person managing a company in a role (a ``MANAGES`` relationship)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry.types import Info

from api.graphql.types import common
from api.graphql.types.enums import ManagerRole
from schema.records import Relationship as RelationshipRecord

if TYPE_CHECKING:
    from api.graphql.types.entity import Entity
    from api.graphql.types.relationship import Relationship

__all__ = ["Management"]


@strawberry.type(description="A manager of a company and the role held (MANAGES).")
class Management:
    record: strawberry.Private[RelationshipRecord]

    @classmethod
    def from_record(cls, record: RelationshipRecord) -> Management:
        return cls(record=record)

    @strawberry.field(description="The person.")
    async def manager(self, info: Info
              ) -> Annotated[Entity, strawberry.lazy("api.graphql.types.entity")] | None:
        return await common.entity(info, self.record.source)

    @strawberry.field(description="The company managed.")
    async def company(self, info: Info
              ) -> Annotated[Entity, strawberry.lazy("api.graphql.types.entity")] | None:
        return await common.entity(info, self.record.target)

    @strawberry.field(description="The role the person holds in the company.")
    def role(self) -> ManagerRole:
        return ManagerRole(self.record.role)

    @strawberry.field(description="The relationship as loaded, with its input row.")
    def relationship(self) -> Annotated[Relationship, strawberry.lazy("api.graphql.types.relationship")]:
        from api.graphql.types.relationship import Relationship

        return Relationship.from_record(self.record)
