"""The exported file is self-contained: vis-network inline, nothing the browser would fetch."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import pyvis

from graph.analysis import analyse
from graph.risk.circles import guarantee_circles
from graph.stores.queries import neighbourhood
from schema.records import Entity, Relationship
from tests.viz.pages import ABSOLUTE_URL, RESOURCE_ATTRIBUTES, parse_page
from tests.viz.sample import EXPOSURE, FLAGS, sample_dataset
from viz.offline import INERT_URLS, VIS_VERSION, vis_assets
from viz.views import circle_view, contagion_view, group_view, neighbourhood_view

DATASET = sample_dataset()
ANALYSIS = analyse(DATASET)


def all_views() -> dict[str, str]:
    sub = neighbourhood(DATASET, "C1", 2)
    circle = guarantee_circles(ANALYSIS.relationships)[0]
    common = {"exposure": EXPOSURE, "flags": FLAGS}
    return {
        "neighbourhood": neighbourhood_view("C1", sub.entities, sub.relationships, **common)
        .to_html(),
        "group": group_view(ANALYSIS.group_by_member["C1"], DATASET.entities,
                            ANALYSIS.relationships, **common).to_html(),
        "circle": circle_view(circle, DATASET.entities, ANALYSIS.relationships, **common)
        .to_html(),
        "contagion": contagion_view(DATASET.entities, ANALYSIS.relationships,
                                    rounds={"C5": 0, "C4": 1}, stress={"C3": 0.5}, **common)
        .to_html(),
    }


VIEWS = all_views()


@pytest.fixture(params=sorted(VIEWS))
def page(request):
    return parse_page(VIEWS[request.param])


def _loads_something(value: str) -> bool:
    value = value.strip().lower()
    return bool(value) and not value.startswith(("data:", "#", "javascript:void"))


def test_no_element_refers_to_anything_outside_the_file(page):
    for tag, attributes in page.tags:
        assert tag not in ("link", "iframe", "img", "object", "embed", "base", "frame",
                           "audio", "video", "source", "track", "use"), tag
        for name, value in attributes.items():
            if name in RESOURCE_ATTRIBUTES and value is not None:
                assert not _loads_something(value), f"<{tag} {name}={value!r}>"
            assert not ABSOLUTE_URL.search(value or ""), f"<{tag} {name}={value!r}>"
    for attributes, _ in page.scripts:
        assert "src" not in attributes


def test_styles_load_nothing(page):
    for style in page.styles:
        assert "@import" not in style
        for target in re.findall(r"url\(\s*['\"]?([^'\")]+)", style):
            assert target.startswith("data:"), target
        assert not ABSOLUTE_URL.search(style)


def test_the_only_urls_are_inert_strings_inside_vis_network(page):
    script, style = vis_assets()
    found = set(ABSOLUTE_URL.findall(page.html))
    assert found <= INERT_URLS, found - INERT_URLS
    ours = page.html.replace(script, "").replace(style, "")
    assert not ABSOLUTE_URL.search(ours)
    assert not re.search(r"\bcdn|bootstrap|jsdelivr|cloudflare", ours, re.IGNORECASE)


def test_the_inert_urls_are_really_just_text_in_the_script():
    script, _ = vis_assets()
    for url in INERT_URLS:
        assert url in script
    # the SVG namespace is a name passed to createElementNS, never fetched; the rest sit in
    # licence comments and an error message
    assert 'createElementNS("http://www.w3.org/2000/svg",' in script


def test_vis_network_script_and_style_are_inline_from_the_pyvis_package(page):
    folder = Path(pyvis.__file__).parent / "lib" / f"vis-{VIS_VERSION}"
    script = (folder / "vis-network.min.js").read_text(encoding="utf-8")
    style = (folder / "vis-network.css").read_text(encoding="utf-8")
    assert any(body == script for _, body in page.scripts)
    assert style in page.styles


def test_a_content_security_policy_forbids_loading_anything(page):
    policies = [a["content"] for tag, a in page.tags
                if tag == "meta" and (a.get("http-equiv") or "").lower() == "content-security-policy"]
    assert len(policies) == 1
    policy = policies[0]
    assert "default-src 'none'" in policy
    assert "connect-src 'none'" in policy
    assert "img-src data:" in policy


def test_names_cannot_break_out_of_the_data_block():
    evil = '</script><script>alert("x")</script><!--'
    people = [Entity("A", evil, "company"), Entity("B", "B & <b>", "company")]
    html = neighbourhood_view("A", people, [Relationship("OWNS", "B", "A", share=0.5)]).to_html()
    page = parse_page(html)
    assert page.nodes["A"]["name"] == evil
    assert page.nodes["B"]["name"] == "B & <b>"
    assert sum(1 for tag, _ in page.tags if tag == "script") == 3  # data, vis-network, ours
    assert "<b>" not in page.visible_text.replace("B & <b>", "")
    assert evil in page.visible_text  # the title shows the name as text


def test_a_file_on_disk_is_utf8(tmp_path):
    sub = neighbourhood(DATASET, "P1", 1)
    path = neighbourhood_view("P1", sub.entities, sub.relationships).write(tmp_path / "v.html")
    assert "王建国" in path.read_text(encoding="utf-8")
