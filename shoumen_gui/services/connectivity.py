"""Whether the backend is reachable right now: one shared, thread-safe flag with listeners.

The check service reads it to skip the online lookup at once when offline; the sync engine
and the check service set it from the outcome of their calls; the status bar listens.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import TypeVar

log = logging.getLogger("shoumen.gui.connectivity")

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
    def __init__(self, online: bool = True) -> None:
        self._online = online
        self._lock = threading.Lock()
        self.listeners: Listeners[bool] = Listeners()

    @property
    def online(self) -> bool:
        with self._lock:
            return self._online

    def mark_online(self) -> None:
        self._set(True)

    def mark_offline(self) -> None:
        self._set(False)

    def add_listener(self, callback: Callable[[bool], None]) -> None:
        """Called with the new state on every change (offline -> online or back), on the caller's thread."""
        self.listeners.append(callback)

    def _set(self, online: bool) -> None:
        with self._lock:
            changed = self._online != online
            self._online = online
        if changed:
            log.info("backend %s", "reachable" if online else "unreachable")
            self.listeners.emit(online)
