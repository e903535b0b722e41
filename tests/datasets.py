"""Small hand-written datasets for tests: as records, or written out as a dataset folder."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping
from pathlib import Path

from schema.records import Bank, Dataset, Entity, Facility, Relationship

BANK = Bank("Test Bank", "CNY", tier1_capital=1000.0, net_capital=1200.0, regime="CN-2018",
            fx={"USD": 7.0})

BANK_TOML = """name = "Test Bank"
base_currency = "CNY"
tier1_capital = 1000
net_capital = 1200
regime = "CN-2018"
[fx]
USD = 7.0
"""


def dataset(relationships: Iterable[Relationship], facilities: Iterable[Facility] = (),
            persons: Iterable[str] = (), bank: Bank = BANK, **entity_fields: dict) -> Dataset:
    """A dataset whose parties are every id the relationships and facilities name.

    Ids in ``persons`` (and ids starting with ``P``) are persons, the rest companies;
    ``entity_fields`` maps an id to extra Entity fields.
    """
    relationships = list(relationships)
    facilities = list(facilities)
    persons = set(persons)
    ids: dict[str, None] = {}
    for r in relationships:
        ids.setdefault(r.source)
        ids.setdefault(r.target)
    for f in facilities:
        ids.setdefault(f.borrower)
    ids.update(dict.fromkeys(entity_fields))
    entities = {
        i: Entity(i, f"name of {i}", "person" if i in persons or i.startswith("P") else "company",
                  **entity_fields.get(i, {}))
        for i in ids
    }
    return Dataset(BANK if bank is None else bank, entities, tuple(relationships),
                   tuple(facilities))


def write_table(path: Path, rows: list[Mapping[str, object]], encoding: str = "utf-8") -> None:
    columns: dict[str, None] = {}
    for row in rows:
        columns.update(dict.fromkeys(row))
    with path.open("w", encoding=encoding, newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(columns))
        writer.writeheader()
        writer.writerows(rows)


def write_folder(folder: Path, entities: list[dict], relationships: list[dict],
                 facilities: list[dict], groups: list[dict] | None = None,
                 bank_toml: str = BANK_TOML) -> Path:
    """Write a dataset folder of CSV files; returns the folder."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "bank.toml").write_text(bank_toml, encoding="utf-8")
    write_table(folder / "entities.csv", entities)
    write_table(folder / "relationships.csv", relationships)
    write_table(folder / "facilities.csv", facilities)
    if groups is not None:
        write_table(folder / "groups.csv", groups)
    return folder
