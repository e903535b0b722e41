"""From an id to a view, with the inputs of a risk assessment."""

from __future__ import annotations

import pytest

from graph.analysis import analyse
from graph.risk import assess
from tests.viz.sample import sample_dataset
from viz.subjects import GrossExposure, ViewError, ViewKind, flag_codes, view_of

ASSESSMENT = assess(analyse(sample_dataset()))
ANALYSIS = ASSESSMENT.analysis
FAMILY = ANALYSIS.group_by_member["C1"]
CIRCLE = ASSESSMENT.circles[0]


def ids(view) -> set[str]:
    return {n["id"] for n in view.network.nodes}


def test_the_kind_follows_the_id():
    assert view_of(ASSESSMENT, FAMILY.id).kind == "group"
    assert view_of(ASSESSMENT, CIRCLE.id).kind == "circle"
    entity = view_of(ASSESSMENT, "C2", hops=1)
    assert entity.kind == "neighbourhood"
    assert ids(entity) == {"C1", "C2"}


def test_an_entity_stands_for_its_group_its_circle_or_a_default():
    assert ids(view_of(ASSESSMENT, "C2", ViewKind.group)) == set(FAMILY.members)
    assert ids(view_of(ASSESSMENT, "C4", "circle")) >= {"C3", "C4", "C5"}
    contagion = view_of(ASSESSMENT, "C5, C4", "contagion")
    assert contagion.kind == "contagion"
    assert {"C5", "C4"} <= ids(contagion)


def test_views_carry_exposure_and_the_assessment_flags():
    view = view_of(ASSESSMENT, FAMILY.id)
    nodes = {n["id"]: n for n in view.network.nodes}
    assert nodes["C1"]["exposure"] == ANALYSIS.exposures.of("C1").gross == 800.0
    assert nodes["C1"]["flags"] == flag_codes(ASSESSMENT)["C1"]
    assert "LIMIT_BREACH" in nodes["C1"]["flags"]  # 800 of tier 1 1000: above 15%
    circle = {n["id"]: n for n in view_of(ASSESSMENT, CIRCLE.id).network.nodes}
    assert "GUARANTEE_CIRCLE" in circle["C3"]["flags"]


def test_gross_exposure_reads_the_analysis():
    gross = GrossExposure(ANALYSIS)
    assert gross["C1"] == 800.0 and gross.get("P1", 0.0) == 0.0
    assert len(gross) == len(ANALYSIS.exposures.parties)


@pytest.mark.parametrize(("ident", "kind", "message"), [
    ("NOPE", None, "no entity, group or guarantee circle has the id 'NOPE'"),
    ("P1", "circle", "'P1' is in no guarantee circle"),
    ("NOPE", "contagion", "unknown: NOPE"),
    (FAMILY.id, "neighbourhood", "is not one"),
    ("C1", None, "hops from 1 to 6"),
])
def test_what_cannot_be_drawn_is_a_clear_error(ident, kind, message):
    with pytest.raises(ViewError, match=message):
        view_of(ASSESSMENT, ident, kind, hops=9)


def test_a_store_can_answer_the_neighbourhood():
    asked = []

    def store_neighbourhood(entity_id, hops):
        asked.append((entity_id, hops))
        from graph.stores.queries import neighbourhood
        return neighbourhood(ANALYSIS.dataset, entity_id, hops)

    view_of(ASSESSMENT, "C1", hops=3, neighbourhood=store_neighbourhood)
    assert asked == [("C1", 3)]


def test_a_contagion_view_reuses_the_assessments_impact_matrix(monkeypatch):
    # the matrix was built once by assess(); building it again per view costs a whole book
    def rebuilt(_analysis):
        raise AssertionError("the contagion view rebuilt the impact matrix")

    monkeypatch.setattr("graph.risk.contagion.impact_matrix", rebuilt)
    view = view_of(ASSESSMENT, "C5", "contagion")
    nodes = {n["id"]: n for n in view.network.nodes}
    assert "C5" in nodes and "C4" in nodes
