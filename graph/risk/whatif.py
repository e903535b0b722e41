"""What-if (rule R19): the limit checks and flags a book would have with proposed facilities.

A proposal is one row in the columns of ``facilities`` (``borrower``, ``outstanding``,
``undrawn``, ``ccf``, ``category``, ``product``, ``currency``; ``id`` optional) with an
optional ``guarantor`` and ``guarantee_amount``: an eligible ``GUARANTEES`` relationship
from the guarantor to the borrower naming the new facility, its amount in the facility's
currency. :func:`parse_proposals` validates the text of the rows as the loader validates a
facilities table (the model's column types, known borrower, priced currency, unique id);
:func:`what_if` adds them to a copy of the book, analyses and assesses the copy, and
compares, for every party the proposals name and each of their groups, the limit checks and
flags before and after. Nothing is written anywhere: the book asked about is left as it was.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from graph.analysis import analyse
from graph.risk.assessment import RiskAssessment, assess
from graph.risk.headroom import LimitHeadroom, limit_headroom
from graph.risk.limits import LimitCheck, RiskFlag
from graph.risk.subjects import checked_as_group
from schema.errors import InvalidDataset, Problem
from schema.model import PropertySpec, load_model
from schema.records import Dataset, Facility, Relationship
from schema.values import ValueRejected

__all__ = ["FLAG_CODES", "PROPOSAL_COLUMNS", "InvalidProposal", "Proposal", "SubjectChange",
           "WhatIf", "parse_proposals", "what_if"]

FLAG_CODES = ("LIMIT_BREACH", "LIMIT_WARNING", "LARGE_EXPOSURE")
"""The flags a what-if reports: those the limit checks and large-exposure status raise."""

_ID_PREFIX = "WHATIF-"


def _columns() -> dict[str, PropertySpec]:
    """The facilities columns of the model (``id`` made optional) and the guarantee's two."""
    model = load_model()
    columns = dict(model["Facility"].properties)  # type: ignore[union-attr]
    columns["id"] = replace(columns["id"], required=False)
    guarantees = model["GUARANTEES"].properties  # type: ignore[union-attr]
    columns["guarantor"] = replace(model.relationship_columns()["source"], name="guarantor",
                                   required=False)
    columns["guarantee_amount"] = replace(guarantees["amount"], name="guarantee_amount",
                                          required=False)
    return columns


PROPOSAL_COLUMNS = tuple(_columns())
"""The columns a proposal may have."""


class InvalidProposal(InvalidDataset):
    """A proposed facility breaks the data contract; each problem names the proposal (from
    1) and the column."""


@dataclass(frozen=True)
class Proposal:
    """A validated proposed facility and the guarantee that comes with it, if any."""

    facility: Facility
    guarantee: Relationship | None = None


