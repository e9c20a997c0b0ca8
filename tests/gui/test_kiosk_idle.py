"""The kiosk's idle screen and input watch on their own (ui/kiosk_idle.py).

test_kiosk.py reaches them only through a logged-in kiosk on the live backend; here the
widget and the monitor are driven directly: what the idle screen shows and hides, that it
never takes the keyboard from the ID field under it, and when the monitor says idle / awake.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QLineEdit, QVBoxLayout, QWidget
from pytestqt.qtbot import QtBot

from shoumen_gui.ui.kiosk_idle import IDLE_PROMPT, IdleMonitor, IdleScreen


class Station(QWidget):
    """A window with the ID field a scanner types into, like the workbench."""

    def __init__(self) -> None:
        super().__init__()
        self.id_field = QLineEdit()
        self.id_field.setObjectName("idInput")
        QVBoxLayout(self).addWidget(self.id_field)


@pytest.fixture
def station(qtbot: QtBot) -> Station:
    window = Station()
    qtbot.addWidget(window)
    window.resize(1280, 800)
    window.show()
    window.activateWindow()
    qtbot.waitActive(window)
    window.id_field.setFocus()
    qtbot.waitUntil(window.id_field.hasFocus)
    return window


@pytest.fixture
def monitor(qtbot: QtBot) -> Iterator[IdleMonitor]:
    watch = IdleMonitor(interval_ms=150)
    yield watch
    watch.stop()  # the application-wide filter must not outlive the test


def label(screen: IdleScreen, name: str) -> QLabel:
    found = screen.findChild(QLabel, name)
    assert found is not None, name
    return found


def test_the_idle_screen_covers_the_window_with_the_place_time_and_prompt(
    qtbot: QtBot, station: Station
) -> None:
    screen = IdleScreen(station)
    assert not screen.isVisible()  # made hidden: only the monitor's timeout shows it
    screen.show_for("县人民医院 · 东门")
    qtbot.waitUntil(screen.isVisible)
    assert screen.geometry() == station.rect()
    assert label(screen, "kioskIdlePlace").text() == "县人民医院 · 东门"
    assert label(screen, "kioskIdlePrompt").text() == IDLE_PROMPT
    clock = label(screen, "kioskIdleClock").text()
    assert re.fullmatch(r"\d\d:\d\d\n\d{4}年\d{1,2}月\d{1,2}日", clock), clock
    assert screen.tick.isActive()  # the clock keeps going while it is shown

    station.resize(1024, 600)  # a window resized under it: still covered edge to edge
    qtbot.waitUntil(lambda: screen.geometry() == station.rect())

    screen.hide()
    assert not screen.tick.isActive()  # no timer ticking behind a hidden screen


def test_a_venue_name_with_markup_is_shown_as_typed(qtbot: QtBot, station: Station) -> None:
    screen = IdleScreen(station)
    screen.show_for("<i>小卖部</i> · 正门")
    place = label(screen, "kioskIdlePlace")
    assert place.text() == "<i>小卖部</i> · 正门"
    assert place.textFormat() == Qt.TextFormat.PlainText


def test_the_idle_screen_never_takes_the_keyboard_from_the_id_field(qtbot: QtBot, station: Station) -> None:
    screen = IdleScreen(station)
    screen.show_for("县人民医院 · 东门")
    qtbot.waitUntil(screen.isVisible)
    assert station.id_field.hasFocus()
    qtbot.keyClicks(station.id_field, "330102")  # a USB scanner types while the screen is up
    assert station.id_field.text() == "330102"
    qtbot.mouseClick(screen, Qt.MouseButton.LeftButton)  # a tap on the cover
    assert station.id_field.hasFocus()


def test_no_input_for_the_interval_is_idle_and_the_next_key_wakes_it(
    qtbot: QtBot, station: Station, monitor: IdleMonitor
) -> None:
    monitor.start()
    with qtbot.waitSignal(monitor.timed_out, timeout=5000):
        pass
    assert monitor.timed_out_now
    with qtbot.waitSignal(monitor.woken, timeout=1000):
        qtbot.keyClick(station.id_field, "3")
    assert station.id_field.text() == "3"  # the monitor watches; it swallows nothing
    assert monitor.timer.isActive()  # counting again from the key press


def test_input_while_awake_wakes_nothing_and_restarts_the_count(
    qtbot: QtBot, station: Station, monitor: IdleMonitor
) -> None:
    monitor.set_interval(60_000)
    monitor.start()
    with qtbot.assertNotEmitted(monitor.woken, wait=50):
        qtbot.keyClick(station.id_field, "1")
    assert monitor.timer.remainingTime() > 55_000


def test_a_stopped_monitor_neither_times_out_nor_wakes(
    qtbot: QtBot, station: Station, monitor: IdleMonitor
) -> None:
    monitor.start()
    with qtbot.waitSignal(monitor.timed_out, timeout=5000):
        pass
    monitor.stop()  # leaving kiosk mode
    assert not monitor.timed_out_now and not monitor.timer.isActive()
    with qtbot.assertNotEmitted(monitor.woken), qtbot.assertNotEmitted(monitor.timed_out, wait=400):
        qtbot.keyClick(station.id_field, "1")
    monitor.restart()  # a check shown outside kiosk mode starts no idle count
    assert not monitor.timer.isActive()
