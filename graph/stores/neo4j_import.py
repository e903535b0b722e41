"""Files for ``neo4j-admin database import full``: a first load into an empty database.

``neo4j-admin`` writes a database's store files directly, with the server stopped, at
hundreds of thousands of relationships a second; no transaction, no lookup per edge. It
reads CSV files whose header names each column's property and type
(``net_assets:double``), each node's id in an id space (``id:ID(Entity)``) and each
relationship's ends (``:START_ID(Entity)``). :func:`write_import_files` writes them from a
dataset, one file per label and per relationship type, holding exactly the properties
:class:`graph.stores.neo4j.Neo4jStore` writes online, plus the store's metadata node, so that
the database it makes is the one an online load makes: ``read`` gives the same dataset back.

It also writes ``import.args``: the command's arguments, one per line (``neo4j-admin``
reads ``@import.args``). ``scripts/neo4j/neo4j.sh import FOLDER`` stops the local server,
runs the import and starts the server again; for a remote server, copy the folder there
and run ``neo4j-admin database import full neo4j --overwrite-destination=true
@FOLDER/import.args`` with the server stopped (``groupgraph neo4j-import-files`` writes the
folder; README, "Neo4j in bulk").

The rows of the tables of DESIGN 3b (underlyings, collateral, product parties) are nodes
of their own, one per row, each linked to the facility and entities it names
(:func:`row_kinds`, :mod:`graph.stores.neo4j` says why): their file has an id column of its
own id space, the row's input order, which is not stored, and each reference a file of
edges, rows without that reference left out.

Types come from the records' own field types (``float | None`` is a ``double``), so a field
added to the model reaches the import with its type and nothing here to change. Each file is
written a column at a time through Arrow's CSV writer (a million parties' files in seconds;
Python's csv module took over a minute): numbers in their shortest exact form, dates as ISO
text, a missing value as an empty cell.
"""

from __future__ import annotations

import json
import types
import typing
from collections.abc import Sequence
from dataclasses import asdict, dataclass, fields
from datetime import date
from functools import cache
from operator import attrgetter
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.csv as pa_csv

from graph.stores.base import StoreInfo
from schema.model import load_model
from schema.records import RECORD_CLASSES, Dataset, DeclaredMember, Entity, Facility, Relationship

__all__ = ["ARGS_FILE", "BOOKKEEPING", "META_LABEL", "RowKind", "row_kinds", "write_import_files"]

ARGS_FILE = "import.args"
META_LABEL = "GroupgraphMeta"
# record fields kept as the store's own properties (_extra, _origin), not as themselves
BOOKKEEPING = ("extra", "origin")
# the label of the node a reference property's type names
_REFERENCED = {"entity_ref": "Entity", "facility_ref": "Facility"}
_IMPORT_TYPES = {float: "double", bool: "boolean", date: "date", int: "long", str: ""}
_ARROW_TYPES = {"double": pa.float64(), "boolean": pa.bool_(), "date": pa.date32(),
                "long": pa.int64(), "": pa.string()}


@dataclass(frozen=True)
class RowKind:
    """A node kind stored as one node per row of its table: ``label`` (also the record
    class's name), ``table`` (the dataset's attribute and the file of the model), and each
    reference ``(property, relationship type, label referred to)``."""

    label: str
    table: str
    record: type
    key: str
    edges: tuple[tuple[str, str, str], ...]


@cache
def row_kinds() -> tuple[RowKind, ...]:
    """The model's node kinds keyed by a reference to another node: an underlying, a
    collateral or a product party is a row of its facility, many to a key, so each row is a
    node of its own, linked by the reference's ``edge`` to what it names.

    >>> [(k.label, k.table, k.edges[0]) for k in row_kinds()][0]
    ('Underlying', 'underlyings', ('facility', 'UNDERLIES', 'Facility'))
    """
    found = []
    for kind in load_model().nodes.values():
        if not kind.properties[kind.key].edge:
            continue   # a node per key value (Entity, Facility, DeclaredGroup)
        edges = tuple((spec.name, spec.edge, _REFERENCED[spec.type])
                      for spec in kind.properties.values() if spec.edge)
        found.append(RowKind(kind.label, kind.file, RECORD_CLASSES[kind.name], kind.key, edges))
    return tuple(found)


def _field_types(cls: type) -> dict[str, str]:
    """Each field of the record class ``cls`` and its ``neo4j-admin`` type suffix."""
    hints = typing.get_type_hints(cls)
    found: dict[str, str] = {}
    for f in fields(cls):
        if f.name in BOOKKEEPING:
            continue
        hint = hints[f.name]
        if isinstance(hint, types.UnionType):   # X | None
            hint = next(arg for arg in typing.get_args(hint) if arg is not type(None))
        found[f.name] = _IMPORT_TYPES[hint]
    return found


def _write(path: Path, columns: list[tuple[str, str, list[Any]]]) -> None:
    """Write ``(property, type, values)`` columns as one import file: the typed header
    (``net_assets:double``, ``:START_ID(Entity)``), then the rows."""
    header = [f"{name}:{kind}" if kind else name for name, kind, _ in columns]
    arrays = [pa.array(values, type=_ARROW_TYPES.get(kind, pa.string())) for _, kind, values in columns]
    with path.open("wb") as out:
        out.write((",".join(json.dumps(h) for h in header) + "\n").encode())
        table = pa.Table.from_arrays(arrays, names=[str(i) for i in range(len(arrays))])
        pa_csv.write_csv(table, out, pa_csv.WriteOptions(include_header=False))


