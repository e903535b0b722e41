"""The Neo4j store: a dataset in a Neo4j 5 database, through the official driver.

Labels and relationship types come from the model (``schema/model.toml``) and are the only
names ever written into a query; every value is a query parameter. Loads are batched
``UNWIND $rows ...`` in transactions of ``batch_size`` rows, retried by the driver on
transient errors. Every node and relationship carries the dataset version it was written
with (``_version``); after writing, whatever carries another version is deleted, so a new
dataset leaves no stale nodes or edges, and loading the same dataset twice leaves the
counts unchanged.

Nodes are MERGEd on their unique key (a constraint makes that an index lookup).
Relationships are CREATEd: MERGE would first look for an equal relationship among every
edge of both end nodes, and the version sweep already guarantees there is none of this
version, except when this very version is written again (a forced ``write``, or a load
that was killed half-way): then that version's relationships are deleted first. The
``loading`` property of the metadata node records the version being written, so a killed
load is recognised. A retried transaction is rolled back before it is retried, so CREATE
in it is safe too.

The rows of the tables of DESIGN 3b are nodes, one per row, labelled by their model kind
(``Underlying``, ``Collateral``, ``ProductParty``: :func:`graph.stores.neo4j_import.row_kinds`)
and holding the row's fields as properties, the references among them too, as a facility
holds its ``borrower``. Each reference is also an edge named by the model, from the row's
node to the node it names: ``(:Underlying)-[:UNDERLIES]->(:Facility)``,
``(:Underlying)-[:OBLIGOR_OF]->(:Entity)`` (none when the obligor is not known),
``(:Collateral)-[:SECURES]->(:Facility)``, ``(:Collateral)-[:ISSUED_BY]->(:Entity)``,
``(:ProductParty)-[:PARTY_TO]->(:Facility)``, ``(:ProductParty)-[:ROLE_IN]->(:Entity)``.
Nodes rather than lists of properties on the facility: a Cypher user then walks from a
party to the products that look through to it or the bonds it issued as collateral
(``MATCH (e:Entity {id: $id})<-[:OBLIGOR_OF]-(u)-[:UNDERLIES]->(f)``), which lists on a
facility could only give by matching text. A row has no key of its own (a facility has many
underlyings), so it is CREATEd like a relationship and its label has indexes on the
facility and on ``_seq`` (what :meth:`Neo4jStore.read` pages by), not a uniqueness
constraint; the version sweep removes the rows of other versions with their edges.

A first load into an empty database goes faster still through ``neo4j-admin database
import``: see :mod:`graph.stores.neo4j_import` and :meth:`Neo4jStore.bulk_import`.

A load too large for one transaction is not atomic for a reader in the middle of it. The
store says so instead of answering: a ``GroupgraphMeta`` node holds the status, ``loading``
until the last write, and :meth:`Neo4jStore.read` refuses a store that is not ``ready``.
"""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import MISSING, asdict, fields
from datetime import date
from operator import itemgetter
from pathlib import Path
from typing import Any, LiteralString, cast
from urllib.parse import urlsplit

import neo4j
from neo4j import GraphDatabase, NotificationMinimumSeverity, RoutingControl
from neo4j.exceptions import AuthError, ServiceUnavailable, SessionExpired, TransientError

from graph.stores.base import GraphStore, LoadSummary, StoreInfo
from graph.stores.columns import construct
from graph.stores.neo4j_import import (
    BOOKKEEPING,
    META_LABEL,
    RowKind,
    row_kinds,
    write_import_files,
)
from graph.stores.queries import Path as GraphPath
from graph.stores.queries import Subgraph, check_hops, sort_paths
from schema.errors import StoreEmpty, StoreError, StoreUnavailable
from schema.model import load_model
from schema.records import (
    NO_EXTRA,
    Bank,
    Dataset,
    DeclaredMember,
    Entity,
    Facility,
    Relationship,
    record_from_dict,
)

__all__ = ["Neo4jStore", "local_server_script"]

# 10,000 rows a transaction: at 5,000 the round trips showed; at 20,000 the heap of a
# 1 GiB server began to tell (scripts/bench/neo4j_load.py)
DEFAULT_BATCH_SIZE = 10_000
_DATE_FIELDS = frozenset({"valid_from", "valid_to", "statement_date"})


