"""Read and validate a dataset folder into a :class:`schema.records.Dataset`.

A dataset folder holds ``bank.toml`` and the tables ``entities``, ``relationships``,
``facilities`` and, optionally, ``groups`` (each ``.csv``, ``.xlsx`` or ``.parquet``); see
DESIGN section 2. Validation collects every problem of every file before it raises, so a
user fixes a file in one go: :class:`schema.errors.InvalidDataset` lists them all, each with file,
line (or row), column and what was expected. Nothing is returned unless everything is valid.
"""

from __future__ import annotations

import math
import sys
import tomllib
from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from loaders.tables import Row, Table, find_table, read_table
from schema.errors import InvalidDataset, InvalidModel, Problem
from schema.model import Model, NodeKind, PropertySpec, load_model
from schema.records import NO_EXTRA, Bank, Dataset, DeclaredMember, Entity, Facility, Relationship
from schema.regime import regime_reference, shipped_regimes
from schema.values import MAX_AMOUNT, ValueRejected

__all__ = ["SHARE_TOLERANCE", "read_bank", "read_dataset"]

SHARE_TOLERANCE = 1e-6
BANK_FILE = "bank.toml"
MIN_RATE, MAX_RATE = 1e-9, 1e9

Progress = Callable[[str], None]
_CONVERSE = {"parent": "child", "child": "parent"}


