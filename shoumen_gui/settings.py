"""The app's settings: typed, versioned JSON in the config folder, with upgrade steps.

Modelled on Picard's option registry and `config_upgrade.py`: each setting is declared once,
as a field of `Settings` made by `setting(default, rule, upgrades=...)`: its type (the
annotation), its default, the rule a value read from the file must pass (a type, a range, a
set of choices) and the upgrade steps that concern it. The file carries a `version`; the steps
declared for version N turn a version-N file into N+1, so an old file is upgraded once, in
order, and then saved.

Adding a setting is one line in `Settings`: a new key with a default needs no upgrade step and
no version bump (an older file simply lacks it). Renaming or reshaping a stored key bumps
SETTINGS_VERSION and declares the step on its setting (`upgrades={3: renamed("old_key")}`).

Secrets never live here: the session token is in the OS keyring (services.credentials). No
personal data either (no phone numbers, no names).
"""

from __future__ import annotations

import copy
import json
import logging
import math
import os
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields, replace
from enum import StrEnum
from pathlib import Path
from typing import Any, Generic, TypeVar, cast

log = logging.getLogger("shoumen.gui.settings")

SETTINGS_VERSION = 3

DECODERS = ("zxing", "pyzbar")  # scanning.decoders.DECODER_NAMES, without importing cv2 here
NO_CAMERA = -1  # camera_index: scanning is off (USB scanner and ID pad only)
MAX_PATH_CHARS = 4096  # PATH_MAX on Linux

T = TypeVar("T")
E = TypeVar("E", bound=StrEnum)


class SoundStyle(StrEnum):
    TONES = "tones"  # a different sound per verdict
    NEUTRAL_BEEP = "neutral_beep"  # the same beep for every verdict (visitors cannot hear the result)


class InvalidSetting(ValueError):
    """A value read from the file does not pass its setting's rule (its default is used)."""


class Rule(Generic[T]):
    """What the stored value of one setting must be: `parse` checks a value read from the file
    (JSON types) and returns it as the setting's type, or raises InvalidSetting; `dump` turns
    a value back into JSON."""

    def parse(self, value: Any) -> T:
        raise NotImplementedError

    def dump(self, value: T) -> Any:
        return value


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)  # JSON true is no number


class Flag(Rule[bool]):
    def parse(self, value: Any) -> bool:
        if not isinstance(value, bool):
            raise InvalidSetting("not true/false")
        return value


@dataclass(frozen=True)
class Text(Rule[str]):
    """Any string; `path=True`: a file name (a NUL or a novel-length value is none)."""

    path: bool = False

    def parse(self, value: Any) -> str:
        if not isinstance(value, str):
            raise InvalidSetting("not a string")
        if self.path and (len(value) > MAX_PATH_CHARS or "\0" in value):
            raise InvalidSetting("not a file name")
        return value


@dataclass(frozen=True)
class Choice(Rule[str]):
    choices: tuple[str, ...]

    def parse(self, value: Any) -> str:
        if not isinstance(value, str) or value not in self.choices:
            raise InvalidSetting("not one of the choices")
        return value


@dataclass(frozen=True)
class EnumChoice(Rule[E]):
    enum: type[E]

    def parse(self, value: Any) -> E:
        try:
            return self.enum(value)
        except (ValueError, TypeError):
            raise InvalidSetting("not one of the choices") from None

    def dump(self, value: E) -> Any:
        return value.value


@dataclass(frozen=True)
class IntRange(Rule[int]):
    low: int
    high: int

    def parse(self, value: Any) -> int:
        if not _is_int(value) or not self.low <= value <= self.high:
            raise InvalidSetting(f"not a whole number in {self.low}..{self.high}")
        return cast(int, value)


class OptionalId(Rule["int | None"]):
    """A database id the app chose last time, or none yet."""

    def parse(self, value: Any) -> int | None:
        if value is not None and not _is_int(value):
            raise InvalidSetting("not an id")
        return cast("int | None", value)


@dataclass(frozen=True)
class FloatRange(Rule[float]):
    low: float
    high: float

    def parse(self, value: Any) -> float:
        number = (_is_int(value) or isinstance(value, float)) and math.isfinite(value)
        if not number or not self.low <= value <= self.high:
            raise InvalidSetting(f"not a number in {self.low}..{self.high}")
        return float(value)


class JsonObjects(Rule[dict[str, dict[str, Any]]]):
    """A map of names to JSON objects (the per-post gate configurations)."""

    def parse(self, value: Any) -> dict[str, dict[str, Any]]:
        if not isinstance(value, dict) or not all(
            isinstance(k, str) and isinstance(v, dict) for k, v in value.items()
        ):
            raise InvalidSetting("not a map of objects")
        return {k: dict(v) for k, v in value.items()}

    def dump(self, value: dict[str, dict[str, Any]]) -> Any:
        return copy.deepcopy(value)


