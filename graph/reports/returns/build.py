"""The returns of R20 as data: each part of the regime's return filled with its rows.

Input is one :class:`ReturnFigures` per subject (a party, or a group of two or more), the
figures R13, R14 and R16 give it; :func:`figures_of` makes them from an analysis (see the
note there). :func:`build_returns` selects, ranks and sums them per part as the regime file
says (:mod:`graph.reports.returns.definition`) and returns :class:`Returns`: tables whose
amounts are in the return's unit (CN-2018: 万元, base currency / 10,000) at full precision,
ratios as fractions of tier 1. Formatting (rounding, number formats, files) is the
writers' (``api/cli/returns.py``).

Rules where DESIGN is silent:

* A subject is a large exposure when the figure its limits apply to (``non_exempt`` after
  mitigation, or before it where the regime says ``limits_apply_to = "gross"``) is above the
  regime's ``[large_exposure]`` threshold of tier 1 (at or above it when ``inclusive``), with
  the limits' tolerance of 1e-12.
* A list keeps only subjects whose ranking figure is above zero, ranks them largest first
  (then by id), and numbers them from 1.
* A totals row sums every subject its selection takes (``top`` does not cut it); its ratios
  are the sums' ratios to tier 1.

>>> from graph.analysis import analyse
>>> from schema.records import Bank, Dataset, Entity, Facility
>>> bank = Bank("B", "CNY", tier1_capital=1_000_000.0, net_capital=1_200_000.0)
>>> book = Dataset(bank, {"A": Entity("A", "甲公司", "company")}, (),
...                (Facility("F1", "A", 30_000.0, undrawn=10_000.0, ccf=0.5),))
>>> part = build_returns(analyse(book)).part("non_interbank_single")
>>> [(r["id"], r["total"], r["general"], r["potential"], r["share_of_tier1"]) for r in part.rows]
[('A', 3.5, 3.0, 0.5, 0.035)]
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np

from graph.analysis import Analysis
from graph.reports.returns.definition import (
    CATEGORIES,
    ReturnColumn,
    ReturnPart,
    ReturnsDefinition,
    Selection,
    read_definition,
)
from graph.risk.limits import large_exposure_mask
from graph.risk.subjects import checked_as_group
from schema.regime import Regime

__all__ = ["ReturnFigures", "ReturnTable", "Returns", "build_returns", "figures_of"]

_TOLERANCE = 1e-12


@dataclass(frozen=True)
class ReturnFigures:
    """What a return needs of one subject, in base currency.

    ``total_after`` is the exposure after mitigation (R16), exempt parts included;
    ``non_exempt`` the part of it limits check (R13); ``categories_after`` and
    ``categories_before`` split the exposure after and before mitigation into the six
    columns of R14; ``moved_out`` (转出) and ``moved_in`` (转入) are what mitigation moved,
    so that ``total_before = total_after + moved_out - moved_in``. ``members`` lists a
    group's parties.
    """

    subject: str
    name: str
    kind: str                       # "party" or "group"
    interbank: bool
    total_after: float
    non_exempt: float
    categories_after: Mapping[str, float]
    categories_before: Mapping[str, float]
    moved_out: float
    moved_in: float
    total_before: float
    exempt: float = 0.0
    exempt_before: float = 0.0
    members: tuple[str, ...] = ()

    @property
    def non_exempt_before(self) -> float:
        return self.total_before - self.exempt_before

    def figure(self, name: str) -> float:
        """One of :data:`graph.reports.returns.definition.FIGURES` by name."""
        return self.total_after if name == "total" else getattr(self, name)


def figures_of(analysis: Analysis) -> list[ReturnFigures]:
    """The :class:`ReturnFigures` of every party with exposure and of every group of two or
    more, from the analysis' breakdown (R13, R14, R16: ``analysis.exposures.columns``).

    A party's columns before and after mitigation, what mitigation moved out and in, and
    whether it is exempt are the breakdown's; an exempt party's exposure is all exempt
    (``non_exempt`` 0). A party is interbank when ``is_bank`` is true or its counterparty
    class is one of the regime's ``interbank_classes``; a group when every member with
    exposure is, as the limits check it.

    A group's figures are the sums of its members' (R13: its limit figure is the sum of their
    non-exempt exposures).
    """
    dataset, regime, columns = analysis.dataset, analysis.regime, analysis.exposures.columns
    parties: dict[str, ReturnFigures] = {}
    rows = zip(columns.parties, columns.before.tolist(), columns.after.tolist(), columns.gross.tolist(),
               columns.net.tolist(), columns.moved_out.tolist(), columns.moved_in.tolist(),
               columns.exempt.tolist(), strict=True)
    for party, before, after, gross, net, out, into, exempt in rows:
        if not (gross or net):
            continue
        entity = dataset.entities.get(party)
        interbank = entity is not None and regime.is_interbank(
            entity.kind, entity.is_bank, entity.counterparty_class)
        parties[party] = ReturnFigures(
            party, entity.name if entity is not None else party, "party", interbank,
            total_after=net, non_exempt=0.0 if exempt else net,
            categories_after=dict(zip(CATEGORIES, after, strict=True)),
            categories_before=dict(zip(CATEGORIES, before, strict=True)), moved_out=out,
            moved_in=into, total_before=gross, exempt=net if exempt else 0.0,
            exempt_before=gross if exempt else 0.0)

    groups = []
    for group in analysis.groups:
        members = [parties[m] for m in group.members if m in parties]
        if not checked_as_group(group) or not members:
            continue
        lending = [m for m in members if m.total_before > 0]
        groups.append(_summed(group.id, analysis.group_name(group), members,
                              interbank=bool(lending) and all(m.interbank for m in lending),
                              membership=group.members))
    return [*parties.values(), *groups]


def _summed(subject: str, name: str, members: Sequence[ReturnFigures], *, interbank: bool,
            membership: tuple[str, ...]) -> ReturnFigures:
    """A group's figures: its members' summed (exactly, with fsum)."""
    def total(read) -> float:
        return math.fsum(map(read, members))

    return ReturnFigures(
        subject, name, "group", interbank,
        total_after=total(lambda m: m.total_after), non_exempt=total(lambda m: m.non_exempt),
        categories_after={c: total(lambda m, c=c: m.categories_after[c]) for c in CATEGORIES},
        categories_before={c: total(lambda m, c=c: m.categories_before[c]) for c in CATEGORIES},
        moved_out=total(lambda m: m.moved_out), moved_in=total(lambda m: m.moved_in),
        total_before=total(lambda m: m.total_before), exempt=total(lambda m: m.exempt),
        exempt_before=total(lambda m: m.exempt_before), members=membership)


@dataclass(frozen=True)
class ReturnTable:
    """One filled part. ``rows`` are dicts keyed by column key (with ``item_en`` or
    ``type_en`` beside the words of the template where a row has them); amounts are in
    ``unit``, unrounded; ratios are fractions."""

    key: str
    title: str
    title_en: str
    source: str
    columns: tuple[ReturnColumn, ...]
    rows: tuple[dict[str, Any], ...]
    unit: str
    decimals: int

    def values(self, row: Mapping[str, Any]) -> list[Any]:
        """A row's values in column order."""
        return [row[c.key] for c in self.columns]

    def text_rows(self) -> list[list[str]]:
        """Every row as text, as a page or the API shows it: amounts to the unit's
        decimals with thousands separators, ratios as percentages to two places."""
        def text(column: ReturnColumn, value: Any) -> str:
            if column.kind == "money":
                return f"{value:,.{self.decimals}f}"
            if column.kind == "ratio":
                return f"{value:.2%}"
            return str(value)

        return [[text(c, row[c.key]) for c in self.columns] for row in self.rows]

    def to_dict(self) -> dict[str, Any]:
        return {"key": self.key, "title": self.title, "title_en": self.title_en,
                "source": self.source,
                "columns": [{"key": c.key, "title": c.title, "title_en": c.title_en, "kind": c.kind}
                            for c in self.columns],
                "rows": [dict(row) for row in self.rows]}


