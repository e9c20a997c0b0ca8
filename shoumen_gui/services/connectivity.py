"""Whether the backend is reachable right now: one shared, thread-safe flag with listeners.

The check service reads it to skip the online lookup at once when offline; the sync engine
and the check service report the outcome of their calls; the status bar listens.

One failed request does not make the station offline (issue 14 §5): through a link that lost
~20 % of requests, going offline on the first failure left only 4 % of checks judged online.
`record_failure()` turns it offline after `FAILURES_TO_OFFLINE` failures in a row;
`record_success()` (any answer from the server) brings it back at once. At 20 % independent
losses three in a row happen for 0.8 % of requests; a backend that is really gone fails three
requests within one check (the lookup and its retry) and the push that follows it.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Final, TypeVar

log = logging.getLogger("shoumen.gui.connectivity")

FAILURES_TO_OFFLINE: Final = 3

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
    def __init__(self, online: bool = True, *, failures_to_offline: int = FAILURES_TO_OFFLINE) -> None:
        self._online = online
        self._failures = 0  # failed requests in a row
        self.failures_to_offline = failures_to_offline
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

    def record_success(self) -> None:
        """The server answered (whatever it said): online, the failure count starts again."""
        self.mark_online()

    def record_failure(self) -> bool:
        """A request got no answer (refused, reset, timed out, 502-504). Returns whether the
        station is still online; offline after `failures_to_offline` in a row."""
        with self._lock:
            self._failures += 1
            give_up = self._failures >= self.failures_to_offline
        if give_up:
            self._set(False)
        return not give_up

    def mark_online(self) -> None:
        self._set(True)

    def mark_offline(self) -> None:
        """Offline at once (a test, or a caller that knows the link is down)."""
        self._set(False)

    def add_listener(self, callback: Callable[[bool], None]) -> None:
        """Called with the new state on every change (offline -> online or back), on the caller's thread."""
        self.listeners.append(callback)

    def _set(self, online: bool) -> None:
        with self._lock:
            changed = self._online != online
            self._online = online
            if online:
                self._failures = 0
        if changed:
            log.info("backend %s", "reachable" if online else "unreachable")
            self.listeners.emit(online)
