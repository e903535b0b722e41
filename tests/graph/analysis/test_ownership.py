"""R2: integrated ownership, hand-computed."""

import pytest

from graph.analysis.ownership import OwnershipMatrix, integrated_ownership
from schema.errors import AnalysisError


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


def test_closed_ring_of_full_ownership_is_an_error():
    with pytest.raises(AnalysisError, match="own one another entirely"):
        integrated_ownership([("A", "B", 1.0), ("B", "A", 1.0)], "A", "B")
