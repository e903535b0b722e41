"""The FastAPI app: GraphQL at ``/graphql``, ``/health``, the analyst pages and the views.

:func:`create_app` only wires the parts together: the snapshot is built at start-up
(:mod:`api.server.state`), the schema by :func:`api.graphql.schema.build_schema`, the pages by
:mod:`api.server.pages`, request ids and API keys by :class:`api.server.security.RequestGuard`.
:func:`serve` runs it with uvicorn (``groupgraph serve``).
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import PlainTextResponse, Response
from starlette.concurrency import run_in_threadpool

from api.graphql.context import Context
from api.graphql.errors import log
from api.graphql.schema import build_schema
from api.graphql.snapshot import Snapshot, build_snapshot
from api.graphql.types.dataset_info import shown_store
from api.server.graphiql import GraphiQLRouter
from api.server.pages import pages_router
from api.server.returns import returns_router
from api.server.security import RequestGuard
from api.server.settings import Settings
from api.server.state import ServerState, freeze_heap
from api.server.workers import serve_workers
from graph.stores.base import GraphStore
from graph.stores.uri import open_store

__all__ = ["create_app", "serve"]


def create_app(settings: Settings | None = None, *, store: GraphStore | None = None,
               snapshot: Snapshot | None = None, close_store: bool | None = None) -> FastAPI:
    """The app serving ``store`` (default: the store the settings name).

    The snapshot (``snapshot``, else read from the store) is built when the app starts, so
    a store that cannot be read stops the server at start-up with the store's error. The
    store is closed when the app stops if ``close_store``, by default if the app opened it.
    """
    settings = settings or Settings.from_env()
    owns_store = store is None if close_store is None else close_store
    served = store if store is not None else open_store(settings.store_uri)
    state = ServerState(served, settings, snapshot)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        await run_in_threadpool(lambda: state.snapshot)
        try:
            yield
        finally:
            if owns_store:
                served.close()

    app = FastAPI(title="groupgraph", lifespan=lifespan, docs_url=None, redoc_url=None,
                  openapi_url=None, max_body_size=settings.max_body_bytes)
    app.state.server = state

    async def context(request: Request) -> Context:
        return Context(state=state, snapshot=state.snapshot,
                       request_id=request.state.request_id, role=request.state.role)

    # Strawberry's router with our GraphiQL page: its own loads scripts from a CDN
    graphql = GraphiQLRouter(build_schema(settings), settings=settings, context_getter=context,
                             allow_queries_via_get=False)
    app.include_router(graphql, prefix="/graphql")

    @app.get("/health")
    async def health(request: Request, deep: bool = False) -> dict[str, Any]:
        """The store served and the dataset version; with ``deep=true`` the store is asked
        too, and ``stale`` says whether it now holds another dataset than the one served.
        When API keys are configured, a caller without one (a load balancer) learns the
        status and the version only."""
        current = state.snapshot
        if settings.auth_required and request.state.role is None:
            return {"status": "ok", "version": current.version}
        answer: dict[str, Any] = {
            "status": "ok",
            "store": shown_store(current.store_uri, request.state.role),
            "version": current.version,
            "bank": current.dataset.bank.name,
            "as_of": current.as_of.isoformat(),
            "parties": len(current.dataset.entities),
            "groups": len(current.analysis.groups),
            "analysed_at": current.built_at,
        }
        if deep:
            info = await run_in_threadpool(served.info)
            answer["store_version"] = info.version if info else None
            answer["stale"] = info is None or info.version != current.version
        return answer

    @app.exception_handler(Exception)
    async def internal_error(request: Request, error: Exception) -> Response:
        """An error outside GraphQL (a page, a view) is logged with the request id, which
        the client sees instead of the error, as in GraphQL's masked errors."""
        request_id = getattr(request.state, "request_id", "-")
        log.error("request %s: internal error on %s %s", request_id, request.method,
                  request.url.path, exc_info=error)
        return PlainTextResponse(f"Internal error; request id {request_id}", status_code=500,
                                 headers={"x-request-id": request_id})

    app.include_router(pages_router(state))
    app.include_router(returns_router(state))
    app.add_middleware(RequestGuard, keys=settings.api_keys)
    return app


def serve(settings: Settings, *, host: str = "127.0.0.1", port: int = 8000,
          log_level: str = "info", workers: int = 1) -> None:
    """Read and analyse the store, then run the app with uvicorn until interrupted. A store
    that cannot be read raises its error before the server starts listening.

    With ``workers`` above 1 the snapshot is built once, then that many processes are forked
    to serve it (:mod:`api.server.workers`; their memory shared copy-on-write): GraphQL execution is
    bound to one core per process. Each worker has its store for graph queries
    (``GraphStore.for_worker``: a Neo4j driver must not cross a fork; the embedded store
    shares the dataset already read). ``reload`` is refused then, since it would renew the
    snapshot of one worker only: restart the server instead.
    """
    import uvicorn

    if not logging.getLogger().handlers:
        logging.basicConfig(format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("groupgraph").setLevel(log_level.upper())
    store = open_store(settings.store_uri)
    try:
        log.info("reading and analysing %s", store.uri)
        snapshot = build_snapshot(store, as_of=settings.as_of, regime=settings.regime)
    finally:
        if workers > 1:
            store.close()
    log.info("serving dataset %s (%d parties, %d groups; analysed in %.1f s) on http://%s:%d "
             "with %d worker(s)", snapshot.version, len(snapshot.dataset.entities),
             len(snapshot.analysis.groups), snapshot.build_seconds, host, port, workers)
    if workers == 1:
        try:
            app = create_app(settings, store=store, snapshot=snapshot)
            freeze_heap()  # the snapshot, the schema and the app: they live until shutdown
            uvicorn.run(app, host=host, port=port, log_level=log_level, access_log=False)
        finally:
            store.close()
        return

    freeze_heap()  # before forking: a worker's collections would otherwise copy every page

    def worker_app() -> FastAPI:  # in each worker
        app = create_app(replace(settings, reload_allowed=False), store=store.for_worker(),
                         snapshot=snapshot, close_store=True)
        freeze_heap()  # the schema and the app are as long-lived as the snapshot
        return app

    serve_workers(worker_app, host=host, port=port, workers=workers, log_level=log_level)
