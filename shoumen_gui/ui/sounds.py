"""Optional sounds per verdict (off by default), or one neutral beep for every verdict, and
optionally the verdict spoken (请通行 / 禁止通行 / 请人工核验, off by default) after the tone.

QtMultimedia is imported only when sound is switched on: it is slow to load and logs noise
about audio back-ends on machines without one. A missing sound file or audio device never
stops a check; it is logged once. The spoken clips are synthesised by scripts/make-voice.sh.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QTimer, QUrl

from shoumen_core.policy import VerdictLevel
from shoumen_gui.paths import resources_dir
from shoumen_gui.settings import SoundStyle

log = logging.getLogger("shoumen.gui.sounds")

SOUND_FILES: dict[VerdictLevel, str] = {
    VerdictLevel.PASS: "pass.wav",
    VerdictLevel.REVIEW: "review.wav",
    VerdictLevel.DENY: "deny.wav",
    VerdictLevel.CANNOT_VERIFY: "cannot_verify.wav",
}
NEUTRAL_FILE = "neutral_beep.wav"
# 无法核验 asks the same of the guard as 人工核验: a check by hand.
VOICE_FILES: dict[VerdictLevel, str] = {
    VerdictLevel.PASS: "voice_pass.wav",
    VerdictLevel.REVIEW: "voice_review.wav",
    VerdictLevel.DENY: "voice_deny.wav",
    VerdictLevel.CANNOT_VERIFY: "voice_review.wav",
}
VOICE_AFTER_TONE_MS = 450
"""The tones last at most 0.38 s (scripts/make_sounds.py): the words follow, never over them."""


def sound_file(level: VerdictLevel, style: SoundStyle, folder: Path | None = None) -> Path:
    folder = folder or resources_dir() / "sounds"
    name = NEUTRAL_FILE if style is SoundStyle.NEUTRAL_BEEP else SOUND_FILES[level]
    return folder / name


def voice_file(level: VerdictLevel, folder: Path | None = None) -> Path:
    return (folder or resources_dir() / "sounds") / VOICE_FILES[level]


class SoundPlayer(QObject):
    """``tones``: the tone (or neutral beep) per verdict; ``voice``: the verdict spoken after it.
    A newer verdict replaces words still waiting for their turn."""

    def __init__(
        self,
        style: SoundStyle,
        *,
        folder: Path | None = None,
        tones: bool = True,
        voice: bool = False,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.style = style
        self.folder = folder
        self.tones = tones
        self.voice = voice
        self._effects: dict[Path, Any] = {}  # None: the file is missing (checked once)
        self.played: list[Path] = []  # what was asked to play, newest last (for tests and logs)
        self.queued_voice: Path | None = None  # the words waiting for the tone to end
        self._voice_timer = QTimer(self)
        self._voice_timer.setSingleShot(True)
        self._voice_timer.timeout.connect(self._speak)
        self._warned = False
        self._no_output_said = False

    def play(self, level: VerdictLevel) -> None:
        if self.tones:
            self._play(sound_file(level, self.style, self.folder))
        if self.voice:
            self.queued_voice = voice_file(level, self.folder)
            self._voice_timer.start(VOICE_AFTER_TONE_MS if self.tones else 0)

    def _speak(self) -> None:
        path, self.queued_voice = self.queued_voice, None
        if path is not None:
            self._play(path)

    def _play(self, path: Path) -> None:
        self.played.append(path)
        del self.played[:-20]
        if not self._has_output():
            return
        if path not in self._effects:
            self._effects[path] = self._load(path)
        effect = self._effects[path]
        if effect is not None:
            effect.play()

    def _has_output(self) -> bool:
        """A station without speakers has only Qt's null audio device, and a QSoundEffect
        loaded there warns that it cannot play: say it once, load and play nothing. Asked at
        each verdict, so speakers plugged in mid-shift are used from the next one on."""
        if audio_output_available():
            self._no_output_said = False
            return True
        if not self._no_output_said:
            log.warning("no audio output device: verdict sounds are not played")
            self._no_output_said = True
        return False

    def _load(self, path: Path) -> Any:
        """Once per file; QSoundEffect then reads it in the background."""
        if not path.exists():
            if not self._warned:
                log.warning(
                    "sound file missing: %s (run scripts/make_sounds.py, scripts/make-voice.sh)", path.name
                )
                self._warned = True
            return None
        from PySide6.QtMultimedia import QSoundEffect

        effect = QSoundEffect(self)
        effect.setSource(QUrl.fromLocalFile(str(path)))
        effect.setVolume(0.8)
        return effect


def audio_output_available() -> bool:
    from PySide6.QtMultimedia import QMediaDevices

    return not QMediaDevices.defaultAudioOutput().isNull()


def player_for(style: SoundStyle, *, tones: bool, voice: bool) -> SoundPlayer | None:
    """The app's player for these settings (app.py); None when both are off."""
    if not tones and not voice:
        return None
    return SoundPlayer(style, tones=tones, voice=voice)
