"""``relationships``: each row an edge of a kind of the model, and the share sums of R1."""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from itertools import repeat
from typing import Any

import numpy as np

from loaders.columns import ParsedColumn, parse_column
from loaders.dataset.rows import (
    References,
    accept,
    check_currency,
    first_of_each,
    missing_columns,
    parse_row,
    priced,
    records_of,
)
from loaders.tables import ColumnTable, Row
from schema.errors import Problem
from schema.model import Model, PropertySpec
from schema.records import (
    Bank,
    Entity,
    Relationship,
)

__all__ = ["SHARE_TOLERANCE", "share_sum_problems", "validate_relationships"]

SHARE_TOLERANCE = 1e-6


_CONVERSE = {"parent": "child", "child": "parent"}


@dataclass(frozen=True)
class _RelationshipRules:
    """What the validation of relationships.csv needs of the model, worked out once."""

    model: Model
    columns: dict[str, PropertySpec]
    allowed: str
    # per type: the columns to parse, and the relationship columns that do not apply to it
    per_type: dict[str, tuple[dict[str, PropertySpec], list[str]]]


def _relationship_rules(model: Model, table: ColumnTable) -> _RelationshipRules:
    columns = model.relationship_columns()
    per_type = {
        name: ({n: s for n, s in {**model.common, **kind.properties}.items() if n != "type"},
               [c for c in table.columns if c in columns and c not in model.common
                and c not in kind.properties])
        for name, kind in model.relationships.items()
    }
    return _RelationshipRules(model, columns, ", ".join(sorted(model.relationship_types)),
                              per_type)


def _relationship_row(table: ColumnTable, row: Row, rules: _RelationshipRules,
                      refs: References, bank: Bank | None, problems: list[Problem]
                      ) -> tuple[str, dict[str, Any]] | None:
    """The type and values of one row of relationships.csv, or None when the row is not
    valid (each thing wrong adds a problem). Rows given twice are found later."""
    rel_type = row.cells.get("type", "").upper()
    kind = rules.model.relationships.get(rel_type)
    if kind is None:
        problems.append(table.problem(row.line, "type",
                                      f"expected one of {rules.allowed}, got {row.cells.get('type')!r}"))
        return None
    specs, inapplicable = rules.per_type[rel_type]
    values = parse_row(table, row, specs, problems)
    if values is None:
        return None
    ok = True
    for column in inapplicable:
        if row.cells.get(column):
            problems.append(table.problem(row.line, column,
                                          f"does not apply to {rel_type}: leave it empty"))
            ok = False
    for end, allowed_kinds in (("source", kind.source_kinds), ("target", kind.target_kinds)):
        entity = refs.entity(table, row, end, values[end], problems)
        if entity is None:
            ok = False
        elif entity.kind not in allowed_kinds:
            problems.append(table.problem(
                row.line, end,
                f"{rel_type} {end} must be a {' or '.join(allowed_kinds)}; "
                f"{values[end]!r} is a {entity.kind}"))
            ok = False
    if values["source"] == values["target"]:
        problems.append(table.problem(row.line, "target",
                                      f"{rel_type} from {values['source']!r} to itself"))
        ok = False
    if (values.get("valid_from") and values.get("valid_to")
            and values["valid_to"] < values["valid_from"]):
        problems.append(table.problem(row.line, "valid_to", "expected a date on or after valid_from"))
        ok = False
    facility_id = values.get("facility")
    if facility_id is not None:
        facility = refs.facility(table, row, facility_id, problems)
        if facility is None:
            ok = False
        elif facility.borrower != values["target"]:
            problems.append(table.problem(
                row.line, "facility",
                f"facility {facility_id!r} is owed by {facility.borrower!r}, not by the "
                f"guaranteed party {values['target']!r}"))
            ok = False
    ok = check_currency(table, row, values.get("currency"), bank, problems) and ok
    return (rel_type, values) if ok else None


