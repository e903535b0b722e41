"""Large-exposure limits (rule R8): every party and every group against the regime.

The regime file (``schema/regimes/*.toml``) gives the numbers; this module gives the meaning
of each check name:

=====================  ==============================================================  ==========
check                  applies to                                                      figure
=====================  ==============================================================  ==========
``single_party``       a party that is not interbank                                   exposure
``single_party_loans`` a party that is not interbank                                   loans
``group``              a group of two or more, not interbank                           exposure
``interbank``          an interbank party; a group whose borrowing members all are     exposure
``gsib``               a G-SIB party, or a group holding one, if the bank is one       exposure
``any``                every party and every group of two or more                      exposure
=====================  ==============================================================  ==========

A party is interbank (同业) when ``is_bank`` is true or its class is one of the regime's
``interbank_classes`` (CN-2018: ``bank``, ``policy_bank``, ``non_bank_fi``). A group of one
is checked as a single party. Every party is checked on its own too. Status: ``breach``
above the limit, ``warning`` at or above ``warning_level`` (80%) of it but not above, else
``ok``.

**Which figure is checked** (R8 as amended, R13). Under ``limits_apply_to = "net"`` (the
shipped CN-2018 and BASEL), limits, warnings and large-exposure status apply to exposure
after mitigation (R16) without exempt exposure: a party's own if it is not exempt, else 0;
a group's, the sum of its members' that are not. Under ``"gross"``, to exposure before
mitigation, exempt included (the rule before DESIGN 3b). Every :class:`LimitCheck` keeps
``gross`` and ``net`` (exempt included) beside the ``checked`` figure, and its flag
message says which one it decided on ("after mitigation") and gives the other.

Loans (``single_party_loans``) are the drawn balances of ``loan`` facilities (their
``category``) whose product is in the check's ``loan_products`` (or that have no product),
as R19 states them; mitigation does not repay a
loan, so the loans figure is the same in both views; an exempt party's loans are left out
under ``net``.

Large exposures (``LARGE_EXPOSURE``): above the regime's threshold (CN-2018: more than 2.5%
of tier 1), or at or above it where the regime says ``inclusive`` (BASEL: at least 10%).
CN-2018 also asks to review economic dependence for a party above 5% of tier 1
(``DEPENDENCE_REVIEW``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import overload

import numpy as np

from graph.analysis import Analysis
from graph.analysis.groups import Group
from graph.risk.columns import Book, segment_counts, segment_sums
from graph.risk.subjects import checked_as_groups
from schema.errors import InvalidModel
from schema.records import collector_paused
from schema.regime import Regime

__all__ = ["CHECKS", "LimitCheck", "LimitChecks", "RiskFlag", "check_limits", "large_exposure_flags",
           "large_exposure_mask", "unexposed_checks"]

CHECKS = ("single_party", "single_party_loans", "group", "interbank", "gsib", "any")
_TOLERANCE = 1e-12
_STATUSES = ("ok", "warning", "breach")


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
    """One limit applied to one party or group.

    ``gross`` and ``net`` are the exposure before and after mitigation (R16), exempt
    exposure included (for ``single_party_loans``: the loans, the same in both);
    ``checked`` is the figure R8 compares with the limit, as ``basis`` says: ``net``
    (after mitigation, without exempt exposure, R8 as amended and R13) or ``gross`` (before
    mitigation, exempt included: a regime's ``limits_apply_to = "gross"``). Left out,
    ``checked`` is the ``basis`` figure.
    """

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
    basis: str = "gross"
    checked: float = None  # type: ignore[assignment]  # filled in by __post_init__

    def __post_init__(self) -> None:
        if self.checked is None:
            object.__setattr__(self, "checked", self.net if self.basis == "net" else self.gross)

    @property
    def gross_ratio(self) -> float:
        return self.gross / self.denominator_value

    @property
    def net_ratio(self) -> float:
        return self.net / self.denominator_value

    @property
    def checked_ratio(self) -> float:
        """:attr:`checked` over the denominator: the ratio the status is read from."""
        return self.checked / self.denominator_value

    @property
    def exempt_left_out(self) -> bool:
        """Whether exempt exposure is left out of :attr:`checked` (R13)."""
        return self.basis == "net" and self.checked < self.net

    @property
    def denominator_label(self) -> str:
        """``tier 1 capital`` or ``net capital``."""
        return self.denominator.replace("tier1", "tier 1").replace("_", " ")

    @property
    def usage(self) -> float:
        """The checked exposure as a fraction of the limit (1.0 = the limit used up)."""
        return self.checked_ratio / self.limit

    def status(self, view: str = "checked") -> str:
        """``breach`` above the limit, ``warning`` from ``warning_level`` of it, else ``ok``,
        on the ``checked`` ratio (what R8 decides on), or the ``gross`` or ``net`` one."""
        ratio = {"checked": self.checked_ratio, "gross": self.gross_ratio,
                 "net": self.net_ratio}[view]
        if ratio > self.limit + _TOLERANCE:
            return "breach"
        if ratio >= self.limit * self.warning_level - _TOLERANCE:
            return "warning"
        return "ok"

    def flag(self, name: str, currency: str, regime: str) -> RiskFlag | None:
        """LIMIT_BREACH or LIMIT_WARNING on the checked figure, or None. The message says
        which figure that is, and gives the other view beside it."""
        status = self.status()
        if status == "ok":
            return None
        code = "LIMIT_BREACH" if status == "breach" else "LIMIT_WARNING"
        relation = "above" if status == "breach" else f"at {self.usage:.0%} of"
        what = "loans" if self.check == "single_party_loans" else "exposure"
        if self.basis == "net":
            figure = f"{what} after mitigation" + (
                ", exempt exposure left out," if self.exempt_left_out else "")
            beside = f"before mitigation {self.gross_ratio:.2%}"
        else:
            figure, beside = f"gross {what}", f"net {self.net_ratio:.2%}"
        message = (
            f"{name}: {figure} {self.checked:,.2f} {currency} is {self.checked_ratio:.2%} of "
            f"{self.denominator_label} ({self.denominator_value:,.2f}), {relation} the "
            f"{self.limit:.0%} limit on {self.description} ({regime} {self.source}); {beside}"
        )
        return RiskFlag(code, self.subject, message, self.check, self.checked, self.checked_ratio,
                        self.limit, self.denominator, f"{regime} {self.source}")


class LimitChecks(Sequence[LimitCheck]):
    """Limit checks as columns, one row per check: a :class:`LimitCheck` is built when a row
    is read, so a book of a million parties holds a few arrays rather than a million
    records (DESIGN section 6).

    Rows come in the order :func:`check_limits` documents. :meth:`of` reads one subject's
    checks; :meth:`statuses` and :meth:`usages` give every row's at once, as each
    :class:`LimitCheck` would.
    """

    def __init__(self, subjects: list[str], parties: int, limits: list[dict],
                 denominators: dict[str, float], warning_level: float, rows: dict[str, np.ndarray],
                 basis: str = "gross") -> None:
        self._subjects = subjects        # the party subjects first, then the groups
        self._parties = parties
        self._limits = [(limit["check"], limit.get("description", limit["check"]),
                         float(limit["limit"]), limit["of"], denominators[limit["of"]],
                         str(limit.get("source", ""))) for limit in limits]
        self._warning_level = warning_level
        self._subject, self._limit = rows["subject"], rows["limit"]
        self._gross, self._net = rows["gross"], rows["net"]
        self._checked = rows.get("checked", self._net if basis == "net" else self._gross)
        self.basis = basis
        """What every row checks: ``net`` or ``gross`` (:attr:`LimitCheck.basis`)."""

    def __len__(self) -> int:
        return len(self._subject)

    @overload
    def __getitem__(self, index: int) -> LimitCheck: ...

    @overload
    def __getitem__(self, index: slice) -> list[LimitCheck]: ...

    def __getitem__(self, index: int | slice) -> LimitCheck | list[LimitCheck]:
        if isinstance(index, slice):
            return [self._check(k) for k in range(*index.indices(len(self)))]
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError("limit check index out of range")
        return self._check(index)

    def __iter__(self) -> Iterator[LimitCheck]:
        return (self._check(k) for k in range(len(self)))

    def __repr__(self) -> str:
        return f"<LimitChecks: {len(self)} checks>"

    def _check(self, row: int) -> LimitCheck:
        subject = int(self._subject[row])
        check, description, limit, of, value, source = self._limits[self._limit[row]]
        return LimitCheck(self._subjects[subject], "party" if subject < self._parties else "group",
                          check, description, limit, of, value, source, float(self._gross[row]),
                          float(self._net[row]), self._warning_level, self.basis,
                          float(self._checked[row]))

    @cached_property
    def _rows_of(self) -> dict[str, list[range]]:
        subject = self._subject
        found: dict[str, list[range]] = defaultdict(list)
        if not len(subject):
            return found
        starts = np.flatnonzero(np.r_[True, subject[1:] != subject[:-1]])
        ends = np.r_[starts[1:], len(subject)]
        for start, end in zip(starts.tolist(), ends.tolist(), strict=True):
            found[self._subjects[subject[start]]].append(range(start, end))
        return found

    def of(self, subject: str) -> list[LimitCheck]:
        """The checks of ``subject`` (a party id or a group id), in row order."""
        return [self._check(k) for rows in self._rows_of.get(subject, ()) for k in rows]

    def usage_of(self, subject: str) -> float:
        """The highest :attr:`LimitCheck.usage` among the checks of ``subject``; 0 without
        any."""
        rows = [k for found in self._rows_of.get(subject, ()) for k in found]
        return float(self._usages[rows].max()) if rows else 0.0

    @cached_property
    def _usages(self) -> np.ndarray:
        return self.usages()

    def _column(self, field: int) -> np.ndarray:
        return np.array([limit[field] for limit in self._limits], dtype=float)[self._limit]

    def ratios(self, view: str = "checked") -> np.ndarray:
        """Every row's :attr:`LimitCheck.checked_ratio` (or ``gross_ratio``, ``net_ratio``
        for ``view`` ``gross``, ``net``)."""
        figures = {"checked": self._checked, "gross": self._gross, "net": self._net}[view]
        return figures / self._column(4)

    def usages(self) -> np.ndarray:
        """Every row's :attr:`LimitCheck.usage`."""
        return self.ratios() / self._column(2)

    def statuses(self, view: str = "checked") -> np.ndarray:
        """Every row's :meth:`LimitCheck.status` on ``view``: ``ok``, ``warning`` or
        ``breach``."""
        return np.array(_STATUSES)[self.status_codes(view)]

    def status_codes(self, view: str = "checked") -> np.ndarray:
        """:meth:`statuses` as indexes into ``("ok", "warning", "breach")``: 0 is ok."""
        ratio, limit = self.ratios(view), self._column(2)
        code = (ratio >= limit * self._warning_level - _TOLERANCE).astype(np.int8)
        code[ratio > limit + _TOLERANCE] = 2
        return code


