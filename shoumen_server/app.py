"""The FastAPI application factory."""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

import fastapi.routing
from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel
from sqlalchemy import Engine, event, text
from starlette.types import Receive, Scope, Send

from shoumen_core.schemas import ErrorResponse, ServerInfo
from shoumen_core.timeutil import utcnow
from shoumen_server.db import PoolSize, make_engine, make_replica_engine, make_session_factory
from shoumen_server.deps import Ctx, ServerContext
from shoumen_server.errors import database_unavailable_response, install_error_handlers
from shoumen_server.i18n import NegotiateLanguage, translate
from shoumen_server.metrics import (
    METRICS_PATH,
    CountingSms,
    MetricsMiddleware,
    count_database_errors,
    metrics_response,
    route_templates,
)
from shoumen_server.middleware import BodySizeLimit, NoStore
from shoumen_server.migrate import current_revision, head_revision
from shoumen_server.outage import OutageLog, is_database_unavailable
from shoumen_server.replica import ReadSessions
from shoumen_server.routers import checks, sync
from shoumen_server.settings import ServerSettings
from shoumen_server.sms import SmsGateway
from shoumen_server.sms_providers import SmsSettings, build_gateway

log = logging.getLogger("shoumen.server")

API_PREFIX = "/api/v1"

# The API's routers (modules of shoumen_server.routers), in the order requests are matched.
# The start-up's first: FastAPI builds a router's routes when a request is first matched through
# it, and every router shares the /api/v1 prefix, so a station's login, /me, first pull and trust
# root build only these (the first pull on a fresh backend: ~80-160 -> ~20-30 ms). No route
# answers another router's path, so the order decides nothing else (tests/server/test_router_order.py).
ROUTER_NAMES: tuple[str, ...] = (
    "auth",
    "sync",
    "checks",
    "trust",
    "venues",
    "staff",
    "anomalies",
    "stats",
    "export",
    "details",
    "devices",
)
# What a station's start asks for: the login and /me (auth), the first pull (sync), a lookup
# (checks), the trust root (trust). With later_routers, create_app imports only these; the
# rest and the visitor pages at the first request none of these answers.
START_ROUTERS: tuple[str, ...] = ROUTER_NAMES[:4]


def api_routers(names: Sequence[str]) -> list[APIRouter]:
    return [importlib.import_module(f"shoumen_server.routers.{name}").router for name in names]


def visitor_router() -> APIRouter:
    from shoumen_server import visitor

    return visitor.router


def include_routers(app: FastAPI, names: Sequence[str], templates: dict[int, str]) -> None:
    """Include the named API routers under /api/v1; their routes' templates into `templates`
    (the metrics' labels)."""
    routers = api_routers(names)
    for router in routers:
        app.include_router(router, prefix=API_PREFIX)
    templates.update(route_templates((router, API_PREFIX) for router in routers))


def include_visitor_pages(app: FastAPI, templates: dict[int, str]) -> None:
    router = visitor_router()  # last: its pages are outside /api/v1
    app.include_router(router)
    templates.update(route_templates([(router, "")]))


def build_routes_now(app: FastAPI) -> None:
    """Build every included route's state (its dependency tree and pydantic adapters) now.

    FastAPI (0.16x) builds an included router's routes the first time a request is matched
    through it, on the event loop: in a fresh worker the first request that is not a lookup or
    a push (an owner's statistics, a login) built ~40 routes: a venue's first statistics poll
    took 84 ms against 6-8 ms after (13.8 ms now), and every lookup in flight on that worker
    waited meanwhile (issue 15 §6). `serve` calls this in each worker before it takes a
    request. The embedded backend does not: its start is what a station waits for
    (create_app's later_routers).
    `iter_route_contexts` is what FastAPI's own OpenAPI generator walks; an older FastAPI,
    which built the routes when they were included, has none and needs nothing."""
    contexts = getattr(fastapi.routing, "iter_route_contexts", None)
    if contexts is not None:
        for _context in contexts(app.router.routes):
            pass


def _include_at_first_miss(app: FastAPI, names: Sequence[str], templates: dict[int, str]) -> None:
    """The router answers a path none of its routes matches with its `default` (404). Until the
    `names` routers are in, that default includes them and the visitor pages, then matches the
    request again; the OpenAPI document includes them before it is first built (FastAPI keeps
    it). Inclusion is synchronous, on the event loop's thread: no request is matched meanwhile."""
    not_found = app.router.default
    build_openapi = app.openapi
    included = False

    def include_the_rest() -> None:
        nonlocal included
        if included:
            return
        include_routers(app, names, templates)
        include_visitor_pages(app, templates)
        app.router.default = not_found
        included = True
        log.info("the other routers included at the first request for them")

    async def include_then_match(scope: Scope, receive: Receive, send: Send) -> None:
        if included:
            await not_found(scope, receive, send)
            return
        include_the_rest()
        await app.router.app(scope, receive, send)

    def openapi_of_every_router() -> dict[str, Any]:
        include_the_rest()
        return build_openapi()

    app.router.default = include_then_match
    app.openapi = openapi_of_every_router  # type: ignore[method-assign]


class HealthOut(BaseModel):
    status: str  # "ok"


