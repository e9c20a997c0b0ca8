"""Prometheus metrics (issue 15 §3): `GET /metrics`, the same figures whichever worker answers.

What is counted, and where:
- every HTTP request, by method and route TEMPLATE (`/api/v1/venues/{venue_id}/lookup`, never
  the raw path: ids and tokens must not become labels, and the number of series stays bounded):
  a latency histogram and the answers by status (`MetricsMiddleware`, outermost);
- lookups by outcome and rate-limit answers (429) by route, from the same middleware: no call
  in the routers;
- pushed rows by kind and outcome (one call in routers/sync.py);
- SMS sends by provider, purpose and outcome (`CountingSms` wraps the configured gateway);
- database errors by the driver's error class (an engine `handle_error` listener).

No label ever carries a person, a phone, an id or a client address.

With several workers (`serve --workers N`) each process writes its figures to files in
PROMETHEUS_MULTIPROC_DIR (made empty by `serve` before the workers start, removed when it
stops) and `/metrics` adds them up (prometheus_client's multiprocess mode). That variable must
be set before prometheus_client is imported, which `serve` does.

Who may read it: the figures reveal a county's traffic (how many lookups, logins, pushes and
when), so only a TCP peer in `settings.metrics_allow` (loopback by default) gets them, and never
a request that came through a proxy (one with a forwarding header): nginx on the same machine
connects from loopback for every client on the internet.
"""

from __future__ import annotations

import ipaddress
import os
import time
from collections.abc import Iterable
from typing import Any, Final

from fastapi import APIRouter, Request
from fastapi.responses import Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client import REGISTRY as DEFAULT_REGISTRY
from sqlalchemy import Engine, event

from shoumen_core.schemas import PushRequest, PushResponse
from shoumen_server.errors import PermissionDenied
from shoumen_server.middleware import ASGIApp, Message, Receive, Scope, Send
from shoumen_server.settings import ServerSettings
from shoumen_server.sms import SmsGateway

METRICS_PATH: Final = "/metrics"
UNMATCHED: Final = "<unmatched>"  # no route: a 404, or a body refused before routing
_METHODS: Final = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
# Proxies add one of these; a request that carries one did not come from an operator's scraper
# on this machine, whatever its TCP peer.
_FORWARDING: Final = frozenset({b"x-forwarded-for", b"x-real-ip", b"forwarded", b"x-forwarded-host"})
LOOKUP_ROUTES: Final = frozenset({"/api/v1/venues/{venue_id}/lookup"})

