"""A station without speakers (issue 17 §6, found by qt_log_level_fail = WARNING).

Qt's only audio device there is its null device, and QSoundEffect warned
"playback of this format is not supported on the selected audio device" at every verdict:
the log filled with one warning per visitor. Now the player says it once and plays nothing;
with a device it plays again from the next verdict on.
"""

from __future__ import annotations

import logging

import pytest
from pytestqt.qtbot import QtBot

from shoumen_core.policy import VerdictLevel
from shoumen_gui.settings import SoundStyle
from shoumen_gui.ui import sounds
from shoumen_gui.ui.sounds import SoundPlayer


class FakeEffect:
    """What _load gives when a device is there (QSoundEffect itself warns on the null one)."""

    def __init__(self, played: list[str], name: str) -> None:
        self.played, self.name = played, name

    def play(self) -> None:
        self.played.append(self.name)


def test_without_an_audio_device_verdicts_play_nothing_and_say_so_once(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(sounds, "audio_output_available", lambda: False)
    player = SoundPlayer(SoundStyle.TONES, tones=True)
    caplog.set_level(logging.WARNING, logger="shoumen.gui.sounds")
    for level in (VerdictLevel.PASS, VerdictLevel.DENY, VerdictLevel.PASS):
        player.play(level)
    assert [path.name for path in player.played] == ["pass.wav", "deny.wav", "pass.wav"]
    assert player._effects == {}  # nothing loaded: loading is what warned
    said = [r.getMessage() for r in caplog.records if r.name == "shoumen.gui.sounds"]
    assert said == ["no audio output device: verdict sounds are not played"]  # once, not per visitor

    played: list[str] = []
    monkeypatch.setattr(sounds, "audio_output_available", lambda: True)  # speakers plugged in
    monkeypatch.setattr(SoundPlayer, "_load", lambda self, path: FakeEffect(played, path.name))
    player.play(VerdictLevel.DENY)
    assert played == ["deny.wav"]
