"""R19: headroom and what-if, hand-computed on a bank with tier 1 capital 1,000 and net
capital 1,200 (CN-2018): single party 15% = 150, loans 10% of net capital = 120, group 20% =
200; warnings from 80% of a limit."""

from dataclasses import replace

import pytest

from graph.analysis import analyse
from graph.risk import assess
from graph.risk.headroom import checked_exposure, headroom
from graph.risk.subjects import UnknownSubject
from graph.risk.whatif import InvalidProposal, parse_proposals, what_if
from schema.records import Facility as F
from schema.records import Relationship as R
from tests.datasets import dataset


def rooms(book, party, regime=None):
    analysis = analyse(book, regime=regime)
    return headroom(assess(analysis), party)


def table(room):
    return {(h.check.subject_kind, h.check.check): (h.limit_amount, h.exposure, h.headroom)
            for h in room.limits}


def test_loans_and_single_party_tie_and_the_first_in_the_regime_file_binds():
    # loans 100 and 30 of trade finance (not a loan product): exposure 130, loans 100;
    # single 150 - 130 = 20, loans 120 - 100 = 20: a tie, single_party is listed first
    room = rooms(dataset([], [F("F1", "A", 100.0, product="loan"),
                              F("F2", "A", 30.0, product="trade_finance")]), "A")
    assert table(room) == {("party", "single_party"): (150.0, 130.0, 20.0),
                           ("party", "single_party_loans"): (120.0, 100.0, 20.0)}
    assert room.binding.check.check == "single_party"
    assert room.group_id is None


def test_loans_bind_clearly():
    # loans 110 and 10 of trade finance: single 150 - 120 = 30, loans 120 - 110 = 10
    room = rooms(dataset([], [F("F1", "A", 110.0), F("F2", "A", 10.0, product="trade_finance")]), "A")
    assert table(room)[("party", "single_party_loans")] == (120.0, 110.0, 10.0)
    assert table(room)[("party", "single_party")] == (150.0, 120.0, 30.0)
    assert room.binding.check.check == "single_party_loans"


def test_only_loan_category_facilities_count_as_loans():
    # a loan of 100 and a bond of 30 (product empty, category bond): loans are 100 only,
    # exposure 130; a bond of 130 would have made the loans 130, above 120
    room = rooms(dataset([], [F("F1", "A", 100.0), F("F2", "A", 30.0, category="bond")]), "A")
    assert table(room)[("party", "single_party_loans")] == (120.0, 100.0, 20.0)
    assert table(room)[("party", "single_party")] == (150.0, 130.0, 20.0)


def test_group_headroom_at_20_percent():
    # P holds 60% of A and of B: one group. A borrows 90, B 60 (both loans): group 150.
    book = dataset([R("OWNS", "P", "A", share=0.6), R("OWNS", "P", "B", share=0.6)],
                   [F("F1", "A", 90.0), F("F2", "B", 60.0)])
    a = rooms(book, "A")
    # A: single 150 - 90 = 60, loans 120 - 90 = 30, group 200 - 150 = 50: loans bind
    assert table(a) == {("party", "single_party"): (150.0, 90.0, 60.0),
                        ("party", "single_party_loans"): (120.0, 90.0, 30.0),
                        ("group", "group"): (200.0, 150.0, 50.0)}
    assert a.binding.check.check == "single_party_loans"
    assert a.group_id is not None and a.binding.check.subject == "A"
    # B: single 90, loans 60, group 50: the group binds
    b = rooms(book, "B")
    assert b.binding.check.check == "group" and b.binding.check.subject == a.group_id
    assert b.binding.headroom == 50.0
    # P borrows nothing: its own limits are whole (150 and 120), the group's 200 - 150 = 50
    # binds
    p = rooms(book, "P")
    assert table(p) == {("party", "single_party"): (150.0, 0.0, 150.0),
                        ("party", "single_party_loans"): (120.0, 0.0, 120.0),
                        ("group", "group"): (200.0, 150.0, 50.0)}
    assert p.binding.check.check == "group"


