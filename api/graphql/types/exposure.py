"""``Exposure`` and ``CategoryExposure``: the exposure of a party, a group or the whole book
(R7, R13-R16), in the names of DESIGN section 7: ``gross net exempt mitigatedOut
mitigatedIn byCategory``.

``gross`` and ``net`` come with the object (the loaders batch them for a page of parties or
groups); the breakdown (``exempt``, what mitigation moved, the six G14 columns) is resolved
only when a query asks for it, through the request's loaders from the snapshot's arrays
(:meth:`api.graphql.snapshot.Snapshot.breakdowns`), never held per party.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import strawberry
from strawberry.types import Info

from api.graphql.types import common
from graph.analysis.exposure import CATEGORIES, ExposureBreakdown
from graph.analysis.exposure import CategoryExposure as CategoryRecord
from graph.analysis.exposure import Exposure as ExposureRecord

__all__ = ["CategoryExposure", "Exposure"]

T = TypeVar("T")


@strawberry.type(description="One G14 column of an exposure (R14), before and after "
                             "mitigation, base currency.")
class CategoryExposure:
    category: str = strawberry.field(description=f"The column: {', '.join(CATEGORIES)}.")
    gross: float = strawberry.field(description="Before mitigation.")
    net: float = strawberry.field(description="After mitigation (R16).")

    @classmethod
    def of(cls, record: CategoryRecord) -> CategoryExposure:
        return cls(category=record.category, gross=record.gross, net=record.net)


@strawberry.type(description="The bank's exposure, in its base currency (R7, R13-R16). Gross "
                             "is before mitigation; net after it: eligible collateral reduces "
                             "or moves it, eligible guarantees move it to the guarantor.")
class Exposure:
    gross: float = strawberry.field(description="Before mitigation: every facility's exposure "
                                                "value (and look-through, R15), base currency.")
    net: float = strawberry.field(description="After mitigation (R16): gross - mitigatedOut + "
                                              "mitigatedIn.")
    currency: str = strawberry.field(description="The bank's base currency.")
    gross_share_of_tier1: float = strawberry.field(
        description="Gross exposure as a fraction of the bank's tier 1 capital.")
    net_share_of_tier1: float = strawberry.field(
        description="Net exposure as a fraction of the bank's tier 1 capital.")
    subject: strawberry.Private[str | None] = None
    """The party or group id; None for the whole book."""
    is_group: strawberry.Private[bool] = False

    @classmethod
    def of(cls, record: ExposureRecord, currency: str, tier1: float, subject: str | None = None,
           is_group: bool = False) -> Exposure:
        return cls(gross=record.gross, net=record.net, currency=currency,
                   gross_share_of_tier1=record.gross / tier1 if tier1 else 0.0,
                   net_share_of_tier1=record.net / tier1 if tier1 else 0.0,
                   subject=subject, is_group=is_group)

    def _breakdown(self, info: Info[Any, Any], read: Callable[[ExposureBreakdown], T]
                   ) -> T | Awaitable[T]:
        if self.subject is None:
            return read(common.snapshot(info).total_breakdown)
        loaders = common.context(info).loaders
        loader = loaders.group_breakdown if self.is_group else loaders.breakdown
        return common.via(loader, self.subject, read)

    @strawberry.field(description="Whether the exposure is exempt (可豁免, R13): the party is of "
                                  "an exempt class (for a group or the book: every party with "
                                  "exposure is). Exempt exposure counts in the totals, not in "
                                  "limits or large-exposure status.")
    def exempt(self, info: Info) -> bool:
        return self._breakdown(info, lambda b: b.exempt)  # type: ignore[return-value]

    @strawberry.field(description="What mitigation took out (转出): reductions by collateral "
                                  "and substitutions onto collateral issuers and guarantors.")
    def mitigated_out(self, info: Info) -> float:
        return self._breakdown(info, lambda b: b.moved_out)  # type: ignore[return-value]

    @strawberry.field(description="What mitigation brought in (转入): substitutions onto it as "
                                  "issuer or guarantor.")
    def mitigated_in(self, info: Info) -> float:
        return self._breakdown(info, lambda b: b.moved_in)  # type: ignore[return-value]

    @strawberry.field(description="The six G14 columns (R14), before and after mitigation, "
                                  "in the return's order.")
    def by_category(self, info: Info) -> list[CategoryExposure]:
        return self._breakdown(  # type: ignore[return-value]
            info, lambda b: [CategoryExposure.of(c) for c in b.by_category])
