"""Fixtures of the API tests: real ``groupgraph serve`` processes on free loopback ports,
in-process apps for speed, and a headless Chromium for the browser tests."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from api.server.app import create_app
from api.server.settings import Settings
from graph.stores.embedded import EmbeddedStore
from loaders.dataset import read_dataset
from tests.api.sample import write_sample

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path(os.environ.get("GROUPGRAPH_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
_SETTINGS_VARIABLES = ("GROUPGRAPH_API_KEYS", "GROUPGRAPH_INTROSPECTION", "GROUPGRAPH_GRAPHIQL",
                       "GROUPGRAPH_MAX_PAGE_SIZE", "GROUPGRAPH_MAX_DEPTH", "GROUPGRAPH_MAX_TOKENS",
                       "GROUPGRAPH_MAX_ALIASES", "GROUPGRAPH_MAX_STORE_CALLS",
                       "GROUPGRAPH_RELOAD_ROOTS", "GROUPGRAPH_AS_OF", "GROUPGRAPH_REGIME",
                       "GROUPGRAPH_STORE")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Server:
    """A ``groupgraph serve`` subprocess and an HTTP client for it."""

    process: subprocess.Popen[bytes]
    url: str
    log: Path
    store_kind: str = ""

    def graphql(self, query: str, variables: dict[str, Any] | None = None,
                **headers: str) -> dict[str, Any]:
        """POST a query; returns the JSON answer (asserting HTTP 200)."""
        response = httpx.post(f"{self.url}/graphql", json={"query": query,
                                                           "variables": variables or {}},
                              headers=headers, timeout=60)
        assert response.status_code == 200, response.text
        return response.json()

    def data(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        """The ``data`` of a query that must succeed."""
        answer = self.graphql(query, variables)
        assert "errors" not in answer, answer["errors"]
        return answer["data"]

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:  # pragma: no cover - a hung server
            self.process.kill()
            self.process.wait()


def start_server(args: list[str], log: Path, env: dict[str, str] | None = None,
                 timeout: float = 120.0) -> Server:
    """Start ``groupgraph serve ARGS`` on a free port and wait until /health answers."""
    port = free_port()
    environment = {k: v for k, v in os.environ.items() if k not in _SETTINGS_VARIABLES}
    environment.update(env or {})
    handle = log.open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "api.cli", "serve", *args, "--host", "127.0.0.1",
         "--port", str(port)], cwd=ROOT, env=environment, stdout=handle, stderr=subprocess.STDOUT)
    server = Server(process, f"http://127.0.0.1:{port}", log)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"groupgraph serve exited with {process.returncode}:\n"
                                 f"{log.read_text(errors='replace')}")
        try:
            if httpx.get(f"{server.url}/health", timeout=2).status_code == 200:
                return server
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    server.stop()
    raise AssertionError(f"groupgraph serve did not answer in {timeout} s:\n"
                         f"{log.read_text(errors='replace')}")


@pytest.fixture(scope="session")
def sample_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_sample(tmp_path_factory.mktemp("api-sample") / "data")


@pytest.fixture(scope="session")
def embedded_server(sample_folder: Path, tmp_path_factory: pytest.TempPathFactory
                    ) -> Iterator[Server]:
    """``groupgraph serve --data`` of the sample dataset."""
    server = start_server(["--data", str(sample_folder)],
                          tmp_path_factory.mktemp("serve") / "embedded.log")
    server.store_kind = "embedded"
    yield server
    server.stop()


@pytest.fixture(scope="module")
def neo4j_server(neo4j_uri: str, sample_folder: Path, tmp_path_factory: pytest.TempPathFactory
                 ) -> Iterator[Server]:
    """``groupgraph serve --store NEO4J_URI`` after loading the sample dataset into Neo4j."""
    from graph.stores.neo4j import Neo4jStore

    with Neo4jStore(neo4j_uri) as store:
        store.clear()
        store.replace(read_dataset(sample_folder), source=str(sample_folder))
    server = start_server(["--store", neo4j_uri], tmp_path_factory.mktemp("serve") / "neo4j.log")
    server.store_kind = "neo4j"
    yield server
    server.stop()


@pytest.fixture
def sample_store(sample_folder: Path, tmp_path: Path) -> EmbeddedStore:
    store = EmbeddedStore(tmp_path / "store.sqlite")
    store.replace(read_dataset(sample_folder), source=str(sample_folder))
    return store


def in_process(store: EmbeddedStore, **settings: Any) -> TestClient:
    """A TestClient of an app over ``store`` with ``settings`` (use as a context manager)."""
    return TestClient(create_app(Settings(**settings), store=store))


@pytest.fixture
def client(sample_store: EmbeddedStore) -> Iterator[TestClient]:
    """The app over the sample dataset, in process, with default settings."""
    with in_process(sample_store) as test_client:
        yield test_client


def _unavailable(message: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


def run_in_browser(test: Callable[[Any], None]) -> None:
    """Run ``test(browser)`` with Debian's headless Chromium driven by Playwright (skips
    without it, fails under ``CI=true``).

    Playwright's sync API refuses to start where another sync Playwright is running (the
    views' browser tests keep one for their whole session), so the browser is started in a
    thread of its own, which makes these tests independent of the order tests run in.
    """
    if not CHROMIUM.exists():
        _unavailable(f"no Chromium at {CHROMIUM}: run scripts/install-chromium (make test does) "
                     f"or set GROUPGRAPH_CHROMIUM")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("Playwright for Python is not installed: pip install -e '.[test]'")

    def run() -> None:
        with sync_playwright() as playwright:
            launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            try:
                test(launched)
            finally:
                launched.close()

    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="browser") as pool:
        pool.submit(run).result()
