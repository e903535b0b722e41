"""``Facility``: the bank's credit to one borrower, with its exposure value (R7)."""

from __future__ import annotations

import strawberry

from graph.analysis.exposure import FacilityExposure
from schema.records import Facility as FacilityRecord

__all__ = ["Facility"]


@strawberry.type(description="A facility: the bank's credit to one borrower, and how its "
                             "exposure value was computed (R7).")
class Facility:
    record: strawberry.Private[FacilityRecord]
    value: strawberry.Private[FacilityExposure]

    @strawberry.field(description="Facility id.")
    def id(self) -> strawberry.ID:
        return strawberry.ID(self.record.id)

    @strawberry.field(description="Product, e.g. loan, revolving, trade_finance.")
    def product(self) -> str | None:
        return self.record.product

    @strawberry.field(description="The facility's currency (none: the base currency).")
    def currency(self) -> str | None:
        return self.record.currency

    @strawberry.field(description="Drawn balance, in the facility's currency.")
    def outstanding(self) -> float:
        return self.record.outstanding

    @strawberry.field(description="Committed but undrawn amount, in the facility's currency.")
    def undrawn(self) -> float:
        return self.record.undrawn

    @strawberry.field(description="Credit conversion factor applied to the undrawn part.")
    def ccf(self) -> float:
        return self.value.ccf

    @strawberry.field(description="Where the CCF came from: the facility, or the regime's "
                                  "product table.")
    def ccf_source(self) -> str:
        return self.value.ccf_source

    @strawberry.field(description="Units of base currency per unit of the facility's currency.")
    def fx_rate(self) -> float:
        return self.value.fx_rate

    @strawberry.field(description="Exposure value: outstanding + CCF x undrawn, in base currency.")
    def exposure_value(self) -> float:
        return self.value.value

    @strawberry.field(description="The input row: file and line.")
    def origin(self) -> str | None:
        return self.record.origin
