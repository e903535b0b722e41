"""The Neo4j store against a real server: idempotent batched loads, replacement without
stale edges, the allow-list, and clear errors."""

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from graph.stores.neo4j import Neo4jStore, _allowed_type
from loaders.synthetic import generate_portfolio
from schema.errors import StoreError, StoreUnavailable
from tests.graph.stores.test_embedded import FIRST, SECOND


def test_loading_the_same_dataset_twice_leaves_counts_unchanged(neo4j_store):
    neo4j_store.write(FIRST)
    first = neo4j_store.count()
    # 4 entities + 1 facility; 3 relationships + 1 OWED_BY
    assert first == {"nodes": 6, "relationships": 4}
    neo4j_store.write(FIRST)               # really writes again (replace would skip it)
    assert neo4j_store.count() == first
    assert neo4j_store.replace(FIRST).unchanged
    assert neo4j_store.read() == FIRST


def test_a_new_version_leaves_no_stale_nodes_or_edges(neo4j_store):
    neo4j_store.replace(FIRST)
    neo4j_store.replace(SECOND)
    # SECOND: entities A, C; facility F9; OWNS A->C and F9 OWED_BY C
    assert neo4j_store.count() == {"nodes": 4, "relationships": 2}
    assert neo4j_store.read() == SECOND
    assert neo4j_store.info().counts["relationships"] == 1


def test_a_store_that_is_loading_refuses_to_answer(neo4j_store):
    neo4j_store.replace(FIRST)
    neo4j_store._write("MATCH (m:GroupgraphMeta) SET m.status = 'loading'")
    with pytest.raises(StoreError, match="did not finish"):
        neo4j_store.read()


def test_only_model_types_reach_a_query():
    assert _allowed_type("OWNS") == "OWNS"
    with pytest.raises(StoreError, match="not in the model"):
        _allowed_type("OWNS]->() DETACH DELETE (x")


def test_unreachable_server_and_wrong_password(neo4j_uri, monkeypatch):
    with pytest.raises(StoreUnavailable, match="cannot reach Neo4j"):
        Neo4jStore("bolt://127.0.0.1:1")
    with pytest.raises(StoreUnavailable, match="refused the credentials of user 'neo4j'"):
        Neo4jStore(neo4j_uri, "neo4j", "wrong-password")


def test_a_load_killed_while_writing_is_refused_then_replaced_whole(neo4j_store, neo4j_uri,
                                                                     tmp_path):
    # kill -9 of a real `groupgraph load` half way: the store must not serve the half load
    neo4j_store.replace(FIRST)
    whole = neo4j_store.count()
    big = tmp_path / "big"
    generate_portfolio(big, parties=20_000, seed=3)
    load = subprocess.Popen([str(Path(sys.executable).parent / "groupgraph"), "load", str(big),
                             "--store", neo4j_uri], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 180
    while neo4j_store.count()["nodes"] <= whole["nodes"] + 1000 and load.poll() is None:
        assert time.monotonic() < deadline, "the load wrote nothing"
        time.sleep(0.05)
    load.send_signal(signal.SIGKILL)
    assert load.wait() == -signal.SIGKILL
    assert neo4j_store.count()["nodes"] > whole["nodes"]          # killed half way

    with Neo4jStore(neo4j_uri) as fresh, pytest.raises(StoreError, match="did not finish"):
        fresh.read()
    assert not neo4j_store.replace(FIRST).unchanged                # the next load rewrites...
    assert neo4j_store.read() == FIRST                             # ...whole, nothing left over
    assert neo4j_store.count() == whole


def test_a_store_loaded_before_design_3b_is_read_with_the_defaults(neo4j_store):
    neo4j_store.write(FIRST)
    # what the code before DESIGN 3b left: no category on facilities, no row nodes, and
    # FIRST's version by that code's hash (commit c0dd3ae)
    neo4j_store._write("MATCH (f:Facility) REMOVE f.category")
    neo4j_store._write("MATCH (m:GroupgraphMeta) SET m.version = 'eabe2e3ecfb845d8'")
    back = neo4j_store.read()
    assert back == FIRST and [f.category for f in back.facilities] == ["loan"]
    assert back.version == neo4j_store.info().version == "eabe2e3ecfb845d8"
    assert not neo4j_store.replace(FIRST).unchanged      # the same data, written again
    assert neo4j_store.read().version == FIRST.version
