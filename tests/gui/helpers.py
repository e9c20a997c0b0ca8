# mypy: allow-untyped-calls
"""Driving the app as a person would: shared by the flow, workbench and end-to-end tests."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager

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


LAZY_PAGES = ("registerPage", "venueAdmin", "regionView")


def lazy_pages_built(window: MainWindow) -> list[str]:
    """Which of the pages built on first use (MainWindow.lazy) are among the window's widgets."""
    return [name for name in LAZY_PAGES if window.findChild(QWidget, name) is not None]


class ScannerPace:
    """The wedge filter's clock while a test types a scan: at most `step_ms` passes between two
    readings, however long this process waited for a core between two synthetic key presses.

    keyClicks types as fast as a scanner gun, but with the real clock a test descheduled for
    more than the filter's 50 ms between two keys (the suite in parallel workers on two busy
    cores) saw one number split into typing and a shorter scan. Never ahead of the real clock,
    so the filter's time does not go back when the real one is put back."""

    def __init__(self, real: Callable[[], float], step_ms: float = 5.0) -> None:
        self.real, self.step = real, step_ms
        self.last_real = self.last = real()

    def __call__(self) -> float:
        now = self.real()
        self.last += min(now - self.last_real, self.step)
        self.last_real = now
        return self.last


@contextmanager
def scanner_paced(workbench: QWidget) -> Iterator[None]:
    """Key presses sent inside arrive at a scanner's pace, as the wedge filter sees them."""
    wedge = getattr(workbench, "wedge", None)
    if wedge is None:
        yield
        return
    real = wedge.clock
    wedge.clock = ScannerPace(real)
    try:
        yield
    finally:
        wedge.clock = real


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
    with qtbot.waitSignal(workbench.check_finished, timeout=15_000), scanner_paced(workbench):
        qtbot.keyClicks(field, number)
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
