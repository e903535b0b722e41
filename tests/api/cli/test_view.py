"""``groupgraph view``, run as a user runs it: load a folder, export views, read them back."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.datasets import write_folder
from tests.loaders.test_dataset import ENTITIES, FACILITIES, RELATIONSHIPS
from tests.viz.pages import ABSOLUTE_URL, parse_page
from viz.offline import INERT_URLS

GROUPGRAPH = str(Path(sys.executable).parent / "groupgraph")


def run(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "COLUMNS": "200", "GROUPGRAPH_STORE": ""}
    return subprocess.run([GROUPGRAPH, *args], capture_output=True, text=True, env=env,
                          timeout=300, check=False)


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> str:
    folder = write_folder(tmp_path_factory.mktemp("data"), ENTITIES, RELATIONSHIPS, FACILITIES)
    uri = f"embedded:{folder.parent / 'store.sqlite'}"
    loaded = run("load", str(folder), "--store", uri)
    assert loaded.returncode == 0, loaded.stderr
    return uri


def test_an_entity_gives_its_neighbourhood(store, tmp_path):
    out = tmp_path / "views" / "c2.html"
    result = run("view", "C2", "--store", store, "--hops", "1", "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert f"wrote {out}" in result.stderr
    page = parse_page(out.read_text(encoding="utf-8"))
    assert page.data["meta"]["view"] == "neighbourhood"
    assert set(page.nodes) == {"C1", "C2"}
    assert page.edge("OWNS", "C1", "C2")["label"] == "60%"
    assert page.edge("GUARANTEES", "C2", "C1")["label"] == "30"
    assert set(ABSOLUTE_URL.findall(page.html)) <= INERT_URLS


def test_group_kind_and_group_ids(store, tmp_path):
    out = tmp_path / "group.html"
    result = run("view", "P1", "--store", store, "--kind", "group", "-o", str(out))
    assert result.returncode == 0, result.stderr
    page = parse_page(out.read_text(encoding="utf-8"))
    assert set(page.nodes) == {"P1", "P2", "C1", "C2"}
    group_id = page.data["meta"]["group"]
    assert page.nodes["P1"]["level"] == 0 and page.nodes["C2"]["level"] == 2
    # C1: 875 of tier 1 1000 is above the 15% single-party limit (CN-2018)
    assert "LIMIT_BREACH" in page.nodes["C1"]["flags"]
    again = tmp_path / "again.html"
    assert run("view", group_id, "--store", store, "-o", str(again)).returncode == 0
    assert parse_page(again.read_text(encoding="utf-8")).data["meta"]["view"] == "group"


def test_contagion_kind(store, tmp_path):
    out = tmp_path / "contagion.html"
    result = run("view", "C1", "--store", store, "--kind", "contagion", "-o", str(out))
    assert result.returncode == 0, result.stderr
    page = parse_page(out.read_text(encoding="utf-8"))
    assert page.nodes["C1"]["flags"][0] == "DEFAULTED"


def test_truncation_is_reported(store, tmp_path):
    out = tmp_path / "small.html"
    result = run("view", "C1", "--store", store, "--max-nodes", "2", "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert "truncated: Showing 2 of 4 parties" in result.stderr
    assert "Showing 2 of 4 parties" in parse_page(out.read_text(encoding="utf-8")).visible_text


@pytest.mark.parametrize(("args", "message"), [
    (["NOPE"], "no entity, group or guarantee circle has the id 'NOPE'"),
    (["C1", "--kind", "circle"], "'C1' is in no guarantee circle"),
    (["C1", "--hops", "7"], "expected a number of hops from 1 to 6, got 7"),
])
def test_what_cannot_be_drawn_ends_with_a_message(store, tmp_path, args, message):
    out = tmp_path / "x.html"
    result = run("view", *args, "--store", store, "-o", str(out))
    assert result.returncode == 1
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert not out.exists()


def test_output_is_required(store):
    result = run("view", "C1", "--store", store)
    assert result.returncode == 2
    assert "-o" in result.stderr
