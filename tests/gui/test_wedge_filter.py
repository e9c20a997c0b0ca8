# mypy: allow-untyped-calls
"""USB scanners typing ("keyboard wedge") versus a person typing, through the real event filter.

Key presses are real Qt key events (QTest); only their timing is simulated: the filter's clock
is a fake that moves 20 ms per key for a scanner and 150-200 ms for a person.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QLineEdit, QPlainTextEdit, QVBoxLayout, QWidget
from pytestqt.qtbot import QtBot

from shoumen_gui.ui.wedge_filter import WedgeFilter
from shoumen_server.seed import DEMO_PATHS_BY_KEY
from tests.gui.conftest import GUARD_PHONE, MakeApp, MemoryKeyring
from tests.gui.helpers import verdict

GREEN = DEMO_PATHS_BY_KEY["green_fresh"].number
RED = DEMO_PATHS_BY_KEY["red"].number
SCANNER_MS = 20
PERSON_MS = 180


class FakeMs:
    """The filter's clock, in milliseconds; moves only when a key is typed or told to."""

    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now


def type_keys(
    qtbot: QtBot, widget: QWidget, text: str, clock: FakeMs, every_ms: float, *, enter: bool
) -> None:
    for character in text:
        clock.now += every_ms
        qtbot.keyClick(widget, character)
    if enter:
        clock.now += every_ms
        qtbot.keyClick(widget, Qt.Key.Key_Return)


class Desk(QWidget):
    def __init__(self) -> None:
        super().__init__()
        self.field = QLineEdit()
        self.field.setObjectName("field")
        self.other = QLineEdit()
        self.other.setObjectName("other")
        self.notes = QPlainTextEdit()
        layout = QVBoxLayout(self)
        for widget in (self.field, self.other, self.notes):
            layout.addWidget(widget)


@pytest.fixture
def clock() -> FakeMs:
    return FakeMs()


@pytest.fixture
def desk(qtbot: QtBot) -> Desk:
    widget = Desk()
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


@pytest.fixture
def wedge(desk: Desk, clock: FakeMs) -> Iterator[WedgeFilter]:
    wedge = WedgeFilter(desk, clock=clock)
    wedge.install()
    yield wedge
    wedge.uninstall()


def test_a_fast_burst_ending_in_enter_is_a_scan(
    qtbot: QtBot, desk: Desk, wedge: WedgeFilter, clock: FakeMs
) -> None:
    scans: list[str] = []
    returns: list[bool] = []
    wedge.scanned.connect(scans.append)
    desk.field.returnPressed.connect(lambda: returns.append(True))
    desk.field.setFocus()
    type_keys(qtbot, desk.field, GREEN, clock, SCANNER_MS, enter=True)
    assert scans == [GREEN]
    assert desk.field.text() == ""  # the field never saw it
    assert returns == []
    assert not wedge.pending


def test_the_same_text_typed_by_a_person_stays_in_the_field(
    qtbot: QtBot, desk: Desk, wedge: WedgeFilter, clock: FakeMs
) -> None:
    scans: list[str] = []
    returns: list[str] = []
    wedge.scanned.connect(scans.append)
    desk.field.returnPressed.connect(lambda: returns.append(desk.field.text()))
    type_keys(qtbot, desk.field, GREEN, clock, PERSON_MS, enter=True)
    assert scans == []
    assert desk.field.text() == GREEN
    assert returns == [GREEN]  # Enter arrived after every character, in order


def test_the_last_key_of_a_person_arrives_when_the_burst_window_ends(
    qtbot: QtBot, desk: Desk, wedge: WedgeFilter, clock: FakeMs
) -> None:
    type_keys(qtbot, desk.field, "zhang", clock, PERSON_MS, enter=False)
    assert desk.field.text() == "zhan"  # "g" is held: it could be the start of a scan
    clock.now += 100
    qtbot.waitUntil(lambda: desk.field.text() == "zhang", timeout=2000)
    assert not wedge.pending


def test_a_short_fast_burst_is_a_person_after_all(
    qtbot: QtBot, desk: Desk, wedge: WedgeFilter, clock: FakeMs
) -> None:
    scans: list[str] = []
    wedge.scanned.connect(scans.append)
    type_keys(qtbot, desk.field, "12", clock, SCANNER_MS, enter=True)
    assert scans == [] and desk.field.text() == "12"


