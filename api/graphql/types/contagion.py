"""``Contagion``: what a set of defaults sets off (R11 cascade, R12 DebtRank)."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from api.graphql.snapshot import ContagionResult
from api.graphql.types import common
from api.graphql.types.default_event import DefaultEvent
from api.graphql.types.entity import Entity
from api.graphql.types.enums import ContagionModel
from api.graphql.types.stress import Stress

__all__ = ["Contagion"]


@strawberry.type(description="A contagion scenario from a set of initial defaults. The "
                             "guarantee-call cascade (R11) gives the defaults by round and the "
                             "exposure at risk; the DEBTRANK model adds the DebtRank (R12) and "
                             "each party's stress.")
class Contagion:
    result: strawberry.Private[ContagionResult]
    model: ContagionModel = strawberry.field(description="The model asked for.")

    @strawberry.field(description="Every party that defaults, with its round; initial defaults "
                                  "first, then by round and id.")
    def defaulted(self) -> list[DefaultEvent]:
        rounds = self.result.cascade.rounds_of
        ordered = sorted(rounds, key=lambda p: (rounds[p], p))
        return [DefaultEvent(entity_id=strawberry.ID(p), round=rounds[p]) for p in ordered]

    @strawberry.field(description="The number of rounds that added defaults (0: none followed).")
    def rounds(self) -> int:
        return self.result.cascade.rounds

    @strawberry.field(description="The bank's gross exposure to every defaulted party, the "
                                  "initial ones included, base currency.")
    def exposure_at_risk(self) -> float:
        return self.result.cascade.exposure_at_risk

    @strawberry.field(description="DEBTRANK: the DebtRank R, the stress-weighted share of the "
                                  "book hit, not counting the initial shock; null for CASCADE.")
    def debt_rank(self) -> float | None:
        return self.result.debt_rank.debt_rank if self.result.debt_rank else None

    @strawberry.field(description="DEBTRANK: every party under stress, most stressed first; "
                                  "empty for CASCADE.")
    def stressed(self) -> list[Stress]:
        if self.result.debt_rank is None:
            return []
        stress = self.result.debt_rank.stress
        return [Stress(entity_id=strawberry.ID(p), stress=h)
                for p, h in sorted(stress.items(), key=lambda ph: (-ph[1], ph[0]))]

    @strawberry.field(description="Guarantors called who have no net assets on record: they "
                                  "cannot be judged, so they are not counted as defaulted. "
                                  "Not safe, unknown.")
    async def called_without_buffer(self, info: Info) -> list[Entity]:
        return await common.entities(info, self.result.cascade.called_without_buffer)
