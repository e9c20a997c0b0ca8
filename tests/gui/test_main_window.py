# mypy: allow-untyped-calls
"""Every widget a person or a test drives has a stable objectName and a Chinese accessibleName."""

from __future__ import annotations

from PySide6.QtWidgets import QAbstractButton, QLabel, QLineEdit, QWidget
from pytestqt.qtbot import QtBot

from shoumen_gui.tasks import TaskManager
from shoumen_gui.ui.main_window import MainWindow

DRIVEN = (
    "loginPhone",
    "loginCode",
    "loginSubmit",
    "loginGetCode",
    "workbench",
    "idInput",
    "idSubmit",
    "resultPanel",
    "verdictLabel",
    "rowHealthCode",
    "rowVaccination",
    "rowNat",
    "rowTravel",
    "manualAdmit",
    "manualTurnAway",
    "syncStatus",
    "syncOnline",
    "syncPending",
    "syncLastSync",
    "clockSkewBanner",
    "syncRejected",
    "demoBadge",
    "keyringBanner",
    "logoutButton",
    "switchCheckpoint",
    "startupRetry",
)


def is_chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def test_driven_widgets_have_names(qtbot: QtBot, immediate_tasks: TaskManager) -> None:
    window = MainWindow(immediate_tasks)
    qtbot.addWidget(window)
    for name in DRIVEN:
        widgets = window.findChildren(QWidget, name)
        assert len(widgets) == 1, name  # stable and unique
        assert is_chinese(widgets[0].accessibleName()), name


def test_every_button_and_field_has_a_chinese_accessible_name(
    qtbot: QtBot, immediate_tasks: TaskManager
) -> None:
    window = MainWindow(immediate_tasks)
    qtbot.addWidget(window)
    controls: list[QWidget] = [*window.findChildren(QAbstractButton), *window.findChildren(QLineEdit)]
    assert len(controls) > 25
    for control in controls:
        assert control.objectName(), control
        name = control.accessibleName()
        assert is_chinese(name) or name.isdigit() or name == "X", control.objectName()


def test_window_title_and_start_page(qtbot: QtBot, immediate_tasks: TaskManager) -> None:
    window = MainWindow(immediate_tasks)
    qtbot.addWidget(window)
    assert window.windowTitle() == "守小门 · 场所核验"
    assert window.current_page is window.startup
    message = window.findChild(QLabel, "startupMessage")
    assert message is not None and message.text() == "正在启动…"
