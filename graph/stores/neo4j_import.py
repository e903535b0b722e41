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
@FOLDER/import.args`` with the server stopped (README, "Neo4j in bulk").

Types come from the records' own field types (``float | None`` is a ``double``), so a field
added to the model reaches the import with its type and nothing here to change.
"""

from __future__ import annotations

import csv
import json
import types
import typing
from collections.abc import Iterable, Sequence
from dataclasses import asdict, fields
from datetime import date
from pathlib import Path
from typing import Any

from graph.stores.base import StoreInfo
from schema.records import Dataset, DeclaredMember, Entity, Facility, Relationship

__all__ = ["ARGS_FILE", "META_LABEL", "write_import_files"]

ARGS_FILE = "import.args"
META_LABEL = "GroupgraphMeta"
_BOOKKEEPING = {"extra", "origin"}
_IMPORT_TYPES = {float: "double", bool: "boolean", date: "date", int: "long", str: ""}


def _field_types(cls: type) -> dict[str, str]:
    """Each field of the record class ``cls`` and its ``neo4j-admin`` type suffix."""
    hints = typing.get_type_hints(cls)
    found: dict[str, str] = {}
    for f in fields(cls):
        if f.name in _BOOKKEEPING:
            continue
        hint = hints[f.name]
        if isinstance(hint, types.UnionType):   # X | None
            hint = next(arg for arg in typing.get_args(hint) if arg is not type(None))
        found[f.name] = _IMPORT_TYPES[hint]
    return found


def _cell(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        return repr(value)
    return value


class _Table:
    """One CSV file of the import: its typed header and rows, written as they come."""

    def __init__(self, path: Path, header: Sequence[str]) -> None:
        self.path = path
        self._file = path.open("w", newline="", encoding="utf-8")
        self._writer = csv.writer(self._file)
        self._writer.writerow(header)

    def add(self, row: Iterable[Any]) -> None:
        self._writer.writerow([_cell(v) for v in row])

    def close(self) -> None:
        self._file.close()


def _typed(name: str, kind: str) -> str:
    return f"{name}:{kind}" if kind else name


def _record_columns(cls: type, skip: tuple[str, ...] = ()) -> tuple[list[str], list[str]]:
    """The record fields a file holds and their typed header cells, then the bookkeeping
    properties every node and relationship of the store carries."""
    names = [n for n in _field_types(cls) if n not in skip]
    kinds = _field_types(cls)
    header = [_typed(n, kinds[n]) for n in names]
    header += ["_extra", "_origin", "_seq:long", "_version"]
    return names, header


def _values(record: Any, names: list[str], seq: int, version: str) -> list[Any]:
    extra = json.dumps(dict(record.extra), ensure_ascii=False, sort_keys=True) if record.extra else None
    return [getattr(record, n) for n in names] + [extra, record.origin, seq, version]


def write_import_files(dataset: Dataset, folder: Path, *, uri: str, source: str = ""
                       ) -> StoreInfo:
    """Write the import files of ``dataset`` into ``folder`` (created if need be) and
    return what the store will hold once they are imported."""
    folder.mkdir(parents=True, exist_ok=True)
    version = dataset.version
    args: list[str] = []

    def table(name: str, header: Sequence[str], option: str, label: str) -> _Table:
        opened = _Table(folder / f"{name}.csv", header)
        args.append(f"--{option}={label}={opened.path}")
        return opened

    # id spaces: an entity and a facility may share an id
    entity_names, header = _record_columns(Entity, skip=("id",))
    entities = table("entities", ["id:ID(Entity)", *header], "nodes", "Entity")
    for seq, entity in enumerate(dataset.entities.values()):
        entities.add([entity.id, *_values(entity, entity_names, seq, version)])
    entities.close()

    facility_names, header = _record_columns(Facility, skip=("id",))
    facilities = table("facilities", ["id:ID(Facility)", *header], "nodes", "Facility")
    owed_by = table("owed_by", [":START_ID(Facility)", ":END_ID(Entity)", "_version"],
                    "relationships", "OWED_BY")
    for seq, facility in enumerate(dataset.facilities):
        facilities.add([facility.id, *_values(facility, facility_names, seq, version)])
        owed_by.add([facility.id, facility.borrower, version])
    facilities.close()
    owed_by.close()

    groups = table("declared_groups", ["group_id:ID(DeclaredGroup)", "_version"], "nodes",
                   "DeclaredGroup")
    member_names, header = _record_columns(DeclaredMember, skip=("group_id", "member"))
    members = table("has_member", [":START_ID(DeclaredGroup)", ":END_ID(Entity)", *header],
                    "relationships", "HAS_MEMBER")
    seen: set[str] = set()
    for seq, member in enumerate(dataset.declared_groups):
        if member.group_id not in seen:
            seen.add(member.group_id)
            groups.add([member.group_id, version])
        members.add([member.group_id, member.member,
                     *_values(member, member_names, seq, version)])
    groups.close()
    members.close()

    relationship_names, header = _record_columns(Relationship, skip=("type", "source", "target"))
    by_type: dict[str, _Table] = {}
    for seq, relationship in enumerate(dataset.relationships):
        out = by_type.get(relationship.type)
        if out is None:
            out = by_type[relationship.type] = table(
                relationship.type.lower(), [":START_ID(Entity)", ":END_ID(Entity)", *header],
                "relationships", relationship.type)
        out.add([relationship.source, relationship.target,
                 *_values(relationship, relationship_names, seq, version)])
    for out in by_type.values():
        out.close()

    info = StoreInfo.now(uri, dataset, source)
    meta = table("meta", ["name:ID(GroupgraphMeta)", "status", "version", "loaded_at", "source",
                          "counts", "bank"], "nodes", META_LABEL)
    meta.add(["dataset", "ready", version, info.loaded_at, source, json.dumps(info.counts),
              json.dumps(asdict(dataset.bank), ensure_ascii=False)])
    meta.close()

    # an empty cell is no property (as None is online), and every file has a header row
    args += ["--ignore-empty-strings=true", "--skip-bad-relationships=false",
             "--skip-duplicate-nodes=false"]
    (folder / ARGS_FILE).write_text("".join(f"{json.dumps(a)}\n" for a in args), encoding="utf-8")
    return info


def main(argv: Sequence[str] | None = None) -> None:
    """``python -m graph.stores.neo4j_import DATASET_FOLDER OUT_FOLDER [URI]``: validate a
    dataset folder and write its import files, for a server this machine does not run."""
    import sys

    from loaders.dataset import read_dataset

    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) not in (2, 3):
        raise SystemExit(main.__doc__)
    out = Path(args[1])
    write_import_files(read_dataset(Path(args[0])), out, uri=args[2] if len(args) == 3 else "",
                       source=args[0])
    print(f"wrote the import files and {out / ARGS_FILE}; with the server stopped run:\n"
          f"  neo4j-admin database import full neo4j --overwrite-destination=true @{out / ARGS_FILE}")


if __name__ == "__main__":
    main()