@dataclass(frozen=True)
class Returns:
    """A regime's return on one analysed dataset."""

    definition: ReturnsDefinition
    bank: str
    base_currency: str
    tier1_capital: float
    as_of: date
    parts: tuple[ReturnTable, ...] = field(default_factory=tuple)

    def part(self, key: str) -> ReturnTable:
        """The filled part of this key (InvalidReturns for a key the regime has not)."""
        self.definition.part(key)
        return next(p for p in self.parts if p.key == key)

    def to_dict(self) -> dict[str, Any]:
        """Everything, for JSON: the return, its unit and source, each part with its
        columns (Chinese and English titles), rows and source."""
        d = self.definition
        return {
            "regime": d.regime, "template": d.template, "title": d.title, "title_en": d.title_en,
            "source": d.source, "bank": self.bank, "as_of": self.as_of.isoformat(),
            "base_currency": self.base_currency, "tier1_capital": self.tier1_capital,
            "unit": {"title": d.unit, "title_en": d.unit_en, "divisor": d.divisor,
                     "decimals": d.decimals},
            "ratios": "fractions of tier 1 capital",
            "parts": [p.to_dict() for p in self.parts],
        }


def build_returns(analysis: Analysis, figures: Iterable[ReturnFigures] | None = None) -> Returns:
    """R20: the return of the analysis's regime, every part filled (see the module
    docstring); ``figures`` default to :func:`figures_of` the analysis.

    Raises InvalidReturns when the regime file's ``[returns]`` table is missing or wrong.
    """
    regime = analysis.regime
    definition = read_definition(regime)
    bank = analysis.dataset.bank
    subjects = list(figures_of(analysis) if figures is None else figures)
    chooser = _Chooser(subjects, regime, bank.tier1_capital)
    tables = []
    for part in definition.parts:
        rows = (_totals(part, chooser, definition) if part.is_totals
                else _list(part, chooser, definition))
        tables.append(ReturnTable(part.key, part.title, part.title_en, part.source, part.columns,
                                  tuple(rows), definition.unit, definition.decimals))
    return Returns(definition, bank.name, bank.base_currency, bank.tier1_capital, analysis.as_of,
                   tuple(tables))


