"""``Guarantee``: one party guaranteeing another's debt to the bank (``GUARANTEES``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry.types import Info

from api.graphql.types import common
from schema.records import Relationship as RelationshipRecord

if TYPE_CHECKING:
    from api.graphql.types.entity import Entity
    from api.graphql.types.relationship import Relationship

__all__ = ["Guarantee"]


@strawberry.type(description="A guarantee: `guarantor` guarantees `borrower`'s debt to the "
                             "bank for `amount` (GUARANTEES).")
class Guarantee:
    record: strawberry.Private[RelationshipRecord]

    @classmethod
    def from_record(cls, record: RelationshipRecord) -> Guarantee:
        return cls(record=record)

    @strawberry.field(description="The party giving the guarantee.")
    async def guarantor(self, info: Info
              ) -> Annotated[Entity, strawberry.lazy("api.graphql.types.entity")] | None:
        return await common.entity(info, self.record.source)

    @strawberry.field(description="The party whose debt is guaranteed.")
    async def borrower(self, info: Info
              ) -> Annotated[Entity, strawberry.lazy("api.graphql.types.entity")] | None:
        return await common.entity(info, self.record.target)

    @strawberry.field(description="The guaranteed amount, in `currency`.")
    def amount(self) -> float:
        return self.record.amount or 0.0

    @strawberry.field(description="Currency of the amount.")
    def currency(self, info: Info) -> str:
        return self.record.currency or common.snapshot(info).dataset.bank.base_currency

    @strawberry.field(description="The amount in the bank's base currency.")
    def base_amount(self, info: Info) -> float:
        bank = common.snapshot(info).dataset.bank
        return (self.record.amount or 0.0) * bank.rate(self.record.currency)

    @strawberry.field(description="The guaranteed facility, when the guarantee names one.")
    def facility(self) -> str | None:
        return self.record.facility

    @strawberry.field(description="Eligible credit protection: the net view substitutes the "
                                  "guarantor for the borrower.")
    def eligible(self) -> bool:
        return bool(self.record.eligible)

    @strawberry.field(description="The relationship as loaded, with its input row.")
    def relationship(self) -> Annotated[Relationship, strawberry.lazy("api.graphql.types.relationship")]:
        from api.graphql.types.relationship import Relationship

        return Relationship.from_record(self.record)
