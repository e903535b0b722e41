"""``Concentration`` and ``ConcentrationItem``: HHI and top-N share of the book (R9)."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from api.graphql.types import common
from api.graphql.types.enums import Dimension
from api.graphql.types.group import Group
from graph.risk.concentration import Concentration as ConcentrationRecord
from graph.risk.concentration import ConcentrationItem as ConcentrationItemRecord

__all__ = ["Concentration", "ConcentrationItem"]


@strawberry.type(description="One bucket of the book: a group, an industry or a region.")
class ConcentrationItem:
    record: strawberry.Private[ConcentrationItemRecord]
    dimension: strawberry.Private[str]

    @strawberry.field(description="The bucket: a group id, an industry or region code "
                                  "(`(unknown)` when the borrower has none).")
    def key(self) -> str:
        return self.record.key

    @strawberry.field(description="The group's name for a group; else the code.")
    def name(self, info: Info) -> str:
        if self.dimension == "group":
            group = common.snapshot(info).analysis.group_by_id.get(self.record.key)
            if group is not None:
                return common.snapshot(info).group_name(group)
        return self.record.key

    @strawberry.field(description="Gross exposure of the bucket, base currency.")
    def exposure(self) -> float:
        return self.record.exposure

    @strawberry.field(description="Share of the book's total gross exposure.")
    def share(self) -> float:
        return self.record.share

    @strawberry.field(description="The group, when the dimension is GROUP.")
    async def group(self, info: Info) -> Group | None:
        if self.dimension != "group":
            return None
        found = await common.context(info).loaders.group.load(self.record.key)
        return Group.from_record(found) if found is not None else None


@strawberry.type(description="Concentration of gross exposure (R9): the Herfindahl-Hirschman "
                             "index over the buckets of a dimension and the share of the "
                             "largest `top`.")
class Concentration:
    record: strawberry.Private[ConcentrationRecord]

    @strawberry.field(description="What the book is split by.")
    def dimension(self) -> Dimension:
        return Dimension(self.record.dimension)

    @strawberry.field(description="HHI: sum of squared shares x 10,000 (10,000: one bucket "
                                  "holds everything; 40/30/20/10 gives 3,000).")
    def hhi(self) -> float:
        return self.record.hhi

    @strawberry.field(description="How many of the largest buckets `topShare` and `items` cover.")
    def top(self) -> int:
        return self.record.top

    @strawberry.field(description="Share of total gross exposure in the `top` largest buckets.")
    def top_share(self) -> float:
        return self.record.top_share

    @strawberry.field(description="Total gross exposure of the book, base currency.")
    def total(self) -> float:
        return self.record.total

    @strawberry.field(description="The number of buckets with exposure.")
    def buckets(self) -> int:
        return len(self.record.items)

    @strawberry.field(description="The `top` largest buckets, largest first.")
    def items(self) -> list[ConcentrationItem]:
        return [ConcentrationItem(record=i, dimension=self.record.dimension)
                for i in self.record.items[:self.record.top]]
