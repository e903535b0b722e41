"""R11 cascade and R12 DebtRank, hand-computed."""

import pytest

from graph.analysis import analyse
from graph.risk.contagion import cascade, debt_rank, impact_matrix, systemic_ranking
from schema.records import Facility as F
from schema.records import Relationship as R
from tests.datasets import dataset


def g(guarantor, borrower, amount):
    return R("GUARANTEES", guarantor, borrower, amount=amount)


def test_guarantor_called_twice_over_two_rounds_breaks_only_on_the_sum():
    # A defaults. B guaranteed A for 50 with net assets 40: called 50 > 40, defaults in round 1.
    # G guaranteed A for 60 and B for 60 with net assets 100: called 60 in round 1 (holds),
    # 60 more once B has defaulted: 120 > 100, defaults in round 2.
    book = dataset([g("B", "A", 50.0), g("G", "A", 60.0), g("G", "B", 60.0), g("H", "G", 1.0)],
                   [F("F1", "A", 10.0), F("F2", "B", 20.0), F("F3", "G", 30.0), F("F4", "H", 5.0)],
                   B={"net_assets": 40.0}, G={"net_assets": 100.0}, H={"net_assets": 0.5})
    result = cascade(analyse(book), ["A"])
    assert result.rounds_of == {"A": 0, "B": 1, "G": 2, "H": 3}    # H: called 1 > 0.5
    assert result.rounds == 3
    assert result.called == {"B": 50.0, "G": 120.0, "H": 1.0}
    assert result.exposure_at_risk == 65.0


def test_one_call_below_net_assets_stops_the_cascade():
    book = dataset([g("G", "A", 60.0)], [F("F1", "A", 10.0)], G={"net_assets": 100.0})
    result = cascade(analyse(book), ["A"])
    assert (result.rounds_of, result.rounds, result.exposure_at_risk) == ({"A": 0}, 0, 10.0)


def test_guarantor_without_net_assets_is_reported_not_judged():
    result = cascade(analyse(dataset([g("G", "A", 60.0)])), ["A"])
    assert result.rounds_of == {"A": 0}
    assert result.called_without_buffer == ("G",)


def test_unknown_party_is_an_error():
    with pytest.raises(KeyError, match="unknown entity ids: nobody"):
        cascade(analyse(dataset([g("G", "A", 1.0)])), ["nobody"])


def chain_book():
    # B guarantees A for 50 (B's net assets 100): W[A->B] = 0.5; C guarantees B for 50 (C's
    # net assets 100): W[B->C] = 0.5. Exposures A 50, B 30, C 20: v = 0.5, 0.3, 0.2.
    return dataset([g("B", "A", 50.0), g("C", "B", 50.0)],
                   [F("F1", "A", 50.0), F("F2", "B", 30.0), F("F3", "C", 20.0)],
                   A={"net_assets": 10.0}, B={"net_assets": 100.0}, C={"net_assets": 100.0})


def test_debt_rank_on_a_chain():
    result = debt_rank(analyse(chain_book()), ["A"])
    assert result.stress == pytest.approx({"A": 1.0, "B": 0.5, "C": 0.25})
    # R = (1 x 0.5 + 0.5 x 0.3 + 0.25 x 0.2) - 1 x 0.5 = 0.2
    assert result.debt_rank == pytest.approx(0.2)


def test_debt_rank_on_a_two_node_cycle_passes_stress_once():
    # A and B guarantee each other for 50 with net assets 100: W = 0.5 both ways. B defaults:
    # A gets 0.5 and passes 0.25 back to B, which is inactive (and at 1 already); then no
    # one is distressed. v_A = 60 / 100, so R = 0.5 x 0.6.
    book = dataset([g("A", "B", 50.0), g("B", "A", 50.0), R("OWNS", "A", "X", share=0.2)],
                   [F("F1", "A", 60.0), F("F2", "B", 40.0)],
                   A={"net_assets": 100.0}, B={"net_assets": 100.0}, X={"net_assets": 100.0})
    result = debt_rank(analyse(book), ["B"])
    # A holds X, but X's distress would hit A, not the reverse: X stays at 0
    assert result.stress == pytest.approx({"A": 0.5, "B": 1.0})
    assert result.debt_rank == pytest.approx(0.5 * 0.6)
    assert result.steps == 3


def test_impact_of_shares_held_uses_the_held_company_net_assets():
    # H holds 40% of J; J's net assets 50, H's 100: W[J -> H] = 0.4 x 50 / 100 = 0.2
    a = analyse(dataset([R("OWNS", "H", "J", share=0.4)],
                        H={"net_assets": 100.0}, J={"net_assets": 50.0}))
    matrix = impact_matrix(a)
    assert matrix.weights[matrix.position["J"], matrix.position["H"]] == pytest.approx(0.2)
    assert matrix.weights.nnz == 1


def test_systemic_ranking_by_each_party_alone():
    ranked = systemic_ranking(analyse(chain_book()), top=3)
    # A alone: 0.2 (above); B alone: C gets 0.5: 0.5 x 0.2 = 0.1; C alone: nothing
    assert ranked == [("A", pytest.approx(0.2)), ("B", pytest.approx(0.1)), ("C", 0.0)]


def test_debt_rank_a_party_without_a_buffer_is_distressed_fully():
    # B guarantees A for 10 with net assets 0: no buffer, W[A->B] = 1 (R12). C guarantees B
    # for 50 with net assets 100: W[B->C] = 0.5. D guarantees A but has no net_assets: it
    # takes no stress. Exposures A 50, B 30, C 20: v = 0.5, 0.3, 0.2.
    book = dataset([g("B", "A", 10.0), g("C", "B", 50.0), g("D", "A", 10.0)],
                   [F("F1", "A", 50.0), F("F2", "B", 30.0), F("F3", "C", 20.0)],
                   A={"net_assets": 10.0}, B={"net_assets": 0.0}, C={"net_assets": 100.0})
    result = debt_rank(analyse(book), ["A"])
    assert result.stress == {"A": 1.0, "B": 1.0, "C": 0.5}
    # R = (1 x 0.5 + 1 x 0.3 + 0.5 x 0.2) - 1 x 0.5 = 0.4
    assert result.debt_rank == pytest.approx(0.4, abs=1e-15)


def test_holding_shares_without_a_buffer_is_a_full_impact_unless_they_are_worth_nothing():
    # H (net assets 0) holds 40% of J (net assets 50): a loss of 20 on no buffer, W = 1.
    # H also holds 10% of K, whose net assets are 0: nothing to lose, no impact.
    a = analyse(dataset([R("OWNS", "H", "J", share=0.4), R("OWNS", "H", "K", share=0.1)],
                        H={"net_assets": 0.0}, J={"net_assets": 50.0}, K={"net_assets": 0.0}))
    matrix = impact_matrix(a)
    assert matrix.weights[matrix.position["J"], matrix.position["H"]] == 1.0
    assert matrix.weights.nnz == 1
