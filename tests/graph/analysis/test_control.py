"""R3-R5: family units, control as a fixpoint, ultimate controllers; hand-computed cases."""

import pytest

from graph.analysis.control import compute_control, family_units
from schema.records import Relationship as R


def owns(a, b, share):
    return R("OWNS", a, b, share=share)


def control_of(edges, parties=None):
    parties = parties or sorted({p for e in edges for p in (e.source, e.target)})
    return compute_control(parties, edges)


def controlled(result, unit):
    return sorted(result.controlled_by_unit(result.unit_of[unit]))


def test_majority_chain_is_control():
    result = control_of([owns("A", "B", 0.6), owns("B", "C", 0.7)])
    assert controlled(result, "A") == ["B", "C"]
    assert result.ultimate_controllers("C") == ["A"]
    assert result.ultimate_controllers("B") == ["A"]


def test_multi_path_control_adds_controlled_holdings():
    # A controls B1 (100%) and B2 (80%); they hold 20% + 40% = 60% of C
    result = control_of([owns("A", "B1", 1.0), owns("A", "B2", 0.8),
                         owns("B1", "C", 0.2), owns("B2", "C", 0.4)])
    assert controlled(result, "A") == ["B1", "B2", "C"]
    link = result.controlled_by_unit("A")["C"]
    assert link.rule == "R4b"
    assert link.share == pytest.approx(0.6, abs=1e-12)
    assert result.ultimate_controllers("C") == ["A"]


def test_exactly_half_is_not_control():
    result = control_of([owns("A", "B", 0.5)])
    assert controlled(result, "A") == []
    assert result.ultimate_controllers("B") == []


def test_float_sums_at_half_are_not_control():
    # 0.1 + 0.2 + 0.2 is 0.5000000000000001 in naive floating point
    result = control_of([owns("A", "X", 1.0), owns("A", "Y", 1.0),
                         owns("A", "T", 0.1), owns("X", "T", 0.2), owns("Y", "T", 0.2)])
    assert "T" not in controlled(result, "A")


def test_family_controls_only_with_relatives_added():
    edges = [owns("P1", "C", 0.3), owns("P2", "C", 0.25), owns("P3", "C", 0.45)]
    # without the tie, nobody has more than half
    alone = control_of(edges)
    assert alone.ultimate_controllers("C") == []
    # with P1 and P2 married: 55%, so the family controls; P3 is not part of it
    family = control_of([*edges, R("RELATIVE_OF", "P1", "P2", relation="spouse")])
    assert family.ultimate_controllers("C") == ["P1", "P2"]
    assert family.unit_of["P1"] == family.unit_of["P2"] == "family:P1"
    assert family.unit_of["P3"] == "P3"


def test_controls_edge_is_control_without_shares():
    result = control_of([R("CONTROLS", "P1", "C1", basis="VIE"), owns("P2", "C1", 0.9),
                         owns("C1", "C2", 0.51)])
    # P1 controls C1 by agreement and C2 through it; P2 with 90% controls C1 too
    assert controlled(result, "P1") == ["C1", "C2"]
    assert result.controlled_by_unit("P1")["C1"].rule == "R4a"
    assert result.ultimate_controllers("C2") == ["P1", "P2"]


def test_design_example_family_controls_c3_through_c1_and_c2():
    edges = [R("RELATIVE_OF", "P1", "P2", relation="spouse"),
             owns("P1", "C1", 0.40), owns("P2", "C1", 0.15), owns("C1", "C2", 0.6),
             owns("C1", "C3", 0.30), owns("C2", "C3", 0.25)]
    result = control_of(edges)
    assert controlled(result, "P1") == ["C1", "C2", "C3"]
    assert controlled(result, "C1") == ["C2", "C3"]
    assert result.ultimate_controllers("C3") == ["P1", "P2"]
    link = result.controlled_by_unit("C1")["C3"]
    assert round(link.share, 12) == 0.55


def test_independent_entity_has_no_controller():
    result = control_of([owns("A", "B", 0.3)])
    assert result.ultimate_controllers("A") == []
    assert result.ultimate_controllers("B") == []


def test_intermediate_controller_is_not_ultimate():
    result = control_of([owns("A", "B", 0.6), owns("B", "C", 0.6)])
    assert result.ultimate_units("C") == ["A"]
    assert "B" not in result.top_units


def test_circular_control_ring_is_ultimate_together():
    result = control_of([owns("C1", "C2", 0.6), owns("C2", "C1", 0.6), owns("C2", "C3", 0.7)])
    assert result.ultimate_controllers("C3") == ["C1", "C2"]
    assert result.ultimate_controllers("C1") == ["C2"]


def test_family_units_are_connected_components():
    units = family_units(["P1", "P2", "P3", "P4", "C"],
                         [R("RELATIVE_OF", "P1", "P2", relation="spouse"),
                          R("RELATIVE_OF", "P2", "P3", relation="child")])
    assert sorted(u.members for u in units.values()) == [("C",), ("P1", "P2", "P3"), ("P4",)]
