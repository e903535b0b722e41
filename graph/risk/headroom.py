"""Headroom (rule R19): how much more a party may borrow before a limit of R8 is passed.

For a party, every limit that applies to it and, when it belongs to a group of two or more,
to its group: the limit amount (the limit times its capital measure, tier 1 or net capital,
in base currency), the exposure after and before mitigation, and the headroom, the limit
amount minus the exposure that R8 checks (:func:`checked_exposure`), never below zero. The
binding limit is the one with the least headroom; ties go to the check listed first in the
regime file (then the party's own check before its group's).

The figures are the limit checks of :func:`graph.risk.limits.check_limits`, read through
:meth:`graph.risk.assessment.RiskAssessment.checks_of`: loans, for the 10% of net capital
check (``single_party_loans``), are the drawn balances that check counts.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from graph.risk.assessment import RiskAssessment
from graph.risk.limits import LimitCheck, unexposed_checks
from graph.risk.subjects import UnknownSubject, checked_as_group
from schema.regime import Regime

__all__ = ["Headroom", "LimitHeadroom", "binding_limit", "checked_exposure", "headroom",
           "limit_headroom"]

# Headrooms closer than this (in base currency units) are a tie: 150 - 130 and 120 - 100
# must tie whatever rounding the products of limit and capital leave.
_TIE = 1e-6


def checked_exposure(check: LimitCheck, regime: Regime) -> float:
    """The figure R8 holds against the limit of ``check``: after mitigation (``net``) when
    the regime's ``limits_apply_to`` says ``net`` (DESIGN R8, amended), else before it.

    >>> from schema.regime import load_regime
    >>> check = LimitCheck("A", "party", "single_party", "a party", 0.15, "tier1_capital",
    ...                    1000.0, "Art. 5", gross=130.0, net=100.0, warning_level=0.8)
    >>> checked_exposure(check, load_regime("CN-2018"))
    100.0
    """
    if check.basis == regime.limits_apply_to:
        # a check of check_limits: its own checked figure, exempt exposure left out (R13)
        return check.checked
    return check.net if regime.limits_apply_to == "net" else check.gross


@dataclass(frozen=True)
class LimitHeadroom:
    """One limit of a party or of its group, with the room left under it."""

    check: LimitCheck
    exposure: float
    """The figure R8 checks (:func:`checked_exposure`), base currency."""
    order: int
    """The check's place in the regime file (ties of the binding limit go to the first)."""

    @property
    def limit_amount(self) -> float:
        """The limit in base currency: limit x capital measure."""
        return self.check.limit * self.check.denominator_value

    @property
    def headroom(self) -> float:
        """Limit amount minus the checked exposure, not below zero."""
        return max(0.0, self.limit_amount - self.exposure)

    def to_dict(self) -> dict[str, Any]:
        check = self.check
        return {
            "subject": check.subject, "subject_kind": check.subject_kind, "check": check.check,
            "description": check.description, "limit": check.limit,
            "denominator": check.denominator, "denominator_value": check.denominator_value,
            "limit_amount": self.limit_amount,
            "exposure": {"after_mitigation": check.net, "before_mitigation": check.gross},
            "checked_exposure": self.exposure, "headroom": self.headroom,
            "source": check.source,
        }


def limit_headroom(check: LimitCheck, regime: Regime) -> LimitHeadroom:
    """``check`` with its limit amount and headroom under ``regime``."""
    order = next((k for k, limit in enumerate(regime.limits) if limit["check"] == check.check),
                 len(regime.limits))
    return LimitHeadroom(check, checked_exposure(check, regime), order)


@dataclass(frozen=True)
class Headroom:
    """R19 for one party: its limits and its group's, and the binding one."""

    entity_id: str
    group_id: str | None
    """The party's group when it is checked as a group (two members or more), else None."""
    base_currency: str
    limits_apply_to: str
    limits: tuple[LimitHeadroom, ...]
    binding: LimitHeadroom | None
    """The limit with the least headroom; None when no limit applies (no exposure)."""

    def to_dict(self) -> dict[str, Any]:
        return {
            "entity": self.entity_id, "group": self.group_id,
            "base_currency": self.base_currency, "limits_apply_to": self.limits_apply_to,
            "limits": [limit.to_dict() for limit in self.limits],
            "binding": self.binding.to_dict() if self.binding else None,
        }


def binding_limit(limits: tuple[LimitHeadroom, ...]) -> LimitHeadroom | None:
    """The limit of least headroom; among those within :data:`_TIE` of it, the first in the
    regime file, then the first listed (the party's own before its group's)."""
    if not limits:
        return None
    least = min(limit.headroom for limit in limits)
    tied = [limit for limit in limits if limit.headroom <= least + _TIE]
    return min(tied, key=lambda limit: limit.order)


def headroom(assessment: RiskAssessment, entity_id: str) -> Headroom:
    """R19: the headroom of party ``entity_id`` under each limit of it and of its group.

    A party (or a group) the bank does not lend to yet has no checks in the assessment (R8
    checks subjects with exposure): it gets the checks that would apply to it, at zero
    (:func:`graph.risk.limits.unexposed_checks`), so its headroom is each whole limit, the
    room a new client has.

    Raises
    ------
    UnknownSubject
        When no party has the id ``entity_id``.

    Examples
    --------
    Tier 1 capital 1,000 and net capital 1,200 (CN-2018): single party 15% = 150, loans 10%
    = 120. A borrows a loan of 100 and a trade-finance line of 10 drawn (not a loan product):
    exposure 110, loans 100. Headroom 150 - 110 = 40 on the single-party limit, 120 - 100 =
    20 on loans, which binds.

    >>> from graph.analysis import analyse
    >>> from graph.risk import assess
    >>> from schema.records import Bank, Dataset, Entity, Facility as F
    >>> bank = Bank("Bank", "CNY", tier1_capital=1000.0, net_capital=1200.0)
    >>> book = Dataset(bank, {"A": Entity("A", "A Ltd", "company")}, (),
    ...                (F("F1", "A", 100.0), F("F2", "A", 10.0, product="trade_finance")))
    >>> room = headroom(assess(analyse(book)), "A")
    >>> [(h.check.check, h.limit_amount, h.exposure, h.headroom) for h in room.limits]
    [('single_party', 150.0, 110.0, 40.0), ('single_party_loans', 120.0, 100.0, 20.0)]
    >>> room.binding.check.check
    'single_party_loans'
    """
    analysis = assessment.analysis
    if entity_id not in analysis.dataset.entities:
        raise UnknownSubject(f"no party has the id {entity_id!r}")
    regime = analysis.regime
    group = analysis.group_by_member.get(entity_id)
    group_id = group.id if group is not None and checked_as_group(group) else None
    entity = analysis.dataset.entities[entity_id]
    checks = assessment.checks_of(entity_id) or unexposed_checks(
        analysis, entity_id, party=True,
        interbank=regime.is_interbank(entity.kind, entity.is_bank, entity.counterparty_class),
        gsib=entity.is_gsib)
    if group_id:
        members = [analysis.dataset.entities[m] for m in group.members]
        # a group without exposure has no borrowers, so it is never an interbank group
        checks += assessment.checks_of(group_id) or unexposed_checks(
            analysis, group_id, party=False, interbank=False,
            gsib=any(m.is_gsib for m in members))
    limits = tuple(limit_headroom(check, regime) for check in checks)
    return Headroom(entity_id, group_id, analysis.dataset.bank.base_currency,
                    regime.limits_apply_to, limits, binding_limit(limits))

