"""``Subgraph``: parties and the relationships among them (a neighbourhood)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import strawberry

from api.graphql.types.relationship import Relationship
from graph.stores import queries

if TYPE_CHECKING:
    from api.graphql.types.entity import Entity

__all__ = ["Subgraph"]


@strawberry.type(description="Parties and the current relationships among them. A large "
                             "neighbourhood is cut to its first parties by id (`truncated`).")
class Subgraph:
    found: strawberry.Private[queries.Subgraph]
    limit: strawberry.Private[int]

    @classmethod
    def of(cls, found: queries.Subgraph, limit: int) -> Subgraph:
        return cls(found=found, limit=limit)

    def _kept(self) -> set[str]:
        return {e.id for e in self.found.entities[:self.limit]}

    @strawberry.field(description="The parties (at most the server's limit, by id).")
    def entities(self) -> list[Annotated[Entity, strawberry.lazy("api.graphql.types.entity")]]:
        from api.graphql.types.entity import Entity

        return [Entity.from_record(e) for e in self.found.entities[:self.limit]]

    @strawberry.field(description="The relationships among the parties shown.")
    def relationships(self) -> list[Relationship]:
        kept = self._kept()
        return [Relationship.from_record(r) for r in self.found.relationships
                if r.source in kept and r.target in kept]

    @strawberry.field(description="The number of parties in the whole neighbourhood.")
    def total_entities(self) -> int:
        return len(self.found.entities)

    @strawberry.field(description="The number of relationships in the whole neighbourhood.")
    def total_relationships(self) -> int:
        return len(self.found.relationships)

    @strawberry.field(description="Whether parties were left out.")
    def truncated(self) -> bool:
        return len(self.found.entities) > self.limit
