"""``groupgraph headroom`` and ``groupgraph whatif`` (R19), run as a user runs them, on the
API's sample book (tests/api/sample.py): tier 1 1,000, net capital 1,200 (CN-2018).

C3 borrows a loan of 120: single party 150 - 120 = 30 of headroom, loans 120 - 120 = 0.
The family group (C1, C2, P1, P2) is 875 + 20 = 895 before mitigation; after it C2's
guarantee of 30 on C1's F1 stays inside the group: 845 + 50 = 895.
"""

import json

from graph.stores.embedded import EmbeddedStore
from tests.api.cli.test_cli import run
from tests.api.sample import write_sample
from tests.datasets import write_table


def loaded(tmp_path):
    folder = write_sample(tmp_path / "data")
    store = f"embedded:{tmp_path / 'store.sqlite'}"
    assert run("load", str(folder), "--store", store).returncode == 0
    return store


def test_headroom_of_a_party_binds_on_loans(tmp_path):
    store = loaded(tmp_path)
    result = run("headroom", "C3", "--store", store)
    assert result.returncode == 0, result.stderr
    room = json.loads(result.stdout)
    assert [(h["check"], h["limit_amount"], h["checked_exposure"], h["headroom"])
            for h in room["limits"]] == [("single_party", 150.0, 120.0, 30.0),
                                         ("single_party_loans", 120.0, 120.0, 0.0)]
    assert room["binding"]["check"] == "single_party_loans"

    c1 = json.loads(run("headroom", "C1", "--store", store).stdout)
    group = {h["check"]: h for h in c1["limits"] if h["subject_kind"] == "group"}["group"]
    # the group: 200 - 895 < 0, so no headroom; C1 binds on the group (its own single party
    # limit is also used up: 845 > 150, and the single check is listed first)
    assert (group["limit_amount"], group["checked_exposure"], group["headroom"]) == (200.0, 895.0, 0.0)
    assert c1["binding"]["check"] == "single_party"

    md = run("headroom", "C3", "--store", store, "--format", "md")
    assert "Binding: **single_party_loans** of party C3, headroom 0.00." in md.stdout

    unknown = run("headroom", "NOPE", "--store", store)
    assert unknown.returncode == 1 and "no party has the id 'NOPE'" in unknown.stderr
    assert "Traceback" not in unknown.stderr


def test_whatif_reports_new_flags_and_leaves_the_store_unchanged(tmp_path):
    store = loaded(tmp_path)
    path = tmp_path / "store.sqlite"
    with EmbeddedStore(path) as opened:
        version = opened.info().version
    content = path.read_bytes()
    # C4 borrows 30; 100 more makes 130 = 86.7% of 150: a new LIMIT_WARNING (loans 130 >
    # 120: a new LIMIT_BREACH too)
    result = run("whatif", "--borrower", "C4", "--outstanding", "100", "--store", store)
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout)
    c4 = next(s for s in answer["subjects"] if s["subject"] == "C4")
    assert [h["checked_exposure"] for h in c4["before"]] == [30.0, 30.0]
    assert [h["checked_exposure"] for h in c4["after"]] == [130.0, 130.0]
    assert sorted((f["code"], f["check"]) for f in c4["new_flags"]) == [
        ("LIMIT_BREACH", "single_party_loans"), ("LIMIT_WARNING", "single_party")]
    assert answer["proposals"] == [{"id": "WHATIF-1", "borrower": "C4", "guarantor": None}]

    proposals = tmp_path / "proposals.csv"
    write_table(proposals, [{"borrower": "C5", "outstanding": "10", "guarantor": "C3",
                             "guarantee_amount": "10"},
                            {"borrower": "C5", "outstanding": "5", "product": "trade_finance"}])
    from_file = run("whatif", str(proposals), "--store", store, "--format", "md")
    assert from_file.returncode == 0, from_file.stderr
    assert "# What-if: WHATIF-1 to C5 guaranteed by C3, WHATIF-2 to C5" in from_file.stdout
    # C5 borrows 10; + 10 guaranteed by C3 (moves to C3 after mitigation) + 5 trade finance:
    # 25 before mitigation, 15 after; C3 120 + 10 = 130 after
    answer = json.loads(run("whatif", str(proposals), "--store", store, "--format", "json").stdout)
    after = {(s["subject"], h["check"]): h for s in answer["subjects"] for h in s["after"]}
    assert (after["C5", "single_party"]["exposure"]["before_mitigation"],
            after["C5", "single_party"]["checked_exposure"]) == (25.0, 15.0)
    assert after["C3", "single_party"]["checked_exposure"] == 130.0

    with EmbeddedStore(path) as opened:
        assert opened.info().version == version
    assert path.read_bytes() == content


def test_whatif_refuses_bad_proposals_with_the_proposal_and_column(tmp_path):
    store = loaded(tmp_path)
    bad = run("whatif", "--borrower", "C4", "--outstanding", "1e16", "--currency", "EUR",
              "--store", store)
    assert bad.returncode == 1
    assert "what-if, proposal 1, column 'outstanding': expected an amount of at most 1e15" in bad.stderr
    assert "what-if, proposal 1, column 'currency': no exchange rate for EUR" in bad.stderr
    assert "Traceback" not in bad.stderr

    proposals = tmp_path / "proposals.csv"
    write_table(proposals, [{"borrower": "C4", "outstanding": "1"},
                            {"borrower": "ZZ", "outstanding": "1"}])
    from_file = run("whatif", str(proposals), "--store", store)
    assert from_file.returncode == 1
    assert "proposals.csv, proposal 2, column 'borrower': unknown entity id 'ZZ'" in from_file.stderr

    both = run("whatif", str(proposals), "--borrower", "C4", "--store", store)
    assert both.returncode == 2 and "not both" in both.stderr
    neither = run("whatif", "--store", store)
    assert neither.returncode == 2
