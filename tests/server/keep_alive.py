"""An idle keep-alive connection asked again after a pause, over a raw socket (a client library
would quietly open a new connection when the old one was closed)."""

from __future__ import annotations

import socket
import time

# Past uvicorn's and gunicorn's own default (5 s), which the server used before.
IDLE = 6.5
REQUEST = b"GET /api/v1/health HTTP/1.1\r\nHost: shoumen\r\n\r\n"


def _answer(sock: socket.socket) -> str:
    """The status line of one answer (empty: the server had closed the connection)."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(4096)
        if not chunk:
            return ""
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = next(
        int(line.split(b":", 1)[1])
        for line in head.split(b"\r\n")
        if line.lower().startswith(b"content-length:")
    )
    while len(body) < length:
        chunk = sock.recv(4096)
        if not chunk:
            return ""
        body += chunk
    return head.split(b"\r\n", 1)[0].decode("latin-1")


def asked_again_after(port: int, idle: float) -> tuple[str, str]:
    """The status lines of two requests on one connection, `idle` seconds apart."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(REQUEST)
        first = _answer(sock)
        time.sleep(idle)
        try:
            sock.sendall(REQUEST)
            second = _answer(sock)
        except OSError:  # reset: closed meanwhile
            second = ""
    return first, second
