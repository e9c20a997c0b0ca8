"""Routes of their own for the station's two hot requests, the lookup and the push.

They are most of the API's traffic, and FastAPI's work around each — trying ~27 routes in
order, then solving the route's dependency tree (path, header and body parameters, the slot, the
context) — was ~30 % of a lookup's CPU and ~28 % of a one-record push's (issue 15 §6,
bench_lookup_cpu.py --profile). So each has a route of its own, tried first, that does the same
for the ordinary request: a JSON object body that validates, a bearer or device credential,
headers within their bounds (and, for the lookup, a venue id in range). Anything else — no
credentials, a malformed body, an oversized header, an id out of range — is handed to the
FastAPI route with the body replayed, so every refusal keeps its exact status, code and words
(401 before the body is validated, 422 with its fields). The answer, the errors (raised into the
same exception handlers), the middlewares (metrics under the route's template, request id,
language, body limit, no-store) are the same either way.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any, TypeVar

import anyio.to_thread
from fastapi import FastAPI
from fastapi.responses import Response
from pydantic import BaseModel, ValidationError
from starlette.routing import BaseRoute, Match, Route
from starlette.types import Message, Receive, Scope, Send

from shoumen_core.devices import APP_VERSION_HEADER, PENDING_HEADER
from shoumen_server.deps import APP_VERSION_MAX, PENDING_MAX, ServerContext, StationCredential, db_slot

_SLOW = "shoumen.fast_route.slow"  # scope key: this request goes the FastAPI way
_HEADERS = {
    b"authorization": "authorization",
    APP_VERSION_HEADER.lower().encode(): "app_version",
    PENDING_HEADER.lower().encode(): "pending",
}
_HEADER_MAX = {"app_version": APP_VERSION_MAX, "pending": PENDING_MAX}  # deps.station_credential's

# What a route's reader makes of a request (None: the FastAPI route decides), and the work that
# answers it in one hop to the thread pool (the answer's JSON bytes).
Reader = Callable[[Scope, Receive, list[Message]], Awaitable[Any | None]]
Serve = Callable[[ServerContext, Any], bytes]
M = TypeVar("M", bound=BaseModel)


class FastRoute(Route):
    """POST `path`, answered by `serve(ctx, read(...))` when `read` accepts the request, else by
    `api_route` (the FastAPI route of the same path) with the body replayed."""

    def __init__(self, path: str, api_route: BaseRoute, read: Reader, serve: Serve) -> None:
        super().__init__(path, endpoint=_never_called, methods=["POST"], include_in_schema=False)
        self.api_route = api_route
        self.read = read
        self.serve = serve

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        if scope.get(_SLOW):
            return Match.NONE, {}
        match, child = super().matches(scope)
        if match is not Match.FULL:
            return Match.NONE, {}  # another method: the FastAPI route answers (405)
        # The FastAPI route's identity: the metrics count this route under its template.
        child["route"] = self.api_route
        return match, child

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        received: list[Message] = []
        request = await self.read(scope, receive, received)
        if request is None:
            await _the_fastapi_way(scope, receive, send, received)
            return
        ctx: ServerContext = scope["app"].state.ctx
        async with asynccontextmanager(db_slot)(ctx):
            answer = await anyio.to_thread.run_sync(self.serve, ctx, request)
        await Response(answer, media_type="application/json")(scope, receive, send)


def _never_called(_request: object) -> None:  # pragma: no cover - handle() is overridden
    raise AssertionError("FastRoute answers in handle()")


def read_credential(scope: Scope) -> StationCredential | None:
    """The station's credential headers when the request is JSON with a bearer or device
    credential and headers within their bounds; else None."""
    headers: dict[str, str] = {}
    content_type = b""
    for name, value in scope["headers"]:
        if name == b"content-type":
            content_type = value
        key = _HEADERS.get(name)
        if key is not None and key not in headers:
            headers[key] = value.decode("latin-1")
    authorization = headers.get("authorization")
    if not authorization or not authorization.lower().startswith(("bearer ", "device ")):
        return None
    if any(len(headers.get(key) or "") > most for key, most in _HEADER_MAX.items()):
        return None
    if not content_type.startswith(b"application/json"):
        return None
    return StationCredential(authorization, headers.get("app_version"), headers.get("pending"))


async def read_body(model: type[M], receive: Receive, received: list[Message]) -> M | None:
    """The body as `model` when it is a JSON object that validates, as FastAPI validates a body
    (the parsed JSON, in Python mode); else None. The messages read are kept in `received`."""
    chunks: list[bytes] = []
    while True:
        message = await receive()
        received.append(message)
        if message["type"] != "http.request":
            return None  # a disconnect: let FastAPI meet it as it always did
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    try:
        data = json.loads(b"".join(chunks))
        if not isinstance(data, dict):
            return None
        return model.model_validate(data)
    except (ValueError, ValidationError):  # JSONDecodeError is a ValueError
        return None


async def _the_fastapi_way(scope: Scope, receive: Receive, send: Send, received: list[Message]) -> None:
    """Route the request again, past the fast routes, with the body messages already read."""
    replay = list(received)

    async def replayed() -> Message:
        return replay.pop(0) if replay else await receive()

    scope[_SLOW] = True
    await scope["router"].app(scope, replayed, send)


def install(
    app: FastAPI, prefix: str, routes: list[BaseRoute], path: str, read: Reader, serve: Serve
) -> None:
    """Put a fast route for `path` first in the app's routes, in front of the FastAPI route of
    that path among `routes` (a router's, already included)."""
    api_route = next(route for route in routes if getattr(route, "path", None) == path)
    app.router.routes.insert(0, FastRoute(prefix + path, api_route, read, serve))