def parse_proposals(rows: Sequence[Mapping[str, str | None]], dataset: Dataset, *,
                    source: str = "what-if") -> list[Proposal]:
    """Validate ``rows`` (column name to cell text; empty or None is missing) as proposals
    against ``dataset``.

    A row without ``id`` gets ``WHATIF-1``, ``WHATIF-2``, ... skipping ids already taken.

    Raises
    ------
    InvalidProposal
        With every problem, each as ``SOURCE, proposal N, column 'C': what was expected``.

    Examples
    --------
    >>> from schema.records import Bank, Entity
    >>> book = Dataset(Bank("Bank", "CNY", 1000.0, 1200.0),
    ...                {"A": Entity("A", "A Ltd", "company")}, (), ())
    >>> [proposal] = parse_proposals([{"borrower": "A", "outstanding": "50"}], book)
    >>> f = proposal.facility
    >>> f.id, f.borrower, f.outstanding, f.undrawn, f.category, f.origin
    ('WHATIF-1', 'A', 50.0, 0.0, 'loan', 'what-if, proposal 1')
    >>> parse_proposals([{"borrower": "B", "outstanding": "-5"}], book)
    Traceback (most recent call last):
    ...
    graph.risk.whatif.InvalidProposal: 2 problem(s) in the input:
      what-if, proposal 1, column 'borrower': unknown entity id 'B'
      what-if, proposal 1, column 'outstanding': expected a non-negative amount, got '-5'
    """
    columns = _columns()
    problems: list[Problem] = []
    taken = {f.id for f in dataset.facilities}
    bank, entities = dataset.bank, dataset.entities
    parsed: list[tuple[int, dict[str, Any]]] = []
    for number, row in enumerate(rows, start=1):
        def problem(column: str, message: str, number: int = number) -> None:
            problems.append(Problem(source, number, column, message, unit="proposal"))

        for column in sorted(set(row) - set(columns)):
            problem(column, f"unknown column; expected {', '.join(columns)}")
        values: dict[str, Any] = {}
        for name, spec in columns.items():
            text = (row.get(name) or "").strip()
            if not text:
                if spec.required:
                    problem(name, f"expected a value ({spec.type})")
                elif spec.default is not None:
                    values[name] = spec.default
                continue
            try:
                values[name] = text if spec.verbatim else spec.parse(text)
            except ValueRejected as rejected:
                problem(name, str(rejected))
        for name in ("borrower", "guarantor"):
            if name in values and values[name] not in entities:
                problem(name, f"unknown entity id {values[name]!r}")
        currency = values.get("currency")
        if currency not in (None, bank.base_currency) and currency not in bank.fx:
            problem("currency", f"no exchange rate for {currency} in the bank's [fx] table")
        if ("guarantor" in values) != ("guarantee_amount" in values):
            given, missing = (("guarantor", "guarantee_amount") if "guarantor" in values
                              else ("guarantee_amount", "guarantor"))
            problem(missing, f"expected a value: {given} is given")
        if "guarantor" in values and values["guarantor"] == values.get("borrower"):
            problem("guarantor", "a borrower cannot guarantee its own facility")
        ident = values.get("id")
        if ident is not None:
            if ident in taken:
                problem("id", f"facility id {ident!r} is already taken")
            taken.add(ident)
        parsed.append((number, values))
    if problems:
        raise InvalidProposal(problems)
    counter = 0
    proposals = []
    for number, values in parsed:
        if "id" not in values:
            counter += 1
            while f"{_ID_PREFIX}{counter}" in taken:
                counter += 1
            values["id"] = f"{_ID_PREFIX}{counter}"
        origin = f"{source}, proposal {number}"
        guarantor, amount = values.pop("guarantor", None), values.pop("guarantee_amount", None)
        facility = Facility(**values, origin=origin)
        guarantee = None if guarantor is None else Relationship(
            "GUARANTEES", guarantor, facility.borrower, amount=amount,
            currency=facility.currency, facility=facility.id, eligible=True, origin=origin)
        proposals.append(Proposal(facility, guarantee))
    return proposals


@dataclass(frozen=True)
class SubjectChange:
    """One party or group the proposals touch: its checks and flags before and after."""

    subject: str
    subject_kind: str
    """``party`` or ``group``."""
    before: tuple[LimitHeadroom, ...]
    after: tuple[LimitHeadroom, ...]
    flags_before: tuple[RiskFlag, ...]
    flags_after: tuple[RiskFlag, ...]

    @property
    def new_flags(self) -> tuple[RiskFlag, ...]:
        """The flags after that were not raised before (by code and check)."""
        seen = {(f.code, f.check) for f in self.flags_before}
        return tuple(f for f in self.flags_after if (f.code, f.check) not in seen)

    def to_dict(self) -> dict[str, Any]:
        def flags(found: Iterable[RiskFlag]) -> list[dict[str, Any]]:
            return [{"code": f.code, "check": f.check, "figure": f.figure, "ratio": f.ratio,
                     "message": f.message} for f in found]

        return {"subject": self.subject, "subject_kind": self.subject_kind,
                "before": [h.to_dict() for h in self.before],
                "after": [h.to_dict() for h in self.after],
                "flags_before": flags(self.flags_before), "flags_after": flags(self.flags_after),
                "new_flags": flags(self.new_flags)}


