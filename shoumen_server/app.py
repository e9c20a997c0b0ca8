"""The FastAPI application factory."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from fastapi import APIRouter, FastAPI

from shoumen_core.schemas import ErrorResponse, ServerInfo
from shoumen_core.timeutil import utcnow
from shoumen_server import visitor
from shoumen_server.db import make_engine, make_session_factory
from shoumen_server.deps import Ctx, ServerContext
from shoumen_server.errors import install_error_handlers
from shoumen_server.middleware import BodySizeLimit, NoStore
from shoumen_server.routers import anomalies, auth, checks, details, export, staff, stats, sync, trust, venues
from shoumen_server.settings import ServerSettings
from shoumen_server.sms import SmsGateway
from shoumen_server.sms_providers import SmsSettings, build_gateway

log = logging.getLogger("shoumen.server")

API_PREFIX = "/api/v1"

ROUTERS: list[APIRouter] = [
    auth.router,
    venues.router,
    staff.router,
    checks.router,
    sync.router,
    anomalies.router,
    stats.router,
    export.router,
    details.router,
    trust.router,
]


def create_app(
    settings: ServerSettings | None = None,
    *,
    sms: SmsGateway | None = None,
    clock: Callable[[], datetime] = utcnow,
) -> FastAPI:
    settings = settings or ServerSettings.from_env()
    engine = make_engine(settings.database_url)
    ctx = ServerContext(
        settings=settings,
        sessions=make_session_factory(engine),
        sms=sms or build_gateway(SmsSettings.from_env()),
        clock=clock,
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
    install_error_handlers(app)

    @app.get(f"{API_PREFIX}/info", response_model=ServerInfo, tags=["info"])
    def info(ctx: Ctx) -> ServerInfo:
        return ServerInfo(
            server_time=ctx.clock(),
            epoch=ctx.keys.epoch,
            demo_mode=ctx.settings.demo_mode,
            server_id=ctx.server_id,
        )

    for router in ROUTERS:
        app.include_router(router, prefix=API_PREFIX)
    app.include_router(visitor.router)
    app.add_middleware(NoStore)
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_body_bytes)  # outermost: before all
    return app