def read_dataset(folder: Path, *, as_of: date | None = None,
                 progress: Progress | None = None) -> Dataset:
    """Read, validate and return the dataset in ``folder``.

    ``as_of`` (default today) decides which relationships are current for the share-sum
    check (R1). Raises :class:`schema.errors.InvalidDataset` with every problem found.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise InvalidDataset([Problem(str(folder), None, None, "expected a dataset folder")])
    as_of = as_of or date.today()
    say = progress or (lambda _message: None)
    model = load_model()
    problems: list[Problem] = []

    bank = read_bank(folder / BANK_FILE, problems)
    tables: dict[str, Table | None] = {}
    for stem in ("entities", "relationships", "facilities", "groups"):
        path = find_table(folder, stem)
        if path is None:
            if stem != "groups":
                problems.append(Problem(f"{stem}.csv", None, None,
                                        f"missing: expected {stem}.csv, .xlsx or .parquet "
                                        f"in {folder}"))
            tables[stem] = None
            continue
        say(f"reading {path.name}")
        try:
            tables[stem] = read_table(path)
        except InvalidDataset as error:
            problems += error.problems
            tables[stem] = None

    # References to a row that is there but invalid are not reported again: its own
    # problem is the one to fix. Ids present in a table that could not be read are unknown
    # (None): references into it are not checked.
    say("validating entities")
    entities, entity_ids = _entities(tables["entities"], model.nodes["Entity"], problems)
    refs = _References(entities, entity_ids)
    say("validating facilities")
    refs.facilities, refs.facilities_present = _facilities(
        tables["facilities"], model.nodes["Facility"], refs, bank, problems)
    say("validating relationships")
    relationships = _relationships(tables["relationships"], model, refs, bank, problems)
    declared = _declared_groups(tables["groups"], model.nodes["DeclaredGroup"], refs, problems)
    for table in tables.values():
        if table is not None:
            problems += table.problems
    problems += _share_sums(relationships, entities, as_of)
    if problems or bank is None:
        raise InvalidDataset(problems)
    return Dataset(
        bank=bank,
        entities=entities,
        relationships=tuple(relationships),
        facilities=tuple(refs.facilities.values()),
        declared_groups=tuple(declared),
    )


def read_bank(path: Path, problems: list[Problem]) -> Bank | None:
    """Read ``bank.toml``; on failure add problems and return None."""
    name = path.name
    if not path.is_file():
        problems.append(Problem(name, None, None, f"missing: expected {path}"))
        return None
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        problems.append(Problem(name, None, None, f"expected valid TOML: {error}"))
        return None
    found: list[Problem] = []

    def need(key: str, kind: type) -> Any:
        value = raw.get(key)
        if value is None:
            found.append(Problem(name, None, key, "missing required setting"))
            return None
        if not isinstance(value, kind):
            found.append(Problem(name, None, key, f"expected text, got {value!r}"))
            return None
        return value

    def number(key: str, value: Any, low: float, high: float, expected: str) -> float | None:
        """``value`` as a float from ``low`` to ``high``, else None (and a problem). TOML
        reads ``nan``, ``inf`` and ``1e400`` (infinity) as floats, and integers of any size."""
        if value is None:
            found.append(Problem(name, None, key, "missing required setting"))
            return None
        if isinstance(value, bool) or not isinstance(value, int | float) or not (
                low <= value <= high):   # false for nan too
            found.append(Problem(name, None, key, f"expected {expected}, got {value!r}"))
            return None
        return float(value)

    # Capital is at least one unit: below it every ratio to capital (shares of tier 1,
    # limit usage) grows without bound; 1e-300 made them infinite.
    capital = "a number from 1 to 1e15 (units of the base currency)"
    bank_name = need("name", str)
    base = need("base_currency", str)
    tier1 = number("tier1_capital", raw.get("tier1_capital"), 1.0, MAX_AMOUNT, capital)
    net_capital = number("net_capital", raw.get("net_capital"), 1.0, MAX_AMOUNT, capital)
    regime = _regime(path, raw.get("regime", "CN-2018"), found)
    is_gsib = raw.get("is_gsib", False)
    if not isinstance(is_gsib, bool):
        found.append(Problem(name, None, "is_gsib", f"expected true or false, got {is_gsib!r}"))
    fx: dict[str, float] = {}
    for currency, rate in dict(raw.get("fx", {})).items():
        # no pair of currencies is 1e9 apart; the bound keeps converted amounts (at most
        # 1e15 x 1e9) and their sums finite
        per_unit = f"units of {base.upper() if isinstance(base, str) else 'the base currency'} " \
                   f"per unit of {currency.upper()}"
        value = number(f"fx.{currency}", rate, MIN_RATE, MAX_RATE,
                       f"a rate from 1e-9 to 1e9 ({per_unit})")
        if value is not None:
            fx[currency.upper()] = value
    problems += found
    if found:
        return None
    return Bank(name=bank_name, base_currency=base.upper(), tier1_capital=tier1,
                net_capital=net_capital, regime=regime, fx=fx, is_gsib=is_gsib)


def _regime(bank_file: Path, value: Any, found: list[Problem]) -> str:
    """The regime ``bank.toml`` names, checked now rather than when a report or the server
    first needs it (see :func:`schema.regime.regime_reference`)."""
    if not isinstance(value, str) or not value:
        found.append(Problem(bank_file.name, None, "regime",
                             f"expected one of {', '.join(shipped_regimes())} or the path of a "
                             f"regime .toml file, got {value!r}"))
        return ""
    try:
        return regime_reference(value, bank_file.parent)
    except InvalidModel as error:
        found.append(Problem(bank_file.name, None, "regime", str(error)))
        return value


@dataclass
class _References:
    """Valid records by id, and the ids that appear in a table at all."""

    entities: dict[str, Entity]
    entities_present: set[str] | None
    facilities: dict[str, Facility] = field(default_factory=dict)
    facilities_present: set[str] | None = None

    def entity(self, table: Table, row: Row, column: str, entity_id: str,
               problems: list[Problem]) -> Entity | None:
        """The entity ``entity_id``, or None (reporting it when it is not there at all)."""
        entity = self.entities.get(entity_id)
        if entity is None and _absent(entity_id, self.entities_present):
            problems.append(table.problem(row.line, column, f"unknown entity id {entity_id!r}"))
        return entity


def _absent(key: str, present: set[str] | None) -> bool:
    return present is not None and key not in present


def _parse_row(table: Table, row: Row, specs: dict[str, PropertySpec],
               problems: list[Problem]) -> dict[str, Any] | None:
    """Typed values of the model's columns of one row, defaults filled in, or None when a
    value is missing or wrong (each such value adds a problem)."""
    values: dict[str, Any] = {}
    ok = True
    for name, spec in specs.items():
        text = row.cells.get(name, "")
        if not text:
            if spec.required:
                problems.append(table.problem(row.line, name, f"expected a value ({spec.type})"))
                ok = False
            elif spec.default is not None:
                values[name] = spec.default
            continue
        if spec.verbatim:
            # a million relationships name the same ids: keep one string for each
            values[name] = sys.intern(text) if spec.type == "entity_ref" else text
            continue
        try:
            values[name] = spec.parse(text)
        except ValueRejected as rejected:
            problems.append(table.problem(row.line, name, str(rejected)))
            ok = False
    return values if ok else None


def _extra(row: Row, known: set[str] | dict[str, Any]) -> Mapping[str, str]:
    extra = {c: v for c, v in row.cells.items() if c not in known and v}
    return extra or NO_EXTRA


def _missing_columns(table: Table, specs: dict[str, PropertySpec],
                     problems: list[Problem]) -> bool:
    missing = [s.name for s in specs.values() if s.required and s.name not in table.columns]
    for column in missing:
        problems.append(table.problem(1, column, "missing required column"))
    return bool(missing)


def _origin(table: Table, row: Row) -> str:
    return f"{table.path.name}:{row.line}"


def _entities(table: Table | None, kind: NodeKind, problems: list[Problem]
              ) -> tuple[dict[str, Entity], set[str] | None]:
    """Valid entities by id, and every id the table holds (None when unknown: a row that
    could not be read may have held any id)."""
    entities: dict[str, Entity] = {}
    if table is None or _missing_columns(table, kind.properties, problems):
        return entities, None
    first_line: dict[str, int] = {}
    present: set[str] = set()
    for row in table:
        present.add(row.cells.get("id", ""))
        values = _parse_row(table, row, kind.properties, problems)
        if values is None:
            continue
        entity_id = values["id"] = sys.intern(values["id"])
        if entity_id in first_line:
            problems.append(table.problem(row.line, "id",
                                          f"duplicate id {entity_id!r}, first given on "
                                          f"{table.unit} {first_line[entity_id]}"))
            continue
        first_line[entity_id] = row.line
        entities[entity_id] = Entity(**values, extra=_extra(row, kind.properties),
                                     origin=_origin(table, row))
    return entities, (None if table.problems else present)


def _check_currency(table: Table, row: Row, currency: str | None, bank: Bank | None,
                    problems: list[Problem]) -> bool:
    if currency is None or bank is None or currency == bank.base_currency or currency in bank.fx:
        return True
    problems.append(table.problem(
        row.line, "currency",
        f"no exchange rate for {currency}: add it under [fx] in {BANK_FILE} "
        f"(units of {bank.base_currency} per unit of {currency})"))
    return False


def _facilities(table: Table | None, kind: NodeKind, refs: _References, bank: Bank | None,
                problems: list[Problem]) -> tuple[dict[str, Facility], set[str] | None]:
    """Valid facilities by id, and every id the table holds (None when unknown)."""
    facilities: dict[str, Facility] = {}
    if table is None or _missing_columns(table, kind.properties, problems):
        return facilities, None
    first_line: dict[str, int] = {}
    present: set[str] = set()
    for row in table:
        present.add(row.cells.get("id", ""))
        values = _parse_row(table, row, kind.properties, problems)
        if values is None:
            continue
        ok = _check_currency(table, row, values.get("currency"), bank, problems)
        if refs.entity(table, row, "borrower", values["borrower"], problems) is None:
            ok = False
        if values["id"] in first_line:
            problems.append(table.problem(row.line, "id",
                                          f"duplicate facility id {values['id']!r}, first given "
                                          f"on {table.unit} {first_line[values['id']]}"))
            ok = False
        if ok:
            first_line[values["id"]] = row.line
            facilities[values["id"]] = Facility(**values, extra=_extra(row, kind.properties),
                                                origin=_origin(table, row))
    return facilities, (None if table.problems else present)


def _relationships(table: Table | None, model: Model, refs: _References, bank: Bank | None,
                   problems: list[Problem]) -> list[Relationship]:
    result: list[Relationship] = []
    if table is None or _missing_columns(table, model.common, problems):
        return result
    columns = model.relationship_columns()
    first_line: dict[tuple[str, ...], int] = {}
    allowed = ", ".join(sorted(model.relationship_types))
    # per type: the columns to parse, and the table's columns that do not apply to it
    per_type = {
        name: ({n: s for n, s in {**model.common, **kind.properties}.items() if n != "type"},
               [c for c in table.columns if c in columns and c not in model.common
                and c not in kind.properties])
        for name, kind in model.relationships.items()
    }
    for row in table:
        rel_type = row.cells.get("type", "").upper()
        kind = model.relationships.get(rel_type)
        if kind is None:
            problems.append(table.problem(row.line, "type",
                                          f"expected one of {allowed}, got {row.cells.get('type')!r}"))
            continue
        specs, inapplicable = per_type[rel_type]
        values = _parse_row(table, row, specs, problems)
        if values is None:
            continue
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
            facility = refs.facilities.get(facility_id)
            if facility is None:
                if _absent(facility_id, refs.facilities_present):
                    problems.append(table.problem(row.line, "facility",
                                                  f"unknown facility id {facility_id!r}"))
                ok = False
            elif facility.borrower != values["target"]:
                problems.append(table.problem(
                    row.line, "facility",
                    f"facility {facility_id!r} is owed by {facility.borrower!r}, not by the "
                    f"guaranteed party {values['target']!r}"))
                ok = False
        ok = _check_currency(table, row, values.get("currency"), bank, problems) and ok
        if not ok:
            continue
        if kind.undirected and values["target"] < values["source"]:
            values["source"], values["target"] = values["target"], values["source"]
            # `relation` says what the source is to the target: turning the pair round
            # turns a parent into a child
            values["relation"] = _CONVERSE.get(values.get("relation"), values.get("relation"))
        relationship = Relationship(type=rel_type, **values, extra=_extra(row, columns),
                                    origin=_origin(table, row))
        if relationship.identity in first_line:
            problems.append(table.problem(
                row.line, None,
                f"duplicate {rel_type} {values['source']} -> {values['target']}, first given on "
                f"{table.unit} {first_line[relationship.identity]}: combine them into one row"))
            continue
        first_line[relationship.identity] = row.line
        result.append(relationship)
    return result


def _declared_groups(table: Table | None, kind: NodeKind, refs: _References,
                     problems: list[Problem]) -> list[DeclaredMember]:
    members: list[DeclaredMember] = []
    if table is None or _missing_columns(table, kind.properties, problems):
        return members
    seen: dict[tuple[str, str], int] = {}
    for row in table:
        values = _parse_row(table, row, kind.properties, problems)
        if values is None:
            continue
        if refs.entity(table, row, "member", values["member"], problems) is None:
            continue
        key = (values["group_id"], values["member"])
        if key in seen:
            problems.append(table.problem(row.line, "member",
                                          f"{values['member']!r} listed twice in group "
                                          f"{values['group_id']!r}, first on {table.unit} {seen[key]}"))
            continue
        seen[key] = row.line
        members.append(DeclaredMember(**values, extra=_extra(row, kind.properties),
                                      origin=_origin(table, row)))
    return members


def _share_sums(relationships: list[Relationship], entities: dict[str, Entity],
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
