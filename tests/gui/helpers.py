# mypy: allow-untyped-calls
"""Driving the app as a person would: shared by the flow, workbench and end-to-end tests."""

from __future__ import annotations

import re

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QLineEdit, QPushButton, QWidget
from pytestqt.qtbot import QtBot

from shoumen_gui.ui.main_window import MainWindow


def find(parent: QWidget, cls: type, name: str):  # type: ignore[no-untyped-def]
    widget = parent.findChild(cls, name)
    assert widget is not None, name
    return widget


def click(qtbot: QtBot, parent: QWidget, name: str) -> None:
    button = find(parent, QPushButton, name)
    assert button.isVisible() and button.isEnabled(), name
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def log_in(qtbot: QtBot, window: MainWindow, phone: str) -> None:
    """Type the phone, ask for a code, read it off the demo banner, type it, press 登录."""
    assert window.current_page is window.login
    phone_field = find(window, QLineEdit, "loginPhone")
    phone_field.clear()
    qtbot.keyClicks(phone_field, phone)
    click(qtbot, window, "loginGetCode")
    banner = find(window, QLabel, "demoCodeBanner")
    qtbot.waitUntil(banner.isVisible, timeout=10_000)
    match = re.fullmatch(r"演示验证码：(\d{6})", banner.text())
    assert match, banner.text()
    qtbot.keyClicks(find(window, QLineEdit, "loginCode"), match.group(1))
    click(qtbot, window, "loginSubmit")


def wait_for_page(qtbot: QtBot, window: MainWindow, name: str, timeout: int = 20_000) -> None:
    qtbot.waitUntil(lambda: window.current_page.objectName() == name, timeout=timeout)


def type_id(qtbot: QtBot, window: MainWindow, number: str) -> None:
    """Type a number on the ID pad and press Enter; wait for the result panel to answer."""
    workbench = window.workbench
    if workbench.result_panel.awaiting_decision:
        # The last visitor's 人工核验 waits for a decision: this guard leaves it undecided
        # (暂不决定) before the next one, as tests that are not about decisions do.
        click(qtbot, window, "dismissUndecided")
    field = find(workbench, QLineEdit, "idInput")
    if workbench.wedge is not None:
        # keyClicks types as fast as a scanner gun, so the wedge filter takes it for a scan and
        # would drop the same number within its repeat window; a guard typing a number again by
        # hand is a new check.
        workbench.wedge.repeats.reset()
    qtbot.keyClicks(field, number)
    with qtbot.waitSignal(workbench.check_finished, timeout=15_000):
        qtbot.keyClick(field, Qt.Key.Key_Return)


def verdict(window: MainWindow) -> str:
    text: str = find(window, QLabel, "verdictLabel").text()
    return text


def log_out(qtbot: QtBot, window: MainWindow) -> None:
    """退出登录 on the workbench and confirm it (logging in again costs an SMS: it asks)."""
    workbench = window.workbench
    click(qtbot, window, "logoutButton")
    box = workbench.logout_prompt
    assert box is not None and box.isVisible()
    find(box, QPushButton, "logoutConfirmOk").click()