def _applies(limits: list[dict], *, single: np.ndarray, interbank: np.ndarray, gsib: np.ndarray,
             parties: bool) -> np.ndarray:
    """Which check of ``limits`` applies to which subject (rows: subjects, columns: limits),
    per the table of the module docstring: ``single`` non-bank parties, ``interbank`` banks
    or interbank groups, ``gsib`` G-SIB subjects of a G-SIB bank."""
    columns = {
        "single_party": single if parties else np.zeros_like(single),
        "single_party_loans": single if parties else np.zeros_like(single),
        "group": np.zeros_like(single) if parties else ~interbank,
        "interbank": interbank,
        "gsib": gsib,
        "any": np.ones_like(single),
    }
    return np.column_stack([columns[limit["check"]] for limit in limits]) if limits else (
        np.zeros((len(single), 0), dtype=bool))


def _loans(book: Book, parties: np.ndarray, products: Sequence[str]) -> np.ndarray:
    """The drawn balances (base currency) of the ``loan`` facilities each of ``parties``
    borrows whose product is among ``products`` or missing: exact sums, as fsum over its
    facilities."""
    chosen = [f for f in book.analysis.dataset.facilities
              if f.category == "loan" and (f.product is None or f.product in products)]
    rate = book.analysis.dataset.bank.rate
    rates = {c: rate(c) for c in {f.currency for f in chosen}}
    borrower = book.positions([f.borrower for f in chosen])
    order = np.argsort(borrower, kind="stable")
    # a facility's drawn balance in base currency, as R7 converts it
    outstanding = np.array([f.outstanding * rates[f.currency] for f in chosen], dtype=float)[order]
    sizes = np.bincount(borrower, minlength=len(book.parties))
    return segment_sums(outstanding, sizes)[parties]


