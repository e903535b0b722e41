"""``RiskFlag``: a flag on a party or a group, with the figures that raised it."""

from __future__ import annotations

import strawberry

from api.graphql.types.enums import RiskFlagCode
from graph.risk.limits import RiskFlag as RiskFlagRecord

__all__ = ["RiskFlag"]


@strawberry.type(description="A risk flag on a party or a group (R8-R10), with its figures.")
class RiskFlag:
    record: strawberry.Private[RiskFlagRecord]

    @classmethod
    def from_record(cls, record: RiskFlagRecord) -> RiskFlag:
        return cls(record=record)

    @strawberry.field(description="What raised the flag.")
    def code(self) -> RiskFlagCode:
        return RiskFlagCode(self.record.code)

    @strawberry.field(description="The flag in words, with its figures and the rule's source.")
    def message(self) -> str:
        return self.record.message

    @strawberry.field(description="The party or group id the flag is about.")
    def subject_id(self) -> strawberry.ID:
        return strawberry.ID(self.record.subject)

    @strawberry.field(description="The limit check behind the flag (single_party, group, "
                                  "interbank, gsib, any, large_exposure, ...).")
    def check(self) -> str | None:
        return self.record.check

    @strawberry.field(description="The figure checked (gross exposure or loans), base currency.")
    def figure(self) -> float | None:
        return self.record.figure

    @strawberry.field(description="The figure as a fraction of the capital measure.")
    def ratio(self) -> float | None:
        return self.record.ratio

    @strawberry.field(description="The limit or threshold, as a fraction of the capital measure.")
    def limit(self) -> float | None:
        return self.record.limit

    @strawberry.field(description="The rule's source (regime and article).")
    def source(self) -> str | None:
        return self.record.source
