"""The risk assessment of an analysed book: rules R8-R12 and suspected links together.

:func:`assess` runs the limit checks, concentration, guarantee circles and chains,
cross-holdings, suspected links, the declared-group comparison and the systemic ranking,
and gathers every flag by the party or group it is about. A party carries its own flags
(limits, large exposure, circle, cross-holding); a group of two or more carries the flags
of the group checks; a group of one carries its member's flags, as it is checked as a
single party.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from graph.analysis import Analysis
from graph.analysis.groups import Group
from graph.risk.circles import GuaranteeChain, GuaranteeCircle, circles_of
from graph.risk.concentration import DIMENSIONS, Concentration, concentration_by
from graph.risk.contagion import ImpactMatrix, impact_matrix, systemic_ranking
from graph.risk.limits import LimitCheck, LimitChecks, RiskFlag, check_limits, large_exposure_flags
from graph.risk.subjects import SubjectKind, checked_subject, circle_of, group_of, kind_of
from graph.risk.suspects import DeclaredGroupDiff, SuspectedLink, declared_group_diffs, suspected_links
from schema.records import collector_paused

__all__ = ["RiskAssessment", "assess"]


@dataclass
class RiskAssessment:
    """Everything a risk report shows, computed once."""

    analysis: Analysis
    limit_checks: LimitChecks
    flags: dict[str, list[RiskFlag]]
    concentration: dict[str, Concentration]
    circles: list[GuaranteeCircle]
    chains: list[GuaranteeChain]
    cross_holdings: list[tuple[str, ...]]
    suspected_links: list[SuspectedLink]
    declared_groups: list[DeclaredGroupDiff]
    impact: ImpactMatrix
    """R12's impact weights, built once for the systemic ranking and reused by every
    contagion question after it."""
    systemic: list[tuple[str, float]] = field(default_factory=list)

    def checks_of(self, subject: str) -> list[LimitCheck]:
        return self.limit_checks.of(subject)

    def checked_subject(self, subject: str) -> str:
        """The subject whose checks and flags stand for ``subject`` (a group of one: its
        member; see :func:`graph.risk.subjects.checked_subject`)."""
        return checked_subject(self.analysis.group_by_id, subject)

    def flags_of(self, subject: str) -> list[RiskFlag]:
        """Flags of a party or a group (a group of one: its member's)."""
        return self.flags.get(self.checked_subject(subject), [])

    def limit_checks_of(self, subject: str) -> list[LimitCheck]:
        """Limit checks of a party or a group (a group of one: its member's)."""
        return self.checks_of(self.checked_subject(subject))

    def limit_usage(self, group: Group) -> float:
        """The highest share of a limit the group's checked exposure uses (1.0 = at the
        limit; :attr:`LimitCheck.checked`), over its group checks (for a group of one, its
        party checks); 0 when no limit applies."""
        return self.limit_checks.usage_of(self.checked_subject(group.id))

    @cached_property
    def circle_by_id(self) -> dict[str, GuaranteeCircle]:
        return {c.id: c for c in self.circles}

    def kind_of(self, ident: str) -> SubjectKind:
        """What ``ident`` names (raises UnknownSubject for nothing); see
        :func:`graph.risk.subjects.kind_of`."""
        return kind_of(ident, entities=self.analysis.dataset.entities,
                       groups=self.analysis.group_by_id, circles=self.circle_by_id)

    def group_of(self, ident: str) -> Group | None:
        """The group ``ident`` names, or the group of the party ``ident``."""
        return group_of(ident, groups=self.analysis.group_by_id,
                        by_member=self.analysis.group_by_member)

    def circle_of(self, ident: str) -> GuaranteeCircle | None:
        """The circle ``ident`` names, or the first circle the party ``ident`` is in."""
        return circle_of(ident, self.circle_by_id)

    @property
    def large_exposures(self) -> list[RiskFlag]:
        found = [f for flags in self.flags.values() for f in flags if f.code == "LARGE_EXPOSURE"]
        return sorted(found, key=lambda f: (-(f.figure or 0.0), f.subject))

    @property
    def breaches(self) -> list[LimitCheck]:
        checks = self.limit_checks
        rows = checks.status_codes() == 2
        return [checks[k] for k in np.flatnonzero(rows).tolist()]


@collector_paused()
def assess(analysis: Analysis, *, top: int = 10, systemic_top: int = 10) -> RiskAssessment:
    """R8-R12 and suspected links on ``analysis``."""
    checks = check_limits(analysis)
    entities = analysis.dataset.entities
    bank, regime = analysis.dataset.bank, analysis.regime.name

    def name(subject: str) -> str:
        if subject in entities:
            return entities[subject].name
        group = analysis.group_by_id[subject]
        return f"{analysis.group_name(group)} group [{group.id}]"

    flags: dict[str, list[RiskFlag]] = defaultdict(list)
    for row in np.flatnonzero(checks.status_codes()).tolist():
        check = checks[row]
        flag = check.flag(name(check.subject), bank.base_currency, regime)
        if flag is not None:
            flags[check.subject].append(flag)
    for flag in large_exposure_flags(analysis, analysis.groups):
        flags[flag.subject].append(flag)
    circles, chains, rings = circles_of(analysis, top)
    for circle in circles:
        for member in circle.members:
            flags[member].append(RiskFlag(
                "GUARANTEE_CIRCLE", member,
                f"{name(member)} is in guarantee circle {circle.id} of {len(circle.members)} "
                f"parties guaranteeing {circle.total_guaranteed:,.2f} {bank.base_currency} "
                f"among themselves (R10)", figure=circle.total_guaranteed))
    for ring in rings:
        for member in ring:
            flags[member].append(RiskFlag(
                "CROSS_HOLDING", member,
                f"{name(member)} holds shares in a ring with {', '.join(m for m in ring if m != member)}"))
    impact = impact_matrix(analysis)
    return RiskAssessment(
        analysis=analysis,
        limit_checks=checks,
        flags=dict(flags),
        concentration={d: concentration_by(analysis, d, top) for d in DIMENSIONS},
        circles=circles,
        chains=chains,
        cross_holdings=rings,
        suspected_links=suspected_links(analysis),
        declared_groups=declared_group_diffs(analysis),
        impact=impact,
        systemic=systemic_ranking(analysis, systemic_top, matrix=impact),
    )
