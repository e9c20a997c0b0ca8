# mypy: allow-untyped-calls
"""Issue 16 §10, the screens at 1280×800 measured on the real widgets (not pictures): chart axis
labels have the room their font needs (QtCharts elides them to "…" / "⋮" otherwise), the region
table fits without sideways scrolling, the window maximises on small screens, the login page
lists the supervisor, and the keyring banner can be dismissed and stays off the kiosk screen."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from PySide6.QtCharts import QCategoryAxis, QChart, QValueAxis
from PySide6.QtCore import QRect, QSize, Qt
from PySide6.QtGui import QFont, QFontMetrics
from PySide6.QtWidgets import QApplication, QLabel, QPushButton, QTableView, QWidget
from pytestqt.qtbot import QtBot

from shoumen_core.policy import VerdictLevel
from shoumen_gui.paths import resources_dir
from shoumen_gui.tasks import TaskManager
from shoumen_gui.ui.kiosk import KioskController
from shoumen_gui.ui.main_window import MainWindow
from shoumen_gui.ui.typescale import apply_type_scale
from tests.gui.conftest import GUARD_PHONE, LiveBackend, MakeApp, MemoryKeyring, StationApp
from tests.gui.helpers import click, find, log_in, wait_for_page
from tests.gui.supervisor.test_region import a_day_of_checks, open_region
from tests.gui.venue.drive import guard_checks

TABLET = QSize(1280, 800)


@pytest.fixture
def tablet_style() -> Iterator[QApplication]:
    """The app's style sheet and type scale for a 1280×800 screen (as app.py sets them)."""
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    font, sheet = QFont(app.font()), app.styleSheet()
    apply_type_scale(app, 1.0, TABLET, (resources_dir() / "styles" / "shoumen.qss").read_text("utf-8"))
    yield app
    app.setStyleSheet(sheet)
    app.setFont(font)


def counts_axis_fits(chart: QChart, axis: QValueAxis) -> str | None:
    """Why QtCharts would elide this count axis' labels (None: it will not): every tick a line
    of text apart, the widest label narrower than the room left of the plot, whole numbers."""
    plot = chart.plotArea()
    metrics = QFontMetrics(axis.labelsFont())
    intervals = axis.tickCount() - 1
    if plot.height() <= 0 or intervals < 1:
        return f"no plot yet ({plot.height()} px, {axis.tickCount()} ticks)"
    spacing = plot.height() / intervals
    if spacing < metrics.height():
        return f"ticks {spacing:.1f} px apart, a label is {metrics.height()} px tall"
    widest = metrics.horizontalAdvance(str(int(axis.max())))
    if widest >= plot.left():
        return f"label {widest} px wide, {plot.left():.0f} px left of the plot"
    step = (axis.max() - axis.min()) / intervals
    if step != int(step):
        return f"step {step}: labels of %d repeat"
    return None


def test_the_stats_chart_counts_are_readable_at_1280x800(
    qtbot: QtBot,
    make_station_app: MakeApp,
    embedded: LiveBackend,
    memory_keyring: MemoryKeyring,
    tablet_style: QApplication,
) -> None:
    guard_checks(embedded, GUARD_PHONE, [VerdictLevel.PASS] * 7)  # a busy hour on another device
    app = make_station_app(demo_login=GUARD_PHONE)
    app.window.resize(TABLET)
    app.start()
    workbench = app.window.workbench
    view = workbench.stats_view
    with qtbot.waitSignal(view.refreshed, timeout=15_000):
        workbench.tabs.setCurrentWidget(view)
    qtbot.waitUntil(lambda: max(view.chart.counts) >= 7, timeout=15_000)
    chart = view.chart
    assert chart.height() < 200  # the small chart of the tablet layout, where it went wrong
    qtbot.waitUntil(lambda: counts_axis_fits(chart.chart(), chart.axis_y) is None, timeout=5_000)
    assert chart.axis_y.max() >= 7


