"""``Headroom`` and ``LimitHeadroom``: the room left under each limit of a party (R19).

The names are those of DESIGN section 7: ``Headroom { entity binding checks }`` and
``LimitHeadroom { check subjectId limit gross net headroom }``, every amount in the bank's
base currency (``limit`` is the limit amount, not the fraction of capital: that is
``limitCheck.limit``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry.types import Info

from api.graphql.types import common
from api.graphql.types.enums import SubjectKind
from api.graphql.types.limit_check import LimitCheck
from graph.risk.headroom import Headroom as HeadroomRecord
from graph.risk.headroom import LimitHeadroom as LimitHeadroomRecord

if TYPE_CHECKING:
    from api.graphql.types.entity import Entity

__all__ = ["Headroom", "LimitHeadroom"]


@strawberry.type(description="One limit of a party or of its group with the room left under "
                             "it (R19), base currency.")
class LimitHeadroom:
    record: strawberry.Private[LimitHeadroomRecord]

    @strawberry.field(description="The check (single_party, single_party_loans, group, "
                                  "interbank, gsib, any), as the regime file names it.")
    def check(self) -> str:
        return self.record.check.check

    @strawberry.field(description="The party or group id the limit is applied to.")
    def subject_id(self) -> strawberry.ID:
        return strawberry.ID(self.record.check.subject)

    @strawberry.field(description="Whether the limit is the party's own or its group's.")
    def subject_kind(self) -> SubjectKind:
        return SubjectKind.PARTY if self.record.check.subject_kind == "party" else SubjectKind.GROUP

    @strawberry.field(description="The limit amount in base currency: the limit's fraction "
                                  "times its capital measure (tier 1 or net capital).")
    def limit(self) -> float:
        return self.record.limit_amount

    @strawberry.field(description="The exposure before mitigation (for single_party_loans: "
                                  "the loans), base currency.")
    def gross(self) -> float:
        return self.record.check.gross

    @strawberry.field(description="The exposure after mitigation (for single_party_loans: "
                                  "the loans), base currency.")
    def net(self) -> float:
        return self.record.check.net

    @strawberry.field(description="The figure the limit is held against: `net` where the "
                                  "regime says limits apply after mitigation, else `gross`.")
    def checked_exposure(self) -> float:
        return self.record.exposure

    @strawberry.field(description="`limit` minus `checkedExposure`, never below zero.")
    def headroom(self) -> float:
        return self.record.headroom

    @strawberry.field(description="The limit check (R8) behind it: its description, fraction "
                                  "of capital, source and status.")
    def limit_check(self) -> LimitCheck:
        return LimitCheck.from_record(self.record.check)


@strawberry.type(description="How much more a party may borrow under each limit of it and of "
                             "its group (R19), and which limit binds.")
class Headroom:
    record: strawberry.Private[HeadroomRecord]

    @strawberry.field(description="The party.")
    async def entity(self, info: Info) -> Annotated[
            Entity, strawberry.lazy("api.graphql.types.entity")]:
        found = await common.entity(info, self.record.entity_id)
        assert found is not None  # the resolver of headroom refused an unknown id
        return found

    @strawberry.field(description="The limit of least headroom (ties: the first in the regime "
                                  "file, then the party's own before its group's); null when no "
                                  "limit applies.")
    def binding(self) -> LimitHeadroom | None:
        return LimitHeadroom(record=self.record.binding) if self.record.binding else None

    @strawberry.field(description="Every limit of the party, then of its group, in the "
                                  "regime's order.")
    def checks(self) -> list[LimitHeadroom]:
        return [LimitHeadroom(record=limit) for limit in self.record.limits]

    @strawberry.field(description="The party's group, when it is checked as a group (two "
                                  "members or more).")
    def group_id(self) -> strawberry.ID | None:
        return strawberry.ID(self.record.group_id) if self.record.group_id else None

    @strawberry.field(description="The bank's base currency, of every amount here.")
    def base_currency(self) -> str:
        return self.record.base_currency
