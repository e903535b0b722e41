"""``GuaranteeCircle``: a ring of mutual guarantees (担保圈, R10)."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from api.graphql.types import common
from api.graphql.types.entity import Entity
from api.graphql.types.guarantee import Guarantee
from graph.risk.circles import GuaranteeCircle as GuaranteeCircleRecord

__all__ = ["GuaranteeCircle"]


@strawberry.type(description="A guarantee circle (担保圈, R10): parties that guarantee, "
                             "directly or through one another, each other's debt (a strongly "
                             "connected component of two or more of the guarantee graph).")
class GuaranteeCircle:
    record: strawberry.Private[GuaranteeCircleRecord]

    @strawberry.field(description="Stable id: circle: and a hash of the member ids.")
    def id(self) -> strawberry.ID:
        return strawberry.ID(self.record.id)

    @strawberry.field(description="The number of members.")
    def size(self) -> int:
        return len(self.record.members)

    @strawberry.field(description="The members, by id.")
    async def members(self, info: Info) -> list[Entity]:
        return await common.entities(info, self.record.members)

    @strawberry.field(description="Sum of the guarantees among the members, base currency.")
    def total_guaranteed(self) -> float:
        return self.record.total_guaranteed

    @strawberry.field(description="The bank's gross exposure to the members: what rides on "
                                  "the circle.")
    def exposure(self, info: Info) -> float:
        return common.snapshot(info).exposure_of_parties(self.record.members).gross

    @strawberry.field(description="The bank's net exposure to the members.")
    def net_exposure(self, info: Info) -> float:
        return common.snapshot(info).exposure_of_parties(self.record.members).net

    @strawberry.field(description="The guarantees among the members.")
    def guarantees(self) -> list[Guarantee]:
        return [Guarantee.from_record(r) for r in self.record.guarantees]
