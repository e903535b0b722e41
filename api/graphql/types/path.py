"""``Path``: a chain of relationships between two parties (paths, ownership chains)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry.types import Info

from api.graphql.types import common
from api.graphql.types.relationship import Relationship
from schema.records import Relationship as RelationshipRecord

if TYPE_CHECKING:
    from api.graphql.types.entity import Entity

__all__ = ["Path"]


@strawberry.type(description="A chain of relationships from one party to another. Steps are "
                             "walked in either direction: compare each step's source and "
                             "target with the parties to see which way it points.")
class Path:
    records: strawberry.Private[tuple[RelationshipRecord, ...]]
    party_ids: strawberry.Private[tuple[str, ...]]

    @classmethod
    def along(cls, steps: Sequence[RelationshipRecord], start: str) -> Path:
        """The path of ``steps`` walked from ``start``."""
        parties = [start]
        for step in steps:
            here = parties[-1]
            parties.append(step.target if step.source == here else step.source)
        return cls(records=tuple(steps), party_ids=tuple(parties))

    @strawberry.field(description="The number of steps.")
    def length(self) -> int:
        return len(self.records)

    @strawberry.field(description="The relationships, in order from the first party.")
    def steps(self) -> list[Relationship]:
        return [Relationship.from_record(r) for r in self.records]

    @strawberry.field(description="Ids of the parties along the path, first to last.")
    def entity_ids(self) -> list[strawberry.ID]:
        return [strawberry.ID(p) for p in self.party_ids]

    @strawberry.field(description="The parties along the path, first to last.")
    async def entities(self, info: Info
              ) -> list[Annotated[Entity, strawberry.lazy("api.graphql.types.entity")]]:
        return await common.entities(info, self.party_ids)