def _suspect_relationships(table: ColumnTable, rules: _RelationshipRules, codes: np.ndarray,
                           parsed: dict[str, ParsedColumn], refs: References,
                           bank: Bank | None) -> np.ndarray:
    """Rows of relationships.csv that may not be valid (every row that is not, and perhaps
    others): the rows :func:`_relationship_row` looks at. ``codes`` numbers each row's type
    in model order, -1 for an unknown type."""
    count = len(table)
    suspect = codes < 0
    for column in parsed.values():
        suspect |= column.rejected
    model = rules.model
    entity_kinds = model.nodes["Entity"].properties["kind"].values
    # allowed[type code, end's kind code]; the last row and column stand for an unknown type
    # and for an end that is not a valid entity
    allowed = {end: np.zeros((len(model.relationships) + 1, len(entity_kinds) + 1), bool)
               for end in ("source", "target")}
    for code, (name, kind) in enumerate(model.relationships.items()):
        for kinds, end in ((kind.source_kinds, "source"), (kind.target_kinds, "target")):
            allowed[end][code, [entity_kinds.index(k) for k in kinds]] = True
        here = codes == code
        if not here.any():
            continue
        specs = rules.per_type[name][0]
        for column, spec in rules.columns.items():
            own = specs.get(column)
            if column in parsed and (own is None or (own.type, own.values) != (spec.type, spec.values)):
                suspect |= here & ~parsed[column].empty    # a value it has no use for, or
                # one this type parses otherwise: left to the row's own parse
            if own is not None and own.required:
                suspect |= here & parsed[column].empty
    kind_code = {k: entity_kinds.index(e.kind) for k, e in refs.entities.items()}
    unknown = len(entity_kinds)
    for end in ("source", "target"):
        ends = np.fromiter(map(kind_code.get, parsed[end].values, repeat(unknown)), np.int64, count)
        suspect |= ~allowed[end][codes, ends]
    sources, targets = parsed["source"].values, parsed["target"].values
    suspect |= np.array(sources, dtype=object) == np.array(targets, dtype=object)
    starts, ends_ = parsed["valid_from"], parsed["valid_to"]
    if not starts.empty.all() and not ends_.empty.all():
        suspect |= np.fromiter((f is not None and t is not None and t < f
                                for f, t in zip(starts.values, ends_.values, strict=True)),
                               bool, count)
    if not parsed["facility"].empty.all():
        facilities = refs.facilities
        suspect |= np.fromiter((f is not None and (f not in facilities
                                                   or facilities[f].borrower != t)
                                for f, t in zip(parsed["facility"].values, targets, strict=True)),
                               bool, count)
    return suspect | ~priced(parsed["currency"].values, bank)


def validate_relationships(table: ColumnTable | None, model: Model, refs: References, bank: Bank | None,
                   problems: list[Problem]) -> list[Relationship]:
    if table is None or missing_columns(table, model.common, problems):
        return []
    problems += table.problems
    rules = _relationship_rules(model, table)
    count = len(table)
    raw_types = table.column("type")
    upper = {t: t.upper() for t in set(raw_types)}
    names = list(model.relationships)
    code_of = {t: names.index(u) if u in model.relationships else -1 for t, u in upper.items()}
    codes = np.fromiter(map(code_of.__getitem__, raw_types), np.int64, count)
    types = list(map(upper.__getitem__, raw_types))
    parsed = {name: parse_column(spec, table.column(name), table.blank(name))
              for name, spec in rules.columns.items() if name != "type"}
    suspect = _suspect_relationships(table, rules, codes, parsed, refs, bank)
    valid = ~suspect
    for at, row in table.rows(np.flatnonzero(suspect).tolist()):
        found = _relationship_row(table, row, rules, refs, bank, problems)
        if found is not None:
            types[at] = found[0]
            accept(parsed, at, found[1])
            valid[at] = True
    columns = {"type": types, **{name: column.values for name, column in parsed.items()}}
    sources, targets, relations = columns["source"], columns["target"], columns["relation"]
    for code, kind in enumerate(model.relationships.values()):
        if not kind.undirected:
            continue
        for at in np.flatnonzero(valid & (codes == code)).tolist():
            if targets[at] < sources[at]:
                sources[at], targets[at] = targets[at], sources[at]
                # `relation` says what the source is to the target: turning the pair round
                # turns a parent into a child
                relations[at] = _CONVERSE.get(relations[at], relations[at])
    # what makes two rows the same fact (Relationship.identity)
    facilities, starts = columns["facility"], columns["valid_from"]
    rows = np.flatnonzero(valid).tolist()
    rows = first_of_each(
        table, rows, [(types[at], sources[at], targets[at], facilities[at], starts[at])
                      for at in rows], None,
        lambda at, first: (f"duplicate {types[at]} {sources[at]} -> {targets[at]}, first given "
                           f"on {table.unit} {first}: combine them into one row"), problems)
    return records_of(Relationship, table, columns, rows, rules.columns)


def share_sum_problems(relationships: list[Relationship], entities: dict[str, Entity],
                as_of: date) -> list[Problem]:
    """R1: the current OWNS shares held in each company sum to at most 1."""
    held: dict[str, list[Relationship]] = defaultdict(list)
    for r in relationships:
        if r.type == "OWNS" and r.is_current(as_of):
            held[r.target].append(r)
    problems = []
    for company, rows in held.items():
        total = math.fsum(r.share or 0.0 for r in rows)
        if total > 1.0 + SHARE_TOLERANCE:
            origins = ", ".join(r.origin or "?" for r in rows)
            file, _, line = (rows[-1].origin or "relationships.csv:0").partition(":")
            problems.append(Problem(
                file, int(line), "share",
                f"the shares held in {company!r} ({entities[company].name}) sum to "
                f"{total:.6g} ({total:.4%}), more than 100% (R1); rows: {origins}"))
    return problems