def _allowed_type(rel_type: str) -> str:
    """A relationship type, only if the model allows it: the one gate for names in Cypher."""
    if rel_type not in load_model().graph_relationship_types:
        raise StoreError(f"relationship type {rel_type!r} is not in the model")
    return rel_type


def _allowed_label(label: str) -> str:
    if label not in load_model().labels | {META_LABEL}:
        raise StoreError(f"label {label!r} is not in the model")
    return label


def _q(text: str) -> LiteralString:
    """Mark a query assembled only from allow-listed names as safe for the driver."""
    return cast(LiteralString, text)


def _properties(record: Any, seq: int, version: str, skip: tuple[str, ...] = ()
                ) -> dict[str, Any]:
    """A record as Neo4j properties: typed fields as they are (dates as dates), ``extra`` as
    JSON text, plus the input order and the dataset version."""
    props: dict[str, Any] = {
        name: getattr(record, name)
        for name in record.__dataclass_fields__
        if name not in BOOKKEEPING and name not in skip and getattr(record, name) is not None
    }
    if record.extra:
        props["_extra"] = json.dumps(dict(record.extra), ensure_ascii=False, sort_keys=True)
    if record.origin is not None:
        props["_origin"] = record.origin
    props["_seq"] = seq
    props["_version"] = version
    return props


def _name(name: str) -> str:
    """A property name for a query: only field names of our record classes reach one."""
    if not name.isidentifier():
        raise StoreError(f"field {name!r} cannot be a property name")
    return name


def _record(kind: str, props: dict[str, Any], **more: Any) -> Any:
    """Inverse of :func:`_properties`."""
    values = {k: v for k, v in props.items() if not k.startswith("_")}
    values.update(more)
    for key, value in values.items():
        if isinstance(value, neo4j.time.Date):
            values[key] = value.iso_format()
    values["extra"] = json.loads(props.get("_extra", "{}"))
    values["origin"] = props.get("_origin")
    return record_from_dict(kind, values)


def _projection(cls: type, var: str, given: dict[str, str] | None = None) -> str:
    """A Cypher list of the properties of ``var`` that make a record of ``cls``, in field
    order, then its input order (``_seq``); ``given`` names expressions for fields read
    apart (a relationship's type and ends). Only field names of our record classes reach
    the query."""
    given = given or {}
    items = []
    for f in fields(cls):
        name = _name({"extra": "_extra", "origin": "_origin"}.get(f.name, f.name))
        items.append(given.get(f.name, f"{var}.{name}"))
    return "[" + ", ".join([*items, f"{var}._seq"]) + "]"


def _records(cls: type, rows: list[list[Any]]) -> list[Any]:
    """Records of ``cls`` from rows of :func:`_projection`, in input order: the inverse of
    :func:`_properties`, a field at a time. A field a record had as None is no property,
    which reads as None: it takes the field's default."""
    rows.sort(key=itemgetter(-1))
    width = len(fields(cls)) + 1
    columns = [list(c) for c in zip(*rows, strict=True)] if rows else [[] for _ in range(width)]
    for k, f in enumerate(fields(cls)):
        column = columns[k]
        if f.name == "extra":
            columns[k] = [NO_EXTRA if text is None else json.loads(text) for text in column]
        elif f.name in _DATE_FIELDS:
            columns[k] = [v.to_native() if isinstance(v, neo4j.time.Date) else v for v in column]
        elif f.default is not MISSING and f.default is not None:
            columns[k] = [f.default if v is None else v for v in column]
    return construct(cls, columns[:-1], len(rows))


def _batches(rows: list[dict[str, Any]], size: int) -> Iterator[list[dict[str, Any]]]:
    for start in range(0, len(rows), size):
        yield rows[start:start + size]


def local_server_script(uri: str) -> Path:
    """``scripts/neo4j/neo4j.sh`` when the server at ``uri`` is the one it runs here
    (its state dir, ``GROUPGRAPH_NEO4J_STATE``, records the same Bolt port on loopback);
    else StoreError saying how to import into another server."""
    script = Path(__file__).resolve().parents[2] / "scripts" / "neo4j" / "neo4j.sh"
    state = Path(os.environ.get("GROUPGRAPH_NEO4J_STATE", "/tmp/groupgraph-neo4j"))
    address = urlsplit(uri)
    port_file = state / "port"
    recorded = port_file.read_text().strip() if port_file.is_file() else ""
    if (script.is_file() and address.hostname in ("127.0.0.1", "localhost")
            and recorded == str(address.port)):
        return script
    raise StoreError(f"{uri}: --bulk-import works on the server scripts/neo4j/neo4j.sh runs on "
                     f"this machine (state in {state}); for another server write the import "
                     "files and run neo4j-admin there (README, \"Neo4j in bulk\")")


