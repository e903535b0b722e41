"""The groupgraph command, run as a user runs it: a real process, real files."""

import json
import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import openpyxl

from graph.stores.embedded import EmbeddedStore
from schema.records import Facility
from tests.datasets import BANK, dataset, write_folder
from tests.loaders.test_dataset import ENTITIES, FACILITIES, RELATIONSHIPS

# the console script that `pip install` made, beside this interpreter
GROUPGRAPH = [str(Path(sys.executable).parent / "groupgraph")]


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "COLUMNS": "200", "GROUPGRAPH_STORE": ""}
    return subprocess.run([*GROUPGRAPH, *args], capture_output=True, text=True, cwd=cwd,
                          env=env, timeout=300, check=False)


def test_load_then_report_in_another_process(tmp_path):
    folder = write_folder(tmp_path / "data", ENTITIES, RELATIONSHIPS, FACILITIES)
    store = f"embedded:{tmp_path / 'store.sqlite'}"
    loaded = run("load", str(folder), "--store", store)
    assert loaded.returncode == 0, loaded.stderr
    assert "4 entities, 5 relationships, 2 facilities" in loaded.stderr

    result = run("report", "--store", store, "--format", "json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    top = report["groups"][0]
    # the family P1 + P2 holds 40% + 15% of C1, which holds 60% of C2
    assert [m["id"] for m in top["members"]] == ["C1", "C2", "P1", "P2"]
    assert [c["id"] for c in top["controllers"]] == ["P1", "P2"]
    # C1: (100 + 0.5 x 50) USD x 7 = 875; C2: 20. Net: C2 guarantees 30 of F1 (eligible)
    assert top["exposure"] == {"gross": 895.0, "net": 895.0}
    c1 = next(m for m in top["members"] if m["id"] == "C1")
    assert c1["exposure"] == {"gross": 875.0, "net": 845.0}
    assert c1["evidence"][0]["rule"] == "R4b"
    assert c1["evidence"][0]["edges"][0]["origin"] == "relationships.csv:2"
    parties = {p["id"]: p for p in report["parties"]}
    assert parties["C2"]["ultimate_controllers"] == ["P1", "P2"]
    assert parties["P1"]["ultimate_controllers"] == []
    assert parties["C1"]["source"] == {"origin": "entities.csv:4"}


def test_bad_input_exits_non_zero_with_the_problem_and_keeps_the_store(tmp_path):
    store = f"embedded:{tmp_path / 'store.sqlite'}"
    good = write_folder(tmp_path / "good", ENTITIES, RELATIONSHIPS, FACILITIES)
    assert run("load", str(good), "--store", store).returncode == 0
    before = (tmp_path / "store.sqlite").read_bytes()

    broken = [dict(r) for r in RELATIONSHIPS]
    broken[0]["share"] = "40"
    bad = write_folder(tmp_path / "bad", ENTITIES, broken, FACILITIES)
    result = run("load", str(bad), "--store", store)
    assert result.returncode == 1
    assert "relationships.csv, line 2, column 'share'" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert (tmp_path / "store.sqlite").read_bytes() == before


def test_report_on_an_empty_store_says_what_to_do(tmp_path):
    result = run("report", "--store", f"embedded:{tmp_path / 'none.sqlite'}")
    assert result.returncode == 1
    assert "nothing loaded yet; run 'groupgraph load DIR' first" in result.stderr
    assert "Traceback" not in result.stderr


def test_demo_prints_groups_ranked_by_exposure_with_controllers(tmp_path):
    result = run("demo", "--folder", str(tmp_path / "demo"), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Top 10 groups by gross exposure, in millions of CNY" in result.stdout
    report = json.loads((tmp_path / "demo" / "report.json").read_text(encoding="utf-8"))
    gross = [g["exposure"]["gross"] for g in report["groups"]]
    assert gross == sorted(gross, reverse=True)
    assert any(g["controllers"] for g in report["groups"][:10])
    assert report["groups"][0]["name"] in result.stdout
    views = sorted(p.name for p in (tmp_path / "demo" / "views").iterdir())
    assert f"{report['groups'][0]['id']}.html" in views
    assert len(views) == 3 + len(report["guarantee_circles"])
    # DESIGN 3b in the demo: the sovereign's bonds are exempt, and limits see 0% of them
    mof = next(g for g in report["groups"] if g["root"] == "S0001")
    assert mof["breakdown"]["exempt"] and mof["breakdown"]["non_exempt"] == 0.0
    assert mof["exposure"]["gross"] > 0
    workbook = openpyxl.load_workbook(tmp_path / "demo" / "returns.xlsx")
    assert len(workbook.sheetnames) == 7          # the six G14 parts and "about"


def test_load_and_report_on_neo4j_match_the_embedded_store(tmp_path, neo4j_store, neo4j_uri):
    folder = write_folder(tmp_path / "data", ENTITIES, RELATIONSHIPS, FACILITIES)
    embedded = f"embedded:{tmp_path / 'store.sqlite'}"
    for store in (embedded, neo4j_uri):
        loaded = run("load", str(folder), "--store", store)
        assert loaded.returncode == 0, loaded.stderr
    on_embedded = json.loads(run("report", "--store", embedded).stdout)
    on_neo4j = json.loads(run("report", "--store", neo4j_uri).stdout)
    assert on_neo4j == on_embedded
    assert on_neo4j["groups"][0]["exposure"] == {"gross": 895.0, "net": 895.0}


def test_unreachable_neo4j_is_a_message_not_a_traceback():
    result = run("report", "--store", "bolt://127.0.0.1:1")
    assert result.returncode == 1
    assert "bolt://127.0.0.1:1: cannot reach Neo4j" in result.stderr
    assert "Traceback" not in result.stderr


def test_report_formats_from_the_command_line(tmp_path):
    folder = write_folder(tmp_path / "data", ENTITIES, RELATIONSHIPS, FACILITIES)
    store = f"embedded:{tmp_path / 'store.sqlite'}"
    assert run("load", str(folder), "--store", store).returncode == 0
    md = run("report", "--store", store, "--format", "md")
    assert md.returncode == 0, md.stderr
    assert "## Limit breaches and warnings" in md.stdout
    assert "王建国" in md.stdout
    assert run("report", "--store", store, "--format", "xlsx", "-o",
               str(tmp_path / "r.xlsx")).returncode == 0
    assert (tmp_path / "r.xlsx").stat().st_size > 0
    assert run("report", "--store", store, "--format", "csv", "-o",
               str(tmp_path / "csv")).returncode == 0
    assert (tmp_path / "csv" / "limits.csv").is_file()
    missing = run("report", "--store", store, "--format", "xlsx")
    assert missing.returncode == 2
    assert "needs -o" in missing.stderr


def test_a_json_report_never_holds_nan_or_infinity(tmp_path):
    # A book the loader refuses (tier 1 capital below one unit), put into the store directly:
    # its share of tier 1 is 1e10 / 1e-300, infinite. The report fails loudly instead of
    # printing Infinity, which strict JSON parsers refuse.
    store = EmbeddedStore(tmp_path / "store.sqlite")
    store.replace(dataset([], [Facility("F1", "X", 1e10)],
                          bank=replace(BANK, tier1_capital=1e-300)))
    result = run("report", "--store", store.uri, "--format", "json")
    assert result.returncode == 1
    assert result.stdout == ""
    assert "ValueError: Out of range float values are not JSON compliant" in result.stderr


def test_as_of_is_year_month_day_only(tmp_path):
    result = run("report", "--store", f"embedded:{tmp_path / 's.sqlite'}", "--as-of", "2024-W01-1")
    assert result.returncode == 2
    assert "expected an ISO date such as 2024-12-31, got '2024-W01-1'" in " ".join(
        result.stderr.split())
