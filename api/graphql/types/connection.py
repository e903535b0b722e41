"""Relay connections: ``edges { node cursor } pageInfo totalCount``, with a maximum page size.

Cursors are opaque: base64 of the dataset version and an offset into the list the field
returns for the same arguments. A cursor of another dataset (the server has reloaded since)
is refused rather than read as a position in a list that may have changed. ``first`` must
be between 0 and the server's maximum page size
(``GROUPGRAPH_MAX_PAGE_SIZE``, 100 by default): a larger page is refused with a clear
error rather than silently cut, so a client never mistakes a cut page for the whole.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated, Generic, TypeVar

import strawberry

from api.graphql.errors import BadRequest

__all__ = ["MAX_PAGE_SIZE", "PAGE_LIMIT", "After", "Connection", "Edge", "First", "PageInfo", "Window",
           "decode_cursor", "encode_cursor", "window"]

T = TypeVar("T")
_PREFIX = "cursor:"


MAX_PAGE_SIZE = 100
"""The largest page by default (``GROUPGRAPH_MAX_PAGE_SIZE``)."""

PAGE_LIMIT = (f"the server's maximum page size (GROUPGRAPH_MAX_PAGE_SIZE, "
              f"{MAX_PAGE_SIZE} by default)")
"""How argument descriptions name the maximum page size."""

First = Annotated[int | None, strawberry.argument(
    description=f"How many items the page holds: 0 to {PAGE_LIMIT}. A larger number is "
                f"refused with an error, never silently cut; null means the maximum page size.")]
"""The ``first`` argument of every paged list (pass the default: ``first: First = 50``)."""

After = Annotated[str | None, strawberry.argument(
    description="An opaque cursor this list returned (an edge's `cursor`, or "
                "`pageInfo.endCursor` for the next page): the page starts with the item after "
                "it; null starts at the first item. A cursor is a position in this list as "
                "returned for the same other arguments, not an item id.")]
"""The ``after`` argument of every paged list (``after: After = None``)."""


def encode_cursor(offset: int, version: str) -> str:
    """The cursor of the item at ``offset`` of a list of dataset ``version``."""
    return base64.b64encode(f"{_PREFIX}{version}:{offset}".encode()).decode()


def decode_cursor(cursor: str, version: str) -> int:
    """The offset a cursor of dataset ``version`` points at. Raises BadRequest for anything
    else, saying so when the cursor is of another dataset."""
    try:
        text = base64.b64decode(cursor.encode(), validate=True).decode()
        if not text.startswith(_PREFIX):
            raise ValueError(text)
        of_version, _, offset_text = text.removeprefix(_PREFIX).rpartition(":")
        offset = int(offset_text)
    except (ValueError, binascii.Error, UnicodeError):
        raise BadRequest(f"invalid cursor {cursor!r}: pass a cursor this API returned") from None
    if of_version != version:
        raise BadRequest(f"this cursor is of dataset {of_version or 'unknown'}, but the server "
                         f"now answers from dataset {version}: the list may have changed; "
                         f"start again from the first page")
    if offset < 0:
        raise BadRequest(f"invalid cursor {cursor!r}")
    return offset


@dataclass(frozen=True)
class Window:
    """The slice ``[start, end)`` of a list of ``total`` items of dataset ``version`` that a
    page shows."""

    start: int
    end: int
    total: int
    version: str


def window(total: int, first: int | None, after: str | None, max_page_size: int,
           version: str) -> Window:
    """The page of ``first`` items after the cursor ``after`` of a list of dataset
    ``version``. Raises BadRequest when ``first`` is negative or above ``max_page_size``,
    or the cursor is not one of this dataset's."""
    size = max_page_size if first is None else first
    if size < 0 or size > max_page_size:
        raise BadRequest(f"first must be between 0 and {max_page_size} (the maximum page "
                         f"size), got {first}; page with the cursor in pageInfo.endCursor")
    start = decode_cursor(after, version) + 1 if after is not None else 0
    start = min(start, total)
    return Window(start, min(start + size, total), total, version)


@strawberry.type(description="Where a page sits in the whole list.")
class PageInfo:
    has_next_page: bool = strawberry.field(description="More items follow this page.")
    has_previous_page: bool = strawberry.field(description="Items come before this page.")
    start_cursor: str | None = strawberry.field(description="Cursor of the first item of the page.")
    end_cursor: str | None = strawberry.field(
        description="Cursor of the last item of the page: pass it as `after` for the next page.")


@strawberry.type(description="One item of a page, with its cursor.")
class Edge(Generic[T]):
    node: T = strawberry.field(description="The item.")
    cursor: str = strawberry.field(description="Pass as `after` to page from this item on.")


@strawberry.type(description="A page of a list, Relay style.")
class Connection(Generic[T]):
    edges: list[Edge[T]] = strawberry.field(description="The items of this page, in order.")
    page_info: PageInfo = strawberry.field(description="Where this page sits in the whole list.")
    total_count: int = strawberry.field(description="The number of items in the whole list.")

    @classmethod
    def of(cls, nodes: Sequence[T], at: Window) -> Connection[T]:
        """A page holding ``nodes`` (the items ``at.start`` to ``at.end``)."""
        edges = [Edge(node=node, cursor=encode_cursor(at.start + k, at.version))
                 for k, node in enumerate(nodes)]
        info = PageInfo(has_next_page=at.end < at.total, has_previous_page=at.start > 0,
                        start_cursor=edges[0].cursor if edges else None,
                        end_cursor=edges[-1].cursor if edges else None)
        return cls(edges=edges, page_info=info, total_count=at.total)
