"""The views in a real browser: headless Chromium, every request but ``file://`` blocked.

Each exported file must render from the disk alone: no request leaves the page, the canvas
is drawn, the vis network holds every node and edge, physics is off once the layout is done
(the view stops moving), hovering a party shows its tooltip. Screenshots are saved to
``test-artifacts/``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from graph.analysis import analyse
from graph.risk.circles import guarantee_circles
from graph.stores.queries import neighbourhood
from tests.viz.big import big_dataset
from tests.viz.sample import EXPOSURE, FLAGS, sample_dataset
from viz.views import View, circle_view, contagion_view, group_view, neighbourhood_view

DATASET = sample_dataset()
ANALYSIS = analyse(DATASET)

CANVAS_INK = """() => {
  const canvas = document.querySelector('#gg-network canvas');
  const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
  let inked = 0;
  for (let i = 3; i < pixels.length; i += 4) { if (pixels[i] > 0) inked++; }
  return {width: canvas.width, height: canvas.height, inked: inked};
}"""

NODE_ON_SCREEN = """(id) => {
  const at = window.network.canvasToDOM(window.network.getPositions([id])[id]);
  const box = document.getElementById('gg-network').getBoundingClientRect();
  return {x: box.left + at.x, y: box.top + at.y};
}"""

TOOLTIP_SHOWS = """(text) => {
  const tip = document.querySelector('div.vis-tooltip');
  return tip !== null && tip.style.visibility === 'visible' && tip.innerText.includes(text);
}"""


@dataclass
class Opened:
    page: Any
    blocked: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    seconds: float = 0.0


def open_offline(chromium, path: Path, timeout_ms: int = 120_000) -> Opened:
    """Open ``path`` with every non-file request aborted and recorded; wait for the layout."""
    context = chromium.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    opened = Opened(page)

    def route(route) -> None:
        url = route.request.url
        if url.startswith(("file://", "data:")):
            route.continue_()
        else:
            opened.blocked.append(url)
            route.abort()

    context.route("**/*", route)
    page.on("request", lambda request: None if request.url.startswith(("file://", "data:"))
            else opened.blocked.append(request.url))
    page.on("console", lambda message: opened.errors.append(message.text)
            if message.type in ("error", "warning") else None)
    page.on("pageerror", lambda error: opened.errors.append(str(error)))
    start = time.perf_counter()
    page.goto(path.as_uri())
    page.wait_for_selector("html[data-view-state=ready]", timeout=timeout_ms)
    opened.seconds = time.perf_counter() - start
    return opened


def check_rendered(opened: Opened, view: View, screenshot: Path) -> None:
    page = opened.page
    assert opened.blocked == [], f"the page tried to load {opened.blocked}"
    assert opened.errors == [], opened.errors
    assert page.evaluate("window.network.body.data.nodes.length") == view.node_count
    assert page.evaluate("window.network.body.data.edges.length") == view.edge_count
    ink = page.evaluate(CANVAS_INK)
    assert ink["width"] > 300 and ink["height"] > 200
    assert ink["inked"] > 500, f"the canvas looks blank: {ink}"
    # physics is off once ready: nothing moves any more
    before = page.evaluate("window.network.getPositions()")
    page.wait_for_timeout(400)
    assert page.evaluate("window.network.getPositions()") == before
    page.screenshot(path=str(screenshot))
    assert screenshot.stat().st_size > 10_000


def sample_views() -> dict[str, View]:
    sub = neighbourhood(DATASET, "C1", 2)
    circle = guarantee_circles(ANALYSIS.relationships, DATASET.bank)[0]
    common = {"exposure": EXPOSURE, "flags": FLAGS, "currency": "CNY"}
    return {
        "neighbourhood": neighbourhood_view("C1", sub.entities, sub.relationships, hops=2,
                                            **common),
        "group": group_view(ANALYSIS.group_by_member["C1"], DATASET.entities,
                            ANALYSIS.relationships, name="王建国 family", **common),
        "circle": circle_view(circle, DATASET.entities, ANALYSIS.relationships, **common),
        "contagion": contagion_view(DATASET.entities, ANALYSIS.relationships,
                                    rounds={"C5": 0, "C4": 1}, stress={"C5": 1.0, "C4": 1.0,
                                                                       "C3": 0.45}, **common),
    }


@pytest.mark.parametrize("kind", ["neighbourhood", "group", "circle", "contagion"])
def test_each_view_renders_offline(chromium, artifacts, tmp_path, kind):
    view = sample_views()[kind]
    path = view.write(tmp_path / f"{kind}.html")
    opened = open_offline(chromium, path)
    try:
        check_rendered(opened, view, artifacts / f"view-{kind}.png")
    finally:
        opened.page.context.close()


def test_hovering_a_party_shows_its_id_name_exposure_and_flags(chromium, tmp_path):
    view = sample_views()["group"]
    opened = open_offline(chromium, view.write(tmp_path / "group.html"))
    page = opened.page
    try:
        at = page.evaluate(NODE_ON_SCREEN, "C1")
        page.mouse.move(at["x"], at["y"])
        page.wait_for_function(TOOLTIP_SHOWS, arg="id: C1", timeout=10_000)
        tip = page.inner_text("div.vis-tooltip")
        assert "name: 华信实业集团有限公司" in tip
        assert "exposure (gross): 800 CNY" in tip
        assert "flags: LIMIT_BREACH, LARGE_EXPOSURE" in tip
        assert "why in the group:" in tip
        # the name is text in the page, as Chinese
        assert page.evaluate("window.network.body.data.nodes.get('P1').name") == "王建国"
    finally:
        page.context.close()


@pytest.fixture(scope="module")
def big_views() -> dict[str, View]:
    dataset = big_dataset()
    analysis = analyse(dataset)
    exposure = {p: analysis.exposures.of(p).gross for p in dataset.entities}
    sub = neighbourhood(dataset, "H", 6)
    return {
        "neighbourhood": neighbourhood_view("H", sub.entities, sub.relationships, hops=6,
                                            exposure=exposure),
        "group": group_view(analysis.group_by_member["H"], dataset.entities,
                            analysis.relationships, exposure=exposure),
    }


@pytest.mark.parametrize("kind", ["group", "neighbourhood"])
def test_a_2000_party_view_stays_usable(chromium, artifacts, tmp_path, big_views, kind):
    view = big_views[kind]
    assert view.node_count == 2000 and view.cut.total_nodes == 2553
    path = view.write(tmp_path / f"big-{kind}.html")
    assert path.stat().st_size < 5_000_000
    opened = open_offline(chromium, path)
    try:
        check_rendered(opened, view, artifacts / f"view-{kind}-2000.png")
        assert opened.seconds < 60, f"the layout took {opened.seconds:.1f} s"
        note = opened.page.inner_text("#gg-note")
        assert "Showing 2,000 of 2,553 parties" in note
        # still interactive: zooming redraws
        opened.page.evaluate("window.network.moveTo({scale: 1.5})")
        assert opened.page.evaluate(CANVAS_INK)["inked"] > 0
    finally:
        opened.page.context.close()
