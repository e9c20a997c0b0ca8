"""WedgeDetector: a scanner's fast burst + Enter is a scan; a person's typing passes through."""

from __future__ import annotations

import pytest

from shoumen_gui.scanning.wedge import ENTER, WedgeDecision, WedgeDetector

ID_NUMBER = "11010119900307451X"


def type_keys(
    detector: WedgeDetector, keys: list[str], *, every_ms: float, start_ms: float = 0.0
) -> tuple[list[str], list[str], float]:
    """Feed keys ``every_ms`` apart, firing the Qt layer's timer when its deadline passes
    before the next key. Returns (keys passed to the widget, scans, the time after)."""
    passed: list[str] = []
    scans: list[str] = []
    now = start_ms
    for key in keys:
        deadline = detector.deadline_ms
        if deadline is not None and deadline < now:
            passed += detector.timeout(deadline).passthrough
        decision = detector.feed(key, now)
        passed += decision.passthrough
        if decision.scan is not None:
            scans.append(decision.scan)
        now += every_ms
    deadline = detector.deadline_ms
    if deadline is not None:
        passed += detector.timeout(deadline).passthrough
    return passed, scans, now


@pytest.mark.parametrize("every_ms", [2, 20, 50])
def test_a_fast_burst_ending_in_enter_is_a_scan(every_ms: float) -> None:
    detector = WedgeDetector(max_interval_ms=50, min_length=6)
    passed, scans, _ = type_keys(detector, [*ID_NUMBER, ENTER], every_ms=every_ms)
    assert scans == [ID_NUMBER]
    assert passed == []
    assert not detector.pending


@pytest.mark.parametrize("every_ms", [150, 200, 300])
def test_the_same_text_typed_by_a_person_passes_through(every_ms: float) -> None:
    detector = WedgeDetector(max_interval_ms=50, min_length=6)
    passed, scans, _ = type_keys(detector, [*ID_NUMBER, ENTER], every_ms=every_ms)
    assert scans == []
    assert passed == [*ID_NUMBER, ENTER]


def test_each_typed_key_is_held_only_until_the_timer() -> None:
    detector = WedgeDetector(max_interval_ms=50)
    assert detector.feed("1", 1000).buffered
    assert detector.pending and detector.deadline_ms == 1050
    assert detector.timeout(1049).buffered  # early timer: keep holding
    assert detector.timeout(1050) == WedgeDecision(passthrough=("1",))
    assert not detector.pending and detector.deadline_ms is None


def test_a_late_key_releases_the_held_ones_and_is_held_itself() -> None:
    detector = WedgeDetector(max_interval_ms=50)
    detector.feed("a", 0)
    decision = detector.feed("b", 200)  # the timer had not fired yet
    assert decision.passthrough == ("a",)
    assert detector.pending
    assert detector.flush() == ("b",)


def test_a_short_fast_burst_is_not_a_scan() -> None:
    detector = WedgeDetector(max_interval_ms=50, min_length=6)
    passed, scans, _ = type_keys(detector, [*"12345", ENTER], every_ms=10)
    assert scans == []
    assert passed == [*"12345", ENTER]


def test_enter_alone_passes_through() -> None:
    detector = WedgeDetector()
    assert detector.feed(ENTER, 0) == WedgeDecision(passthrough=(ENTER,))
    assert detector.feed("\r", 10) == WedgeDecision(passthrough=(ENTER,))


def test_a_fast_burst_without_enter_is_released_on_timeout() -> None:
    detector = WedgeDetector(max_interval_ms=50)
    passed, scans, _ = type_keys(detector, list("SMHC1.abc"), every_ms=5)
    assert scans == []
    assert passed == list("SMHC1.abc")


def test_a_scan_right_after_typing_keeps_both_apart() -> None:
    detector = WedgeDetector(max_interval_ms=50, min_length=6)
    typed, _, now = type_keys(detector, list("zhang"), every_ms=250)
    passed, scans, _ = type_keys(detector, [*ID_NUMBER, ENTER], every_ms=15, start_ms=now + 30)
    assert typed + passed == list("zhang")
    assert scans == [ID_NUMBER]


def test_a_slow_enter_after_a_fast_burst_is_not_a_scan() -> None:
    detector = WedgeDetector(max_interval_ms=50, min_length=6)
    for i, key in enumerate(ID_NUMBER):
        detector.feed(key, i * 10.0)
    decision = detector.feed(ENTER, len(ID_NUMBER) * 10.0 + 120)
    assert decision.scan is None
    assert decision.passthrough == (*ID_NUMBER, ENTER)


def test_flush_before_another_key_keeps_the_order() -> None:
    detector = WedgeDetector()
    detector.feed("a", 0)
    detector.feed("b", 10)
    assert detector.flush() == ("a", "b")  # then the Qt layer lets Backspace through
    assert detector.flush() == ()


def test_an_empty_key_is_refused() -> None:
    with pytest.raises(ValueError):
        WedgeDetector().feed("", 0)
