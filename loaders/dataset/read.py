"""Read a dataset folder: each table read just before it is validated, every problem
collected before any is raised."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from loaders.dataset.bank import BANK_FILE, read_bank
from loaders.dataset.exposure_tables import FACILITY_TABLES, validate_facility_table
from loaders.dataset.nodes import validate_declared_groups, validate_entities, validate_facilities
from loaders.dataset.relationships import share_sum_problems, validate_relationships
from loaders.dataset.rows import References
from loaders.tables import ColumnTable, find_table, read_columns
from schema.errors import InvalidDataset, Problem
from schema.model import load_model
from schema.records import (
    Dataset,
    collector_paused,
)
from schema.regime import load_regime

__all__ = ["Progress", "read_dataset"]

Progress = Callable[[str], None]


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
    entities, entity_ids = validate_entities(table, model.nodes["Entity"], regime, problems)
    refs = References(entities, entity_ids)
    del table
    table = read("facilities")
    say("validating facilities")
    refs.facilities, refs.facilities_present = validate_facilities(
        table, model.nodes["Facility"], refs, bank, problems)
    del table
    table = read("relationships")
    say("validating relationships")
    relationships = validate_relationships(table, model, refs, bank, problems)
    del table
    table = read("groups")
    declared = validate_declared_groups(table, model.nodes["DeclaredGroup"], refs, problems)
    del table
    tables: dict[str, list[Any]] = {}
    for rules in FACILITY_TABLES:
        kind = model.nodes[rules.kind]
        table = read(kind.file)
        if table is not None:
            say(f"validating {kind.file}")
        tables[kind.file] = validate_facility_table(table, kind, rules, refs, bank, regime, problems)
        del table
    problems += share_sum_problems(relationships, entities, as_of)
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
