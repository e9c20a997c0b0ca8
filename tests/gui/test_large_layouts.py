# mypy: allow-untyped-calls
"""Large type on a 10-inch tablet (1280×800) and a 1080p screen: nothing is cut off.

The real main window on the embedded backend, with the real style sheet and the app font of
ui/typescale.py, is shown at each size in each state a guard meets (login, pickers, ready, a
red visitor, the worst-case result, 核查登记, 统计). In every state every visible widget is
walked — whatever widgets exist by then, not a list of today's — and checked:
  (a) it lies inside its parent and inside the window, and the window kept the screen's size
      (a layout whose minimum is larger than the screen grows the window past it);
  (b) labels without word wrap, buttons, check boxes, radio buttons, combo boxes and tabs are
      wide enough for their text (font metrics of the text against the style's content rect);
  (c) no scroll bar appears, except in item views, text edits and scroll areas that declare
      they may scroll (property mayScroll);
  (d) touch targets: buttons and tabs, the verdict banner and the ID pad keys are >= 44 px tall.
A picture of each state goes to test-artifacts/layouts/ for a person to look at.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QRect, QSize, Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractScrollArea,
    QAbstractSpinBox,
    QApplication,
    QCheckBox,
    QComboBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QStackedWidget,
    QStyle,
    QStyleOptionButton,
    QStyleOptionComboBox,
    QStyleOptionFrame,
    QTabBar,
    QTextEdit,
    QWidget,
)
from pytestqt.qtbot import QtBot

from shoumen_core.policy import Finding, FindingState, Source
from shoumen_core.schemas import CheckpointOut, MembershipOut, Role, StaffState
from shoumen_gui.paths import resources_dir
from shoumen_gui.services.gate import GateConfig, GateKind
from shoumen_gui.ui.kiosk import KioskController
from shoumen_gui.ui.main_window import MainWindow
from shoumen_gui.ui.typescale import (
    FONT_FAMILIES,
    apply_type_scale,
    point_size,
    scale_style_sheet,
    screen_factor,
)
from shoumen_server.seed import DEMO_PATHS_BY_KEY
from tests.gui.conftest import GUARD_PHONE, MakeApp, MemoryKeyring
from tests.gui.helpers import click, find, type_id, verdict, wait_for_page

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "layouts"
SCREENS = {"tablet-1280x800": QSize(1280, 800), "fhd-1920x1080": QSize(1920, 1080)}
TOUCH_PX = 44
COMBO_BEARING_PX = 2
LINE_EDIT_MARGIN_PX = 2  # QLineEdit's own inner margin each side
ID_DIGITS = 18
LONG_REASON = (
    "核酸检测结果已超过场所要求的 48 小时时效，且近 14 日内有中高风险地区旅居史，"
    "请引导访客到指定区域等候，联系社区工作人员复核后再决定是否放行，并做好核查登记"
)


# --- the unit: type scale ------------------------------------------------------------------------


def test_point_size_is_13pt_times_the_scale_and_larger_on_large_screens() -> None:
    tablet, fhd = SCREENS.values()
    assert point_size(1.0, tablet) == 13.0
    assert point_size(1.5, tablet) == 19.5
    assert point_size(1.0, fhd) > point_size(1.0, tablet)
    assert point_size(2.0, fhd) == 2 * point_size(1.0, fhd)
    assert point_size(1.0, QSize()) == 13.0  # no screen known: the base
    assert screen_factor(QSize(3840, 2160)) >= screen_factor(fhd)


def test_the_style_sheet_scales_its_points_and_keeps_its_pixels() -> None:
    sheet = "QWidget { font-size: 16pt; } #v { font-size: 48pt; min-height: 64px; } #w { width: 1.5pt; }"
    scaled = scale_style_sheet(sheet, 1.25)
    assert (
        scaled
        == "QWidget { font-size: 20pt; } #v { font-size: 60pt; min-height: 64px; } #w { width: 1.875pt; }"
    )
    assert scale_style_sheet(sheet, 1.0) == sheet


# --- the walk --------------------------------------------------------------------------------------


def describe(widget: QWidget) -> str:
    text = ""
    if isinstance(widget, QLabel | QAbstractButton):
        text = widget.text()
    elif isinstance(widget, QComboBox):
        text = widget.currentText()
    path: list[str] = []
    node: QWidget | None = widget
    while node is not None and len(path) < 4:
        if node.objectName():
            path.append(node.objectName())
        node = node.parentWidget()
    name = " < ".join(path) or "(no objectName)"
    shown = f' "{text[:30]}"' if text else ""
    return f"{type(widget).__name__} {name}{shown}"


def in_scrolled_contents(widget: QWidget) -> bool:
    """Inside a scroll area's viewport: its contents may extend past the viewport on purpose."""
    node = widget.parentWidget()
    while node is not None:
        if node.objectName() == "qt_scrollarea_viewport":
            return True
        node = node.parentWidget()
    return False


