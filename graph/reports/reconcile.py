"""The reconciliation report: what public data declares, against what the graph computes.

Two kinds of declaration are checked, each giving one row with the declared and the
computed value, a status (``agree`` or ``mismatch``) and the reasons:

**Ultimate parent** (``ULTIMATE_PARENT_OF``, from GLEIF ``IS_ULTIMATELY_CONSOLIDATED_BY``).
The computed value is the ultimate controllers of the child (R5). They agree when the
declared parent is the one ultimate controller. A mismatch says why: no control of the
child is recorded at all, the computed chain stops below the declared parent (a *missing
link*: the record that would join them is not in the data), the declared parent is itself
controlled from higher up, or control is shared.

**Indirect interest** (``DECLARED_INTEREST`` of level ``indirect``, from BODS). A declared
indirect shareholding is compared with the integrated ownership (R2) of the holder in the
subject; when the holder holds no shares itself but controls entities that do (a state
through its ministry, BODS ``otherInfluenceOrControl``), the integrated ownership of the
holder together with the entities it reaches by ``CONTROLS`` edges is the value looked
through to, and the row says so. A declared share given as a range agrees when the computed
value lies within it. A declared indirect interest without a share (control only) is
compared with whether the holder's unit controls the subject (R4).

Whatever the status, a row also lists:

* *lapsed records*: a party on the chain whose record is not current (GLEIF registration
  status LAPSED, RETIRED, ...; BODS record status closed), or a declaration whose period
  has ended; such data may be out of date;
* *quantifier oddities*: a GLEIF quantifier of at most 1 in PERCENTAGE (``1.00`` where
  100 % is meant), consolidation quantifiers along the chain that do not multiply to the
  declared one, a declared share that is the computed one divided by 100.

Rows come in a fixed order (check, subject, declared party), so the same data gives the
same report.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

from graph.analysis import Analysis
from graph.analysis.control import ControlResult
from graph.analysis.ownership import OwnershipMatrix
from schema.errors import AnalysisError
from schema.public import CONTROL_INTERESTS, CURRENT_STATUSES, SHAREHOLDING, VOTING_RIGHTS
from schema.records import Entity, Relationship

__all__ = ["SHARE_TOLERANCE", "Reconciliation", "Row", "percent_text", "reconcile"]

#: declared percentages are rounded: 0.05 percentage points either way still agree
SHARE_TOLERANCE = 5e-4
# declared interests read as a claim of control: votes too, as the graph computes no votes
# to compare their share with (R4b counts shares)
_CLAIMS_CONTROL = CONTROL_INTERESTS | {VOTING_RIGHTS}


@dataclass(frozen=True)
class Row:
    """One declaration checked.

    ``declared`` and ``computed`` are party ids (ultimate parent), fractions (indirect
    interest; a declared range is ``[min, max]``) or booleans (indirect control).
    ``source`` is the declaration's provenance; ``chain`` the computed path of parties from
    the top to the subject, when there is one.
    """

    check: str
    subject: str
    subject_name: str
    party: str
    party_name: str
    declared: Any
    computed: Any
    status: str
    reasons: tuple[str, ...]
    source: dict[str, str | None]
    chain: tuple[str, ...] = ()
    computed_through_control: float | None = None
    computed_names: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["reasons"] = list(self.reasons)
        data["chain"] = list(self.chain)
        return data


@dataclass
class Reconciliation:
    """Every row, with counts and the date the data was analysed on."""

    as_of: str
    rows: list[Row] = field(default_factory=list)

    @property
    def summary(self) -> dict[str, int]:
        return {"declarations": len(self.rows),
                "agree": sum(1 for r in self.rows if r.status == "agree"),
                "mismatch": sum(1 for r in self.rows if r.status == "mismatch")}

    def to_dict(self) -> dict[str, Any]:
        return {"as_of": self.as_of, "summary": self.summary,
                "rows": [r.to_dict() for r in self.rows]}


def percent_text(value: float | None) -> str:
    """A share as the reasons and reports write it: ``0.4516`` is ``45.16%``, None ``—``.

    >>> percent_text(0.4516), percent_text(None)
    ('45.16%', '—')
    """
    return "—" if value is None else f"{value * 100:.4g}%"


def _provenance(r: Relationship) -> dict[str, str | None]:
    return {"standard": r.source_standard, "record_id": r.record_id, "origin": r.origin,
            "statement_date": r.statement_date.isoformat() if r.statement_date else None}


class _Checker:
    def __init__(self, analysis: Analysis) -> None:
        self.analysis = analysis
        self.entities = analysis.dataset.entities
        self.control: ControlResult = analysis.control
        self.as_of = analysis.as_of
        by_record: dict[str, str] = {}
        for e in self.entities.values():
            if e.record_id:
                by_record.setdefault(e.record_id, e.id)
        self.by_record = by_record

    def name(self, party: str) -> str:
        entity = self.entities.get(party)
        return entity.name if entity else party

    # -- shared reasons -----------------------------------------------------------------

    def lapsed(self, parties: Iterable[str], edges: Iterable[Relationship]) -> list[str]:
        reasons = []
        for party in dict.fromkeys(parties):
            e: Entity | None = self.entities.get(party)
            if e is not None and e.registration_status and \
                    e.registration_status not in CURRENT_STATUSES:
                when = f", last updated {e.statement_date.isoformat()}" if e.statement_date else ""
                reasons.append(f"lapsed record: {e.name} [{e.id}] has registration status "
                               f"{e.registration_status} ({e.source_standard or 'bank data'}"
                               f"{when}); its data may be out of date")
        for r in edges:
            if r.registration_status and r.registration_status not in CURRENT_STATUSES:
                reasons.append(f"lapsed record: relationship record {r.record_id} has status "
                               f"{r.registration_status}")
            if not r.is_current(self.as_of):
                period = (f"valid to {r.valid_to.isoformat()}" if r.valid_to
                          else f"valid from {r.valid_from.isoformat() if r.valid_from else '?'}")
                reasons.append(f"lapsed record: {r.type} {r.source} -> {r.target} "
                               f"({r.record_id or r.origin}) is not current on "
                               f"{self.as_of.isoformat()} ({period})")
        return reasons

    @staticmethod
    def quantifier_oddities(edges: Iterable[Relationship]) -> list[str]:
        reasons = []
        for r in edges:
            if r.quantifier is not None and 0 < r.quantifier <= 1 and \
                    (r.quantifier_unit or "PERCENTAGE") == "PERCENTAGE":
                reasons.append(
                    f"quantifier oddity: {r.record_id or r.origin} gives QuantifierAmount "
                    f"{r.quantifier:.2f} {r.quantifier_unit or 'PERCENTAGE'}, that is "
                    f"{r.quantifier:g}% consolidated; most likely {r.quantifier:.0%} written as "
                    "a fraction (kept as written)")
        return reasons

    def chain(self, unit: str, entity: str) -> tuple[list[str], list[Relationship]]:
        """Parties from ``unit`` down to ``entity`` and the edges on the way, by following
        the control links (the first holder of each)."""
        members = set(self.control.units[unit].members)
        links = self.control.controlled_by_unit(unit)
        parties, edges, current, seen = [entity], [], entity, {entity}
        while current in links:
            link = links[current]
            edges.extend(link.edges)
            holder = link.edges[0].source
            if holder in seen:
                break
            parties.append(holder)
            seen.add(holder)
            if holder in members:
                break
            current = holder
        return list(reversed(parties)), edges

    # -- ultimate parents ---------------------------------------------------------------

    def ultimate_parent(self, declared: Relationship) -> Row:
        parent, child = declared.source, declared.target
        computed = self.control.ultimate_controllers(child)
        parent_unit = self.control.unit_of.get(parent)
        controllers = self.control.controllers.get(child, [])
        reasons: list[str] = []
        chain: list[str] = []
        edges: list[Relationship] = []
        if parent_unit in controllers:
            chain, edges = self.chain(parent_unit, child)
        elif computed:
            chain, edges = self.chain(self.control.unit_of[computed[0]], child)
        path = " -> ".join(f"{self.name(p)} [{p}]" for p in chain)
        if computed == [parent] or (computed and set(computed) == set(
                self.control.units[parent_unit].members if parent_unit else ())):
            status = "agree"
            reasons.append(f"agree: the computed chain is {path}")
        else:
            status = "mismatch"
            if not computed:
                inbound = [r for r in self.analysis.relationships
                           if r.target == child and r.type in ("OWNS", "CONTROLS")]
                reasons.append(
                    f"missing link: no control of {self.name(child)} [{child}] is recorded "
                    + ("(no current consolidation, control or majority holding into it)"
                       if not inbound else "(its holders hold no majority and no control edge)"))
            elif parent in computed:
                others = ", ".join(f"{self.name(p)} [{p}]" for p in computed if p != parent)
                reasons.append(f"shared control: {others} also control(s) {self.name(child)} "
                               "ultimately")
            elif parent_unit in controllers:
                above = ", ".join(f"{self.name(p)} [{p}]" for p in computed)
                reasons.append(f"higher controller: the declared parent {self.name(parent)} "
                               f"[{parent}] controls {self.name(child)} but is itself "
                               f"controlled by {above}")
            else:
                top = chain[0] if chain else computed[0]
                reasons.append(
                    f"missing link: the computed chain {path} stops at {self.name(top)} [{top}]; "
                    f"no recorded link joins it to the declared parent {self.name(parent)} "
                    f"[{parent}]")
        reasons += self.lapsed([child, *chain, parent], [declared, *edges])
        reasons += self.quantifier_oddities([declared, *edges])
        reasons += self._quantifier_product(declared, edges)
        return Row("ultimate parent", child, self.name(child), parent, self.name(parent),
                   [parent], computed, status, tuple(dict.fromkeys(reasons)),
                   _provenance(declared), tuple(chain),
                   computed_names=tuple(self.name(p) for p in computed))

    @staticmethod
    def _quantifier_product(declared: Relationship, edges: list[Relationship]) -> list[str]:
        consolidations = [e for e in edges if e.type == "CONTROLS"]
        if declared.quantifier is None or not consolidations or \
                any(e.quantifier is None for e in consolidations):
            return []
        product = math.prod((e.quantifier or 0.0) / 100 for e in consolidations)
        if math.isclose(product, declared.quantifier / 100, abs_tol=5e-3):
            return []
        return [f"quantifier oddity: the consolidation quantifiers on the chain multiply to "
                f"{product * 100:.4g}% but the declared ultimate quantifier is "
                f"{declared.quantifier:g}%"]

    # -- indirect interests -------------------------------------------------------------

    def indirect(self, declared: Relationship) -> Row:
        holder, subject = declared.source, declared.target
        types = (declared.interest_type or "").split(", ")
        low = declared.share_min if declared.share_min is not None else declared.share
        high = declared.share_max if declared.share_max is not None else declared.share
        components = [self.by_record[c.strip()] for c in
                      declared.extra.get("component_records", "").split(",")
                      if c.strip() in self.by_record]
        lapsed = self.lapsed([holder, subject, *components], [declared])
        if SHAREHOLDING not in types or (low is None and high is None):
            return self._indirect_control(declared, types, lapsed)
        value = [low, high] if low != high else low
        reasons: list[str] = []
        computed: float | None
        try:
            computed = self.analysis.integrated_ownership(holder, subject)
        except AnalysisError as error:      # a closed ownership ring: R2 is not defined
            computed = None
            reasons.append(f"not computed: {error}")
        through, via = self._through_control(holder, subject)

        def fits(x: float | None) -> bool:
            return x is not None and \
                (low or 0.0) - SHARE_TOLERANCE <= x <= (high if high is not None else 1.0) + \
                SHARE_TOLERANCE

        declared_text = percent_text(low) if low == high else f"{percent_text(low)} to {percent_text(high)}"
        if fits(computed):
            status = "agree"
            reasons.insert(0, f"agree: the integrated ownership (R2) of {self.name(holder)} in "
                              f"{self.name(subject)} is {percent_text(computed)}, declared {declared_text}")
        elif fits(through):
            status = "agree"
            names = ", ".join(f"{self.name(p)} [{p}]" for p in via)
            reasons.insert(0, f"agree through control: {self.name(holder)} holds "
                              f"{percent_text(computed)} of {self.name(subject)} by shares itself (R2), "
                              f"but controls {names} by CONTROLS edges; together they hold "
                              f"{percent_text(through)}, declared {declared_text}")
        else:
            status = "mismatch"
            best = through if through is not None else computed
            if best is None:
                pass                        # not computed: the reason says why
            elif not best:
                reasons.append(f"missing link: no chain of holdings leads from "
                               f"{self.name(holder)} [{holder}] to {self.name(subject)} "
                               f"[{subject}] in the data")
            elif low is not None and best < low:
                reasons.append(f"missing link: the computed {percent_text(best)} is below the declared "
                               f"{declared_text}: a holding on the way is missing or smaller in "
                               "the data")
            else:
                reasons.append(f"the computed {percent_text(best)} is above the declared "
                               f"{declared_text}: the data holds more than the declaration")
            if best and low is not None and math.isclose(low * 100, best, abs_tol=5e-3):
                reasons.append(f"quantifier oddity: the declared {percent_text(low)} is the computed "
                               f"{percent_text(best)} divided by 100 (a fraction written as a percentage)")
        unit = self.control.unit_of.get(holder)
        controls = unit in self.control.controllers.get(subject, [])
        reasons.append(f"{self.name(holder)} {'controls' if controls else 'does not control'} "
                       f"{self.name(subject)} (R4)")
        return Row("indirect interest", subject, self.name(subject), holder, self.name(holder),
                   value, computed, status, tuple(reasons + lapsed), _provenance(declared),
                   computed_through_control=through)

    def _indirect_control(self, declared: Relationship, types: list[str],
                          lapsed: list[str]) -> Row:
        holder, subject = declared.source, declared.target
        unit = self.control.unit_of.get(holder)
        controls = unit in self.control.controllers.get(subject, [])
        claims = any(t in _CLAIMS_CONTROL for t in types)
        status = "agree" if controls == claims else "mismatch"
        chain: list[str] = []
        if controls and unit is not None:
            chain, _ = self.chain(unit, subject)
        reason = (f"agree: {self.name(holder)} controls {self.name(subject)} (R4)" if status == "agree"
                  and controls else f"{self.name(holder)} declares {', '.join(types)} "
                  + ("and controls it (R4)" if controls else
                     "but no chain of control to it is recorded (missing link)"
                     if claims else "(not control) and does not control it"))
        return Row("indirect control", subject, self.name(subject), holder, self.name(holder),
                   claims, controls, status, (reason, *lapsed), _provenance(declared),
                   tuple(chain))

    def _through_control(self, holder: str, subject: str) -> tuple[float | None, list[str]]:
        """Integrated ownership in ``subject`` of ``holder`` together with the entities it
        reaches by current CONTROLS edges (None when it reaches none)."""
        reached: list[str] = []
        frontier = [holder]
        controls: dict[str, list[str]] = {}
        for r in self.analysis.relationships:
            if r.type == "CONTROLS":
                controls.setdefault(r.source, []).append(r.target)
        seen = {holder}
        while frontier:
            nxt = []
            for party in frontier:
                for target in sorted(controls.get(party, ())):
                    if target not in seen and target != subject:
                        seen.add(target)
                        reached.append(target)
                        nxt.append(target)
            frontier = nxt
        if not reached:
            return None, []
        coalition = "\x00coalition"

        def as_coalition(party: str) -> str:
            return coalition if party in seen else party

        holdings = [(as_coalition(r.source), as_coalition(r.target), r.share or 0.0)
                    for r in self.analysis.relationships
                    if r.type == "OWNS" and r.target not in seen]
        try:
            return OwnershipMatrix(holdings).integrated_row(coalition).get(subject, 0.0), reached
        except AnalysisError:
            return None, reached


def reconcile(analysis: Analysis) -> Reconciliation:
    """Check every declared ultimate parent and indirect interest of the analysed dataset.

    Parameters
    ----------
    analysis : Analysis
        From :func:`graph.analysis.analyse`; its ``as_of`` decides what is current.

    Returns
    -------
    Reconciliation
        One row per declaration (current or not: a declaration that has ended is still
        checked, and says so).

    Examples
    --------
    A declares B its ultimate parent; the data has B consolidating C, which consolidates A:

    >>> from datetime import date
    >>> from graph.analysis import analyse
    >>> from schema.records import Bank, Dataset, Entity, Relationship as R
    >>> parties = {i: Entity(i, f"company {i}", "company") for i in "ABC"}
    >>> data = Dataset(Bank("b", "XXX", 1.0, 1.0), parties, (
    ...     R("CONTROLS", "C", "A"), R("CONTROLS", "B", "C"), R("ULTIMATE_PARENT_OF", "B", "A")), ())
    >>> row = reconcile(analyse(data, as_of=date(2024, 1, 1))).rows[0]
    >>> row.status, row.computed, row.chain
    ('agree', ['B'], ('B', 'C', 'A'))
    """
    checker = _Checker(analysis)
    rows = []
    for r in analysis.dataset.relationships:
        if r.type == "ULTIMATE_PARENT_OF":
            rows.append(checker.ultimate_parent(r))
        elif r.type == "DECLARED_INTEREST" and r.interest_level == "indirect":
            rows.append(checker.indirect(r))
    rows.sort(key=lambda row: (row.check, row.subject, row.party, row.source.get("record_id") or ""))
    return Reconciliation(analysis.as_of.isoformat(), rows)
