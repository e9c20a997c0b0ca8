"""The FastAPI application factory."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel
from sqlalchemy import Engine, event, text

from shoumen_core.schemas import ErrorResponse, ServerInfo
from shoumen_core.timeutil import utcnow
from shoumen_server import visitor
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
from shoumen_server.routers import (
    anomalies,
    auth,
    checks,
    details,
    devices,
    export,
    staff,
    stats,
    sync,
    trust,
    venues,
)
from shoumen_server.settings import ServerSettings
from shoumen_server.sms import SmsGateway
from shoumen_server.sms_providers import SmsSettings, build_gateway

log = logging.getLogger("shoumen.server")

API_PREFIX = "/api/v1"

# The start-up's routers first: FastAPI builds a router's routes when a request is first matched
# through it, and every router shares the /api/v1 prefix, so a station's login, /me and first
# pull build only these (the first pull on a fresh backend: ~80-160 -> ~20-30 ms). No route
# answers another router's path, so the order decides nothing else (tests/server/test_router_order.py).
ROUTERS: list[APIRouter] = [
    auth.router,
    sync.router,
    checks.router,
    venues.router,
    staff.router,
    anomalies.router,
    stats.router,
    export.router,
    details.router,
    trust.router,
    devices.router,
]


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
) -> FastAPI:
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

    for router in ROUTERS:
        app.include_router(router, prefix=API_PREFIX)
    checks.install_fast_lookup(app, API_PREFIX)  # the lookup's own route, tried first
    app.include_router(visitor.router)
    app.add_middleware(NoStore)
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_body_bytes)  # before all but timing
    app.add_middleware(NegotiateLanguage)  # outside BodySizeLimit: its 413 is worded too
    templates = route_templates([*((router, API_PREFIX) for router in ROUTERS), (visitor.router, "")])
    app.add_middleware(
        MetricsMiddleware, templates=templates
    )  # outermost: times and counts every answer, 413s included
    return app