def qt_internal(widget: QWidget) -> bool:
    """Qt's own parts of composite widgets (a table's corner button, a tab bar's arrows)."""
    node: QWidget | None = widget
    while node is not None:
        if node.objectName().startswith("qt_"):
            return True
        parent = node.parentWidget()
        if isinstance(parent, QAbstractItemView | QTabBar) and not isinstance(node, QAbstractScrollArea):
            return True
        node = parent
    return False


def text_width(widget: QWidget, text: str) -> int:
    lines = text.replace("&&", "\0").replace("&", "").replace("\0", "&").splitlines() or [""]
    metrics = widget.fontMetrics()
    return max(metrics.horizontalAdvance(line) for line in lines)


def label_problem(label: QLabel) -> str | None:
    if not label.text() or label.textFormat() is Qt.TextFormat.RichText:
        return None
    if label.wordWrap():  # wraps: then it must be tall enough for its lines
        needed = label.heightForWidth(label.width())
        if label.height() < needed:
            return f"wrapped text needs {needed} px tall at {label.width()} px wide, has {label.height()} px"
        return None
    if label.text().lstrip().startswith("<"):  # rich text: laid out by QTextDocument
        return None
    available = label.contentsRect().width() - 2 * max(label.margin(), 0) - max(label.indent(), 0)
    needed = text_width(label, label.text())
    if available < needed:
        return f"text needs {needed} px, has {available} px"
    return None


def button_problem(button: QAbstractButton) -> str | None:
    if not button.text():
        return None
    option = QStyleOptionButton()
    option.initFrom(button)
    option.text = button.text()
    option.icon = button.icon()
    option.iconSize = button.iconSize()
    element = QStyle.SubElement.SE_PushButtonContents
    if isinstance(button, QCheckBox):
        element = QStyle.SubElement.SE_CheckBoxContents
    elif isinstance(button, QRadioButton):
        element = QStyle.SubElement.SE_RadioButtonContents
    contents = button.style().subElementRect(element, option, button)
    icon = button.iconSize().width() + 4 if not button.icon().isNull() else 0
    needed = text_width(button, button.text()) + icon
    if contents.width() < needed:
        return f"text needs {needed} px, content area has {contents.width()} px"
    return None


def combo_problem(combo: QComboBox) -> str | None:
    if not combo.currentText():
        return None
    option = QStyleOptionComboBox()
    combo.initStyleOption(option)
    field = combo.style().subControlRect(
        QStyle.ComplexControl.CC_ComboBox, option, QStyle.SubControl.SC_ComboBoxEditField, combo
    )
    # Qt sizes a style-sheet combo box 1–2 px short of the advance of its longest item; the
    # advance ends in the last glyph's side bearing, so those pixels are blank, not cut text.
    needed = text_width(combo, combo.currentText()) - COMBO_BEARING_PX
    if field.width() < needed:
        return f"text needs {needed} px, field has {field.width()} px"
    return None


def line_edit_problem(edit: QLineEdit) -> str | None:
    """Wide enough for its text, its placeholder and a whole ID number (or its max length)."""
    option = QStyleOptionFrame()
    edit.initStyleOption(option)
    contents = edit.style().subElementRect(QStyle.SubElement.SE_LineEditContents, option, edit)
    margins = edit.textMargins()
    available = contents.width() - margins.left() - margins.right() - 2 * LINE_EDIT_MARGIN_PX
    digits = "0" * min(edit.maxLength(), ID_DIGITS)
    needed = max(
        text_width(edit, edit.text()), text_width(edit, edit.placeholderText()), text_width(edit, digits)
    )
    if available < needed:
        return (
            f"shows {available} px of text, needs {needed} px (its text, placeholder or {len(digits)} digits)"
        )
    return None


def tab_problems(bar: QTabBar) -> Iterator[str]:
    for index in range(bar.count()):
        if not bar.isTabVisible(index):
            continue
        rect, hint = bar.tabRect(index), bar.tabSizeHint(index)
        text = bar.tabText(index)
        if not bar.rect().contains(rect):
            yield f'tab "{text}" lies outside its tab bar (scrolled away)'
        if rect.width() < hint.width() or rect.width() < text_width(bar, text):
            yield f'tab "{text}" is {rect.width()} px wide, needs {hint.width()} px'
        if rect.height() < TOUCH_PX:
            yield f'tab "{text}" is {rect.height()} px tall, a touch target needs {TOUCH_PX} px'


