"""``Evidence`` and ``EvidenceStep``: why a party is a member of its group (R6).

A member's evidence is the chain of links from the group's root to it: each step a control
link (R4a, R4b), a family tie (R3) or economic dependence (R6), with the input rows behind
it, so an analyst can check every membership back to the data.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry.types import Info

from api.graphql.types import common
from api.graphql.types.enums import EvidenceRule
from api.graphql.types.relationship import Relationship
from graph.analysis.groups import EvidenceStep as EvidenceStepRecord
from graph.reports.report import describe_step

if TYPE_CHECKING:
    from api.graphql.types.entity import Entity

__all__ = ["Evidence", "EvidenceStep"]


@strawberry.type(description="One link of an evidence chain: `source` is linked to `target` "
                             "by `rule`, because of the relationships in `edges`.")
class EvidenceStep:
    record: strawberry.Private[EvidenceStepRecord]

    @strawberry.field(description="The rule that makes the link.")
    def rule(self) -> EvidenceRule:
        return EvidenceRule(self.record.rule)

    @strawberry.field(description="The controlling unit or party the link starts from: a party "
                                  "id, or `family:<first member id>` for a family (R3).")
    def source_id(self) -> str:
        return self.record.source

    @strawberry.field(description="The source's name (a family: its members' names).")
    def source_name(self, info: Info) -> str:
        names = common.snapshot(info).names
        return names.get(self.record.source, self.record.source)

    @strawberry.field(description="The parties of the source (every member of a family).")
    async def source_parties(self, info: Info
                             ) -> list[Annotated[Entity, strawberry.lazy("api.graphql.types.entity")]]:
        unit = common.snapshot(info).analysis.control.units.get(self.record.source)
        members = unit.members if unit is not None else (self.record.source,)
        return await common.entities(info, members)

    @strawberry.field(description="Id of the party the link reaches.")
    def target_id(self) -> strawberry.ID:
        return strawberry.ID(self.record.target)

    @strawberry.field(description="The party the link reaches.")
    async def target(self, info: Info
              ) -> Annotated[Entity, strawberry.lazy("api.graphql.types.entity")] | None:
        return await common.entity(info, self.record.target)

    @strawberry.field(description="R4b: the summed holding; R6: the dependence share.")
    def share(self) -> float | None:
        return self.record.share

    @strawberry.field(description="The step in words, with names, shares and the rule.")
    def text(self, info: Info) -> str:
        return describe_step(self.record, common.snapshot(info).names)  # type: ignore[arg-type]

    @strawberry.field(description="The input relationships behind the link, with their rows.")
    def edges(self) -> list[Relationship]:
        return [Relationship.from_record(r) for r in self.record.edges]


@strawberry.type(description="Why one party is a member of its group: the chain of steps "
                             "from the group's root to it (empty for the root itself).")
class Evidence:
    member_id: strawberry.ID = strawberry.field(description="The member's id.")
    records: strawberry.Private[tuple[EvidenceStepRecord, ...]]

    @strawberry.field(description="The member party (the entity of `memberId`).")
    async def member(self, info: Info
              ) -> Annotated[Entity, strawberry.lazy("api.graphql.types.entity")] | None:
        return await common.entity(info, str(self.member_id))

    @strawberry.field(description="The steps, from the group's root to the member.")
    def steps(self) -> list[EvidenceStep]:
        return [EvidenceStep(record=s) for s in self.records]

    @strawberry.field(description="The chain in words, one step per line; for the root, why it "
                                  "is the root.")
    def text(self, info: Info) -> str:
        if not self.records:
            return "the group's root (it is not put there by a link)"
        names = common.snapshot(info).names
        return "\n".join(describe_step(s, names) for s in self.records)  # type: ignore[arg-type]
