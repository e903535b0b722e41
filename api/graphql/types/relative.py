"""``Relative``: a close relative of a person (``RELATIVE_OF``, undirected)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry.types import Info

from api.graphql.types import common
from api.graphql.types.enums import Relation
from schema.records import Relationship as RelationshipRecord

if TYPE_CHECKING:
    from api.graphql.types.entity import Entity

__all__ = ["Relative"]

_TURNED = {"parent": "child", "child": "parent"}


@strawberry.type(description="A close relative (近亲属) of the person asked about.")
class Relative:
    record: strawberry.Private[RelationshipRecord]
    of: strawberry.Private[str]

    @strawberry.field(description="The relative.")
    async def person(self, info: Info
              ) -> Annotated[Entity, strawberry.lazy("api.graphql.types.entity")] | None:
        other = self.record.target if self.record.source == self.of else self.record.source
        return await common.entity(info, other)

    @strawberry.field(description="What the relative is to the person asked about, read with "
                                  "the relative as the source: PARENT means the relative is "
                                  "the person's parent.")
    def relation(self) -> Relation:
        relation = self.record.relation or "other"
        if self.record.source == self.of:  # the record says what the person is to the relative
            relation = _TURNED.get(relation, relation)
        return Relation(relation)
