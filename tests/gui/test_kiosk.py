# mypy: allow-untyped-calls
"""Kiosk mode on the real embedded backend: the locked window, leaving it (a manager's phone +
SMS code, or the PIN), the idle screen without personal data, and the PIN hash itself."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import timedelta

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QLineEdit, QPushButton, QWidget
from pytestqt.qtbot import QtBot

from shoumen_core.timeutil import LOCAL_TZ, utcnow
from shoumen_gui.kiosk_pin import InvalidPin, PinAttempts, hash_pin, verify_pin
from shoumen_gui.settings import Settings
from shoumen_gui.tasks import TaskManager
from shoumen_gui.ui.kiosk import KioskController
from shoumen_gui.ui.kiosk_settings import KioskSettingsPage
from shoumen_gui.ui.kiosk_unlock import MSG_NOT_MANAGER, MSG_OFFLINE, UnlockDialog
from shoumen_server.seed import DEMO_PATHS_BY_KEY
from tests.gui.conftest import (
    GUARD_PHONE,
    OWNER_PHONE,
    SHOP_OWNER_PHONE,
    LiveBackend,
    MakeApp,
    MemoryKeyring,
    StationApp,
)
from tests.gui.helpers import click, find, lazy_pages_built, log_in, type_id, verdict, wait_for_page

PIN = "246813"


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@dataclass
class Kiosk:
    app: StationApp
    controller: KioskController
    clock: FakeClock

    @property
    def window(self):  # type: ignore[no-untyped-def]
        return self.app.window


@pytest.fixture
def make_kiosk(
    qtbot: QtBot, make_station_app: MakeApp, memory_keyring: MemoryKeyring
) -> Iterator[type[Kiosk]]:
    made: list[Kiosk] = []

    def make(phone: str = GUARD_PHONE, *, pin: str | None = None, idle_seconds: float = 60.0) -> Kiosk:
        app = make_station_app(demo_login=phone)
        clock = FakeClock()
        controller = KioskController(
            app.window,
            app.flow,
            app.tasks,
            idle_seconds=idle_seconds,
            pin_attempts=PinAttempts(clock=clock),
        )
        controller.lock()
        app.start()
        if pin is not None:
            app.flow.settings = replace(app.flow.settings, kiosk_pin_hash=hash_pin(pin))
        kiosk = Kiosk(app, controller, clock)
        made.append(kiosk)
        return kiosk

    yield make  # type: ignore[misc]
    for kiosk in made:
        kiosk.controller.monitor.stop()
        kiosk.window.close_for_shutdown()


def open_dialog(qtbot: QtBot, kiosk: Kiosk) -> UnlockDialog:
    click(qtbot, kiosk.window, "kioskUnlockButton")
    dialog = kiosk.controller.unlock_dialog
    assert dialog is not None and dialog.isVisible()
    return dialog


def error_text(dialog: UnlockDialog) -> str:
    text: str = find(dialog, QLabel, "kioskUnlockError").text()
    return text


def submit_phone(qtbot: QtBot, dialog: UnlockDialog, phone: str, code: str) -> None:
    qtbot.keyClicks(find(dialog, QLineEdit, "kioskUnlockPhone"), phone)
    qtbot.keyClicks(find(dialog, QLineEdit, "kioskUnlockCode"), code)
    click(qtbot, dialog, "kioskUnlockSubmit")


def submit_pin(qtbot: QtBot, dialog: UnlockDialog, pin: str) -> None:
    qtbot.keyClicks(find(dialog, QLineEdit, "kioskUnlockPin"), pin)
    click(qtbot, dialog, "kioskUnlockPinSubmit")


STAFF_BUTTONS = ("logoutButton", "switchCheckpoint", "venueAdminButton", "settingsButton")


def assert_locked(kiosk: Kiosk) -> None:
    window = kiosk.window
    assert kiosk.controller.locked and window.close_locked
    assert window.windowState() & Qt.WindowState.WindowFullScreen
    assert window.windowFlags() & Qt.WindowType.FramelessWindowHint
    for name in STAFF_BUTTONS:
        assert not find(window, QPushButton, name).isVisible(), name
    workbench = window.workbench
    for page in (workbench.anomaly_form, workbench.stats_view):
        assert not workbench.tabs.isTabVisible(workbench.tabs.indexOf(page))
    assert workbench.tabs.currentWidget() is workbench.check_page
    assert find(window, QPushButton, "kioskUnlockButton").isVisible()
    assert not find(window, QPushButton, "kioskEnterButton").isVisible()


# --- the locked window ------------------------------------------------------------------------


def test_locked_kiosk_is_fullscreen_frameless_and_cannot_be_closed(qtbot: QtBot, make_kiosk) -> None:  # type: ignore[no-untyped-def]
    kiosk = make_kiosk(OWNER_PHONE)  # an owner: 场所管理 would be shown on a normal workbench
    window = kiosk.window
    assert window.current_page is window.workbench
    assert lazy_pages_built(window) == []  # the kiosk's page watch asked without building them
    assert_locked(kiosk)
    assert not window.login.register_link.isVisibleTo(window.login)
    with qtbot.waitSignal(window.close_refused, timeout=1000):
        assert window.close() is False
    assert window.isVisible()
    # A visitor who needs a guard's decision gets no buttons, only where to turn.
    type_id(qtbot, window, DEMO_PATHS_BY_KEY["no_code"].number)
    assert verdict(window) == "人工核验"
    panel = window.workbench.result_panel
    for button in (panel.admit_button, panel.turn_away_button, panel.register_button):
        assert not button.isVisible()
    assert any("请联系现场工作人员" in text for text in visible_texts(panel))
    # The program itself may always close it (--self-check-exit, shutdown).
    assert window.close_for_shutdown() is True
    assert not window.isVisible()


def test_relogin_while_locked_keeps_the_staff_buttons_hidden(qtbot: QtBot, make_kiosk) -> None:  # type: ignore[no-untyped-def]
    kiosk = make_kiosk(OWNER_PHONE)
    window = kiosk.window
    with qtbot.waitSignal(kiosk.app.flow.ready, timeout=20_000):
        kiosk.app.flow.logout()  # as after an expired session: the login page appears
    assert window.current_page is window.login
    log_in(qtbot, window, OWNER_PHONE)
    wait_for_page(qtbot, window, "checkpointPicker")
    qtbot.mouseClick(window.checkpoint_picker.buttons[0], Qt.MouseButton.LeftButton)
    wait_for_page(qtbot, window, "workbench")
    assert_locked(kiosk)


# --- leaving kiosk mode -------------------------------------------------------------------------


def test_the_venue_owner_unlocks_with_phone_and_sms_code(qtbot: QtBot, make_kiosk) -> None:  # type: ignore[no-untyped-def]
    kiosk = make_kiosk(GUARD_PHONE)
    window, controller = kiosk.window, kiosk.controller
    dialog = open_dialog(qtbot, kiosk)
    assert not find(dialog, QWidget, "kioskUnlockPin").isVisible()  # no PIN configured
    qtbot.keyClicks(find(dialog, QLineEdit, "kioskUnlockPhone"), OWNER_PHONE)
    click(qtbot, dialog, "kioskUnlockGetCode")
    qtbot.waitUntil(lambda: dialog.demo_code is not None, timeout=10_000)
    assert dialog.demo_code is not None
    qtbot.keyClicks(find(dialog, QLineEdit, "kioskUnlockCode"), dialog.demo_code)
    with qtbot.waitSignal(controller.locked_changed, timeout=15_000) as blocker:
        click(qtbot, dialog, "kioskUnlockSubmit")
    assert blocker.args == [False]
    assert not controller.locked and not window.close_locked
    assert not window.windowState() & Qt.WindowState.WindowFullScreen
    assert not window.windowFlags() & Qt.WindowType.FramelessWindowHint
    for name in ("logoutButton", "switchCheckpoint"):
        assert find(window, QPushButton, name).isVisible(), name
    workbench = window.workbench
    assert workbench.tabs.isTabVisible(workbench.tabs.indexOf(workbench.stats_view))
    assert not find(window, QPushButton, "kioskUnlockButton").isVisible()
    assert not controller.monitor.timer.isActive()  # no idle screen outside kiosk mode
    # The station's own session is untouched by the manager's temporary one.
    assert kiosk.app.api.auth.me().user.phone_masked.endswith(GUARD_PHONE[-4:])
    # 自助模式 locks it again.
    click(qtbot, window, "kioskEnterButton")
    assert_locked(kiosk)


def test_another_venues_owner_and_a_wrong_code_are_refused(  # type: ignore[no-untyped-def]
    qtbot: QtBot, make_kiosk, embedded: LiveBackend
) -> None:
    kiosk = make_kiosk(GUARD_PHONE)
    api = kiosk.app.api
    dialog = open_dialog(qtbot, kiosk)
    code = api.auth.request_sms_code(SHOP_OWNER_PHONE).demo_code
    assert code is not None
    submit_phone(qtbot, dialog, SHOP_OWNER_PHONE, code)
    qtbot.waitUntil(lambda: error_text(dialog) == MSG_NOT_MANAGER, timeout=15_000)
    assert kiosk.controller.locked and dialog.isVisible()

    find(dialog, QLineEdit, "kioskUnlockPhone").clear()
    right = api.auth.request_sms_code(OWNER_PHONE).demo_code
    assert right is not None
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    submit_phone(qtbot, dialog, OWNER_PHONE, wrong)
    qtbot.waitUntil(lambda: error_text(dialog).startswith("验证码错误"), timeout=15_000)
    assert kiosk.controller.locked
    assert_locked(kiosk)


def test_pin_unlocks_and_five_wrong_pins_lock_it_for_a_minute(qtbot: QtBot, make_kiosk) -> None:  # type: ignore[no-untyped-def]
    kiosk = make_kiosk(GUARD_PHONE, pin=PIN)
    dialog = open_dialog(qtbot, kiosk)
    assert find(dialog, QLineEdit, "kioskUnlockPin").isVisible()
    for left in (4, 3, 2, 1):
        submit_pin(qtbot, dialog, "1111")
        expected = f"PIN 错误，还可尝试 {left} 次"
        qtbot.waitUntil(lambda: error_text(dialog) == expected, timeout=10_000)  # noqa: B023
    submit_pin(qtbot, dialog, "1111")
    qtbot.waitUntil(lambda: error_text(dialog) == "PIN 错误次数过多，请 60 秒后再试", timeout=10_000)
    kiosk.clock.now += 30
    submit_pin(qtbot, dialog, PIN)  # the right PIN, but still locked: not even checked
    assert error_text(dialog) == "PIN 错误次数过多，请 30 秒后再试"
    assert kiosk.controller.locked
    kiosk.clock.now += 31
    with qtbot.waitSignal(kiosk.controller.locked_changed, timeout=10_000):
        submit_pin(qtbot, dialog, PIN)
    assert not kiosk.controller.locked


def test_offline_only_the_pin_unlocks(qtbot: QtBot, make_kiosk, embedded: LiveBackend) -> None:  # type: ignore[no-untyped-def]
    kiosk = make_kiosk(GUARD_PHONE, pin=PIN)
    embedded.backend.stop()
    dialog = open_dialog(qtbot, kiosk)
    qtbot.keyClicks(find(dialog, QLineEdit, "kioskUnlockPhone"), OWNER_PHONE)
    click(qtbot, dialog, "kioskUnlockGetCode")
    qtbot.waitUntil(lambda: error_text(dialog) == MSG_OFFLINE, timeout=15_000)
    find(dialog, QLabel, "kioskUnlockError").clear()
    qtbot.keyClicks(find(dialog, QLineEdit, "kioskUnlockCode"), "123456")
    click(qtbot, dialog, "kioskUnlockSubmit")
    qtbot.waitUntil(lambda: error_text(dialog) == MSG_OFFLINE, timeout=15_000)
    assert kiosk.controller.locked
    with qtbot.waitSignal(kiosk.controller.locked_changed, timeout=10_000):
        submit_pin(qtbot, dialog, PIN)
    assert not kiosk.controller.locked


# --- the idle screen ---------------------------------------------------------------------------


def visible_texts(root: QWidget) -> list[str]:
    widgets: list[QLabel | QLineEdit] = [*root.findChildren(QLabel), *root.findChildren(QLineEdit)]
    return [w.text() for w in widgets if w.isVisible() and w.text()]


def test_idle_screen_shows_no_personal_data_and_a_scan_wakes_it(qtbot: QtBot, make_kiosk) -> None:  # type: ignore[no-untyped-def]
    kiosk = make_kiosk(GUARD_PHONE, idle_seconds=0.3)
    window, controller = kiosk.window, kiosk.controller
    workbench = window.workbench
    workbench.policy = workbench.policy.model_copy(update={"auto_clear_seconds": 2})  # the policy's minimum
    type_id(qtbot, window, DEMO_PATHS_BY_KEY["green_fresh"].number)
    shown = workbench.result_panel.result
    assert shown is not None and shown.masked_name and shown.masked_id
    personal = (shown.masked_name, shown.masked_id)
    assert any(p in text for text in visible_texts(window) for p in personal)  # on screen while shown
    qtbot.keyClicks(find(window, QLineEdit, "idInput"), "330624")  # a half-typed next number
    qtbot.waitUntil(lambda: controller.idle, timeout=10_000)
    assert not workbench.result_panel.showing_result
    idle = find(window, QWidget, "kioskIdleScreen")
    assert idle.geometry() == window.rect()
    assert find(idle, QLabel, "kioskIdlePrompt").text() == "请出示个人健康码或刷身份证"
    assert find(idle, QLabel, "kioskIdlePlace").text() == workbench.title.text()
    china = utcnow().astimezone(LOCAL_TZ)  # the app's time zone, whatever the machine's is
    clock_text = find(idle, QLabel, "kioskIdleClock").text()
    shown_minute = clock_text.splitlines()[0]
    assert shown_minute in {f"{china - timedelta(minutes=m):%H:%M}" for m in (0, 1)}, clock_text
    assert find(window, QLineEdit, "idInput").text() == ""
    for text in visible_texts(window):
        for p in personal:
            assert p not in text, text

    # A scanner read while idle is checked, and its result replaces the idle screen.
    with qtbot.waitSignal(workbench.check_finished, timeout=15_000):
        workbench.on_scanned(DEMO_PATHS_BY_KEY["red"].number)
    assert not controller.idle
    assert verdict(window) == "禁止通行"

    # Idle again once the result has gone; a tap wakes it.
    qtbot.waitUntil(lambda: controller.idle, timeout=10_000)
    with qtbot.waitSignal(controller.idle_changed, timeout=1000) as blocker:
        qtbot.mouseClick(idle, Qt.MouseButton.LeftButton)
    assert blocker.args == [False] and not idle.isVisible()


def test_a_pin_set_in_the_settings_unlocks_a_station_locked_with_its_kiosk_button(
    qtbot: QtBot, make_station_app: MakeApp, memory_keyring: MemoryKeyring
) -> None:
    """As a person does it: 设置 → 自助模式 → PIN → 保存, then 自助模式 on the workbench locks
    the station, and the PIN from the settings unlocks it."""
    app = make_station_app(demo_login=GUARD_PHONE)
    controller = KioskController(app.window, app.flow, app.tasks)  # as main() makes it: unlocked
    app.start()
    window = app.window
    assert find(window, QPushButton, "kioskEnterButton").isVisible()
    click(qtbot, window, "settingsButton")
    dialog = app.flow.settings_dialog
    assert dialog is not None
    page = dialog.findChild(KioskSettingsPage)
    assert page is not None
    dialog.pages.setCurrentWidget(page)  # the 自助模式 tab
    qtbot.keyClicks(page.pin, PIN)
    qtbot.keyClicks(page.pin_repeat, PIN)
    with qtbot.waitSignal(page.pin_changed, timeout=5000):
        click(qtbot, page, "kioskSetPin")
    page.idle_seconds.setValue(45)
    with qtbot.waitSignal(dialog.accepted, timeout=5000):
        click(qtbot, dialog, "settingsSave")
    assert verify_pin(PIN, app.flow.settings.kiosk_pin_hash)
    settings_file = app.paths.settings_file
    qtbot.waitUntil(lambda: '"kiosk_idle_seconds": 45' in settings_file.read_text(encoding="utf-8"))
    assert PIN not in settings_file.read_text(encoding="utf-8")  # only the salted hash

    click(qtbot, window, "kioskEnterButton")
    assert controller.locked and controller.monitor.timer.interval() == 45_000
    dialog_unlock = controller.open_unlock_dialog()
    assert dialog_unlock is not None
    with qtbot.waitSignal(controller.locked_changed, timeout=10_000):
        submit_pin(qtbot, dialog_unlock, PIN)
    assert not controller.locked and find(window, QPushButton, "settingsButton").isVisible()
    controller.monitor.stop()


# --- the settings page ----------------------------------------------------------------------------


def test_settings_page_sets_and_clears_the_pin(qtbot: QtBot, tasks: TaskManager) -> None:
    page = KioskSettingsPage(Settings(kiosk=True, kiosk_idle_seconds=120), tasks)
    qtbot.addWidget(page)
    page.show()
    assert page.changes() == {"kiosk": True, "kiosk_idle_seconds": 120, "kiosk_pin_hash": ""}
    spin = page.idle_seconds
    assert (spin.minimum(), spin.maximum()) == (10, 3600)
    qtbot.keyClicks(page.pin, "1234")
    qtbot.keyClicks(page.pin_repeat, "1235")
    click(qtbot, page, "kioskSetPin")
    assert page.pin_status.text() == "两次输入的 PIN 不一致"
    assert page.changes()["kiosk_pin_hash"] == ""
    page.pin.clear()
    qtbot.keyClicks(page.pin, "123")
    click(qtbot, page, "kioskSetPin")
    assert page.pin_status.text() == "PIN 必须是 4 到 8 位数字"
    page.pin.clear()
    qtbot.keyClicks(page.pin, "12345")
    qtbot.keyClicks(page.pin_repeat, "12345")
    with qtbot.waitSignal(page.pin_changed, timeout=5000):  # hashed on a worker
        click(qtbot, page, "kioskSetPin")
    assert page.set_pin_button.isEnabled()
    stored = page.changes()["kiosk_pin_hash"]
    assert verify_pin("12345", stored) and not verify_pin("1234", stored)
    assert page.pin.text() == "" and page.pin_repeat.text() == ""
    page.kiosk.setChecked(False)
    click(qtbot, page, "kioskClearPin")
    assert page.changes() == {"kiosk": False, "kiosk_idle_seconds": 120, "kiosk_pin_hash": ""}


# --- kiosk_pin ----------------------------------------------------------------------------------


def test_pin_hash_round_trip_and_wrong_pin() -> None:
    stored = hash_pin("4321")
    assert stored.startswith("scrypt$") and "4321" not in stored
    assert verify_pin("4321", stored)
    assert not verify_pin("4322", stored)
    assert not verify_pin("43210", stored)


def test_each_hash_has_its_own_salt() -> None:
    first, second = hash_pin("12345678"), hash_pin("12345678")
    assert first != second
    assert first.split("$")[4] != second.split("$")[4]
    assert verify_pin("12345678", first) and verify_pin("12345678", second)


@pytest.mark.parametrize("pin", ["", "123", "123456789", "12a4", "１２３４"])
def test_only_four_to_eight_digits_make_a_pin(pin: str) -> None:
    with pytest.raises(InvalidPin):
        hash_pin(pin)


def test_malformed_stored_hashes_never_verify() -> None:
    good = hash_pin("1234")
    scheme, n, r, p, salt, digest = good.split("$")
    malformed = [
        "",
        "1234",
        "scrypt$",
        good + "$extra",
        "$".join(["bcrypt", n, r, p, salt, digest]),
        "$".join([scheme, "x", r, p, salt, digest]),
        "$".join([scheme, "1000", r, p, salt, digest]),  # n not a power of two
        "$".join([scheme, str(2**30), r, p, salt, digest]),  # far more memory than allowed
        "$".join([scheme, n, r, p, "not base64!", digest]),
        "$".join([scheme, n, r, p, salt, digest[:-4]]),
        "$".join([scheme, n, r, p, "", digest]),
    ]
    for stored in malformed:
        assert not verify_pin("1234", stored), stored
    assert verify_pin("1234", good)


def test_pin_attempts_lock_after_five_wrong_and_reset_on_success() -> None:
    clock = FakeClock()
    attempts = PinAttempts(clock=clock)
    for _ in range(4):
        attempts.record(False)
    assert attempts.seconds_locked() == 0 and attempts.tries_left == 1
    attempts.record(False)
    assert attempts.seconds_locked() == 60
    clock.now += 59.5
    assert attempts.seconds_locked() == 1
    clock.now += 1
    assert attempts.seconds_locked() == 0 and attempts.tries_left == 5
    attempts.record(False)
    attempts.record(True)
    assert attempts.tries_left == 5
