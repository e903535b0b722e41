"""API keys and roles: without a valid key, 401; readers read; only loaders reload, and only
from the folders the server may read."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from api.server.settings import InvalidSettings, Settings
from tests.api.conftest import in_process
from tests.api.sample import write_sample
from tests.loaders.real_data import gasgrid_file, gleif_files

READER = "reader-key-0123"
LOADER = "loader-key-4567"
KEYS = {READER: "reader", LOADER: "loader"}
QUERY = {"query": '{ entity(id: "C1") { name } }'}
RELOAD = "mutation($path: String) { reload(path: $path) { version parties } }"


@pytest.fixture
def roots(tmp_path: Path) -> Path:
    root = tmp_path / "incoming"
    root.mkdir()
    return root


@pytest.fixture
def guarded(sample_store, roots):
    with in_process(sample_store, api_keys=KEYS, reload_roots=(roots.resolve(),)) as client:
        yield client


def reload(client, path: str | None, key: str) -> dict:
    # ASCII JSON, as any encoder may send it: a path can hold a lone surrogate
    body = json.dumps({"query": RELOAD, "variables": {"path": path}})
    response = client.post("/graphql", content=body,
                           headers={"x-api-key": key, "content-type": "application/json"})
    assert response.status_code == 200
    return response.json()


def test_without_a_valid_key_requests_get_401(guarded):
    for headers in ({}, {"x-api-key": "wrong-key-000"}, {"authorization": "Bearer nope-nope"}):
        response = guarded.post("/graphql", json=QUERY, headers=headers)
        assert response.status_code == 401
        error = response.json()["errors"][0]
        assert "a valid API key is needed" in error["message"]
        assert error["extensions"]["code"] == "UNAUTHENTICATED"
        assert "华信" not in response.text
    assert guarded.get("/", headers={"accept": "text/html"}).status_code == 401
    assert guarded.get("/groups/x").status_code == 401
    assert guarded.get("/views/entities/C1").status_code == 401


def test_health_and_the_login_page_stay_open(guarded):
    # without a key, /health tells the status and the version, not the store or the bank
    assert guarded.get("/health?deep=true").json() == {
        "status": "ok", "version": guarded.get("/health").json()["version"]}
    with_key = guarded.get("/health?deep=true", headers={"x-api-key": READER}).json()
    assert with_key["store"] == "embedded" and with_key["stale"] is False   # a reader: the kind
    loader = guarded.get("/health", headers={"x-api-key": LOADER}).json()
    assert loader["store"].startswith("embedded:") and loader["store"].endswith("store.sqlite")
    assert guarded.get("/login").status_code == 200


def test_a_reader_key_reads_in_either_header(guarded):
    for headers in ({"x-api-key": READER}, {"authorization": f"Bearer {READER}"}):
        response = guarded.post("/graphql", json=QUERY, headers=headers)
        assert response.status_code == 200
        assert response.json()["data"]["entity"]["name"] == "华信实业集团有限公司"


def test_a_reader_may_not_reload(guarded):
    answer = reload(guarded, None, READER)
    assert answer["errors"][0]["message"] == "only an API key of the loader role may call mutations"
    assert answer["data"] is None


def test_a_loader_reloads_a_folder_under_the_roots(guarded, roots, sample_folder):
    before = guarded.post("/graphql", json={"query": "{ dataset { version } }"},
                          headers={"x-api-key": READER}).json()["data"]["dataset"]["version"]
    changed = write_sample(roots / "next")
    with (changed / "entities.csv").open("a", encoding="utf-8") as handle:
        handle.write("C9,新增有限公司,company,,,,,,\n")
    answer = reload(guarded, "next", LOADER)                # relative: from the first root
    assert "errors" not in answer, answer
    assert answer["data"]["reload"]["parties"] == 10
    assert answer["data"]["reload"]["version"] != before
    found = guarded.post("/graphql", json={"query": '{ searchEntities(query: "新增") '
                                                    '{ edges { node { id } } } }'},
                         headers={"x-api-key": READER}).json()
    assert found["data"]["searchEntities"]["edges"] == [{"node": {"id": "C9"}}]
    assert guarded.get("/health").json()["version"] == answer["data"]["reload"]["version"]


def test_a_loader_may_not_read_outside_the_roots(guarded, roots, sample_folder, tmp_path):
    outside = shutil.copytree(sample_folder, tmp_path / "elsewhere")
    for path in (str(outside), str(roots / ".." / "elsewhere"), "../elsewhere"):
        answer = reload(guarded, path, LOADER)
        assert "outside the folders this server may read" in answer["errors"][0]["message"]
    (roots / "link").symlink_to(outside)                    # no escape through a symlink
    assert "outside" in reload(guarded, "link", LOADER)["errors"][0]["message"]


def test_a_bad_dataset_is_refused_whole_and_the_old_one_kept(guarded, roots):
    bad = write_sample(roots / "bad")
    text = (bad / "relationships.csv").read_text(encoding="utf-8").replace("40%", "140%")
    (bad / "relationships.csv").write_text(text, encoding="utf-8")
    version = guarded.get("/health").json()["version"]
    answer = reload(guarded, "bad", LOADER)
    message = answer["errors"][0]["message"]
    assert "relationships.csv" in message and "share" in message
    assert guarded.get("/health").json()["version"] == version


def test_reload_without_a_path_rereads_the_store(guarded):
    answer = reload(guarded, None, LOADER)
    assert answer["data"]["reload"]["parties"] == 9


def test_without_keys_the_server_is_open_and_read_only(client):
    assert client.post("/graphql", json=QUERY).json()["data"]["entity"]["name"]
    answer = client.post("/graphql", json={"query": RELOAD}).json()
    assert "has no keys configured" in answer["errors"][0]["message"]


def test_the_pages_take_the_key_from_a_cookie_set_by_login(guarded):
    assert guarded.post("/login", data={"key": "wrong-key-000"},
                        follow_redirects=False).status_code == 401
    response = guarded.post("/login", data={"key": READER}, follow_redirects=False)
    assert response.status_code == 303
    assert "httponly" in response.headers["set-cookie"].lower()
    page = guarded.get("/")
    assert page.status_code == 200 and "王建国 family" in page.text
    # the cookie opens the pages, not the API
    assert guarded.post("/graphql", json=QUERY).status_code == 401


@pytest.mark.parametrize(("value", "message"), [
    ("key-without-role", "expected key:role pairs"),
    ("short:reader", "at least 8 characters"),
    ("long-enough-key:admin", "unknown role 'admin'"),
])
def test_bad_key_settings_are_named(value, message):
    with pytest.raises(InvalidSettings, match=message):
        Settings.from_env({"GROUPGRAPH_API_KEYS": value})


def test_settings_from_the_environment(tmp_path):
    settings = Settings.from_env({"GROUPGRAPH_API_KEYS": f"{READER}:reader, {LOADER}:loader",
                                  "GROUPGRAPH_INTROSPECTION": "false",
                                  "GROUPGRAPH_MAX_PAGE_SIZE": "25",
                                  "GROUPGRAPH_RELOAD_ROOTS": str(tmp_path)})
    assert settings.api_keys == KEYS and settings.auth_required
    assert not settings.introspection and settings.max_page_size == 25
    assert settings.reload_roots == (tmp_path.resolve(),)
    with pytest.raises(InvalidSettings, match="GROUPGRAPH_MAX_DEPTH: expected a whole number"):
        Settings.from_env({"GROUPGRAPH_MAX_DEPTH": "deep"})


def test_a_loader_reloads_gleif_and_bods_files_as_load_takes_them(guarded, roots):
    # the same load step as `groupgraph load lei.xml rr.xml bods.json` (tests/api/cli)
    lei, rr = gleif_files()
    for public in (lei, rr, gasgrid_file()):
        shutil.copy(public, roots / public.name)
    answer = guarded.post("/graphql", headers={"x-api-key": LOADER}, json={
        "query": "mutation($paths: [String!]) { reload(paths: $paths) { parties } }",
        "variables": {"paths": [lei.name, rr.name, gasgrid_file().name]}}).json()
    assert "errors" not in answer, answer
    assert answer["data"]["reload"]["parties"] == 16
    found = guarded.post("/graphql", headers={"x-api-key": READER}, json={
        "query": '{ searchEntities(query: "Gasgrid") { edges { node { name } } } }'}).json()
    assert found["data"]["searchEntities"]["edges"] == [{"node": {"name": "Gasgrid Finland Oy"}}]


@pytest.mark.parametrize(("path", "message"), [
    ("next\0/x", "not a path: expected at most 4096 characters and no NUL"),
    ("x" * 5000, "not a path: expected at most 4096 characters and no NUL"),
    ("x" * 300, "not a path this server can read: File name too long"),
    ("~nosuchuser/data", "no dataset folder or file at '~nosuchuser/data'"),   # no ~ expansion
    ("data/\ud800x", "not a path: it holds text that is not Unicode (a lone surrogate)"),
])
def test_a_path_no_file_system_takes_is_a_client_error(guarded, path, message):
    error = reload(guarded, path, LOADER)["errors"][0]
    assert error["message"] == message
    assert error["extensions"]["code"] == "BAD_INPUT"


def test_a_loader_sees_where_the_dataset_lies(guarded, sample_folder):
    query = {"query": "{ dataset { store source } }"}
    loader = guarded.post("/graphql", json=query, headers={"x-api-key": LOADER}).json()
    assert loader["data"]["dataset"]["source"] == str(sample_folder)
    reader = guarded.post("/graphql", json=query, headers={"x-api-key": READER}).json()
    assert reader["data"]["dataset"] == {"store": "embedded", "source": "data"}


def test_the_analysis_date_is_year_month_day_only():
    with pytest.raises(InvalidSettings, match="GROUPGRAPH_AS_OF: expected an ISO date"):
        Settings.from_env({"GROUPGRAPH_AS_OF": "2024-W01-1"})
