"""R8: limits and flags, hand-computed on a bank with tier 1 capital 1,000 and net capital
1,200."""

from dataclasses import replace
from pathlib import Path

import pytest

from graph.analysis import analyse
from graph.risk import assess
from graph.risk.limits import check_limits
from schema.records import Facility as F
from schema.records import Relationship as R
from schema.regime import load_regime
from tests.datasets import BANK, dataset


def checks(a, subject):
    return {c.check: c for c in check_limits(a) if c.subject == subject}


def codes(assessment, subject):
    return sorted(f.code for f in assessment.flags_of(subject))


def group_book(amount_b, amount_c, **fields):
    """A owns 60% of B and of C; the bank lends to B and C."""
    return dataset([R("OWNS", "A", "B", share=0.6), R("OWNS", "A", "C", share=0.6)],
                   [F("F1", "B", amount_b, product="trade_finance"), F("F2", "C", amount_c)],
                   **fields)


def test_cn_group_at_21_percent_breaches_and_at_20_does_not():
    a = analyse(group_book(110.0, 100.0))
    group = a.group_by_member["B"]
    check = checks(a, group.id)["group"]
    assert (check.gross, check.gross_ratio, check.limit) == (210.0, 0.21, 0.20)
    assert check.status() == "breach"
    risk = assess(a)
    assert "LIMIT_BREACH" in codes(risk, group.id)
    flag = next(f for f in risk.flags_of(group.id) if f.code == "LIMIT_BREACH")
    # R8 as amended: CN-2018 checks exposure after mitigation, the figure before it beside
    assert flag.message == (
        f"name of A group [{group.id}]: exposure after mitigation 210.00 CNY is 21.00% of tier 1 "
        "capital (1,000.00), above the 20% limit on a group of connected non-interbank clients "
        "(CN-2018 Art. 6); before mitigation 21.00%")
    assert risk.limit_usage(group) == pytest.approx(1.05)

    at_limit = analyse(group_book(100.0, 100.0))
    group = at_limit.group_by_member["B"]
    assert checks(at_limit, group.id)["group"].status() == "warning"    # 20% >= 80% of 20%
    assert codes(assess(at_limit), group.id) == ["LARGE_EXPOSURE", "LIMIT_WARNING"]


def test_warning_starts_at_80_percent_of_the_limit():
    a = analyse(group_book(80.0, 80.0))                # 16% = 80% of 20%
    assert checks(a, a.group_by_member["B"].id)["group"].status() == "warning"
    a = analyse(group_book(79.0, 80.0))                # 15.9%
    assert checks(a, a.group_by_member["B"].id)["group"].status() == "ok"


def test_large_exposure_at_2_6_percent_and_not_at_2_5():
    risk = assess(analyse(dataset([], [F("F1", "X", 26.0), F("F2", "Y", 25.0)])))
    assert codes(risk, "X") == ["LARGE_EXPOSURE"]
    assert codes(risk, "Y") == []
    flag = risk.flags_of("X")[0]
    assert (flag.ratio, flag.limit) == (0.026, 0.025)


def test_single_party_and_loans_against_net_capital():
    # 130 drawn loan + 40 undrawn revolving at CCF 0.5: exposure 150 = 15% of tier 1 (warning);
    # loans (drawn) 130 + 0 = 130 = 10.83% of net capital 1,200: a breach of the 10% limit
    a = analyse(dataset([], [F("F1", "X", 100.0, product="loan"),
                             F("F2", "X", 30.0, undrawn=40.0, product="revolving"),
                             F("F3", "X", 0.0, undrawn=0.0, product="trade_finance")]))
    found = checks(a, "X")
    assert found["single_party"].gross == 150.0
    assert found["single_party"].status() == "warning"
    assert found["single_party_loans"].gross == 130.0
    assert found["single_party_loans"].denominator_value == 1200.0
    assert found["single_party_loans"].status() == "breach"
    assert codes(assess(a), "X") == ["DEPENDENCE_REVIEW", "LARGE_EXPOSURE", "LIMIT_BREACH",
                                     "LIMIT_WARNING"]


def test_interbank_26_percent_breaches_and_is_not_a_single_party_check():
    a = analyse(dataset([], [F("F1", "BANK1", 260.0)], BANK1={"is_bank": True}))
    found = checks(a, "BANK1")
    assert set(found) == {"interbank"}
    assert found["interbank"].status() == "breach"
    assert "LIMIT_BREACH" in codes(assess(a), "BANK1")


def test_gsib_limit_only_when_the_bank_is_a_gsib():
    book = dataset([], [F("F1", "G", 160.0)], G={"is_bank": True, "is_gsib": True})
    assert set(checks(analyse(book), "G")) == {"interbank"}
    gsib_bank = replace(book, bank=replace(BANK, is_gsib=True))
    found = checks(analyse(gsib_bank), "G")
    assert set(found) == {"interbank", "gsib"}
    assert found["gsib"].status() == "breach"           # 16% > 15%
    assert found["interbank"].status() == "ok"