def test_other_keys_and_clicks_keep_the_order(
    qtbot: QtBot, desk: Desk, wedge: WedgeFilter, clock: FakeMs
) -> None:
    type_keys(qtbot, desk.field, "123", clock, PERSON_MS, enter=False)
    qtbot.keyClick(desk.field, Qt.Key.Key_Backspace)  # releases the held "3" first, then deletes it
    assert desk.field.text() == "12"
    qtbot.keyClick(desk.field, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)  # a shortcut passes
    assert desk.field.selectedText() == "12"
    type_keys(qtbot, desk.other, "ab", clock, SCANNER_MS, enter=False)
    assert desk.other.text() == "" and wedge.pending
    qtbot.mouseClick(desk.field, Qt.MouseButton.LeftButton)  # the held keys go where they were typed
    assert desk.other.text() == "ab" and desk.field.text() == "12"


def test_enter_in_a_text_box_is_a_new_line(
    qtbot: QtBot, desk: Desk, wedge: WedgeFilter, clock: FakeMs
) -> None:
    type_keys(qtbot, desk.notes, "ab", clock, PERSON_MS, enter=True)
    type_keys(qtbot, desk.notes, "c", clock, PERSON_MS, enter=False)
    clock.now += 100
    qtbot.waitUntil(lambda: desk.notes.toPlainText() == "ab\nc", timeout=2000)


def test_nothing_is_held_outside_the_workbench(
    qtbot: QtBot, desk: Desk, wedge: WedgeFilter, clock: FakeMs
) -> None:
    elsewhere = QLineEdit()
    qtbot.addWidget(elsewhere)
    elsewhere.show()
    scans: list[str] = []
    wedge.scanned.connect(scans.append)
    type_keys(qtbot, elsewhere, GREEN, clock, SCANNER_MS, enter=True)
    assert elsewhere.text() == GREEN and scans == []
    desk.hide()  # e.g. the login page is showing
    type_keys(qtbot, desk.field, "abcdefgh", clock, SCANNER_MS, enter=True)
    assert desk.field.text() == "abcdefgh" and scans == []


# --- on the workbench ---------------------------------------------------------------------------


def test_on_the_workbench_a_burst_checks_and_slow_typing_fills_the_form(
    qtbot: QtBot, make_station_app: MakeApp, memory_keyring: MemoryKeyring, clock: FakeMs
) -> None:
    app = make_station_app(demo_login=GUARD_PHONE)
    app.start()
    workbench = app.window.workbench
    assert workbench.wedge is not None
    workbench.wedge.clock = clock

    # A card reader types the ID into the focused ID field: it is checked, the field stays empty.
    field = workbench.id_pad.input
    field.setFocus()
    with qtbot.waitSignal(workbench.check_finished, timeout=15_000):
        type_keys(qtbot, field, GREEN, clock, SCANNER_MS, enter=True)
    assert verdict(app.window) == "通行"
    assert field.text() == ""

    # The same text typed by a person into the registration form stays there.
    workbench.open_registration()
    form = workbench.anomaly_form
    checks: list[object] = []
    workbench.check_finished.connect(checks.append)
    type_keys(qtbot, form.fields.document, GREEN, clock, PERSON_MS, enter=True)
    type_keys(qtbot, form.fields.name, "chen", clock, PERSON_MS, enter=False)
    clock.now += 100
    qtbot.waitUntil(lambda: form.fields.name.text() == "chen", timeout=2000)
    assert form.fields.document.text() == GREEN
    assert checks == [] and workbench.tabs.currentWidget() is form

    # A reader's burst on the form identifies the visitor of the new registration.
    with qtbot.waitSignal(form.checked, timeout=15_000):
        type_keys(qtbot, form.fields.name, RED, clock, SCANNER_MS, enter=True)
    assert form.fields.name.text() == "chen"
    assert form.fields.document.text() == RED  # the number read goes into the document field
    link = form.findChild(QLabel, "anomalyLink")
    assert link is not None and "禁止通行" in link.text()
    assert form.fields.type_box.currentText() == "红码"
    assert verdict(app.window) == "禁止通行"  # the check is on the 核验 page too
