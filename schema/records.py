"""Typed, validated records: what loaders produce, stores keep and analysis reads.

The field names are the property names of ``model.toml`` (a test holds them together);
columns the model does not know are kept in ``extra``. ``origin`` says where a record was
read from (``relationships.csv:12``) so that evidence can point back to the input.
"""

from __future__ import annotations

import gc
import hashlib
import json
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, fields
from datetime import date
from functools import cache, cached_property
from operator import attrgetter
from types import MappingProxyType
from typing import Any, get_args, get_type_hints

# One shared, read-only empty mapping: most records have no extra columns, and a million
# empty dicts would cost tens of megabytes.
NO_EXTRA: Mapping[str, str] = MappingProxyType({})

__all__ = [
    "NO_EXTRA",
    "RECORD_CLASSES",
    "Bank",
    "Collateral",
    "Dataset",
    "DeclaredMember",
    "Entity",
    "Facility",
    "ProductParty",
    "Relationship",
    "Underlying",
    "collector_paused",
    "record_from_dict",
    "record_to_dict",
]


@dataclass(frozen=True, slots=True)
class Entity:
    """A party: a company or a person."""

    id: str
    name: str
    kind: str
    registration_id: str | None = None
    lei: str | None = None
    country: str | None = None
    region: str | None = None
    industry: str | None = None
    is_bank: bool = False
    is_gsib: bool = False
    net_assets: float | None = None
    total_assets: float | None = None
    revenue: float | None = None
    status: str = "active"
    legal_status: str | None = None
    registration_status: str | None = None
    source_standard: str | None = None
    record_id: str | None = None
    statement_date: date | None = None
    counterparty_class: str | None = None
    rating: str | None = None
    extra: Mapping[str, str] = field(default_factory=lambda: NO_EXTRA)
    origin: str | None = None


@dataclass(frozen=True, slots=True)
class Relationship:
    """One edge ``source -> target`` of a relationship kind (``type``)."""

    type: str
    source: str
    target: str
    share: float | None = None
    basis: str | None = None
    role: str | None = None
    relation: str | None = None
    amount: float | None = None
    currency: str | None = None
    facility: str | None = None
    # GUARANTEES: True or False as the row says; None (an empty cell) leaves it to the
    # guarantor's class (R16)
    eligible: bool | None = None
    valid_from: date | None = None
    valid_to: date | None = None
    source_ref: str | None = None
    share_min: float | None = None
    share_max: float | None = None
    quantifier: float | None = None
    quantifier_unit: str | None = None
    fund_relation: str | None = None
    interest_type: str | None = None
    interest_level: str | None = None
    source_standard: str | None = None
    record_id: str | None = None
    statement_date: date | None = None
    registration_status: str | None = None
    extra: Mapping[str, str] = field(default_factory=lambda: NO_EXTRA)
    origin: str | None = None

    def is_current(self, as_of: date) -> bool:
        """Whether the fact holds on ``as_of`` (both ends inclusive)."""
        if self.valid_from is not None and as_of < self.valid_from:
            return False
        return self.valid_to is None or as_of <= self.valid_to

    @property
    def identity(self) -> tuple[str, str, str, str, str]:
        """What makes two rows the same fact. Undirected kinds are stored with
        ``source <= target`` by the loader, so the pair order does not matter here."""
        return (
            self.type,
            self.source,
            self.target,
            self.facility or "",
            self.valid_from.isoformat() if self.valid_from else "",
        )


@dataclass(frozen=True, slots=True)
class Facility:
    """The bank's credit to one borrower."""

    id: str
    borrower: str
    outstanding: float
    undrawn: float = 0.0
    ccf: float | None = None
    product: str | None = None
    currency: str | None = None
    category: str = "loan"
    extra: Mapping[str, str] = field(default_factory=lambda: NO_EXTRA)
    origin: str | None = None


@dataclass(frozen=True, slots=True)
class Underlying:
    """One underlying asset of an ``am_product`` or ``abs`` facility (look-through, R15).
    ``obligor`` is None when the underlying is not known."""

    facility: str
    amount: float
    obligor: str | None = None
    currency: str | None = None
    extra: Mapping[str, str] = field(default_factory=lambda: NO_EXTRA)
    origin: str | None = None


@dataclass(frozen=True, slots=True)
class Collateral:
    """Collateral pledged for one facility (mitigation, R16). ``issuer`` owes it (a bond's
    issuer); collateral that substitutes names one."""

    facility: str
    kind: str
    value: float
    currency: str | None = None
    issuer: str | None = None
    extra: Mapping[str, str] = field(default_factory=lambda: NO_EXTRA)
    origin: str | None = None


@dataclass(frozen=True, slots=True)
class ProductParty:
    """A third party of a product (``manager``, ``originator``, ``liquidity_provider``): an
    additional risk factor of that party, not an exposure (R15)."""

    facility: str
    party: str
    role: str
    extra: Mapping[str, str] = field(default_factory=lambda: NO_EXTRA)
    origin: str | None = None


@dataclass(frozen=True, slots=True)
class DeclaredMember:
    """One member of a group the bank itself declared (groups.csv)."""

    group_id: str
    member: str
    group_name: str | None = None
    extra: Mapping[str, str] = field(default_factory=lambda: NO_EXTRA)
    origin: str | None = None


