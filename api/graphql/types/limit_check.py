"""``LimitCheck``: one limit of the regime applied to a party or a group (R8)."""

from __future__ import annotations

import strawberry

from api.graphql.types.enums import LimitStatus
from graph.risk.limits import LimitCheck as LimitCheckRecord

__all__ = ["LimitCheck"]


@strawberry.type(description="One large-exposure limit applied to a party or a group, on "
                             "gross and on net exposure side by side (R8).")
class LimitCheck:
    record: strawberry.Private[LimitCheckRecord]

    @classmethod
    def from_record(cls, record: LimitCheckRecord) -> LimitCheck:
        return cls(record=record)

    @strawberry.field(description="The check (single_party, single_party_loans, group, "
                                  "interbank, gsib, any).")
    def check(self) -> str:
        return self.record.check

    @strawberry.field(description="What the limit is on, in words.")
    def description(self) -> str:
        return self.record.description

    @strawberry.field(description="The limit, as a fraction of the capital measure.")
    def limit(self) -> float:
        return self.record.limit

    @strawberry.field(description="The capital measure: tier1_capital or net_capital.")
    def denominator(self) -> str:
        return self.record.denominator

    @strawberry.field(description="The capital measure's amount, base currency.")
    def denominator_value(self) -> float:
        return self.record.denominator_value

    @strawberry.field(description="Regime article.")
    def source(self) -> str:
        return self.record.source

    @strawberry.field(description="Gross figure (exposure, or loans for single_party_loans).")
    def gross(self) -> float:
        return self.record.gross

    @strawberry.field(description="Net figure.")
    def net(self) -> float:
        return self.record.net

    @strawberry.field(description="Gross figure / capital measure.")
    def gross_ratio(self) -> float:
        return self.record.gross_ratio

    @strawberry.field(description="Net figure / capital measure.")
    def net_ratio(self) -> float:
        return self.record.net_ratio

    @strawberry.field(description="The ratio the regime checks (after mitigation without exempt "
                                  "exposure, or gross: limits_apply_to) / limit: 1.0 is the limit used up.")
    def usage(self) -> float:
        return self.record.usage

    @strawberry.field(description="Status on the gross figure (before mitigation).")
    def gross_status(self) -> LimitStatus:
        return LimitStatus(self.record.status("gross"))

    @strawberry.field(description="Status on the net figure.")
    def net_status(self) -> LimitStatus:
        return LimitStatus(self.record.status("net"))
