"""GraphiQL in a real browser, offline: headless Chromium opens /graphql of a
``groupgraph serve``, GraphiQL renders from the vendored files, a query typed into its editor
runs and its answer shows in the result pane, its docs list the schema and its settings
dialog opens, with every request that does not go to the local server aborted (and none
attempted) and nothing refused by the page's CSP. Then the same
with API keys configured, signed in through /login (the cookie)."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from api.server.graphiql import ASSETS, graphiql_home
from api.server.settings import Settings
from tests.api.conftest import Server, _unavailable, run_in_browser, start_server
from tests.api.server.test_browser import ARTIFACTS, restricted_page

QUERY = '{ groupOf(entityId: "C2") { name size exposure { gross } } }'
ANSWER = {"data": {"groupOf": {"name": "王建国 family", "size": 4, "exposure": {"gross": 895.0}}}}
READER = "reader-key-0123"


@pytest.fixture(scope="module")
def vendored() -> Path:
    """The folder of the real GraphiQL files (skips without them, fails under CI=true)."""
    home = graphiql_home(Settings.from_env({k: v for k, v in os.environ.items()
                                            if k == "GROUPGRAPH_GRAPHIQL_HOME"}))
    missing = [n for n, (_, vendored) in ASSETS.items() if vendored and not (home / n).is_file()]
    if missing:
        _unavailable(f"GraphiQL's files are not in {home} (missing {', '.join(missing)}): "
                     f"run scripts/vendor-graphiql (make setup does)")
    return home


@pytest.fixture(scope="module")
def keyed_server(vendored: Path, sample_folder: Path, tmp_path_factory: pytest.TempPathFactory
                 ) -> Iterator[Server]:
    """``groupgraph serve`` of the sample dataset with an API key required."""
    server = start_server(["--data", str(sample_folder)],
                          tmp_path_factory.mktemp("serve") / "keyed.log",
                          env={"GROUPGRAPH_API_KEYS": f"{READER}:reader"})
    yield server
    server.stop()


def test_graphiql_renders_offline_and_answers_a_query(vendored, embedded_server):
    run_in_browser(lambda browser: query_in_graphiql(browser, embedded_server, "graphiql"))


def test_graphiql_with_api_keys_uses_the_login_cookie(keyed_server):
    run_in_browser(lambda browser: query_in_graphiql(browser, keyed_server, "graphiql-keys",
                                                     sign_in=True))


def query_in_graphiql(browser: Any, server: Server, name: str, sign_in: bool = False) -> None:
    page, blocked, errors = restricted_page(browser, server)
    try:
        if sign_in:
            page.goto(server.url + "/login")
            page.fill("input[name=key]", READER)
            page.click("form[action='/login'] button[type=submit]")
            page.wait_for_selector("#groups")
        page.goto(server.url + "/graphql")
        page.wait_for_selector(".graphiql-container .graphiql-query-editor .CodeMirror",
                               timeout=60_000)
        # the schema came through the page's fetcher (introspection): the docs list our fields
        page.get_by_label("Show Documentation Explorer").click()
        docs = page.locator(".graphiql-doc-explorer")
        docs.get_by_text("Query", exact=True).click()
        docs.get_by_text("groupOf", exact=True).wait_for(timeout=30_000)
        page.evaluate("""query => document.querySelector('.graphiql-query-editor .CodeMirror')
                                   .CodeMirror.setValue(query)""", QUERY)
        page.click(".graphiql-execute-button")
        result = page.locator(".result-window")
        result.get_by_text("王建国 family").wait_for(timeout=30_000)
        shown = page.evaluate("""() => document.querySelector('.result-window .CodeMirror')
                                       .CodeMirror.getValue()""")
        assert json.loads(shown) == ANSWER
        assert "895" in result.inner_text()
        # a dialog adds a <style> element, which the page's CSP allows by nonce only
        page.get_by_label("Open settings dialog").click()
        page.get_by_role("dialog").wait_for()
        page.keyboard.press("Escape")
        page.get_by_role("dialog").wait_for(state="detached")
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"api-{name}.png"))
        assert blocked == [], f"GraphiQL tried to load {blocked}"
        assert errors == [], errors  # CSP refusals are console errors too
    finally:
        page.context.close()
