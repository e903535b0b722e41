"""The four views, read back from the exported HTML: the right parties and relationships,
labels, shapes, sizes, colours, tooltips, layout, legend and truncation note."""

from __future__ import annotations

import pytest

from graph.analysis import analyse
from graph.risk.circles import guarantee_circles
from graph.stores.queries import neighbourhood
from tests.viz.pages import parse_page
from tests.viz.sample import ENTITIES, EXPOSURE, FLAGS, sample_dataset
from viz.style import FLAGS as FLAG_STYLES
from viz.style import NO_FLAG_COLOUR, edge_styles, stress_colour
from viz.views import circle_view, contagion_view, group_html, group_view, neighbourhood_view

DATASET = sample_dataset()
ANALYSIS = analyse(DATASET)
FAMILY_GROUP = ANALYSIS.group_by_member["C1"]


def neighbourhood_page(centre: str = "C1", hops: int = 1, **options):
    sub = neighbourhood(DATASET, centre, hops)
    view = neighbourhood_view(centre, sub.entities, sub.relationships, exposure=EXPOSURE,
                              flags=FLAGS, hops=hops, currency="CNY", **options)
    return view, parse_page(view.to_html())


def test_neighbourhood_has_the_parties_and_relationships_with_their_labels():
    _, page = neighbourhood_page("C1", 1)
    assert set(page.nodes) == {"P1", "P2", "C1", "C2", "C6", "D"}
    labels = {(e["type"], e["from"], e["to"]): e["label"] for e in page.edges}
    assert labels == {
        ("OWNS", "P1", "C1"): "40%",
        ("OWNS", "P2", "C1"): "15%",
        ("RELATIVE_OF", "P1", "P2"): "spouse",
        ("MANAGES", "P1", "C1"): "chairman",
        ("OWNS", "C1", "C2"): "60%",
        ("CONTROLS", "C1", "C6"): "",
        ("DEPENDS_ON", "D", "C1"): "60%",
        ("GUARANTEES", "C2", "C1"): "30",
    }


def test_arrows_point_from_owner_controller_and_guarantor_and_relatives_have_none():
    _, page = neighbourhood_page("C1", 1)
    for kind, source, target in [("OWNS", "P1", "C1"), ("CONTROLS", "C1", "C6"),
                                 ("GUARANTEES", "C2", "C1")]:
        edge = page.edge(kind, source, target)
        assert edge["arrows"]["to"]["enabled"] is True
    assert page.edge("RELATIVE_OF", "P1", "P2")["arrows"]["to"]["enabled"] is False


def test_edges_are_styled_by_relationship_kind():
    _, page = neighbourhood_page("C1", 1)
    styles = edge_styles()
    for edge in page.edges:
        assert edge["color"]["color"] == styles[edge["type"]].colour
    assert page.edge("OWNS", "P1", "C1")["dashes"] is False
    assert page.edge("CONTROLS", "C1", "C6")["dashes"] == list(styles["CONTROLS"].dashes)


def test_parallel_edges_between_two_parties_curve_apart():
    _, page = neighbourhood_page("C1", 1)
    owns, guarantee = page.edge("OWNS", "C1", "C2"), page.edge("GUARANTEES", "C2", "C1")
    assert {owns["smooth"]["type"], guarantee["smooth"]["type"]} in (
        {"curvedCW"}, {"curvedCCW"})  # opposite directions: the same turn means opposite sides


def test_nodes_shape_by_kind_size_by_exposure_colour_by_flag():
    _, page = neighbourhood_page("C3", 1)
    nodes = page.nodes
    assert nodes["B1"]["shape"] == "diamond" and nodes["B1"]["kind"] == "bank"
    assert nodes["C3"]["shape"] == "square"
    _, page = neighbourhood_page("C2", 2)
    nodes = page.nodes
    assert nodes["P1"]["shape"] == "dot" and nodes["P1"]["kind"] == "person"
    assert nodes["C1"]["size"] > nodes["C2"]["size"] > nodes["P1"]["size"]
    # the most severe flag fills, the second one borders
    assert nodes["C1"]["flags"] == ["LIMIT_BREACH", "LARGE_EXPOSURE"]
    assert nodes["C1"]["color"]["background"] == FLAG_STYLES["LIMIT_BREACH"].colour
    assert nodes["C1"]["color"]["border"] == FLAG_STYLES["LARGE_EXPOSURE"].colour
    assert nodes["C2"]["color"]["background"] == NO_FLAG_COLOUR