_PAGE = 10_000

_CURRENT = ("(r.valid_from IS NULL OR r.valid_from <= $as_of) AND "
            "(r.valid_to IS NULL OR $as_of <= r.valid_to)")


class Neo4jStore(GraphStore):
    """A dataset in the Neo4j database at ``uri``.

    Parameters
    ----------
    uri : ``bolt://host:port`` or ``neo4j://host:port``
    user, password : credentials (default ``NEO4J_USER``/``NEO4J_PASSWORD``, user ``neo4j``)
    database : the database name (default: the server's default database)
    batch_size : rows per write transaction
    """

    def __init__(self, uri: str, user: str | None = None, password: str | None = None, *,
                 database: str | None = None, batch_size: int = DEFAULT_BATCH_SIZE) -> None:
        self.uri = uri
        self.database = database or os.environ.get("NEO4J_DATABASE") or None
        self.batch_size = batch_size
        user = user or os.environ.get("NEO4J_USER", "neo4j")
        password = password if password is not None else os.environ.get("NEO4J_PASSWORD", "")
        self._user, self._password = user, password
        self.driver = self._connect()
        self._constraints_done = False

    def _connect(self) -> neo4j.Driver:
        try:
            driver = GraphDatabase.driver(
                self.uri, auth=(self._user, self._password),
                notifications_min_severity=NotificationMinimumSeverity.OFF)
            driver.verify_connectivity()
        except AuthError as error:
            raise StoreUnavailable(f"{self.uri}: Neo4j refused the credentials of user "
                                   f"{self._user!r} (set NEO4J_USER and NEO4J_PASSWORD)") from error
        except (ServiceUnavailable, SessionExpired, OSError, ValueError) as error:
            raise StoreUnavailable(f"{self.uri}: cannot reach Neo4j: {error}") from error
        return driver

    def close(self) -> None:
        self.driver.close()

    def for_worker(self) -> Neo4jStore:
        """A new store of the same server, database and credentials: a driver's connections
        must not cross a fork."""
        return Neo4jStore(self.uri, self._user, self._password, database=self.database,
                          batch_size=self.batch_size)

    # -- plumbing -------------------------------------------------------------------------

    def _read(self, query: str, **params: Any) -> list[neo4j.Record]:
        try:
            records, _, _ = self.driver.execute_query(
                _q(query), params, database_=self.database, routing_=RoutingControl.READ)
        except ServiceUnavailable as error:
            raise StoreUnavailable(f"{self.uri}: Neo4j went away: {error}") from error
        return records

    def _write(self, query: str, **params: Any) -> None:
        try:
            self.driver.execute_query(_q(query), params, database_=self.database)
        except ServiceUnavailable as error:
            raise StoreUnavailable(f"{self.uri}: Neo4j went away: {error}") from error

    def _write_batches(self, query: str, rows: list[dict[str, Any]], *,
                       batch_size: int | None = None) -> None:
        """``UNWIND $rows`` in transactions of ``batch_size`` rows; the driver retries each
        transaction on transient errors, which is safe because a failed transaction is
        rolled back whole before it is retried."""
        def work(tx: neo4j.ManagedTransaction, batch: list[dict[str, Any]]) -> None:
            tx.run(_q(query), rows=batch).consume()

        with self.driver.session(database=self.database) as session:
            for batch in _batches(rows, batch_size or self.batch_size):
                session.execute_write(work, batch)

    def _auto_commit(self, query: str, attempts: int = 3, **params: Any) -> None:
        """Queries with ``CALL { } IN TRANSACTIONS`` must run outside a managed transaction,
        so the driver does not retry them; we do."""
        for attempt in range(attempts):
            try:
                with self.driver.session(database=self.database) as session:
                    session.run(_q(query), params).consume()
                return
            except TransientError:
                if attempt == attempts - 1:
                    raise
                time.sleep(0.5 * (attempt + 1))

    def ensure_constraints(self) -> None:
        """Uniqueness constraints on each node kind's key, from the model, and for a kind
        of one node per row indexes on its key and input order instead; idempotent."""
        if self._constraints_done:
            return
        rows = {kind.label for kind in row_kinds()}
        for kind in load_model().nodes.values():
            label = _allowed_label(kind.label)
            if label in rows:
                for name in (kind.key, "_seq"):
                    self._write(f"CREATE INDEX {label.lower()}_{name.strip('_')}_index IF NOT EXISTS "
                                f"FOR (n:{label}) ON (n.{name})")
                continue
            self._write(f"CREATE CONSTRAINT {label.lower()}_{kind.key} IF NOT EXISTS "
                        f"FOR (n:{label}) REQUIRE n.{kind.key} IS UNIQUE")
        self._write(f"CREATE CONSTRAINT groupgraph_meta IF NOT EXISTS "
                    f"FOR (n:{META_LABEL}) REQUIRE n.name IS UNIQUE")
        self._constraints_done = True

    # -- GraphStore -------------------------------------------------------------------------

    def _meta(self) -> dict[str, Any] | None:
        records = self._read(f"MATCH (m:{META_LABEL} {{name: 'dataset'}}) RETURN properties(m) AS m")
        return dict(records[0]["m"]) if records else None

    def info(self) -> StoreInfo | None:
        meta = self._meta()
        if meta is None or meta.get("status") != "ready":
            return None
        return StoreInfo(self.uri, meta["version"], meta["loaded_at"], meta.get("source", ""),
                         json.loads(meta["counts"]))

    def replace(self, dataset: Dataset, *, source: str = "",
                progress: Callable[[str], None] | None = None) -> LoadSummary:
        current = self.info()
        version = dataset.version
        if current is not None and current.version == version:
            return LoadSummary(current, unchanged=True)
        return LoadSummary(self.write(dataset, source=source, progress=progress), unchanged=False)

    def write(self, dataset: Dataset, *, source: str = "",
              progress: Callable[[str], None] | None = None) -> StoreInfo:
        """Write ``dataset`` whatever the store holds (``replace`` skips a dataset the store
        already has), then delete everything of other versions."""
        say = progress or (lambda _m: None)
        self.ensure_constraints()
        version = dataset.version
        meta = self._meta() or {}
        self._write(f"MERGE (m:{META_LABEL} {{name: 'dataset'}}) "
                    "SET m.status = 'loading', m.loading = $version", version=version)
        if version in (meta.get("version"), meta.get("loading")):
            say("removing the relationships an earlier write of this version left")
            self._auto_commit(
                "MATCH ()-[r]->() WHERE r._version = $version "
                "CALL (r) { DELETE r } IN TRANSACTIONS OF 10000 ROWS", version=version)
            for kind in row_kinds():   # CREATEd too
                self._auto_commit(
                    f"MATCH (n:{_allowed_label(kind.label)}) WHERE n._version = $version "
                    "CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS", version=version)

        say(f"writing {len(dataset.entities):,} entities")
        self._write_batches(
            "UNWIND $rows AS row MERGE (n:Entity {id: row.id}) SET n = row",
            [_properties(e, i, version) for i, e in enumerate(dataset.entities.values())])
        say(f"writing {len(dataset.facilities):,} facilities")
        self._write_batches(
            "UNWIND $rows AS row MERGE (f:Facility {id: row.id}) SET f = row "
            "WITH f, row MATCH (e:Entity {id: row.borrower}) "
            f"CREATE (f)-[:{_allowed_type('OWED_BY')} {{_version: row._version}}]->(e)",
            [_properties(f, i, version) for i, f in enumerate(dataset.facilities)])
        say("writing declared groups")
        self._write_batches(
            "UNWIND $rows AS row MERGE (g:DeclaredGroup {group_id: row.group_id}) "
            "SET g._version = row._version WITH g, row MATCH (e:Entity {id: row.member}) "
            f"CREATE (g)-[m:{_allowed_type('HAS_MEMBER')}]->(e) SET m = row.props",
            [{"group_id": g.group_id, "member": g.member, "_version": version,
              "props": _properties(g, i, version, skip=("group_id", "member"))}
             for i, g in enumerate(dataset.declared_groups)])
        say(f"writing {len(dataset.relationships):,} relationships")
        self.write_relationships(dataset.relationships, version)
        for kind in row_kinds():
            say(f"writing {len(getattr(dataset, kind.table)):,} {kind.table}")
            self._write_rows(kind, getattr(dataset, kind.table), version)

        say("removing what the previous dataset had and this one has not")
        self._auto_commit(
            "MATCH ()-[r]->() WHERE r._version <> $version "
            "CALL (r) { DELETE r } IN TRANSACTIONS OF 10000 ROWS", version=version)
        for label in sorted(load_model().labels):
            self._auto_commit(
                f"MATCH (n:{_allowed_label(label)}) WHERE n._version <> $version "
                "CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS", version=version)

        info = StoreInfo.now(self.uri, dataset, source)
        self._write(
            f"MATCH (m:{META_LABEL} {{name: 'dataset'}}) SET m.status = 'ready', "
            "m.loading = null, "
            "m.version = $version, m.loaded_at = $loaded_at, m.source = $source, "
            "m.counts = $counts, m.bank = $bank",
            version=version, loaded_at=info.loaded_at, source=source,
            counts=json.dumps(info.counts), bank=json.dumps(asdict(dataset.bank), ensure_ascii=False))
        return info

    def bulk_import(self, dataset: Dataset, *, source: str = "",
                    progress: Callable[[str], None] | None = None) -> StoreInfo:
        """A first load into an empty database through ``neo4j-admin database import``.

        Only for the server ``scripts/neo4j/neo4j.sh`` runs on this machine: the script
        stops it, imports and starts it again (for a remote server, see the README, "Neo4j
        in bulk"). Refuses a database that holds anything: the import replaces the whole
        database, and a load into a database in use goes through :meth:`replace`.
        """
        say = progress or (lambda _m: None)
        script = local_server_script(self.uri)
        if self._read("MATCH (n) RETURN n LIMIT 1"):
            raise StoreError(f"{self.uri}: the database is not empty; a bulk import replaces "
                             "the whole database, so it is only for a first load: load "
                             "without --bulk-import")
        with tempfile.TemporaryDirectory(prefix="groupgraph-import-") as folder:
            say("writing the import files")
            info = write_import_files(dataset, Path(folder), uri=self.uri, source=source)
            say("importing with neo4j-admin (the server restarts)")
            self.driver.close()
            done = subprocess.run([str(script), "import", folder], capture_output=True, text=True)
            self.driver = self._connect()
        if done.returncode != 0:
            raise StoreError(f"{self.uri}: neo4j-admin import failed: "
                             f"{done.stderr.strip().splitlines()[-1] if done.stderr.strip() else ''}")
        self._constraints_done = False
        self.ensure_constraints()
        return info

    def write_relationships(self, relationships: Iterable[Relationship], version: str, *,
                            batch_size: int | None = None) -> None:
        """CREATE relationships between stored entities, one query per type (from the
        allow-list), in transactions of ``batch_size`` rows (default: the store's). The
        store must hold none of this version yet (:meth:`write` sees to it).

        Rows go sorted by source, so that one transaction touches few nodes' edge chains
        and successive ones rarely the same."""
        by_type: dict[str, list[dict[str, Any]]] = {}
        for i, r in enumerate(relationships):
            by_type.setdefault(r.type, []).append({
                "source": r.source, "target": r.target,
                "props": _properties(r, i, version, skip=("type", "source", "target")),
            })
        for rel_type, rows in sorted(by_type.items()):
            rows.sort(key=lambda row: row["source"])
            self._write_batches(
                "UNWIND $rows AS row MATCH (s:Entity {id: row.source}) "
                "MATCH (t:Entity {id: row.target}) "
                f"CREATE (s)-[r:{_allowed_type(rel_type)}]->(t) SET r = row.props",
                rows, batch_size=batch_size)

    def _write_rows(self, kind: RowKind, records: Iterable[Any], version: str) -> None:
        """CREATE a node of ``kind`` per record, and an edge from it to each node it refers
        to (none for a reference left empty, ``{id: null}`` matching nothing)."""
        links = "".join(
            f" CALL (n, row) {{ MATCH (t:{_allowed_label(target)} {{id: row.{_name(name)}}}) "
            f"CREATE (n)-[:{_allowed_type(edge)} {{_version: row._version}}]->(t) }}"
            for name, edge, target in kind.edges)
        self._write_batches(
            f"UNWIND $rows AS row CREATE (n:{_allowed_label(kind.label)}) SET n = row WITH n, row"
            + links,
            [_properties(r, i, version) for i, r in enumerate(records)])

    def read(self) -> Dataset:
        meta = self._meta()
        if meta is None:
            raise StoreEmpty(f"{self.uri}: nothing loaded yet; run 'groupgraph load DIR' first")
        if meta.get("status") != "ready":
            raise StoreError(f"{self.uri}: a load is in progress or did not finish; "
                             "run 'groupgraph load DIR' again")
        entities = _records(Entity, self._nodes("Entity", _projection(Entity, "n")))
        facilities = _records(Facility, self._nodes("Facility", _projection(Facility, "n")))
        member = _projection(DeclaredMember, "r", {"group_id": "g.group_id", "member": "e.id"})
        members = self._read(
            f"MATCH (g:DeclaredGroup)-[r:{_allowed_type('HAS_MEMBER')}]->(e:Entity) "
            f"RETURN collect({member}) AS rows")[0]["rows"]
        declared = _records(DeclaredMember, members)
        relationships = _records(Relationship, self._relationship_rows(
            _projection(Relationship, "r", {"type": "type(r)", "source": "s.id", "target": "e.id"})))
        tables = {kind.table: tuple(_records(kind.record, self._nodes(
                      kind.label, _projection(kind.record, "n"), key="_seq", after=-1)))
                  for kind in row_kinds()}
        dataset = Dataset(
            bank=Bank(**json.loads(meta["bank"])),
            entities={e.id: e for e in entities},
            relationships=tuple(relationships),
            facilities=tuple(facilities),
            declared_groups=tuple(declared),
            **tables,
        )
        # The version the store records, as the embedded store gives it: the hash of exactly
        # these records, the round trip being exact; for a store loaded before DESIGN 3b
        # (no category, no rows) the hash of that time, which info() reports too.
        dataset.__dict__["version"] = meta["version"]
        return dataset

    # Reading in bulk: the driver handles every record of a result as a message of its own,
    # which cost more than the data in it (100,000 entity ids took 6 s one per record), so
    # the reads below return pages of 10,000 collected into one list each, walking the
    # unique index on the key (keyset pagination: no page is sorted or skipped twice), each
    # node or relationship a list of its values in field order (no map to unpack and pick
    # from), put in input order (``_seq``) here rather than sorting on the server.

    def _nodes(self, label: str, projection: str, *, key: str = "id", after: Any = ""
               ) -> list[list[Any]]:
        """Every node of ``label`` as the list ``projection`` makes of ``n``, in pages
        walking the index on ``key`` (unique: ``id``; ``_seq`` for a kind of one node per
        row) from above ``after``."""
        found: list[list[Any]] = []
        key = _name(key)
        while True:
            page = self._read(
                f"MATCH (n:{_allowed_label(label)}) WHERE n.{key} > $after WITH n "
                f"ORDER BY n.{key} LIMIT $size RETURN collect({projection}) AS page, "
                f"max(n.{key}) AS last",
                after=after, size=_PAGE)[0]
            if not page["page"]:
                break
            found += page["page"]
            after = page["last"]
        return found

    def _relationship_rows(self, projection: str) -> list[list[Any]]:
        """Every relationship ``(s)-[r]->(e)`` between entities as the list ``projection``
        makes of it: pages of the relationships of 10,000 source entities."""
        found: list[list[Any]] = []
        after = ""
        while True:
            page = self._read(
                "MATCH (s:Entity) WHERE s.id > $after WITH s ORDER BY s.id LIMIT $size "
                "WITH collect(s) AS sources RETURN sources[-1].id AS last, COLLECT { "
                "UNWIND sources AS s MATCH (s)-[r]->(e:Entity) WHERE type(r) IN $types "
                f"RETURN {projection} }} AS page",
                after=after, size=_PAGE, types=sorted(load_model().relationship_types))[0]
            if page["last"] is None:
                break
            found += page["page"]
            after = page["last"]
        return found

    def clear(self) -> None:
        """Delete everything groupgraph wrote (every node of the model's labels and the
        store's own metadata)."""
        for label in sorted(load_model().labels | {META_LABEL}):
            self._auto_commit(f"MATCH (n:{_allowed_label(label)}) "
                              "CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS")

    def count(self) -> dict[str, int]:
        """Nodes and relationships in the database, for idempotence checks."""
        nodes = self._read("MATCH (n) RETURN count(n) AS c")[0]["c"]
        edges = self._read("MATCH ()-[r]->() RETURN count(r) AS c")[0]["c"]
        return {"nodes": nodes, "relationships": edges}

    # -- queries ----------------------------------------------------------------------------

    def _types(self, types: Iterable[str] | None) -> list[str]:
        domain = load_model().relationship_types
        chosen = sorted(domain if types is None else set(types))
        for t in chosen:
            if t not in domain:
                raise ValueError(f"unknown relationship type {t!r}")
        return chosen

    def _relationships(self, rows: Iterable[neo4j.Record]) -> list[Relationship]:
        return [_record("Relationship", dict(r["p"]), type=r["t"], source=r["s"], target=r["e"])
                for r in rows]

    def neighbourhood(self, entity_id: str, hops: int = 1, *, types: Iterable[str] | None = None,
                      as_of: date | None = None) -> Subgraph:
        check_hops(hops)
        as_of = as_of or date.today()
        chosen = self._types(types)
        if not self._read("MATCH (n:Entity {id: $id}) RETURN n.id", id=entity_id):
            return Subgraph((), ())
        reached = {entity_id}
        frontier = [entity_id]
        for _ in range(hops):  # one query per hop, whatever the size of the frontier
            rows = self._read(
                "UNWIND $frontier AS id MATCH (a:Entity {id: id})-[r]-(b:Entity) "
                f"WHERE type(r) IN $types AND {_CURRENT} RETURN DISTINCT b.id AS id",
                frontier=frontier, types=chosen, as_of=as_of)
            frontier = [row["id"] for row in rows if row["id"] not in reached]
            reached.update(frontier)
            if not frontier:
                break
        ids = sorted(reached)
        entities = [_record("Entity", dict(row["p"])) for row in self._read(
            "MATCH (n:Entity) WHERE n.id IN $ids RETURN properties(n) AS p ORDER BY n.id", ids=ids)]
        inside = self._relationships(self._read(
            "MATCH (s:Entity)-[r]->(e:Entity) WHERE s.id IN $ids AND e.id IN $ids "
            f"AND type(r) IN $types AND {_CURRENT} "
            "RETURN type(r) AS t, s.id AS s, e.id AS e, properties(r) AS p",
            ids=ids, types=chosen, as_of=as_of))
        return Subgraph(tuple(entities), tuple(sorted(inside, key=lambda r: r.identity)))

    def ownership_chains(self, entity_id: str, direction: str = "up", max_hops: int = 4, *,
                         as_of: date | None = None) -> list[GraphPath]:
        hops = check_hops(max_hops)
        if direction not in ("up", "down"):
            raise ValueError(f"expected direction 'up' or 'down', got {direction!r}")
        arrow = f"<-[:OWNS*1..{hops}]-" if direction == "up" else f"-[:OWNS*1..{hops}]->"
        rows = self._read(
            f"MATCH p = (x:Entity {{id: $id}}){arrow}(:Entity) "
            f"WHERE all(r IN relationships(p) WHERE {_CURRENT}) "
            "RETURN [r IN relationships(p) | {t: type(r), s: startNode(r).id, e: endNode(r).id, "
            "p: properties(r)}] AS chain",
            id=entity_id, as_of=as_of or date.today())
        return sort_paths(tuple(self._relationships(row["chain"])) for row in rows)

    def paths(self, from_id: str, to_id: str, max_hops: int = 4, *,
              types: Iterable[str] | None = None, as_of: date | None = None) -> list[GraphPath]:
        hops = check_hops(max_hops)
        if from_id == to_id:
            return []
        rows = self._read(
            f"MATCH p = allShortestPaths((a:Entity {{id: $from}})-[*..{hops}]-(b:Entity {{id: $to}})) "
            f"WHERE all(r IN relationships(p) WHERE type(r) IN $types AND {_CURRENT}) "
            "RETURN [r IN relationships(p) | {t: type(r), s: startNode(r).id, e: endNode(r).id, "
            "p: properties(r)}] AS path",
            **{"from": from_id, "to": to_id}, types=self._types(types),
            as_of=as_of or date.today())
        return sort_paths(tuple(self._relationships(row["path"])) for row in rows)

