"""Typed, versioned settings: defaults, round trip, upgrades, bad values, no secrets."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from shoumen_gui import settings as settings_module
from shoumen_gui.paths import AppPaths
from shoumen_gui.settings import (
    SETTINGS_VERSION,
    FloatRange,
    IntRange,
    Settings,
    SettingsStore,
    SoundStyle,
    gate_key,
    setting,
)


def write(path: Path, data: Any) -> None:
    path.write_text(json.dumps(data), encoding="utf-8")


def test_missing_file_gives_defaults(tmp_path: Path) -> None:
    loaded = SettingsStore(tmp_path / "settings.json").load()
    assert loaded == Settings()
    assert loaded.sound_enabled is False  # sound is off unless a person turns it on
    assert not (tmp_path / "settings.json").exists()


def test_round_trip_keeps_every_field(tmp_path: Path) -> None:
    store = SettingsStore(tmp_path / "settings.json")
    wanted = Settings(
        server_url="https://shoumen.example.cn",
        venue_id=3,
        checkpoint_id=7,
        device_name="南门工作站",
        sound_enabled=True,
        sound_style=SoundStyle.NEUTRAL_BEEP,
        font_scale=1.5,
    )
    store.save(wanted)
    assert SettingsStore(store.path).load() == wanted
    on_disk = json.loads(store.path.read_text(encoding="utf-8"))
    assert on_disk["version"] == SETTINGS_VERSION
    assert on_disk["sound_style"] == "neutral_beep"


def test_hand_written_file_without_version_is_upgraded_and_saved(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    write(path, {"server": "https://county.example.cn/"})
    loaded = SettingsStore(path).load()
    assert loaded.server_url == "https://county.example.cn/"
    on_disk = json.loads(path.read_text(encoding="utf-8"))
    assert on_disk["version"] == SETTINGS_VERSION
    assert on_disk["server_url"] == "https://county.example.cn/"
    assert "server" not in on_disk


def test_upgrade_steps_run_in_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A setting declares its own upgrade step; a version-0 file runs every step, in order."""

    def zoom_to_scale(data: dict[str, Any], name: str) -> dict[str, Any]:
        out = dict(data)
        if "zoom" in out:
            out[name] = out.pop("zoom") / 100
        return out

    @dataclass(frozen=True)
    class Zoomed(Settings):
        page_scale: float = setting(1.0, FloatRange(0.25, 4.0), upgrades={3: zoom_to_scale})

    monkeypatch.setattr(settings_module, "SETTINGS_VERSION", 4)
    path = tmp_path / "settings.json"
    write(path, {"server": "https://a.example.cn", "zoom": 150})  # version 0: all four steps run
    loaded = SettingsStore(path, Zoomed).load()
    assert isinstance(loaded, Zoomed)
    assert loaded.server_url == "https://a.example.cn"
    assert loaded.page_scale == 1.5
    on_disk = json.loads(path.read_text(encoding="utf-8"))
    assert on_disk["version"] == 4 and on_disk["page_scale"] == 1.5 and "zoom" not in on_disk


