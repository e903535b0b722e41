"""``Exposure``: gross and net exposure of a party or a group (rule R7)."""

from __future__ import annotations

import strawberry

from graph.analysis.exposure import Exposure as ExposureRecord

__all__ = ["Exposure"]


@strawberry.type(description="The bank's exposure, in its base currency (R7). Gross ignores "
                             "guarantees; net moves eligible guaranteed amounts from the "
                             "borrower to the guarantor (substitution).")
class Exposure:
    gross: float = strawberry.field(description="Sum of facility exposure values: outstanding "
                                                "+ CCF x undrawn, in base currency.")
    net: float = strawberry.field(description="Gross, less eligible guarantees received, plus "
                                              "those given (substitution).")
    currency: str = strawberry.field(description="The bank's base currency.")
    gross_share_of_tier1: float = strawberry.field(
        description="Gross exposure as a fraction of the bank's tier 1 capital.")
    net_share_of_tier1: float = strawberry.field(
        description="Net exposure as a fraction of the bank's tier 1 capital.")

    @classmethod
    def of(cls, record: ExposureRecord, currency: str, tier1: float) -> Exposure:
        return cls(gross=record.gross, net=record.net, currency=currency,
                   gross_share_of_tier1=record.gross / tier1 if tier1 else 0.0,
                   net_share_of_tier1=record.net / tier1 if tier1 else 0.0)
