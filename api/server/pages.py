"""The analyst pages: server-rendered HTML, no build step, nothing loaded from elsewhere.

=================================  ==========================================================
route                              page
=================================  ==========================================================
``/``                              groups ranked by gross exposure, with flags and limit usage
``/groups/{id}``                   a group: figures, flags, headroom, exposure by G14 column,
                                   controllers with evidence chains, members, exposure table
                                   (facilities), its network view
``/entities/{id}``                 a party: figures, group, controllers, beneficial owners,
                                   headroom, exposure by G14 column with what mitigation moved
                                   and the exempt part, risk factors, relationships,
                                   facilities, its neighbourhood view
``/returns``                       the regime's return (R20), :mod:`api.server.returns`
``/search?q=``                     parties by id, name, registration id or LEI
``/views/groups/{id}``             the group's network view (:mod:`viz`), self-contained
``/views/entities/{id}?hops=N``    the party's neighbourhood view
``/login``, ``/logout``            the API key as a cookie, when keys are configured
=================================  ==========================================================

Pages use Jinja2 templates from ``api/templates`` with autoescaping, inline CSS and no
script; the network views are ``viz`` pages (vis-network inline) shown in a sandboxed
iframe. A Content-Security-Policy on every page forbids loading anything from elsewhere.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape

from api.graphql.errors import Unavailable
from api.graphql.snapshot import Snapshot
from api.server.security import COOKIE, role_of_key
from api.server.state import ServerState
from graph.analysis.exemptions import exemption_of
from graph.reports.report import describe_step
from graph.risk.headroom import binding_limit, limit_headroom
from graph.stores.queries import MAX_HOPS
from schema.model import load_model
from viz.subjects import ViewError, ViewKind, view_of

__all__ = ["CATEGORY_LABELS", "MOVE_KINDS", "OWNER_BASES", "PAGE_SIZE", "PRODUCT_ROLES",
           "page_layout", "page_response", "pages_router", "render", "secure_headers"]

PAGE_SIZE = 50
OWNER_BASES = {"ownership": "ownership 持股", "control": "control 控制",
               "senior_manager": "senior manager 高级管理人员"}
"""How the pages name each basis of a beneficial owner (R18)."""
CATEGORY_LABELS = {"general": "general 一般风险暴露", "specific": "specific 特定风险暴露",
                   "trading": "trading book 交易账簿风险暴露",
                   "counterparty": "counterparty credit 交易对手信用风险暴露",
                   "potential": "potential 潜在风险暴露", "other": "other 其他"}
"""How the pages name each G14 column (R14), in the order of ``CATEGORIES``."""
MOVE_KINDS = {"look_through": "look-through 穿透", "reduction": "reducing collateral 缓释",
              "substitution": "substituting collateral 替代", "guarantee": "guarantee 保证"}
"""How the pages name each kind of move of exposure (R15, R16)."""
PRODUCT_ROLES = {"manager": "manager 管理人", "originator": "originator 发起机构",
                 "liquidity_provider": "liquidity provider 流动性支持"}
"""How the pages name each role of a product party (R15)."""
MEMBERS_SHOWN = 500
VIEWS_CACHED = 32
TEMPLATES = Path(__file__).parent / "templates"

_PAGE_CSP = ("default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-src 'self'; "
             "form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
_VIEW_CSP = ("default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
             "img-src data:; font-src data:; connect-src 'none'; form-action 'none'; "
             "base-uri 'none'; frame-ancestors 'self'")
_COMMON_HEADERS = {"x-content-type-options": "nosniff", "referrer-policy": "no-referrer"}

_ENV = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]),
                   trim_blocks=True, lstrip_blocks=True)


def _money(value: float | None) -> str:
    return "" if value is None else f"{value:,.2f}"


def _pct(value: float | None, digits: int = 1) -> str:
    return "" if value is None else f"{value * 100:.{digits}f}%"


_ENV.filters["money"] = _money
_ENV.filters["pct"] = _pct
# the colour of each flag's badge (base.html) is the model's
_ENV.globals["model_flags"] = load_model().flags


def secure_headers(csp: str) -> dict[str, str]:
    """The headers every page is sent with, under ``csp`` (also for :mod:`api.server.graphiql`)."""
    return {"content-security-policy": csp, **_COMMON_HEADERS}


def render(template: str, **values: Any) -> str:
    """The template ``template`` of ``api/templates`` filled with ``values`` (autoescaped;
    also for :mod:`api.server.graphiql`)."""
    return _ENV.get_template(template).render(**values)


def page_response(template: str, status: int = 200, **values: Any) -> HTMLResponse:
    """The page ``template`` filled with ``values``, with the pages' headers."""
    return HTMLResponse(render(template, **values), status_code=status,
                        headers=secure_headers(_PAGE_CSP))