@collector_paused()
def check_limits(analysis: Analysis) -> LimitChecks:
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
    LimitChecks
        A sequence of LimitCheck: parties in id order, each with the regime's checks in
        file order, then the groups (in the analysis' order).

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
    book = Book.of(analysis)
    limits = list(regime.limits)
    interbank, is_gsib = book.interbank, book.entity_flag("is_gsib")
    net_basis = book.basis == "net"

    parties = book.exposed_positions
    applies = _applies(limits, single=~interbank[parties], interbank=interbank[parties],
                       gsib=is_gsib[parties] & bank.is_gsib, parties=True)
    party_rows, party_limits = np.nonzero(applies)
    gross, net = book.gross[parties][party_rows], book.net[parties][party_rows]
    checked = book.checked[parties][party_rows]
    for k, limit in enumerate(limits):
        if limit["check"] == "single_party_loans":
            loans = _loans(book, parties, limit.get("loan_products", ("loan",)))
            mine = party_limits == k
            gross[mine] = net[mine] = checked[mine] = loans[party_rows[mine]]
            if net_basis:
                # an exempt party's loans are left out like the rest of its exposure (R13)
                checked[mine & book.exempt[parties][party_rows]] = 0.0

    arrays = book.group_arrays(analysis.groups)
    chosen_groups = checked_as_groups(arrays.sizes) & ((arrays.gross != 0) | (arrays.net != 0))
    borrowing = book.gross[arrays.members] > 0
    borrowers = segment_counts(borrowing, arrays.sizes)
    group_interbank = (borrowers > 0) & (
        segment_counts(borrowing & interbank[arrays.members], arrays.sizes) == borrowers)
    gsib = (segment_counts(is_gsib[arrays.members], arrays.sizes) > 0) & bank.is_gsib
    chosen = np.flatnonzero(chosen_groups)
    applies = _applies(limits, single=np.zeros(len(chosen), dtype=bool),
                       interbank=group_interbank[chosen], gsib=gsib[chosen], parties=False)
    group_rows, group_limits = np.nonzero(applies)

    subjects = book.exposed + [analysis.groups[k].id for k in chosen.tolist()]
    rows = {"subject": np.concatenate([party_rows, group_rows + len(parties)]),
            "limit": np.concatenate([party_limits, group_limits]),
            "gross": np.concatenate([gross, arrays.gross[chosen][group_rows]]),
            "net": np.concatenate([net, arrays.net[chosen][group_rows]]),
            "checked": np.concatenate([checked, arrays.checked[chosen][group_rows]])}
    denominators = {"tier1_capital": bank.tier1_capital, "net_capital": bank.net_capital}
    return LimitChecks(subjects, len(parties), limits, denominators, regime.warning_level, rows,
                       book.basis)


def large_exposure_mask(ratios: np.ndarray, regime: Regime) -> np.ndarray:
    """Which shares of tier 1 are large exposures under ``regime`` (R8): above its
    ``[large_exposure]`` threshold, or at or above it where the regime says ``inclusive``
    (BASEL: at least 10%); none when the regime sets no threshold.

    >>> from schema.regime import load_regime
    >>> large_exposure_mask(np.array([0.025, 0.026]), load_regime("CN-2018")).tolist()
    [False, True]
    >>> large_exposure_mask(np.array([0.0999, 0.10]), load_regime("BASEL")).tolist()
    [False, True]
    """
    large = regime.large_exposure
    if not large:
        return np.zeros(len(ratios), dtype=bool)
    threshold = float(large["threshold"])
    if large.get("inclusive", False):
        return ratios >= threshold - _TOLERANCE
    return ratios > threshold + _TOLERANCE


def unexposed_checks(analysis: Analysis, subject: str, *, party: bool, interbank: bool,
                     gsib: bool) -> list[LimitCheck]:
    """The checks R8 would make of a party (``party``) or a group that has no exposure yet:
    every limit of the regime that applies to it, at zero, so that its headroom (R19) is
    each whole limit. ``check_limits`` checks only subjects with exposure.

    >>> from graph.analysis import analyse
    >>> from schema.records import Bank, Dataset, Entity
    >>> book = Dataset(Bank("Bank", "CNY", 1000.0, 1200.0), {"A": Entity("A", "A", "company")}, (), ())
    >>> [(c.check, c.limit * c.denominator_value, c.checked)
    ...  for c in unexposed_checks(analyse(book), "A", party=True, interbank=False, gsib=False)]
    [('single_party', 150.0, 0.0), ('single_party_loans', 120.0, 0.0)]
    """
    regime, bank = analysis.regime, analysis.dataset.bank
    limits = list(regime.limits)
    applies = _applies(limits, single=np.array([party and not interbank]),
                       interbank=np.array([interbank]), gsib=np.array([gsib and bank.is_gsib]),
                       parties=party)
    chosen = np.flatnonzero(applies[0])
    zeros = np.zeros(len(chosen))
    rows = {"subject": np.zeros(len(chosen), dtype=np.int64), "limit": chosen,
            "gross": zeros, "net": zeros, "checked": zeros}
    denominators = {"tier1_capital": bank.tier1_capital, "net_capital": bank.net_capital}
    return list(LimitChecks([subject], 1 if party else 0, limits, denominators,
                            regime.warning_level, rows, regime.limits_apply_to))


@collector_paused()
def large_exposure_flags(analysis: Analysis, groups: Iterable[Group]) -> list[RiskFlag]:
    """LARGE_EXPOSURE for parties and groups (of two or more) at the regime's threshold, and
    DEPENDENCE_REVIEW for parties above its economic-dependence level.

    The ratio is the exposure R8 checks (after mitigation without exempt exposure, or gross:
    see the module docstring) over tier 1 capital. CN-2018 calls an exposure
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
    book = Book.of(analysis)
    groups = groups if isinstance(groups, Sequence) else list(groups)
    arrays = book.group_arrays(groups)
    checked = np.flatnonzero(checked_as_groups(arrays.sizes))
    entities = analysis.dataset.entities
    exposed = book.exposed
    figures = np.concatenate([book.checked[book.exposed_positions], arrays.checked[checked]])
    before = np.concatenate([book.gross[book.exposed_positions], arrays.gross[checked]])
    ratios = figures / bank.tier1_capital
    net_basis = book.basis == "net"
    what = "exposure after mitigation (exempt exposure left out)" if net_basis else "gross exposure"

    def beside(k: int) -> str:
        return f"; before mitigation {before[k] / bank.tier1_capital:.2%}" if net_basis else ""

    def subject(k: int) -> tuple[str, str]:
        if k < len(exposed):
            return exposed[k], entities[exposed[k]].name
        group = groups[checked[k - len(exposed)]]
        return group.id, f"{analysis.group_name(group)} group [{group.id}]"

    flags: list[RiskFlag] = []
    large = regime.large_exposure
    if large:
        threshold = float(large["threshold"])
        hits = large_exposure_mask(ratios, regime)
        words = "at least" if large.get("inclusive", False) else "more than"
        source = f"{regime.name} {large.get('source', '')}"
        for k in np.flatnonzero(hits).tolist():
            ident, name, figure, ratio = *subject(k), float(figures[k]), float(ratios[k])
            flags.append(RiskFlag(
                "LARGE_EXPOSURE", ident,
                f"{name}: {what} {figure:,.2f} {bank.base_currency} is {ratio:.2%} of tier 1 "
                f"capital, a large exposure ({words} {threshold:.1%}; {source}){beside(k)}",
                "large_exposure", figure, ratio, threshold, "tier1_capital", source))
    review = regime.economic_dependence
    if review:
        level = float(review["review_above"])
        source = f"{regime.name} {review.get('source', '')}"
        for k in np.flatnonzero(ratios > level + _TOLERANCE).tolist():
            ident, name, figure, ratio = *subject(k), float(figures[k]), float(ratios[k])
            if ident in entities:
                flags.append(RiskFlag(
                    "DEPENDENCE_REVIEW", ident,
                    f"{name}: {what} is {ratio:.2%} of tier 1 capital, above "
                    f"{level:.0%}: review its economic dependence with other clients ({source})",
                    "economic_dependence", figure, ratio, level, "tier1_capital", source))
    return flags