@dataclass(frozen=True)
class WhatIf:
    """The proposals, the subjects they touch, and the assessments before and after."""

    proposals: tuple[Proposal, ...]
    subjects: tuple[SubjectChange, ...]
    before: RiskAssessment
    after: RiskAssessment

    def subject(self, ident: str) -> SubjectChange:
        """The change of the party or group ``ident``; KeyError when not touched."""
        for change in self.subjects:
            if change.subject == ident:
                return change
        raise KeyError(ident)

    def to_dict(self) -> dict[str, Any]:
        return {
            "base_currency": self.before.analysis.dataset.bank.base_currency,
            "limits_apply_to": self.before.analysis.regime.limits_apply_to,
            "proposals": [{"id": p.facility.id, "borrower": p.facility.borrower,
                           "guarantor": p.guarantee.source if p.guarantee else None}
                          for p in self.proposals],
            "subjects": [s.to_dict() for s in self.subjects],
            "new_flags": sum(len(s.new_flags) for s in self.subjects),
        }


def _touched(proposals: Sequence[Proposal], assessment: RiskAssessment) -> list[tuple[str, str]]:
    """The parties the proposals name (borrower, then guarantor), then their groups checked
    as groups, each once, in that order."""
    parties = dict.fromkeys(p for proposal in proposals for p in (
        proposal.facility.borrower, proposal.guarantee.source if proposal.guarantee else None)
        if p is not None)
    by_member = assessment.analysis.group_by_member
    groups = dict.fromkeys(by_member[p].id for p in parties
                           if p in by_member and checked_as_group(by_member[p]))
    return [(p, "party") for p in parties] + [(g, "group") for g in groups]


def _checks(assessment: RiskAssessment, subject: str) -> tuple[LimitHeadroom, ...]:
    regime = assessment.analysis.regime
    checks: list[LimitCheck] = assessment.checks_of(subject)
    return tuple(limit_headroom(check, regime) for check in checks)


def _flags(assessment: RiskAssessment, subject: str) -> tuple[RiskFlag, ...]:
    return tuple(f for f in assessment.flags.get(subject, ()) if f.code in FLAG_CODES)


def what_if(assessment: RiskAssessment, proposals: Sequence[Proposal]) -> WhatIf:
    """R19: ``assessment``'s book with ``proposals`` added, analysed (same regime and date)
    and assessed again; for each party they name and each of its groups, the limit checks
    (with headroom) and flags before and after.

    Examples
    --------
    Tier 1 1,000 (CN-2018, group limit 20% = 200). P holds 60% of A and of B: one group. A
    borrows 90, B 80: the group 170, 85% of its limit, a warning (and a large exposure, above
    2.5% of tier 1). A proposed 40 to A makes it 210, above 200: a new LIMIT_BREACH.

    >>> from graph.analysis import analyse
    >>> from schema.records import Bank, Entity, Facility as F, Relationship as R
    >>> parties = {i: Entity(i, i, "person" if i == "P" else "company") for i in "PAB"}
    >>> book = Dataset(Bank("Bank", "CNY", 1000.0, 1200.0), parties,
    ...                (R("OWNS", "P", "A", share=0.6), R("OWNS", "P", "B", share=0.6)),
    ...                (F("F1", "A", 90.0), F("F2", "B", 80.0)))
    >>> now = assess(analyse(book))
    >>> change = what_if(now, parse_proposals([{"borrower": "A", "outstanding": "40"}], book))
    >>> group = change.subjects[-1]
    >>> group.subject_kind, group.before[0].exposure, group.after[0].exposure
    ('group', 170.0, 210.0)
    >>> [f.code for f in group.flags_before], [f.code for f in group.new_flags]
    (['LIMIT_WARNING', 'LARGE_EXPOSURE'], ['LIMIT_BREACH'])
    """
    analysis = assessment.analysis
    dataset = analysis.dataset
    proposed = replace(
        dataset,
        facilities=dataset.facilities + tuple(p.facility for p in proposals),
        relationships=dataset.relationships + tuple(p.guarantee for p in proposals
                                                    if p.guarantee is not None))
    after = assess(analyse(proposed, regime=analysis.regime, as_of=analysis.as_of))
    subjects = tuple(
        SubjectChange(subject, kind, _checks(assessment, subject), _checks(after, subject),
                      _flags(assessment, subject), _flags(after, subject))
        for subject, kind in _touched(proposals, after))
    return WhatIf(tuple(proposals), subjects, assessment, after)
