"""Parity: the Spark engine's tables equal the embedded engine's on the hand-computed cases
of R3-R8 and R15-R17 (the sample portfolio of 10,000 parties: test_analyse_command)."""

from datetime import date

import pandas as pd
import pytest

from graph.analysis.groups import group_id
from graph.spark.io import read_parquet, write_parquet
from graph.spark.tables import embedded_tables, spark_tables, to_pandas
from schema.regime import load_regime
from tests.graph.spark.cases import book

AS_OF = date(2025, 6, 30)
CN = load_regime("CN-2018")


def both(spark, dataset, folder, as_of=AS_OF):
    embedded = embedded_tables(dataset, as_of=as_of, regime=CN)
    write_parquet(dataset, folder)
    on_spark = to_pandas(spark_tables(read_parquet(spark, folder), as_of=as_of, regime=CN))
    return embedded, on_spark


def assert_same(embedded, on_spark):
    for name in ("groups", "controllers", "flags"):
        pd.testing.assert_frame_equal(embedded[name], on_spark[name], check_dtype=False)
    # exposures to 1e-9 of their size (sums taken in another order: at 1e8 an absolute 1e-9
    # is below a double's precision), and never further apart than that
    pd.testing.assert_frame_equal(embedded["exposures"], on_spark["exposures"], check_dtype=False,
                                  rtol=1e-9, atol=1e-9)


@pytest.fixture(scope="module")
def cases(spark, tmp_path_factory):
    return both(spark, book(), tmp_path_factory.mktemp("cases"))


def test_cases_give_the_embedded_tables(cases):
    assert_same(*cases)


def rows(table, key, value, prefix):
    picked = table[table[key].str.startswith(prefix)]
    return sorted(zip(picked[key], picked[value], strict=True))


def test_cases_hand_computed(cases):
    _, spark = cases
    controllers, groups = spark["controllers"], spark["groups"]
    # DESIGN R4: the family {P1, P2} controls C3 through C1 (55%), and C1 through 40 + 15%
    assert rows(controllers, "entity", "controller", "design.C3") == [
        ("design.C3", "design.P1"),
        ("design.C3", "design.P2"),
    ]
    # 0.1 + 0.2 + 0.2 is not more than half; exactly half is not control
    assert rows(controllers, "entity", "controller", "floathalf.T") == []
    assert rows(controllers, "entity", "controller", "half.B") == []
    # a ring: C1 and C2 ultimately control C3 together, and each the other
    assert rows(controllers, "entity", "controller", "ring.") == [
        ("ring.C1", "ring.C2"),
        ("ring.C2", "ring.C1"),
        ("ring.C3", "ring.C1"),
        ("ring.C3", "ring.C2"),
    ]
    # R17: SASAC controls C1 and C2 but groups neither; C2 joins C1 by dependence (0.6)
    state = groups[groups.member.str.startswith("state.")]
    assert state.groupby("group_id").member.apply(sorted).sort_values().tolist() == [
        ["state.C1", "state.C2", "state.C3"],
        ["state.SASAC"],
    ]
    assert group_id(["state.C1", "state.C2", "state.C3"]) in set(state.group_id)
    # a relation "other" joins no family: P4 and P5 stay apart
    families = groups[groups.member.str.startswith("families.")]
    assert families.groupby("group_id").member.apply(sorted).sort_values().tolist() == [
        ["families.C", "families.P1", "families.P2", "families.P3"],
        ["families.P4"],
        ["families.P5"],
    ]


def test_cases_exposures_hand_computed(cases):
    _, spark = cases
    e = {r.party: (r.gross, r.net) for r in spark["exposures"].itertuples()}
    # 100 + 0.25 x 40 = 110; (10 + 0.5 x 10) x 7 = 105; trade finance's ccf 0.2 x 100 = 20
    assert e["values.A"] == pytest.approx((235.0, 235.0), abs=1e-9)
    # G's 130 capped at F1's 100
    assert e["guarantee.A"] == pytest.approx((150.0, 50.0)) and e["guarantee.G"] == (0.0, 100.0)
    # without a facility: G1 takes 50, G2 the 30 left; G3's row is not eligible
    assert (e["capped.A"], e["capped.G1"], e["capped.G2"]) == ((80.0, 0.0), (0.0, 50.0), (0.0, 30.0))
    assert "capped.G3" not in e
    # a bank guarantor is eligible by its class (R16): 100 - 30
    assert e["bankguarantor.A"] == (100.0, 70.0)
    # 30 cash reduces, 50 moves to MOF, the guarantee takes the 20 left
    assert (e["collateral.A"], e["collateral.MOF"], e["collateral.G"]) == (
        (100.0, 0.0),
        (0.0, 50.0),
        (0.0, 20.0),
    )
    # look-through: X's 1.5 reaches 0.15% x 1,000; Y's 1.49 stays with the fund; the rest,
    # 10 - 2.99 = 7.01, and the whole ABS of 5 go to the anonymous client
    assert e["lookthrough.FUND"] == pytest.approx((1.49, 1.49))
    assert e["lookthrough.X"] == pytest.approx((1.5, 1.5))
    assert e["ANONYMOUS"] == pytest.approx((12.01, 12.01))


def test_cases_flags_hand_computed(cases):
    _, spark = cases
    group = group_id(["limits.A", "limits.B", "limits.C"])
    flags = spark["flags"]
    picked = flags[flags.subject.str.startswith("limits.") | (flags.subject == group)]
    assert sorted(zip(picked.subject, picked.code, strict=True)) == sorted(
        [
            # C's loans: 100 / 1,200 = 8.33%, at or above 80% of 10%
            ("limits.C", "LIMIT_WARNING"),
            # the group: 210 / 1,000 = 21% above 20%, and a large exposure (more than 2.5%)
            (group, "LIMIT_BREACH"),
            (group, "LARGE_EXPOSURE"),
            # B's 11% and C's 10%: large, and above 5% (review economic dependence)
            ("limits.B", "LARGE_EXPOSURE"),
            ("limits.C", "LARGE_EXPOSURE"),
            ("limits.B", "DEPENDENCE_REVIEW"),
            ("limits.C", "DEPENDENCE_REVIEW"),
        ]
    )