def _watch_recovery(engine: Engine, outage: OutageLog) -> None:
    # A checkout succeeds only after a connect (or the ping of an idle pooled one) succeeded,
    # and an outage's first disconnect replaced every pooled connection (db.py): the first
    # checkout after an outage is the moment the database is back.
    event.listen(engine, "checkout", lambda *_args: outage.recovered())


class SchemaBehind(Exception):
    """The database answers but its schema is not the one this code needs."""


def _database_ready(engine: Engine) -> None:
    """The database answers and its schema is at this code's migration head. During a rolling
    upgrade a new worker must not take traffic before `shoumen-server migrate` ran: its
    queries would fail on missing columns; an old schema is "not ready", not "down"."""
    with engine.connect() as conn:
        conn.execute(text("SELECT 1"))
    if current_revision(engine) != head_revision():
        raise SchemaBehind()


def _schema_behind_response() -> JSONResponse:
    return JSONResponse(
        {
            "error": {
                "code": "schema_not_migrated",
                "message": translate("服务器数据库结构未更新，请运行 shoumen-server migrate"),
            }
        },
        status_code=503,
        headers={"Retry-After": "30"},
    )


def create_app(
    settings: ServerSettings | None = None,
    *,
    sms: SmsGateway | None = None,
    clock: Callable[[], datetime] = utcnow,
    later_routers: bool = False,
) -> FastAPI:
    """later_routers (the embedded backend, whose start a station waits for): import and
    include only START_ROUTERS now, the other routers and the visitor pages at the first request
    no route answers (~0.1-0.15 s of a ~1.4 s start; that request waits for them once)."""
    settings = settings or ServerSettings.from_env()
    pool = PoolSize(settings.db_pool_size, settings.db_max_overflow, settings.db_pool_timeout)
    engine = make_engine(settings.database_url, pool)
    count_database_errors(engine)
    sessions = make_session_factory(engine)
    replica = (
        make_replica_engine(settings.database_replica_url, pool) if settings.database_replica_url else None
    )
    ctx = ServerContext(
        settings=settings,
        sessions=sessions,
        sms=CountingSms(sms or build_gateway(SmsSettings.from_env())),
        clock=clock,
        reads=ReadSessions(
            sessions,
            make_session_factory(replica) if replica is not None else None,
            max_lag_seconds=settings.replica_max_lag_seconds,
        ),
    )
    app = FastAPI(
        title="Shoumen 守小门 API",
        version="1",
        openapi_url=f"{API_PREFIX}/openapi.json",
        docs_url=f"{API_PREFIX}/docs",
        redoc_url=None,
        responses={
            400: {"model": ErrorResponse},
            401: {"model": ErrorResponse},
            403: {"model": ErrorResponse},
        },
    )
    app.state.ctx = ctx
    app.state.engine = engine
    app.state.replica_engine = replica  # None without a replica; disposed with the engine
    outage = OutageLog()
    app.state.outage = outage
    _watch_recovery(engine, outage)
    install_error_handlers(app, outage)

    @app.get(f"{API_PREFIX}/health", response_model=HealthOut, tags=["info"])
    def health() -> HealthOut:
        """Liveness: the process answers. Never touches the database, so an orchestrator does
        not restart a healthy server because PostgreSQL is away."""
        return HealthOut(status="ok")

    @app.get(
        f"{API_PREFIX}/ready",
        response_model=HealthOut,
        tags=["info"],
        responses={503: {"model": ErrorResponse}},
    )
    def ready() -> HealthOut | JSONResponse:
        """Readiness: 200 when a `SELECT 1` succeeds (bounded by the engine's connect timeout)
        and the schema is at the migration head; 503 database_unavailable or
        schema_not_migrated otherwise — a load balancer sends no traffic here meanwhile."""
        try:
            _database_ready(engine)
        except SchemaBehind:
            return _schema_behind_response()
        except Exception as exc:
            if not is_database_unavailable(exc):
                raise
            outage.failed(exc)
            return database_unavailable_response()
        return HealthOut(status="ok")

    @app.get(f"{API_PREFIX}/info", response_model=ServerInfo, tags=["info"])
    def info(ctx: Ctx) -> ServerInfo:
        return ServerInfo(
            server_time=ctx.clock(),
            epoch=ctx.keys.epoch,
            demo_mode=ctx.settings.demo_mode,
            server_id=ctx.server_id,
        )

    @app.get(METRICS_PATH, include_in_schema=False)
    def metrics(request: Request) -> Response:
        """Prometheus text format, for a scraper on this machine (metrics.py says who may)."""
        return metrics_response(request, settings)

    templates: dict[int, str] = {}
    include_routers(app, START_ROUTERS if later_routers else ROUTER_NAMES, templates)
    checks.install_fast_lookup(app, API_PREFIX)  # the lookup's and the push's own routes,
    sync.install_fast_push(app, API_PREFIX)  # tried first (fast_routes.py)
    rest = ROUTER_NAMES[len(START_ROUTERS) :]
    if later_routers:
        _include_at_first_miss(app, rest, templates)
    else:
        include_visitor_pages(app, templates)
    app.add_middleware(NoStore)
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_body_bytes)  # before all but timing
    app.add_middleware(NegotiateLanguage)  # outside BodySizeLimit: its 413 is worded too
    app.add_middleware(
        MetricsMiddleware, templates=templates
    )  # outermost: times and counts every answer, 413s included
    return app