def test_invalid_values_fall_back_to_defaults(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "settings.json"
    write(
        path,
        {
            "version": SETTINGS_VERSION,
            "venue_id": "three",
            "checkpoint_id": True,
            "sound_enabled": "yes",
            "sound_style": "trumpet",
            "font_scale": 40,
            "device_name": "北门",
            "unknown_option": 1,
        },
    )
    loaded = SettingsStore(path).load()
    assert loaded == Settings(device_name="北门")
    assert "venue_id" in caplog.text and "sound_style" in caplog.text


@pytest.mark.parametrize("content", ["{not json", "[1, 2]", ""])
def test_unreadable_file_gives_defaults(tmp_path: Path, content: str) -> None:
    path = tmp_path / "settings.json"
    path.write_text(content, encoding="utf-8")
    assert SettingsStore(path).load() == Settings()


def test_secrets_are_dropped_from_the_file(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    write(path, {"version": SETTINGS_VERSION, "token": "abc123secret", "phone": "13900000002", "venue_id": 1})
    loaded = SettingsStore(path).load()
    assert loaded.venue_id == 1
    text = path.read_text(encoding="utf-8")
    assert "abc123secret" not in text and "13900000002" not in text


def test_file_from_a_newer_version_is_read_but_never_overwritten(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    original = {"version": SETTINGS_VERSION + 5, "venue_id": 4, "future_option": [1, 2]}
    write(path, original)
    store = SettingsStore(path)
    loaded = store.load()
    assert loaded.venue_id == 4
    store.update(loaded, venue_id=9)
    assert json.loads(path.read_text(encoding="utf-8")) == original


def test_gates_are_per_post_and_round_trip(tmp_path: Path) -> None:
    store = SettingsStore(tmp_path / "settings.json")
    serial = {"kind": "serial", "port": "/dev/ttyUSB0", "channel": 2}
    settings = (
        Settings(venue_id=3, checkpoint_id=7).with_gate(3, 7, serial).with_gate(5, None, {"kind": "none"})
    )
    store.save(settings)
    loaded = SettingsStore(store.path).load()
    assert loaded.gate_json(3, 7) == serial
    assert loaded.gate_json(5, None) == {"kind": "none"}
    assert loaded.gate_json(3, 8) == {}  # another checkpoint of the same venue has no gate
    assert loaded.gates.keys() == {gate_key(3, 7), gate_key(5, None)}


def test_version_2_hand_written_gate_moves_to_the_saved_post(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    gate = {"kind": "webhook", "url": "http://10.0.0.5/open", "secret": "s3cret-value"}
    write(path, {"version": 2, "venue_id": 3, "checkpoint_id": 7, "gate": gate, "kiosk_idle_seconds": 5})
    loaded = SettingsStore(path).load()
    assert loaded.gate_json(3, 7) == {"kind": "webhook", "url": "http://10.0.0.5/open"}
    assert loaded.kiosk_idle_seconds == 60  # 5 s is below the 10 s minimum: the default
    text = path.read_text(encoding="utf-8")
    assert "s3cret-value" not in text and '"gate"' not in text
    assert json.loads(text)["version"] == SETTINGS_VERSION


def test_gate_secrets_and_pins_never_stay_in_the_file(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    gates = {"checkpoint-1": {"kind": "hikvision", "password": "hik-pass-123", "username": "admin"}}
    write(path, {"version": SETTINGS_VERSION, "gates": gates, "pin": "4321", "kiosk_idle_seconds": 120})
    loaded = SettingsStore(path).load()
    assert loaded.gates == {"checkpoint-1": {"kind": "hikvision", "username": "admin"}}
    assert loaded.kiosk_idle_seconds == 120
    text = path.read_text(encoding="utf-8")
    assert "hik-pass-123" not in text and "4321" not in text


def test_data_dir_keeps_everything_in_one_folder(tmp_path: Path) -> None:
    paths = AppPaths.in_folder(tmp_path / "kiosk").ensure()
    for file in (paths.settings_file, paths.log_file, paths.embedded_db, paths.cache_db("embedded-x")):
        assert file.is_relative_to(tmp_path / "kiosk")
    assert paths.log_dir.is_dir()


def test_the_ca_file_is_a_path_setting_that_round_trips(tmp_path: Path) -> None:
    """Issue 15 §5: a station of a county whose server has a certificate from the county's own
    CA keeps that CA's file in its settings (`shoumen --ca FILE` overrides it for one run)."""
    store = SettingsStore(tmp_path / "settings.json")
    wanted = Settings(server_url="https://shoumen.example.gov.cn", ca_file="/etc/shoumen/县政务云 CA.pem")
    store.save(wanted)
    assert SettingsStore(store.path).load() == wanted
    assert Settings().ca_file == ""  # no CA file: the usual public roots


@pytest.mark.parametrize("value", [42, 1.5, None, ["/a.pem"], "x" * 5000, "/etc/ca\0.pem"])
def test_a_ca_file_that_is_no_path_falls_back_to_none(tmp_path: Path, value: object) -> None:
    path = tmp_path / "settings.json"
    write(path, {"version": SETTINGS_VERSION, "ca_file": value, "device_name": "北门"})
    assert SettingsStore(path).load() == Settings(device_name="北门")


def test_a_new_float_setting_is_not_clamped_to_the_font_scale_range(tmp_path: Path) -> None:
    """Issue 17 §3: the float branch of the old if-chain held every float setting to
    font_scale's 0.5-3.0. A new setting is one declaration with its own range."""

    @dataclass(frozen=True)
    class WithBrightness(Settings):
        brightness: float = setting(0.8, FloatRange(0.0, 1.0))
        beep_hz: float = setting(880.0, FloatRange(100.0, 4000.0))

    path = tmp_path / "settings.json"
    write(path, {"version": SETTINGS_VERSION, "brightness": 0.2, "beep_hz": 1200, "font_scale": 2.5})
    loaded = SettingsStore(path, WithBrightness).load()
    assert isinstance(loaded, WithBrightness)
    assert (loaded.brightness, loaded.beep_hz, loaded.font_scale) == (0.2, 1200.0, 2.5)

    # Each value is held to its own range only: 2.5 suits font_scale, not brightness.
    write(path, {"version": SETTINGS_VERSION, "brightness": 2.5, "beep_hz": 50, "font_scale": 0.2})
    loaded = SettingsStore(path, WithBrightness).load()
    assert (loaded.brightness, loaded.beep_hz, loaded.font_scale) == (0.8, 880.0, 1.0)


def test_a_setting_declared_without_a_rule_is_refused(tmp_path: Path) -> None:
    @dataclass(frozen=True)
    class Undeclared(Settings):
        contrast: float = 1.0  # a bare field: nothing says what a stored value may be

    write(tmp_path / "settings.json", {"version": SETTINGS_VERSION, "contrast": 1.0})
    with pytest.raises(TypeError, match="contrast"):
        SettingsStore(tmp_path / "settings.json", Undeclared).load()


def test_an_upgrade_declared_without_a_version_bump_is_refused(tmp_path: Path) -> None:
    @dataclass(frozen=True)
    class Unbumped(Settings):
        volume: int = setting(5, IntRange(0, 10), upgrades={SETTINGS_VERSION: lambda data, name: data})

    write(tmp_path / "settings.json", {"version": 1})
    with pytest.raises(TypeError, match="volume"):
        SettingsStore(tmp_path / "settings.json", Unbumped).load()


# Written by the app before settings declared their own rules (main at fa4b128), every setting
# away from its default: the same file must load to the same values and save byte for byte.
VERSION_3_FILE = {
    "ca_file": "/etc/ca.pem",
    "camera_index": 2,
    "checkpoint_id": 7,
    "decoder": "pyzbar",
    "device_name": "南门工作站",
    "font_scale": 1.25,
    "gates": {"checkpoint-7": {"channel": 2, "kind": "serial", "port": "/dev/ttyUSB0"}},
    "image_folder": "/img",
    "kiosk": True,
    "kiosk_idle_seconds": 90,
    "kiosk_pin_hash": "pbkdf2$abc",
    "language": "zh_CN",
    "low_storage_warning_mb": 500,
    "server_url": "https://shoumen.example.gov.cn",
    "sound_enabled": True,
    "sound_style": "neutral_beep",
    "temperature_entry": True,
    "venue_id": 3,
    "version": 3,
    "video_file": "/v.mp4",
    "voice_enabled": True,
}


def test_a_file_written_before_the_registry_loads_and_saves_unchanged(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    text = json.dumps(VERSION_3_FILE, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    path.write_text(text, encoding="utf-8")
    store = SettingsStore(path)
    loaded = store.load()
    assert loaded.to_json() == VERSION_3_FILE
    assert loaded.sound_style is SoundStyle.NEUTRAL_BEEP and loaded.venue_id == 3
    assert loaded.gate_json(3, 7) == {"channel": 2, "kind": "serial", "port": "/dev/ttyUSB0"}
    store.save(loaded)
    assert path.read_text(encoding="utf-8") == text


def test_a_version_1_kiosk_file_gets_its_camera_and_decoder_renamed(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    write(path, {"version": 1, "server_url": "https://a.example.cn", "camera": 2, "decoder": "zbar"})
    loaded = SettingsStore(path).load()
    assert (loaded.camera_index, loaded.decoder) == (2, "pyzbar")
    on_disk = json.loads(path.read_text(encoding="utf-8"))
    assert on_disk["version"] == SETTINGS_VERSION and "camera" not in on_disk


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("camera_index", 64),
        ("camera_index", -2),
        ("camera_index", True),
        ("decoder", "zbar"),  # only a version-1 file's "zbar" is upgraded
        ("kiosk_idle_seconds", 3601),
        ("low_storage_warning_mb", 0),
        ("font_scale", math.nan),
        ("font_scale", True),
        ("gates", {"checkpoint-1": "serial"}),
        ("venue_id", 2.5),
        ("kiosk", 1),
        ("language", "fr"),
    ],
)
def test_each_setting_is_held_to_its_own_rule(tmp_path: Path, name: str, value: object) -> None:
    path = tmp_path / "settings.json"
    write(path, {"version": SETTINGS_VERSION, name: value, "device_name": "北门"})
    assert SettingsStore(path).load() == Settings(device_name="北门")


def test_the_language_setting_takes_every_language_the_app_speaks(tmp_path: Path) -> None:
    from shoumen_gui.i18n import LANGUAGES, SYSTEM

    for language in (SYSTEM, *LANGUAGES):
        path = tmp_path / f"settings-{language or 'system'}.json"
        write(path, {"version": SETTINGS_VERSION, "language": language})
        assert SettingsStore(path).load().language == language
    assert Settings().language == SYSTEM  # a new station follows the system
