"""The tables of the exposure model (DESIGN 3b) that hang off facilities:
``underlyings``, ``collateral`` and ``product_parties``."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

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
from loaders.tables import ColumnTable, Row
from schema.errors import Problem
from schema.measure import LOOKED_THROUGH, facility_arrays
from schema.model import NodeKind
from schema.records import (
    Bank,
    Collateral,
    Facility,
    ProductParty,
    Underlying,
)
from schema.regime import Regime

__all__ = ["FACILITY_TABLES", "LOOK_THROUGH_TOLERANCE", "FacilityTableRules", "validate_facility_table"]

LOOK_THROUGH_TOLERANCE = 1e-9


@dataclass(frozen=True)
class FacilityTableRules:
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


FACILITY_TABLES = (
    FacilityTableRules("Underlying", Underlying, ("obligor",), True),
    FacilityTableRules("Collateral", Collateral, ("issuer",), False),
    FacilityTableRules("ProductParty", ProductParty, ("party",), True,
                        ("facility", "party", "role")),
)


def _substituting(regime: Regime | None) -> frozenset[str]:
    """The collateral kinds that move the exposure onto their issuer (R16)."""
    return frozenset(() if regime is None else regime.mitigation.get("substituting_collateral", ()))


def validate_facility_table(table: ColumnTable | None, kind: NodeKind, rules: FacilityTableRules,
                    refs: References, bank: Bank | None, regime: Regime | None,
                    problems: list[Problem]) -> list[Any]:
    """The valid rows of ``underlyings``, ``collateral`` or ``product_parties`` as records
    (DESIGN 3b). Each row names a valid facility (of category ``am_product`` or ``abs``
    where ``rules`` say so), known entities, a currency with an exchange rate, and, for
    collateral of a substituting kind, its issuer; underlyings of one facility sum to at most
    its exposure value (:func:`_look_through_sums`). As for the other tables, masks over the
    columns mark the rows that may be wrong, and only those are read row by row
    (:func:`_facility_row`), which words the problems."""
    if table is None or missing_columns(table, kind.properties, problems):
        return []
    problems += table.problems
    parsed, refused = parse_columns(table, kind.properties)
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
        suspect |= ~priced(parsed["currency"].values, bank)
    substituting = _substituting(regime)
    if "issuer" in parsed and substituting:
        suspect |= parsed["issuer"].empty & np.fromiter(
            map(substituting.__contains__, parsed["kind"].values), bool, count)
    valid = ~suspect
    for at, row in table.rows(np.flatnonzero(suspect).tolist()):
        values = _facility_row(table, row, kind, rules, refs, bank, substituting, problems)
        if values is not None:
            accept(parsed, at, values)
            valid[at] = True
    columns = {name: column.values for name, column in parsed.items()}
    rows = np.flatnonzero(valid).tolist()
    if rules.identity:
        same = [columns[c] for c in rules.identity]
        rows = first_of_each(
            table, rows, [tuple(values[at] for values in same) for at in rows],
            rules.identity[-1],
            lambda at, first: "duplicate " + ", ".join(
                f"{c} {values[at]!r}" for c, values in zip(rules.identity, same, strict=True))
            + f", first given on {table.unit} {first}", problems)
    if rules.record is Underlying and bank is not None and regime is not None:
        problems += _look_through_sums(table, columns, rows, facilities, bank, regime)
    return records_of(rules.record, table, columns, rows, kind.properties)


def _facility_row(table: ColumnTable, row: Row, kind: NodeKind, rules: FacilityTableRules,
                  refs: References, bank: Bank | None, substituting: frozenset[str],
                  problems: list[Problem]) -> dict[str, Any] | None:
    """The values of one row of a table of :data:`FACILITY_TABLES`, or None when the row is
    not valid (each thing wrong adds a problem)."""
    values = parse_row(table, row, kind.properties, problems)
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
    ok = check_currency(table, row, values.get("currency"), bank, problems) and ok
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
