"""R9: HHI and top-N share, hand-computed."""

import pytest

from graph.analysis import analyse
from graph.risk.concentration import concentration, concentration_by
from schema.records import Facility as F
from schema.records import Relationship as R
from tests.datasets import dataset


def test_hhi_of_40_30_20_10_is_3000():
    c = concentration({"a": 40.0, "b": 30.0, "c": 20.0, "d": 10.0}, top=1)
    assert c.hhi == pytest.approx(3000.0, abs=1e-9)
    assert c.top_share == pytest.approx(0.4)
    assert [i.key for i in c.items] == ["a", "b", "c", "d"]


def test_one_bucket_is_10000_and_empty_book_is_zero():
    assert concentration({"a": 5.0}).hhi == 10_000.0
    assert concentration({}).hhi == 0.0
    assert concentration({"a": 0.0, "b": 0.0}).items == ()


def test_by_group_industry_and_region():
    book = dataset([R("OWNS", "A", "B", share=0.6)],
                   [F("F1", "A", 30.0), F("F2", "B", 10.0), F("F3", "X", 30.0), F("F4", "Y", 30.0)],
                   A={"industry": "C", "region": "CN-GD"}, B={"industry": "K", "region": "CN-GD"},
                   X={"industry": "C"}, Y={"industry": "F", "region": "CN-SH"})
    a = analyse(book)
    by_group = concentration_by(a, "group", top=1)
    # groups {A, B} 40, X 30, Y 30: 0.16 + 0.09 + 0.09
    assert by_group.hhi == pytest.approx(3400.0)
    assert by_group.top_share == pytest.approx(0.4)
    by_industry = concentration_by(a, "industry")
    assert [(i.key, i.exposure) for i in by_industry.items] == [("C", 60.0), ("F", 30.0), ("K", 10.0)]
    assert by_industry.hhi == pytest.approx(3600 + 900 + 100)
    by_region = concentration_by(a, "region")
    assert [(i.key, i.exposure) for i in by_region.items] == [
        ("CN-GD", 40.0), ("(unknown)", 30.0), ("CN-SH", 30.0)]
    with pytest.raises(ValueError, match="expected a dimension"):
        concentration_by(a, "colour")
