"""A thermometer typing like a scanner gun (issue 16 §3): its short burst is a scan."""

from __future__ import annotations

from shoumen_gui.scanning.thermometer import ThermometerWedgeDetector
from shoumen_gui.scanning.wedge import ENTER, WedgeDecision


def feed_all(
    detector: ThermometerWedgeDetector, text: str, every_ms: float, start: float = 0.0
) -> WedgeDecision:
    decision = WedgeDecision()
    for index, key in enumerate([*text, ENTER]):
        decision = detector.feed(key, start + index * every_ms)
    return decision


def test_a_fast_reading_ending_in_enter_is_a_scan() -> None:
    assert feed_all(ThermometerWedgeDetector(), "36.8", 5).scan == "36.8"
    assert feed_all(ThermometerWedgeDetector(), "T37.5", 5).scan == "T37.5"


def test_a_person_typing_a_reading_is_not_a_scan() -> None:
    decision = feed_all(ThermometerWedgeDetector(), "36.8", 200)
    assert decision.scan is None
    assert decision.passthrough[-1] == ENTER  # the Enter reaches the field, in order


def test_a_short_fast_burst_that_is_no_reading_is_released() -> None:
    decision = feed_all(ThermometerWedgeDetector(), "12A", 5)
    assert decision.scan is None
    assert decision.passthrough == ("1", "2", "A", ENTER)


def test_codes_are_still_scans() -> None:
    assert feed_all(ThermometerWedgeDetector(), "330624198503121012", 5).scan == "330624198503121012"
