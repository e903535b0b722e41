"""The exposure model of DESIGN 3b as the Book's arrays, hand-computed."""

from dataclasses import replace

from graph.analysis import analyse
from graph.analysis.lookthrough import ANONYMOUS
from graph.risk.columns import Book
from schema.records import Collateral
from schema.records import Facility as F
from schema.records import Relationship as R
from tests.datasets import dataset


def test_the_book_holds_each_party_s_and_group_s_columns_exemption_and_checked_figure():
    # A holds 60% of B and C. B: a loan of 100 with cash of 30 and a gov bond of 20 on MOF;
    # C: a trading position of 50 and a fund of 10 with no underlyings (to ANONYMOUS)
    d = replace(dataset([R("OWNS", "A", "B", share=0.6), R("OWNS", "A", "C", share=0.6)],
                        [F("F1", "B", 100.0), F("F2", "C", 50.0, category="trading"),
                         F("F3", "C", 10.0, category="am_product")],
                        MOF={"counterparty_class": "sovereign", "country": "CN"}),
                collateral=(Collateral("F1", "cash", 30.0), Collateral("F1", "gov_bond", 20.0, issuer="MOF")))
    a = analyse(d)
    book = Book.of(a)
    at = book.position
    assert book.before[at["B"]].tolist() == [100.0, 0, 0, 0, 0, 0]
    assert book.after[at["B"]].tolist() == [50.0, 0, 0, 0, 0, 0]       # 100 - 30 - 20
    assert (book.moved_out[at["B"]], book.moved_in[at["MOF"]]) == (50.0, 20.0)
    assert book.exempt.tolist() == [p == "MOF" for p in book.parties]
    assert book.checked[at["MOF"]] == 0.0 and book.net[at["MOF"]] == 20.0
    assert book.after[at[ANONYMOUS]].tolist() == [0, 10.0, 0, 0, 0, 0]
    group = a.group_by_member["B"]
    before, after = book.group_columns([group])
    assert before.tolist() == [[100.0, 0, 50.0, 0, 0, 0]]
    assert after.tolist() == [[50.0, 0, 50.0, 0, 0, 0]]
    assert book.group_arrays([group]).checked.tolist() == [100.0]       # 50 + 50
