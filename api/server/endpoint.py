"""The GraphQL endpoint's HTTP layer: what a request body must be, and how a request the
endpoint refuses is answered.

Strawberry reads a JSON body with ``json.loads`` and then expects an object: a body of
``null``, ``5`` or ``"q"``, one that is not UTF-8, or one nested 50,000 deep made it fail
with an exception (a 500 and a dropped connection). Here the body is decoded strictly,
must be a JSON object (a list is a batch, which Strawberry refuses itself) and may nest at
most :data:`MAX_NESTING` deep; anything else is a client error. Every refusal of the
endpoint (these, an unsupported content type, batching) is answered as GraphQL answers
errors, with a machine-readable code:

    HTTP 400  {"errors": [{"message": "...", "extensions": {"code": "BAD_REQUEST",
                                                             "requestId": "..."}}]}
"""

from __future__ import annotations

import json
from typing import Any

from cross_web import HTTPException
from fastapi import Request
from fastapi.responses import Response
from strawberry.fastapi import GraphQLRouter
from strawberry.types.unset import UNSET

__all__ = ["MAX_NESTING", "GraphQLEndpoint", "decode_body", "refusal"]

MAX_NESTING = 64
"""The deepest a request body's JSON may nest: variables of the deepest input the schema
takes are far shallower."""

_CODES = {400: "BAD_REQUEST", 404: "NOT_FOUND", 405: "METHOD_NOT_ALLOWED",
          413: "TOO_LARGE", 415: "UNSUPPORTED_MEDIA_TYPE"}


def _nesting(text: str) -> int:
    """The deepest nesting of brackets outside strings, in one pass over ``text``.

    >>> _nesting('{"a": [1, {"b": "[[["}]}')
    3
    """
    depth = deepest = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth -= 1
    return deepest


def decode_body(data: str | bytes) -> object:
    """A GraphQL request body: a JSON object (or a list, a batch), strictly UTF-8, nested at
    most :data:`MAX_NESTING` deep. Raises HTTPException 400 saying what is wrong.

    >>> decode_body(b'{"query": "{ dataset { version } }"}')
    {'query': '{ dataset { version } }'}
    >>> decode_body(b"null")
    Traceback (most recent call last):
    ...
    cross_web.exceptions.HTTPException: expected a JSON object with a "query", got null
    """
    try:
        text = data.decode("utf-8") if isinstance(data, bytes) else data
    except UnicodeDecodeError as error:
        raise HTTPException(400, f"the request body is not UTF-8 (byte {error.start})") from None
    # the character walk runs in Python: only for a body with enough brackets to nest that
    # deep (counting them is native), not for every request
    if text.count("[") + text.count("{") > MAX_NESTING and _nesting(text) > MAX_NESTING:
        raise HTTPException(400, f"the request body nests deeper than {MAX_NESTING} levels")
    try:
        value = json.loads(text)
    except json.JSONDecodeError as error:
        raise HTTPException(400, f"the request body is not JSON: {error.msg} at line "
                                 f"{error.lineno}, column {error.colno}") from None
    if not isinstance(value, dict | list):
        shown = json.dumps(value)[:40]
        raise HTTPException(400, f'expected a JSON object with a "query", got {shown}')
    return value


class GraphQLEndpoint(GraphQLRouter[Any, Any]):
    """Strawberry's router with the body rules and the JSON refusals above."""

    def decode_json(self, data: str | bytes) -> object:
        return decode_body(data)

    async def run(self, request: Any, context: Any = UNSET, root_value: Any = UNSET) -> Any:
        try:
            return await super().run(request, context=context, root_value=root_value)
        except HTTPException as error:
            if not isinstance(request, Request):   # a websocket: Strawberry's own handling
                raise
            return refusal(request, error.status_code, error.reason)


def refusal(request: Request, status: int, message: str) -> Response:
    """A request the endpoint refuses, answered as a GraphQL error with a code."""
    request_id = getattr(request.state, "request_id", "-")
    # ASCII JSON: the message may echo the client's text, lone surrogates included
    body = json.dumps({"errors": [{"message": message, "extensions": {
        "code": _CODES.get(status, "BAD_REQUEST"), "requestId": request_id}}]})
    return Response(body, status_code=status, media_type="application/json",
                    headers={"x-request-id": request_id})