def test_a_defaulted_status_shows_as_the_defaulted_flag():
    _, page = neighbourhood_page("C5", 1)
    assert page.nodes["C5"]["flags"] == ["DEFAULTED"]
    assert page.nodes["C5"]["color"]["background"] == FLAG_STYLES["DEFAULTED"].colour


def test_hover_shows_id_name_exposure_and_flags():
    _, page = neighbourhood_page("C1", 1)
    title = page.nodes["C1"]["title"].splitlines()
    assert title[:5] == ["id: C1", "name: 华信实业集团有限公司", "kind: company",
                         "exposure (gross): 800 CNY", "flags: LIMIT_BREACH, LARGE_EXPOSURE"]
    assert "flags: none" in page.nodes["P1"]["title"]
    assert "row: relationships.csv:2" in page.edge("OWNS", "P1", "C1")["title"]


def test_chinese_names_travel_as_utf8_text():
    view, page = neighbourhood_page("P1", 1)
    assert page.html.lstrip().lower().startswith("<!doctype html>")
    assert ("meta", {"charset": "utf-8"}) in page.tags
    assert page.nodes["P1"]["label"] == "王建国"
    assert "王建国 [P1]" in page.visible_text
    assert view.to_html().encode("utf-8").decode("utf-8") == page.html


def test_every_view_has_the_legend():
    _, page = neighbourhood_page("C1", 1)
    text = page.visible_text
    for entry in ["Legend", "company", "person", "bank", "size: gross exposure", "defaulted",
                  "limit breach", "limit warning", "large exposure", "guarantee circle",
                  "cross-holding", "OWNS (share)", "GUARANTEES (amount)", "RELATIVE_OF"]:
        assert entry in text, entry


def test_neighbourhood_uses_physics_then_freezes_and_marks_the_centre():
    _, page = neighbourhood_page("C1", 1)
    options = page.data["options"]
    assert options["physics"]["enabled"] is True
    assert options["physics"]["stabilization"]["enabled"] is True
    assert "hierarchical" not in options["layout"]
    assert 'setOptions({physics: {enabled: false}})' in page.html
    assert page.nodes["C1"]["shadow"]["enabled"] is True          # the centre: a dark halo
    assert page.nodes["C1"]["color"]["border"] == FLAG_STYLES["LARGE_EXPOSURE"].colour
    assert "shadow" not in page.nodes["C2"]
    assert page.data["meta"] == {"view": "neighbourhood", "nodes": 6, "edges": 8,
                                 "total_nodes": 6, "total_edges": 8, "truncated": False,
                                 "centre": "C1", "hops": 1}


def test_group_view_puts_controllers_on_top_and_shows_the_evidence():
    view = group_view(FAMILY_GROUP, DATASET.entities, ANALYSIS.relationships, exposure=EXPOSURE,
                      flags=FLAGS, name="王建国 family", group_flags=["LIMIT_WARNING"])
    page = parse_page(view.to_html())
    nodes = page.nodes
    assert set(nodes) == {"P1", "P2", "C1", "C2", "C6", "D"}
    levels = {n: nodes[n]["level"] for n in nodes}
    assert levels["P1"] == levels["P2"] == 0
    assert levels["C1"] == 1
    assert levels["C2"] == levels["C6"] == 2
    assert levels["D"] == 2  # depends on C1: one below it
    assert page.data["options"]["layout"]["hierarchical"]["enabled"] is True
    assert page.data["options"]["physics"]["enabled"] is False
    # evidence: P1 40% + P2 15% = 55% (R4b), drawn thicker, explained in the tooltips
    owns = page.edge("OWNS", "P1", "C1")
    assert owns["width"] > edge_styles()["OWNS"].width
    assert "evidence (R4b): family:P1 → C1" in owns["title"]
    assert page.edge("MANAGES", "P1", "C1")["width"] == edge_styles()["MANAGES"].width
    c1 = nodes["C1"]["title"]
    assert "why in the group:" in c1
    assert ("family of 王建国, 李芳 [family:P1] controls 华信实业集团有限公司 [C1] by holdings of more than "
            "half: 王建国 [P1] 40% + 李芳 [P2] 15% = 55% (R4b)") in c1
    assert "ultimate controller of the group" in nodes["P1"]["title"]
    assert "Group 王建国 family" in page.visible_text
    assert "group flags: LIMIT_WARNING" in page.visible_text
    assert "ultimate controllers: 王建国 [P1], 李芳 [P2]" in page.visible_text


