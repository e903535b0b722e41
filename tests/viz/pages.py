"""Reading an exported view back: its data block, tags, scripts, styles and visible text.

Parsed with the standard library's HTML parser, the way a browser tokenises the page, so the
tests see what the browser would load.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

URL = re.compile(r"(?:https?:)?//[\w.-]+\.[a-z]{2,}[^\s\"'<>)]*", re.IGNORECASE)
ABSOLUTE_URL = re.compile(r"https?://[^\s\"'<>)\\]*", re.IGNORECASE)
RESOURCE_ATTRIBUTES = {"src", "href", "srcset", "data", "poster", "action", "formaction",
                       "background", "xlink:href", "manifest", "ping", "longdesc", "cite"}


@dataclass
class Page:
    """What the exported HTML holds."""

    html: str
    tags: list[tuple[str, dict[str, str | None]]] = field(default_factory=list)
    scripts: list[tuple[dict[str, str | None], str]] = field(default_factory=list)
    styles: list[str] = field(default_factory=list)
    text: list[str] = field(default_factory=list)

    @property
    def data(self) -> dict[str, Any]:
        """The graph: ``nodes``, ``edges``, ``options`` and ``meta``."""
        block = next(body for attrs, body in self.scripts if attrs.get("id") == "groupgraph-data")
        return json.loads(block)

    @property
    def nodes(self) -> dict[str, dict[str, Any]]:
        return {n["id"]: n for n in self.data["nodes"]}

    @property
    def edges(self) -> list[dict[str, Any]]:
        return self.data["edges"]

    @property
    def visible_text(self) -> str:
        return " ".join(t.strip() for t in self.text if t.strip())

    def edge(self, kind: str, source: str, target: str) -> dict[str, Any]:
        found = [e for e in self.edges if (e["type"], e["from"], e["to"]) == (kind, source, target)]
        assert len(found) == 1, f"{kind} {source}->{target}: {len(found)} edges"
        return found[0]


class _Reader(HTMLParser):
    def __init__(self, page: Page) -> None:
        super().__init__(convert_charrefs=True)
        self.page = page
        self.open: list[tuple[str, dict[str, str | None]]] = []
        self.buffer: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        self.page.tags.append((tag, attributes))
        if tag in ("script", "style"):
            self.open.append((tag, attributes))
            self.buffer = []

    def handle_endtag(self, tag: str) -> None:
        if self.open and self.open[-1][0] == tag:
            _, attributes = self.open.pop()
            body = "".join(self.buffer)
            if tag == "script":
                self.page.scripts.append((attributes, body))
            else:
                self.page.styles.append(body)

    def handle_data(self, data: str) -> None:
        if self.open:
            self.buffer.append(data)
        else:
            self.page.text.append(data)


def parse_page(html: str) -> Page:
    """Parse an exported view."""
    page = Page(html)
    reader = _Reader(page)
    reader.feed(html)
    reader.close()
    return page