def _record_columns(cls: type, records: Sequence[Any], version: str,
                    skip: tuple[str, ...] = ()) -> list[tuple[str, str, list[Any]]]:
    """The columns of ``records``: their fields but ``skip``, then the bookkeeping properties
    every node and relationship of the store carries (``_seq`` their input order)."""
    kinds = _field_types(cls)
    columns = [(name, kind, list(map(attrgetter(name), records)))
               for name, kind in kinds.items() if name not in skip]
    extras = [json.dumps(dict(e), ensure_ascii=False, sort_keys=True) if e else None
              for e in map(attrgetter("extra"), records)]
    return [*columns, ("_extra", "", extras), ("_origin", "", list(map(attrgetter("origin"), records))),
            ("_seq", "long", list(range(len(records)))), ("_version", "", [version] * len(records))]


def write_import_files(dataset: Dataset, folder: Path, *, uri: str, source: str = ""
                       ) -> StoreInfo:
    """Write the import files of ``dataset`` into ``folder`` (created if need be) and
    return what the store will hold once they are imported."""
    folder.mkdir(parents=True, exist_ok=True)
    version = dataset.version
    args: list[str] = []

    def table(name: str, option: str, label: str, columns: list[tuple[str, str, list[Any]]]) -> None:
        path = folder / f"{name}.csv"
        _write(path, columns)
        args.append(f"--{option}={label}={path}")

    # id spaces: an entity and a facility may share an id
    entities = list(dataset.entities.values())
    table("entities", "nodes", "Entity",
          [("id", "ID(Entity)", list(dataset.entities)),
           *_record_columns(Entity, entities, version, skip=("id",))])

    facilities = dataset.facilities
    table("facilities", "nodes", "Facility",
          [("id", "ID(Facility)", list(map(attrgetter("id"), facilities))),
           *_record_columns(Facility, facilities, version, skip=("id",))])
    table("owed_by", "relationships", "OWED_BY",
          [(":START_ID(Facility)", "", list(map(attrgetter("id"), facilities))),
           (":END_ID(Entity)", "", list(map(attrgetter("borrower"), facilities))),
           ("_version", "", [version] * len(facilities))])

    members = dataset.declared_groups
    groups = list(dict.fromkeys(map(attrgetter("group_id"), members)))
    table("declared_groups", "nodes", "DeclaredGroup",
          [("group_id", "ID(DeclaredGroup)", groups), ("_version", "", [version] * len(groups))])
    table("has_member", "relationships", "HAS_MEMBER",
          [(":START_ID(DeclaredGroup)", "", list(map(attrgetter("group_id"), members))),
           (":END_ID(Entity)", "", list(map(attrgetter("member"), members))),
           *_record_columns(DeclaredMember, members, version, skip=("group_id", "member"))])

    by_type: dict[str, list[int]] = {}
    for seq, rel_type in enumerate(map(attrgetter("type"), dataset.relationships)):
        by_type.setdefault(rel_type, []).append(seq)
    for rel_type, rows in by_type.items():
        picked = [dataset.relationships[i] for i in rows]
        columns = _record_columns(Relationship, picked, version, skip=("type", "source", "target"))
        columns = [(n, k, rows if n == "_seq" else v) for n, k, v in columns]  # the dataset's order
        table(rel_type.lower(), "relationships", rel_type,
              [(":START_ID(Entity)", "", list(map(attrgetter("source"), picked))),
               (":END_ID(Entity)", "", list(map(attrgetter("target"), picked))), *columns])

    for kind in row_kinds():
        rows = getattr(dataset, kind.table)
        ids = [str(seq) for seq in range(len(rows))]
        table(kind.table, "nodes", kind.label,
              [("", f"ID({kind.label})", ids), *_record_columns(kind.record, rows, version)])
        for name, edge, target in kind.edges:
            ends = [(i, ref) for i, ref in zip(ids, map(attrgetter(name), rows), strict=True)
                    if ref is not None]
            table(edge.lower(), "relationships", edge,
                  [(f":START_ID({kind.label})", "", [i for i, _ in ends]),
                   (f":END_ID({target})", "", [ref for _, ref in ends]),
                   ("_version", "", [version] * len(ends))])

    info = StoreInfo.now(uri, dataset, source)
    meta = {"status": "ready", "version": version, "loaded_at": info.loaded_at, "source": source,
            "counts": json.dumps(info.counts),
            "bank": json.dumps(asdict(dataset.bank), ensure_ascii=False)}
    table("meta", "nodes", META_LABEL,
          [("name", f"ID({META_LABEL})", ["dataset"]), *((k, "", [v]) for k, v in meta.items())])

    # an empty cell is no property (as None is online), and every file has a header row
    args += ["--ignore-empty-strings=true", "--skip-bad-relationships=false",
             "--skip-duplicate-nodes=false"]
    (folder / ARGS_FILE).write_text("".join(f"{json.dumps(a)}\n" for a in args), encoding="utf-8")
    return info
