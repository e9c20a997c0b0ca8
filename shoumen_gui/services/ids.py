"""UUIDv7 (RFC 9562): time-ordered client ids, so the outbox and the server's index stay in order."""

from __future__ import annotations

import os
import threading
import time
import uuid

_lock = threading.Lock()
_last_ms = 0
_last_counter = 0


def uuid7(now_ns: int | None = None) -> uuid.UUID:
    """48-bit Unix milliseconds, version 7, a 12-bit counter (monotonic within a millisecond,
    RFC 9562 §6.2 method 1), variant, 62 random bits."""
    global _last_ms, _last_counter
    ms = (time.time_ns() if now_ns is None else now_ns) // 1_000_000
    rand = int.from_bytes(os.urandom(10), "big")
    with _lock:
        if ms <= _last_ms:
            # Same millisecond, or the clock stepped back: keep ids increasing.
            ms = _last_ms
            _last_counter += 1
            if _last_counter > 0xFFF:
                ms += 1
                _last_counter = 0
        else:
            _last_counter = (rand >> 64) & 0x7FF  # random start, leaving room to count up
        _last_ms = ms
        counter = _last_counter
    value = (ms & 0xFFFF_FFFF_FFFF) << 80
    value |= 0x7 << 76
    value |= counter << 64
    value |= 0b10 << 62
    value |= rand & ((1 << 62) - 1)
    return uuid.UUID(int=value)


def uuid7_time_ms(value: uuid.UUID) -> int:
    """The Unix milliseconds a UUIDv7 was made at."""
    return value.int >> 80
