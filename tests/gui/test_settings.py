"""Typed, versioned settings: defaults, round trip, upgrades, bad values, no secrets."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from shoumen_gui import settings as settings_module
from shoumen_gui.paths import AppPaths
from shoumen_gui.settings import SETTINGS_VERSION, Settings, SettingsStore, SoundStyle, gate_key


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
    def step_1_to_2(data: dict[str, Any]) -> dict[str, Any]:
        out = dict(data)
        out["font_scale"] = out.pop("zoom", 1.0) / 100
        return out

    monkeypatch.setattr(settings_module, "SETTINGS_VERSION", 2)
    monkeypatch.setitem(settings_module.UPGRADES, 1, step_1_to_2)
    path = tmp_path / "settings.json"
    write(path, {"server": "https://a.example.cn", "zoom": 150})  # version 0: both steps run
    loaded = SettingsStore(path).load()
    assert loaded.server_url == "https://a.example.cn"
    assert loaded.font_scale == 1.5
    assert json.loads(path.read_text(encoding="utf-8"))["version"] == 2


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
