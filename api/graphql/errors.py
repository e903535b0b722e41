"""Errors the API shows to its clients, and the masking of every other error.

::

    GroupGraphError
     └── ClientError          shown to the client as it is (its message is for them)
          ├── BadRequest      an argument the server cannot use (page size, cursor, hops)
          ├── NotFound        the party (or other subject) asked about does not exist
          ├── Forbidden       the caller's role may not do this
          └── Unavailable     the server cannot answer this now (the store moved on)

Errors of the data the client asked about (``InvalidDataset`` on ``reload``,
``StoreEmpty``, ``ClosedOwnershipRing`` for an integrated ownership that is not defined) are
shown too. Any other exception inside a resolver is a bug or an outage:
the client sees ``Internal error; request id <id>`` and the operator finds the real error
in the log under that request id (:func:`mask_internal_errors`).

With introspection off, GraphQL's "Did you mean ...?" hints are cut from error messages
(:func:`hide_suggestions`): they would name fields, arguments, types and enum values.
"""

from __future__ import annotations

import logging
import re

from graphql import GraphQLError

from schema.errors import ClosedOwnershipRing, GroupGraphError, InvalidDataset, StoreEmpty

__all__ = [
    "BadRequest",
    "ClientError",
    "Forbidden",
    "NotFound",
    "Unavailable",
    "add_codes",
    "error_code",
    "hide_suggestions",
    "is_client_error",
    "log",
    "log_errors",
    "mask_internal_errors",
    "request_id_of",
]

log = logging.getLogger("groupgraph.api")


_SUGGESTION = re.compile(r" Did you mean [^'?]*'[^']*'(?:(?:, |,? or )'[^']*')*\?")
"""graphql-core's hint (``graphql.pyutils.did_you_mean``): " Did you mean 'a', 'b', or 'c'?",
possibly with words before the names ("the enum value", "to use an inline fragment on")."""


class ClientError(GroupGraphError):
    """An error whose message is meant for the client."""

    code = "BAD_REQUEST"


class BadRequest(ClientError):
    """An argument the server cannot use."""

    code = "BAD_INPUT"


class NotFound(ClientError):
    """The subject of a field whose answer cannot be null does not exist (an unknown party
    id for ``headroom``): an error rather than a null that would void the whole answer."""

    code = "NOT_FOUND"


class Forbidden(ClientError):
    """The caller's role may not do this."""

    code = "FORBIDDEN"


class Unavailable(ClientError):
    """The server cannot answer this now; the message says until when."""

    code = "UNAVAILABLE"


_SHOWN_CODES = {InvalidDataset: "INVALID_DATASET", StoreEmpty: "STORE_EMPTY",
                ClosedOwnershipRing: "NOT_DEFINED"}


def error_code(error: GraphQLError) -> str:
    """The machine-readable code of an error a client may see: the code an extension gave
    it (``TOO_COSTLY``), the :class:`ClientError`'s own, the data's
    (``INVALID_DATASET``, ``STORE_EMPTY``), else ``BAD_QUERY`` for GraphQL's own refusals
    (syntax, validation, the depth, token and alias limits, argument types)."""
    given = (error.extensions or {}).get("code")
    if given:
        return str(given)
    original = error.original_error
    while isinstance(original, GraphQLError) and original.original_error is not None:
        original = original.original_error
    if isinstance(original, ClientError):
        return original.code
    for kind, code in _SHOWN_CODES.items():
        if isinstance(original, kind):
            return code
    return "BAD_QUERY"


def add_codes(errors: list[GraphQLError]) -> None:
    """Give each client error its ``extensions.code`` (:func:`error_code`), in place;
    internal errors get theirs (``INTERNAL``) when they are masked."""
    for error in errors:
        if is_client_error(error):
            error.extensions = {**(error.extensions or {}), "code": error_code(error)}


def is_client_error(error: GraphQLError) -> bool:
    """Whether ``error`` may reach the client unmasked: GraphQL's own errors (syntax,
    validation, limits, bad argument types) and :class:`ClientError`."""
    original = error.original_error
    if original is None:
        return True
    if isinstance(original, GraphQLError):
        return is_client_error(original)
    return isinstance(original, (ClientError, *_SHOWN_CODES))


def request_id_of(context: object) -> str:
    """The request id of a GraphQL context (``-`` outside a request)."""
    return getattr(context, "request_id", None) or "-"


def mask_internal_errors(errors: list[GraphQLError], context: object) -> None:
    """Replace, in place, every error that is not a client error by ``Internal error;
    request id <id>`` with code ``INTERNAL``; the log has the real one (:func:`log_errors`,
    called first). The schema does this for every list of errors it answers, including
    those of a failure outside execution (a validation rule that raised), which a masking
    extension around the operation would not see."""
    request_id = request_id_of(context)
    for index, error in enumerate(errors):
        if not is_client_error(error):
            errors[index] = GraphQLError(
                f"Internal error; request id {request_id}", nodes=error.nodes,
                source=error.source, positions=error.positions, path=error.path,
                extensions={"code": "INTERNAL", "requestId": request_id})


def hide_suggestions(errors: list[GraphQLError]) -> None:
    """Cut the "Did you mean ...?" hints from the messages of ``errors``, in place.

    graphql-core can leave them out itself (``hide_suggestions``), but Strawberry does not
    pass that option to validation or execution, so the messages are mended afterwards."""
    for error in errors:
        error.message = _SUGGESTION.sub("", error.message)


def log_errors(errors: list[GraphQLError], context: object) -> None:
    """Log what went wrong in an operation: internal errors with their traceback and the
    request id (before they are masked), client errors briefly."""
    request_id = request_id_of(context)
    for error in errors:
        where = ".".join(str(p) for p in error.path or ()) or "-"
        if is_client_error(error):
            log.info("request %s: client error at %s: %s", request_id, where, error.message)
        else:
            original = error.original_error
            log.error("request %s: internal error at %s: %r", request_id, where, original,
                      exc_info=(type(original), original, original.__traceback__)
                      if original is not None else None)