def scroll_problem(area: QAbstractScrollArea) -> str | None:
    if isinstance(area, QAbstractItemView | QTextEdit | QPlainTextEdit) or area.property("mayScroll"):
        return None
    shown = [bar for bar in (area.horizontalScrollBar(), area.verticalScrollBar()) if bar.isVisible()]
    if shown:
        return "needs a scroll bar at this size (set property mayScroll if it is meant to scroll)"
    return None


def touch_target(widget: QWidget) -> bool:
    tapped = QAbstractButton | QComboBox | QAbstractSpinBox | QLineEdit
    if isinstance(widget, tapped) and not qt_internal(widget):
        return True
    node: QWidget | None = widget
    while node is not None:  # the verdict banner's parts and the ID pad's keys, whatever they are
        if node.objectName() == "verdictBanner" or node.property("role") == "key":
            return True
        node = node.parentWidget()
    return False


def layout_problems(window: QWidget, screen: QSize) -> list[str]:
    problems: list[str] = []
    grown = window.size() != screen
    if grown:  # the widgets then stick out of the screen: say which page is too large instead
        minimum = window.minimumSizeHint()
        problems.append(
            f"the window grew to {window.width()}×{window.height()} on a {screen.width()}×{screen.height()} "
            f"screen: its minimum size is {minimum.width()}×{minimum.height()}"
        )
        for stack in window.findChildren(QStackedWidget):
            pages = [page for page in map(stack.widget, range(stack.count())) if page is not None]
            for page in pages:
                hint = page.minimumSizeHint()
                if hint.width() > screen.width() or hint.height() > screen.height():
                    problems.append(f"{describe(page)}: minimum size {hint.width()}×{hint.height()}")
    window_rect = QRect(0, 0, screen.width(), screen.height())
    for widget in window.findChildren(QWidget):
        if not widget.isVisible() or widget.isWindow():
            continue
        found: list[str] = []
        parent = widget.parentWidget()
        scrolled = in_scrolled_contents(widget)
        if parent is not None and not scrolled and parent.objectName() != "qt_scrollarea_viewport":
            if not parent.rect().contains(widget.geometry()):
                found.append(
                    f"sticks out of its parent ({_rect(widget.geometry())} in {_rect(parent.rect())})"
                )
            top_left = widget.mapTo(window, widget.rect().topLeft())
            if not grown and not window_rect.contains(QRect(top_left, widget.size())):
                found.append(f"sticks out of the window ({_rect(QRect(top_left, widget.size()))})")
        if isinstance(widget, QLabel):
            found.append(label_problem(widget) or "")
        elif isinstance(widget, QPushButton | QCheckBox | QRadioButton):
            found.append(button_problem(widget) or "")
        elif isinstance(widget, QComboBox):
            found.append(combo_problem(widget) or "")
        elif isinstance(widget, QLineEdit) and not qt_internal(widget):
            found.append(line_edit_problem(widget) or "")
        elif isinstance(widget, QTabBar):
            found.extend(tab_problems(widget))
        if isinstance(widget, QAbstractScrollArea) and not scrolled:
            found.append(scroll_problem(widget) or "")
        if touch_target(widget) and widget.height() < TOUCH_PX:
            found.append(f"{widget.height()} px tall, a touch target needs {TOUCH_PX} px")
        problems.extend(f"{describe(widget)}: {problem}" for problem in found if problem)
    return problems


def _rect(rect: QRect) -> str:
    return f"{rect.x()},{rect.y()} {rect.width()}×{rect.height()}"


def test_the_walk_names_what_is_cut_off(qtbot: QtBot) -> None:
    """The checks themselves: each kind of cut-off widget is found and named."""
    window = QWidget()
    qtbot.addWidget(window)
    window.resize(400, 300)
    narrow = QLabel("一段放不下的很长的文字", window)
    narrow.setObjectName("narrowLabel")
    narrow.setGeometry(0, 0, 40, 30)
    wrapped = QLabel("一段会换行的很长的文字，" * 6, window)
    wrapped.setObjectName("wrappedLabel")
    wrapped.setWordWrap(True)
    wrapped.setGeometry(0, 40, 120, 20)
    flat = QPushButton("确定", window)
    flat.setObjectName("flatButton")
    flat.setGeometry(0, 70, 120, 24)
    outside = QPushButton("外", window)
    outside.setObjectName("outsideButton")
    outside.setGeometry(360, 100, 120, 50)
    field = QLineEdit(window)
    field.setObjectName("shortField")
    field.setGeometry(0, 160, 60, 50)
    window.show()
    problems = "\n".join(layout_problems(window, QSize(400, 300)))
    assert "QLabel narrowLabel" in problems and "text needs" in problems
    assert "QLabel wrappedLabel" in problems and "wrapped text needs" in problems
    assert 'QPushButton flatButton "确定": 24 px tall' in problems
    assert "QPushButton outsideButton" in problems and "sticks out of its parent" in problems
    assert "QLineEdit shortField" in problems and "18 digits" in problems
    assert layout_problems(window, QSize(500, 300))[0].startswith("the window grew to 400×300")


