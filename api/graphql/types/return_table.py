"""``ReturnTable``: one part of the regime's large-exposure return (R20), as text.

The names are those of DESIGN section 7: ``ReturnTable { part columns rows unit }``. The
rows are the cells as :meth:`graph.reports.returns.ReturnTable.text_rows` writes them
(amounts in the return's unit to its decimals with thousands separators, ratios as
percentages to two places), in the regime file's column order.
"""

from __future__ import annotations

import strawberry

from graph.reports.returns import ReturnTable as ReturnTableRecord

__all__ = ["ReturnTable"]


@strawberry.type(description="One part of the large-exposure return of the dataset's regime "
                             "(R20: CN-2018 the parts of G14, BASEL the lists of LEX20.4), "
                             "its columns and rows as the regime file defines them.")
class ReturnTable:
    record: strawberry.Private[ReturnTableRecord]

    @strawberry.field(description="The part's key in the regime file (e.g. "
                                  "non_interbank_single, largest_20).")
    def part(self) -> str:
        return self.record.key

    @strawberry.field(description="The part's title in the return's template.")
    def title(self) -> str:
        return self.record.title

    @strawberry.field(description="The column titles, in the template's order.")
    def columns(self) -> list[str]:
        return [c.title for c in self.record.columns]

    @strawberry.field(description="The column keys of the regime file (rank, id, total, "
                                  "share_of_tier1, ...), in the same order as `columns`.")
    def column_keys(self) -> list[str]:
        return [c.key for c in self.record.columns]

    @strawberry.field(description="The rows, each a cell per column as text: amounts in "
                                  "`unit` to its decimals with thousands separators, ratios of "
                                  "tier 1 as percentages to two places.")
    def rows(self) -> list[list[str]]:
        return self.record.text_rows()

    @strawberry.field(description="The unit of the amounts (CN-2018: 万元).")
    def unit(self) -> str:
        return self.record.unit

    @strawberry.field(description="The article of the rules the part follows.")
    def source(self) -> str:
        return self.record.source
