"""``groupgraph load`` with GLEIF and BODS files, and ``groupgraph reconcile``, run as a user
runs them: a real process, real files."""

import json

from tests.api.cli.test_cli import run
from tests.datasets import write_folder
from tests.loaders.real_data import gasgrid_file, gleif_files
from tests.loaders.test_merge import BANK_ENTITIES, BANK_FACILITIES, BANK_RELATIONSHIPS


def test_load_public_files_then_reconcile(tmp_path):
    store = f"embedded:{tmp_path / 'store.sqlite'}"
    lei, rr = gleif_files()
    loaded = run("load", str(lei), str(rr), str(gasgrid_file()), "--store", store)
    assert loaded.returncode == 0, loaded.stderr
    assert "16 entities, 16 relationships, 0 facilities" in loaded.stderr

    result = run("reconcile", "--store", store, "--format", "json", "--as-of", "2023-11-06")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["summary"] == {"declarations": 4, "agree": 4, "mismatch": 0}
    assert {(r["check"], r["subject_name"], r["status"]) for r in report["rows"]} == {
        ("indirect interest", "Gasgrid Finland Oy", "agree"),
        ("ultimate parent", "Aquila Real Asset Finance III a. s. v likvidácii", "agree"),
        ("ultimate parent", "MONOOVA GLOBAL PAYMENTS PTY LTD", "agree"),
        ("ultimate parent", "MONOOVA FX PTY LTD", "agree"),
    }
    assert "4 declarations: 4 agree, 0 mismatch" in result.stderr

    # --regime as report takes it: the regime's dependence threshold forms the groups
    basel = run("reconcile", "--store", store, "--regime", "BASEL", "--as-of", "2023-11-06")
    assert json.loads(basel.stdout)["summary"] == report["summary"]
    unknown = run("reconcile", "--store", store, "--regime", "NOPE")
    assert unknown.returncode == 1
    assert "unknown regime 'NOPE': expected one of BASEL, CN-2018" in unknown.stderr

    markdown = run("reconcile", "--store", store, "--format", "md", "--as-of", "2023-11-06")
    assert markdown.returncode == 0
    assert markdown.stdout.startswith("# Reconciliation of declared ownership, as of 2023-11-06")

    # provenance reaches the report's evidence
    report = json.loads(run("report", "--store", store, "--as-of", "2023-11-06").stdout)
    gasgrid = next(g for g in report["groups"] if any(m["name"] == "Gasgrid Finland Oy"
                                                      for m in g["members"]))
    origins = {e["origin"] for m in gasgrid["members"] for step in m["evidence"]
               for e in step["edges"]}
    assert "bods-package-fi-soe.json:156" in origins


def test_load_a_bank_folder_with_gleif_reports_matches(tmp_path):
    folder = write_folder(tmp_path / "bank", BANK_ENTITIES, BANK_RELATIONSHIPS, BANK_FACILITIES)
    store = f"embedded:{tmp_path / 'store.sqlite'}"
    loaded = run("load", str(folder), *map(str, gleif_files()), "--store", store)
    assert loaded.returncode == 0, loaded.stderr
    assert "3 parties matched by LEI or registration id, 0 links stated by two sources, 0 " \
           "conflicts" in " ".join(loaded.stderr.split())
    result = json.loads(run("reconcile", "--store", store, "--as-of", "2023-11-06").stdout)
    assert result["summary"] == {"declarations": 3, "agree": 1, "mismatch": 2}


def test_bad_public_files_exit_1_with_the_place_and_keep_the_store(tmp_path):
    store = f"embedded:{tmp_path / 'store.sqlite'}"
    assert run("load", *map(str, gleif_files()), "--store", store).returncode == 0
    before = (tmp_path / "store.sqlite").read_bytes()
    bad = tmp_path / "bad.json"
    bad.write_text('[{"recordId": "x", "recordType": "entity", "recordDetails": {]}]',
                   encoding="utf-8")
    result = run("load", str(bad), "--store", store)
    assert result.returncode == 1
    assert "bad.json, line 1, column 'JSON': malformed JSON at column 62" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert (tmp_path / "store.sqlite").read_bytes() == before

    other = tmp_path / "notes.txt"
    other.write_text("hello", encoding="utf-8")
    result = run("load", str(other), "--store", store)
    assert result.returncode == 1 and "expected a dataset folder, a GLEIF" in result.stderr
    result = run("load", *map(str, gleif_files()), "--range-share", "mean", "--store", store)
    assert result.returncode == 2 and "expected minimum, maximum or midpoint" in result.stderr
