"""Real stand-ins for the gate devices of the gate tests: a pseudo-terminal pair for the USB
relay, and an HTTP server on 127.0.0.1 that can answer, fail, hang, or demand digest
authentication (RFC 7616, MD5 with qop=auth, checked with hashlib) like a Hikvision device."""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
import select
import threading
import time
import tty
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

REALM = "DS-K1T671"


class PtyRelay:
    """The relay board's side of a pty pair: the gate writes to `port`, the test reads here."""

    def __init__(self) -> None:
        self.master, self._slave = os.openpty()
        tty.setraw(self._slave)  # no line discipline: bytes arrive as written
        self.port = os.ttyname(self._slave)

    def read(self, n: int, timeout: float = 5.0) -> tuple[bytes, float]:
        """Up to n bytes (fewer only on timeout) and the monotonic time the last one arrived."""
        deadline = time.monotonic() + timeout
        data = b""
        while len(data) < n:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            ready, _, _ = select.select([self.master], [], [], remaining)
            if ready:
                data += os.read(self.master, n - len(data))
        return data, time.monotonic()

    def close(self) -> None:
        os.close(self.master)
        os.close(self._slave)


@dataclass(frozen=True)
class Seen:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    authorised: bool


@dataclass
class GateServer:
    """A device on 127.0.0.1. Set `status`/`reply`, `hang`, or `digest` = (user, password)."""

    status: int = 200
    reply: bytes = b""
    hang: bool = False
    digest: tuple[str, str] | None = None
    on_request: Callable[[Seen], None] | None = None
    requests: list[Seen] = field(default_factory=list)
    release: threading.Event = field(default_factory=threading.Event)
    nonce: str = field(default_factory=lambda: secrets.token_hex(16))

    def __post_init__(self) -> None:
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, args=(0.02,), name="gate-server", daemon=True
        )
        self._thread.start()

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    def close(self) -> None:
        self.release.set()  # let a hanging handler finish
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(5)

    def authorised(self, method: str, header: str | None) -> bool:
        if self.digest is None:
            return True
        if header is None or not header.startswith("Digest "):
            return False
        params = parse_digest(header)
        user, password = self.digest
        ha1 = _md5(f"{user}:{REALM}:{password}")
        ha2 = _md5(f"{method}:{params.get('uri', '')}")
        expected = _md5(f"{ha1}:{self.nonce}:{params.get('nc')}:{params.get('cnonce')}:auth:{ha2}")
        return (
            params.get("username") == user
            and params.get("realm") == REALM
            and params.get("nonce") == self.nonce
            and params.get("qop") == "auth"
            and hmac.compare_digest(expected, params.get("response", ""))
        )


def parse_digest(header: str) -> dict[str, str]:
    pairs = re.findall(r'(\w+)=(?:"([^"]*)"|([^,\s]*))', header.removeprefix("Digest "))
    return {key: quoted or bare for key, quoted, bare in pairs}


def _md5(text: str) -> str:
    return hashlib.md5(text.encode()).hexdigest()


def _handler_for(server: GateServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self._handle()

        def do_POST(self) -> None:
            self._handle()

        def do_PUT(self) -> None:
            self._handle()

        def log_message(self, format: str, *args: object) -> None:
            pass

        def _handle(self) -> None:
            try:
                self._answer()
            except OSError:  # the client gave up (the hanging case): nothing to answer
                self.close_connection = True

        def _answer(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            ok = server.authorised(self.command, self.headers.get("Authorization"))
            seen = Seen(self.command, self.path, dict(self.headers.items()), body, ok)
            server.requests.append(seen)
            if server.on_request is not None:
                server.on_request(seen)
            if server.hang:
                server.release.wait(30)
                self.close_connection = True
                return
            if not ok:
                challenge = f'Digest realm="{REALM}", qop="auth", nonce="{server.nonce}", algorithm=MD5'
                self._send(401, b"", {"WWW-Authenticate": challenge})
                return
            self._send(server.status, server.reply, {"Content-Type": "application/xml"})

        def _send(self, status: int, body: bytes, headers: dict[str, str]) -> None:
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    return Handler
