"""Hierarchy levels for ownership trees, and layout options that keep big views usable."""

from __future__ import annotations

from schema.records import Relationship as R
from viz.layout import LARGE_VIEW, hierarchical_options, hierarchy_levels, physics_options


def test_controllers_on_top_and_each_holding_below_its_holder():
    edges = [R("OWNS", "P1", "C1", share=0.4), R("OWNS", "P2", "C1", share=0.15),
             R("RELATIVE_OF", "P1", "P2", relation="spouse"), R("OWNS", "C1", "C2", share=0.6),
             R("CONTROLS", "C2", "C3"), R("OWNS", "C1", "C3", share=0.2)]
    levels = hierarchy_levels(["C3", "C2", "C1", "P2", "P1"], edges, roots=["P1", "P2"])
    assert levels == {"P1": 0, "P2": 0, "C1": 1, "C2": 2, "C3": 2}


def test_cross_holdings_do_not_push_levels_down_forever():
    edges = [R("OWNS", "A", "B", share=0.6), R("OWNS", "B", "C", share=0.7),
             R("OWNS", "C", "B", share=0.1)]
    assert hierarchy_levels(["A", "B", "C"], edges, roots=["A"]) == {"A": 0, "B": 1, "C": 2}


def test_a_ring_with_no_one_above_still_gets_levels():
    edges = [R("OWNS", "A", "B", share=0.6), R("OWNS", "B", "A", share=0.6)]
    levels = hierarchy_levels(["A", "B"], edges)
    assert sorted(levels.values()) == [0, 1]


def test_managers_above_dependants_below_and_unconnected_parts_from_their_own_top():
    edges = [R("OWNS", "P", "A", share=0.6), R("MANAGES", "M", "A", role="ceo"),
             R("DEPENDS_ON", "S", "A", share=0.6), R("OWNS", "X", "Y", share=0.9)]
    levels = hierarchy_levels(["P", "A", "M", "S", "X", "Y", "Z"], edges, roots=["P"])
    assert levels["P"] == 0 and levels["A"] == 1
    assert levels["M"] == 0 and levels["S"] == 2
    assert levels["Y"] == levels["X"] + 1
    assert set(levels) == {"P", "A", "M", "S", "X", "Y", "Z"}
    assert min(levels.values()) == 0


def test_levels_start_at_zero_when_a_holder_sits_above_the_root():
    edges = [R("OWNS", "H", "R", share=0.3), R("OWNS", "R", "A", share=0.6)]
    assert hierarchy_levels(["R", "A", "H"], edges, roots=["R"]) == {"R": 1, "A": 2, "H": 0}


def test_large_views_trade_finish_for_speed():
    small, large = physics_options(50), physics_options(LARGE_VIEW)
    assert small["physics"]["stabilization"]["iterations"] > large["physics"]["stabilization"][
        "iterations"]
    assert large["interaction"]["hideEdgesOnDrag"] and not small["interaction"]["hideEdgesOnDrag"]
    assert large["layout"]["improvedLayout"] is False
    tree = hierarchical_options(2000)
    assert tree["physics"]["enabled"] is False
    assert tree["layout"]["hierarchical"]["edgeMinimization"] is False