class _Chooser:
    """The subjects a selection takes, and the ids each list part listed (for ``exclude``)."""

    def __init__(self, subjects: list[ReturnFigures], regime: Regime, tier1: float) -> None:
        self.subjects = subjects
        self.tier1 = tier1
        self.listed: dict[str, set[str]] = {}
        self._in_group = {m for s in subjects if s.kind == "group" for m in s.members}
        # large as the limits judge it (R8): on the figure they check, by the regime's rule
        figure = "non_exempt" if regime.limits_apply_to == "net" else "non_exempt_before"
        ratios = np.array([s.figure(figure) for s in subjects], dtype=float) / tier1
        self._large = dict(zip(map(id, subjects), large_exposure_mask(ratios, regime).tolist(),
                               strict=True))

    def is_large(self, s: ReturnFigures) -> bool:
        return self._large[id(s)]

    def _kind_fits(self, subjects: str, s: ReturnFigures) -> bool:
        if subjects == "party":
            return s.kind == "party"
        if subjects == "group":
            return s.kind == "group"
        if subjects == "any":
            return True
        return s.kind == "group" or s.subject not in self._in_group      # counterparty

    def take(self, selection: Selection) -> list[ReturnFigures]:
        """The subjects ``selection`` takes, before ranking and ``top``."""
        left_out = set().union(*(self.listed[k] for k in selection.exclude))
        floor = None if selection.min_share is None else selection.min_share - _TOLERANCE
        return [s for s in self.subjects
                if self._kind_fits(selection.subjects, s)
                and (selection.interbank is None or s.interbank == selection.interbank)
                and (not selection.large_only or self.is_large(s))
                and (floor is None or s.figure(selection.min_share_of) / self.tier1 >= floor)
                and s.subject not in left_out]


