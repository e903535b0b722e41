"""A fuzzer against the real server: queries generated from its introspected schema (valid,
half-valid and mangled), and malformed HTTP. Whatever it sends, the server answers with no
5xx and no internal error, within a bound, and no answer shows a file path or a traceback.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLSchema,
    build_client_schema,
    get_introspection_query,
)
from hypothesis import given
from hypothesis import strategies as st

from tests.fuzz import FUZZ, record

ROOT = Path(__file__).resolve().parents[3]
SLOWEST = 10.0
"""Seconds an answer may take: the limits keep every query far below it."""

IDS = ["C1", "C2", "C3", "C4", "C5", "P1", "P2", "B1", "NOPE", "", "G", "circle:x", "A/B"]
WEIRD_TEXT = st.one_of(
    st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=40),
    st.text(alphabet=st.characters(categories=("Cs", "Cc", "Zl")), min_size=1, max_size=3))
"""Any text, lone surrogates and control characters included (JSON carries them escaped)."""
JSON_VALUES = st.recursive(st.none() | st.booleans() | st.integers() | WEIRD_TEXT,
                           lambda inner: st.lists(inner, max_size=3)
                           | st.dictionaries(WEIRD_TEXT, inner, max_size=3), max_leaves=8)


@pytest.fixture(scope="module")
def schema(embedded_server) -> GraphQLSchema:
    answer = embedded_server.graphql(get_introspection_query())
    return build_client_schema(answer["data"])


def _literal(draw: st.DrawFn, kind: Any, depth: int = 0) -> str:
    """A GraphQL literal of ``kind``: mostly fitting, sometimes null or of another type."""
    if not isinstance(kind, GraphQLNonNull) and draw(st.integers(0, 9)) == 0:
        return "null"
    kind = kind.of_type if isinstance(kind, GraphQLNonNull) else kind
    if draw(st.integers(0, 19)) == 0:          # a value of the wrong type
        return draw(st.sampled_from(['"x"', "0", "1.5", "true", "[]", "{}", "NOPE"]))
    if isinstance(kind, GraphQLList):
        items = draw(st.lists(st.integers(0, 1), max_size=3 if depth < 2 else 0))
        return "[" + ", ".join(_literal(draw, kind.of_type, depth + 1) for _ in items) + "]"
    if isinstance(kind, GraphQLEnumType):
        return draw(st.sampled_from(sorted(kind.values)))
    if isinstance(kind, GraphQLInputObjectType):
        fields = [(n, f) for n, f in kind.fields.items()
                  if isinstance(f.type, GraphQLNonNull) or draw(st.booleans())]
        return "{" + ", ".join(f"{n}: {_literal(draw, f.type, depth + 1)}" for n, f in fields) + "}"
    assert isinstance(kind, GraphQLScalarType)
    if kind.name == "Int":
        return str(draw(st.one_of(st.integers(-3, 120), st.sampled_from([2**31 - 1, -2**31]))))
    if kind.name == "Float":
        return repr(draw(st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False)))
    if kind.name == "Boolean":
        return draw(st.sampled_from(["true", "false"]))
    if kind.name == "ID":
        return json.dumps(draw(st.one_of(st.sampled_from(IDS), WEIRD_TEXT)))
    return json.dumps(draw(st.one_of(st.sampled_from([*IDS, "华信", "深圳 明达"]), WEIRD_TEXT)))


def _selection(draw: st.DrawFn, parent: GraphQLObjectType | GraphQLInterfaceType,
               depth: int) -> str:
    names = sorted(parent.fields)
    chosen = draw(st.lists(st.sampled_from(names), min_size=1, max_size=3 if depth < 3 else 1))
    parts = []
    for name in chosen:
        field = parent.fields[name]
        arguments = [(a, d) for a, d in field.args.items()
                     if isinstance(d.type, GraphQLNonNull) or draw(st.booleans())]
        text = name
        if draw(st.integers(0, 7)) == 0:
            text = f"a{draw(st.integers(0, 30))}: {name}"
        if arguments:
            text += "(" + ", ".join(f"{a}: {_literal(draw, d.type)}" for a, d in arguments) + ")"
        named = field.type
        while isinstance(named, GraphQLNonNull | GraphQLList):
            named = named.of_type
        if isinstance(named, GraphQLObjectType | GraphQLInterfaceType):
            inner = _selection(draw, named, depth + 1) if depth < 4 else "__typename"
            text += " { " + inner + " }"
        parts.append(text)
    return " ".join(parts)


@st.composite
def documents(draw: st.DrawFn, schema: GraphQLSchema) -> str:
    """A query from the schema; a third of them mangled by a few edits of the text."""
    query = "{ " + _selection(draw, schema.query_type, 0) + " }"
    if draw(st.integers(0, 2)) == 0:
        chars = list(query)
        for _ in range(draw(st.integers(1, 4))):
            at = draw(st.integers(0, len(chars)))
            if draw(st.booleans()) and at < len(chars):
                del chars[at]
            else:
                chars.insert(at, draw(st.sampled_from([*list('{}()[]:!$@."\\#,'), "...", "\x00"])))
        query = "".join(chars)
    return query


def check(response: httpx.Response, seconds: float, *, loader: bool = False) -> None:
    """What every answer must be, whatever was sent. A loader key may read the paths of
    the folders it loads from (the README's security section); no one sees the code's."""
    assert response.status_code < 500, response.text[:500]
    assert seconds < SLOWEST, f"{seconds:.1f} s"
    text = response.text
    assert "Traceback" not in text and 'File "' not in text
    assert str(ROOT) not in text and "site-packages" not in text
    assert loader or "/tmp/" not in text
    if response.headers.get("content-type", "").startswith("application/json"):
        for error in response.json().get("errors") or ():
            assert error.get("extensions", {}).get("code") != "INTERNAL", error
            assert error.get("extensions", {}).get("code"), error


def post(server, payload: dict[str, Any], *, loader: bool = False, **headers: str
         ) -> httpx.Response:
    """POST ``payload`` as ASCII JSON (lone surrogates escaped, as any JSON encoder may)."""
    return send(server, "POST", "/graphql", content=json.dumps(payload).encode(),
                headers={"content-type": "application/json", **headers}, loader=loader)


def send(server, method: str, path: str, *, loader: bool = False, **options: Any
         ) -> httpx.Response:
    start = time.monotonic()
    response = httpx.request(method, f"{server.url}{path}", timeout=SLOWEST * 2, **options)
    check(response, time.monotonic() - start, loader=loader)
    return response


def test_queries_from_the_schema(embedded_server, schema):
    @FUZZ
    @given(st.data())
    def one(data: st.DataObject) -> None:
        payload: dict[str, Any] = {"query": data.draw(documents(schema))}
        if data.draw(st.integers(0, 3)) == 0:
            payload["variables"] = data.draw(JSON_VALUES)
        if data.draw(st.integers(0, 3)) == 0:
            payload["operationName"] = data.draw(st.one_of(st.none(), WEIRD_TEXT))
        response = post(embedded_server, payload)
        record("graphql", "error" if "errors" in response.json() else "data")

    one()


BODIES = st.one_of(
    st.binary(max_size=200),
    st.text(max_size=200).map(lambda t: t.encode("utf-8", "surrogatepass")),
    st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=8),
                 lambda inner: st.lists(inner, max_size=3)
                 | st.dictionaries(st.sampled_from(["query", "variables", "operationName",
                                                    "extensions", "x"]), inner, max_size=3),
                 max_leaves=12).map(lambda v: json.dumps(v).encode()),
)


def test_malformed_http(embedded_server):
    @FUZZ
    @given(method=st.sampled_from(["POST", "GET", "PUT", "DELETE", "PATCH", "OPTIONS"]),
           content_type=st.sampled_from(["application/json", "application/json; charset=gbk",
                                         "text/plain", "multipart/form-data",
                                         "application/x-www-form-urlencoded", ""]),
           body=BODIES)
    def one(method: str, content_type: str, body: bytes) -> None:
        response = send(embedded_server, method, "/graphql", content=body,
                        headers={"content-type": content_type} if content_type else {})
        record("http", str(response.status_code))

    one()


def test_odd_paths_and_parameters(embedded_server):
    @FUZZ
    @given(page=st.sampled_from(["/entities/", "/groups/", "/views/entities/", "/views/groups/",
                                 "/search?q=", "/?order=", "/health?deep="]),
           tail=WEIRD_TEXT)
    def one(page: str, tail: str) -> None:
        path = page + quote(tail, safe="/", errors="surrogatepass")
        response = send(embedded_server, "GET", path)
        record("pages", str(response.status_code))

    one()


PATHS = st.one_of(st.sampled_from(["", ".", "..", "/", "~", "~nosuchuser/data", "~/data",
                                   "data", "../data", "/etc/passwd", "data\0x", "a" * 300,
                                   "a/" * 3000, "\ud800"]), WEIRD_TEXT)


@pytest.fixture(scope="module")
def loader_server(sample_folder, tmp_path_factory):
    """A server with a loader key and a reload root, for the mutation."""
    from tests.api.conftest import start_server

    root = tmp_path_factory.mktemp("roots")
    server = start_server(["--data", str(sample_folder)],
                          tmp_path_factory.mktemp("serve") / "loader.log",
                          env={"GROUPGRAPH_API_KEYS": "fuzz-loader-key:loader",
                               "GROUPGRAPH_RELOAD_ROOTS": str(root)})
    yield server
    server.stop()


def test_reload_paths_with_a_loader_key(loader_server):
    mutation = "mutation($p: String, $ps: [String!]) { reload(path: $p, paths: $ps) { version } }"

    @FUZZ
    @given(path=st.one_of(st.none(), PATHS), paths=st.one_of(st.none(), st.lists(PATHS, max_size=3)))
    def one(path: str | None, paths: list[str] | None) -> None:
        response = post(loader_server, {"query": mutation, "variables": {"p": path, "ps": paths}},
                        loader=True, **{"x-api-key": "fuzz-loader-key"})
        codes = [e["extensions"]["code"] for e in response.json().get("errors") or ()]
        record("reload", ",".join(codes) or "data")

    one()

