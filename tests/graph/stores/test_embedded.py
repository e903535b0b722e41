"""The embedded store: round trip, idempotent loads, atomic replacement."""

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import graph.stores.embedded
from graph.stores.embedded import EmbeddedStore
from graph.stores.uri import open_store
from loaders.synthetic import generate_portfolio
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