def _subject_type(s: ReturnFigures, definition: ReturnsDefinition) -> tuple[str, str]:
    side = "interbank" if s.interbank else "non_interbank"
    return definition.subject_types[f"{side}_{'group' if s.kind == 'group' else 'single'}"]


def _money(s: ReturnFigures, tier1: float, divisor: float) -> dict[str, Any]:
    """The figure columns of one subject: amounts / divisor, ratios of tier 1."""
    row = {"total": s.total_after / divisor, "non_exempt": s.non_exempt / divisor,
           "exempt": s.exempt / divisor, "share_of_tier1": s.non_exempt / tier1,
           "exempt_share_of_tier1": s.exempt / tier1,
           "mitigation_out": (s.moved_out - s.moved_in) / divisor,
           "total_before": s.total_before / divisor,
           "non_exempt_before": s.non_exempt_before / divisor,
           "share_of_tier1_before": s.non_exempt_before / tier1}
    row.update({c: s.categories_after[c] / divisor for c in CATEGORIES})
    return row


def _list(part: ReturnPart, chooser: _Chooser, definition: ReturnsDefinition) -> list[dict[str, Any]]:
    selection = part.selection
    assert selection is not None
    order = selection.order
    chosen = [s for s in chooser.take(selection) if s.figure(order) > 0]
    chosen.sort(key=lambda s: (-s.figure(order), s.subject))
    chosen = chosen[:selection.top]
    chooser.listed[part.key] = {s.subject for s in chosen}
    rows = []
    for rank, s in enumerate(chosen, start=1):
        title, title_en = _subject_type(s, definition)
        rows.append(_only(part, {"rank": rank, "id": s.subject, "name": s.name, "type": title,
                                 **_money(s, chooser.tier1, definition.divisor)},
                          type_en=title_en))
    return rows


def _totals(part: ReturnPart, chooser: _Chooser, definition: ReturnsDefinition) -> list[dict[str, Any]]:
    rows = []
    divisor, tier1 = definition.divisor, chooser.tier1
    for spec in part.rows:
        chosen = chooser.take(spec.selection)

        def total(read, chosen=chosen) -> float:
            return math.fsum(map(read, chosen))

        summed = {"total": total(lambda s: s.total_after), "non_exempt": total(lambda s: s.non_exempt),
                  "exempt": total(lambda s: s.exempt), "moved_out": total(lambda s: s.moved_out),
                  "moved_in": total(lambda s: s.moved_in),
                  "total_before": total(lambda s: s.total_before),
                  "exempt_before": total(lambda s: s.exempt_before)}
        categories = {c: total(lambda s, c=c: s.categories_after[c]) for c in CATEGORIES}
        row = {"item": spec.item, "count": len(chosen),
               "total": summed["total"] / divisor, "non_exempt": summed["non_exempt"] / divisor,
               "exempt": summed["exempt"] / divisor, "share_of_tier1": summed["non_exempt"] / tier1,
               "exempt_share_of_tier1": summed["exempt"] / tier1,
               "mitigation_out": (summed["moved_out"] - summed["moved_in"]) / divisor,
               "total_before": summed["total_before"] / divisor,
               "non_exempt_before": (summed["total_before"] - summed["exempt_before"]) / divisor,
               "share_of_tier1_before": (summed["total_before"] - summed["exempt_before"]) / tier1,
               **{c: v / divisor for c, v in categories.items()}}
        rows.append(_only(part, row, item_en=spec.item_en))
    return rows


def _only(part: ReturnPart, row: dict[str, Any], **english: str) -> dict[str, Any]:
    """The row's values of the part's columns, in column order, with the English words of
    its text columns beside (``item_en``, ``type_en``) where the part shows them."""
    kept = {c.key: row[c.key] for c in part.columns}
    for key, words in english.items():
        if key.removesuffix("_en") in kept:
            kept[key] = words
    return kept