# --- the states --------------------------------------------------------------------------------


@pytest.fixture
def app_style() -> Iterator[QApplication]:
    """The session's QApplication, styled like app.py does; restored afterwards."""
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    font, sheet = QFont(app.font()), app.styleSheet()
    yield app
    app.setStyleSheet(sheet)
    app.setFont(font)


class Walk:
    def __init__(self, qtbot: QtBot, window: MainWindow, screen: QSize, name: str) -> None:
        self.qtbot, self.window, self.screen, self.name = qtbot, window, screen, name
        self.problems: list[str] = []
        self.folder = ARTIFACTS / name
        self.folder.mkdir(parents=True, exist_ok=True)
        self.states: list[str] = []

    def geometries(self) -> list[tuple[int, QRect]]:
        return [(id(w), w.geometry()) for w in self.window.findChildren(QWidget) if w.isVisible()]

    def settle(self) -> None:
        """Until the layouts stop moving widgets: a change of text re-lays out in several rounds
        (a wrapped label's height for its width, then its row, then the panel)."""
        last: list[list[tuple[int, QRect]]] = [[]]

        def settled() -> bool:  # unchanged across one turn of the event loop
            before, last[0] = last[0], self.geometries()
            return before == last[0]

        self.qtbot.waitUntil(settled, timeout=5_000)

    def check(self, state: str) -> None:
        self.settle()
        self.window.grab().save(str(self.folder / f"{state}.png"))
        self.states.append(state)
        self.problems.extend(f"[{self.name} {state}] {p}" for p in layout_problems(self.window, self.screen))


def dialog_problems(walk: Walk, state: str, dialog: QWidget) -> None:
    """A dialog over the window: it fits the screen, and nothing in it is cut off."""
    walk.settle()
    walk.qtbot.waitUntil(dialog.isVisible, timeout=5_000)
    dialog.grab().save(str(walk.folder / f"{state}.png"))
    walk.states.append(state)
    size, screen = dialog.size(), walk.screen
    found = (
        []
        if size.width() <= screen.width() and size.height() <= screen.height()
        else [f"the dialog is {size.width()}×{size.height()}, larger than the screen"]
    )
    found += layout_problems(dialog, size)
    walk.problems.extend(f"[{walk.name} {state}] {p}" for p in found)


def worst_case_fail(findings: tuple[Finding, ...]) -> tuple[Finding, ...]:
    """Every source row failing, with the temperature row and a long reason."""
    sources = (Source.HEALTH_CODE, Source.VACCINATION, Source.NAT, Source.TRAVEL, Source.TEMPERATURE)
    by_source = {finding.source: finding for finding in findings}
    made = []
    for source in sources:
        base = by_source.get(source)
        message = base.message if base is not None else "体温 38.6 °C，超过 37.3 °C"
        made.append(Finding(source=source, state=FindingState.FAIL, reason="layout_test", message=message))
    made[2] = made[2].model_copy(update={"message": LONG_REASON})
    return tuple(made)


