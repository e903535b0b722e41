"""The report's R13-R16 figures beside each exposure (``breakdown``), hand-computed on the
test bank (tier 1 1,000)."""

from dataclasses import replace

from graph.analysis import analyse
from graph.reports.report import build_report
from graph.risk import assess
from schema.records import Collateral
from schema.records import Facility as F
from schema.records import Relationship as R
from tests.datasets import dataset


def test_each_party_and_group_reports_its_exempt_part_moves_and_columns():
    # X borrows 100 (loan) with 30 cash collateral and a 20 gov_bond issued by the exempt
    # MOF; X also holds a commitment of 40 at ccf 0.5 (potential 20). H owns 60% of X: one
    # group {H, X}. MOF borrows a bond of 50 (exempt).
    base = dataset([R("OWNS", "H", "X", share=0.6)],
                   [F("F1", "X", 100.0, undrawn=40.0, ccf=0.5), F("F2", "MOF", 50.0, category="bond")],
                   MOF={"counterparty_class": "sovereign", "country": "CN"})
    data = replace(base, collateral=(Collateral("F1", "cash", 30.0),
                                     Collateral("F1", "gov_bond", 20.0, issuer="MOF")))
    report = build_report(assess(analyse(data)))
    parties = {p["id"]: p for p in report["parties"]}
    x = parties["X"]["breakdown"]
    # before: general 100, potential 20 = 120; cash takes 30 off and the bond moves 20 to
    # MOF, from the drawn part first: after, general 100 - 50 = 50, potential 20
    assert x["by_category"]["general"] == {"gross": 100.0, "net": 50.0}
    assert x["by_category"]["potential"] == {"gross": 20.0, "net": 20.0}
    assert (x["moved_out"], x["moved_in"], x["exempt"], x["non_exempt"]) == (50.0, 0.0, False, 70.0)
    mof = parties["MOF"]["breakdown"]
    # MOF: its own bond 50 and the 20 moved onto it, all exempt
    assert (mof["exempt"], mof["exempt_net"], mof["non_exempt"], mof["moved_in"]) == (
        True, 70.0, 0.0, 20.0)
    assert parties["H"]["breakdown"]["by_category"]["general"] == {"gross": 0.0, "net": 0.0}
    (group,) = [g for g in report["groups"] if {m["id"] for m in g["members"]} == {"H", "X"}]
    assert group["breakdown"]["non_exempt"] == 70.0
    assert group["breakdown"]["moved_out"] == 50.0