def test_basel_25_percent_is_not_a_breach_and_large_exposures_start_at_10():
    basel = load_regime("BASEL")
    book = dataset([], [F("F1", "X", 250.0), F("F2", "Y", 100.0), F("F3", "Z", 99.0)])
    a = analyse(book, regime=basel)
    assert checks(a, "X")["any"].status() == "warning"
    assert analyse(dataset([], [F("F1", "X", 251.0)]), regime=basel).regime.name == "BASEL"
    assert checks(analyse(dataset([], [F("F1", "X", 251.0)]), regime=basel), "X")["any"].status() \
        == "breach"
    risk = assess(a)
    assert [f.subject for f in risk.large_exposures] == ["X", "Y"]   # 10% counts, 9.9% not


def test_net_view_reported_beside_gross():
    book = dataset([R("GUARANTEES", "G", "X", amount=100.0, eligible=True)],
                   [F("F1", "X", 160.0)])
    check = checks(analyse(book), "X")["single_party"]
    assert (check.gross_ratio, check.net_ratio) == (0.16, 0.06)
    assert (check.status("gross"), check.status("net")) == ("breach", "ok")


def test_group_of_one_is_checked_as_a_single_party():
    a = analyse(dataset([], [F("F1", "X", 160.0)]))
    group = a.group_by_member["X"]
    assert group.size == 1
    assert not [c for c in check_limits(a) if c.subject == group.id]
    risk = assess(a)
    # 16% of tier 1 breaches 15%; drawn loans 160 are 13.3% of net capital, above 10%
    assert codes(risk, group.id) == codes(risk, "X") == ["DEPENDENCE_REVIEW", "LARGE_EXPOSURE",
                                                         "LIMIT_BREACH", "LIMIT_BREACH"]
    assert risk.limit_usage(group) == pytest.approx(160 / 1200 / 0.10)   # the loans check binds


MOF = {"counterparty_class": "sovereign", "country": "CN"}


def test_an_exempt_sovereign_is_left_out_of_limits_and_large_exposures_but_counted_in_totals():
    # MOF borrows 300: 30% of tier 1, twice the 15% limit, but exempt (CN-2018 Art. 19)
    a = analyse(dataset([], [F("F1", "MOF", 300.0, category="bond"), F("F2", "X", 10.0)], MOF=MOF))
    found = checks(a, "MOF")
    assert (found["single_party"].gross, found["single_party"].net, found["single_party"].checked) == (
        300.0, 300.0, 0.0)
    assert found["single_party"].status() == "ok"
    assert found["single_party"].status("gross") == "breach"       # reported beside
    risk = assess(a)
    assert codes(risk, "MOF") == []                                 # no breach, no large exposure
    assert a.exposures.of_parties(a.dataset.entities).gross == 310.0   # the totals count it


def test_limits_apply_after_mitigation_under_net_and_before_it_under_gross(tmp_path):
    # X borrows 160 (16%), a bank guarantees 100 of it: 6% after mitigation
    book = dataset([R("GUARANTEES", "BANK1", "X", amount=100.0)], [F("F1", "X", 160.0, product="x")],
                   BANK1={"is_bank": True})
    net = analyse(book)
    check = checks(net, "X")["single_party"]
    assert (check.basis, check.checked, check.status()) == ("net", 60.0, "ok")
    assert "LIMIT_BREACH" not in codes(assess(net), "X")
    text = (Path(__file__).parents[3] / "schema" / "regimes" / "CN-2018.toml").read_text(encoding="utf-8")
    own = tmp_path / "gross.toml"
    own.write_text(text.replace('limits_apply_to = "net"', 'limits_apply_to = "gross"'), encoding="utf-8")
    gross = analyse(book, regime=load_regime(own))
    check = checks(gross, "X")["single_party"]
    assert (check.basis, check.checked, check.status()) == ("gross", 160.0, "breach")
    flag = next(f for f in assess(gross).flags_of("X") if f.code == "LIMIT_BREACH")
    assert flag.message.startswith("name of X: gross exposure 160.00 CNY is 16.00%")
    assert flag.message.endswith("; net 6.00%")


def test_a_flag_says_after_mitigation_and_gives_the_figure_before_it():
    # 200 lent, cash of 40: 160 after mitigation, 16% > 15%
    from schema.records import Collateral

    book = replace(dataset([], [F("F1", "X", 200.0, product="x")]),
                   collateral=(Collateral("F1", "cash", 40.0),))
    flag = next(f for f in assess(analyse(book)).flags_of("X") if f.code == "LIMIT_BREACH")
    assert flag.message == (
        "name of X: exposure after mitigation 160.00 CNY is 16.00% of tier 1 capital (1,000.00), "
        "above the 15% limit on a single non-interbank party (CN-2018 Art. 5); before mitigation 20.00%")
    assert (flag.figure, flag.ratio) == (160.0, 0.16)


def test_a_non_bank_financial_institution_is_interbank_by_class():
    # 200 to a non-bank FI: 20% against the interbank 25% (a warning from 20%), not the 15%
    a = analyse(dataset([], [F("F1", "FI", 200.0, category="interbank")],
                        FI={"counterparty_class": "non_bank_fi"}))
    found = checks(a, "FI")
    assert set(found) == {"interbank"}
    assert found["interbank"].status() == "warning"