class _ViewCache:
    """The last few rendered views (a view of a large group takes a moment to draw)."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._items: OrderedDict[tuple[Any, ...], str] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple[Any, ...], draw: Callable[[], str]) -> str:
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        html = draw()
        with self._lock:
            self._items[key] = html
            while len(self._items) > self._size:
                self._items.popitem(last=False)
        return html


def _group_row(snapshot: Snapshot, group_id: str) -> dict[str, Any]:
    group = snapshot.analysis.group_by_id[group_id]
    exposure = snapshot.group_exposure[group_id]
    entities = snapshot.dataset.entities
    return {
        "id": group.id, "name": snapshot.group_name(group), "size": group.size,
        "controllers": [entities[c] for c in group.controllers],
        "gross": exposure.gross, "net": exposure.net,
        "share": snapshot.share_of_tier1(exposure.gross),
        "usage": snapshot.assessment.limit_usage(group),
        "flags": snapshot.assessment.flags_of(group.id),
    }


def page_layout(snapshot: Snapshot, request: Request) -> dict[str, Any]:
    """What the layout (``base.html``) of a page over ``snapshot`` needs."""
    bank = snapshot.dataset.bank
    return {"bank": bank, "snapshot": snapshot, "currency": bank.base_currency,
            "keys_required": request.app.state.server.settings.auth_required}


def _signed_out(request: Request) -> dict[str, Any]:
    """The layout of a page anyone may open (the sign-in page): no bank, no dataset."""
    return {"snapshot": None, "keys_required": request.app.state.server.settings.auth_required}


def pages_router(state: ServerState) -> APIRouter:
    """The routes of the pages and views over ``state``'s current snapshot."""
    router = APIRouter(include_in_schema=False)
    views = _ViewCache(VIEWS_CACHED)

    @router.get("/", response_class=HTMLResponse)
    def group_list(request: Request, page: int = Query(1, ge=1, le=100_000),
                   min_size: int = Query(1, ge=1, le=1_000_000),
                   flag: str | None = None) -> HTMLResponse:
        snapshot = state.snapshot
        codes = sorted({f.code for flags in snapshot.assessment.flags.values() for f in flags})
        chosen = flag if flag in codes else None
        ids = snapshot.group_ids("EXPOSURE_DESC", min_size, chosen)
        start = (page - 1) * PAGE_SIZE
        rows = [_group_row(snapshot, g) for g in ids[start:start + PAGE_SIZE]]
        for rank, row in enumerate(rows, start=start + 1):
            row["rank"] = rank

        def link(to_page: int) -> str:
            query = {"page": to_page, "min_size": min_size, **({"flag": chosen} if chosen else {})}
            return "/?" + urlencode(query)

        total = snapshot.total_exposure
        return page_response("groups.html", **page_layout(snapshot, request), rows=rows,
                             count=len(ids), page=page, pages=max(1, -(-len(ids) // PAGE_SIZE)), link=link,
                             min_size=min_size, flag=chosen, codes=codes, total=total,
                             concentration=snapshot.concentration("group", 10),
                             circles=len(snapshot.circles), large=len(snapshot.large_exposures))

    @router.get("/groups/{group_id}", response_class=HTMLResponse)
    def group_page(request: Request, group_id: str) -> HTMLResponse:
        snapshot = state.snapshot
        group = snapshot.analysis.group_by_id.get(group_id)
        if group is None:
            return _not_found(snapshot, request, f"no group has the id {group_id!r}")
        entities = snapshot.dataset.entities
        exposures = snapshot.analysis.exposures
        names = snapshot.names
        shown = group.members[:MEMBERS_SHOWN]
        members = [{
            "entity": entities[m], "gross": exposures.of(m).gross, "net": exposures.of(m).net,
            "flags": snapshot.assessment.flags.get(m, []),
            "evidence": [describe_step(s, names) for s in group.evidence[m]],  # type: ignore[arg-type]
        } for m in shown]
        controllers = [{
            "entity": entities[c],
            "evidence": [describe_step(s, names) for s in group.evidence[c]],  # type: ignore[arg-type]
            "controls": sum(1 for m in group.members
                            if c in snapshot.analysis.control.ultimate_controllers(m)),
        } for c in group.controllers]
        facilities = [{"facility": f, "value": v, "borrower": entities[f.borrower]}
                      for found in snapshot.facilities(list(shown)) for f, v in found]
        checks = snapshot.limit_checks([group.id])[0]
        room = tuple(limit_headroom(c, snapshot.analysis.regime) for c in checks)
        return page_response("group.html", **page_layout(snapshot, request),
                             group=_group_row(snapshot, group.id), record=group, members=members,
                             hidden=group.size - len(shown), controllers=controllers,
                             facilities=facilities, checks=checks, headroom=room,
                             binding=binding_limit(room),
                             breakdown=snapshot.analysis.group_breakdown(group),
                             categories=CATEGORY_LABELS)

    @router.get("/entities/{entity_id:path}", response_class=HTMLResponse)
    def entity_page(request: Request, entity_id: str,
                    hops: int = Query(2, ge=1, le=MAX_HOPS)) -> HTMLResponse:
        snapshot = state.snapshot
        entity = snapshot.dataset.entities.get(entity_id)
        if entity is None:
            return _not_found(snapshot, request, f"no party has the id {entity_id!r}")
        entities = snapshot.dataset.entities
        group = snapshot.analysis.group_by_member[entity_id]
        related = {
            name: [(r, entities[r.target if r.source == entity_id else r.source]) for r in found]
            for name, found in zip(
                ("owners", "holdings", "managers", "manages", "guarantors", "guarantees",
                 "relatives", "controls", "controlled_by", "depends_on", "depended_on_by"),
                snapshot.relationships([
                    (entity_id, "OWNS", "in"), (entity_id, "OWNS", "out"),
                    (entity_id, "MANAGES", "in"), (entity_id, "MANAGES", "out"),
                    (entity_id, "GUARANTEES", "in"), (entity_id, "GUARANTEES", "out"),
                    (entity_id, "RELATIVE_OF", "both"), (entity_id, "CONTROLS", "out"),
                    (entity_id, "CONTROLS", "in"), (entity_id, "DEPENDS_ON", "out"),
                    (entity_id, "DEPENDS_ON", "in")]), strict=True)
        }
        exposure = snapshot.analysis.exposures.of(entity_id)
        owners = [(entities[o.person], o) for o in snapshot.beneficial_owners([entity_id])[0]]
        values = snapshot.analysis.exposures
        moves = [{"move": move, "source": entities.get(move.source),
                  "target": None if move.target is None else entities.get(move.target)}
                 for move in values.moves_of(entity_id)]
        factors = [{"row": row, "holding": values.facilities.get(row.facility),
                    "product": entities.get(values.facilities[row.facility].borrower)
                    if row.facility in values.facilities else None}
                   for row in values.risk_factors_of(entity_id)]
        return page_response("entity.html", **page_layout(snapshot, request), entity=entity,
                             exposure=exposure, share=snapshot.share_of_tier1(exposure.gross),
                             group=_group_row(snapshot, group.id),
                             evidence=[describe_step(s, snapshot.names)  # type: ignore[arg-type]
                                       for s in group.evidence.get(entity_id, ())],
                             controllers=[entities[c] for c in
                                          snapshot.analysis.control.ultimate_controllers(entity_id)],
                             flags=snapshot.assessment.flags.get(entity_id, []),
                             checks=snapshot.limit_checks([entity_id])[0],
                             facilities=snapshot.facilities([entity_id])[0], related=related,
                             hops=hops, max_hops=MAX_HOPS, owners=owners, bases=OWNER_BASES,
                             headroom=snapshot.headroom(entity_id),
                             breakdown=values.breakdown_of(entity_id),
                             exemption=exemption_of(entity, snapshot.analysis.regime),
                             categories=CATEGORY_LABELS, moves=moves, kinds=MOVE_KINDS,
                             factors=factors, roles=PRODUCT_ROLES)

    @router.get("/search", response_class=HTMLResponse)
    def search_page(request: Request, q: str = Query("", max_length=200),
                    page: int = Query(1, ge=1, le=100_000)) -> HTMLResponse:
        snapshot = state.snapshot
        ids = snapshot.search(q) if q.strip() else ()
        start = (page - 1) * PAGE_SIZE
        entities = snapshot.dataset.entities
        rows = [{"entity": entities[i], "group": snapshot.analysis.group_by_member[i],
                 "gross": snapshot.analysis.exposures.of(i).gross}
                for i in ids[start:start + PAGE_SIZE]]
        return page_response("search.html", **page_layout(snapshot, request), q=q, rows=rows,
                             count=len(ids), page=page, pages=max(1, -(-len(ids) // PAGE_SIZE)),
                             link=lambda p: "/search?" + urlencode({"q": q, "page": p}))

    def _view(snapshot: Snapshot, ident: str, kind: ViewKind, hops: int) -> Response:
        key = (snapshot.version, snapshot.as_of, kind.value, ident, hops)

        def draw() -> str:
            return view_of(snapshot.assessment, ident, kind, hops=hops,
                           neighbourhood=lambda i, h: state.store_of(snapshot).neighbourhood(
                               i, h, as_of=snapshot.as_of)
                           ).to_html()

        try:
            html = views.get(key, draw)
        except (ViewError, Unavailable) as error:
            return HTMLResponse(f"<!doctype html><meta charset=utf-8><p>{_escape(str(error))}</p>",
                                status_code=404 if isinstance(error, ViewError) else 503,
                                headers={"content-security-policy": _VIEW_CSP})
        return HTMLResponse(html, headers={**secure_headers(_VIEW_CSP),
                                           "cache-control": "private, max-age=300"})

    @router.get("/views/groups/{group_id}")
    def group_view(group_id: str) -> Response:
        snapshot = state.snapshot
        if group_id not in snapshot.analysis.group_by_id:
            return HTMLResponse("no such group", status_code=404)
        return _view(snapshot, group_id, ViewKind.group, 2)

    @router.get("/views/entities/{entity_id:path}")
    def entity_view(entity_id: str, hops: int = Query(2, ge=1, le=MAX_HOPS)) -> Response:
        snapshot = state.snapshot
        if entity_id not in snapshot.dataset.entities:
            return HTMLResponse("no such party", status_code=404)
        return _view(snapshot, entity_id, ViewKind.neighbourhood, hops)

    @router.get("/login", response_class=HTMLResponse)
    def login_form(request: Request) -> HTMLResponse:
        return page_response("login.html", **_signed_out(request), failed=False)

    @router.post("/login", response_class=HTMLResponse)
    async def login(request: Request) -> Response:
        body = (await request.body())[:4096].decode("utf-8", "replace")
        key = (parse_qs(body).get("key") or [""])[0].strip()
        if role_of_key(key, state.settings.api_keys) is None:
            return page_response("login.html", status=401, **_signed_out(request), failed=True)
        response = RedirectResponse("/", status_code=303)
        response.set_cookie(COOKIE, key, httponly=True, samesite="strict",
                            secure=request.url.scheme == "https")
        return response

    @router.get("/logout")
    def logout() -> Response:
        response = RedirectResponse("/login", status_code=303)
        response.delete_cookie(COOKIE)
        return response

    return router


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _not_found(snapshot: Snapshot, request: Request, message: str) -> HTMLResponse:
    return page_response("missing.html", status=404, **page_layout(snapshot, request),
                         message=message)

