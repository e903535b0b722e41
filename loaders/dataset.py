"""Read and validate a dataset folder into a :class:`schema.records.Dataset`.

A dataset folder holds ``bank.toml`` and the tables ``entities``, ``relationships``,
``facilities`` and, optionally, ``groups`` (each ``.csv``, ``.xlsx`` or ``.parquet``); see
DESIGN section 2. The optional tables of the exposure model (DESIGN 3b), ``underlyings``,
``collateral`` and ``product_parties``, hang off facilities and are validated the same way
(:func:`_facility_table`). Validation collects every problem of every file before it
raises, so a user fixes a file in one go: :class:`schema.errors.InvalidDataset` lists them
all, each with file, line (or row), column and what was expected. Nothing is returned
unless everything is valid.

The validation works on columns (:class:`loaders.tables.ColumnTable`), because a dict per
line and a parser call per cell took 8 s for 100,000 parties, 80 s for a million. Each
column is parsed at once (:mod:`loaders.columns`), and the checks that span a row or the
tables (required values, references to valid rows, the kinds at each end, dates in order,
a facility owed by the guaranteed party, exchange rates) are numpy masks over all rows.
The masks mark every row that may be wrong, and perhaps a few more; those rows, and only
those, go through the row-by-row validation (:func:`_parse_row`, :func:`_relationship_row`),
which decides and words each problem as it always has. So the problems are those of the
row-by-row read, and a row the masks doubt needlessly is still read right. Every other row
becomes its record straight from the columns. Rows given twice are found last, over the
valid rows in order, since the first valid row of a key is the one kept.
"""

from __future__ import annotations

import dataclasses
import math
import sys
import tomllib
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from itertools import repeat
from pathlib import Path
from typing import Any

import numpy as np

from loaders.columns import ParsedColumn, parse_column
from loaders.tables import ColumnTable, Row, find_table, read_columns
from schema.errors import InvalidDataset, InvalidModel, Problem
from schema.measure import LOOKED_THROUGH, facility_arrays
from schema.model import Model, NodeKind, PropertySpec, load_model
from schema.records import (
    NO_EXTRA,
    Bank,
    Collateral,
    Dataset,
    DeclaredMember,
    Entity,
    Facility,
    ProductParty,
    Relationship,
    Underlying,
    collector_paused,
)
from schema.regime import Regime, load_regime, regime_reference, shipped_regimes
from schema.values import MAX_AMOUNT, ValueRejected

__all__ = ["LOOK_THROUGH_TOLERANCE", "SHARE_TOLERANCE", "read_bank", "read_dataset"]

SHARE_TOLERANCE = 1e-6
LOOK_THROUGH_TOLERANCE = 1e-9
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
    with collector_paused():
        return _read_dataset(folder, as_of or date.today(), progress)


