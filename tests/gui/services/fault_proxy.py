"""A real TCP proxy that loses HTTP requests: a flaky 4G link in front of a real backend.

    proxy = FaultProxy(server.port, fail_rate=0.1, seed=1)     # 10 % of requests lost
    api = ApiClient(proxy.url, ...)
    proxy.script("reset", None)                                # the next request reset, then one passes
    proxy.hold(); ...; proxy.release()                         # a slow backend: requests wait meanwhile
    proxy.close()

Each HTTP/1.1 request (the client's first bytes after an answer, or on a new connection — the
station never pipelines) is passed, or lost in one of two ways a mobile link loses them:
"reset" (the connection is reset at once: a NAT or a radio hand-over dropped it) or "stall"
(nothing comes back and the connection hangs until the client gives up). `delay` adds one-way
latency to every chunk in both directions (a 4G round trip is 2 x delay plus the server).
Used by tests/gui/services/test_flaky_link.py and bench/bench_flaky_link.py.
"""

from __future__ import annotations

import contextlib
import random
import socket
import struct
import threading
import time
from collections import Counter, deque
from typing import Literal

Fault = Literal["reset", "stall"]


class FaultProxy:
    def __init__(
        self,
        target_port: int,
        *,
        fail_rate: float = 0.0,
        stall_share: float = 0.5,
        delay: float = 0.0,
        seed: int | None = None,
        target_host: str = "127.0.0.1",
    ) -> None:
        self.target = (target_host, target_port)
        self.fail_rate = fail_rate
        self.stall_share = stall_share
        self.delay = delay
        self.counts: Counter[str] = Counter()  # "requests", "reset", "stall", "connections"
        self._random = random.Random(seed)
        self._scripted: deque[Fault | None] = deque()
        self._lock = threading.Lock()
        self._sockets: set[socket.socket] = set()
        self._closed = False
        self._open = threading.Event()  # cleared by hold(): new requests wait (a slow backend)
        self._open.set()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port: int = self._listener.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True, name="fault-proxy").start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def script(self, *faults: Fault | None) -> None:
        """What happens to the next requests, in order (None: passes), before chance decides again."""
        with self._lock:
            self._scripted.extend(faults)

    def hold(self) -> None:
        """From now on every new request waits before it reaches the server, as behind a slow
        link, until `release()` — the client sees no answer, not an error."""
        self._open.clear()

    def release(self) -> None:
        self._open.set()

    def close(self) -> None:
        self._open.set()
        with self._lock:
            self._closed = True
            sockets = list(self._sockets)
        self._listener.close()
        for sock in sockets:
            _close(sock)

    # ---- plumbing ----------------------------------------------------------------------

    def _decide(self) -> Fault | None:
        with self._lock:
            self.counts["requests"] += 1
            if self._scripted:
                fault = self._scripted.popleft()
            elif self._random.random() < self.fail_rate:
                fault = "stall" if self._random.random() < self.stall_share else "reset"
            else:
                fault = None
            if fault is not None:
                self.counts[fault] += 1
            return fault

    def _track(self, *socks: socket.socket) -> bool:
        with self._lock:
            if self._closed:
                return False
            self._sockets.update(socks)
            return True

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(self.target, timeout=5)
                upstream.settimeout(None)
            except OSError:
                _reset(client)
                continue
            if not self._track(client, upstream):
                _close(client)
                _close(upstream)
                return
            with self._lock:
                self.counts["connections"] += 1
            answered = threading.Event()
            answered.set()  # the first bytes on a new connection start a request
            threading.Thread(target=self._requests, args=(client, upstream, answered), daemon=True).start()
            threading.Thread(target=self._answers, args=(upstream, client, answered), daemon=True).start()

    def _requests(self, client: socket.socket, upstream: socket.socket, answered: threading.Event) -> None:
        stalled = False
        try:
            while chunk := client.recv(65536):
                if stalled:
                    continue  # swallowed: the client waits for an answer that never comes
                if answered.is_set():
                    answered.clear()
                    fault = self._decide()
                    if fault == "reset":
                        _reset(client)
                        return
                    if fault == "stall":
                        stalled = True
                        continue
                    self._open.wait()
                if self.delay:
                    time.sleep(self.delay)
                upstream.sendall(chunk)
        except OSError:
            pass
        finally:
            _close(upstream)
            _close(client)

    def _answers(self, upstream: socket.socket, client: socket.socket, answered: threading.Event) -> None:
        try:
            while chunk := upstream.recv(65536):
                if self.delay:
                    time.sleep(self.delay)
                answered.set()  # before sending: the client's next request may follow at once
                client.sendall(chunk)
        except OSError:
            pass
        finally:
            _close(client)
            _close(upstream)


def _reset(sock: socket.socket) -> None:
    """Close with a TCP RST (SO_LINGER 0), as a dropped mobile connection looks to the client."""
    with contextlib.suppress(OSError):
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    _close(sock)


def _close(sock: socket.socket) -> None:
    # shutdown first: close() alone does not wake a recv() blocked in the other pump thread
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)
    with contextlib.suppress(OSError):
        sock.close()
