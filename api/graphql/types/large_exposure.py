"""``LargeExposure``: a party or group whose exposure is a large exposure (R8)."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from api.graphql.types import common
from api.graphql.types.entity import Entity
from api.graphql.types.enums import SubjectKind
from api.graphql.types.group import Group
from graph.risk.limits import RiskFlag as RiskFlagRecord

__all__ = ["LargeExposure"]


@strawberry.type(description="A large exposure by the regime's threshold (CN-2018: more than "
                             "2.5% of tier 1 capital; BASEL: at least 10%), to a party or a "
                             "group of two or more.")
class LargeExposure:
    record: strawberry.Private[RiskFlagRecord]

    @strawberry.field(description="The party or group id.")
    def subject_id(self) -> strawberry.ID:
        return strawberry.ID(self.record.subject)

    @strawberry.field(description="Whether it is a party or a group.")
    def kind(self, info: Info) -> SubjectKind:
        groups = common.snapshot(info).analysis.group_by_id
        return SubjectKind.GROUP if self.record.subject in groups else SubjectKind.PARTY

    @strawberry.field(description="The party's name, or the group's.")
    def name(self, info: Info) -> str:
        snapshot = common.snapshot(info)
        group = snapshot.analysis.group_by_id.get(self.record.subject)
        if group is not None:
            return snapshot.group_name(group)
        return snapshot.dataset.entities[self.record.subject].name

    @strawberry.field(description="Gross exposure (before mitigation), base currency.")
    def gross(self, info: Info) -> float:
        analysis = common.snapshot(info).analysis
        group = analysis.group_by_id.get(self.record.subject)
        exposure = analysis.group_exposure(group) if group else analysis.exposures.of(self.record.subject)
        return exposure.gross

    @strawberry.field(description="The exposure the regime checks (after mitigation without "
                                  "exempt exposure, or gross: limits_apply_to) as a fraction "
                                  "of tier 1 capital.")
    def share_of_tier1(self) -> float:
        return self.record.ratio or 0.0

    @strawberry.field(description="The regime's large-exposure threshold, fraction of tier 1.")
    def threshold(self) -> float:
        return self.record.limit or 0.0

    @strawberry.field(description="The finding in words, with the regime's source.")
    def message(self) -> str:
        return self.record.message

    @strawberry.field(description="The party, when the subject is a party.")
    async def entity(self, info: Info) -> Entity | None:
        return await common.entity(info, self.record.subject)

    @strawberry.field(description="The group, when the subject is a group.")
    async def group(self, info: Info) -> Group | None:
        found = await common.context(info).loaders.group.load(self.record.subject)
        return Group.from_record(found) if found is not None else None
