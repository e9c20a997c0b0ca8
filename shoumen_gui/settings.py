"""The app's settings: typed, versioned JSON in the config folder, with upgrade steps.

Modelled on Picard's option registry and `config_upgrade.py`: every option has a type and a
default; the file carries a `version`, and each step in UPGRADES turns version N into N+1, so
an old file is upgraded once, in order, and then saved.

Secrets never live here: the session token is in the OS keyring (services.credentials). No
personal data either (no phone numbers, no names).
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, fields, replace
from enum import StrEnum
from pathlib import Path
from typing import Any

log = logging.getLogger("shoumen.gui.settings")

SETTINGS_VERSION = 3

DECODERS = ("zxing", "pyzbar")  # scanning.decoders.DECODER_NAMES, without importing cv2 here
NO_CAMERA = -1  # camera_index: scanning is off (USB scanner and ID pad only)


class SoundStyle(StrEnum):
    TONES = "tones"  # a different sound per verdict
    NEUTRAL_BEEP = "neutral_beep"  # the same beep for every verdict (visitors cannot hear the result)


@dataclass(frozen=True)
class Settings:
    server_url: str = ""  # empty: the embedded backend on 127.0.0.1
    # The PEM file of the CA that signed the server's certificate (a county's own CA); empty:
    # the default roots. `--ca FILE` overrides it for one run (services/tls.py). A new key with
    # a default: no upgrade step.
    ca_file: str = ""
    venue_id: int | None = None  # the last venue and checkpoint chosen, offered first next time
    checkpoint_id: int | None = None
    device_name: str = ""  # shown in the server's session list; empty: the host name
    sound_enabled: bool = False
    sound_style: SoundStyle = SoundStyle.TONES
    # The verdict spoken after the tone (请通行 / 禁止通行 / 请人工核验). Off by default: the queue
    # hears the result. A new key with a default: no upgrade step.
    voice_enabled: bool = False
    # "zh_CN" or "en" (shoumen_gui/i18n.py); empty: the system's language, Chinese when the app
    # does not speak it (issue 17 §5). Applies at the next start. Files that say "zh_CN" keep it.
    language: str = ""
    font_scale: float = 1.0
    kiosk: bool = False
    # Scanning (version 2). The frame source: video_file, else image_folder, else the camera
    # camera_index (NO_CAMERA: none). `--camera/--video/--images` override these for one run.
    camera_index: int = 0
    video_file: str = ""
    image_folder: str = ""
    decoder: str = "zxing"
    # Gates and kiosk (version 3). `gates` maps gate_key(venue, checkpoint) to that post's
    # services.gate.GateConfig JSON (never a secret: those are in the keyring, see
    # services.credentials.GateSecretStore). The kiosk PIN is kept only as a salted hash.
    gates: dict[str, dict[str, Any]] = field(default_factory=dict)
    kiosk_idle_seconds: int = 60  # the idle screen (no PII) after this long without input
    kiosk_pin_hash: str = ""  # empty: no PIN, leaving kiosk mode needs phone + SMS code
    # The status bar warns when the data folder has less free space than this (MB), before
    # checks can no longer be saved (issue 14 §1). A new key with a default: no upgrade step.
    low_storage_warning_mb: int = 200
    # The venue measures every visitor: the 体温 field stays beside the ID pad (issue 16 §3).
    # A new key with a default: no upgrade step.
    temperature_entry: bool = False

    def gate_json(self, venue_id: int, checkpoint_id: int | None) -> dict[str, Any]:
        """The stored gate configuration of a post ({} = no gate)."""
        return dict(self.gates.get(gate_key(venue_id, checkpoint_id), {}))

    def with_gate(self, venue_id: int, checkpoint_id: int | None, config: dict[str, Any]) -> Settings:
        gates = dict(self.gates)
        gates[gate_key(venue_id, checkpoint_id)] = dict(config)
        return replace(self, gates=gates)

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"version": SETTINGS_VERSION}
        data.update(asdict(self))
        data["sound_style"] = self.sound_style.value
        return data


def gate_key(venue_id: int, checkpoint_id: int | None) -> str:
    """Gates belong to a post: a checkpoint, or a venue without checkpoints."""
    return f"checkpoint-{checkpoint_id}" if checkpoint_id is not None else f"venue-{venue_id}"


# Protected keys: a file holding any of these was written by hand or by a broken build; the values
# are dropped and a warning is logged so the token never ends up in a readable file.
FORBIDDEN_KEYS = frozenset({"token", "password", "sms_code", "phone", "pin"})
GATE_SECRET_KEYS = frozenset({"secret", "password"})  # services.gate.GateConfig's runtime-only fields


def _step_0_to_1(data: dict[str, Any]) -> dict[str, Any]:
    """Version 0 is a file without `version`: written by hand (e.g. a kiosk roll-out that sets
    only `{"server": "https://..."}`). The hand-written `server` key is `server_url` now."""
    out = dict(data)
    if "server" in out and "server_url" not in out:
        out["server_url"] = out.pop("server")
    return out


def _step_1_to_2(data: dict[str, Any]) -> dict[str, Any]:
    """Version 2 adds the scanning options. Kiosk roll-outs of version 1 wrote them by hand as
    `"camera": N` and `"decoder": "zbar"`; they become `camera_index` and `"pyzbar"`."""
    out = dict(data)
    if "camera" in out and "camera_index" not in out:
        out["camera_index"] = out.pop("camera")
    if out.get("decoder") == "zbar":
        out["decoder"] = "pyzbar"
    return out


def _step_2_to_3(data: dict[str, Any]) -> dict[str, Any]:
    """Version 3 adds per-post gates and the kiosk options. A version-2 kiosk roll-out could
    only write one hand-made `"gate": {...}`; it becomes the gate of the saved post."""
    out = dict(data)
    gate = out.pop("gate", None)
    if isinstance(gate, dict) and "gates" not in out:
        venue, checkpoint = out.get("venue_id"), out.get("checkpoint_id")
        if isinstance(venue, int) or isinstance(checkpoint, int):
            key = gate_key(
                venue if isinstance(venue, int) else 0, checkpoint if isinstance(checkpoint, int) else None
            )
            out["gates"] = {key: gate}
        else:
            log.warning("settings held a gate but no post to attach it to; dropped")
    return out


UpgradeStep = Callable[[dict[str, Any]], dict[str, Any]]
UPGRADES: dict[int, UpgradeStep] = {0: _step_0_to_1, 1: _step_1_to_2, 2: _step_2_to_3}


class SettingsStore:
    """Loads, upgrades and saves Settings; writes atomically (temp file + rename)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.read_only = False  # set when the file comes from a newer app: never overwrite it

    def load(self) -> Settings:
        try:
            raw = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return Settings()
        except (OSError, ValueError) as exc:
            log.warning("settings file unreadable (%s); using defaults", type(exc).__name__)
            return Settings()
        if not isinstance(raw, dict):
            log.warning("settings file is not an object; using defaults")
            return Settings()
        settings, upgraded = self._from_dict(raw)
        if upgraded:
            self.save(settings)
        return settings

    def save(self, settings: Settings) -> None:
        if self.read_only:
            log.info("settings file is from a newer version; not overwriting it")
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        text = json.dumps(settings.to_json(), ensure_ascii=False, indent=2, sort_keys=True)
        fd, tmp = tempfile.mkstemp(prefix=".settings-", suffix=".json", dir=self.path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(text + "\n")
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def update(self, settings: Settings, **changes: Any) -> Settings:
        new = replace(settings, **changes)
        self.save(new)
        return new

    def _from_dict(self, raw: dict[str, Any]) -> tuple[Settings, bool]:
        data = dict(raw)
        version = data.pop("version", 0)
        if not isinstance(version, int) or version < 0:
            log.warning("settings version %r is not valid; treating as 0", version)
            version = 0
        upgraded = False
        if version > SETTINGS_VERSION:
            log.warning(
                "settings version %d is newer than %d; reading known keys only", version, SETTINGS_VERSION
            )
            self.read_only = True
        while version < SETTINGS_VERSION:
            data = UPGRADES[version](data)
            version += 1
            upgraded = True
        for key in FORBIDDEN_KEYS & data.keys():
            log.warning("settings file held %r, which never belongs there; dropped", key)
            data.pop(key)
            upgraded = True
        gates = data.get("gates")
        if isinstance(gates, dict):
            for gate in gates.values():
                for key in GATE_SECRET_KEYS & (gate.keys() if isinstance(gate, dict) else set()):
                    log.warning(
                        "a gate in the settings file held %r; dropped (it belongs in the keyring)", key
                    )
                    gate.pop(key)
                    upgraded = True
        return _coerce(data), upgraded


def _coerce(data: dict[str, Any]) -> Settings:
    """Keep each known value that has the right type; anything else falls back to its default."""
    defaults = Settings()
    values: dict[str, Any] = {}
    for f in fields(Settings):
        if f.name not in data:
            continue
        value = data[f.name]
        default = getattr(defaults, f.name)
        coerced = _coerce_value(f.name, value, default)
        if coerced is _INVALID:
            log.warning("setting %s has an invalid value; using the default", f.name)
            continue
        values[f.name] = coerced
    unknown = set(data) - {f.name for f in fields(Settings)}
    if unknown:
        log.info("ignoring unknown settings: %s", ", ".join(sorted(unknown)))
    return replace(defaults, **values)


_INVALID = object()
_OPTIONAL_INTS = frozenset({"venue_id", "checkpoint_id"})
MAX_PATH_CHARS = 4096  # PATH_MAX on Linux


def _coerce_value(name: str, value: Any, default: Any) -> Any:
    if name in _OPTIONAL_INTS:
        return (
            value if value is None or (isinstance(value, int) and not isinstance(value, bool)) else _INVALID
        )
    if name == "camera_index":
        ok = isinstance(value, int) and not isinstance(value, bool) and NO_CAMERA <= value <= 63
        return value if ok else _INVALID
    if name == "decoder":
        return value if value in DECODERS else _INVALID
    if name == "gates":
        ok = isinstance(value, dict) and all(
            isinstance(k, str) and isinstance(v, dict) for k, v in value.items()
        )
        return {k: dict(v) for k, v in value.items()} if ok else _INVALID
    if name == "kiosk_idle_seconds":
        ok = isinstance(value, int) and not isinstance(value, bool) and 10 <= value <= 3600
        return value if ok else _INVALID
    if name == "low_storage_warning_mb":
        ok = isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 1_000_000
        return value if ok else _INVALID
    if name == "ca_file":  # a path; a NUL or a novel-length value is no file name
        ok = isinstance(value, str) and len(value) <= MAX_PATH_CHARS and "\0" not in value
        return value if ok else _INVALID
    if name == "sound_style":
        try:
            return SoundStyle(value)
        except ValueError:
            return _INVALID
    if isinstance(default, bool):
        return value if isinstance(value, bool) else _INVALID
    if isinstance(default, float):
        ok = isinstance(value, int | float) and not isinstance(value, bool) and 0.5 <= value <= 3.0
        return float(value) if ok else _INVALID
    if isinstance(default, str):
        return value if isinstance(value, str) else _INVALID
    return _INVALID
