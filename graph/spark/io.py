"""A dataset as Parquet: the tables the Spark engine reads (DESIGN section 6).

:func:`write_parquet` writes a :class:`~schema.records.Dataset` (as a store or a folder
gives it) as ``entities``, ``relationships``, ``facilities``, ``underlyings`` and
``collateral`` Parquet files in the contract's columns (DESIGN 2 and 3b), the ones the
rules read, plus ``bank.json`` (the bank's figures and regime). ``relationships``,
``facilities`` and ``collateral`` carry a ``row`` column, their input order, since
R15 and R16 read rows in input order; a bank's own Parquet tables without it are read in
file order (:func:`read_parquet` numbers them).

>>> import tempfile
>>> from schema.records import Bank, Dataset, Entity
>>> folder = Path(tempfile.mkdtemp())
>>> dataset = Dataset(Bank("B", "CNY", 1000.0, 1200.0), {"A": Entity("A", "A Ltd", "company")}, (), ())
>>> sorted(p.name for p in write_parquet(dataset, folder))[:3]
['bank.json', 'collateral.parquet', 'entities.parquet']
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pyarrow as pa
import pyarrow.parquet as pq

from schema.errors import GroupGraphError
from schema.records import Bank, Collateral, Dataset, Entity, Facility, Relationship, Underlying

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

__all__ = ["SCHEMAS", "MissingTable", "SparkDataset", "read_dataset", "read_parquet", "write_parquet"]

_S, _F, _B, _D, _I = pa.string(), pa.float64(), pa.bool_(), pa.date32(), pa.int64()

SCHEMAS: dict[str, pa.Schema] = {
    "entities": pa.schema(
        [
            ("id", _S),
            ("name", _S),
            ("kind", _S),
            ("country", _S),
            ("is_bank", _B),
            ("is_gsib", _B),
            ("counterparty_class", _S),
            ("rating", _S),
        ]
    ),
    "relationships": pa.schema(
        [
            ("row", _I),
            ("type", _S),
            ("source", _S),
            ("target", _S),
            ("share", _F),
            ("relation", _S),
            ("amount", _F),
            ("currency", _S),
            ("facility", _S),
            ("eligible", _B),
            ("valid_from", _D),
            ("valid_to", _D),
        ]
    ),
    "facilities": pa.schema(
        [
            ("row", _I),
            ("id", _S),
            ("borrower", _S),
            ("outstanding", _F),
            ("undrawn", _F),
            ("ccf", _F),
            ("product", _S),
            ("currency", _S),
            ("category", _S),
        ]
    ),
    "underlyings": pa.schema(
        [("row", _I), ("facility", _S), ("obligor", _S), ("amount", _F), ("currency", _S)]
    ),
    "collateral": pa.schema(
        [("row", _I), ("facility", _S), ("kind", _S), ("value", _F), ("currency", _S), ("issuer", _S)]
    ),
}
_CLASSES = {
    "entities": Entity,
    "relationships": Relationship,
    "facilities": Facility,
    "underlyings": Underlying,
    "collateral": Collateral,
}
_RECORDS = {
    "entities": lambda d: d.entities.values(),
    "relationships": lambda d: d.relationships,
    "facilities": lambda d: d.facilities,
    "underlyings": lambda d: d.underlyings,
    "collateral": lambda d: d.collateral,
}


class MissingTable(GroupGraphError, FileNotFoundError):
    """A Parquet folder lacks a table the rules need (entities, relationships, facilities)
    or ``bank.json``."""


def write_parquet(dataset: Dataset, folder: Path) -> list[Path]:
    """Write ``dataset``'s tables and ``bank.json`` into ``folder``; the paths written."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, schema in SCHEMAS.items():
        records = _RECORDS[name](dataset)
        columns = {f.name: [] for f in schema}
        for row, record in enumerate(records):
            for column, values in columns.items():
                values.append(row if column == "row" else getattr(record, column))
        path = folder / f"{name}.parquet"
        pq.write_table(pa.table(columns, schema=schema), path)
        written.append(path)
    bank = folder / "bank.json"
    bank.write_text(json.dumps(asdict(dataset.bank), ensure_ascii=False, indent=1), encoding="utf-8")
    return [*written, bank]


def read_dataset(folder: Path) -> Dataset:
    """The records of a Parquet folder (for the embedded engine), rows in ``row`` order."""
    bank = _bank(folder)
    tables = {}
    for name, schema in SCHEMAS.items():
        path = folder / f"{name}.parquet"
        if not path.exists():
            if name in ("underlyings", "collateral"):
                tables[name] = ()
                continue
            raise MissingTable(f"{folder}: no {name}.parquet")
        table = pq.read_table(path)
        if "row" in table.column_names:
            table = table.sort_by("row")
        wanted = [c for c in schema.names if c != "row" and c in table.column_names]
        tables[name] = tuple(
            _CLASSES[name](**{c: row[c] for c in wanted}) for row in table.select(wanted).to_pylist()
        )
    entities = {e.id: e for e in tables["entities"]}
    return Dataset(
        bank,
        entities,
        tables["relationships"],
        tables["facilities"],
        underlyings=tables["underlyings"],
        collateral=tables["collateral"],
    )


def _bank(folder: Path) -> Bank:
    bank_file = folder / "bank.json"
    if not bank_file.is_file():
        raise MissingTable(f"{folder}: no bank.json")
    return Bank(**json.loads(bank_file.read_text(encoding="utf-8")))


@dataclass(frozen=True)
class SparkDataset:
    """The tables of one dataset as DataFrames, and its bank."""

    bank: Bank
    entities: DataFrame
    relationships: DataFrame
    facilities: DataFrame
    underlyings: DataFrame
    collateral: DataFrame


def read_parquet(spark: SparkSession, folder: Path) -> SparkDataset:
    """The tables of ``folder`` (as :func:`write_parquet` writes them, or a bank's own in
    the same columns); optional tables (underlyings, collateral) may be missing."""
    from pyspark.sql import functions as F

    bank = _bank(folder)
    frames = {}
    for name, schema in SCHEMAS.items():
        path = folder / f"{name}.parquet"
        if not path.exists():
            if name in ("underlyings", "collateral"):
                frames[name] = spark.createDataFrame([], _spark_schema(schema))
                continue
            raise MissingTable(f"{folder}: no {name}.parquet")
        frame = spark.read.parquet(str(path))
        if "row" in schema.names and "row" not in frame.columns:
            frame = frame.withColumn("row", F.monotonically_increasing_id())
        for field in schema:
            if field.name not in frame.columns:
                frame = frame.withColumn(field.name, F.lit(None).cast(_spark_type(field.type)))
        frames[name] = frame.select(*schema.names)
    return SparkDataset(bank, **frames)


def _spark_type(arrow: pa.DataType) -> str:
    return {_S: "string", _F: "double", _B: "boolean", _D: "date", _I: "bigint"}[arrow]


def _spark_schema(schema: pa.Schema) -> str:
    return ", ".join(f"{f.name} {_spark_type(f.type)}" for f in schema)
