# mypy: allow-untyped-calls
"""设置: the gate page (fields per kind, validation, secrets in the keyring, 测试闸机 against
real devices), the display page, and the dialog opened from the live workbench."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QLabel, QLineEdit, QPushButton, QWidget
from pytestqt.qtbot import QtBot

from shoumen_core.schemas import CheckpointOut, MembershipOut, Role, StaffState, UserOut
from shoumen_gui.services.credentials import GateSecretStore
from shoumen_gui.services.gate import MSG_NO_RESPONSE, GateConfig, GateKind, GateResult
from shoumen_gui.services.gate_http import SECRET_HEADER
from shoumen_gui.services.gate_serial import relay_command
from shoumen_gui.settings import Settings, SettingsStore, SoundStyle, gate_key
from shoumen_gui.station import Post
from shoumen_gui.tasks import TaskManager
from shoumen_gui.ui.gate_settings import pydantic_message
from shoumen_gui.ui.settings_dialog import SettingsDialog
from tests.gui.conftest import GUARD_PHONE, MakeApp, MemoryKeyring
from tests.gui.helpers import click, find
from tests.gui.services.gate_devices import GateServer, PtyRelay

VENUE_ID, CHECKPOINT_ID = 3, 31
KEY = gate_key(VENUE_ID, CHECKPOINT_ID)
SCOPE = "pytest-backend"
LINK_OK_MESSAGE = "闸机连接正常"

POST = Post(
    user=UserOut(id=5, name="李保安", phone_masked="139****0002", is_supervisor=False),
    venue=MembershipOut(
        venue_id=VENUE_ID,
        venue_name="新昌县人民医院",
        role=Role.STAFF,
        state=StaffState.AUTHORISED,
        checkpoints=[CheckpointOut(id=CHECKPOINT_ID, name="南门")],
    ),
    checkpoint=CheckpointOut(id=CHECKPOINT_ID, name="南门"),
)

MakeDialog = Callable[..., SettingsDialog]


@pytest.fixture
def secrets(memory_keyring: MemoryKeyring) -> GateSecretStore:
    return GateSecretStore(scope=SCOPE)


@pytest.fixture
def make_dialog(qtbot: QtBot, tasks: TaskManager, secrets: GateSecretStore) -> MakeDialog:
    def make(settings: Settings | None = None) -> SettingsDialog:
        dialog = SettingsDialog(tasks, settings or Settings(), POST, secrets)
        qtbot.addWidget(dialog)
        with qtbot.waitSignal(dialog.gate_page.secrets_known, timeout=5000):
            dialog.show()
        return dialog

    return make


@pytest.fixture
def server() -> Iterator[GateServer]:
    device = GateServer()
    yield device
    device.close()


def line(dialog: QWidget, name: str) -> QLineEdit:
    widget: QLineEdit = find(dialog, QLineEdit, name)
    return widget


def choose_kind(dialog: SettingsDialog, kind: GateKind) -> None:
    combo = find(dialog, QComboBox, "gateKind")
    combo.setCurrentIndex(combo.findData(kind.value))


def type_into(qtbot: QtBot, dialog: SettingsDialog, name: str, text: str) -> None:
    field = line(dialog, name)
    field.clear()
    qtbot.keyClicks(field, text)


def error(dialog: SettingsDialog, name: str) -> str:
    label = find(dialog, QLabel, f"{name}Error")
    return str(label.text()) if label.isVisible() else ""


def keyring_value(keyring: MemoryKeyring, name: str) -> str | None:
    return keyring.store.get(("shoumen", f"gate:{SCOPE}:{KEY}:{name}"))


def run_test(qtbot: QtBot, dialog: SettingsDialog, timeout: int = 10_000) -> GateResult:
    with qtbot.waitSignal(dialog.gate_page.test_finished, timeout=timeout) as blocker:
        click(qtbot, dialog, "gateTestButton")
        assert not find(dialog, QPushButton, "gateTestButton").isEnabled()  # one test at a time
    result: GateResult = blocker.args[0]
    shown = find(dialog, QLabel, "gateTestResult")
    assert shown.text() == result.message
    assert shown.property("state") == ("ok" if result.ok else "failed")
    return result


def save(qtbot: QtBot, dialog: SettingsDialog) -> Settings:
    with qtbot.waitSignal(dialog.accepted, timeout=5000):
        click(qtbot, dialog, "settingsSave")
    return dialog.result_settings()


# --- fields and validation -----------------------------------------------------------------------


VISIBLE = {
    GateKind.NONE: set(),
    GateKind.SERIAL: {"gatePort", "gateChannel", "gatePulse"},
    GateKind.WEBHOOK: {"gateUrl", "gateTimeout", "gateSecret"},
    GateKind.HIKVISION: {"gateUrl", "gateUsername", "gatePassword", "gateDoor", "gateTimeout"},
}
ALL_FIELDS = set().union(*VISIBLE.values())


@pytest.mark.parametrize("kind", list(GateKind))
def test_each_kind_shows_only_the_fields_it_needs(make_dialog: MakeDialog, kind: GateKind) -> None:
    dialog = make_dialog()
    choose_kind(dialog, kind)
    shown = {name for name in ALL_FIELDS if find(dialog, QWidget, name).isVisible()}
    assert shown == VISIBLE[kind]
    assert "南门" in find(dialog, QLabel, "gatePost").text()


def test_missing_values_are_explained_next_to_the_field_and_block_saving(
    qtbot: QtBot, make_dialog: MakeDialog
) -> None:
    dialog = make_dialog()
    save_button = find(dialog, QPushButton, "settingsSave")
    assert save_button.isEnabled()  # no gate is a valid choice
    choose_kind(dialog, GateKind.SERIAL)
    assert error(dialog, "gatePort") == "请填写串口（例如 /dev/ttyUSB0 或 COM3）"
    assert not save_button.isEnabled()
    assert not find(dialog, QPushButton, "gateTestButton").isEnabled()
    qtbot.keyClicks(find(dialog, QComboBox, "gatePort"), "/dev/ttyUSB0")
    assert error(dialog, "gatePort") == ""
    assert save_button.isEnabled()

    choose_kind(dialog, GateKind.HIKVISION)
    type_into(qtbot, dialog, "gateUrl", "192.168.1.64")
    assert error(dialog, "gateUrl") == "请填写以 http:// 或 https:// 开头的地址"
    type_into(qtbot, dialog, "gateUrl", "http://192.168.1.64")
    assert error(dialog, "gateUrl") == ""
    assert error(dialog, "gateUsername") == "请填写海康设备的用户名"
    assert not save_button.isEnabled()
    type_into(qtbot, dialog, "gateUsername", "admin")
    assert error(dialog, "gateUsername") == ""
    assert save_button.isEnabled()


def test_invalid_stored_values_are_named_in_chinese_and_replaced(make_dialog: MakeDialog) -> None:
    stored = {"kind": "serial", "port": "/dev/ttyUSB1", "channel": 12, "pulse_seconds": 0}
    dialog = make_dialog(Settings().with_gate(VENUE_ID, CHECKPOINT_ID, stored))
    notice = find(dialog, QLabel, "gateNotice").text()
    assert "继电器通道不能大于 8" in notice and "开闸时长不能小于 0.1" in notice
    assert find(dialog, QComboBox, "gatePort").currentText() == "/dev/ttyUSB1"  # the valid value is kept
    config = dialog.gate_page.config()
    assert config is not None and config.channel == 1 and config.pulse_seconds == 1.0


def test_pydantic_errors_read_in_chinese() -> None:
    with pytest.raises(ValidationError) as caught:
        GateConfig.model_validate({"door": 0, "timeout": 0, "baud": 10**7})
    messages = {str(e["loc"][0]): pydantic_message(dict(e)) for e in caught.value.errors()}
    assert messages == {"door": "不能小于 1", "timeout": "必须大于 0.0", "baud": "不能大于 921600"}


# --- saving: the file and the keyring ----------------------------------------------------------


def fill_hikvision(qtbot: QtBot, dialog: SettingsDialog, url: str, password: str = "") -> None:
    choose_kind(dialog, GateKind.HIKVISION)
    type_into(qtbot, dialog, "gateUrl", url)
    type_into(qtbot, dialog, "gateUsername", "admin")
    if password:
        type_into(qtbot, dialog, "gatePassword", password)
    find(dialog, QWidget, "gateDoor").setValue(2)


def test_a_saved_gate_round_trips_with_its_password_in_the_keyring_only(
    qtbot: QtBot, make_dialog: MakeDialog, memory_keyring: MemoryKeyring, tmp_path: Path
) -> None:
    dialog = make_dialog()
    fill_hikvision(qtbot, dialog, "http://192.168.1.64", "Door#Pass1")
    settings = save(qtbot, dialog)
    assert keyring_value(memory_keyring, "password") == "Door#Pass1"  # written before `accepted`
    store = SettingsStore(tmp_path / "settings.json")
    store.save(settings)
    text = store.path.read_text(encoding="utf-8")
    assert "Door#Pass1" not in text and '"password"' not in text
    loaded = SettingsStore(store.path).load()
    config = GateConfig.from_json(loaded.gate_json(VENUE_ID, CHECKPOINT_ID))
    assert (config.kind, config.url, config.username, config.door) == (
        GateKind.HIKVISION,
        "http://192.168.1.64",
        "admin",
        2,
    )

    again = make_dialog(loaded)  # the stored password is known, never shown
    password = line(again, "gatePassword")
    assert password.text() == "" and password.placeholderText().startswith("已保存")
    assert password.echoMode() is QLineEdit.EchoMode.Password
    save(qtbot, again)  # left empty: unchanged
    assert keyring_value(memory_keyring, "password") == "Door#Pass1"

    replaced = make_dialog(loaded)
    type_into(qtbot, replaced, "gatePassword", "NewPass2")
    save(qtbot, replaced)
    assert keyring_value(memory_keyring, "password") == "NewPass2"

    cleared = make_dialog(loaded)
    click(qtbot, cleared, "gatePasswordClear")
    assert line(cleared, "gatePassword").placeholderText() == "将在保存后清除"
    save(qtbot, cleared)
    assert keyring_value(memory_keyring, "password") is None


def test_cancel_writes_nothing(qtbot: QtBot, make_dialog: MakeDialog, memory_keyring: MemoryKeyring) -> None:
    dialog = make_dialog()
    fill_hikvision(qtbot, dialog, "http://192.168.1.64", "NotKept")
    with qtbot.waitSignal(dialog.rejected, timeout=5000):
        click(qtbot, dialog, "settingsCancel")
    assert memory_keyring.store == {}


def test_display_and_sound_and_added_pages_change_the_settings(qtbot: QtBot, make_dialog: MakeDialog) -> None:
    dialog = make_dialog(Settings(font_scale=1.0, sound_enabled=False))
    style = find(dialog, QComboBox, "soundStyle")
    assert not style.isEnabled()  # no sound: no style to choose
    find(dialog, QWidget, "soundEnabled").setChecked(True)
    assert style.isEnabled()
    style.setCurrentIndex(style.findData(SoundStyle.NEUTRAL_BEEP.value))
    scale = find(dialog, QComboBox, "fontScale")
    scale.setCurrentIndex(scale.findData(1.5))
    assert scale.currentText() == "150 %"

    class KioskLikePage(QWidget):
        def changes(self) -> dict[str, Any]:
            return {"kiosk_idle_seconds": 120}

    dialog.add_page("自助模式", KioskLikePage())
    settings = save(qtbot, dialog)
    assert (settings.font_scale, settings.sound_enabled, settings.sound_style) == (
        1.5,
        True,
        SoundStyle.NEUTRAL_BEEP,
    )
    assert settings.kiosk_idle_seconds == 120
    assert settings.gate_json(VENUE_ID, CHECKPOINT_ID)["kind"] == "none"


# --- 测试闸机 ---------------------------------------------------------------------------------------


def test_testing_a_serial_relay_never_switches_it_on(qtbot: QtBot, make_dialog: MakeDialog) -> None:
    relay = PtyRelay()
    try:
        dialog = make_dialog()
        choose_kind(dialog, GateKind.SERIAL)
        qtbot.keyClicks(find(dialog, QComboBox, "gatePort"), relay.port)
        find(dialog, QWidget, "gateChannel").setValue(2)
        result = run_test(qtbot, dialog)
        assert result.ok and not result.opened and result.message == LINK_OK_MESSAGE
        assert find(dialog, QLabel, "gateTestResult").styleSheet().startswith("color: #1e9e4a")
        written, _ = relay.read(16, timeout=0.3)  # the port is closed: everything sent is here
        assert written == relay_command(2, False)
        assert relay_command(2, True) not in written
    finally:
        relay.close()


def test_testing_a_missing_serial_port_says_the_gate_does_not_answer(
    qtbot: QtBot, make_dialog: MakeDialog, tmp_path: Path
) -> None:
    dialog = make_dialog()
    choose_kind(dialog, GateKind.SERIAL)
    qtbot.keyClicks(find(dialog, QComboBox, "gatePort"), str(tmp_path / "ttyUSB9"))
    result = run_test(qtbot, dialog)
    assert not result.ok and result.message.startswith(MSG_NO_RESPONSE)
    assert find(dialog, QLabel, "gateTestResult").styleSheet().startswith("color: #d0312d")


def test_testing_a_webhook_sends_the_typed_secret(
    qtbot: QtBot, make_dialog: MakeDialog, server: GateServer, memory_keyring: MemoryKeyring
) -> None:
    dialog = make_dialog()
    choose_kind(dialog, GateKind.WEBHOOK)
    type_into(qtbot, dialog, "gateUrl", server.url + "/gate")
    type_into(qtbot, dialog, "gateSecret", "typed-secret")
    result = run_test(qtbot, dialog)
    assert result.ok and result.message == LINK_OK_MESSAGE
    (seen,) = server.requests
    assert seen.path == "/gate" and json.loads(seen.body)["event"] == "test"
    assert seen.headers[SECRET_HEADER] == "typed-secret"
    assert memory_keyring.store == {}  # a test stores nothing


def test_testing_hikvision_uses_the_stored_password_or_the_typed_one(
    qtbot: QtBot, make_dialog: MakeDialog, secrets: GateSecretStore
) -> None:
    device = GateServer(digest=("admin", "Right#1"))
    try:
        secrets.set(KEY, "password", "Right#1")
        dialog = make_dialog()
        fill_hikvision(qtbot, dialog, device.url)
        ok = run_test(qtbot, dialog)
        assert ok.ok and ok.message == LINK_OK_MESSAGE
        assert any(seen.authorised for seen in device.requests)

        type_into(qtbot, dialog, "gatePassword", "Wrong#2")
        refused = run_test(qtbot, dialog)
        assert not refused.ok and not refused.opened
        assert refused.message == f"{MSG_NO_RESPONSE}（认证失败，请检查用户名、密码或密钥）"
        assert all(seen.path == "/ISAPI/System/deviceInfo" for seen in device.requests)  # no door command
    finally:
        device.close()


def test_a_hanging_gate_leaves_the_dialog_responsive(qtbot: QtBot, make_dialog: MakeDialog) -> None:
    device = GateServer(hang=True)
    try:
        dialog = make_dialog()
        choose_kind(dialog, GateKind.WEBHOOK)
        type_into(qtbot, dialog, "gateUrl", device.url)
        find(dialog, QWidget, "gateTimeout").setValue(0.5)
        test_button = find(dialog, QPushButton, "gateTestButton")
        with qtbot.waitSignal(dialog.gate_page.test_finished, timeout=10_000) as blocker:
            click(qtbot, dialog, "gateTestButton")
            qtbot.waitUntil(lambda: bool(device.requests), timeout=5000)  # the device holds the request
            assert find(dialog, QLabel, "gateTestResult").text() == "正在测试闸机连接…"
            assert not test_button.isEnabled()
            qtbot.keyClicks(line(dialog, "gateSecret"), "abc")  # the GUI still takes input
            assert line(dialog, "gateSecret").text() == "abc"
            dialog.pages.setCurrentIndex(1)
            assert dialog.pages.currentWidget() is dialog.display_page
        result: GateResult = blocker.args[0]
        assert result.message == f"{MSG_NO_RESPONSE}（超时）" and not result.opened
        assert test_button.isEnabled()
    finally:
        device.close()


def test_closing_the_dialog_during_a_test_is_safe(
    qtbot: QtBot, make_dialog: MakeDialog, tasks: TaskManager
) -> None:
    device = GateServer(hang=True)
    try:
        dialog = make_dialog()
        choose_kind(dialog, GateKind.WEBHOOK)
        type_into(qtbot, dialog, "gateUrl", device.url)
        find(dialog, QWidget, "gateTimeout").setValue(0.3)
        click(qtbot, dialog, "gateTestButton")
        qtbot.waitUntil(lambda: bool(device.requests), timeout=5000)
        with qtbot.assertNotEmitted(dialog.gate_page.test_finished):
            qtbot.keyClick(dialog, Qt.Key.Key_Escape)
            assert not dialog.isVisible()
            qtbot.waitUntil(lambda: tasks.idle, timeout=10_000)  # the test ended into nothing
        dialog.deleteLater()
    finally:
        device.close()


# --- from the live workbench ---------------------------------------------------------------------


def test_saving_from_the_workbench_gives_the_station_its_new_gate(
    qtbot: QtBot, make_station_app: MakeApp, memory_keyring: MemoryKeyring, server: GateServer
) -> None:
    app = make_station_app(demo_login=GUARD_PHONE)
    workbench = app.window.workbench
    assert not workbench.settings_button.isVisible()
    app.start()
    station = app.station
    assert app.station.gate_kind is GateKind.NONE
    click(qtbot, app.window, "settingsButton")
    dialog = app.flow.settings_dialog
    assert dialog is not None and dialog.isVisible()
    post = station.post
    assert dialog.gate_page.key == gate_key(post.venue_id, post.checkpoint_id)
    choose_kind(dialog, GateKind.WEBHOOK)
    type_into(qtbot, dialog, "gateUrl", server.url + "/open")
    type_into(qtbot, dialog, "gateSecret", "station-secret")
    save(qtbot, dialog)
    assert station.gate_kind is GateKind.WEBHOOK
    assert app.flow.settings.gate_json(post.venue_id, post.checkpoint_id)["url"] == server.url + "/open"
    settings_file = app.paths.settings_file
    qtbot.waitUntil(lambda: "/open" in settings_file.read_text(encoding="utf-8"), timeout=5000)
    assert "station-secret" not in settings_file.read_text(encoding="utf-8")
    qtbot.waitUntil(lambda: app.flow.settings_dialog is None, timeout=5000)

    results: list[GateResult] = []
    station.test_gate(results.append)  # the running station's gate, with the secret from the keyring
    qtbot.waitUntil(lambda: bool(results), timeout=10_000)
    assert results[0].ok and results[0].message == LINK_OK_MESSAGE
    assert server.requests[-1].headers[SECRET_HEADER] == "station-secret"

    app.flow.switch_post()
    assert not workbench.settings_button.isVisible()  # no station: no settings