def test_a_new_client_has_each_whole_limit_as_headroom():
    # N borrows nothing and belongs to no group: 15% x 1,000 = 150 and 10% x 1,200 = 120;
    # the loans limit binds. Q and R, one group by Q's 60% of R, borrow nothing either:
    # the group limit 20% x 1,000 = 200 is whole too.
    book = dataset([R("OWNS", "Q", "R", share=0.6)], [F("F1", "A", 10.0)], N={}, Q={}, R={})
    n = rooms(book, "N")
    assert table(n) == {("party", "single_party"): (150.0, 0.0, 150.0),
                        ("party", "single_party_loans"): (120.0, 0.0, 120.0)}
    assert n.binding.check.check == "single_party_loans" and n.group_id is None
    assert table(rooms(book, "R"))[("group", "group")] == (200.0, 0.0, 200.0)
    # a bank (interbank) gets the interbank limit of 25% x 1,000 = 250, not the single ones
    banks = dataset((), [F("F1", "A", 10.0)], K={"is_bank": True})
    assert table(rooms(banks, "K")) == {("party", "interbank"): (250.0, 0.0, 250.0)}


def test_headroom_is_never_below_zero_and_follows_the_regime_view():
    # A borrows 140; G guarantees 40 of it (eligible): gross 140, net 100. Loans stay 140.
    book = dataset([R("GUARANTEES", "G", "A", amount=40.0, facility="F1", eligible=True)],
                   [F("F1", "A", 140.0)])
    net = rooms(book, "A")                                   # CN-2018 says "net"
    assert table(net)[("party", "single_party")] == (150.0, 100.0, 50.0)
    assert table(net)[("party", "single_party_loans")] == (120.0, 140.0, 0.0)   # 120 - 140 < 0
    assert net.binding.check.check == "single_party_loans"
    single = next(h for h in net.limits if h.check.check == "single_party")
    assert (single.check.gross, single.check.net) == (140.0, 100.0)   # before / after mitigation
    gross_regime = replace(analyse(book).regime, limits_apply_to="gross")
    gross = rooms(book, "A", gross_regime)
    assert table(gross)[("party", "single_party")] == (150.0, 140.0, 10.0)
    assert checked_exposure(single.check, gross_regime) == 140.0


def test_headroom_of_an_unknown_party_is_an_error():
    with pytest.raises(UnknownSubject, match="no party has the id 'NOPE'"):
        rooms(dataset([], [F("F1", "A", 10.0)]), "NOPE")


def group_book():
    """P holds 60% of A and of B. A borrows 90, B 80: the group 170 of its 200 (85%)."""
    return dataset([R("OWNS", "P", "A", share=0.6), R("OWNS", "P", "B", share=0.6)],
                   [F("F1", "A", 90.0), F("F2", "B", 80.0)], G={})


def test_what_if_that_would_breach_the_group_limit():
    book = group_book()
    before = assess(analyse(book))
    proposals = parse_proposals([{"borrower": "A", "outstanding": "40", "product": "trade_finance"}],
                                book)
    change = what_if(before, proposals)
    group = before.analysis.group_by_member["A"].id
    assert [(s.subject, s.subject_kind) for s in change.subjects] == [("A", "party"), (group, "group")]
    g = change.subject(group)
    # group: 170 -> 170 + 40 = 210, above 200; headroom 30 -> 0
    assert [(h.exposure, h.headroom) for h in g.before] == [(170.0, 30.0)]
    assert [(h.exposure, h.headroom) for h in g.after] == [(210.0, 0.0)]
    assert [f.code for f in g.flags_before] == ["LIMIT_WARNING", "LARGE_EXPOSURE"]   # 85%, 17%
    assert [(f.code, f.check) for f in g.new_flags] == [("LIMIT_BREACH", "group")]
    a = change.subject("A")
    # A: exposure 90 -> 130 = 86.7% of 150, a warning; loans stay 90 (trade finance is not a
    # loan product): 75% of 120, no flag
    assert [(h.check.check, h.exposure) for h in a.after] == [("single_party", 130.0),
                                                               ("single_party_loans", 90.0)]
    assert [(f.code, f.check) for f in a.new_flags] == [("LIMIT_WARNING", "single_party")]
    assert change.to_dict()["new_flags"] == 2
    assert len(book.facilities) == 2 and change.proposals[0].facility.id == "WHATIF-1"


