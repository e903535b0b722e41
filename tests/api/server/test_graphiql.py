"""GraphiQL served by the app itself (api/server/graphiql.py), over HTTP in process: the page and
its assets under a 'self'-only Content-Security-Policy, known asset names only, no IDE when
the settings turn it off, a clear page when the files are missing, the /login cookie on the
page's queries, and the setup script and the app agreeing on the folder and the files.

The vendored files are stand-ins written into a temporary folder here, so these tests need
no download; tests/api/test_graphiql_browser.py runs the real ones."""

from __future__ import annotations

import importlib.machinery
import importlib.util
import re
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

from api.server.graphiql import ASSETS, GRAPHIQL_VERSION, graphiql_home
from api.server.security import COOKIE, PAGE_HEADER
from api.server.settings import Settings
from tests.api.conftest import ROOT, in_process

SCRIPT = ROOT / "scripts" / "vendor-graphiql"
QUERY = {"query": '{ entity(id: "C1") { name } }'}
READER = "reader-key-0123"
ELSEWHERE = re.compile(r"""(?:src|href|action)\s*=\s*["']?(?:https?:)?//""", re.IGNORECASE)


def vendor_script() -> ModuleType:
    """scripts/vendor-graphiql as a module (its name has no .py)."""
    loader = importlib.machinery.SourceFileLoader("vendor_graphiql", str(SCRIPT))
    spec = importlib.util.spec_from_loader("vendor_graphiql", loader)
    assert spec is not None
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


@pytest.fixture
def home(tmp_path: Path) -> Path:
    """A folder holding a stand-in for every vendored file."""
    folder = tmp_path / "graphiql"
    folder.mkdir()
    for name, (_, vendored) in ASSETS.items():
        if vendored:
            (folder / name).write_text(f"/* stand-in for {name} */\n", encoding="utf-8")
    return folder


def assert_self_only(csp: str, style_nonce: bool = False) -> None:
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";"))
    assert directives["default-src"] == "'none'"
    for name in ("script-src", "connect-src"):
        assert directives[name] == "'self'", (name, csp)
    if style_nonce:  # the page: the <style> GraphiQL's dialogs add carries this nonce
        assert re.fullmatch(r"'self' 'nonce-[A-Za-z0-9_-]{24}'", directives["style-src"]), csp
    else:
        assert directives["style-src"] == "'self'", csp
    assert "unsafe" not in csp and "http" not in csp and "*" not in csp


def test_the_page_and_every_asset_it_loads_are_served_from_here_with_the_csp(sample_store, home):
    with in_process(sample_store, graphiql_home=home) as client:
        page = client.get("/graphql", headers={"accept": "text/html"})
        assert page.status_code == 200
        assert page.headers["content-type"] == "text/html; charset=utf-8"
        csp = page.headers["content-security-policy"]
        assert_self_only(csp, style_nonce=True)
        nonce = csp.split("'nonce-")[1].split("'")[0]
        assert f'data-style-nonce="{nonce}"' in page.text
        again = client.get("/graphql", headers={"accept": "text/html"})
        assert nonce not in again.headers["content-security-policy"]  # one per response
        assert page.headers["x-content-type-options"] == "nosniff"
        assert not ELSEWHERE.search(page.text), "the page refers to another site"
        assert "<script>" not in page.text and "<style" not in page.text  # nothing inline
        loaded = re.findall(r'(?:src|href)="([^"]+)"', page.text)
        assert sorted(loaded) == sorted(f"/graphql/assets/{name}" for name in (
            "graphiql.min.css", "groupgraph-graphiql.css", "react.production.min.js",
            "react-dom.production.min.js", "graphiql.min.js", "groupgraph-graphiql.js"))
        for url in loaded:
            asset = client.get(url)
            assert asset.status_code == 200, url
            assert_self_only(asset.headers["content-security-policy"])
            kind = "text/css" if url.endswith(".css") else "text/javascript"
            assert asset.headers["content-type"].startswith(kind), url
        assert client.get("/graphql/assets/react.production.min.js").text == \
            "/* stand-in for react.production.min.js */\n"
        assert "credentials: \"same-origin\"" in client.get(
            "/graphql/assets/groupgraph-graphiql.js").text
        licence = client.get("/graphql/assets/LICENSE.graphiql")
        assert licence.status_code == 200 and licence.headers["content-type"].startswith(
            "text/plain")
        # Strawberry still answers the queries
        assert client.post("/graphql", json=QUERY).json() == {
            "data": {"entity": {"name": "华信实业集团有限公司"}}}


@pytest.mark.parametrize("name", ["unknown.js", "graphiql.js", "graphiql.min.js.map", ".installed",
                                  "..%2Fgraphiql.min.js", "..%2F..%2Fpyproject.toml",
                                  "%2Fetc%2Fpasswd", "LICENSE"])
def test_an_unknown_asset_name_is_404(sample_store, home, name):
    (home / ".installed").write_text("stamp", encoding="utf-8")
    (home / "graphiql.js").write_text("not served", encoding="utf-8")
    with in_process(sample_store, graphiql_home=home) as client:
        response = client.get(f"/graphql/assets/{name}")
        assert response.status_code == 404
        assert "stand-in" not in response.text and "not served" not in response.text
        assert "[build-system]" not in response.text and "root:" not in response.text