# Lookups answer in ~5-30 ms, a push of 500 rows in ~100-300 ms, an export in seconds.
REQUEST_SECONDS = Histogram(
    "shoumen_http_request_duration_seconds",
    "Time from a request's arrival to its answer's last byte, by route template",
    ["method", "route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
RESPONSES = Counter(
    "shoumen_http_responses", "Answers by route template and status", ["method", "route", "status"]
)
LOOKUPS = Counter("shoumen_lookups", "ID and personal-code lookups by outcome", ["outcome"])
RATE_LIMITED = Counter("shoumen_rate_limited", "Requests refused by a rate limit or quota (429)", ["route"])
PUSHED_ROWS = Counter("shoumen_pushed_rows", "Rows stations pushed, by kind and outcome", ["kind", "outcome"])
SMS_SENDS = Counter(
    "shoumen_sms_sends", "SMS codes handed to the provider", ["provider", "purpose", "outcome"]
)
DB_ERRORS = Counter("shoumen_database_errors", "Errors the database driver raised", ["error"])


def _lookup_outcome(status: int) -> str:
    if status < 300:
        return "answered"
    if status == 429:
        return "rate_limited"
    return "refused" if status < 500 else "error"


def route_templates(routers: Iterable[tuple[APIRouter, str]]) -> dict[int, str]:
    """The full template of every route of routers included with a prefix, by the route
    object's identity: FastAPI puts the router's own route object in the scope, whose `path`
    lacks the prefix (`/auth/sms-code` for `/api/v1/auth/sms-code`)."""
    return {id(route): prefix + route.path for router, prefix in routers for route in router.routes}  # type: ignore[attr-defined]


class MetricsMiddleware:
    """Times every HTTP request and counts its answer; pure ASGI (no body buffering)."""

    def __init__(self, app: ASGIApp, templates: dict[int, str] | None = None) -> None:
        self.app = app
        self.templates = templates if templates is not None else {}  # may grow (later routers)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500  # an exception that escapes is answered 500 by Starlette's outer middleware

        async def send_counted(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, send_counted)
        finally:
            # The router put the matched route in the scope; its path is the template (never the
            # raw path: ids and tokens would make a series each).
            matched = scope.get("route")
            route = self.templates.get(id(matched)) or getattr(matched, "path", None) or UNMATCHED
            method = scope.get("method", "")
            method = method if method in _METHODS else "OTHER"
            REQUEST_SECONDS.labels(method, route).observe(time.perf_counter() - started)
            RESPONSES.labels(method, route, str(status)).inc()
            if status == 429:
                RATE_LIMITED.labels(route).inc()
            if route in LOOKUP_ROUTES:
                LOOKUPS.labels(_lookup_outcome(status)).inc()


class CountingSms:
    """The configured SMS gateway, counting each send by provider and outcome (the error code
    of a refusal: a fixed set, never the provider's free text)."""

    def __init__(self, gateway: SmsGateway) -> None:
        self.gateway = gateway
        self.provider = str(getattr(gateway, "name", type(gateway).__name__))

    def send_code(self, phone: str, code: str, purpose: str = "login") -> None:
        try:
            self.gateway.send_code(phone, code, purpose)
        except Exception as exc:
            SMS_SENDS.labels(self.provider, purpose, str(getattr(exc, "code", "error"))).inc()
            raise
        SMS_SENDS.labels(self.provider, purpose, "sent").inc()

    def __getattr__(self, name: str) -> Any:  # latest_code of the dev gateway, and the like
        return getattr(self.gateway, name)


def count_push(body: PushRequest, response: PushResponse) -> PushResponse:
    """Counts a push's answer by kind (check, anomaly) and outcome; returns it unchanged."""
    checks = {item.id for item in body.checks}
    for outcome, ids in (("accepted", response.accepted), ("rejected", [r.id for r in response.rejected])):
        of_checks = sum(1 for item in ids if item in checks)
        for kind, count in (("check", of_checks), ("anomaly", len(ids) - of_checks)):
            if count:
                PUSHED_ROWS.labels(kind, outcome).inc(count)
    return response


def count_database_errors(engine: Engine) -> None:
    def handle_error(context: Any) -> None:
        original = context.original_exception
        DB_ERRORS.labels("disconnect" if context.is_disconnect else type(original).__name__).inc()

    event.listen(engine, "handle_error", handle_error)


def registry() -> CollectorRegistry:
    """The figures of this process, or of every worker when serve runs several."""
    if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        return DEFAULT_REGISTRY
    from prometheus_client import multiprocess

    collected = CollectorRegistry()
    multiprocess.MultiProcessCollector(collected)  # type: ignore[no-untyped-call]
    return collected


class MetricsForbidden(PermissionDenied):
    code = "metrics_forbidden"
    message = "监控指标仅限本机或指定地址读取"


def _peer_allowed(request: Request, settings: ServerSettings) -> bool:
    if any(name in _FORWARDING for name, _ in request.scope.get("headers", ())):
        return False
    try:
        peer = ipaddress.ip_address(request.client.host if request.client else "")
    except ValueError:
        return False
    if isinstance(peer, ipaddress.IPv6Address) and peer.ipv4_mapped is not None:
        peer = peer.ipv4_mapped
    return any(peer in ipaddress.ip_network(item, strict=False) for item in settings.metrics_allow)


def metrics_response(request: Request, settings: ServerSettings) -> Response:
    if not _peer_allowed(request, settings):
        raise MetricsForbidden()
    return Response(generate_latest(registry()), media_type=CONTENT_TYPE_LATEST)
