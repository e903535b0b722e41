"""R10: guarantee circles and chains; cross-holdings."""

from graph.analysis import analyse
from graph.risk import assess
from graph.risk.circles import cross_holdings, guarantee_chains, guarantee_circles
from schema.records import Facility as F
from schema.records import Relationship as R
from tests.datasets import BANK, dataset


def g(a, b, amount=10.0, **kw):
    return R("GUARANTEES", a, b, amount=amount, **kw)


def test_a_b_c_a_is_one_circle_and_a_chain_is_none():
    circles = guarantee_circles([g("A", "B"), g("B", "C"), g("C", "A"), g("X", "Y")])
    assert [c.members for c in circles] == [("A", "B", "C")]
    assert guarantee_circles([g("X", "Y"), g("Y", "Z")]) == []


def test_circle_totals_convert_currencies_and_carry_the_bank_exposure():
    book = dataset([g("A", "B", 100.0), g("B", "A", 10.0, currency="USD"), g("X", "A", 5.0)],
                   [F("F1", "A", 30.0), F("F2", "B", 20.0), F("F3", "X", 1.0)])
    circle = guarantee_circles(book.relationships, BANK)[0]
    assert circle.total_guaranteed == 170.0               # 100 + 10 x 7; X's is outside
    a = analyse(book)
    assert a.exposures.of_parties(circle.members).gross == 50.0
    risk = assess(a)
    assert [f.code for f in risk.flags_of("A")] == ["LARGE_EXPOSURE", "GUARANTEE_CIRCLE"]
    assert not [f for f in risk.flags_of("X") if f.code == "GUARANTEE_CIRCLE"]


def test_longest_chains_through_a_circle():
    edges = [g("P", "Q"), g("Q", "A"), g("A", "B"), g("B", "A"), g("B", "Z"), g("M", "N")]
    chains = guarantee_chains(edges, top=3)
    circle = guarantee_circles(edges)[0].id
    assert [c.steps for c in chains] == [("P", "Q", circle, "Z"), ("P", "Q", circle), ("M", "N")]
    assert chains[0].length == 3


def test_cross_holdings_are_ownership_rings():
    edges = [R("OWNS", "A", "B", share=0.6), R("OWNS", "B", "C", share=0.7),
             R("OWNS", "C", "B", share=0.1), R("OWNS", "D", "E", share=0.3)]
    assert cross_holdings(edges) == [("B", "C")]
    risk = assess(analyse(dataset(edges)))
    assert [f.code for f in risk.flags_of("B")] == ["CROSS_HOLDING"]
    assert risk.flags_of("A") == []
