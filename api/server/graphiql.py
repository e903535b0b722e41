"""GraphiQL at ``GET /graphql``, served whole by this server: nothing loaded from elsewhere.

Why not Strawberry's own page: its HTML loads React and GraphiQL from a CDN, and the project's
rule is that nothing needs the network at run time and no page loads anything from another
site. So ``scripts/vendor-graphiql`` (run by ``make setup``) fetches pinned, hash-checked
GraphiQL 3 and React 18 standalone bundles into a cache folder outside the repository
(``GROUPGRAPH_GRAPHIQL_HOME``, default ``~/.cache/groupgraph/graphiql-VERSION``), and this
module serves them:

==============================  =============================================================
``GET /graphql`` (a browser)    our page (``templates/graphiql.html``), or, when the files are
                                missing, a page saying which command installs them
``GET /graphql/assets/NAME``    one of :data:`ASSETS` by exact name (no paths): the vendored
                                bundles and licences, and our own boot script and style
==============================  =============================================================

Strawberry's router still decides when a request wants the IDE (a GET accepting HTML) and
answers every query; :class:`GraphiQLRouter` only replaces the page it renders. The page and
its assets carry a Content-Security-Policy allowing scripts, styles and requests from this
server only (fonts and icons are ``data:`` URLs inside GraphiQL's CSS; the one ``<style>``
element GraphiQL's dialogs add carries a per-response nonce), so the boot script is a file
rather than inline code. No IDE and no assets when ``graphiql`` or ``introspection`` is off
(GraphiQL cannot work without introspection).

With API keys configured the page's queries send the ``/login`` cookie, with a header marking
them as coming from this page (see :mod:`api.server.security`), and any headers typed in GraphiQL's
headers pane (``{"X-API-Key": "..."}``).
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import FileResponse, HTMLResponse, PlainTextResponse, Response
from strawberry.schema import BaseSchema

from api.graphql.errors import log
from api.server.endpoint import GraphQLEndpoint
from api.server.pages import render, secure_headers
from api.server.security import PAGE_HEADER
from api.server.settings import Settings

__all__ = ["ASSETS", "GRAPHIQL_VERSION", "GraphiQLRouter", "graphiql_home", "ide_enabled"]

# Must match scripts/vendor-graphiql, which writes the folder (tests/api/test_graphiql.py checks)
GRAPHIQL_VERSION = "3.9.0"
STATIC = Path(__file__).parent / "static"
SETUP_COMMAND = "make setup"
VENDOR_COMMAND = "scripts/vendor-graphiql"

# name -> (media type, whether it comes from the cache folder rather than api/static)
ASSETS: dict[str, tuple[str, bool]] = {
    "react.production.min.js": ("text/javascript", True),
    "react-dom.production.min.js": ("text/javascript", True),
    "graphiql.min.js": ("text/javascript", True),
    "graphiql.min.css": ("text/css", True),
    "LICENSE.graphiql": ("text/plain", True),
    "LICENSE.react": ("text/plain", True),
    "LICENSE.react-dom": ("text/plain", True),
    "groupgraph-graphiql.js": ("text/javascript", False),
    "groupgraph-graphiql.css": ("text/css", False),
}

# 'self' only. data: fonts and images are inside graphiql.min.css; no 'unsafe-inline' or
# 'unsafe-eval' (the bundles need neither); connect-src 'self' is the POST to /graphql.
GRAPHIQL_CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                "font-src 'self' data:; connect-src 'self'; form-action 'none'; base-uri 'none'; "
                "frame-ancestors 'none'")



def graphiql_home(settings: Settings) -> Path:
    """The folder holding the vendored files: the setting, else the default cache folder
    (the same rule as ``scripts/vendor-graphiql``)."""
    if settings.graphiql_home is not None:
        return settings.graphiql_home
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return cache / "groupgraph" / f"graphiql-{GRAPHIQL_VERSION}"


def ide_enabled(settings: Settings) -> bool:
    """Whether GET /graphql offers GraphiQL: it needs introspection to know the schema."""
    return settings.graphiql and settings.introspection


def _missing(home: Path) -> list[str]:
    return [name for name, (_, vendored) in ASSETS.items()
            if vendored and not (home / name).is_file()]


class GraphiQLRouter(GraphQLEndpoint):
    """The GraphQL endpoint (:class:`api.server.endpoint.GraphQLEndpoint`) with our offline
    GraphiQL page and its assets."""

    def __init__(self, schema: BaseSchema, *, settings: Settings, **options: Any) -> None:
        enabled = ide_enabled(settings)
        super().__init__(schema, graphql_ide="graphiql" if enabled else None, **options)
        self.home = graphiql_home(settings)
        self.keys_required = settings.auth_required
        if enabled:
            self.add_api_route("/assets/{name}", self.asset, methods=["GET"],
                               include_in_schema=False)

    async def render_graphql_ide(self, request: Request) -> HTMLResponse:
        # looked up per request: running the setup script needs no server restart
        missing = _missing(self.home)
        if missing:
            # the folder is named in the log, not in the page (open without a key)
            log.warning("GraphiQL's files are not in %s (missing %s): run %s",
                        self.home, ", ".join(missing), VENDOR_COMMAND)
            html = render("graphiql_missing.html", version=GRAPHIQL_VERSION,
                          setup=SETUP_COMMAND, vendor=VENDOR_COMMAND)
            return HTMLResponse(html, status_code=503, headers=secure_headers(GRAPHIQL_CSP))
        # GraphiQL's dialogs add a <style> element (to lock scrolling), which style-src 'self'
        # refuses; the boot script hands the bundle this response's nonce for it, so only
        # our own scripts can add styles (no 'unsafe-inline')
        nonce = secrets.token_urlsafe(18)
        csp = GRAPHIQL_CSP.replace("style-src 'self'", f"style-src 'self' 'nonce-{nonce}'")
        html = render("graphiql.html", keys_required=self.keys_required,
                      page_header=PAGE_HEADER, style_nonce=nonce)
        return HTMLResponse(html, headers={**secure_headers(csp), "cache-control": "no-store"})

    async def asset(self, name: str) -> Response:
        """One known file; any other name is 404 (the name is a key, never a path)."""
        known = ASSETS.get(name)
        if known is None:
            return PlainTextResponse("no such asset", status_code=404)
        media_type, vendored = known
        path = (self.home if vendored else STATIC) / name
        if not path.is_file():
            return PlainTextResponse(f"{name} is not installed: run {SETUP_COMMAND} "
                                     f"(or {VENDOR_COMMAND})", status_code=404)
        # no-cache: the names carry no version, so a browser checks again rather than keep
        # an old GraphiQL after the pinned version changes
        return FileResponse(path, media_type=media_type,
                            headers={**secure_headers(GRAPHIQL_CSP), "cache-control": "no-cache"})