@pytest.mark.parametrize("settings", [{"graphiql": False}, {"introspection": False}])
def test_no_ide_when_graphiql_or_introspection_is_off(sample_store, home, settings):
    with in_process(sample_store, graphiql_home=home, **settings) as client:
        page = client.get("/graphql", headers={"accept": "text/html"})
        assert page.status_code == 404
        assert "graphiql" not in page.text.lower()
        assert client.get("/graphql/assets/graphiql.min.js").status_code == 404
        assert client.get("/graphql/assets/groupgraph-graphiql.js").status_code == 404
        assert client.post("/graphql", json=QUERY).json()["data"]["entity"]["name"]


def test_graphiql_false_in_the_environment_turns_the_ide_off(sample_store, home):
    settings = Settings.from_env({"GROUPGRAPH_GRAPHIQL": "false",
                                  "GROUPGRAPH_GRAPHIQL_HOME": str(home)})
    assert settings.graphiql_home == home and not settings.graphiql
    with in_process(sample_store, **vars(settings)) as client:
        assert client.get("/graphql", headers={"accept": "text/html"}).status_code == 404


def test_missing_files_give_a_page_naming_the_command_never_a_cdn(sample_store, tmp_path):
    with in_process(sample_store, graphiql_home=tmp_path / "not-there") as client:
        page = client.get("/graphql", headers={"accept": "text/html"})
        assert page.status_code == 503
        assert page.headers["content-type"] == "text/html; charset=utf-8"
        assert_self_only(page.headers["content-security-policy"])
        assert "GraphiQL is not installed" in page.text
        assert "make setup" in page.text and "scripts/vendor-graphiql" in page.text
        assert "<script" not in page.text and not ELSEWHERE.search(page.text)
        assert str(tmp_path) not in page.text  # the server's folders stay in its log
        # the style the page uses is ours, there without the download
        assert client.get("/graphql/assets/groupgraph-graphiql.css").status_code == 200
        missing = client.get("/graphql/assets/graphiql.min.js")
        assert missing.status_code == 404 and "make setup" in missing.text


def test_with_keys_the_page_is_open_and_its_queries_take_the_login_cookie(sample_store, home):
    with in_process(sample_store, graphiql_home=home, api_keys={READER: "reader"}) as client:
        page = client.get("/graphql", headers={"accept": "text/html"})
        assert page.status_code == 200 and 'data-keys-required="true"' in page.text
        assert client.get("/graphql/assets/graphiql.min.js").status_code == 200
        assert client.post("/graphql/assets/graphiql.min.js").status_code == 401
        assert client.post("/graphql", json=QUERY, headers={PAGE_HEADER: "graphiql"}
                           ).status_code == 401
        client.post("/login", data={"key": READER}, follow_redirects=False)
        assert client.cookies.get(COOKIE) == READER
        # the cookie alone does not open the API (another site's form could send it) ...
        assert client.post("/graphql", json=QUERY).status_code == 401
        # ... with the header only a script of this origin can add, it does
        answer = client.post("/graphql", json=QUERY, headers={PAGE_HEADER: "graphiql"})
        assert answer.status_code == 200
        assert answer.json()["data"]["entity"]["name"] == "华信实业集团有限公司"


def test_the_setup_script_and_the_app_agree_on_the_folder_and_the_files(tmp_path, monkeypatch):
    script = vendor_script()
    assert script.GRAPHIQL_VERSION == GRAPHIQL_VERSION
    written = {target for *_, files in script.PACKAGES for target in files.values()}
    assert written == {name for name, (_, vendored) in ASSETS.items() if vendored}
    for package, version, integrity, _ in script.PACKAGES:
        assert re.fullmatch(r"sha512-[A-Za-z0-9+/]{86}==", integrity), package
        assert version.count(".") == 2, package

    monkeypatch.delenv("GROUPGRAPH_GRAPHIQL_HOME", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    printed = subprocess.run([sys.executable, str(SCRIPT), "--print-dir"], check=True,
                             capture_output=True, text=True).stdout.strip()
    assert Path(printed) == graphiql_home(Settings.from_env({}))
    assert Path(printed) == tmp_path / "cache" / "groupgraph" / f"graphiql-{GRAPHIQL_VERSION}"

    monkeypatch.setenv("GROUPGRAPH_GRAPHIQL_HOME", str(tmp_path / "mine"))
    printed = subprocess.run([sys.executable, str(SCRIPT), "--print-dir"], check=True,
                             capture_output=True, text=True).stdout.strip()
    assert Path(printed) == graphiql_home(Settings.from_env()) == tmp_path / "mine"


def test_the_setup_script_is_quick_when_done_and_refuses_a_wrong_tarball(tmp_path, monkeypatch):
    script = vendor_script()
    folder = tmp_path / "graphiql"
    folder.mkdir()
    for *_, files in script.PACKAGES:
        for target in files.values():
            (folder / target).write_text("x", encoding="utf-8")
    (folder / script.STAMP).write_text(script.stamp_text(), encoding="utf-8")
    monkeypatch.setenv("GROUPGRAPH_GRAPHIQL_HOME", str(folder))
    monkeypatch.setenv("npm_config_registry", "http://127.0.0.1:9/")  # never asked
    assert script.main([]) == 0  # installed: no network

    def wrong(url: str, accept: str) -> bytes:  # a registry serving something else
        if accept == "application/json":
            name = url.rstrip("/").split("/")[-2]
            pinned = next(p[2] for p in script.PACKAGES if p[0] == name)
            return f'{{"dist": {{"integrity": "{pinned}", "tarball": "{url}.tgz"}}}}'.encode()
        return b"not the pinned tarball"

    (folder / script.STAMP).unlink()
    monkeypatch.setattr(script, "fetch", wrong)
    assert script.main([]) == 1
    assert not (folder / script.STAMP).exists()
    assert not folder.with_name("graphiql.partial").exists()
