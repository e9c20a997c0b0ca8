"""Whether the backend is reachable right now: one shared, thread-safe flag with listeners.

The check service reads it to skip the online lookup at once when offline; the sync engine
and the check service report the outcome of their calls; the status bar listens.

One failed request does not make the station offline (issue 14 §5): through a link that lost
~20 % of requests, going offline on the first failure left only 4 % of checks judged online.
`record_failure()` turns it offline after `FAILURES_TO_OFFLINE` failures in a row;
`record_success()` (any answer from the server) brings it back at once. At 20 % independent
losses three in a row happen for 0.8 % of requests; a backend that is really gone fails three
requests within one check (the lookup and its retry) and the push that follows it.

Offline, lookups are skipped (the verdict comes at once from the signed snapshot, or grey), but
not for long: `may_try()` lets one request through every `probe_interval` seconds, so the check
that follows a healed link is itself the probe and is judged online. The sync engine probes
/info on the same interval; either answer brings the station back.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections.abc import Callable
from typing import Final, TypeVar

log = logging.getLogger("shoumen.gui.connectivity")

FAILURES_TO_OFFLINE: Final = 3
# Offline, one request (a /info probe or a lookup) at most this often: recovery is seen within
# ~2 s, while a station that really is cut off pays one failed attempt per 2 s, not per check.
PROBE_INTERVAL: Final = 2.0

_T = TypeVar("_T")


class Listeners(list[Callable[[_T], None]]):
    """A list of callbacks that is also a decorator/registrar: `x.on_y(fn)` or `x.on_y.append(fn)`."""

    def __call__(self, callback: Callable[[_T], None]) -> Callable[[_T], None]:
        self.append(callback)
        return callback

    def emit(self, value: _T) -> None:
        for callback in list(self):
            try:
                callback(value)
            except Exception:  # a broken listener must not stop the others or the caller
                log.exception("listener %r failed", callback)


class Connectivity:
    def __init__(
        self,
        online: bool = True,
        *,
        failures_to_offline: int = FAILURES_TO_OFFLINE,
        probe_interval: float = PROBE_INTERVAL,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._online = online
        self._failures = 0  # failed requests in a row
        self._last_try = -math.inf  # monotonic time of the last failure or offline try
        self._held_offline = False  # mark_offline(): no lookup probes until an answer
        self.failures_to_offline = failures_to_offline
        self.probe_interval = probe_interval
        self._monotonic = monotonic
        self._lock = threading.Lock()
        self.listeners: Listeners[bool] = Listeners()

    @property
    def online(self) -> bool:
        with self._lock:
            return self._online

    @property
    def failures_in_a_row(self) -> int:
        with self._lock:
            return self._failures

    def may_try(self) -> bool:
        """Whether to send a request now: always when online; offline, once per `probe_interval`
        (the call claims that slot, so concurrent callers do not all probe)."""
        now = self._monotonic()
        with self._lock:
            if self._online:
                return True
            if self._held_offline or now - self._last_try < self.probe_interval:
                return False
            self._last_try = now
            return True

    def record_success(self) -> None:
        """The server answered (whatever it said): online, the failure count starts again."""
        self.mark_online()

    def record_failure(self) -> bool:
        """A request got no answer (refused, reset, timed out, 502-504). Returns whether the
        station is still online; offline after `failures_to_offline` in a row."""
        now = self._monotonic()
        with self._lock:
            self._failures += 1
            self._last_try = now
            give_up = self._failures >= self.failures_to_offline
        if give_up:
            self._set(False)
        return not give_up

    def mark_online(self) -> None:
        self._set(True)

    def mark_offline(self) -> None:
        """Offline at once (a test, or a caller that knows the link is down). Lookups are then
        skipped without probing until an answer (the sync engine's /info probe) marks it online."""
        with self._lock:
            self._held_offline = True
        self._set(False)

    def add_listener(self, callback: Callable[[bool], None]) -> None:
        """Called with the new state on every change (offline -> online or back), on the caller's thread."""
        with self._lock:
            if callback not in self.listeners:
                self.listeners.append(callback)

    def remove_listener(self, callback: Callable[[bool], None]) -> bool:
        """Stop calling `callback` (a stopped sync engine); False when it was not listening."""
        with self._lock:
            if callback in self.listeners:
                self.listeners.remove(callback)
                return True
        return False

    def _set(self, online: bool) -> None:
        with self._lock:
            changed = self._online != online
            self._online = online
            if online:
                self._failures = 0
                self._held_offline = False
        if changed:
            log.info("backend %s", "reachable" if online else "unreachable")
            self.listeners.emit(online)
