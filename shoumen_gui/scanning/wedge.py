"""Telling a USB "keyboard wedge" scanner from a person typing, without Qt.

A wedge scanner (QR or ID-card reader) types its text as key presses, ~2-25 ms apart, then
Enter. A person types 100-300 ms apart. The detector holds characters back while they come
fast; a fast burst of at least ``min_length`` characters ending in Enter is a scan, anything
else is released to the widget that has focus, in order, so typing works as before (each
typed character reaches its widget ``max_interval_ms`` late, which nobody notices).

How the Qt layer uses it (an application-wide event filter on the workbench window):

1. On a KeyPress whose ``text()`` is printable, or Enter/Return: call
   ``decision = detector.feed(key, event.timestamp())`` with the character (``ENTER`` for
   Enter/Return) and swallow the event (return True).
2. Re-deliver ``decision.passthrough`` to the focused widget, in order, as synthetic key
   events marked (e.g. a dynamic property) so the filter lets them through unfed.
3. If ``decision.scan`` is set, hand the text to the check (CheckService) as a scanned
   input: the focused line edit never sees it.
4. While ``detector.pending`` is True, run a single-shot QTimer for
   ``detector.deadline_ms - now`` ms; on timeout call ``detector.timeout(now_ms)`` and do
   step 2 with the result.
5. On any other key (Backspace, arrows, Tab, shortcuts), a focus change or a mouse click,
   first re-deliver ``detector.flush()``, then let that event through: order is kept.

Use one clock for all timestamps (``QKeyEvent.timestamp()`` and the timer's
``QDateTime.currentMSecsSinceEpoch()`` differ: prefer a ``QElapsedTimer`` for both).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

ENTER: Final = "\n"
"""The key value for Enter / Return (feed "\\r" or "\\n", both mean it)."""

_TERMINATORS: Final = frozenset({"\n", "\r"})


@dataclass(frozen=True, slots=True)
class WedgeDecision:
    """What to do after a key. The fed key is always consumed by the detector:
    ``passthrough`` lists every key (possibly including it) to give to the focused widget."""

    passthrough: tuple[str, ...] = ()
    scan: str | None = None

    @property
    def buffered(self) -> bool:
        """Nothing to do yet: the keys are held until the burst ends."""
        return not self.passthrough and self.scan is None


BUFFERED: Final = WedgeDecision()


class WedgeDetector:
    """Feed it key presses with their times (ms); it answers with a ``WedgeDecision``.

    ``max_interval_ms``: the longest gap between two keys of a scan (scanners: 2-25 ms;
    people rarely type two keys under 60 ms apart, and never a run of six).
    ``min_length``: the fewest characters a scan has (an ID number has 15 or 18).
    """

    def __init__(self, max_interval_ms: float = 50, min_length: int = 6) -> None:
        if max_interval_ms <= 0 or min_length < 1:
            raise ValueError("max_interval_ms must be positive and min_length at least 1")
        self.max_interval_ms = max_interval_ms
        self.min_length = min_length
        self._held: list[str] = []
        self._last_ms: float | None = None

    @property
    def pending(self) -> bool:
        """True while keys are held back (the Qt layer must then run the timer)."""
        return bool(self._held)

    @property
    def deadline_ms(self) -> float | None:
        """When ``timeout()`` should be called, if no key comes first; None if nothing held."""
        if not self._held or self._last_ms is None:
            return None
        return self._last_ms + self.max_interval_ms

    def feed(self, key: str, timestamp_ms: float) -> WedgeDecision:
        """One key press: a character (a string of one or more characters) or ENTER."""
        if not key:
            raise ValueError("key must not be empty")
        fast = self._last_ms is not None and timestamp_ms - self._last_ms <= self.max_interval_ms
        late = self.flush() if self._held and not fast else ()
        if key in _TERMINATORS:
            if self._held and len("".join(self._held)) >= self.min_length:
                text = "".join(self._held)
                self._clear()
                return WedgeDecision(passthrough=late, scan=text)
            released = (*late, *self.flush(), ENTER)
            return WedgeDecision(passthrough=released)
        self._held.append(key)
        self._last_ms = timestamp_ms
        return WedgeDecision(passthrough=late) if late else BUFFERED

    def timeout(self, now_ms: float) -> WedgeDecision:
        """The burst ended without Enter: release what is held (once the deadline passed)."""
        deadline = self.deadline_ms
        if deadline is None or now_ms < deadline:
            return BUFFERED
        return WedgeDecision(passthrough=self.flush())

    def flush(self) -> tuple[str, ...]:
        """Release every held key now (before a non-character key, on focus change)."""
        held = tuple(self._held)
        self._clear()
        return held

    def _clear(self) -> None:
        self._held.clear()
        self._last_ms = None
