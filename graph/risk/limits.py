"""Large-exposure limits (rule R8): every party and every group against the regime.

The regime file (``schema/regimes/*.toml``) gives the numbers; this module gives the meaning
of each check name:

=====================  =========================================================  ==========
check                  applies to                                                 figure
=====================  =========================================================  ==========
``single_party``       a party that is not a bank                                 exposure
``single_party_loans`` a party that is not a bank                                 loans
``group``              a group of two or more, not interbank                      exposure
``interbank``          a bank; a group whose borrowing members are all banks      exposure
``gsib``               a G-SIB party, or a group holding one, if the bank is one  exposure
``any``                every party and every group of two or more                 exposure
=====================  =========================================================  ==========

A group of one is checked as a single party. Every party is checked on its own too. Status:
``breach`` above the limit, ``warning`` at or above ``warning_level`` (80%) of it but not
above, else ``ok``; computed for gross and net exposure side by side. Flags follow the gross
figure (DESIGN R8: limits apply to gross exposure unless a report says net).

Loans (``single_party_loans``) are the drawn balances of facilities whose product is in the
check's ``loan_products`` (or that have no product); guarantees do not repay a loan, so the
loans figure is the same in both views.

Large exposures (``LARGE_EXPOSURE``): above the regime's threshold (CN-2018: more than 2.5%
of tier 1), or at or above it where the regime says ``inclusive`` (BASEL: at least 10%).
CN-2018 also asks to review economic dependence for a party above 5% of tier 1
(``DEPENDENCE_REVIEW``).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from graph.analysis import Analysis
from graph.analysis.groups import Group
from graph.risk.subjects import checked_as_group
from schema.errors import InvalidModel
from schema.records import Entity

__all__ = ["CHECKS", "LimitCheck", "RiskFlag", "check_limits", "large_exposure_flags"]

CHECKS = ("single_party", "single_party_loans", "group", "interbank", "gsib", "any")
_TOLERANCE = 1e-12


@dataclass(frozen=True)
class RiskFlag:
    """A risk flag on a party or a group, with the figures that raised it."""

    code: str
    subject: str
    message: str
    check: str | None = None
    figure: float | None = None
    ratio: float | None = None
    limit: float | None = None
    denominator: str | None = None
    source: str | None = None


@dataclass(frozen=True)
class LimitCheck:
    """One limit applied to one party or group, on gross and on net exposure."""

    subject: str
    subject_kind: str
    check: str
    description: str
    limit: float
    denominator: str
    denominator_value: float
    source: str
    gross: float
    net: float
    warning_level: float

    @property
    def gross_ratio(self) -> float:
        return self.gross / self.denominator_value

    @property
    def net_ratio(self) -> float:
        return self.net / self.denominator_value

    @property
    def denominator_label(self) -> str:
        """``tier 1 capital`` or ``net capital``."""
        return self.denominator.replace("tier1", "tier 1").replace("_", " ")

    @property
    def usage(self) -> float:
        """Gross exposure as a fraction of the limit (1.0 = the limit used up)."""
        return self.gross_ratio / self.limit

    def status(self, view: str = "gross") -> str:
        """``breach`` above the limit, ``warning`` from ``warning_level`` of it, else ``ok``,
        on the ``gross`` or the ``net`` ratio."""
        ratio = self.gross_ratio if view == "gross" else self.net_ratio
        if ratio > self.limit + _TOLERANCE:
            return "breach"
        if ratio >= self.limit * self.warning_level - _TOLERANCE:
            return "warning"
        return "ok"

    def flag(self, name: str, currency: str, regime: str) -> RiskFlag | None:
        """LIMIT_BREACH or LIMIT_WARNING on the gross figure, or None."""
        status = self.status("gross")
        if status == "ok":
            return None
        code = "LIMIT_BREACH" if status == "breach" else "LIMIT_WARNING"
        relation = "above" if status == "breach" else f"at {self.usage:.0%} of"
        what = "loans" if self.check == "single_party_loans" else "exposure"
        message = (
            f"{name}: gross {what} {self.gross:,.2f} {currency} is {self.gross_ratio:.2%} of "
            f"{self.denominator_label} ({self.denominator_value:,.2f}), {relation} the "
            f"{self.limit:.0%} limit on {self.description} ({regime} {self.source}); "
            f"net {self.net_ratio:.2%}"
        )
        return RiskFlag(code, self.subject, message, self.check, self.gross, self.gross_ratio,
                        self.limit, self.denominator, f"{regime} {self.source}")


def _loans(analysis: Analysis, party: str, products: Sequence[str]) -> float:
    return math.fsum(
        analysis.exposures.facilities[f.id].outstanding
        for f in analysis.facilities_of(party)
        if f.product is None or f.product in products
    )


def _party_applies(check: str, entity: Entity, bank_is_gsib: bool) -> bool:
    return {
        "single_party": not entity.is_bank,
        "single_party_loans": not entity.is_bank,
        "group": False,
        "interbank": entity.is_bank,
        "gsib": bank_is_gsib and entity.is_gsib,
        "any": True,
    }[check]


def _group_applies(check: str, members: list[Entity], borrowers: list[Entity],
                   bank_is_gsib: bool) -> bool:
    interbank = bool(borrowers) and all(e.is_bank for e in borrowers)
    return {
        "single_party": False,
        "single_party_loans": False,
        "group": not interbank,
        "interbank": interbank,
        "gsib": bank_is_gsib and any(e.is_gsib for e in members),
        "any": True,
    }[check]


def check_limits(analysis: Analysis) -> list[LimitCheck]:
    """R8: every limit of the regime that applies, to every party with exposure and then to
    every group of two or more with exposure.

    A check's ratio is the exposure (for ``single_party_loans``: the loans) over the
    check's denominator, tier 1 or net capital; its status compares that ratio with the
    limit (:meth:`LimitCheck.status`). Which check applies to whom is the table of this
    module's docstring; the numbers are the regime's (DESIGN R8: CBIRC 2018 No. 1 Art. 5-8
    for CN-2018, BCBS LEX20.1 and LEX40.1 for BASEL).

    Parameters
    ----------
    analysis : Analysis
        From :func:`graph.analysis.analyse`: its regime, bank, exposures and groups.

    Returns
    -------
    list of LimitCheck
        Parties in id order, each with the regime's checks in file order, then the groups.

    Raises
    ------
    InvalidModel
        When the regime names a check this module does not know.

    Examples
    --------
    A bank with tier 1 capital 1,000 and net capital 1,200 (CN-2018). A holds 60% of B and
    of C, so A, B and C are one group. B borrows 110 in trade finance, C a loan of 100:

    - B: 110 / 1,000 = 11% of tier 1 against 15%, ok (a warning would start at
      80% x 15% = 12%); trade finance is not a loan, so its loans are 0.
    - C: 100 / 1,000 = 10%, ok; its loans are 100 / 1,200 = 8.33% of net capital against
      10%: at or above 80% x 10% = 8%, a warning.
    - The group: (110 + 100) / 1,000 = 21% against 20%, a breach. A borrows nothing, so it
      has no checks of its own.

    >>> from graph.analysis import analyse
    >>> from schema.records import Bank, Dataset, Entity, Facility as F, Relationship as R
    >>> bank = Bank("Bank", "CNY", tier1_capital=1000.0, net_capital=1200.0)
    >>> parties = {i: Entity(i, f"company {i}", "company") for i in "ABC"}
    >>> book = Dataset(bank, parties, (R("OWNS", "A", "B", share=0.6), R("OWNS", "A", "C", share=0.6)),
    ...                (F("F1", "B", 110.0, product="trade_finance"), F("F2", "C", 100.0)))
    >>> for c in check_limits(analyse(book)):
    ...     subject = c.subject if c.subject_kind == "party" else "the group"
    ...     print(subject, c.check, f"{c.gross_ratio:.2%} of", c.denominator_label,
    ...           f"against {c.limit:.0%}:", c.status())
    B single_party 11.00% of tier 1 capital against 15%: ok
    B single_party_loans 0.00% of net capital against 10%: ok
    C single_party 10.00% of tier 1 capital against 15%: ok
    C single_party_loans 8.33% of net capital against 10%: warning
    the group group 21.00% of tier 1 capital against 20%: breach
    """
    regime, bank = analysis.regime, analysis.dataset.bank
    for limit in regime.limits:
        if limit.get("check") not in CHECKS:
            raise InvalidModel(f"regime {regime.name}: unknown check {limit.get('check')!r}; "
                               f"expected one of {', '.join(CHECKS)}")
    denominators = {"tier1_capital": bank.tier1_capital, "net_capital": bank.net_capital}
    entities = analysis.dataset.entities
    checks: list[LimitCheck] = []

    def add(subject: str, kind: str, limit: dict, gross: float, net: float) -> None:
        checks.append(LimitCheck(
            subject, kind, limit["check"], limit.get("description", limit["check"]),
            float(limit["limit"]), limit["of"], denominators[limit["of"]],
            str(limit.get("source", "")), gross, net, regime.warning_level))

    for party, exposure in sorted(analysis.exposures.parties.items()):
        for limit in regime.limits:
            if not _party_applies(limit["check"], entities[party], bank.is_gsib):
                continue
            if limit["check"] == "single_party_loans":
                loans = _loans(analysis, party, limit.get("loan_products", ("loan",)))
                add(party, "party", limit, loans, loans)
            else:
                add(party, "party", limit, exposure.gross, exposure.net)
    for group in analysis.groups:
        if not checked_as_group(group):
            continue
        exposure = analysis.group_exposure(group)
        if exposure.gross == 0 and exposure.net == 0:
            continue
        members = [entities[m] for m in group.members]
        borrowers = [e for e in members if analysis.exposures.of(e.id).gross > 0]
        for limit in regime.limits:
            if _group_applies(limit["check"], members, borrowers, bank.is_gsib):
                add(group.id, "group", limit, exposure.gross, exposure.net)
    return checks


def large_exposure_flags(analysis: Analysis, groups: Iterable[Group]) -> list[RiskFlag]:
    """LARGE_EXPOSURE for parties and groups (of two or more) at the regime's threshold, and
    DEPENDENCE_REVIEW for parties above its economic-dependence level.

    The ratio is gross exposure over tier 1 capital (DESIGN R8). CN-2018 calls an exposure
    large when it is more than 2.5% (CBIRC 2018 No. 1 Art. 3) and asks to review economic
    dependence above 5% (Art. 13); BASEL when it is at least 10% (LEX20.3), and has no
    review level.

    Parameters
    ----------
    analysis : Analysis
        From :func:`graph.analysis.analyse`: its regime, bank and exposures.
    groups : iterable of Group
        The groups to flag; groups of one are skipped (their party is flagged).

    Returns
    -------
    list of RiskFlag
        The large exposures (parties in id order, then the groups), then the reviews.

    Examples
    --------
    Tier 1 capital 1,000; A borrows 25, B 26 and C 100, with no links between them. Under
    CN-2018, A's 2.5% is not more than 2.5%; B's 2.6% is; C's 10% is, and above 5% too.
    Under BASEL only C is large: 10% is at least 10%.

    >>> from graph.analysis import analyse
    >>> from schema.records import Bank, Dataset, Entity, Facility as F
    >>> from schema.regime import load_regime
    >>> bank = Bank("Bank", "CNY", tier1_capital=1000.0, net_capital=1200.0)
    >>> parties = {i: Entity(i, f"company {i}", "company") for i in "ABC"}
    >>> book = Dataset(bank, parties, (), (F("F1", "A", 25.0), F("F2", "B", 26.0), F("F3", "C", 100.0)))
    >>> cn = analyse(book)
    >>> [(f.code, f.subject, f"{f.ratio:.1%}") for f in large_exposure_flags(cn, cn.groups)]
    [('LARGE_EXPOSURE', 'B', '2.6%'), ('LARGE_EXPOSURE', 'C', '10.0%'), ('DEPENDENCE_REVIEW', 'C', '10.0%')]
    >>> basel = analyse(book, regime=load_regime("BASEL"))
    >>> [(f.code, f.subject, f"{f.ratio:.1%}") for f in large_exposure_flags(basel, basel.groups)]
    [('LARGE_EXPOSURE', 'C', '10.0%')]
    """
    regime, bank = analysis.regime, analysis.dataset.bank
    currency = bank.base_currency
    large = regime.large_exposure
    flags: list[RiskFlag] = []
    subjects = [(p, analysis.dataset.entities[p].name, e.gross)
                for p, e in sorted(analysis.exposures.parties.items())]
    subjects += [(g.id, f"{analysis.group_name(g)} group [{g.id}]", analysis.group_exposure(g).gross)
                 for g in groups if checked_as_group(g)]
    if large:
        threshold, tier1 = float(large["threshold"]), bank.tier1_capital
        inclusive = bool(large.get("inclusive", False))
        for subject, name, gross in subjects:
            ratio = gross / tier1
            hit = (ratio >= threshold - _TOLERANCE) if inclusive else (ratio > threshold + _TOLERANCE)
            if hit:
                words = "at least" if inclusive else "more than"
                flags.append(RiskFlag(
                    "LARGE_EXPOSURE", subject,
                    f"{name}: gross exposure {gross:,.2f} {currency} is {ratio:.2%} of tier 1 "
                    f"capital, a large exposure ({words} {threshold:.1%}; {regime.name} "
                    f"{large.get('source', '')})",
                    "large_exposure", gross, ratio, threshold, "tier1_capital",
                    f"{regime.name} {large.get('source', '')}"))
    review = regime.economic_dependence
    if review:
        level = float(review["review_above"])
        for subject, name, gross in subjects:
            ratio = gross / bank.tier1_capital
            if subject in analysis.dataset.entities and ratio > level + _TOLERANCE:
                flags.append(RiskFlag(
                    "DEPENDENCE_REVIEW", subject,
                    f"{name}: gross exposure is {ratio:.2%} of tier 1 capital, above "
                    f"{level:.0%}: review its economic dependence with other clients "
                    f"({regime.name} {review.get('source', '')})",
                    "economic_dependence", gross, ratio, level, "tier1_capital",
                    f"{regime.name} {review.get('source', '')}"))
    return flags
