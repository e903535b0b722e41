"""R13-R16 (DESIGN 3b): categories, look-through, mitigation, exemptions, hand-computed on
the test bank: tier 1 capital 1,000, net capital 1,200, USD at 7."""

from dataclasses import replace

import pytest

from graph.analysis import analyse
from graph.analysis.exposure import CATEGORIES, Exposure, compute_exposures
from graph.analysis.lookthrough import ANONYMOUS, ANONYMOUS_NAME, UnknownUnderlying
from schema.records import Collateral, ProductParty, Underlying
from schema.records import Facility as F
from schema.records import Relationship as R
from schema.regime import load_regime
from tests.datasets import BANK, dataset

CN = load_regime("CN-2018")
BASEL = load_regime("BASEL")
MOF = {"counterparty_class": "sovereign", "country": "CN"}


def book(relationships=(), facilities=(), underlyings=(), collateral=(), **entities):
    return replace(dataset(relationships, facilities, **entities), underlyings=tuple(underlyings),
                   collateral=tuple(collateral))


def columns(analysis, party, view="gross"):
    """A party's non-zero G14 columns, before (gross) or after (net) mitigation."""
    found = analysis.exposures.breakdown_of(party).by_category
    return {c.category: getattr(c, view) for c in found if getattr(c, view)}


def test_a_party_s_six_categories():
    facilities = [F("F1", "X", 100.0, undrawn=50.0, ccf=0.5),            # general 100, potential 25
                  F("F2", "X", 20.0, category="bond"),                      # general 20
                  F("F3", "X", 5.0, category="other"),                      # other 5
                  F("F4", "X", 30.0, category="trading"),                   # trading 30
                  F("F5", "X", 7.0, category="counterparty"),               # counterparty 7
                  F("F6", "X", 40.0, ccf=0.5, category="off_balance"),      # potential 0.5 x 40 = 20
                  F("F7", "X", 10.0, category="am_product")]                # specific: see below
    # F7's underlying of 1 is below 0.15% x 1,000 = 1.5: it stays with X, the product; the
    # other 9 are unidentified
    a = analyse(book((), facilities, [Underlying("F7", 1.0, obligor="Y")], Y={}))
    assert columns(a, "X") == {"general": 120.0, "specific": 1.0, "trading": 30.0,
                               "counterparty": 7.0, "potential": 45.0, "other": 5.0}
    assert columns(a, "X", "net") == columns(a, "X")              # nothing mitigates
    assert a.exposures.of("X") == Exposure(208.0, 208.0)          # 120 + 1 + 30 + 7 + 45 + 5
    assert columns(a, ANONYMOUS) == {"specific": 9.0}
    assert [c.category for c in a.exposures.breakdown_of("X").by_category] == list(CATEGORIES)
    assert a.exposures.facilities["F6"].value == 20.0
    assert a.exposures.facilities["F6"].column == "potential"


def test_an_underlying_at_the_threshold_moves_to_its_obligor_and_one_just_under_stays():
    # 0.15% of tier 1 is 1.5: X's 1.5 moves to X (and counts in its group with H); Y's
    # 1.0 + 0.49 = 1.49 stays with the fund; the row without obligor and what the rows
    # leave, 100 - 1.5 - 1.49 = 97.01, go to the anonymous client
    rows = [Underlying("F1", 1.5, obligor="X", origin="underlyings.csv:2"),
            Underlying("F1", 1.0, obligor="Y", origin="underlyings.csv:3"),
            Underlying("F1", 0.49, obligor="Y", origin="underlyings.csv:4"),
            Underlying("F1", 10.0, origin="underlyings.csv:5")]
    a = analyse(book([R("OWNS", "H", "X", share=0.6)], [F("F1", "FUND", 100.0, category="am_product")],
                     rows, Y={}))
    assert a.exposures.of("X") == Exposure(1.5, 1.5)
    assert a.exposures.of("FUND").gross == pytest.approx(1.49, abs=1e-12)
    assert a.exposures.of("Y") == Exposure()
    assert a.exposures.of(ANONYMOUS).gross == pytest.approx(97.01, abs=1e-12)
    assert a.group_exposure(a.group_by_member["X"]).gross == 1.5
    # the evidence: the rows that moved it
    (moved,) = a.exposures.moves_of("X")
    assert (moved.kind, moved.source, moved.target, moved.origins) == (
        "look_through", "FUND", "X", ("underlyings.csv:2",))
    (anonymous,) = a.exposures.moves_of(ANONYMOUS)
    assert anonymous.origins == ("underlyings.csv:5",)


