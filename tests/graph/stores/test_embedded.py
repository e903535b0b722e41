"""The embedded store: round trip, idempotent loads, atomic replacement."""

import pytest

import graph.stores.embedded
from graph.stores.base import open_store
from schema.errors import StoreEmpty, StoreUnavailable
from schema.records import Facility as F
from schema.records import Relationship as R
from tests.datasets import dataset

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
                           "declared_groups": 0}
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