@dataclass(frozen=True, slots=True)
class Bank:
    """The reporting bank (bank.toml). Amounts are in base currency units."""

    name: str
    base_currency: str
    tier1_capital: float
    net_capital: float
    regime: str = "CN-2018"
    fx: Mapping[str, float] = field(default_factory=dict)
    is_gsib: bool = False

    def rate(self, currency: str | None) -> float:
        """Units of base currency per unit of ``currency`` (1 for the base currency)."""
        if currency is None or currency == self.base_currency:
            return 1.0
        return self.fx[currency]


@contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cycle collector paused inside (as a ``with`` block or, called, a decorator),
    and back as it was after.

    Records hold no reference cycles, and reference counting frees them; but building them
    by the million sets the collector off every few hundred objects, and each pass of its
    oldest generation walks every object alive: reading, analysing and assessing a large
    book spent up to 40% of their time there. Nested uses leave it to the outermost.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


RECORD_CLASSES: Mapping[str, type] = MappingProxyType({cls.__name__: cls for cls in (
    Entity, Relationship, Facility, DeclaredMember, Underlying, Collateral, ProductParty)})
"""Every record class by its name (as the stores name their tables)."""


def record_to_dict(record: Any) -> dict[str, Any]:
    """A JSON-ready dict of a record (dates as ISO text)."""
    data: dict[str, Any] = {}
    for f in fields(record):
        value = getattr(record, f.name)
        data[f.name] = value.isoformat() if isinstance(value, date) else value
    data["extra"] = dict(record.extra)
    return data


def record_from_dict(kind: str, data: Mapping[str, Any]) -> Any:
    """Inverse of :func:`record_to_dict` for the record class named ``kind``."""
    cls = RECORD_CLASSES[kind]
    values = dict(data)
    for f in fields(cls):
        if f.name in ("valid_from", "valid_to", "statement_date") and values.get(f.name):
            values[f.name] = date.fromisoformat(values[f.name])
    return cls(**values)


@dataclass(frozen=True)
class Dataset:
    """A whole validated dataset: the bank, its parties, their relationships, its facilities.

    Entities keep the order of the input; ``entities`` is keyed by id. The tables of the
    regulatory exposure model (DESIGN 3b) are optional: ``underlyings`` (look-through),
    ``collateral`` and ``product_parties``.
    """

    bank: Bank
    entities: Mapping[str, Entity]
    relationships: tuple[Relationship, ...]
    facilities: tuple[Facility, ...]
    declared_groups: tuple[DeclaredMember, ...] = ()
    underlyings: tuple[Underlying, ...] = ()
    collateral: tuple[Collateral, ...] = ()
    product_parties: tuple[ProductParty, ...] = ()

    def current_relationships(self, as_of: date, types: Iterable[str] | None = None
                              ) -> list[Relationship]:
        """Relationships that hold on ``as_of``, optionally only of some types."""
        wanted = None if types is None else set(types)
        return [
            r for r in self.relationships
            if (wanted is None or r.type in wanted) and r.is_current(as_of)
        ]

    def to_dict(self) -> dict[str, Any]:
        return {
            "bank": asdict(self.bank),
            "entities": [record_to_dict(e) for e in self.entities.values()],
            "relationships": [record_to_dict(r) for r in self.relationships],
            "facilities": [record_to_dict(f) for f in self.facilities],
            "declared_groups": [record_to_dict(g) for g in self.declared_groups],
            "underlyings": [record_to_dict(u) for u in self.underlyings],
            "collateral": [record_to_dict(c) for c in self.collateral],
            "product_parties": [record_to_dict(p) for p in self.product_parties],
        }

    @cached_property
    def version(self) -> str:
        """A content hash: the same data gives the same version, whatever store holds it.

        Origins (file and line) are left out, so the same facts in another file layout
        give the same version. Each section is hashed a field at a time: the JSON array of
        that field's values over the section's records, in order. (The fields and tables
        of DESIGN 3b changed every version once, in 2026-12. Until 2026-12 records
        were hashed one JSON object at a time: the same content, six times slower; a store
        loaded before says "changed" once on the next load of the same data.)
        """
        digest = hashlib.sha256()
        digest.update(json.dumps(asdict(self.bank), sort_keys=True, ensure_ascii=False).encode())
        sections = ((Entity, list(self.entities.values())), (Relationship, self.relationships),
                    (Facility, self.facilities), (DeclaredMember, self.declared_groups),
                    (Underlying, self.underlyings), (Collateral, self.collateral),
                    (ProductParty, self.product_parties))
        for number, (cls, records) in enumerate(sections):
            digest.update(f"\n#{number}\n".encode())
            for name, is_date in _hashed_fields(cls):
                values = list(map(attrgetter(name), records))
                if name == "extra":
                    values = [dict(v) if v else None for v in values]
                elif is_date:
                    values = [v.isoformat() if isinstance(v, date) else v for v in values]
                digest.update(f"\n#{number}.{name}\n".encode())
                digest.update(json.dumps(values, sort_keys=True, ensure_ascii=False).encode())
        return digest.hexdigest()[:16]


@cache
def _hashed_fields(cls: type) -> tuple[tuple[str, bool], ...]:
    """The fields of a record class that its version hashes, sorted, and whether each holds
    a date."""
    hints = get_type_hints(cls)
    return tuple((f.name, date in get_args(hints[f.name]) or hints[f.name] is date)
                 for f in sorted(fields(cls), key=attrgetter("name")) if f.name != "origin")