def test_what_if_with_a_guarantor_moves_the_exposure_after_mitigation():
    book = group_book()
    before = assess(analyse(book))
    [proposal] = parse_proposals([{"borrower": "A", "outstanding": "60", "guarantor": "G",
                                   "guarantee_amount": "60"}], book)
    assert proposal.guarantee.eligible and proposal.guarantee.facility == "WHATIF-1"
    change = what_if(before, [proposal])
    assert [s.subject for s in change.subjects][:2] == ["A", "G"]
    a = {h.check.check: h for h in change.subject("A").after}
    # A: before mitigation 90 + 60 = 150, after it 150 - 60 = 90: headroom 150 - 90 = 60;
    # loans are drawn balances, guarantees do not repay them: 150, headroom 0
    assert (a["single_party"].check.gross, a["single_party"].check.net) == (150.0, 90.0)
    assert a["single_party"].headroom == 60.0
    assert a["single_party_loans"].exposure == 150.0 and a["single_party_loans"].headroom == 0.0
    g = change.subject("G")
    # G had no exposure, so no checks; now 60 after mitigation (0 before): headroom 90
    assert g.before == ()
    single = g.after[0]
    assert (single.check.check, single.check.gross, single.check.net, single.headroom) == (
        "single_party", 0.0, 60.0, 90.0)
    # the group (P, A, B) after mitigation is still 170: the 60 moved to G, outside it
    group = change.subject(before.analysis.group_by_member["A"].id)
    assert [(h.check.gross, h.check.net) for h in group.after] == [(230.0, 170.0)]


def test_bad_proposals_name_the_proposal_and_the_column():
    book = group_book()
    rows = [
        {"borrower": "A", "outstanding": "40"},                              # fine
        {"borrower": "X", "outstanding": "ten"},
        {"borrower": "A", "outstanding": "5", "currency": "EUR", "ccf": "1.5"},
        {"borrower": "A", "outstanding": "5", "guarantor": "G"},
        {"borrower": "A", "outstanding": "5", "id": "F1", "category": "cheese", "colour": "red"},
    ]
    with pytest.raises(InvalidProposal) as raised:
        parse_proposals(rows, book, source="proposals.csv")
    assert [str(p) for p in raised.value.problems] == [
        "proposals.csv, proposal 2, column 'borrower': unknown entity id 'X'",
        "proposals.csv, proposal 2, column 'outstanding': expected a non-negative number such "
        "as 1234.56, got 'ten'",
        "proposals.csv, proposal 3, column 'ccf': expected a number from 0 to 1, got '1.5'",
        "proposals.csv, proposal 3, column 'currency': no exchange rate for EUR in the bank's "
        "[fx] table",
        "proposals.csv, proposal 4, column 'guarantee_amount': expected a value: guarantor is "
        "given",
        "proposals.csv, proposal 5, column 'category': expected one of loan, bond, interbank, "
        "other, am_product, abs, trading, counterparty, off_balance, got 'cheese'",
        "proposals.csv, proposal 5, column 'colour': unknown column; expected id, borrower, "
        "outstanding, undrawn, ccf, product, currency, category, guarantor, guarantee_amount",
        "proposals.csv, proposal 5, column 'id': facility id 'F1' is already taken",
    ]


def test_generated_ids_do_not_clash_with_existing_ones():
    book = dataset([], [F("WHATIF-1", "A", 10.0), F("F2", "B", 10.0)])
    found = parse_proposals([{"borrower": "A", "outstanding": "1"},
                             {"borrower": "B", "outstanding": "2", "id": "WHATIF-3"},
                             {"borrower": "B", "outstanding": "3", "currency": "usd"}], book)
    assert [p.facility.id for p in found] == ["WHATIF-2", "WHATIF-3", "WHATIF-4"]
    assert found[2].facility.currency == "USD"


def test_an_exempt_party_has_its_whole_limit_as_headroom():
    # MOF (China's government, exempt under CN-2018) borrows 100 in bonds: nothing of it is
    # checked, so the 150 of the single-party limit is all room; its exposure stays 100
    book = dataset([], [F("F1", "MOF", 100.0, category="bond")],
                   MOF={"counterparty_class": "sovereign", "country": "CN"})
    room = rooms(book, "MOF")
    assert table(room)[("party", "single_party")] == (150.0, 0.0, 150.0)
    assert room.limits[0].check.gross == 100.0
