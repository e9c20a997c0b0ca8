# mypy: allow-untyped-calls
"""The verdict spoken as well as the tone (issue 16, from the peers): 设置 → 显示与声音 →
语音播报; at the next start a verdict queues its words after the tone, and none when it is off."""

from __future__ import annotations

import wave
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QPushButton, QTabWidget
from pytestqt.qtbot import QtBot

from shoumen_gui.paths import resources_dir
from shoumen_gui.settings import Settings, SettingsStore
from shoumen_gui.ui.sounds import SoundPlayer, player_for
from shoumen_server.seed import DEMO_PATHS_BY_KEY
from tests.gui.conftest import GUARD_PHONE, MakeApp, MemoryKeyring, StationApp
from tests.gui.helpers import click, find, type_id, verdict

ROOT = Path(__file__).resolve().parents[2]


def start_with_player(make_station_app: MakeApp, settings: Settings) -> tuple[StationApp, SoundPlayer | None]:
    """The app as app.py builds it from the saved settings: the player from player_for."""
    app = make_station_app(demo_login=GUARD_PHONE)
    player = player_for(settings.sound_style, tones=settings.sound_enabled, voice=settings.voice_enabled)
    if player is not None:
        app.window.workbench.result_panel.sounds = player.play
    app.start()
    return app, player


def test_voice_is_a_display_and_sound_setting_off_by_default(
    qtbot: QtBot, make_station_app: MakeApp, memory_keyring: MemoryKeyring
) -> None:
    assert Settings().voice_enabled is False
    app = make_station_app(demo_login=GUARD_PHONE)
    app.start()
    click(qtbot, app.window, "settingsButton")
    dialog = app.flow.settings_dialog
    assert dialog is not None
    pages = find(dialog, QTabWidget, "settingsPages")
    pages.setCurrentIndex([pages.tabText(i) for i in range(pages.count())].index("显示与声音"))
    voice = find(dialog, QCheckBox, "voiceEnabled")
    assert voice.isVisible() and not voice.isChecked()
    qtbot.mouseClick(voice, Qt.MouseButton.LeftButton)
    assert voice.isChecked()
    qtbot.mouseClick(find(dialog, QPushButton, "settingsSave"), Qt.MouseButton.LeftButton)
    settings_file = app.paths.settings_file
    qtbot.waitUntil(lambda: SettingsStore(settings_file).load().voice_enabled, timeout=5000)


def test_with_voice_on_a_verdict_queues_its_words_after_the_tone(
    qtbot: QtBot, make_station_app: MakeApp, memory_keyring: MemoryKeyring
) -> None:
    app, player = start_with_player(make_station_app, Settings(sound_enabled=True, voice_enabled=True))
    assert player is not None
    type_id(qtbot, app.window, DEMO_PATHS_BY_KEY["red"].number)
    assert verdict(app.window) == "禁止通行"
    assert player.queued_voice == resources_dir() / "sounds" / "voice_deny.wav"
    qtbot.waitUntil(lambda: player.queued_voice is None, timeout=5000)
    # What was played, in order; the clips themselves are loaded only where there are speakers
    # (test_sounds_without_speakers.py), and the test machines have none.
    assert [path.name for path in player.played] == ["deny.wav", "voice_deny.wav"]


def test_voice_alone_speaks_without_a_tone_and_review_says_check_by_hand(
    qtbot: QtBot, make_station_app: MakeApp, memory_keyring: MemoryKeyring
) -> None:
    app, player = start_with_player(make_station_app, Settings(sound_enabled=False, voice_enabled=True))
    assert player is not None
    type_id(qtbot, app.window, DEMO_PATHS_BY_KEY["no_code"].number)
    assert verdict(app.window) == "人工核验"
    qtbot.waitUntil(lambda: [path.name for path in player.played] == ["voice_review.wav"], timeout=5000)


def test_with_voice_off_a_verdict_queues_no_words(
    qtbot: QtBot, make_station_app: MakeApp, memory_keyring: MemoryKeyring
) -> None:
    app, player = start_with_player(make_station_app, Settings(sound_enabled=True, voice_enabled=False))
    assert player is not None
    type_id(qtbot, app.window, DEMO_PATHS_BY_KEY["green_fresh"].number)
    assert verdict(app.window) == "通行"
    assert player.queued_voice is None and not player._voice_timer.isActive()
    assert [path.name for path in player.played] == ["pass.wav"]
    assert player_for(Settings().sound_style, tones=False, voice=False) is None  # both off: no player


def test_voice_clips_are_small_mono_wavs_shipped_in_the_bundle() -> None:
    for name in ("voice_pass", "voice_deny", "voice_review"):
        path = resources_dir() / "sounds" / f"{name}.wav"
        with wave.open(str(path)) as wav:
            assert wav.getnchannels() == 1 and wav.getsampwidth() == 2 and wav.getframerate() <= 16_000
            assert 0.4 < wav.getnframes() / wav.getframerate() < 2.5
        assert path.stat().st_size < 60_000
    spec = (ROOT / "build.spec").read_text(encoding="utf-8")
    assert 'files_under(ROOT / "resources", "resources")' in spec  # every file under resources/
    assert "espeak-ng" in (ROOT / "scripts" / "make-voice.sh").read_text(encoding="utf-8")
