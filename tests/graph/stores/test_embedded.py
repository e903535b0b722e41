"""The embedded store: round trip, idempotent loads, atomic replacement."""

import gc
import json
import signal
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from dataclasses import fields, replace
from datetime import date
from pathlib import Path

import pyarrow as pa
import pytest
from hypothesis import given
from hypothesis import strategies as st

import graph.stores.columns
import graph.stores.embedded
from graph.stores.embedded import EmbeddedStore
from graph.stores.uri import open_store
from loaders.synthetic import generate_portfolio
from schema.errors import StoreEmpty, StoreUnavailable
from schema.records import Collateral, Dataset, DeclaredMember, Entity, ProductParty, Underlying
from schema.records import Facility as F
from schema.records import Relationship as R
from tests.datasets import BANK, dataset
from tests.fuzz import FUZZ

FIRST = dataset([R("OWNS", "A", "B", share=0.6), R("RELATIVE_OF", "P1", "P2", relation="spouse"),
                 R("GUARANTEES", "A", "B", amount=5.0, facility="F1", eligible=True)],
                [F("F1", "B", 100.0, undrawn=3.0, ccf=0.5, currency="USD")],
                A={"net_assets": 10.0, "extra": {"rating": "AA"}})
SECOND = dataset([R("OWNS", "A", "C", share=0.3)], [F("F9", "C", 1.0)])


def test_round_trip_keeps_every_record(tmp_path):
    store = open_store(f"embedded:{tmp_path / 's.sqlite'}")
    summary = store.replace(FIRST, source="test")
    assert not summary.unchanged
    back = store.read()
    assert back == FIRST
    assert back.version == FIRST.version
    assert back.entities["A"].extra == {"rating": "AA"}
    info = store.info()
    assert info.counts == {"entities": 4, "relationships": 3, "facilities": 1,
                           "declared_groups": 0, "underlyings": 0, "collateral": 0,
                           "product_parties": 0}
    assert info.source == "test"


def test_loading_the_same_dataset_twice_changes_nothing(tmp_path):
    path = tmp_path / "s.sqlite"
    store = open_store(f"embedded:{path}")
    store.replace(FIRST)
    before = path.read_bytes()
    again = store.replace(FIRST)
    assert again.unchanged
    assert path.read_bytes() == before
    assert store.read() == FIRST


def test_a_new_version_replaces_the_old_one_whole(tmp_path):
    store = open_store(f"embedded:{tmp_path / 's.sqlite'}")
    store.replace(FIRST)
    store.replace(SECOND)
    back = store.read()
    assert back == SECOND
    assert set(back.entities) == {"A", "C"}


def test_a_load_that_fails_midway_leaves_the_previous_dataset(tmp_path, monkeypatch):
    path = tmp_path / "s.sqlite"
    store = open_store(f"embedded:{path}")
    store.replace(FIRST)

    def broken_write(db, dataset, info):
        db.execute("CREATE TABLE meta (key TEXT)")
        raise OSError("disk full")

    monkeypatch.setattr(graph.stores.embedded, "_write", broken_write)
    with pytest.raises(OSError, match="disk full"):
        store.replace(SECOND)
    assert store.read() == FIRST
    assert [p.name for p in tmp_path.iterdir()] == ["s.sqlite"]   # no temporary file left


def test_empty_store_and_foreign_file(tmp_path):
    with pytest.raises(StoreEmpty, match="nothing loaded yet"):
        open_store(f"embedded:{tmp_path / 'none.sqlite'}").read()
    (tmp_path / "junk.sqlite").write_text("not a database")
    with pytest.raises(StoreUnavailable, match="not a groupgraph store"):
        open_store(f"embedded:{tmp_path / 'junk.sqlite'}").info()


def test_unknown_store_uri():
    with pytest.raises(StoreUnavailable, match="expected embedded:PATH"):
        open_store("ftp://somewhere")


