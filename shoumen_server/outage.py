"""The database is away: answer 503 `database_unavailable` and keep the log readable.

With PostgreSQL stopped for 30 s the server used to answer 500 to every request, drop the
keep-alive connection and write one traceback per request (2,134 of them, 12.8 MB). Now an
error that means "the database cannot be reached right now" is answered calmly (503 with
Retry-After, through a handler that does not close the connection), and `OutageLog` writes one
warning when the outage starts, a count at most every `report_every` seconds while it lasts and
one line when the first connection succeeds again.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from collections.abc import Callable
from typing import Final

from sqlalchemy import exc as sa_exc

log = logging.getLogger("shoumen.server.outage")

# Seconds a client should wait before it retries. PostgreSQL restarts or fails over in a few
# seconds and the pool reconnects on the first request after it (db.py: an idle connection is
# pinged, a disconnect replaces them all); 3 s keeps a
# station's retry well inside the minute it would otherwise wait, without hammering.
RETRY_AFTER_SECONDS: Final = 3
REPORT_EVERY_SECONDS: Final = 30.0

# SQLite primary result codes that mean "not now" rather than "this statement is wrong":
# BUSY, LOCKED, IOERR, CANTOPEN (https://sqlite.org/rescode.html). Extended codes keep the
# primary code in their low byte.
_SQLITE_UNAVAILABLE: Final = frozenset({5, 6, 10, 14})


def _psycopg_unavailable(orig: BaseException) -> bool:
    try:
        import psycopg
    except ImportError:  # psycopg is only installed where PostgreSQL is used
        return False
    return isinstance(orig, psycopg.OperationalError | psycopg.InterfaceError)


def is_database_unavailable(exc: BaseException) -> bool:
    """True when `exc` says the database cannot be reached or used right now (not a bug in a query)."""
    if isinstance(exc, sa_exc.TimeoutError):  # no pooled connection came free in time
        return True
    if not isinstance(exc, sa_exc.DBAPIError):
        return False
    if exc.connection_invalidated:
        return True
    orig = exc.orig
    if isinstance(orig, sqlite3.OperationalError):
        code = getattr(orig, "sqlite_errorcode", None)
        return code is not None and code & 0xFF in _SQLITE_UNAVAILABLE
    if orig is not None and _psycopg_unavailable(orig):
        return True
    return isinstance(exc, sa_exc.InterfaceError)


class OutageLog:
    """One warning when an outage starts, a count at most every `report_every` s, one line at the end.

    Thread-safe; `recovered()` is cheap when there is no outage (it is called on every pool checkout).
    """

    def __init__(
        self, *, report_every: float = REPORT_EVERY_SECONDS, monotonic: Callable[[], float] = time.monotonic
    ) -> None:
        self.report_every = report_every
        self._monotonic = monotonic
        self._lock = threading.Lock()
        self._since: float | None = None
        self._last_report = 0.0
        self._failed = 0  # requests answered 503 since the last report
        self._total = 0

    @property
    def in_outage(self) -> bool:
        return self._since is not None

    def failed(self, exc: BaseException) -> None:
        now = self._monotonic()
        with self._lock:
            self._total += 1
            if self._since is None:
                self._since, self._last_report, self._failed = now, now, 0
                # The class name and the driver's class say what broke; the message may carry
                # a host name but never a parameter (hide_parameters on the engine).
                orig = getattr(exc, "orig", None)
                log.warning(
                    "database unavailable (%s%s): answering 503 until it is back",
                    type(exc).__name__,
                    f"/{type(orig).__name__}" if orig is not None else "",
                )
                return
            self._failed += 1
            if now - self._last_report < self.report_every:
                return
            failed, self._failed, self._last_report = self._failed, 0, now
            since = now - self._since
        log.warning("database still unavailable after %.0f s: %d requests answered 503", since, failed)

    def recovered(self) -> None:
        if self._since is None:  # the common case, without the lock
            return
        with self._lock:
            if self._since is None:
                return
            since, total = self._monotonic() - self._since, self._total
            self._since, self._failed, self._total = None, 0, 0
        log.warning("database available again after %.1f s (%d requests answered 503)", since, total)
