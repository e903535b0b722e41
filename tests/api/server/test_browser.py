"""The analyst pages in a real browser: headless Chromium opens the group list, follows a
group, and sees its members and its network view, with every request that does not go to
the local server aborted (and none attempted)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.api.conftest import Server, run_in_browser
from tests.api.sample import FAMILY

ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts"


def restricted_page(browser: Any, server: Server) -> tuple[Any, list[str], list[str]]:
    """A page whose every request outside ``server`` is aborted and recorded."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    blocked: list[str] = []
    errors: list[str] = []

    def route(route: Any) -> None:
        url = route.request.url
        if url.startswith((server.url + "/", "data:", "about:")):
            route.continue_()
        else:
            blocked.append(url)
            route.abort()

    context.route("**/*", route)
    page = context.new_page()
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: errors.append(message.text)
            if message.type == "error" else None)
    return page, blocked, errors


def test_group_list_to_group_members_and_network_view(embedded_server):
    run_in_browser(lambda browser: group_list_to_group(browser, embedded_server))


def test_search_box_to_a_party_page(embedded_server):
    run_in_browser(lambda browser: search_to_party(browser, embedded_server))


def group_list_to_group(browser: Any, embedded_server: Server) -> None:
    page, blocked, errors = restricted_page(browser, embedded_server)
    try:
        page.goto(embedded_server.url + "/")
        first = page.locator("#groups tbody tr").first
        assert "王建国 family" in first.inner_text()
        assert "LIMIT_BREACH" in first.inner_text()
        # Chinese names are text in the page, drawn with a CJK font: each character's
        # pixels differ from those of a code point no font has (a tofu box)
        drawn = page.evaluate("""() => {
            const family = getComputedStyle(document.querySelector('a.group-link')).fontFamily;
            const canvas = document.createElement('canvas');
            canvas.width = canvas.height = 64;
            const pen = canvas.getContext('2d');
            const draw = (text) => {
                pen.clearRect(0, 0, 64, 64);
                pen.font = '40px ' + family;
                pen.fillText(text, 4, 48);
                return Array.from(pen.getImageData(0, 0, 64, 64).data).join();
            };
            const tofu = draw('\\u{10FFFD}'), blank = draw('');
            return Array.from('王建国').map((c) => draw(c) !== tofu && draw(c) !== blank);
        }""")
        assert drawn == [True, True, True]

        first.locator("a.group-link").click()
        page.wait_for_selector("#members")
        assert page.locator("h1").inner_text().startswith("王建国 family")
        members = page.locator("#members tbody tr").evaluate_all(
            "rows => rows.map(r => r.dataset.entityId)")
        assert members == list(FAMILY)
        assert "王建国" in page.locator("#controllers").inner_text()

        page.locator("#group-view").scroll_into_view_if_needed()
        view = page.frame_locator("#group-view")
        view.locator("html[data-view-state=ready]").wait_for(state="attached", timeout=60_000)
        frame = next(f for f in page.frames if "/views/groups/" in f.url)
        assert frame.evaluate("window.network.body.data.nodes.length") == len(FAMILY)
        assert sorted(frame.evaluate("window.network.body.data.nodes.getIds()")) == sorted(FAMILY)
        assert frame.evaluate("window.network.body.data.nodes.get('P1').name") == "王建国"
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "api-group-page.png"), full_page=True)
        assert blocked == [], f"the pages tried to load {blocked}"
        assert errors == [], errors
    finally:
        page.context.close()


def search_to_party(browser: Any, embedded_server: Server) -> None:
    page, blocked, errors = restricted_page(browser, embedded_server)
    try:
        page.goto(embedded_server.url + "/")
        page.fill("input[name=q]", "明达")
        page.press("input[name=q]", "Enter")
        page.wait_for_selector("#results")
        page.click("#results a[href='/entities/C3']")
        page.wait_for_selector("h1")
        assert page.locator("h1").inner_text().startswith("深圳市明达科技有限公司")
        assert blocked == [] and errors == []
    finally:
        page.context.close()
