"""What every table's validation shares: the valid rows others refer to, a row parsed
one by one, the columns parsed at once, and records made from the columns."""

from __future__ import annotations

import dataclasses
import sys
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from itertools import repeat
from typing import Any

import numpy as np

from loaders.columns import ParsedColumn, parse_column
from loaders.dataset.bank import BANK_FILE
from loaders.tables import ColumnTable, Row
from schema.errors import Problem
from schema.model import PropertySpec
from schema.records import (
    NO_EXTRA,
    Bank,
    Entity,
    Facility,
)
from schema.values import ValueRejected

__all__ = ["References", "absent", "accept", "check_currency", "first_of_each", "maker",
           "missing_columns", "parse_columns", "parse_row", "priced", "records_of"]

@dataclass
class References:
    """Valid records by id, and the ids that appear in a table at all."""

    entities: dict[str, Entity]
    entities_present: set[str] | None
    facilities: dict[str, Facility] = field(default_factory=dict)
    facilities_present: set[str] | None = None

    def entity(self, table: ColumnTable, row: Row, column: str, entity_id: str,
               problems: list[Problem]) -> Entity | None:
        """The entity ``entity_id``, or None (reporting it when it is not there at all)."""
        entity = self.entities.get(entity_id)
        if entity is None and absent(entity_id, self.entities_present):
            problems.append(table.problem(row.line, column, f"unknown entity id {entity_id!r}"))
        return entity

    def facility(self, table: ColumnTable, row: Row, facility_id: str, problems: list[Problem]
                 ) -> Facility | None:
        """The facility ``facility_id``, or None (reporting it when it is not there at all)."""
        facility = self.facilities.get(facility_id)
        if facility is None and absent(facility_id, self.facilities_present):
            problems.append(table.problem(row.line, "facility",
                                          f"unknown facility id {facility_id!r}"))
        return facility


def absent(key: str, present: set[str] | None) -> bool:
    return present is not None and key not in present


def parse_row(table: ColumnTable, row: Row, specs: dict[str, PropertySpec],
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


def missing_columns(table: ColumnTable, specs: dict[str, PropertySpec],
                     problems: list[Problem]) -> bool:
    missing = [s.name for s in specs.values() if s.required and s.name not in table.columns]
    for column in missing:
        problems.append(table.problem(1, column, "missing required column"))
    return bool(missing)


def parse_columns(table: ColumnTable, specs: dict[str, PropertySpec]
                   ) -> tuple[dict[str, ParsedColumn], np.ndarray]:
    """Each column of ``specs`` parsed, and the rows where a required value is missing or a
    parser refused a value: the rows :func:`parse_row` would refuse."""
    parsed = {name: parse_column(spec, table.column(name), table.blank(name))
              for name, spec in specs.items()}
    refused = np.zeros(len(table), bool)
    for name, spec in specs.items():
        refused |= parsed[name].rejected
        if spec.required:
            refused |= parsed[name].empty
    return parsed, refused


def accept(parsed: dict[str, ParsedColumn], at: int, values: dict[str, Any]) -> None:
    """Put the values the row-by-row validation gave row ``at`` into the parsed columns."""
    # A column the row's values leave out is empty in the row (a valid row leaves the columns
    # of other relationship types empty): it keeps the default its parse gave, which is the
    # record's default (a test holds them together), as a record made without it would.
    for name, column in parsed.items():
        column.values[at] = values.get(name, column.values[at] if column.empty[at] else None)


def first_of_each(table: ColumnTable, rows: list[int], keys: list[Any], column: str | None,
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


def records_of(cls: type, table: ColumnTable, columns: Mapping[str, list[Any]], rows: list[int],
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
    return list(map(maker(cls), *fields))


@cache
def maker(cls: type) -> Callable[..., Any]:
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


def priced(currencies: list[str | None], bank: Bank | None) -> np.ndarray:
    """Which rows have no currency, the base currency or one with an exchange rate."""
    unknown = set() if bank is None else set(currencies) - {None, bank.base_currency, *bank.fx}
    if not unknown:
        return np.ones(len(currencies), bool)
    return np.fromiter((c not in unknown for c in currencies), bool, len(currencies))


def check_currency(table: ColumnTable, row: Row, currency: str | None, bank: Bank | None,
                    problems: list[Problem]) -> bool:
    if currency is None or bank is None or currency == bank.base_currency or currency in bank.fx:
        return True
    problems.append(table.problem(
        row.line, "currency",
        f"no exchange rate for {currency}: add it under [fx] in {BANK_FILE} "
        f"(units of {bank.base_currency} per unit of {currency})"))
    return False
