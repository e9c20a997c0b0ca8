"""TCP ports for servers a test starts in another process (uvicorn, gunicorn, nginx, PostgreSQL).

Such a server cannot be handed a bound socket, so the test must name a port that is free now
and still free when the server binds it, a second later. The old way (bind port 0, read the
number, close) draws from the kernel's ephemeral range — the same range every outgoing
connection and every `bind(0)` of the other pytest-xdist workers draws from — so another worker
could take the port in that second, and two calls in a row could even return the same number.

Here each worker has its own band of ports below the ephemeral range (32768-60999 on Linux:
/proc/sys/net/ipv4/ip_local_port_range), walked in order: no other worker of the run and no
outgoing connection picks from it, and two calls in one process never return the same port. A
port somebody else holds (another run on the machine, a port in TIME_WAIT) fails the bind and is
passed over.
"""

from __future__ import annotations

import itertools
import os
import socket

_FIRST = 20_000
_BAND = 1_000
_BANDS = 12  # 20000-31999: below the ephemeral range


def _band() -> int:
    """gw0 -> 0, gw1 -> 1, ...; 0 outside xdist (a serial run has the machine's ports to itself)."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    digits = worker.removeprefix("gw")
    return int(digits) % _BANDS if digits.isdigit() else 0


def _candidates() -> itertools.cycle[int]:
    start = _FIRST + _band() * _BAND
    # Start at a place of this process's own, so a second run on the machine (another engineer
    # with the same worker numbers) mostly walks other ports; a taken port is skipped anyway.
    offset = os.getpid() % _BAND
    return itertools.cycle([start + (offset + i) % _BAND for i in range(_BAND)])


_NEXT = _candidates()


def free_port() -> int:
    """A port on 127.0.0.1 nobody listens on, not handed out before by this process (until its
    band of 1,000 wraps)."""
    for _ in range(_BAND):
        port = next(_NEXT)
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue  # held by someone, or in TIME_WAIT from an earlier server
            return port
    raise RuntimeError(f"no free port in this worker's band ({_FIRST + _band() * _BAND}-…)")
