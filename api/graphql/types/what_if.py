"""``ProposedFacility``, ``WhatIf`` and ``WhatIfSubject``: a book with proposed facilities
added, its limit checks and flags before and after (R19).

``WhatIf { before after newFlags }`` are the names of DESIGN section 7: every touched
subject's limits and new flags in one list each; ``subjects`` has the same figures subject by
subject."""

from __future__ import annotations

import strawberry

from api.graphql.types.enums import SubjectKind
from api.graphql.types.headroom import LimitHeadroom
from api.graphql.types.risk_flag import RiskFlag
from graph.risk.whatif import SubjectChange
from graph.risk.whatif import WhatIf as WhatIfRecord

__all__ = ["ProposedFacility", "WhatIf", "WhatIfSubject"]


@strawberry.input(description="A proposed facility, in the columns of facilities, with an "
                              "optional eligible guarantee of it.")
class ProposedFacility:
    borrower: strawberry.ID = strawberry.field(description="The borrowing party's id.")
    outstanding: float = strawberry.field(description="Drawn balance, in `currency`.")
    id: strawberry.ID | None = strawberry.field(
        default=None, description="Facility id; default WHATIF-1, WHATIF-2, ... (not taken).")
    undrawn: float | None = strawberry.field(default=None, description="Undrawn commitment.")
    ccf: float | None = strawberry.field(
        default=None, description="Credit conversion factor, 0 to 1 (default: the regime's).")
    category: str | None = strawberry.field(default=None, description="Category (default loan).")
    product: str | None = strawberry.field(
        default=None, description="Product, e.g. loan, revolving, trade_finance (decides the "
                                  "default ccf and whether it counts as a loan).")
    currency: str | None = strawberry.field(default=None,
                                            description="Currency (default: base currency).")
    guarantor: strawberry.ID | None = strawberry.field(
        default=None, description="A party giving an eligible guarantee of this facility.")
    guarantee_amount: float | None = strawberry.field(
        default=None, description="The guaranteed amount, in the facility's currency.")

    def row(self) -> dict[str, str | None]:
        """The proposal as the text cells a proposals table would hold."""
        cells = {"id": self.id, "borrower": self.borrower, "outstanding": self.outstanding,
                 "undrawn": self.undrawn, "ccf": self.ccf, "category": self.category,
                 "product": self.product, "currency": self.currency,
                 "guarantor": self.guarantor, "guarantee_amount": self.guarantee_amount}
        # repr keeps every digit of a float, and reads back as the same number
        return {k: None if v is None else repr(v) if isinstance(v, float) else str(v)
                for k, v in cells.items()}


@strawberry.type(description="A party or group the proposals touch: its limits and flags "
                             "before and after.")
class WhatIfSubject:
    record: strawberry.Private[SubjectChange]

    @strawberry.field(description="The party or group id.")
    def subject_id(self) -> strawberry.ID:
        return strawberry.ID(self.record.subject)

    @strawberry.field(description="Whether it is a party or a group.")
    def kind(self) -> SubjectKind:
        return SubjectKind.PARTY if self.record.subject_kind == "party" else SubjectKind.GROUP

    @strawberry.field(description="Its limits as the book stands.")
    def before(self) -> list[LimitHeadroom]:
        return [LimitHeadroom(record=h) for h in self.record.before]

    @strawberry.field(description="Its limits with the proposals.")
    def after(self) -> list[LimitHeadroom]:
        return [LimitHeadroom(record=h) for h in self.record.after]

    @strawberry.field(description="Its limit and large-exposure flags as the book stands.")
    def flags_before(self) -> list[RiskFlag]:
        return [RiskFlag.from_record(f) for f in self.record.flags_before]

    @strawberry.field(description="Its limit and large-exposure flags with the proposals.")
    def flags_after(self) -> list[RiskFlag]:
        return [RiskFlag.from_record(f) for f in self.record.flags_after]

    @strawberry.field(description="The flags the proposals would raise that it lacks now.")
    def new_flags(self) -> list[RiskFlag]:
        return [RiskFlag.from_record(f) for f in self.record.new_flags]


@strawberry.type(description="The book with the proposed facilities added (nothing is stored): "
                             "the limit checks and flags of every party and group they touch.")
class WhatIf:
    record: strawberry.Private[WhatIfRecord]

    @strawberry.field(description="The limits of every party and group the proposals touch, "
                                  "as the book stands: each subject's (see `subjects`) in turn.")
    def before(self) -> list[LimitHeadroom]:
        return [LimitHeadroom(record=h) for s in self.record.subjects for h in s.before]

    @strawberry.field(description="The same limits with the proposals added.")
    def after(self) -> list[LimitHeadroom]:
        return [LimitHeadroom(record=h) for s in self.record.subjects for h in s.after]

    @strawberry.field(description="The limit and large-exposure flags the proposals would raise "
                                  "that their subjects lack now, subject by subject.")
    def new_flags(self) -> list[RiskFlag]:
        return [RiskFlag.from_record(f) for s in self.record.subjects for f in s.new_flags]

    @strawberry.field(description="The proposed facilities' ids, in the order given.")
    def facility_ids(self) -> list[strawberry.ID]:
        return [strawberry.ID(p.facility.id) for p in self.record.proposals]

    @strawberry.field(description="The parties the proposals name (borrowers, guarantors), then "
                                  "their groups.")
    def subjects(self) -> list[WhatIfSubject]:
        return [WhatIfSubject(record=s) for s in self.record.subjects]