def test_the_region_charts_and_table_fit_1280x800(
    qtbot: QtBot,
    make_station_app: MakeApp,
    embedded: LiveBackend,
    memory_keyring: MemoryKeyring,
    tablet_style: QApplication,
) -> None:
    a_day_of_checks(embedded)
    app = make_station_app()
    app.window.resize(TABLET)
    open_region(qtbot, app)
    view = app.window.region_view
    table = find(view, QTableView, "regionVenuesTable")

    def table_fits() -> str | None:
        if table.horizontalScrollBar().maximum() > 0 or table.horizontalScrollBar().isVisible():
            return "scrolls sideways"
        header = table.horizontalHeader()
        for column in range(header.count()):
            needed = max(table.sizeHintForColumn(column), header.sectionSizeHint(column))
            if header.sectionSize(column) < needed:
                return f"column {column} is {header.sectionSize(column)} px, needs {needed}"
        return None

    qtbot.waitUntil(lambda: table_fits() is None, timeout=5_000)

    hourly = view.hourly
    hourly.image()  # lays the chart out now
    hours = next(axis for axis in hourly.chart().axes(Qt.Orientation.Horizontal))
    assert isinstance(hours, QCategoryAxis) and hours.labelsAngle() == 0  # upright, not "⋮"
    labels = hours.categoriesLabels()
    metrics = QFontMetrics(hours.labelsFont())
    plot = hourly.chart().plotArea()
    per_label = plot.width() / 24 * 3  # a label every third bar: three bars of room
    widest = max(metrics.horizontalAdvance(label) for label in labels)
    assert labels == ["0", "3", "6", "9", "12", "15", "18", "21"]
    assert widest < per_label, f"a label needs {widest} px, has {per_label:.1f}"
    for chart_view in (hourly, view.trend):
        chart_view.image()
        counts = next(axis for axis in chart_view.chart().axes(Qt.Orientation.Vertical))
        assert isinstance(counts, QValueAxis)
        problem = counts_axis_fits(chart_view.chart(), counts)
        assert problem is None, f"{chart_view.objectName()}: {problem}"


def test_the_window_maximises_on_screens_up_to_1366_px(qtbot: QtBot, tasks: TaskManager) -> None:
    small, large = MainWindow(tasks), MainWindow(tasks)
    for window in (small, large):
        qtbot.addWidget(window)
    small.show_on_screen(QRect(0, 0, 1280, 800))
    large.show_on_screen(QRect(0, 0, 1920, 1080))
    qtbot.waitUntil(lambda: small.isVisible() and large.isVisible(), timeout=5_000)
    assert small.windowState() & Qt.WindowState.WindowMaximized
    assert not large.windowState() & Qt.WindowState.WindowMaximized
    assert large.size() == QSize(1180, 760)


def test_the_login_page_lists_the_supervisor_who_can_log_in_from_it(
    qtbot: QtBot, make_station_app: MakeApp, memory_keyring: MemoryKeyring
) -> None:
    app = make_station_app()
    app.start()
    hint = find(app.window, QLabel, "demoAccountsHint")
    assert hint.isVisible()
    line = next(line for line in hint.text().splitlines() if "监管" in line)
    phone = re.match(r"(\d{11})", line)
    assert phone is not None and phone.group(1) == "13900000000"
    with qtbot.waitSignal(app.window.region_view.loaded, timeout=20_000):
        log_in(qtbot, app.window, phone.group(1))
    assert app.window.current_page is app.window.region_view


def banner_row(app: StationApp) -> QWidget:
    row: QWidget = find(app.window, QWidget, "keyringBannerRow")
    return row


@pytest.mark.usefixtures("no_keyring")
def test_the_keyring_banner_is_dismissible_and_never_on_the_kiosk(
    qtbot: QtBot, make_station_app: MakeApp
) -> None:
    app = make_station_app(demo_login=GUARD_PHONE)
    app.start()
    window = app.window
    assert banner_row(app).isVisible()

    kiosk = KioskController(window, app.flow, app.tasks, idle_seconds=3600)
    kiosk.lock()
    assert not banner_row(app).isVisible()  # the public screen: not for visitors
    kiosk.monitor.stop()
    kiosk.unlock()
    assert banner_row(app).isVisible()

    click(qtbot, window, "keyringBannerDismiss")
    assert not banner_row(app).isVisible()
    # For the session: back to the pickers and in again, it stays away.
    click(qtbot, window, "switchCheckpoint")
    wait_for_page(qtbot, window, "checkpointPicker")
    first = window.checkpoint_picker.buttons[0]
    assert isinstance(first, QPushButton)
    with qtbot.waitSignal(app.flow.ready, timeout=20_000):
        qtbot.mouseClick(first, Qt.MouseButton.LeftButton)
    wait_for_page(qtbot, window, "workbench")
    assert not banner_row(app).isVisible()