def _read_dataset(folder: Path, as_of: date, progress: Progress | None) -> Dataset:
    say = progress or (lambda _message: None)
    model = load_model()
    problems: list[Problem] = []

    bank = read_bank(folder / BANK_FILE, problems)
    # read_bank has checked that the regime loads
    regime = None if bank is None else load_regime(bank.regime)
    paths: dict[str, Path | None] = {}
    optional = [kind.file for kind in model.nodes.values() if kind.optional]
    for stem in ("entities", "relationships", "facilities", *optional):
        paths[stem] = find_table(folder, stem)
        if paths[stem] is None and stem not in optional:
            problems.append(Problem(f"{stem}.csv", None, None,
                                    f"missing: expected {stem}.csv, .xlsx or .parquet in {folder}"))

    def read(stem: str) -> ColumnTable | None:
        # each table is read just before it is validated, so that one table's cells are
        # held at a time
        path = paths[stem]
        if path is None:
            return None
        say(f"reading {path.name}")
        try:
            return read_columns(path)
        except InvalidDataset as error:
            problems.extend(error.problems)
            return None

    # References to a row that is there but invalid are not reported again: its own
    # problem is the one to fix. Ids present in a table that could not be read are unknown
    # (None): references into it are not checked.
    table = read("entities")
    say("validating entities")
    entities, entity_ids = _entities(table, model.nodes["Entity"], regime, problems)
    refs = _References(entities, entity_ids)
    del table
    table = read("facilities")
    say("validating facilities")
    refs.facilities, refs.facilities_present = _facilities(
        table, model.nodes["Facility"], refs, bank, problems)
    del table
    table = read("relationships")
    say("validating relationships")
    relationships = _relationships(table, model, refs, bank, problems)
    del table
    table = read("groups")
    declared = _declared_groups(table, model.nodes["DeclaredGroup"], refs, problems)
    del table
    tables: dict[str, list[Any]] = {}
    for rules in _FACILITY_TABLES:
        kind = model.nodes[rules.kind]
        table = read(kind.file)
        if table is not None:
            say(f"validating {kind.file}")
        tables[kind.file] = _facility_table(table, kind, rules, refs, bank, regime, problems)
        del table
    problems += _share_sums(relationships, entities, as_of)
    if problems or bank is None:
        raise InvalidDataset(problems)
    return Dataset(
        bank=bank,
        entities=entities,
        relationships=tuple(relationships),
        facilities=tuple(refs.facilities.values()),
        declared_groups=tuple(declared),
        underlyings=tuple(tables["underlyings"]),
        collateral=tuple(tables["collateral"]),
        product_parties=tuple(tables["product_parties"]),
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

    def entity(self, table: ColumnTable, row: Row, column: str, entity_id: str,
               problems: list[Problem]) -> Entity | None:
        """The entity ``entity_id``, or None (reporting it when it is not there at all)."""
        entity = self.entities.get(entity_id)
        if entity is None and _absent(entity_id, self.entities_present):
            problems.append(table.problem(row.line, column, f"unknown entity id {entity_id!r}"))
        return entity

    def facility(self, table: ColumnTable, row: Row, facility_id: str, problems: list[Problem]
                 ) -> Facility | None:
        """The facility ``facility_id``, or None (reporting it when it is not there at all)."""
        facility = self.facilities.get(facility_id)
        if facility is None and _absent(facility_id, self.facilities_present):
            problems.append(table.problem(row.line, "facility",
                                          f"unknown facility id {facility_id!r}"))
        return facility


def _absent(key: str, present: set[str] | None) -> bool:
    return present is not None and key not in present


def _parse_row(table: ColumnTable, row: Row, specs: dict[str, PropertySpec],
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


def _missing_columns(table: ColumnTable, specs: dict[str, PropertySpec],
                     problems: list[Problem]) -> bool:
    missing = [s.name for s in specs.values() if s.required and s.name not in table.columns]
    for column in missing:
        problems.append(table.problem(1, column, "missing required column"))
    return bool(missing)


def _parse_columns(table: ColumnTable, specs: dict[str, PropertySpec]
                   ) -> tuple[dict[str, ParsedColumn], np.ndarray]:
    """Each column of ``specs`` parsed, and the rows where a required value is missing or a
    parser refused a value: the rows :func:`_parse_row` would refuse."""
    parsed = {name: parse_column(spec, table.column(name), table.blank(name))
              for name, spec in specs.items()}
    refused = np.zeros(len(table), bool)
    for name, spec in specs.items():
        refused |= parsed[name].rejected
        if spec.required:
            refused |= parsed[name].empty
    return parsed, refused


def _accept(parsed: dict[str, ParsedColumn], at: int, values: dict[str, Any]) -> None:
    """Put the values the row-by-row validation gave row ``at`` into the parsed columns."""
    # A column the row's values leave out is empty in the row (a valid row leaves the columns
    # of other relationship types empty): it keeps the default its parse gave, which is the
    # record's default (a test holds them together), as a record made without it would.
    for name, column in parsed.items():
        column.values[at] = values.get(name, column.values[at] if column.empty[at] else None)


def _first_of_each(table: ColumnTable, rows: list[int], keys: list[Any], column: str | None,
                   duplicate: Callable[[int, int], str], problems: list[Problem]) -> list[int]:
    """Of ``rows`` (in order), those whose key no earlier one has; for each other row, the
    problem ``duplicate(row, line of the first)``."""
    if len(set(keys)) == len(keys):
        return rows
    first: dict[Any, int] = {}
    kept = []
    for at, key in zip(rows, keys, strict=True):
        if key in first:
            problems.append(table.problem(table.lines[at], column, duplicate(at, first[key])))
            continue
        first[key] = table.lines[at]
        kept.append(at)
    return kept


def _records(cls: type, table: ColumnTable, columns: Mapping[str, list[Any]], rows: list[int],
             known: Mapping[str, Any]) -> list[Any]:
    """Records of ``cls`` for ``rows`` of ``table``, each field from the column of its name,
    the table's other columns than ``known`` in ``extra``."""
    every = len(rows) == len(table)
    fields = []
    for spec in dataclasses.fields(cls):
        if spec.name == "extra":
            fields.append(_extras(table, known, rows))
        elif spec.name == "origin":
            name = table.name
            fields.append([f"{name}:{table.lines[at]}" for at in rows])
        else:
            values = columns[spec.name]
            fields.append(values if every else [values[at] for at in rows])
    return list(map(_maker(cls), *fields))


@cache
def _maker(cls: type) -> Callable[..., Any]:
    """A function of every field of the record class ``cls``, in order, that makes the
    record ``cls(*fields)`` makes, in about 60% of its time.

    The ``__init__`` of a frozen dataclass sets each field through ``object.__setattr__``
    (looked up for each field of each record); this sets each slot through its own
    descriptor, looked up once. It is what ``__init__`` does when it is given every field,
    as here (a test makes every record class both ways); a class with a ``__post_init__``,
    or without slots, is left to make its records itself."""
    names = [f.name for f in dataclasses.fields(cls)]
    if hasattr(cls, "__post_init__") or "__slots__" not in cls.__dict__:
        return cls
    scope: dict[str, Any] = {"new": object.__new__, "cls": cls}
    scope.update({f"set_{name}": cls.__dict__[name].__set__ for name in names})
    lines = [f"def make({', '.join(names)}):", "    record = new(cls)"]
    lines += [f"    set_{name}(record, {name})" for name in names]
    lines.append("    return record")
    exec("\n".join(lines), scope)      # as dataclasses writes __init__ itself
    return scope["make"]


def _extras(table: ColumnTable, known: Mapping[str, Any], rows: list[int]
            ) -> Iterable[Mapping[str, str]]:
    """The non-empty cells of each row in the columns the model does not know."""
    others = [c for c in table.columns if c not in known]
    if not others:
        return repeat(NO_EXTRA)
    cells = [table.column(c) for c in others]
    return [{c: v for c, v in zip(others, (column[at] for column in cells), strict=True) if v}
            or NO_EXTRA for at in rows]


def _priced(currencies: list[str | None], bank: Bank | None) -> np.ndarray:
    """Which rows have no currency, the base currency or one with an exchange rate."""
    unknown = set() if bank is None else set(currencies) - {None, bank.base_currency, *bank.fx}
    if not unknown:
        return np.ones(len(currencies), bool)
    return np.fromiter((c not in unknown for c in currencies), bool, len(currencies))


def _entities(table: ColumnTable | None, kind: NodeKind, regime: Regime | None,
              problems: list[Problem]) -> tuple[dict[str, Entity], set[str] | None]:
    """Valid entities by id, and every id the table holds (None when unknown: a row that
    could not be read may have held any id). ``regime`` (None when bank.toml is not valid)
    says which counterparty classes are interbank (:func:`_bank_classes`)."""
    if table is None or _missing_columns(table, kind.properties, problems):
        return {}, None
    problems += table.problems
    parsed, refused = _parse_columns(table, kind.properties)
    valid = ~refused
    for at, row in table.rows(np.flatnonzero(refused).tolist()):
        values = _parse_row(table, row, kind.properties, problems)
        if values is not None:
            _accept(parsed, at, values)
            valid[at] = True
    if regime is not None:
        _bank_classes(table, parsed, valid, regime, problems)
    columns = {name: column.values for name, column in parsed.items()}
    ids = columns["id"] = [sys.intern(i) if i else i for i in columns["id"]]
    rows = np.flatnonzero(valid).tolist()
    rows = _first_of_each(
        table, rows, [ids[at] for at in rows], "id",
        lambda at, first: f"duplicate id {ids[at]!r}, first given on {table.unit} {first}", problems)
    records = _records(Entity, table, columns, rows, kind.properties)
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


def _check_currency(table: ColumnTable, row: Row, currency: str | None, bank: Bank | None,
                    problems: list[Problem]) -> bool:
    if currency is None or bank is None or currency == bank.base_currency or currency in bank.fx:
        return True
    problems.append(table.problem(
        row.line, "currency",
        f"no exchange rate for {currency}: add it under [fx] in {BANK_FILE} "
        f"(units of {bank.base_currency} per unit of {currency})"))
    return False


def _facilities(table: ColumnTable | None, kind: NodeKind, refs: _References, bank: Bank | None,
                problems: list[Problem]) -> tuple[dict[str, Facility], set[str] | None]:
    """Valid facilities by id, and every id the table holds (None when unknown)."""
    if table is None or _missing_columns(table, kind.properties, problems):
        return {}, None
    problems += table.problems
    parsed, refused = _parse_columns(table, kind.properties)
    count = len(table)
    parses = ~refused
    ok = parses & _priced(parsed["currency"].values, bank) & np.fromiter(
        (b in refs.entities for b in parsed["borrower"].values), bool, count)
    for at, row in table.rows(np.flatnonzero(~ok).tolist()):
        values = _parse_row(table, row, kind.properties, problems)
        parses[at] = values is not None
        if values is None:
            continue
        _accept(parsed, at, values)
        ok[at] = _check_currency(table, row, values.get("currency"), bank, problems)
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
    records = _records(Facility, table, columns, kept, kind.properties)
    facilities = dict(zip([ids[at] for at in kept], records, strict=True))
    return facilities, (None if table.problems else table.distinct("id"))


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
                      refs: _References, bank: Bank | None, problems: list[Problem]
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
    values = _parse_row(table, row, specs, problems)
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
    ok = _check_currency(table, row, values.get("currency"), bank, problems) and ok
    return (rel_type, values) if ok else None


def _suspect_relationships(table: ColumnTable, rules: _RelationshipRules, codes: np.ndarray,
                           parsed: dict[str, ParsedColumn], refs: _References,
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
    return suspect | ~_priced(parsed["currency"].values, bank)


def _relationships(table: ColumnTable | None, model: Model, refs: _References, bank: Bank | None,
                   problems: list[Problem]) -> list[Relationship]:
    if table is None or _missing_columns(table, model.common, problems):
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
            _accept(parsed, at, found[1])
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
    rows = _first_of_each(
        table, rows, [(types[at], sources[at], targets[at], facilities[at], starts[at])
                      for at in rows], None,
        lambda at, first: (f"duplicate {types[at]} {sources[at]} -> {targets[at]}, first given "
                           f"on {table.unit} {first}: combine them into one row"), problems)
    return _records(Relationship, table, columns, rows, rules.columns)


def _declared_groups(table: ColumnTable | None, kind: NodeKind, refs: _References,
                     problems: list[Problem]) -> list[DeclaredMember]:
    if table is None or _missing_columns(table, kind.properties, problems):
        return []
    problems += table.problems
    parsed, refused = _parse_columns(table, kind.properties)
    valid = ~refused & np.fromiter((m in refs.entities for m in parsed["member"].values), bool,
                                   len(table))
    for at, row in table.rows(np.flatnonzero(~valid).tolist()):
        values = _parse_row(table, row, kind.properties, problems)
        if values is None or refs.entity(table, row, "member", values["member"], problems) is None:
            continue
        _accept(parsed, at, values)
        valid[at] = True
    columns = {name: column.values for name, column in parsed.items()}
    groups, members = columns["group_id"], columns["member"]
    rows = np.flatnonzero(valid).tolist()
    rows = _first_of_each(
        table, rows, [(groups[at], members[at]) for at in rows], "member",
        lambda at, first: (f"{members[at]!r} listed twice in group {groups[at]!r}, first on "
                           f"{table.unit} {first}"), problems)
    return _records(DeclaredMember, table, columns, rows, kind.properties)


@dataclass(frozen=True)
class _FacilityTableRules:
    """What sets apart the optional tables whose rows belong to a facility (DESIGN 3b):
    the model kind and record class of a row, the columns naming an entity, whether the
    facility must be a product that is looked through (``am_product`` or ``abs``), and the
    columns that make two rows the same fact (none: two equal rows of underlyings or of
    collateral are two assets or two pledges; a party's role in a product is one fact)."""

    kind: str
    record: type
    entity_columns: tuple[str, ...]
    looked_through: bool
    identity: tuple[str, ...] = ()


_FACILITY_TABLES = (
    _FacilityTableRules("Underlying", Underlying, ("obligor",), True),
    _FacilityTableRules("Collateral", Collateral, ("issuer",), False),
    _FacilityTableRules("ProductParty", ProductParty, ("party",), True,
                        ("facility", "party", "role")),
)


def _substituting(regime: Regime | None) -> frozenset[str]:
    """The collateral kinds that move the exposure onto their issuer (R16)."""
    return frozenset(() if regime is None else regime.mitigation.get("substituting_collateral", ()))


def _facility_table(table: ColumnTable | None, kind: NodeKind, rules: _FacilityTableRules,
                    refs: _References, bank: Bank | None, regime: Regime | None,
                    problems: list[Problem]) -> list[Any]:
    """The valid rows of ``underlyings``, ``collateral`` or ``product_parties`` as records
    (DESIGN 3b). Each row names a valid facility (of category ``am_product`` or ``abs``
    where ``rules`` say so), known entities, a currency with an exchange rate, and, for
    collateral of a substituting kind, its issuer; underlyings of one facility sum to at most
    its exposure value (:func:`_look_through_sums`). As for the other tables, masks over the
    columns mark the rows that may be wrong, and only those are read row by row
    (:func:`_facility_row`), which words the problems."""
    if table is None or _missing_columns(table, kind.properties, problems):
        return []
    problems += table.problems
    parsed, refused = _parse_columns(table, kind.properties)
    count = len(table)
    facilities = refs.facilities
    allowed = ({i for i, f in facilities.items() if f.category in LOOKED_THROUGH}
               if rules.looked_through else facilities.keys())
    suspect = refused | ~np.fromiter(map(allowed.__contains__, parsed["facility"].values), bool,
                                     count)
    for column in rules.entity_columns:     # an empty cell is None, in no dict
        suspect |= ~parsed[column].empty & ~np.fromiter(
            map(refs.entities.__contains__, parsed[column].values), bool, count)
    if "currency" in parsed:
        suspect |= ~_priced(parsed["currency"].values, bank)
    substituting = _substituting(regime)
    if "issuer" in parsed and substituting:
        suspect |= parsed["issuer"].empty & np.fromiter(
            map(substituting.__contains__, parsed["kind"].values), bool, count)
    valid = ~suspect
    for at, row in table.rows(np.flatnonzero(suspect).tolist()):
        values = _facility_row(table, row, kind, rules, refs, bank, substituting, problems)
        if values is not None:
            _accept(parsed, at, values)
            valid[at] = True
    columns = {name: column.values for name, column in parsed.items()}
    rows = np.flatnonzero(valid).tolist()
    if rules.identity:
        same = [columns[c] for c in rules.identity]
        rows = _first_of_each(
            table, rows, [tuple(values[at] for values in same) for at in rows],
            rules.identity[-1],
            lambda at, first: "duplicate " + ", ".join(
                f"{c} {values[at]!r}" for c, values in zip(rules.identity, same, strict=True))
            + f", first given on {table.unit} {first}", problems)
    if rules.record is Underlying and bank is not None and regime is not None:
        problems += _look_through_sums(table, columns, rows, facilities, bank, regime)
    return _records(rules.record, table, columns, rows, kind.properties)


def _facility_row(table: ColumnTable, row: Row, kind: NodeKind, rules: _FacilityTableRules,
                  refs: _References, bank: Bank | None, substituting: frozenset[str],
                  problems: list[Problem]) -> dict[str, Any] | None:
    """The values of one row of a table of :data:`_FACILITY_TABLES`, or None when the row is
    not valid (each thing wrong adds a problem)."""
    values = _parse_row(table, row, kind.properties, problems)
    if values is None:
        return None
    ok = True
    facility_id = values["facility"]
    facility = refs.facility(table, row, facility_id, problems)
    if facility is None:
        ok = False
    elif rules.looked_through and facility.category not in LOOKED_THROUGH:
        problems.append(table.problem(
            row.line, "facility",
            f"facility {facility_id!r} is of category {facility.category!r}: expected a "
            f"facility of category {' or '.join(sorted(LOOKED_THROUGH))} (R15)"))
        ok = False
    for column in rules.entity_columns:
        party = values.get(column)
        if party is not None and refs.entity(table, row, column, party, problems) is None:
            ok = False
    if values.get("kind") in substituting and values.get("issuer") is None:
        problems.append(table.problem(
            row.line, "issuer",
            f"expected the issuer of the {values['kind']} (an entity id): collateral of this "
            f"kind moves the exposure onto its issuer (R16)"))
        ok = False
    ok = _check_currency(table, row, values.get("currency"), bank, problems) and ok
    return values if ok else None


def _look_through_sums(table: ColumnTable, columns: Mapping[str, list[Any]], rows: list[int],
                       facilities: Mapping[str, Facility], bank: Bank, regime: Regime
                       ) -> list[Problem]:
    """R15: the valid underlying ``rows`` of one facility sum, in base currency, to at most
    its exposure value (:func:`schema.measure.facility_arrays`), with a relative tolerance
    of :data:`LOOK_THROUGH_TOLERANCE`; one problem per facility above it, on the line of
    its last underlying. An amount is in the row's currency, else the facility's.

    For example, a CNY facility of outstanding 100 and undrawn 50 at ccf 0.5 is worth 125:
    underlyings of 100 and 25.001 are too much; of 100 and 25, or 100 and 25.0000001 (8e-10
    above it, relatively), are not.
    """
    if not rows:
        return []
    ids = [columns["facility"][at] for at in rows]
    held = list(dict.fromkeys(ids))
    number = dict(zip(held, range(len(held)), strict=True))
    owner = np.fromiter(map(number.__getitem__, ids), np.int64, len(rows))
    own = [facilities[f] for f in held]
    currencies = [c or own[n].currency for c, n in
                  zip([columns["currency"][at] for at in rows], owner.tolist(), strict=True)]
    rates = {c: bank.rate(c) for c in set(currencies)}
    amounts = np.fromiter((columns["amount"][at] for at in rows), np.float64, len(rows))
    converted = amounts * np.fromiter(map(rates.__getitem__, currencies), np.float64, len(rows))
    sums = np.bincount(owner, weights=converted, minlength=len(held))
    values = facility_arrays(own, regime, bank).value
    over = np.flatnonzero(sums > values * (1.0 + LOOK_THROUGH_TOLERANCE)).tolist()
    if not over:
        return []
    last = np.zeros(len(held), np.int64)
    np.maximum.at(last, owner, np.asarray(rows, np.int64))
    base = bank.base_currency
    return [table.problem(
        table.lines[int(last[n])], "amount",
        f"the underlyings of facility {held[n]!r} sum to {sums[n]:,.12g} {base}, more than its "
        f"exposure value {values[n]:,.12g} {base} (outstanding + ccf x undrawn): what is "
        f"looked through is at most the facility (R15)") for n in over]


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
