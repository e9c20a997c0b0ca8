"""Python's cyclic garbage collector runs on the GUI thread only.

After qutebrowser's `misc/utilcmds`/`GarbageCollector` (and Anki's collection after dialogs):
automatic collection runs in whichever thread happens to allocate when a threshold is crossed —
a network worker, the cache lane, the camera loop. If the garbage it finds holds Qt objects (a
closed panel, its timers, a dialog caught in a reference cycle with its callbacks), they are
destroyed on that thread: "QObject::killTimer: Timers cannot be stopped from another thread",
and at times a crash inside Qt. So automatic collection is off and a timer on the GUI thread
collects, generation by generation, when the same thresholds are crossed.
"""

from __future__ import annotations

import gc
import logging

from PySide6.QtCore import QObject, QTimer

log = logging.getLogger("shoumen.gui.gc")

INTERVAL_MS = 1000  # how often the thresholds are looked at (garbage waits at most this long)
# The app's start: no collection until its objects are frozen (freeze_start_up), or this long.
START_UP_MS = 10_000


class GuiThreadCollector(QObject):
    """Install once, on the GUI thread, after the QApplication exists; `close()` gives the
    collection back to Python (the test suite and a clean exit)."""

    def __init__(
        self, parent: QObject | None = None, interval_ms: int = INTERVAL_MS, start_up_ms: int = 0
    ) -> None:
        """start_up_ms (the app: START_UP_MS): no collection while the app starts — until
        freeze_start_up(), or this long if that never comes. A tick during the start would scan
        every object the start made so far (they are all young): measured, 60–90 ms on the GUI
        thread in the middle of a ~1.2 s start, just before the workbench opens."""
        super().__init__(parent)
        self._thresholds = gc.get_threshold()
        self._interval_ms = interval_ms
        self._timer = QTimer(self)
        self._timer.setInterval(start_up_ms or interval_ms)
        self._timer.timeout.connect(self.collect_if_due)
        gc.disable()
        self._timer.start()

    def collect_if_due(self) -> int:
        """Collect as Python would have (gen 0, then 1 and 2 when theirs are due); the count."""
        if self._timer.interval() != self._interval_ms:  # the start-up's wait is over
            self._timer.setInterval(self._interval_ms)
        gen0, gen1, gen2 = gc.get_count()
        found = 0
        if gen0 > self._thresholds[0]:
            found += gc.collect(0)
            if gen1 > self._thresholds[1]:
                found += gc.collect(1)
                if gen2 > self._thresholds[2]:
                    found += gc.collect(2)
        return found

    def freeze_start_up(self) -> int:
        """Once the app is up: what start-up made (modules, classes, the window; ~300,000 objects)
        lives as long as the app, so it leaves the collected generations (gc.freeze, as servers
        do after their imports). Without this the first ticks after start scan all of it — a gen-0
        collection of the whole start-up, 100–300 ms on the GUI thread just as the guard begins.
        Garbage cycles among them are not freed either: made once, at start, and collecting them
        first would cost the very scan this avoids. Returns the number of objects frozen."""
        gc.freeze()
        if self._timer.interval() != self._interval_ms:  # collections start now
            self._timer.start(self._interval_ms)
        frozen = gc.get_freeze_count()
        log.info("start-up objects frozen: %d", frozen)
        return frozen

    def close(self) -> None:
        self._timer.stop()
        gc.collect()
        gc.enable()
