"""``Headroom`` and ``LimitHeadroom``: the room left under each limit of a party (R19)."""

from __future__ import annotations

import strawberry

from api.graphql.types.enums import SubjectKind
from api.graphql.types.limit_check import LimitCheck
from graph.risk.headroom import Headroom as HeadroomRecord
from graph.risk.headroom import LimitHeadroom as LimitHeadroomRecord

__all__ = ["Headroom", "LimitHeadroom"]


@strawberry.type(description="One limit of a party or of its group with the room left under "
                             "it (R19), base currency.")
class LimitHeadroom:
    record: strawberry.Private[LimitHeadroomRecord]

    @strawberry.field(description="The party or group id the limit is applied to.")
    def subject_id(self) -> strawberry.ID:
        return strawberry.ID(self.record.check.subject)

    @strawberry.field(description="Whether the limit is the party's own or its group's.")
    def subject_kind(self) -> SubjectKind:
        return SubjectKind.PARTY if self.record.check.subject_kind == "party" else SubjectKind.GROUP

    @strawberry.field(description="The limit check (R8) behind it.")
    def check(self) -> LimitCheck:
        return LimitCheck.from_record(self.record.check)

    @strawberry.field(description="The limit in base currency: the limit times its capital "
                                  "measure (tier 1 or net capital).")
    def limit_amount(self) -> float:
        return self.record.limit_amount

    @strawberry.field(description="The exposure after mitigation (for single_party_loans: "
                                  "the loans).")
    def exposure_after_mitigation(self) -> float:
        return self.record.check.net

    @strawberry.field(description="The exposure before mitigation (gross: guarantees and "
                                  "collateral ignored).")
    def exposure_before_mitigation(self) -> float:
        return self.record.check.gross

    @strawberry.field(description="The figure the limit is held against: after mitigation "
                                  "where the regime says limits apply to net exposure.")
    def checked_exposure(self) -> float:
        return self.record.exposure

    @strawberry.field(description="Limit amount minus checked exposure, never below zero.")
    def headroom(self) -> float:
        return self.record.headroom


@strawberry.type(description="How much more a party may borrow under each limit of it and of "
                             "its group (R19), and which limit binds.")
class Headroom:
    record: strawberry.Private[HeadroomRecord]

    @strawberry.field(description="The party's id.")
    def entity_id(self) -> strawberry.ID:
        return strawberry.ID(self.record.entity_id)

    @strawberry.field(description="The party's group, when it is checked as a group (two "
                                  "members or more).")
    def group_id(self) -> strawberry.ID | None:
        return strawberry.ID(self.record.group_id) if self.record.group_id else None

    @strawberry.field(description="The bank's base currency, of every amount here.")
    def base_currency(self) -> str:
        return self.record.base_currency

    @strawberry.field(description="Every limit of the party, then of its group, in the "
                                  "regime's order.")
    def limits(self) -> list[LimitHeadroom]:
        return [LimitHeadroom(record=limit) for limit in self.record.limits]

    @strawberry.field(description="The limit of least headroom (ties: the first in the regime "
                                  "file); null when no limit applies.")
    def binding(self) -> LimitHeadroom | None:
        return LimitHeadroom(record=self.record.binding) if self.record.binding else None
