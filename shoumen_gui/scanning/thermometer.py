"""A thermometer that types its reading like a scanner gun ("36.8⏎", "T36.8⏎"), without Qt.

Its burst is shorter than any code the WedgeDetector takes as a scan (`min_length`), so the
reading would reach the focused field (the ID input) and be checked as a document number.
This detector also takes a fast burst ending in Enter whose text has the shape of a reading
(shoumen_core.temperature.looks_like_reading) as a scan; the workbench then puts it in the 体温
field. Only the burst's speed and shape count: a person typing "36.8" into a field types
slower than the detector's interval and is never taken for a thermometer.

Kept apart from scanning/wedge.py (the scanner-gun logic) on purpose: it adds one rule at the
Enter of a short burst and leaves everything else to the base class.
"""

from __future__ import annotations

from shoumen_core.temperature import looks_like_reading
from shoumen_gui.scanning.wedge import ENTER, WedgeDecision, WedgeDetector

MIN_READING_CHARS = 2  # "37": one held key alone says nothing about speed


class ThermometerWedgeDetector(WedgeDetector):
    def feed(self, key: str, timestamp_ms: float) -> WedgeDecision:
        if key in (ENTER, "\r") and self._is_fast(timestamp_ms):
            text = "".join(self._held)
            if MIN_READING_CHARS <= len(text) < self.min_length and looks_like_reading(text):
                self.flush()
                return WedgeDecision(scan=text)
        return super().feed(key, timestamp_ms)

    def _is_fast(self, timestamp_ms: float) -> bool:
        last = self._last_ms
        return bool(self._held) and last is not None and timestamp_ms - last <= self.max_interval_ms
