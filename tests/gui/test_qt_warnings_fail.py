"""Issue 17 §6: a Qt warning fails the test that caused it (pyproject's qt_log_level_fail), and
only the headless machine's own noise in qt_log_ignore is let through — each entry whole,
so a real warning that merely mentions the same words still fails.

Run as a pytest of its own on a generated test file, with the project's configuration.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

FAILING = [
    "QObject::connect: No such signal QLabel::nothing()",
    "QSoundEffect: playback of this format is not supported on the selected audio device",
    # The ignored noise's words inside another warning are still a warning.
    "Widget: This plugin does not support propagateSizeHints() when the layout was set twice",
]
IGNORED = [
    "This plugin does not support propagateSizeHints()",
    "This plugin does not support raise()",
    "Couldn't load pipewire-0.3 library",
    "PulseAudioService: pa_context_connect() failed",
]
MESSAGES = FAILING + IGNORED

TEST_FILE = """
import pytest
from PySide6.QtCore import qWarning


@pytest.mark.parametrize("number", range({count}))
def test_warns(qtbot, number):
    qWarning({messages!r}[number])
"""


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Each message's test outcome (PASSED/FAILED) in one pytest run with the project's config."""
    folder = tmp_path_factory.mktemp("qt-warnings")
    generated = folder / "test_generated.py"
    generated.write_text(TEST_FILE.format(count=len(MESSAGES), messages=MESSAGES), encoding="utf-8")
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(ROOT))
    config = ["-c", str(ROOT / "pyproject.toml"), "--rootdir", str(folder)]
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-rA", "-p", "no:cacheprovider", *config, str(generated)],
        capture_output=True,
        text=True,
        env=env,
        cwd=folder,
        timeout=300,
    )
    found: dict[str, str] = {}
    for line in result.stdout.splitlines():
        outcome, _, test = line.partition(" ")
        if outcome in {"PASSED", "FAILED"} and "test_warns[" in test:
            number = int(test.split("[", 1)[1].split("]", 1)[0])
            found[MESSAGES[number]] = outcome
    assert len(found) == len(MESSAGES), result.stdout[-2000:]
    return found


@pytest.mark.parametrize("message", FAILING)
def test_a_qt_warning_fails_the_test(outcomes: dict[str, str], message: str) -> None:
    assert outcomes[message] == "FAILED"


@pytest.mark.parametrize("message", IGNORED)
def test_the_machines_own_noise_does_not(outcomes: dict[str, str], message: str) -> None:
    assert outcomes[message] == "PASSED"
