"""Relay connections: ``edges { node cursor } pageInfo totalCount``, with a maximum page size.

Cursors are opaque (base64 of an offset into the list the field returns for the same
arguments). ``first`` must be between 0 and the server's maximum page size
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

from api.errors import BadRequest
from api.settings import Settings

__all__ = ["PAGE_LIMIT", "After", "Connection", "Edge", "First", "PageInfo", "Window",
           "decode_cursor", "encode_cursor", "window"]

T = TypeVar("T")
_PREFIX = "cursor:"


PAGE_LIMIT = (f"the server's maximum page size (GROUPGRAPH_MAX_PAGE_SIZE, "
              f"{Settings.max_page_size} by default)")
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


def encode_cursor(offset: int) -> str:
    """The cursor of the item at ``offset``."""
    return base64.b64encode(f"{_PREFIX}{offset}".encode()).decode()


def decode_cursor(cursor: str) -> int:
    """The offset a cursor points at. Raises BadRequest for anything else."""
    try:
        text = base64.b64decode(cursor.encode(), validate=True).decode()
        if not text.startswith(_PREFIX):
            raise ValueError(text)
        offset = int(text.removeprefix(_PREFIX))
    except (ValueError, binascii.Error, UnicodeError):
        raise BadRequest(f"invalid cursor {cursor!r}: pass a cursor this API returned") from None
    if offset < 0:
        raise BadRequest(f"invalid cursor {cursor!r}")
    return offset


@dataclass(frozen=True)
class Window:
    """The slice ``[start, end)`` of a list of ``total`` items that a page shows."""

    start: int
    end: int
    total: int


def window(total: int, first: int | None, after: str | None, max_page_size: int) -> Window:
    """The page of ``first`` items after the cursor ``after``. Raises BadRequest when
    ``first`` is negative or above ``max_page_size``."""
    size = max_page_size if first is None else first
    if size < 0 or size > max_page_size:
        raise BadRequest(f"first must be between 0 and {max_page_size} (the maximum page "
                         f"size), got {first}; page with the cursor in pageInfo.endCursor")
    start = decode_cursor(after) + 1 if after is not None else 0
    start = min(start, total)
    return Window(start, min(start + size, total), total)


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
        edges = [Edge(node=node, cursor=encode_cursor(at.start + k)) for k, node in enumerate(nodes)]
        info = PageInfo(has_next_page=at.end < at.total, has_previous_page=at.start > 0,
                        start_cursor=edges[0].cursor if edges else None,
                        end_cursor=edges[-1].cursor if edges else None)
        return cls(edges=edges, page_info=info, total_count=at.total)