def test_circle_view_shows_the_circle_and_the_chains_into_and_out_of_it():
    circle = guarantee_circles(ANALYSIS.relationships, DATASET.bank)[0]
    view = circle_view(circle, DATASET.entities, ANALYSIS.relationships, exposure=EXPOSURE,
                       flags=FLAGS)
    page = parse_page(view.to_html())
    nodes = page.nodes
    assert set(nodes) == {"C3", "C4", "C5", "X", "Y"}
    assert {e["type"] for e in page.edges} == {"GUARANTEES"}
    for member in ("C3", "C4", "C5"):
        assert "GUARANTEE_CIRCLE" in nodes[member]["flags"]
    assert "guarantees the circle: 1 step(s) up the chain" in nodes["X"]["title"]
    assert "guaranteed by the circle: 1 step(s) down the chain" in nodes["Y"]["title"]
    inside = page.edge("GUARANTEES", "C5", "C3")
    assert inside["label"] == "1.25m USD"
    assert inside["width"] > page.edge("GUARANTEES", "X", "C3")["width"]
    assert f"Guarantee circle {circle.id}: 3 members" in page.visible_text


def test_circle_chains_stop_at_the_hop_limit():
    circle = guarantee_circles(ANALYSIS.relationships)[0]
    view = circle_view(circle, DATASET.entities, ANALYSIS.relationships, chain_hops=0)
    assert {n["id"] for n in view.network.nodes} == {"C3", "C4", "C5"}


def test_contagion_view_levels_by_round_and_colours_by_stress():
    rounds = {"C5": 0, "C4": 1}
    stress = {"C5": 1.0, "C4": 1.0, "C3": 0.4, "X": 0.005}
    view = contagion_view(DATASET.entities, ANALYSIS.relationships, rounds=rounds, stress=stress,
                          exposure=EXPOSURE, flags=FLAGS)
    page = parse_page(view.to_html())
    nodes = page.nodes
    assert set(nodes) == {"C5", "C4", "C3", "X"}
    assert {n: nodes[n]["level"] for n in nodes} == {"C5": 0, "C4": 1, "C3": 2, "X": 3}
    assert nodes["C3"]["color"]["background"] == stress_colour(0.4)
    assert nodes["C4"]["flags"][0] == "DEFAULTED"
    assert "GUARANTEE_CIRCLE" in nodes["C3"]["flags"]  # the flags given still show
    assert nodes["C4"]["label"].endswith("round 1 · h=1.00")
    assert nodes["X"]["label"].endswith("h<0.01")
    assert "defaulted in round 1" in nodes["C4"]["title"]
    assert "2 parties defaulted over 2 round(s) (1 initially); 2 more under stress" in page.visible_text
    assert "stress 0 → 1" in page.visible_text


def test_contagion_without_stress_fills_defaults_with_the_defaulted_colour():
    view = contagion_view(DATASET.entities, ANALYSIS.relationships, rounds={"C5": 0})
    node = view.network.nodes[0]
    assert node["color"]["background"] == FLAG_STYLES["DEFAULTED"].colour


def test_a_truncated_view_says_what_was_cut():
    view, page = neighbourhood_page("C1", 2, max_nodes=3)
    assert len(page.nodes) == 3
    assert "C1" in page.nodes
    assert page.data["meta"]["truncated"] is True
    assert page.data["meta"]["total_nodes"] == view.cut.total_nodes > 3
    note = page.visible_text
    assert f"Showing 3 of {view.cut.total_nodes} parties" in note
    assert "Parties left out" in note
    for edge in page.edges:
        assert edge["from"] in page.nodes and edge["to"] in page.nodes


def test_unknown_ids_are_an_error_not_a_silent_gap():
    with pytest.raises(ValueError, match="NOPE"):
        contagion_view(DATASET.entities, ANALYSIS.relationships, rounds={"NOPE": 0})
    with pytest.raises(ValueError, match="centre"):
        neighbourhood_view("NOPE", ENTITIES.values(), [])


def test_html_functions_return_the_page():
    html = group_html(FAMILY_GROUP, DATASET.entities, ANALYSIS.relationships)
    assert parse_page(html).data["meta"]["view"] == "group"
    assert group_html.__name__ == "group_html"
