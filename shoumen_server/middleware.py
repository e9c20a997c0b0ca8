"""Pure ASGI middleware that guards every request before a route sees it (issue 13 §5).

- `BodySizeLimit`: a body over the limit gets 413 `body_too_large` before anything parses it,
  by its Content-Length or, for a streamed (chunked) body, by counting what arrives. A 50 MB
  unauthenticated body used to be read and parsed whole.
- `NoStore`: every answer says `Cache-Control: no-store`. Nearly every response of this
  server carries personal data (lookups, full details, exports, sync pulls, anomaly lists,
  stats with names) and none is worth caching, so one rule for all is safer than a list of
  routes that the next endpoint forgets to join. A response that sets its own Cache-Control
  (the visitor pages do) keeps it.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from starlette.exceptions import HTTPException

from shoumen_server.i18n import translate

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

TOO_LARGE_CODE = "body_too_large"
TOO_LARGE_MESSAGE = "请求内容过大"


class _BodyTooLarge(HTTPException):
    """Raised from `receive` once a streamed body passes the limit. An HTTPException, so
    FastAPI's body reader re-raises it instead of turning it into a 400; the answer the client
    gets is the middleware's own 413 (`BodySizeLimit`)."""

    def __init__(self) -> None:
        super().__init__(status_code=413, detail=TOO_LARGE_MESSAGE)


async def _send_too_large(send: Send, limit: int) -> None:
    body = json.dumps(
        {
            "error": {
                "code": TOO_LARGE_CODE,
                "message": translate(TOO_LARGE_MESSAGE),  # NegotiateLanguage runs outside this
                "detail": {"max_bytes": limit},
            }
        },
        ensure_ascii=False,
    ).encode("utf-8")
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


class BodySizeLimit:
    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for name, value in scope.get("headers", ()):
            if name == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    declared = 0  # the server refuses a malformed length itself
                if declared > self.max_bytes:
                    await _send_too_large(send, self.max_bytes)
                    return
        received = 0
        exceeded = False
        answered = False

        async def limited_receive() -> Message:
            nonlocal received, exceeded
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    exceeded = True
                    raise _BodyTooLarge()
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal answered
            if exceeded:  # whatever the app answers to the exception, the client gets our 413
                if message["type"] == "http.response.start" and not answered:
                    answered = True
                    await _send_too_large(send, self.max_bytes)
                return
            await send(message)

        try:
            await self.app(scope, limited_receive, guarded_send)
        except _BodyTooLarge:
            if not answered:
                await _send_too_large(send, self.max_bytes)


class NoStore:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_no_store(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", ()))
                if not any(name.lower() == b"cache-control" for name, _ in headers):
                    headers.append((b"cache-control", b"no-store"))
                    message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_no_store)