def test_the_anonymous_client_is_a_party_of_its_own_checked_as_a_single_party():
    # an abs holding of 200 with no underlying rows is entirely unidentified: 20% of tier 1,
    # above the 15% single-party limit
    d = book((), [F("F1", "SPV", 200.0, category="abs")], SPV={"counterparty_class": "abs_vehicle"})
    a = analyse(d)
    assert ANONYMOUS not in d.entities
    assert a.dataset.entities[ANONYMOUS].name == ANONYMOUS_NAME
    assert a.dataset.version == d.version                 # the same data as loaded
    assert a.group_by_member[ANONYMOUS].members == (ANONYMOUS,)
    assert a.exposures.of(ANONYMOUS) == Exposure(200.0, 200.0)
    assert a.exposures.of("SPV") == Exposure(0.0, 0.0)
    from graph.risk import assess

    risk = assess(a)
    assert {c.check: c.status() for c in risk.checks_of(ANONYMOUS)} == {
        "single_party": "breach", "single_party_loans": "ok"}    # an abs is no loan
    assert "LIMIT_BREACH" in {f.code for f in risk.flags_of(ANONYMOUS)}
    # a book without unidentified exposure has no anonymous client
    assert ANONYMOUS not in analyse(book((), [F("F1", "A", 1.0)])).dataset.entities


def test_cash_reduces_a_government_bond_substitutes_to_an_exempt_issuer_real_estate_does_not():
    # F1 of 100: cash 10 USD = 70 reduces it; of the 30 left, the bond of 50 moves 30 to
    # MOF; the real estate is never recognised
    collateral = [Collateral("F1", "real_estate", 500.0, origin="collateral.csv:2"),
                  Collateral("F1", "cash", 10.0, currency="USD", origin="collateral.csv:3"),
                  Collateral("F1", "gov_bond", 50.0, issuer="MOF", origin="collateral.csv:4")]
    a = analyse(book((), [F("F1", "A", 100.0)], (), collateral, MOF=MOF))
    assert a.exposures.of("A") == Exposure(100.0, 0.0)
    assert a.exposures.of("MOF") == Exposure(0.0, 30.0)
    a_parts, mof = a.exposures.breakdown_of("A"), a.exposures.breakdown_of("MOF")
    # before = after + out - in: A 100 = 0 + 100 - 0; MOF 0 = 30 + 0 - 30
    assert (a_parts.moved_out, a_parts.moved_in) == (100.0, 0.0)
    assert (mof.moved_out, mof.moved_in) == (0.0, 30.0)
    assert (mof.exempt, mof.non_exempt, mof.exempt_net) == (True, 0.0, 30.0)
    assert [(m.kind, m.target, m.amount, m.origins) for m in a.exposures.moves_of("A")] == [
        ("reduction", None, 70.0, ("collateral.csv:3",)),
        ("substitution", "MOF", 30.0, ("collateral.csv:4",))]


def test_only_real_estate_changes_nothing():
    a = analyse(book((), [F("F1", "A", 100.0)], (), [Collateral("F1", "real_estate", 80.0)]))
    assert a.exposures.of("A") == Exposure(100.0, 100.0)


def test_mitigation_takes_the_drawn_part_first_then_the_commitment():
    # F1: 100 drawn (general) + 0.5 x 40 = 20 undrawn (potential); cash of 110 takes the
    # 100 drawn, then 10 of the 20
    a = analyse(book((), [F("F1", "A", 100.0, undrawn=40.0, ccf=0.5)], (),
                     [Collateral("F1", "deposit", 110.0)]))
    assert columns(a, "A", "net") == {"potential": 10.0}
    assert a.exposures.of("A") == Exposure(120.0, 10.0)


def test_collateral_and_guarantees_are_capped_by_what_the_steps_before_left():
    # F1 of 100: cash 60, then a bond of 30 to MOF, then a guarantee of 50 finds only 10
    g = R("GUARANTEES", "BANK1", "A", amount=50.0, facility="F1")
    a = analyse(book([g], [F("F1", "A", 100.0)], (),
                     [Collateral("F1", "cash", 60.0), Collateral("F1", "gov_bond", 30.0, issuer="MOF")],
                     MOF=MOF, BANK1={"is_bank": True}))
    assert (a.exposures.of("A").net, a.exposures.of("MOF").net, a.exposures.of("BANK1").net) == (
        0.0, 30.0, 10.0)


