"""Turns a stream of per-frame decodes into reads: one per visitor, never a misread.

After Electrum's validators: a text counts only after ``required`` identical decodes, so a
single misdecoded frame never reaches the check. Once accepted, the same text is ignored while
it stays in view and for ``repeat_window`` seconds after it was last seen, so a phone held
in front of the camera makes one check, not one every few frames.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable


class ReadStabiliser:
    """Pure and deterministic: time comes from ``clock`` (seconds) or the ``now`` argument.

    Rules, per decoded frame (``observe`` with that frame's texts):
    - a text counts once it was decoded in ``required`` consecutive decoded frames; a frame
      with other texts (and not this one) in between starts its count again;
    - a frame in which nothing was decoded neither counts nor resets (motion blur loses
      single frames while the phone is still there);
    - an accepted text seen again less than ``repeat_window`` seconds after it was last
      seen is ignored, and that sighting extends the window; at ``repeat_window`` or later
      it is new again and needs ``required`` decodes.
    """

    def __init__(
        self,
        required: int = 2,
        repeat_window: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if required < 1:
            raise ValueError("required must be at least 1")
        if repeat_window < 0:
            raise ValueError("repeat_window must not be negative")
        self.required = required
        self.repeat_window = repeat_window
        self._clock = clock
        self._counts: dict[str, int] = {}
        self._last_seen: dict[str, float] = {}  # accepted texts -> when last seen

    def observe(self, texts: Iterable[str], now: float | None = None) -> list[str]:
        """Feed one decoded frame's texts; returns those accepted now (in frame order)."""
        now = self._clock() if now is None else now
        seen = list(dict.fromkeys(texts))  # one frame may show a code once only
        if not seen:
            return []
        self._forget_expired(now)
        accepted: list[str] = []
        counts: dict[str, int] = {}
        for text in seen:
            if text in self._last_seen:
                self._last_seen[text] = now  # still in view: keep ignoring it
                continue
            count = self._counts.get(text, 0) + 1
            if count >= self.required:
                self._last_seen[text] = now
                accepted.append(text)
            else:
                counts[text] = count
        self._counts = counts  # texts absent from this frame lose their count
        return accepted

    def is_recent(self, text: str, now: float | None = None) -> bool:
        """True while ``text`` would be ignored as a repeat."""
        now = self._clock() if now is None else now
        last = self._last_seen.get(text)
        return last is not None and now - last < self.repeat_window

    def reset(self) -> None:
        """Forget everything (e.g. the guard switched checkpoint or camera)."""
        self._counts.clear()
        self._last_seen.clear()

    def _forget_expired(self, now: float) -> None:
        expired = [text for text, last in self._last_seen.items() if now - last >= self.repeat_window]
        for text in expired:
            del self._last_seen[text]
