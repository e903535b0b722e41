"""The tables keyed by their own id: ``entities`` and ``facilities``, and the bank's
declared ``groups``."""

from __future__ import annotations

import sys

import numpy as np

from loaders.columns import ParsedColumn
from loaders.dataset.rows import (
    References,
    accept,
    check_currency,
    first_of_each,
    missing_columns,
    parse_columns,
    parse_row,
    priced,
    records_of,
)
from loaders.tables import ColumnTable
from schema.errors import Problem
from schema.model import NodeKind
from schema.records import (
    Bank,
    DeclaredMember,
    Entity,
    Facility,
)
from schema.regime import Regime

__all__ = ["validate_declared_groups", "validate_entities", "validate_facilities"]

def validate_entities(table: ColumnTable | None, kind: NodeKind, regime: Regime | None,
              problems: list[Problem]) -> tuple[dict[str, Entity], set[str] | None]:
    """Valid entities by id, and every id the table holds (None when unknown: a row that
    could not be read may have held any id). ``regime`` (None when bank.toml is not valid)
    says which counterparty classes are interbank (:func:`_bank_classes`)."""
    if table is None or missing_columns(table, kind.properties, problems):
        return {}, None
    problems += table.problems
    parsed, refused = parse_columns(table, kind.properties)
    valid = ~refused
    for at, row in table.rows(np.flatnonzero(refused).tolist()):
        values = parse_row(table, row, kind.properties, problems)
        if values is not None:
            accept(parsed, at, values)
            valid[at] = True
    if regime is not None:
        _bank_classes(table, parsed, valid, regime, problems)
    columns = {name: column.values for name, column in parsed.items()}
    ids = columns["id"] = [sys.intern(i) if i else i for i in columns["id"]]
    rows = np.flatnonzero(valid).tolist()
    rows = first_of_each(
        table, rows, [ids[at] for at in rows], "id",
        lambda at, first: f"duplicate id {ids[at]!r}, first given on {table.unit} {first}", problems)
    records = records_of(Entity, table, columns, rows, kind.properties)
    entities = dict(zip([ids[at] for at in rows], records, strict=True))
    return entities, (None if table.problems else table.distinct("id"))


def _bank_classes(table: ColumnTable, parsed: dict[str, ParsedColumn], valid: np.ndarray,
                  regime: Regime, problems: list[Problem]) -> None:
    """DESIGN 3b (R13): ``is_bank`` and ``counterparty_class`` agree. A party with
    ``is_bank = true`` and a class outside the regime's ``interbank_classes`` is a problem
    (its row becomes invalid); an empty ``is_bank`` follows the class, true for an
    interbank one. An empty class stays None (:meth:`schema.regime.Regime.class_of` gives
    the default: ``bank`` for a bank), and an explicit ``is_bank = false`` is kept beside
    an interbank class (a non-bank financial institution is not a bank, yet 同业 under
    CN-2018): the class decides.

    For example, under CN-2018 a row ``is_bank = true, counterparty_class = sovereign`` is
    refused; ``is_bank`` empty with ``non_bank_fi`` reads as ``is_bank = true``.
    """
    classes, is_bank = parsed["counterparty_class"], parsed["is_bank"]
    if classes.empty.all():     # a book without classes: nothing to do, no row looked at
        return
    interbank = frozenset(regime.interbank_classes)
    count = len(table)
    in_interbank = np.fromiter((c in interbank for c in classes.values), bool, count)
    for at in np.flatnonzero(is_bank.empty & in_interbank & valid).tolist():
        is_bank.values[at] = True
    wrong = valid & ~classes.empty & ~in_interbank & np.fromiter(
        (b is True for b in is_bank.values), bool, count)
    for at in np.flatnonzero(wrong).tolist():
        problems.append(table.problem(
            table.lines[at], "counterparty_class",
            f"is_bank is true, but {classes.values[at]!r} is not an interbank class of "
            f"{regime.name}: expected one of {', '.join(regime.interbank_classes)}, or "
            f"counterparty_class empty (a bank), or is_bank false"))
        valid[at] = False


def validate_facilities(table: ColumnTable | None, kind: NodeKind, refs: References, bank: Bank | None,
                problems: list[Problem]) -> tuple[dict[str, Facility], set[str] | None]:
    """Valid facilities by id, and every id the table holds (None when unknown)."""
    if table is None or missing_columns(table, kind.properties, problems):
        return {}, None
    problems += table.problems
    parsed, refused = parse_columns(table, kind.properties)
    count = len(table)
    parses = ~refused
    ok = parses & priced(parsed["currency"].values, bank) & np.fromiter(
        (b in refs.entities for b in parsed["borrower"].values), bool, count)
    for at, row in table.rows(np.flatnonzero(~ok).tolist()):
        values = parse_row(table, row, kind.properties, problems)
        parses[at] = values is not None
        if values is None:
            continue
        accept(parsed, at, values)
        ok[at] = check_currency(table, row, values.get("currency"), bank, problems)
        if refs.entity(table, row, "borrower", values["borrower"], problems) is None:
            ok[at] = False
    # A row given twice is a problem whether or not the first row is valid, and the row
    # kept for an id is its first valid one.
    ids = parsed["id"].values
    rows = np.flatnonzero(parses).tolist()
    if len({ids[at] for at in rows}) == len(rows):
        kept = np.flatnonzero(ok).tolist()
    else:
        first_line: dict[str, int] = {}
        kept = []
        for at in rows:
            if ids[at] in first_line:
                problems.append(table.problem(table.lines[at], "id",
                                              f"duplicate facility id {ids[at]!r}, first given "
                                              f"on {table.unit} {first_line[ids[at]]}"))
            elif ok[at]:
                first_line[ids[at]] = table.lines[at]
                kept.append(at)
    columns = {name: column.values for name, column in parsed.items()}
    records = records_of(Facility, table, columns, kept, kind.properties)
    facilities = dict(zip([ids[at] for at in kept], records, strict=True))
    return facilities, (None if table.problems else table.distinct("id"))


def validate_declared_groups(table: ColumnTable | None, kind: NodeKind, refs: References,
                     problems: list[Problem]) -> list[DeclaredMember]:
    if table is None or missing_columns(table, kind.properties, problems):
        return []
    problems += table.problems
    parsed, refused = parse_columns(table, kind.properties)
    valid = ~refused & np.fromiter((m in refs.entities for m in parsed["member"].values), bool,
                                   len(table))
    for at, row in table.rows(np.flatnonzero(~valid).tolist()):
        values = parse_row(table, row, kind.properties, problems)
        if values is None or refs.entity(table, row, "member", values["member"], problems) is None:
            continue
        accept(parsed, at, values)
        valid[at] = True
    columns = {name: column.values for name, column in parsed.items()}
    groups, members = columns["group_id"], columns["member"]
    rows = np.flatnonzero(valid).tolist()
    rows = first_of_each(
        table, rows, [(groups[at], members[at]) for at in rows], "member",
        lambda at, first: (f"{members[at]!r} listed twice in group {groups[at]!r}, first on "
                           f"{table.unit} {first}"), problems)
    return records_of(DeclaredMember, table, columns, rows, kind.properties)
