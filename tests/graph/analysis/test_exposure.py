"""R7: exposure values, fx, CCF, gross and net views, hand-computed."""

import pytest

from graph.analysis import analyse
from graph.analysis.exposure import Exposure, compute_exposures
from schema.records import Facility as F
from schema.records import Relationship as R
from schema.regime import load_regime
from tests.datasets import BANK, dataset

CN = load_regime("CN-2018")


def exposures(facilities, guarantees=()):
    return compute_exposures(BANK, CN, facilities, list(guarantees))


def test_exposure_value_is_outstanding_plus_ccf_times_undrawn_in_base_currency():
    result = exposures([F("F1", "A", 100.0, undrawn=40.0, ccf=0.25),
                        F("F2", "A", 10.0, undrawn=10.0, ccf=0.5, currency="USD")])
    assert result.facilities["F1"].value == 110.0          # 100 + 0.25 x 40
    assert result.facilities["F2"].value == 105.0          # (10 + 0.5 x 10) x 7
    assert result.of("A") == Exposure(gross=215.0, net=215.0)


def test_default_ccf_comes_from_the_regime_product_table():
    result = exposures([F("F1", "A", 0.0, undrawn=100.0, product="trade_finance"),
                        F("F2", "A", 0.0, undrawn=100.0, product="something_else")])
    assert result.facilities["F1"].ccf == 0.2
    assert result.facilities["F1"].ccf_source == "CN-2018 trade_finance"
    assert result.facilities["F2"].ccf == 1.0
    assert result.of("A").gross == 120.0


def test_eligible_guarantee_of_a_facility_moves_up_to_its_value():
    facilities = [F("F1", "A", 100.0), F("F2", "A", 50.0)]
    result = exposures(facilities, [
        R("GUARANTEES", "G", "A", amount=130.0, facility="F1", eligible=True)])
    assert result.of("A") == Exposure(gross=150.0, net=50.0)   # capped at F1's 100
    assert result.of("G") == Exposure(gross=0.0, net=100.0)


def test_guarantee_without_facility_is_capped_by_borrower_exposure():
    result = exposures([F("F1", "A", 80.0)], [
        R("GUARANTEES", "G1", "A", amount=50.0, eligible=True),
        R("GUARANTEES", "G2", "A", amount=50.0, eligible=True)])
    assert result.of("A") == Exposure(gross=80.0, net=0.0)
    assert result.of("G1").net == 50.0
    assert result.of("G2").net == 30.0                         # only 30 was left


def test_ineligible_guarantee_changes_nothing_and_gross_ignores_guarantees():
    result = exposures([F("F1", "A", 80.0)], [R("GUARANTEES", "G", "A", amount=50.0)])
    assert result.of("A") == Exposure(gross=80.0, net=80.0)
    assert result.of("G") == Exposure()


def test_guarantee_amount_in_foreign_currency_is_converted():
    result = exposures([F("F1", "A", 100.0)], [
        R("GUARANTEES", "G", "A", amount=10.0, currency="USD", eligible=True)])
    assert result.of("A").net == 30.0                          # 100 - 10 x 7


def test_group_exposure_sums_members_and_net_moves_across_groups():
    d = dataset(
        [R("OWNS", "A", "B", share=0.6),
         R("GUARANTEES", "X", "B", amount=40.0, eligible=True),   # outside the group
         R("GUARANTEES", "A", "B", amount=10.0, eligible=True)],  # inside: no group effect
        [F("F1", "A", 100.0), F("F2", "B", 60.0, undrawn=20.0, ccf=0.5), F("F3", "X", 5.0)])
    analysis = analyse(d)
    group = analysis.group_by_member["A"]
    assert group.members == ("A", "B")
    # gross: 100 + 60 + 0.5 x 20 = 170; net: 170 - 40 moved to X
    assert analysis.group_exposure(group) == Exposure(gross=170.0, net=130.0)
    assert analysis.exposures.of("X") == Exposure(gross=5.0, net=45.0)


def test_expired_relationships_are_ignored():
    from datetime import date

    d = dataset([R("OWNS", "A", "B", share=0.9, valid_to=date(2020, 12, 31))],
                [F("F1", "B", 1.0)])
    assert analyse(d, as_of=date(2020, 6, 1)).group_by_member["B"].members == ("A", "B")
    assert analyse(d, as_of=date(2021, 1, 1)).group_by_member["B"].members == ("B",)


def test_unknown_currency_rate_is_a_key_error_not_a_silent_one():
    with pytest.raises(KeyError):
        exposures([F("F1", "A", 1.0, currency="EUR")])
