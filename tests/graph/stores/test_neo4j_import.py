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
from tests.graph.stores.test_parity import EXPOSURE_MODEL


def _graph(store: Neo4jStore) -> tuple[list[str], list[str]]:
    """Every node and relationship with its labels or type and properties, as sorted
    text; the metadata node's load time left out (two loads are two moments)."""
    nodes = store._read("MATCH (n) RETURN labels(n) AS l, properties(n) AS p")
    edges = store._read("MATCH (a)-[r]->(b) RETURN type(r) AS t, properties(a) AS a, "
                        "properties(b) AS b, properties(r) AS p")

    def text(value: dict[str, Any]) -> str:
        value = {k: str(v) for k, v in value.items() if k != "loaded_at"}
        return json.dumps(value, sort_keys=True)

    def end(node: dict[str, Any]) -> str:   # a row node (Underlying, ...) by its fields
        return str(node.get("id", node.get("group_id", text(node))))

    return (sorted(f"{row['l']} {text(row['p'])}" for row in nodes),
            sorted(f"{row['t']} {end(row['a'])} {end(row['b'])} {text(row['p'])}"
                   for row in edges))


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


def test_a_bulk_import_of_the_exposure_model_tables_makes_the_online_graph(neo4j_store):
    neo4j_store.write(EXPOSURE_MODEL, source="online")
    online = _graph(neo4j_store)
    neo4j_store.clear()
    info = neo4j_store.bulk_import(EXPOSURE_MODEL, source="online")
    assert _graph(neo4j_store) == online
    back = neo4j_store.read()
    assert back == EXPOSURE_MODEL
    assert back.version == info.version == neo4j_store.info().version == EXPOSURE_MODEL.version
    # the graph a Cypher user walks: 3 underlyings of F2, 2 of them with a known obligor;
    # 1 of 3 collateral rows names an issuer, S; 2 product parties of F2
    rows = neo4j_store._read(
        "MATCH (u:Underlying)-[:UNDERLIES]->(f:Facility) OPTIONAL MATCH (u)-[:OBLIGOR_OF]->(e) "
        "RETURN f.id AS f, u.amount AS amount, e.id AS obligor ORDER BY u._seq")
    assert [(r["f"], r["amount"], r["obligor"]) for r in rows] == [
        ("F2", 30.0, "A"), ("F2", 25.0, None), ("F2", 5.0, "B")]
    issued = neo4j_store._read("MATCH (c:Collateral)-[:ISSUED_BY]->(e:Entity) "
                               "MATCH (c)-[:SECURES]->(f:Facility) RETURN f.id AS f, e.id AS e")
    assert [(r["f"], r["e"]) for r in issued] == [("F1", "S")]
    parties = neo4j_store._read("MATCH (p:ProductParty)-[:PARTY_TO]->(:Facility {id: 'F2'}) "
                                "MATCH (p)-[:ROLE_IN]->(e:Entity) RETURN e.id AS e, p.role AS role "
                                "ORDER BY e")
    assert [(r["e"], r["role"]) for r in parties] == [("B", "liquidity_provider"), ("M", "manager")]
    # the next load, online, sweeps the row nodes and their edges away: FIRST is 4 entities,
    # 1 facility and the metadata node; 3 relationships and 1 OWED_BY
    assert not neo4j_store.replace(FIRST).unchanged
    assert neo4j_store.count() == {"nodes": 4 + 1 + 1, "relationships": 3 + 1}


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


def test_import_files_of_the_exposure_model_tables(tmp_path):
    write_import_files(EXPOSURE_MODEL, tmp_path, uri="bolt://x:1")
    with (tmp_path / "underlyings.csv").open(encoding="utf-8") as f:
        header, *rows = list(csv.reader(f))
    assert header[:4] == [":ID(Underlying)", "facility", "amount:double", "obligor"]
    assert [row[:4] for row in rows] == [["0", "F2", "30", "A"], ["1", "F2", "25", ""],
                                         ["2", "F2", "5", "B"]]
    with (tmp_path / "obligor_of.csv").open(encoding="utf-8") as f:
        assert list(csv.reader(f)) == [[":START_ID(Underlying)", ":END_ID(Entity)", "_version"],
                                       ["0", "A", EXPOSURE_MODEL.version],
                                       ["2", "B", EXPOSURE_MODEL.version]]   # row 1: unknown
    with (tmp_path / "facilities.csv").open(encoding="utf-8") as f:
        header, *rows = list(csv.reader(f))
    assert [dict(zip(header, row, strict=True))["category"] for row in rows] == [
        "loan", "am_product", "interbank"]
    args = [json.loads(line) for line in (tmp_path / ARGS_FILE).read_text().splitlines()]
    assert f"--nodes=Collateral={tmp_path / 'collateral.csv'}" in args
    assert f"--relationships=ISSUED_BY={tmp_path / 'issued_by.csv'}" in args


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


def test_a_rewrite_of_a_version_a_killed_load_left_creates_no_second_row(neo4j_store):
    neo4j_store.write(EXPOSURE_MODEL)
    whole = neo4j_store.count()
    # a killed load of the same version that had written one underlying again
    neo4j_store._write("MATCH (f:Facility {id: 'F2'}) CREATE (u:Underlying {facility: 'F2', "
                       "amount: 30.0, _seq: 0, _version: $v})-[:UNDERLIES {_version: $v}]->(f)",
                       v=EXPOSURE_MODEL.version)
    neo4j_store._write("MATCH (m:GroupgraphMeta) SET m.status = 'loading', m.loading = $v, "
                       "m.version = 'older'", v=EXPOSURE_MODEL.version)
    assert neo4j_store.count() == {"nodes": whole["nodes"] + 1,
                                   "relationships": whole["relationships"] + 1}
    assert not neo4j_store.replace(EXPOSURE_MODEL).unchanged
    assert neo4j_store.count() == whole
    assert neo4j_store.read() == EXPOSURE_MODEL


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