# An upgrade step of one setting: (the file's data at version N, the setting's name) -> the
# data at version N+1. It may read other keys; it changes only its own setting's (and the keys
# that setting was stored under before).
UpgradeStep = Callable[[dict[str, Any], str], dict[str, Any]]


@dataclass(frozen=True)
class Option:
    """One setting's declaration, kept in the metadata of its `Settings` field."""

    rule: Rule[Any]
    upgrades: Mapping[int, UpgradeStep]


_OPTION = "shoumen.option"


def setting(default: T, rule: Rule[T], *, upgrades: Mapping[int, UpgradeStep] | None = None) -> T:
    """Declare a setting: its default, the rule its stored value must pass, and the upgrade
    steps that concern it, keyed by the file version they upgrade from."""
    option = Option(rule, dict(upgrades or {}))
    made: Any
    if isinstance(default, dict | list):  # mutable: each Settings gets its own copy
        made = field(default_factory=lambda: copy.deepcopy(default), metadata={_OPTION: option})
    else:
        made = field(default=default, metadata={_OPTION: option})
    return cast(T, made)


def renamed(old: str) -> UpgradeStep:
    """An upgrade step: the setting used to be stored under `old` (when a file holds both,
    the new key wins and the old one is ignored as unknown)."""

    def step(data: dict[str, Any], name: str) -> dict[str, Any]:
        out = dict(data)
        if old in out and name not in out:
            out[name] = out.pop(old)
        return out

    return step


def _zbar_is_pyzbar(data: dict[str, Any], name: str) -> dict[str, Any]:
    """Kiosk roll-outs of version 1 wrote the decoder by hand as "zbar"."""
    out = dict(data)
    if out.get(name) == "zbar":
        out[name] = "pyzbar"
    return out


def _gate_to_its_post(data: dict[str, Any], name: str) -> dict[str, Any]:
    """Version 3 keeps gates per post. A version-2 kiosk roll-out could only write one
    hand-made `"gate": {...}`; it becomes the gate of the saved post."""
    out = dict(data)
    gate = out.pop("gate", None)
    if isinstance(gate, dict) and name not in out:
        venue, checkpoint = out.get("venue_id"), out.get("checkpoint_id")
        if isinstance(venue, int) or isinstance(checkpoint, int):
            key = gate_key(
                venue if isinstance(venue, int) else 0, checkpoint if isinstance(checkpoint, int) else None
            )
            out[name] = {key: gate}
        else:
            log.warning("settings held a gate but no post to attach it to; dropped")
    return out


@dataclass(frozen=True)
class Settings:
    # A file without `version` (version 0, written by hand, e.g. a kiosk roll-out that sets
    # only `{"server": "https://..."}`) called it `server`. Empty: the embedded backend.
    server_url: str = setting("", Text(), upgrades={0: renamed("server")})
    # The PEM file of the CA that signed the server's certificate (a county's own CA); empty:
    # the default roots. `--ca FILE` overrides it for one run (services/tls.py).
    ca_file: str = setting("", Text(path=True))
    # The last venue and checkpoint chosen, offered first next time.
    venue_id: int | None = setting(None, OptionalId())
    checkpoint_id: int | None = setting(None, OptionalId())
    device_name: str = setting("", Text())  # shown in the server's session list; empty: the host name
    sound_enabled: bool = setting(False, Flag())
    sound_style: SoundStyle = setting(SoundStyle.TONES, EnumChoice(SoundStyle))
    # The verdict spoken after the tone (请通行 / 禁止通行 / 请人工核验). Off by default: the queue
    # hears the result. A new key with a default: no upgrade step.
    voice_enabled: bool = setting(False, Flag())
    # "zh_CN" or "en" (shoumen_gui/i18n.py LANGUAGES); empty: the system's language, Chinese when
    # the app does not speak it (issue 17 §5). Applies at the next start. Files that say "zh_CN"
    # keep it.
    language: str = setting("", Choice(("", "zh_CN", "en")))
    font_scale: float = setting(1.0, FloatRange(0.5, 3.0))
    kiosk: bool = setting(False, Flag())
    # Scanning (version 2). The frame source: video_file, else image_folder, else the camera
    # camera_index (NO_CAMERA: none). `--camera/--video/--images` override these for one run.
    # Version-1 kiosk roll-outs wrote them by hand as `"camera": N` and `"decoder": "zbar"`.
    camera_index: int = setting(0, IntRange(NO_CAMERA, 63), upgrades={1: renamed("camera")})
    video_file: str = setting("", Text())
    image_folder: str = setting("", Text())
    decoder: str = setting("zxing", Choice(DECODERS), upgrades={1: _zbar_is_pyzbar})
    # Gates and kiosk (version 3). `gates` maps gate_key(venue, checkpoint) to that post's
    # services.gate.GateConfig JSON (never a secret: those are in the keyring, see
    # services.credentials.GateSecretStore). The kiosk PIN is kept only as a salted hash.
    gates: dict[str, dict[str, Any]] = setting({}, JsonObjects(), upgrades={2: _gate_to_its_post})
    kiosk_idle_seconds: int = setting(60, IntRange(10, 3600))  # the idle screen (no PII) after this
    kiosk_pin_hash: str = setting("", Text())  # empty: no PIN, leaving kiosk mode needs phone + SMS code
    # The status bar warns when the data folder has less free space than this (MB), before
    # checks can no longer be saved (issue 14 §1).
    low_storage_warning_mb: int = setting(200, IntRange(1, 1_000_000))
    # The venue measures every visitor: the 体温 field stays beside the ID pad (issue 16 §3).
    temperature_entry: bool = setting(False, Flag())

    def gate_json(self, venue_id: int, checkpoint_id: int | None) -> dict[str, Any]:
        """The stored gate configuration of a post ({} = no gate)."""
        return dict(self.gates.get(gate_key(venue_id, checkpoint_id), {}))

    def with_gate(self, venue_id: int, checkpoint_id: int | None, config: dict[str, Any]) -> Settings:
        gates = dict(self.gates)
        gates[gate_key(venue_id, checkpoint_id)] = dict(config)
        return replace(self, gates=gates)

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"version": SETTINGS_VERSION}
        for name, option in options_of(type(self)).items():
            data[name] = option.rule.dump(getattr(self, name))
        return data


