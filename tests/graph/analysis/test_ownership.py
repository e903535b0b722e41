"""R2: integrated ownership, hand-computed."""

import pytest

from graph.analysis.ownership import OwnershipMatrix, integrated_ownership
from schema.errors import AnalysisError, ClosedOwnershipRing


def test_chain_multiplies_shares():
    holdings = [("A", "B", 0.6), ("B", "C", 0.7)]
    assert integrated_ownership(holdings, "A", "C") == pytest.approx(0.42, abs=1e-12)
    assert integrated_ownership(holdings, "A", "B") == pytest.approx(0.6, abs=1e-12)


def test_paths_add_up():
    # A 100% of B1 and 80% of B2; B1 20% and B2 40% of C: 1.0 x 0.2 + 0.8 x 0.4 = 0.52
    holdings = [("A", "B1", 1.0), ("A", "B2", 0.8), ("B1", "C", 0.2), ("B2", "C", 0.4)]
    assert integrated_ownership(holdings, "A", "C") == pytest.approx(0.52, abs=1e-12)


def test_cross_holding_sums_every_walk():
    # B -> C -> B loops: A in C = 0.6 x 0.7 / (1 - 0.7 x 0.1) = 0.42 / 0.93
    holdings = [("A", "B", 0.6), ("B", "C", 0.7), ("C", "B", 0.1)]
    assert integrated_ownership(holdings, "A", "C") == pytest.approx(0.42 / 0.93, abs=1e-12)
    assert round(integrated_ownership(holdings, "A", "C"), 4) == 0.4516
    # B's walks back to itself count too: B in B = 0.7 x 0.1 / (1 - 0.07)
    assert integrated_ownership(holdings, "B", "B") == pytest.approx(0.07 / 0.93, abs=1e-12)


def test_no_walk_is_zero():
    holdings = [("A", "B", 0.6), ("C", "B", 0.3)]
    assert integrated_ownership(holdings, "A", "C") == 0.0
    assert integrated_ownership(holdings, "B", "A") == 0.0
    assert integrated_ownership(holdings, "nobody", "A") == 0.0


def test_matrix_is_reused_for_many_questions():
    matrix = OwnershipMatrix([("A", "B", 0.5), ("B", "C", 0.5), ("C", "D", 0.5)])
    assert matrix.integrated_row("A") == pytest.approx({"B": 0.5, "C": 0.25, "D": 0.125})


# A and B hold all of each other (R1 allows it); B and C hold half of D each.
RING = [("A", "B", 1.0), ("B", "A", 1.0), ("B", "D", 0.5), ("C", "D", 0.5)]


def test_a_ring_holding_all_of_itself_has_no_integrated_ownership():
    # A in B = 1 + 1 + ...: the walks around the ring never fade out, so I - A is singular
    with pytest.raises(ClosedOwnershipRing) as caught:
        integrated_ownership(RING, "A", "B")
    assert str(caught.value) == (
        "integrated ownership of 'A' in 'B' is not defined: the ring A, B holds 100% of "
        "itself (every share of each of its companies is held within it), so the chains of "
        "holdings around it never fade out")
    assert isinstance(caught.value, AnalysisError)
    assert (caught.value.owner, caught.value.owned, caught.value.ring) == ("A", "B", ("A", "B"))


def test_what_the_ring_holds_is_undefined_for_its_members_and_defined_for_others():
    matrix = OwnershipMatrix(RING)
    with pytest.raises(ClosedOwnershipRing, match=r"^integrated ownership of 'B' in 'D' is not "
                                                  r"defined: the ring A, B holds 100%"):
        integrated_ownership(matrix, "B", "D")
    assert integrated_ownership(matrix, "C", "D") == 0.5
    assert integrated_ownership(matrix, "D", "A") == 0.0
    assert matrix.row("B").rings == {"A": ("A", "B"), "B": ("A", "B"), "D": ("A", "B")}


def test_an_outside_holder_of_a_ring_member_gets_shares_where_they_are_defined():
    # X holds 40% of Y and 1e-7 of A: R1 allows A's shares to sum to 1 + 1e-7 (tolerance
    # 1e-6). X's walks into the ring never fade out; its share of Y stays 0.4.
    matrix = OwnershipMatrix([*RING, ("X", "A", 1e-7), ("X", "Y", 0.4)])
    row = matrix.row("X")
    assert row.shares == {"Y": pytest.approx(0.4, abs=1e-15)}
    assert row.rings == {"A": ("A", "B"), "B": ("A", "B"), "D": ("A", "B")}
    assert row.share_in("Y") == pytest.approx(0.4, abs=1e-15)
    with pytest.raises(ClosedOwnershipRing, match="of 'X' in 'D' is not defined: the ring A, B"):
        row.share_in("D")


def test_a_ring_holding_a_little_less_than_all_of_itself_is_defined():
    # 99% each way: A in B = 0.99 / (1 - 0.99^2) = 0.99 / 0.0199
    holdings = [("A", "B", 0.99), ("B", "A", 0.99)]
    assert integrated_ownership(holdings, "A", "B") == pytest.approx(0.99 / 0.0199, rel=1e-12)


def test_a_column_is_every_row_read_at_one_company():
    # the cross-holding of the DESIGN example, with a closed ring (X, Y) beside it that
    # the column of C never reaches, and one (R, S) above D whose shares it leaves undefined
    holdings = [("A", "B", 0.6), ("B", "C", 0.7), ("C", "B", 0.1), ("P", "A", 0.5),
                ("X", "Y", 1.0), ("Y", "X", 1.0),
                ("R", "S", 1.0), ("S", "R", 1.0), ("S", "D", 0.3), ("Q", "D", 0.2)]
    m = OwnershipMatrix(holdings)
    column = m.column("C")
    # P in C = 0.5 x 0.42 / 0.93; C in C = 0.1 x 0.7 / 0.93 (its walks back to itself)
    assert column.shares == pytest.approx({"P": 0.21 / 0.93, "A": 0.42 / 0.93, "B": 0.7 / 0.93,
                                           "C": 0.07 / 0.93}, abs=1e-12)
    assert column.rings == {}
    for owner, share in column.shares.items():
        assert m.row(owner).share_in("C") == pytest.approx(share, abs=1e-12)
    below = m.column("D")
    assert below.shares == {"Q": 0.2} and below.rings == {"R": ("R", "S"), "S": ("R", "S")}
    with pytest.raises(ClosedOwnershipRing):
        m.row("R").share_in("D")
