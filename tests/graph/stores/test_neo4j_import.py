"""A first load through ``neo4j-admin database import`` against the real server that
``scripts/neo4j/neo4j.sh`` runs: the database it makes is the one an online load makes."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from graph.stores.neo4j import Neo4jStore, local_server_script
from graph.stores.neo4j_import import ARGS_FILE, write_import_files
from loaders.dataset import read_dataset
from loaders.synthetic import generate_portfolio
from schema.errors import StoreError
from tests.graph.stores.test_embedded import FIRST


def _graph(store: Neo4jStore) -> tuple[list[str], list[str]]:
    """Every node and relationship with its labels or type and properties, as sorted
    text; the metadata node's load time left out (two loads are two moments)."""
    nodes = store._read("MATCH (n) RETURN labels(n) AS l, properties(n) AS p")
    edges = store._read("MATCH (a)-[r]->(b) RETURN type(r) AS t, properties(a) AS a, "
                        "properties(b) AS b, properties(r) AS p")

    def text(value: dict[str, Any]) -> str:
        value = {k: str(v) for k, v in value.items() if k != "loaded_at"}
        return json.dumps(value, sort_keys=True)

    return (sorted(f"{row['l']} {text(row['p'])}" for row in nodes),
            sorted(f"{row['t']} {row['a'].get('id', row['a'].get('group_id'))} "
                   f"{row['b']['id']} {text(row['p'])}" for row in edges))


@pytest.fixture
def book(tmp_path_factory: pytest.TempPathFactory):
    folder = tmp_path_factory.mktemp("book")
    generate_portfolio(folder, parties=1_500, seed=5)
    return read_dataset(folder)


def test_a_bulk_import_makes_the_database_an_online_load_makes(neo4j_store, book):
    local_server_script(neo4j_store.uri)   # the suite's server is the script's
    neo4j_store.write(book, source="online")
    online = _graph(neo4j_store)
    neo4j_store.clear()

    info = neo4j_store.bulk_import(book, source="online")
    assert info.version == book.version
    assert _graph(neo4j_store) == online
    assert neo4j_store.read() == book
    assert neo4j_store.info().counts == info.counts
    # the constraints are back: a second entity with a stored id is refused
    with pytest.raises(Exception, match="already exists"):
        neo4j_store._write("CREATE (:Entity {id: $id})", id=next(iter(book.entities)))
    # and the next load goes online, replacing the imported dataset whole
    assert not neo4j_store.replace(FIRST).unchanged
    assert neo4j_store.read() == FIRST


def test_a_bulk_import_refuses_a_database_that_holds_anything(neo4j_store):
    neo4j_store.replace(FIRST)
    with pytest.raises(StoreError, match="not empty"):
        neo4j_store.bulk_import(FIRST)
    assert neo4j_store.read() == FIRST


def test_a_bulk_import_refuses_a_server_the_script_does_not_run(neo4j_store, monkeypatch, tmp_path):
    monkeypatch.setenv("GROUPGRAPH_NEO4J_STATE", str(tmp_path))
    with pytest.raises(StoreError, match="neo4j-admin there"):
        neo4j_store.bulk_import(FIRST)


def test_import_files_carry_typed_headers_and_arguments(tmp_path):
    write_import_files(FIRST, tmp_path, uri="bolt://x:1")
    with (tmp_path / "entities.csv").open(encoding="utf-8") as f:
        header, *rows = list(csv.reader(f))
    assert header[0] == "id:ID(Entity)"
    assert {"net_assets:double", "is_bank:boolean", "statement_date:date", "_seq:long"} <= set(header)
    a = dict(zip(header, rows[0], strict=True))
    assert (a["id:ID(Entity)"], a["net_assets:double"], a["_extra"]) == ("A", "10", '{"rating": "AA"}')
    with (tmp_path / "guarantees.csv").open(encoding="utf-8") as f:
        header, row = list(csv.reader(f))
    g = dict(zip(header, row, strict=True))
    assert (g[":START_ID(Entity)"], g[":END_ID(Entity)"], g["amount:double"], g["eligible:boolean"],
            g["facility"]) == ("A", "B", "5", "true", "F1")
    args = [json.loads(line) for line in (tmp_path / ARGS_FILE).read_text().splitlines()]
    assert f"--relationships=OWNS={tmp_path / 'owns.csv'}" in args
    assert f"--nodes=Facility={tmp_path / 'facilities.csv'}" in args
    assert "--ignore-empty-strings=true" in args


def test_a_rewrite_of_a_version_a_killed_load_left_creates_no_second_edge(neo4j_store):
    neo4j_store.write(FIRST)
    whole = neo4j_store.count()
    # what a load of FIRST killed after some relationships leaves: those edges, and the
    # metadata saying FIRST was being written
    neo4j_store._write("MATCH (a:Entity {id: 'A'}), (b:Entity {id: 'B'}) "
                       "CREATE (a)-[:OWNS {share: 0.6, _version: $v, _seq: 0}]->(b)",
                       v=FIRST.version)
    neo4j_store._write("MATCH (m:GroupgraphMeta) SET m.status = 'loading', m.loading = $v, "
                       "m.version = 'older'", v=FIRST.version)
    assert not neo4j_store.replace(FIRST).unchanged
    assert neo4j_store.count() == whole
    assert neo4j_store.read() == FIRST


def test_the_script_refuses_a_folder_without_arguments(tmp_path):
    script = Path(__file__).resolve().parents[3] / "scripts" / "neo4j" / "neo4j.sh"
    done = subprocess.run([str(script), "import", str(tmp_path)], capture_output=True, text=True)
    assert done.returncode != 0 and "a folder holding import.args" in done.stderr


def test_groupgraph_load_bulk_import_then_an_online_load(neo4j_store, tmp_path):
    folder = tmp_path / "book"
    generate_portfolio(folder, parties=300, seed=2)
    groupgraph = str(Path(sys.executable).parent / "groupgraph")
    done = subprocess.run([groupgraph, "load", str(folder), "--store", neo4j_store.uri,
                           "--bulk-import"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert neo4j_store.read() == read_dataset(folder)
    again = subprocess.run([groupgraph, "load", str(folder), "--store", neo4j_store.uri,
                            "--bulk-import"], capture_output=True, text=True)
    assert again.returncode != 0 and "not empty" in again.stderr
    embedded = subprocess.run([groupgraph, "load", str(folder), "--store",
                               f"embedded:{tmp_path / 's.sqlite'}", "--bulk-import"],
                              capture_output=True, text=True)
    assert embedded.returncode != 0 and "is for a Neo4j store" in embedded.stderr


def test_import_files_for_a_remote_server_from_a_dataset_folder(tmp_path):
    folder = tmp_path / "book"
    generate_portfolio(folder, parties=200, seed=2)
    groupgraph = str(Path(sys.executable).parent / "groupgraph")
    done = subprocess.run([groupgraph, "neo4j-import-files", str(folder), "--out",
                           str(tmp_path / "out")], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "neo4j-admin database import full neo4j" in done.stdout
    rows = (tmp_path / "out" / "entities.csv").read_text(encoding="utf-8").splitlines()
    assert len(rows) == 1 + len(read_dataset(folder).entities)
