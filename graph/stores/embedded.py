"""The embedded store: one SQLite file, no server.

The file holds the dataset version and load metadata in a ``meta`` table and each table of
records as columns: chunks of Arrow IPC, zstd compressed, in input order, one SQLite blob
each (:mod:`graph.stores.columns`). Writing and reading them are bulk conversions, where the
first format (``groupgraph-embedded-1``) held one JSON text per record. For 100k parties
(``scripts/bench/store.py 100000``) the file is 10 MB rather than 212 MB, and reading it
takes 1.0 s of CPU rather than 6.2 s.

Why Arrow blobs inside SQLite rather than Parquet files beside it: the dataset stays one
file, so ``replace`` can still write a complete new file beside the old one and rename it
over the old one (atomic on POSIX): a failed or killed load leaves the previous dataset
whole and a reader never sees half a dataset, which a set of files could only give with a
directory swap and a pointer to it. SQLite keeps the metadata that ``info`` reads without
touching the records. Arrow IPC rather than Parquet inside it: it is Arrow's own memory
layout, so reading it is decompression alone, where Parquet decodes its pages; for 100k
parties Parquet would be a fifth smaller (8 MB) but about four times slower to decode.

A store file of the first format is still read (the same dataset, more slowly), and the next
load of any dataset into it writes the columnar format, even a load of the dataset it
already holds. So is a file of this format written before the fields and tables of DESIGN
3b (``counterparty_class``, ``rating``, ``category``; underlyings, collateral, product
parties): a chunk without a field's column gives that field its default, a table without
chunks is empty (:func:`graph.stores.columns.decode_chunk`). Its dataset keeps the version
the file records, which ``info`` reports, so a server's snapshot of it is not taken for
stale; the next load of the same data writes it again, as its hash changed with DESIGN 3b.

A load that is killed cannot remove its temporary file. The file's name says which host
and process wrote it (``.store.sqlite.HOST.PID.RANDOM.tmp``), and every load first removes
the files of this host whose process is gone. Files of other hosts (a store on a shared
disk) are left alone, as their processes cannot be asked after.
"""

from __future__ import annotations

import glob
import json
import os
import secrets
import socket
import sqlite3
from collections.abc import Iterable
from contextlib import closing
from dataclasses import asdict
from datetime import date
from pathlib import Path

import pyarrow as pa

from graph.stores import queries
from graph.stores.base import GraphStore, LoadSummary, StoreInfo
from graph.stores.columns import decode_chunk, encode_chunks
from graph.stores.endpoints import Endpoints
from graph.stores.queries import Path as GraphPath
from graph.stores.queries import Subgraph
from schema.errors import StoreEmpty, StoreUnavailable
from schema.records import Bank, Dataset, record_from_dict

__all__ = ["EmbeddedStore", "temporary_path"]

FORMAT = "groupgraph-embedded-2"
# the first format, one JSON text per record: still read, never written
_ROWS_FORMAT = "groupgraph-embedded-1"
# table name -> record class name, in load order
_TABLES = {
    "entities": "Entity",
    "relationships": "Relationship",
    "facilities": "Facility",
    "declared_groups": "DeclaredMember",
    "underlyings": "Underlying",
    "collateral": "Collateral",
    "product_parties": "ProductParty",
}


def temporary_path(store: Path) -> Path:
    """A new name for the file a load into ``store`` writes first: beside it, naming this
    host and process."""
    return store.with_name(
        f".{store.name}.{socket.gethostname()}.{os.getpid()}.{secrets.token_hex(4)}.tmp")


def _remove_leftovers(store: Path) -> None:
    """Remove the temporary files of loads into ``store`` by processes of this host that
    are no longer running."""
    prefix, host = f".{store.name}.", socket.gethostname()
    for leftover in store.parent.glob(f"{glob.escape(prefix)}*.tmp"):
        parts = leftover.name[len(prefix):-len(".tmp")].rsplit(".", 2)   # host, pid, random
        if (len(parts) == 3 and parts[0] == host and parts[1].isdigit()
                and not _running(int(parts[1]))):
            leftover.unlink(missing_ok=True)


def _running(pid: int) -> bool:
    """Whether process ``pid`` exists. A pid taken again by another process since counts as
    running: its leftover stays until that process ends too."""
    try:
        os.kill(pid, 0)   # signal 0 sends nothing, it only asks
    except ProcessLookupError:
        return False
    except PermissionError:   # another user's process
        return True
    return True