def options_of(kind: type[Settings]) -> dict[str, Option]:
    """Every setting's declaration, in declaration order. A field declared without
    `setting(...)` has no rule to check its stored value by: a programming error."""
    found: dict[str, Option] = {}
    for f in fields(kind):
        option = f.metadata.get(_OPTION)
        if not isinstance(option, Option):
            raise TypeError(f"setting {f.name} is not declared with setting(default, rule)")
        found[f.name] = option
    return found


def upgrade_steps(kind: type[Settings]) -> dict[int, list[tuple[str, UpgradeStep]]]:
    """The declared steps by the version they upgrade from, each with its setting's name."""
    steps: dict[int, list[tuple[str, UpgradeStep]]] = {}
    for name, option in options_of(kind).items():
        for version, step in option.upgrades.items():
            if not 0 <= version < SETTINGS_VERSION:
                # A step from the current version would never run: SETTINGS_VERSION was not bumped.
                raise TypeError(
                    f"setting {name} upgrades from version {version}, not below {SETTINGS_VERSION}"
                )
            steps.setdefault(version, []).append((name, step))
    return steps


# Refuse to start with a setting that declares no rule, or an upgrade step that would never run.
upgrade_steps(Settings)


def gate_key(venue_id: int, checkpoint_id: int | None) -> str:
    """Gates belong to a post: a checkpoint, or a venue without checkpoints."""
    return f"checkpoint-{checkpoint_id}" if checkpoint_id is not None else f"venue-{venue_id}"


# Protected keys: a file holding any of these was written by hand or by a broken build; the values
# are dropped and a warning is logged so the token never ends up in a readable file.
FORBIDDEN_KEYS = frozenset({"token", "password", "sms_code", "phone", "pin"})
GATE_SECRET_KEYS = frozenset({"secret", "password"})  # services.gate.GateConfig's runtime-only fields


class SettingsStore:
    """Loads, upgrades and saves Settings; writes atomically (temp file + rename).

    `kind` is Settings, or in a test a subclass that declares one more setting."""

    def __init__(self, path: Path, kind: type[Settings] = Settings) -> None:
        self.path = path
        self.kind = kind
        self.read_only = False  # set when the file comes from a newer app: never overwrite it

    def load(self) -> Settings:
        try:
            raw = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return self.kind()
        except (OSError, ValueError) as exc:
            log.warning("settings file unreadable (%s); using defaults", type(exc).__name__)
            return self.kind()
        if not isinstance(raw, dict):
            log.warning("settings file is not an object; using defaults")
            return self.kind()
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
        steps = upgrade_steps(self.kind)
        while version < SETTINGS_VERSION:
            for name, step in steps.get(version, []):
                data = step(data, name)
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
        return parse_settings(data, self.kind), upgraded


def parse_settings(data: Mapping[str, Any], kind: type[Settings] = Settings) -> Settings:
    """Keep each known value that passes its setting's rule; anything else falls back to its
    default (logged by name, never by value: a hand-edited file may hold anything)."""
    options = options_of(kind)
    values: dict[str, Any] = {}
    for name, option in options.items():
        if name not in data:
            continue
        try:
            values[name] = option.rule.parse(data[name])
        except InvalidSetting as exc:
            log.warning("setting %s has an invalid value (%s); using the default", name, exc)
    unknown = set(data) - options.keys()
    if unknown:
        log.info("ignoring unknown settings: %s", ", ".join(sorted(unknown)))
    return kind(**values)
