# mypy: allow-untyped-calls
"""Every widget a person or a test drives has a stable objectName and a Chinese accessibleName;
the pages no station shows at start are built on first use."""

from __future__ import annotations

from PySide6.QtWidgets import QAbstractButton, QLabel, QLineEdit, QWidget
from pytestqt.qtbot import QtBot

from shoumen_gui.tasks import TaskManager
from shoumen_gui.ui.main_window import MainWindow
from shoumen_gui.ui.supervisor.region_view import RegionView
from shoumen_gui.ui.venue.admin_page import VenueAdminPage
from shoumen_gui.ui.venue.register import RegisterPage
from tests.gui.helpers import LAZY_PAGES, lazy_pages_built

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
    build_lazy_pages(window)  # their controls too
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


def build_lazy_pages(window: MainWindow) -> list[QWidget]:
    return [window.register_page, window.venue_admin, window.region_view]


def test_the_rarely_shown_pages_are_built_on_first_use(qtbot: QtBot, immediate_tasks: TaskManager) -> None:
    window = MainWindow(immediate_tasks)
    qtbot.addWidget(window)
    # Issue 18 §3: 注册场所, 场所管理 and 区域监管 cost ~0.25 s with the style sheet; none is
    # shown at start.
    assert window.pages.count() == 5
    assert lazy_pages_built(window) == []
    assert not window.findChildren(RegisterPage) and not window.findChildren(RegionView)
    assert window.lazy.venue_admin.built is None
    wired: list[QWidget] = []
    window.lazy.venue_admin.when_built(wired.append)
    assert wired == []  # waits for the page

    admin = window.venue_admin
    assert isinstance(admin, VenueAdminPage)
    assert wired == [admin]  # wired as it was built, before anyone else used it
    assert window.venue_admin is admin and window.lazy.venue_admin.built is admin
    assert window.pages.indexOf(admin) == 5 and window.pages.count() == 6
    assert lazy_pages_built(window) == ["venueAdmin"]
    window.lazy.venue_admin.when_built(wired.append)
    assert wired == [admin, admin]  # already built: at once

    window.show_page(window.region_view)
    assert window.current_page is window.region_view
    assert isinstance(window.region_view, RegionView)
    assert isinstance(window.register_page, RegisterPage)
    assert window.pages.count() == 8
    assert lazy_pages_built(window) == list(LAZY_PAGES)