class EmbeddedStore(GraphStore):
    """A dataset kept in the SQLite file at ``path``."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.uri = f"embedded:{self.path}"
        self._cached: tuple[str, Dataset] | None = None
        self._indexes: dict[tuple[frozenset[str] | None, date | None], queries.Adjacency] = {}
        self._endpoints: Endpoints | None = None

    def for_worker(self) -> EmbeddedStore:
        """This store itself: it opens a SQLite connection per call, and the dataset it last
        read (a server's snapshot) stays shared with the forked worker, copy-on-write,
        rather than read again by each worker's first graph query."""
        return self

    def _dataset(self) -> Dataset:
        """The stored dataset for graph queries: the one :meth:`read` gave last (a server's
        snapshot was read so, and graph queries share its memory), unless the store has
        changed since."""
        info = self.info()
        if info is None or self._cached is None or self._cached[0] != info.version:
            self.read()
        assert self._cached is not None
        return self._cached[1]

    def _index(self, dataset: Dataset, types: Iterable[str] | None, as_of: date | None
               ) -> queries.Adjacency:
        """The adjacency index the graph queries walk, built once per types and date."""
        wanted = None if types is None else frozenset(types)
        index = self._indexes.get((wanted, as_of))
        if index is None:
            if len(self._indexes) >= 4:   # a server asks with one date: all types, and OWNS
                self._indexes.clear()
            index = self._indexes[wanted, as_of] = self._adjacency(dataset, wanted, as_of)
        return index

    def _adjacency(self, dataset: Dataset, types: frozenset[str] | None, as_of: date | None
                   ) -> queries.Adjacency:
        """:func:`graph.stores.queries.adjacency`, from the relationships' columns, which
        are read out of the records once per dataset; from the records themselves where a
        relationship holds a value the columns cannot."""
        endpoints = self._endpoints
        if endpoints is None or endpoints.relationships is not dataset.relationships:
            if not Endpoints.usable(dataset.relationships):
                return queries.adjacency(dataset, types, as_of)
            endpoints = self._endpoints = Endpoints(dataset.relationships)
        return endpoints.adjacency(types, as_of or date.today())

    def neighbourhood(self, entity_id: str, hops: int = 1, *, types: Iterable[str] | None = None,
                      as_of: date | None = None) -> Subgraph:
        dataset = self._dataset()
        return queries.neighbourhood(dataset, entity_id, hops, types=types, as_of=as_of,
                                     index=self._index(dataset, types, as_of))

    def ownership_chains(self, entity_id: str, direction: str = "up", max_hops: int = 4, *,
                         as_of: date | None = None) -> list[GraphPath]:
        dataset = self._dataset()
        return queries.ownership_chains(dataset, entity_id, direction, max_hops, as_of=as_of,
                                        index=self._index(dataset, queries.OWNERSHIP, as_of))

    def paths(self, from_id: str, to_id: str, max_hops: int = 4, *,
              types: Iterable[str] | None = None, as_of: date | None = None) -> list[GraphPath]:
        dataset = self._dataset()
        return queries.paths(dataset, from_id, to_id, max_hops, types=types, as_of=as_of,
                             index=self._index(dataset, types, as_of))

    def _connect(self, path: Path) -> sqlite3.Connection:
        try:
            return sqlite3.connect(path)
        except sqlite3.Error as error:
            raise StoreUnavailable(f"{self.uri}: cannot open: {error}") from error

    def _meta(self) -> dict[str, str] | None:
        """The ``meta`` table of the store file, or None when there is no file."""
        if not self.path.is_file():
            return None
        with closing(self._connect(self.path)) as db:
            try:
                meta = dict(db.execute("SELECT key, value FROM meta"))
            except sqlite3.DatabaseError as error:
                raise StoreUnavailable(f"{self.uri}: not a groupgraph store: {error}") from error
        if meta.get("format") not in (FORMAT, _ROWS_FORMAT):
            raise StoreUnavailable(f"{self.uri}: not a groupgraph store of format {FORMAT}")
        return meta

    def info(self) -> StoreInfo | None:
        meta = self._meta()
        if meta is None:
            return None
        return StoreInfo(self.uri, meta["version"], meta["loaded_at"], meta["source"],
                         json.loads(meta["counts"]))

    def read(self) -> Dataset:
        if self.info() is None:
            raise StoreEmpty(f"{self.uri}: nothing loaded yet; run 'groupgraph load DIR' first")
        with closing(self._connect(self.path)) as db:
            meta = dict(db.execute("SELECT key, value FROM meta"))
            try:
                sections = (_read_columns(db) if meta["format"] == FORMAT else _read_rows(db))
            except (ValueError, KeyError, pa.ArrowException, sqlite3.DatabaseError) as error:
                raise StoreUnavailable(f"{self.uri}: unreadable store: {error}; load the "
                                       "dataset again with 'groupgraph load DIR'") from error
        entities = sections["entities"]
        dataset = Dataset(
            bank=Bank(**json.loads(meta["bank"])),
            entities=dict(zip([e.id for e in entities], entities, strict=True)),
            relationships=sections["relationships"],
            facilities=sections["facilities"],
            declared_groups=sections["declared_groups"],
            underlyings=sections["underlyings"],
            collateral=sections["collateral"],
            product_parties=sections["product_parties"],
        )
        # The version is the content hash of exactly these records, computed on load; the
        # round trip is exact, so hashing them again (seconds for a large book) would give it.
        dataset.__dict__["version"] = meta["version"]
        self._cached = (meta["version"], dataset)
        self._indexes = {}
        self._endpoints = None
        return dataset

    def replace(self, dataset: Dataset, *, source: str = "") -> LoadSummary:
        _remove_leftovers(self.path)
        version = dataset.version
        current = self._meta()
        if current is not None and current["version"] == version and current["format"] == FORMAT:
            return LoadSummary(self.info(), unchanged=True)
        info = StoreInfo.now(self.uri, dataset, source)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temp = temporary_path(self.path)
        os.close(os.open(temp, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
        try:
            with closing(self._connect(temp)) as db:
                _write(db, dataset, info)
            os.replace(temp, self.path)
        finally:
            temp.unlink(missing_ok=True)
        return LoadSummary(info, unchanged=False)


def _read_columns(db: sqlite3.Connection) -> dict[str, tuple]:
    """The records of each table of a store file of :data:`FORMAT`."""
    sections: dict[str, tuple] = {}
    canonical: dict[str, str] | None = None
    for table, kind in _TABLES.items():
        records: list = []
        for (blob,) in db.execute("SELECT data FROM chunks WHERE tbl = ? ORDER BY seq", (table,)):
            records += decode_chunk(kind, blob, canonical)
        sections[table] = tuple(records)
        if table == "entities":
            # later tables name entities: let them hold the entities' own id strings
            ids = [e.id for e in records]
            canonical = dict(zip(ids, ids, strict=True))
    return sections


def _read_rows(db: sqlite3.Connection) -> dict[str, tuple]:
    """The records of each table of a store file of the first format, one JSON text each.
    That format had none of the tables of DESIGN 3b (they are empty), and a record without
    one of its fields takes the field's default."""
    present = {name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    return {
        table: tuple(record_from_dict(kind, json.loads(data))
                     for (data,) in db.execute(f"SELECT data FROM {table} ORDER BY seq"))
        if table in present else ()
        for table, kind in _TABLES.items()
    }


def _write(db: sqlite3.Connection, dataset: Dataset, info: StoreInfo) -> None:
    db.execute("PRAGMA journal_mode = OFF")
    db.execute("PRAGMA synchronous = OFF")
    db.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
    db.execute("CREATE TABLE chunks (tbl TEXT NOT NULL, seq INTEGER NOT NULL, "
               "data BLOB NOT NULL, PRIMARY KEY (tbl, seq))")
    for table, kind in _TABLES.items():
        records = (list(dataset.entities.values()) if table == "entities"
                   else getattr(dataset, table))
        db.executemany("INSERT INTO chunks VALUES (?, ?, ?)",
                       ((table, seq, memoryview(blob))
                        for seq, blob in enumerate(encode_chunks(kind, records))))
    meta = {
        "format": FORMAT,
        "version": info.version,
        "loaded_at": info.loaded_at,
        "source": info.source,
        "counts": json.dumps(info.counts),
        "bank": json.dumps(asdict(dataset.bank), ensure_ascii=False),
    }
    db.executemany("INSERT INTO meta VALUES (?, ?)", meta.items())
    db.commit()
