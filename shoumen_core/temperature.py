"""Body temperatures at the gate: the one rule of what a check or registration may carry.

Both sides use it: the station refuses a reading outside the range before it commits a check
(so it never commits what the server would reject), and the server refuses a pushed row or a
registration outside it. Within the range the policy judges (shoumen_core.policy: a reading
outside 35-43 °C reads "体温读数异常，请复测", 37.3 °C and above is a fever).

Readings come typed by the guard or from a thermometer that types like a keyboard (a "wedge",
like a scanner gun). Accepted forms, with optional spaces around: ``36.8``, ``36``, ``36.85``,
a leading ``T``/``t`` (``T36.8``), a trailing unit ``C``/``°C``/``℃`` (``36.8C``). Nothing else:
a bare ``368`` could be 36.8 or a typo, so it is refused with a message, never guessed.
"""

from __future__ import annotations

import math
import re
from enum import StrEnum
from typing import Final

TEMPERATURE_MIN: Final = 30.0
TEMPERATURE_MAX: Final = 45.0
MAX_READING_CHARS: Final = 12  # "T 36.85 °C" and a little room: longer is not a reading

_READING = re.compile(r"[Tt]?\s*(\d{2}(?:\.\d{1,2})?)\s*(?:°\s*[Cc]|[Cc]|℃)?")


class TemperatureErrorCode(StrEnum):
    NOT_A_READING = "temperature_not_a_reading"
    OUT_OF_RANGE = "bad_temperature"  # the server's pushed-row code since issue 14 §7


OUT_OF_RANGE_MESSAGE: Final = f"体温应在 {TEMPERATURE_MIN:.1f} 到 {TEMPERATURE_MAX:.1f} °C 之间"
NOT_A_READING_MESSAGE: Final = "体温应为数字，例如 36.8"


class InvalidTemperature(ValueError):
    def __init__(self, code: TemperatureErrorCode) -> None:
        self.code = code
        self.message = (
            OUT_OF_RANGE_MESSAGE if code is TemperatureErrorCode.OUT_OF_RANGE else NOT_A_READING_MESSAGE
        )
        super().__init__(self.message)


def temperature_in_range(celsius: float | None) -> bool:
    """None (not measured) or a finite value within the range. NaN fails every comparison."""
    return celsius is None or (math.isfinite(celsius) and TEMPERATURE_MIN <= celsius <= TEMPERATURE_MAX)


def checked_temperature(celsius: float | None) -> float | None:
    """The value to keep with a check: InvalidTemperature(OUT_OF_RANGE) outside the range."""
    if not temperature_in_range(celsius):
        raise InvalidTemperature(TemperatureErrorCode.OUT_OF_RANGE)
    return celsius


def parse_reading(text: str) -> float | None:
    """A typed or thermometer reading -> °C (None for an empty text); InvalidTemperature."""
    text = text.strip()
    if not text:
        return None
    match = _READING.fullmatch(text) if len(text) <= MAX_READING_CHARS else None
    if match is None:
        raise InvalidTemperature(TemperatureErrorCode.NOT_A_READING)
    return checked_temperature(float(match.group(1)))


def looks_like_reading(text: str) -> bool:
    """The shape of a reading, in or out of range (a thermometer's burst, not a scanned code):
    an out-of-range reading is still a reading, and gets the range message."""
    text = text.strip()
    return bool(text) and len(text) <= MAX_READING_CHARS and _READING.fullmatch(text) is not None
