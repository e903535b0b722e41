"""``Group``: a group of connected clients (R6), its members, controllers, exposure, flags."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry.types import Info

from api.graphql.errors import BadRequest
from api.graphql.types import common
from api.graphql.types.connection import PAGE_LIMIT, After, Connection, First
from api.graphql.types.entity import Entity
from api.graphql.types.evidence import Evidence
from api.graphql.types.exposure import Exposure
from api.graphql.types.limit_check import LimitCheck
from api.graphql.types.risk_flag import RiskFlag
from graph.analysis.groups import Group as GroupRecord

__all__ = ["Group"]


@strawberry.type(description="A group of connected clients (集团客户, R6): the parties linked "
                             "by control, family ties and economic dependence. Its id is "
                             "derived from its members, so the same data gives the same id.")
class Group:
    record: strawberry.Private[GroupRecord]
    id: strawberry.ID = strawberry.field(
        description="Stable id: G and 12 hex digits of a hash of the member ids.")

    @classmethod
    def from_record(cls, record: GroupRecord) -> Group:
        return cls(record=record, id=strawberry.ID(record.id))

    @strawberry.field(description="The name of the group's root party (with `family` for a "
                                  "family root).")
    def name(self, info: Info) -> str:
        return common.snapshot(info).group_name(self.record)

    @strawberry.field(description="The number of members (persons included).")
    def size(self) -> int:
        return self.record.size

    @strawberry.field(description="The unit at the top of the group, from which evidence chains "
                                  "start: a party id or `family:<first member id>`.")
    def root(self) -> str:
        return self.record.root

    @strawberry.field(description="The members, by id.")
    async def members(self, info: Info, first: First = 50, after: After = None
                      ) -> Connection[Entity]:
        return await common.entity_page(info, self.record.members, first, after)

    @strawberry.field(description="The group's ultimate controllers: every member of each "
                                  "controlling unit at the top of the group. Empty when no one "
                                  "controls (a group joined by dependence only, or of one). A "
                                  "state body is never one (R17): under it, the company it "
                                  "controls is the top of its own group.")
    async def controllers(self, info: Info) -> list[Entity]:
        return await common.entities(info, self.record.controllers)

    @strawberry.field(description="The group's exposure: the sum over its members (R7, "
                                  "R13-R16); exempt when every member with exposure is.")
    def exposure(self, info: Info) -> Exposure:
        return common.exposure_via(info, common.context(info).loaders.group_exposure,  # type: ignore[return-value]
                                   self.record.id, is_group=True)

    @strawberry.field(description="The highest share of a limit the group's gross exposure uses, "
                                  "over its group checks (a group of one: its party checks); "
                                  "1.0 is at the limit, above 1.0 a breach, 0 when no limit "
                                  "applies.")
    def limit_ratio(self, info: Info) -> float:
        return common.via(common.context(info).loaders.limit_usage, self.record.id,  # type: ignore[return-value]
                          float)

    @strawberry.field(description="The group's flags: of its group checks, or for a group of "
                                  "one, its member's.")
    def flags(self, info: Info) -> list[RiskFlag]:
        return common.via(common.context(info).loaders.flags, self.record.id,  # type: ignore[return-value]
                          lambda flags: [RiskFlag.from_record(f) for f in flags])

    @strawberry.field(description="The limits applied to the group (a group of one: its "
                                  "member's party checks).")
    def limit_checks(self, info: Info) -> list[LimitCheck]:
        return common.via(common.context(info).loaders.limit_checks, self.record.id,  # type: ignore[return-value]
                          lambda checks: [LimitCheck.from_record(c) for c in checks])

    @strawberry.field(description="Why each member is in the group, in member order: for the "
                                  "members given by `memberIds`, else for a page of members "
                                  "(`first`, `after` as for `members`).")
    def evidence(self, info: Info,
                 member_ids: Annotated[list[strawberry.ID] | None, strawberry.argument(
                     description=f"Entity ids of the members to explain, at most "
                                 f"{PAGE_LIMIT}; ids that are not members are skipped. When "
                                 f"given, `first` and `after` are ignored.")] = None,
                 first: First = 50, after: After = None) -> list[Evidence]:
        limit = common.context(info).settings.max_page_size
        if member_ids is not None:
            if len(member_ids) > limit:
                raise BadRequest(f"at most {limit} memberIds at a time, got {len(member_ids)}")
            chosen = [str(m) for m in member_ids if str(m) in self.record.evidence]
        else:
            at = common.page_window(info, self.record.size, first, after)
            chosen = list(self.record.members[at.start:at.end])
        return [Evidence(member_id=strawberry.ID(m), records=self.record.evidence[m])
                for m in chosen]