@pytest.mark.parametrize("screen_name", list(SCREENS))
def test_no_widget_is_cut_off(
    screen_name: str,
    qtbot: QtBot,
    make_station_app: MakeApp,
    memory_keyring: MemoryKeyring,
    app_style: QApplication,
) -> None:
    screen = SCREENS[screen_name]
    sheet = (resources_dir() / "styles" / "shoumen.qss").read_text(encoding="utf-8")
    apply_type_scale(app_style, 1.0, screen, sheet)
    station_app = make_station_app(demo_login=GUARD_PHONE)
    window = station_app.window
    window.resize(screen)
    station_app.start()
    walk = Walk(qtbot, window, screen, screen_name)
    workbench = window.workbench
    panel = workbench.result_panel

    walk.check("01-ready")
    type_id(qtbot, window, DEMO_PATHS_BY_KEY["red"].number)
    assert verdict(window) == "禁止通行"
    walk.check("02-red-visitor")
    shown = panel.result
    assert shown is not None
    panel.show_result(
        dataclasses.replace(shown, findings=worst_case_fail(shown.findings), needs_manual_decision=True),
        60_000,
    )
    assert panel.admit_button.isVisible() and find(window, QWidget, "rowTemperature").isVisible()
    walk.check("03-fail-all-rows-manual")
    click(qtbot, window, "registerAnomaly")
    assert workbench.tabs.currentWidget() is workbench.anomaly_form
    walk.check("04-anomaly-form")
    with qtbot.waitSignal(workbench.stats_view.refreshed, timeout=15_000):
        workbench.tabs.setCurrentWidget(workbench.stats_view)
    walk.check("05-stats")

    # A gate that does not answer (connection refused): 闸机未响应 and 手动开闸 in the panel.
    workbench.tabs.setCurrentWidget(workbench.check_page)
    station = station_app.station
    with qtbot.waitSignal(station.gate_changed, timeout=10_000):
        station.set_gate(GateConfig(kind=GateKind.WEBHOOK, url="http://127.0.0.1:9/open", timeout=1.0), None)
    with qtbot.waitSignal(panel.gate_shown, timeout=15_000):
        type_id(qtbot, window, DEMO_PATHS_BY_KEY["green_fresh"].number)
    assert find(window, QPushButton, "manualGateOpen").isVisible()
    walk.check("06-gate-not-responding")

    # Kiosk mode: the visitor's view (no staff buttons, 请联系现场工作人员), then the idle screen.
    kiosk = KioskController(window, station_app.flow, station_app.tasks, idle_seconds=3600)
    kiosk.lock()
    window.showNormal()  # the offscreen screen is not the size under test: keep the window's
    window.resize(screen)
    type_id(qtbot, window, DEMO_PATHS_BY_KEY["red"].number)
    assert find(window, QLabel, "staffHint").isVisible()
    walk.check("07-kiosk-red-visitor")
    unlock = kiosk.open_unlock_dialog()
    assert unlock is not None
    dialog_problems(walk, "08-kiosk-unlock-dialog", unlock)
    unlock.reject()
    kiosk.go_idle()
    assert kiosk.idle
    walk.check("09-kiosk-idle")
    kiosk.wake()
    kiosk.monitor.stop()
    kiosk.unlock()
    window.resize(screen)

    click(qtbot, window, "settingsButton")
    settings = station_app.flow.settings_dialog
    assert settings is not None
    for index in range(settings.pages.count()):
        settings.pages.setCurrentIndex(index)
        dialog_problems(walk, f"10-settings-page-{index}", settings)
    settings.reject()

    click(qtbot, window, "switchCheckpoint")
    assert window.current_page is window.checkpoint_picker
    walk.check("11-checkpoint-picker")
    venues = [
        MembershipOut(
            venue_id=9000 + n,
            venue_name=name,
            role=role,
            state=state,
            checkpoints=[CheckpointOut(id=1, name="东门")],
        )
        for n, (name, role, state) in enumerate(
            [
                ("新昌县人民医院", Role.STAFF, StaffState.AUTHORISED),
                ("新昌县南明街道社区卫生服务中心第二门诊部", Role.OWNER, StaffState.AUTHORISED),
                ("南明街道便民超市", Role.STAFF, StaffState.REVOKED),
            ]
        )
    ]
    window.venue_picker.set_venues(venues)
    window.show_page(window.venue_picker)
    walk.check("12-venue-picker")

    station_app.flow.logout()
    wait_for_page(qtbot, window, "loginPage")
    window.login.phone.setText(GUARD_PHONE)
    click(qtbot, window, "loginGetCode")
    banner = find(window, QLabel, "demoCodeBanner")
    qtbot.waitUntil(banner.isVisible, timeout=10_000)
    walk.check("13-login")

    assert len(walk.states) == 15
    assert not walk.problems, "\n".join(walk.problems)


def test_every_character_of_the_units_is_drawn_by_the_app_font(qtbot: QtBot) -> None:
    """WenQuanYi Micro Hei claims ℃ but draws nothing (the temperature row read "体温（ ）"):
    the app writes °C. Each character the app shows for units and marks must leave ink."""
    font = QFont()
    font.setFamilies(list(FONT_FAMILIES))
    font.setPointSize(20)
    for char in "°C体温·：，（）⌫":  # units, marks and the ID pad's delete key
        label = QLabel(char)
        label.setFont(font)
        label.setStyleSheet("color: black; background: white;")
        label.adjustSize()
        image = label.grab().toImage()
        ink = sum(
            1
            for x in range(image.width())
            for y in range(image.height())
            if image.pixelColor(x, y).lightness() < 160
        )
        assert ink > 0, f"{char!r} draws nothing in {font.families()}"