def temporary_files(folder: Path) -> list[str]:
    """Files beside ``folder / 's.sqlite'`` other than the store itself."""
    return sorted(p.name for p in folder.iterdir() if p.name != "s.sqlite")


def test_a_load_killed_while_writing_leaves_the_old_dataset_and_the_next_load_removes_its_file(
        tmp_path):
    # A killed load cannot remove its temporary file; a later load must (they can be 100 MB).
    store = EmbeddedStore(tmp_path / "store" / "s.sqlite")
    store.replace(FIRST)
    big = tmp_path / "big"
    generate_portfolio(big, parties=20_000, seed=3)
    load = subprocess.Popen([str(Path(sys.executable).parent / "groupgraph"), "load", str(big),
                             "--store", store.uri], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while not temporary_files(store.path.parent) and load.poll() is None:
        assert time.monotonic() < deadline, "the load wrote no temporary file"
        time.sleep(0.002)
    load.send_signal(signal.SIGKILL)
    assert load.wait() == -signal.SIGKILL
    assert len(temporary_files(store.path.parent)) == 1        # killed while writing it

    assert EmbeddedStore(store.path).read() == FIRST             # the old dataset, whole
    assert store.replace(FIRST).unchanged                        # the next load, a no-op...
    assert temporary_files(store.path.parent) == []              # ...removes the leftover


def test_a_load_leaves_the_temporary_file_of_a_load_still_running(tmp_path):
    # this process is alive: a file named as its own load's is not a leftover
    store = EmbeddedStore(tmp_path / "s.sqlite")
    running = graph.stores.embedded.temporary_path(store.path)
    running.write_bytes(b"")
    store.replace(FIRST)
    assert temporary_files(tmp_path) == [running.name]


# -- the columnar format ------------------------------------------------------------------

ODD = Dataset(
    BANK,
    {"A": Entity("A", "Ä Co", "company", registration_id="", lei=None, net_assets=1.5,
                 total_assets=-0.0, is_bank=True, statement_date=date(2024, 2, 29),
                 extra={"rating": "AA", "说明": ""}, origin="entities.csv:2"),
     "B": Entity("B", "", "company", net_assets=7, revenue=2**60 + 1, origin="entities.csv:3"),
     "P1": Entity("P1", "Person", "person", country="CN", status="", origin=None)},
    (R("OWNS", "A", "B", share=0.6, valid_from=date(2020, 1, 1), valid_to=date(2030, 12, 31),
      extra={"note": "x"}, origin="relationships.csv:2"),
     R("OWNS", "A", "P1", share=1, basis="", eligible=True, statement_date=date(1999, 1, 2)),
     R("GUARANTEES", "B", "A", amount=float("inf"), facility="F1", currency="USD",
       statement_date="2024-02-29")),                 # text where a date belongs
    (F("F1", "B", 100.0, undrawn=0.0, ccf=None, product="", origin="facilities.csv:2"),),
    (DeclaredMember("G1", "A", group_name="Group one", origin="groups.csv:2"),
     DeclaredMember("G1", "B", group_name=None, extra={"k": "v"})),
)


def as_json(data: Dataset) -> str:
    """The dataset with every value's type showing (an int is not a float here)."""
    return json.dumps(data.to_dict(), ensure_ascii=False)


@pytest.mark.parametrize("rows_per_chunk", [1 << 18, 1, 2])
def test_round_trip_is_exact_for_every_kind_of_value(tmp_path, monkeypatch, rows_per_chunk):
    monkeypatch.setattr(graph.stores.columns, "CHUNK_ROWS", rows_per_chunk)
    store = EmbeddedStore(tmp_path / "s.sqlite")
    store.replace(ODD, source="odd")
    back = EmbeddedStore(store.path).read()
    assert back == ODD
    assert as_json(back) == as_json(ODD)     # ints stay ints, "" stays "", None stays None
    assert [e.origin for e in back.entities.values()] == ["entities.csv:2", "entities.csv:3", None]
    assert back.entities["A"].statement_date == date(2024, 2, 29)
    assert type(back.relationships[1].share) is int
    assert back.relationships[1].statement_date == date(1999, 1, 2)
    assert back.relationships[2].statement_date == "2024-02-29"      # text stays text
    assert back.entities["B"].revenue == 2**60 + 1
    assert back.entities["P1"].extra == {}
    # the version the store gives is the hash of the records it gives back
    copy = Dataset(back.bank, back.entities, back.relationships, back.facilities,
                   back.declared_groups)
    assert back.version == copy.version == ODD.version


def test_the_tables_are_stored_as_columns_not_rows(tmp_path):
    store = EmbeddedStore(tmp_path / "s.sqlite")
    store.replace(ODD)
    with closing(sqlite3.connect(store.path)) as db:
        assert dict(db.execute("SELECT key, value FROM meta"))["format"] == "groupgraph-embedded-2"
        chunks = db.execute("SELECT tbl, seq, data FROM chunks ORDER BY tbl, seq").fetchall()
    assert [(table, seq) for table, seq, _ in chunks] == [
        ("declared_groups", 0), ("entities", 0), ("facilities", 0), ("relationships", 0)]
    relationships = pa.ipc.open_stream(chunks[3][2]).read_all()
    assert relationships.num_rows == 3
    assert relationships.column("source").to_pylist() == ["A", "A", "B"]
    assert relationships.schema.field("share").metadata == {b"encoding": b"json"}  # an int in it
    assert relationships.schema.field("amount").type == pa.float64()
    assert relationships.schema.field("valid_from").type == pa.date32()
    # strings are dictionary-encoded where at most half the rows have distinct values
    assert relationships.schema.field("type").type == pa.string()              # 2 in 3 rows
    assert pa.types.is_dictionary(relationships.schema.field("currency").type)   # 1 in 3


def test_relationships_read_back_share_the_entities_id_strings(tmp_path):
    # one str per id rather than one per mention: a million parties are named millions of times
    holding = dataset([R("OWNS", "parent company", f"subsidiary {n}", share=0.5) for n in range(4)])
    store = EmbeddedStore(tmp_path / "s.sqlite")
    store.replace(holding)
    back = store.read()
    parent = back.entities["parent company"].id
    assert all(r.source == "parent company" and r.source is parent for r in back.relationships)


def write_first_format(path: Path, data: Dataset) -> None:
    """A store file as the first embedded format wrote it: one JSON text per record."""
    with closing(sqlite3.connect(path)) as db:
        db.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
        sections = data.to_dict()
        for table in ("entities", "relationships", "facilities", "declared_groups"):
            db.execute(f"CREATE TABLE {table} (seq INTEGER PRIMARY KEY, data TEXT NOT NULL)")
            db.executemany(f"INSERT INTO {table} (data) VALUES (?)",
                           ((json.dumps(row, ensure_ascii=False),) for row in sections[table]))
        meta = {"format": "groupgraph-embedded-1", "version": data.version,
                "loaded_at": "2026-01-02T03:04:05+00:00", "source": "old",
                "counts": json.dumps({"entities": len(data.entities)}),
                "bank": json.dumps(sections["bank"], ensure_ascii=False)}
        db.executemany("INSERT INTO meta VALUES (?, ?)", meta.items())
        db.commit()


def test_a_store_of_the_first_format_is_read_and_the_next_load_rewrites_it(tmp_path):
    # the first format made a date of text in a date field: leave that one out
    old = Dataset(ODD.bank, ODD.entities,
                  (*ODD.relationships[:2], replace(ODD.relationships[2], statement_date=None)),
                  ODD.facilities, ODD.declared_groups)
    path = tmp_path / "s.sqlite"
    write_first_format(path, old)
    store = EmbeddedStore(path)
    assert store.info().loaded_at == "2026-01-02T03:04:05+00:00"
    back = store.read()
    assert back == old and as_json(back) == as_json(old)
    assert back.version == old.version
    again = store.replace(old, source="new")           # the same dataset, a new format
    assert not again.unchanged
    with closing(sqlite3.connect(path)) as db:
        assert dict(db.execute("SELECT key, value FROM meta"))["format"] == "groupgraph-embedded-2"
    assert EmbeddedStore(path).read() == old
    assert store.replace(old).unchanged


def write_before_design_3b(path: Path, data: Dataset, version: str) -> None:
    """A store file of this format as the code before DESIGN 3b wrote it: entity and
    facility chunks without the columns of the fields it added, no chunks of its tables,
    the version that code's hash gave, counts of the four tables it knew."""
    EmbeddedStore(path).replace(data)
    added = {"entities": ["counterparty_class", "rating"], "facilities": ["category"]}
    with closing(sqlite3.connect(path)) as db:
        for table, columns in added.items():
            for seq, blob in db.execute("SELECT seq, data FROM chunks WHERE tbl = ?",
                                        (table,)).fetchall():
                old = pa.ipc.open_stream(blob).read_all().drop_columns(columns)
                sink = pa.BufferOutputStream()
                with pa.ipc.new_stream(sink, old.schema) as writer:
                    writer.write_table(old)
                db.execute("UPDATE chunks SET data = ? WHERE tbl = ? AND seq = ?",
                           (sink.getvalue().to_pybytes(), table, seq))
        db.execute("DELETE FROM chunks WHERE tbl IN ('underlyings', 'collateral', "
                   "'product_parties')")
        counts = {"entities": len(data.entities), "relationships": len(data.relationships),
                  "facilities": len(data.facilities), "declared_groups": len(data.declared_groups)}
        db.executemany("UPDATE meta SET value = ? WHERE key = ?",
                       [(version, "version"), (json.dumps(counts), "counts")])
        db.commit()


def test_a_store_written_before_design_3b_is_read_with_the_defaults(tmp_path):
    path = tmp_path / "s.sqlite"
    # eabe2e3ecfb845d8: FIRST's version by the code before DESIGN 3b (commit c0dd3ae), whose
    # store file this one reproduces (checked against a file that commit wrote)
    write_before_design_3b(path, FIRST, "eabe2e3ecfb845d8")
    with closing(sqlite3.connect(path)) as db:
        blob = db.execute("SELECT data FROM chunks WHERE tbl = 'facilities'").fetchone()[0]
    assert "category" not in pa.ipc.open_stream(blob).read_all().column_names   # really old
    store = EmbeddedStore(path)
    back = store.read()
    assert back == FIRST    # counterparty_class and rating None, category "loan", no rows
    assert [f.category for f in back.facilities] == ["loan"]
    assert back.entities["A"].counterparty_class is None and back.entities["A"].rating is None
    assert (back.underlyings, back.collateral, back.product_parties) == ((), (), ())
    # the dataset keeps the version the file records, which info reports (a server's
    # snapshot of it is not stale); the next load of the same data writes it again
    assert back.version == store.info().version == "eabe2e3ecfb845d8" != FIRST.version
    assert not store.replace(FIRST).unchanged
    assert store.read().version == store.info().version == FIRST.version
    assert store.replace(FIRST).unchanged


def test_a_chunk_without_a_column_its_field_cannot_do_without_is_refused(tmp_path):
    path = tmp_path / "s.sqlite"
    EmbeddedStore(path).replace(FIRST)
    with closing(sqlite3.connect(path)) as db:
        blob = db.execute("SELECT data FROM chunks WHERE tbl = 'facilities'").fetchone()[0]
        old = pa.ipc.open_stream(blob).read_all().drop_columns(["borrower"])   # no default
        sink = pa.BufferOutputStream()
        with pa.ipc.new_stream(sink, old.schema) as writer:
            writer.write_table(old)
        db.execute("UPDATE chunks SET data = ? WHERE tbl = 'facilities'",
                   (sink.getvalue().to_pybytes(),))
        db.commit()
    with pytest.raises(StoreUnavailable, match="those with a default may be missing"):
        EmbeddedStore(path).read()


def test_a_store_of_an_unknown_format_or_with_a_damaged_chunk_is_refused(tmp_path):
    path = tmp_path / "s.sqlite"
    EmbeddedStore(path).replace(ODD)
    with closing(sqlite3.connect(path)) as db:
        db.execute("UPDATE chunks SET data = ? WHERE tbl = 'facilities'", (b"not arrow",))
        db.commit()
    with pytest.raises(StoreUnavailable, match=r"unreadable store: .*load the dataset again"):
        EmbeddedStore(path).read()
    with closing(sqlite3.connect(path)) as db:
        db.execute("UPDATE meta SET value = 'groupgraph-embedded-9' WHERE key = 'format'")
        db.commit()
    with pytest.raises(StoreUnavailable,
                       match="not a groupgraph store of format groupgraph-embedded-2"):
        EmbeddedStore(path).info()


@pytest.mark.parametrize("enabled", [True, False])
def test_reading_leaves_the_garbage_collector_as_it_found_it(tmp_path, enabled):
    # records are made with the collector off (it walked every record made so far, again
    # and again); a caller's own setting must survive the read
    store = EmbeddedStore(tmp_path / "s.sqlite")
    store.replace(ODD)
    was = gc.isenabled()
    try:
        (gc.enable if enabled else gc.disable)()
        assert store.read() == ODD
        assert gc.isenabled() is enabled
    finally:
        (gc.enable if was else gc.disable)()


def values_of(annotation: str) -> st.SearchStrategy:
    """Values for a record field: mostly of its type, sometimes of another (an int where a
    float belongs is told apart by the version hash; the store must keep it)."""
    typed = {
        "str": st.text(max_size=8), "str | None": st.none() | st.text(max_size=8),
        "float": st.floats(allow_nan=False), "float | None": st.none() | st.floats(allow_nan=False),
        "bool": st.booleans(), "bool | None": st.none() | st.booleans(),
        "date | None": st.none() | st.dates(),
        "Mapping[str, str]": st.dictionaries(st.text(max_size=4), st.text(max_size=4), max_size=2),
    }[annotation]
    if annotation == "Mapping[str, str]":
        return typed
    return typed | st.integers(-(2**70), 2**70) | st.sampled_from(["", "2024-02-29"])


def records_of(cls: type) -> st.SearchStrategy:
    return st.builds(cls, **{f.name: values_of(str(f.type)) for f in fields(cls)})


@FUZZ
@given(entities=st.lists(records_of(Entity), max_size=7, unique_by=lambda e: e.id),
       relationships=st.lists(records_of(R), max_size=7),
       facilities=st.lists(records_of(F), max_size=3),
       members=st.lists(records_of(DeclaredMember), max_size=3),
       underlyings=st.lists(records_of(Underlying), max_size=4),
       collateral=st.lists(records_of(Collateral), max_size=4),
       parties=st.lists(records_of(ProductParty), max_size=4))
def test_any_records_come_back_exactly(tmp_path, monkeypatch, entities, relationships,
                                       facilities, members, underlyings, collateral, parties):
    # chunks of three rows: a column may be JSON in one chunk and typed in the next
    monkeypatch.setattr(graph.stores.columns, "CHUNK_ROWS", 3)
    data = Dataset(BANK, {e.id: e for e in entities}, tuple(relationships), tuple(facilities),
                   tuple(members), tuple(underlyings), tuple(collateral), tuple(parties))
    path = tmp_path / "s.sqlite"
    path.unlink(missing_ok=True)
    EmbeddedStore(path).replace(data)
    back = EmbeddedStore(path).read()
    assert as_json(back) == as_json(data)
    assert back == data
    copy = Dataset(back.bank, back.entities, back.relationships, back.facilities,
                   back.declared_groups, back.underlyings, back.collateral, back.product_parties)
    assert copy.version == data.version
