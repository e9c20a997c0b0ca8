"""Which OS keyring the app uses (services/keyring_backend, issue 18 §3): keyring's choice,
without importing every backend keyring ships."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import keyring
import keyring.backends.null
import pytest

from shoumen_gui.services import keyring_backend

ROOT = Path(__file__).resolve().parents[3]


def run_fresh(code: str, tmp_path: Path, **env: str) -> dict[str, Any]:
    """`code` in a new interpreter (nothing chosen or imported yet), no keyring configured
    unless `env` says so; its last line of output as JSON."""
    clean = {k: v for k, v in os.environ.items() if k != "PYTHON_KEYRING_BACKEND"}
    clean.update(
        PYTHONPATH=str(ROOT), XDG_CONFIG_HOME=str(tmp_path / "config"), XDG_DATA_HOME=str(tmp_path), **env
    )
    out = subprocess.run(
        [sys.executable, "-c", code], env=clean, capture_output=True, text=True, timeout=60, check=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


CHOOSE_THEN_DETECT = """
import json, sys
import keyring, keyring.core
from shoumen_gui.services.keyring_backend import ensure_chosen
ensure_chosen()
ours = type(keyring.get_keyring())
shipped = sorted(m for m in sys.modules if m.startswith("keyring.backends."))
theirs = type(keyring.core._detect_backend())  # keyring's own detection, every backend imported
print(json.dumps({
    "ours": ours.__module__ + "." + ours.__name__,
    "theirs": theirs.__module__ + "." + theirs.__name__,
    "imported": shipped,
}))
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the Linux choice")
def test_the_choice_is_keyrings_own_without_importing_the_other_platforms_backends(tmp_path: Path) -> None:
    found = run_fresh(CHOOSE_THEN_DETECT, tmp_path)
    assert found["ours"] == found["theirs"], found  # here: fail.Keyring (no D-Bus session)
    # Not the macOS or Windows backends (the macOS one runs ldconfig / gcc when imported).
    assert not [
        m for m in found["imported"] if m.startswith(("keyring.backends.macOS", "keyring.backends.Windows"))
    ]


def test_a_configured_backend_wins(tmp_path: Path) -> None:
    found = run_fresh(CHOOSE_THEN_DETECT, tmp_path, PYTHON_KEYRING_BACKEND="keyring.backends.null.Keyring")
    assert found["ours"] == found["theirs"] == "keyring.backends.null.Keyring", found
    config = tmp_path / "config" / "python_keyring"
    config.mkdir(parents=True)
    (config / "keyringrc.cfg").write_text("[backend]\ndefault-keyring=keyring.backends.null.Keyring\n")
    found = run_fresh(CHOOSE_THEN_DETECT, tmp_path)
    assert found["ours"] == "keyring.backends.null.Keyring", found


class Candidate:
    """Stands for a keyring backend class: what `choose` reads of one."""

    def __init__(self, name: str, priority: float | None) -> None:
        self.name, self._priority = name, priority

    @property
    def viable(self) -> bool:
        return self._priority is not None

    @property
    def priority(self) -> float:
        assert self._priority is not None
        return self._priority

    def __call__(self) -> Candidate:  # the class constructed
        return self


LOW, HIGH, DEAD = Candidate("low", 1), Candidate("high", 5), Candidate("dead", None)


def test_the_viable_backend_of_highest_priority_is_chosen(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PYTHON_KEYRING_BACKEND", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    monkeypatch.setattr(sys, "platform", "linux")
    here = f"{__name__}."
    names = (f"{here}LOW", f"{here}DEAD", "no_such_module.Keyring", f"{here}HIGH")
    assert keyring_backend.choose(names) is HIGH
    assert keyring_backend.choose((f"{here}LOW", f"{here}DEAD")) is LOW
    none = keyring_backend.choose((f"{here}DEAD", "no_such_module.Keyring"))
    assert type(none).__name__ == "Keyring" and type(none).__module__ == "keyring.backends.fail"


def test_a_backend_set_before_is_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    """The tests' in-memory keyring, or an embedding program's: never replaced."""
    mine = keyring.backends.null.Keyring()  # type: ignore[no-untyped-call]
    previous = keyring.get_keyring()
    keyring.set_keyring(mine)
    monkeypatch.setattr(keyring_backend, "_chosen", False)
    try:
        keyring_backend.ensure_chosen()
        assert keyring.get_keyring() is mine
    finally:
        keyring.set_keyring(previous)
