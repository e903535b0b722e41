"""The visual language is derived from the model: every relationship kind gets a style and
its caption, including kinds added later."""

from __future__ import annotations

import dataclasses

import pytest

from schema.model import RelationshipKind, load_model
from schema.records import Entity, Relationship
from viz.style import (
    FLAG_ORDER,
    FLAGS,
    MAX_NODE_SIZE,
    MIN_NODE_SIZE,
    edge_caption,
    edge_styles,
    format_share,
    node_kind,
    node_size,
    ordered_flags,
    stress_colour,
)


def test_every_relationship_kind_of_the_model_has_a_style_and_its_caption():
    model = load_model()
    styles = edge_styles()
    assert set(styles) == set(model.relationships)
    for name, kind in model.relationships.items():
        assert styles[name].caption == kind.caption
        assert styles[name].arrows is (not kind.undirected)
    assert styles["OWNS"].caption_type == "share"
    assert styles["GUARANTEES"].caption_type == "amount"


def test_the_core_kinds_look_different():
    styles = edge_styles()
    core = ["OWNS", "CONTROLS", "MANAGES", "RELATIVE_OF", "GUARANTEES", "DEPENDS_ON"]
    looks = {(styles[k].colour, styles[k].dashes) for k in core}
    assert len(looks) == len(core)


def test_a_kind_added_to_the_model_gets_a_fallback_style_and_its_caption():
    model = load_model()
    spec = model.relationships["OWNS"].properties["share"]
    added = RelationshipKind("INVESTS_IN", ("company",), ("company",), {"share": spec},
                             caption="share")
    bigger = dataclasses.replace(model, relationships={**model.relationships, "INVESTS_IN": added})
    styles = edge_styles(bigger)
    assert styles["INVESTS_IN"].arrows is True
    assert edge_caption(Relationship("INVESTS_IN", "A", "B", share=0.25), styles) == "25%"


@pytest.mark.parametrize(("relationship", "caption"), [
    (Relationship("OWNS", "A", "B", share=0.6), "60%"),
    (Relationship("OWNS", "A", "B", share=0.555), "55.5%"),
    (Relationship("OWNS", "A", "B", share=1.0), "100%"),
    (Relationship("DEPENDS_ON", "A", "B", share=0.004), "0.4%"),
    (Relationship("GUARANTEES", "A", "B", amount=30.0), "30"),
    (Relationship("GUARANTEES", "A", "B", amount=2_500_000.0), "2.5m"),
    (Relationship("GUARANTEES", "A", "B", amount=1e9, currency="USD"), "1bn USD"),
    (Relationship("MANAGES", "P", "B", role="legal_representative"), "legal representative"),
    (Relationship("RELATIVE_OF", "P", "Q", relation="spouse"), "spouse"),
    (Relationship("CONTROLS", "A", "B", basis="VIE"), ""),
    (Relationship("UNKNOWN_KIND", "A", "B"), ""),
])
def test_captions(relationship, caption):
    assert edge_caption(relationship) == caption


def test_share_format_keeps_what_matters():
    assert [format_share(s) for s in (0.5, 0.5001, 0.333333, 0.0001)] == ["50%", "50%", "33.3%",
                                                                          "0.01%"]


def test_node_kind_and_size():
    assert node_kind(Entity("B", "Bank", "company", is_bank=True)) == "bank"
    assert node_kind(Entity("P", "Person", "person")) == "person"
    assert node_size(0.0, 0.0) == MIN_NODE_SIZE
    assert node_size(10.0, 10.0) == MAX_NODE_SIZE
    assert MIN_NODE_SIZE < node_size(1.0, 10.0) < node_size(5.0, 10.0) < MAX_NODE_SIZE


def test_flags_are_ordered_by_severity_and_each_has_a_distinct_colour():
    assert ordered_flags(["CROSS_HOLDING", "NEW_FLAG", "LIMIT_WARNING", "LIMIT_WARNING"]) == [
        "LIMIT_WARNING", "CROSS_HOLDING", "NEW_FLAG"]
    assert set(FLAG_ORDER) == set(FLAGS)
    assert len({FLAGS[f].colour for f in FLAG_ORDER}) == len(FLAG_ORDER)


def test_stress_colour_darkens_with_stress():
    def brightness(colour: str) -> int:
        return sum(int(colour[i:i + 2], 16) for i in (1, 3, 5))

    shades = [brightness(stress_colour(h / 10)) for h in range(11)]
    assert shades == sorted(shades, reverse=True)
    assert stress_colour(-1) == stress_colour(0) and stress_colour(2) == stress_colour(1)
