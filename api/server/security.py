"""Request ids and API keys, as one small ASGI middleware in front of the whole app.

Every request gets a request id (the caller's ``X-Request-ID`` when it is a short token,
else a new one), returned in the ``X-Request-ID`` response header, kept in
``request.state.request_id`` and written in every log line and masked error about it.

When API keys are configured (``GROUPGRAPH_API_KEYS``), every request but ``/health``,
the login page and the GraphiQL page itself (with its script and style files) needs a valid
key, else 401: in the ``X-API-Key`` header or as ``Authorization: Bearer <key>``; the
analyst pages also take it from the ``groupgraph_key`` cookie that ``/login`` sets.
``/graphql`` takes the cookie only with the ``X-GroupGraph-Page`` header, which our GraphiQL
page sends: a page on another site cannot add a custom header to a request without a CORS
preflight, which this server never grants, so it cannot make a browser call the API with
the cookie. The key's role (``reader`` or ``loader``) is kept in ``request.state.role``.
"""

from __future__ import annotations

import hmac
import json
import re
import uuid
from collections.abc import Mapping

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["COOKIE", "PAGE_HEADER", "RequestGuard", "role_of_key"]

COOKIE = "groupgraph_key"
PAGE_HEADER = "x-groupgraph-page"  # sent by our GraphiQL page: the cookie counts on /graphql
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
_OPEN = ("/health", "/login", "/favicon.ico")


def role_of_key(key: str | None, keys: Mapping[str, str]) -> str | None:
    """The role of ``key`` among ``keys``, comparing in constant time; None if none."""
    if not key:
        return None
    found = None
    for known, role in keys.items():
        if hmac.compare_digest(known.encode(), key.encode()):
            found = role
    return found


def _cookie(headers: Headers, name: str) -> str | None:
    for part in headers.get("cookie", "").split(";"):
        key, _, value = part.strip().partition("=")
        if key == name:
            return value
    return None


def _presented_key(headers: Headers, path: str) -> str | None:
    if key := headers.get("x-api-key"):
        return key
    scheme, _, token = headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer" and token:
        return token.strip()
    if not path.startswith("/graphql") or headers.get(PAGE_HEADER):
        return _cookie(headers, COOKIE)
    return None


class RequestGuard:
    """Give each request an id and, when keys are configured, check its API key."""

    def __init__(self, app: ASGIApp, keys: Mapping[str, str]) -> None:
        self.app = app
        self.keys = dict(keys)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        given = headers.get("x-request-id", "")
        request_id = given if _REQUEST_ID.match(given) else uuid.uuid4().hex[:16]
        state = scope.setdefault("state", {})
        state["request_id"] = request_id
        path: str = scope["path"]
        role = None
        if self.keys:
            role = role_of_key(_presented_key(headers, path), self.keys)
            is_open = path in _OPEN or (scope["method"] == "GET" and (
                path == "/graphql" or path.startswith("/graphql/assets/")))
            if role is None and not is_open:
                await self._refuse(scope, send, request_id, path, headers)
                return
        state["role"] = role

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message)["x-request-id"] = request_id
            await send(message)

        await self.app(scope, receive, send_with_id)

    async def _refuse(self, scope: Scope, send: Send, request_id: str, path: str,
                      headers: Headers) -> None:
        message = ("a valid API key is needed: send it in the X-API-Key header or as "
                   "Authorization: Bearer <key>")
        wants_html = "text/html" in headers.get("accept", "") and not path.startswith("/graphql")
        if wants_html:
            body = (f"<!doctype html><meta charset=utf-8><title>API key needed</title>"
                    f"<p>This groupgraph server needs an API key. <a href=\"/login\">Sign in "
                    f"with your key</a>.</p><p><small>request id {request_id}</small></p>"
                    ).encode()
            content_type = b"text/html; charset=utf-8"
        else:
            body = json.dumps({"errors": [{"message": message,
                                           "extensions": {"code": "UNAUTHENTICATED",
                                                          "requestId": request_id}}]}).encode()
            content_type = b"application/json"
        await send({"type": "http.response.start", "status": 401, "headers": [
            (b"content-type", content_type), (b"content-length", str(len(body)).encode()),
            (b"www-authenticate", b'Bearer realm="groupgraph"'),
            (b"x-request-id", request_id.encode())]})
        await send({"type": "http.response.body", "body": body})
