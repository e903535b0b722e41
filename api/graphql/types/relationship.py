"""``Relationship``: one input edge ``source -> target``, as loaded (evidence, paths)."""

from __future__ import annotations

from dataclasses import fields
from datetime import date
from typing import TYPE_CHECKING, Annotated, Any

import strawberry
from strawberry.types import Info

from api.graphql.types import common
from api.graphql.types.enums import RelationshipType
from api.graphql.types.property import Property
from schema.records import Relationship as RelationshipRecord

if TYPE_CHECKING:
    from api.graphql.types.entity import Entity

__all__ = ["Relationship"]

_OWN_FIELDS = frozenset({"type", "source", "target", "share", "amount", "currency", "basis",
                         "role", "relation", "facility", "eligible", "valid_from", "valid_to",
                         "source_ref", "extra", "origin"})


@strawberry.type(description="One relationship of the input: `source -> target` of a type, "
                             "with the row it was read from (`origin`).")
class Relationship:
    record: strawberry.Private[RelationshipRecord]

    @classmethod
    def from_record(cls, record: RelationshipRecord) -> Relationship:
        return cls(record=record)

    @strawberry.field(description="The relationship kind.")
    def type(self) -> RelationshipType:
        return RelationshipType(self.record.type)

    @strawberry.field(description="Id of the party the relationship starts from.")
    def source_id(self) -> strawberry.ID:
        return strawberry.ID(self.record.source)

    @strawberry.field(description="Id of the party it points to.")
    def target_id(self) -> strawberry.ID:
        return strawberry.ID(self.record.target)

    @strawberry.field(description="The party the relationship starts from.")
    async def source(self, info: Info
              ) -> Annotated[Entity, strawberry.lazy("api.graphql.types.entity")] | None:
        return await common.entity(info, self.record.source)

    @strawberry.field(description="The party it points to.")
    async def target(self, info: Info
              ) -> Annotated[Entity, strawberry.lazy("api.graphql.types.entity")] | None:
        return await common.entity(info, self.record.target)

    @strawberry.field(description="OWNS, DEPENDS_ON: the fraction, in (0, 1].")
    def share(self) -> float | None:
        return self.record.share

    @strawberry.field(description="GUARANTEES: the guaranteed amount, in `currency`.")
    def amount(self) -> float | None:
        return self.record.amount

    @strawberry.field(description="GUARANTEES: currency of the amount (none: base currency).")
    def currency(self) -> str | None:
        return self.record.currency

    @strawberry.field(description="CONTROLS: what the control rests on.")
    def basis(self) -> str | None:
        return self.record.basis

    @strawberry.field(description="MANAGES: the manager's role.")
    def role(self) -> str | None:
        return self.record.role

    @strawberry.field(description="RELATIVE_OF: what the source is to the target.")
    def relation(self) -> str | None:
        return self.record.relation

    @strawberry.field(description="GUARANTEES: the guaranteed facility.")
    def facility(self) -> str | None:
        return self.record.facility

    @strawberry.field(description="GUARANTEES: eligible credit protection (net view).")
    def eligible(self) -> bool:
        return bool(self.record.eligible)

    @strawberry.field(description="First day the fact holds (none: always).")
    def valid_from(self) -> date | None:
        return self.record.valid_from

    @strawberry.field(description="Last day the fact holds (none: still).")
    def valid_to(self) -> date | None:
        return self.record.valid_to

    @strawberry.field(description="Where the fact came from (register, filing, analyst).")
    def source_ref(self) -> str | None:
        return self.record.source_ref

    @strawberry.field(description="The input row: file and line, e.g. relationships.csv:12.")
    def origin(self) -> str | None:
        return self.record.origin

    @strawberry.field(description="Every other field that is set (provenance, declared ranges), "
                                  "and the input's extra columns.")
    def properties(self) -> list[Property]:
        return properties_of(self.record, _OWN_FIELDS)


def properties_of(record: Any, skip: frozenset[str]) -> list[Property]:
    """The set fields of ``record`` not in ``skip``, then its extra columns, as text."""
    found = []
    for f in fields(record):
        value = getattr(record, f.name)
        if f.name in skip or value is None or value is False:
            continue
        found.append(Property(name=f.name, value=value.isoformat() if isinstance(value, date)
                              else str(value)))
    found.extend(Property(name=k, value=v) for k, v in record.extra.items())
    return found
