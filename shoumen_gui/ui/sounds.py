"""Optional sounds per verdict (off by default), or one neutral beep for every verdict.

QtMultimedia is imported only when sound is switched on: it is slow to load and logs noise
about audio back-ends on machines without one. A missing sound file or audio device never
stops a check; it is logged once.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QUrl

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


def sound_file(level: VerdictLevel, style: SoundStyle, folder: Path | None = None) -> Path:
    folder = folder or resources_dir() / "sounds"
    name = NEUTRAL_FILE if style is SoundStyle.NEUTRAL_BEEP else SOUND_FILES[level]
    return folder / name


class SoundPlayer(QObject):
    def __init__(
        self, style: SoundStyle, *, folder: Path | None = None, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self.style = style
        self.folder = folder
        self._effects: dict[Path, Any] = {}  # None: the file is missing (checked once)
        self.played: list[Path] = []  # what was asked to play, newest last (for tests and logs)
        self._warned = False

    def play(self, level: VerdictLevel) -> None:
        path = sound_file(level, self.style, self.folder)
        self.played.append(path)
        del self.played[:-20]
        if path not in self._effects:
            self._effects[path] = self._load(path)
        effect = self._effects[path]
        if effect is not None:
            effect.play()

    def _load(self, path: Path) -> Any:
        """Once per file; QSoundEffect then reads it in the background."""
        if not path.exists():
            if not self._warned:
                log.warning("sound file missing: %s (run scripts/make_sounds.py)", path.name)
                self._warned = True
            return None
        from PySide6.QtMultimedia import QSoundEffect

        effect = QSoundEffect(self)
        effect.setSource(QUrl.fromLocalFile(str(path)))
        effect.setVolume(0.8)
        return effect
