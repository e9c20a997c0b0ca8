"""Work-arounds for bugs of the Qt binding: each is probed first and applied only when present.

PySide6 6.12.0 on Python 3.11: ``SignalInstance.emit()`` returns ``True`` without taking a
reference to it, so every emit from Python code lowers ``True``'s reference count by one. The
app emits all the time (each task result, each camera preview at 15 per second), and when the
count reaches zero the interpreter aborts ("bool_dealloc: deallocating True or False") — after
some minutes of scanning, or at exit. 6.11.3 does not have the bug; Python 3.12 made the two
bools immortal, which hides it. Until the dependency is pinned or fixed, `apply()` gives both
bools a reference count no run can use up, as Python 3.12 does.
"""

from __future__ import annotations

import ctypes
import logging
import sys

from PySide6.QtCore import QObject, Signal

log = logging.getLogger("shoumen.gui.pyside")

_HEADROOM = 1 << 40  # ~10^12 emits: decades of scanning
_done: dict[str, list[str]] = {}  # "applied" -> names, once probed


class _Probe(QObject):
    ping = Signal()


def emit_leaks_true() -> bool:
    """True when emitting a signal from Python drops a reference to True."""
    probe = _Probe()
    before = sys.getrefcount(True)
    for _ in range(16):
        probe.ping.emit()
    return sys.getrefcount(True) <= before - 16


def apply() -> list[str]:
    """Apply the work-arounds this binding needs (probed once per process); returns their names."""
    if "applied" in _done:
        return list(_done["applied"])
    applied: list[str] = []
    if sys.version_info < (3, 12) and emit_leaks_true():
        for value in (True, False):
            refcount = ctypes.c_ssize_t.from_address(id(value))  # ob_refcnt, PyObject's first field
            refcount.value += _HEADROOM
        applied.append("emit_true_refcount")
        log.warning("PySide6 emit() drops references to True: both bools pinned (upgrade or pin PySide6)")
    _done["applied"] = applied
    return list(applied)