def test_a_corporate_guarantee_moves_only_when_the_row_says_eligible():
    facility = [F("F1", "A", 100.0)]

    def net(eligible, **guarantor):
        g = R("GUARANTEES", "G", "A", amount=40.0, eligible=eligible)
        return analyse(book([g], facility, G=guarantor)).exposures.of("A").net

    assert net(None) == 100.0                                   # a corporate: not by class
    assert net(True) == 60.0                                    # eligible = true overrides
    assert net(None, counterparty_class="bank") == 60.0        # a bank is, by class
    assert net(None, is_bank=True) == 60.0
    assert net(False, is_bank=True) == 100.0                    # eligible = false overrides


def test_the_ccf_floor_of_basel_raises_every_ccf_of_commitments_and_off_balance_items():
    facilities = [F("F1", "A", 0.0, undrawn=100.0, ccf=0.0),
                  F("F2", "A", 200.0, ccf=0.05, category="off_balance"),
                  F("F3", "A", 0.0, undrawn=100.0, ccf=0.2)]
    basel = compute_exposures(BANK, BASEL, facilities, [])
    # BASEL: 0.1 x 100 + 0.1 x 200 + 0.2 x 100 = 10 + 20 + 20
    assert [basel.facilities[f].value for f in ("F1", "F2", "F3")] == [10.0, 20.0, 20.0]
    assert basel.facilities["F1"].ccf_source == "BASEL ccf_floor"
    assert basel.facilities["F3"].ccf_source == "facility"
    # CN-2018 has no floor: 0 + 0.05 x 200 + 0.2 x 100
    cn = compute_exposures(BANK, CN, facilities, [])
    assert [cn.facilities[f].value for f in ("F1", "F2", "F3")] == [0.0, 10.0, 20.0]


def test_exempt_parties_by_class_country_and_rating():
    entities = {"MOF": MOF, "PBOC": {"counterparty_class": "central_bank", "country": "CN"},
                "CDB": {"counterparty_class": "policy_bank", "country": "CN"},
                "UST": {"counterparty_class": "sovereign", "country": "US", "rating": "AA+"},
                "LOW": {"counterparty_class": "sovereign", "country": "XX", "rating": "A+"},
                "BIS": {"counterparty_class": "multilateral"}, "C": {}}
    a = analyse(book((), [F(f"F{p}", p, 10.0) for p in entities], **entities))
    assert {p: a.exposures.breakdown_of(p).exempt for p in entities} == {
        "MOF": True, "PBOC": True, "CDB": True, "UST": True, "LOW": False, "BIS": True, "C": False}
    # BASEL exempts sovereigns and central banks whatever their country or rating
    basel = analyse(book((), [F(f"F{p}", p, 10.0) for p in entities], **entities), regime=BASEL)
    assert [p for p in entities if basel.exposures.breakdown_of(p).exempt] == ["MOF", "PBOC", "UST", "LOW"]


def test_a_group_s_exposure_for_its_limits_leaves_out_its_exempt_members():
    # A holds 60% of the policy bank CDB (exempt under CN-2018) and of C
    d = book([R("OWNS", "A", "CDB", share=0.6), R("OWNS", "A", "C", share=0.6)],
             [F("F1", "CDB", 150.0), F("F2", "C", 100.0)],
             CDB={"counterparty_class": "policy_bank", "country": "CN"})
    a = analyse(d)
    group = a.group_by_member["C"]
    parts = a.exposures.breakdown_of_parties(group.members)
    assert (parts.gross, parts.net, parts.non_exempt, parts.exempt_net, parts.exempt) == (
        250.0, 250.0, 100.0, 150.0, False)


def test_product_parties_are_risk_factors_not_exposure():
    d = replace(book((), [F("F1", "FUND", 10.0, category="am_product")], M={}),
                product_parties=(ProductParty("F1", "M", "manager"),))
    a = analyse(d)
    assert [(p.facility, p.role) for p in a.exposures.risk_factors_of("M")] == [("F1", "manager")]
    assert a.exposures.of("M") == Exposure()


def test_underlyings_of_a_facility_that_is_not_looked_through_are_an_error():
    with pytest.raises(UnknownUnderlying, match="'F1'"):
        analyse(book((), [F("F1", "A", 10.0)], [Underlying("F1", 1.0, obligor="A")]))


def test_an_issuer_or_obligor_that_is_not_a_party_is_an_error():
    from graph.analysis.exposure import UnknownParty

    with pytest.raises(UnknownParty, match="'NOBODY'"):
        analyse(book((), [F("F1", "A", 10.0)], (), [Collateral("F1", "gov_bond", 5.0, issuer="NOBODY")]))
    with pytest.raises(UnknownParty, match="'NOBODY'"):
        analyse(book((), [F("F1", "A", 10.0, category="abs")], [Underlying("F1", 5.0, obligor="NOBODY")]))
