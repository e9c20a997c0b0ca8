"""ReadStabiliser: two identical decodes make a read; a repeat within 5 s is ignored."""

from __future__ import annotations

import pytest

from shoumen_gui.scanning.stabiliser import ReadStabiliser
from tests.gui.scanning.fakes import FakeClock


@pytest.fixture
def stabiliser(clock: FakeClock) -> ReadStabiliser:
    return ReadStabiliser(required=2, repeat_window=5.0, clock=clock)


def frames(stabiliser: ReadStabiliser, clock: FakeClock, *texts: str | None, step: float = 0.1) -> list[str]:
    """Feed one decoded frame per item (None = nothing decoded), ``step`` s apart."""
    accepted: list[str] = []
    for text in texts:
        accepted += stabiliser.observe([] if text is None else [text])
        clock.advance(step)
    return accepted


def test_one_decode_is_not_a_read(stabiliser: ReadStabiliser, clock: FakeClock) -> None:
    assert frames(stabiliser, clock, "A") == []


def test_two_identical_decodes_are_one_read(stabiliser: ReadStabiliser, clock: FakeClock) -> None:
    assert stabiliser.observe(["A"]) == []
    clock.advance(0.1)
    assert stabiliser.observe(["A"]) == ["A"]
    assert frames(stabiliser, clock, "A", "A", "A") == []  # still in view: no second read


def test_a_different_text_in_between_resets_the_count(stabiliser: ReadStabiliser, clock: FakeClock) -> None:
    assert frames(stabiliser, clock, "A", "B", "A", "B") == []
    assert frames(stabiliser, clock, "B") == ["B"]


def test_a_frame_with_nothing_neither_counts_nor_resets(stabiliser: ReadStabiliser, clock: FakeClock) -> None:
    assert frames(stabiliser, clock, "A", None, None) == []
    assert frames(stabiliser, clock, "A") == ["A"]


def test_more_required_reads(clock: FakeClock) -> None:
    stabiliser = ReadStabiliser(required=3, clock=clock)
    assert frames(stabiliser, clock, "A", "A") == []
    assert frames(stabiliser, clock, "A") == ["A"]


def test_two_codes_in_the_same_frames_are_both_read(stabiliser: ReadStabiliser, clock: FakeClock) -> None:
    assert stabiliser.observe(["A", "B"]) == []
    assert stabiliser.observe(["B", "A", "A"]) == ["B", "A"]


def test_the_same_code_within_the_window_is_ignored(stabiliser: ReadStabiliser, clock: FakeClock) -> None:
    assert frames(stabiliser, clock, "A", "A") == ["A"]  # accepted at t0+0.1, clock now t0+0.2
    clock.advance(4.79)  # 4.89 s after the last sighting
    assert frames(stabiliser, clock, "A", "A") == []


def test_the_window_ends_at_exactly_repeat_window(clock: FakeClock) -> None:
    stabiliser = ReadStabiliser(required=2, repeat_window=5.0, clock=clock)
    stabiliser.observe(["A"], now=100.0)
    assert stabiliser.observe(["A"], now=100.5) == ["A"]
    assert stabiliser.is_recent("A", now=105.499)
    assert not stabiliser.is_recent("A", now=105.5)
    # New again at exactly 5 s after the last sighting, so it needs two decodes.
    assert stabiliser.observe(["A"], now=105.5) == []
    assert stabiliser.observe(["A"], now=105.6) == ["A"]


def test_a_code_kept_in_view_stays_ignored(stabiliser: ReadStabiliser, clock: FakeClock) -> None:
    assert frames(stabiliser, clock, "A", "A") == ["A"]
    # Seen every 3 s for 12 s: each sighting extends the window, so never a second read.
    assert frames(stabiliser, clock, "A", "A", "A", "A", step=3.0) == []
    clock.advance(5.0)
    assert frames(stabiliser, clock, "A", "A") == ["A"]


def test_another_code_does_not_end_the_window(stabiliser: ReadStabiliser, clock: FakeClock) -> None:
    assert frames(stabiliser, clock, "A", "A", "B", "B") == ["A", "B"]
    assert frames(stabiliser, clock, "A", "A") == []  # A was last seen 0.3 s ago


def test_reset_forgets_everything(stabiliser: ReadStabiliser, clock: FakeClock) -> None:
    assert frames(stabiliser, clock, "A", "A") == ["A"]
    stabiliser.reset()
    assert frames(stabiliser, clock, "A", "A") == ["A"]


def test_the_clock_is_used_when_no_time_is_given(clock: FakeClock) -> None:
    stabiliser = ReadStabiliser(clock=clock)
    assert frames(stabiliser, clock, "A", "A") == ["A"]
    assert stabiliser.is_recent("A")
    clock.advance(5.0)
    assert not stabiliser.is_recent("A")


@pytest.mark.parametrize(("required", "window"), [(0, 5.0), (2, -1.0)])
def test_nonsense_settings_are_refused(required: int, window: float) -> None:
    with pytest.raises(ValueError):
        ReadStabiliser(required=required, repeat_window=window)
