"""The kiosk's idle screen and the input watch behind it.

IdleMonitor is an application-wide event filter: every key press, click, wheel turn or touch
restarts its timer; when the timer runs out it says so (`timed_out`), and the first input
after that is `woken`. It never swallows an event, so the keyboard-wedge filter and the
widgets see exactly what they would without it.

IdleScreen covers the whole window with the venue, the checkpoint, the time and what to do —
never a person's data (DESIGN §7). It takes no focus: the ID field under it keeps the
keyboard focus, so a USB scanner's burst still reaches the wedge filter and is checked.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QHideEvent
from PySide6.QtWidgets import QApplication, QLabel, QVBoxLayout, QWidget

from shoumen_core.timeutil import LOCAL_TZ, utcnow
from shoumen_gui.i18n import QT_TRANSLATE_NOOP
from shoumen_gui.ui.plain import plain_label

log = logging.getLogger("shoumen.gui.kiosk")

INPUT_EVENTS = frozenset(
    {
        QEvent.Type.KeyPress,
        QEvent.Type.MouseButtonPress,
        QEvent.Type.MouseButtonDblClick,
        QEvent.Type.MouseMove,
        QEvent.Type.Wheel,
        QEvent.Type.TouchBegin,
        QEvent.Type.TouchUpdate,
        QEvent.Type.TabletPress,
    }
)

IDLE_PROMPT = QT_TRANSLATE_NOOP("shoumen", "请出示个人健康码或刷身份证")


class IdleMonitor(QObject):
    timed_out = Signal()  # no input for the whole interval
    woken = Signal()  # the first input after timed_out

    def __init__(self, interval_ms: int, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self._on_timeout)
        self.watching = False
        self.timed_out_now = False

    def set_interval(self, interval_ms: int) -> None:
        self.timer.setInterval(interval_ms)

    def start(self) -> None:
        app = QApplication.instance()
        if app is not None and not self.watching:
            app.installEventFilter(self)
        self.watching = True
        self.restart()

    def stop(self) -> None:
        app = QApplication.instance()
        if app is not None and self.watching:
            app.removeEventFilter(self)
        self.watching = False
        self.timed_out_now = False
        self.timer.stop()

    def restart(self) -> None:
        """Count the idle time from now (input, a check shown, a result cleared)."""
        if self.watching:
            self.timer.start()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in INPUT_EVENTS:
            self.restart()
            if self.timed_out_now:
                self.timed_out_now = False
                self.woken.emit()
        return False  # watch only: every event goes on to its widget

    def _on_timeout(self) -> None:
        self.timed_out_now = True
        self.timed_out.emit()


class IdleScreen(QWidget):
    """A full-window cover; `show_for(place)` shows it above everything, `hide()` removes it."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("kioskIdleScreen")
        self.setAccessibleName(self.tr("待机画面"))
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        # Colours and the large type are in resources/styles/shoumen.qss (scaled with the screen).
        self.place = self._label("kioskIdlePlace", self.tr("场所"))
        self.clock = self._label("kioskIdleClock", self.tr("当前时间"))
        self.prompt = self._label("kioskIdlePrompt", self.tr("提示"))
        self.prompt.setText(self.tr(IDLE_PROMPT))
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        layout.addWidget(self.place)
        layout.addWidget(self.clock)
        layout.addSpacing(24)
        layout.addWidget(self.prompt)
        layout.addStretch(2)
        self.tick = QTimer(self)
        self.tick.setInterval(1000)
        self.tick.timeout.connect(self._show_time)
        parent.installEventFilter(self)  # follow the window's size
        self.hide()

    def _label(self, name: str, accessible: str) -> QLabel:
        label = plain_label()
        label.setObjectName(name)
        label.setAccessibleName(accessible)
        label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        label.setWordWrap(True)
        return label

    def show_for(self, place: str) -> None:
        """`place` is the venue and checkpoint ("某某医院 · 东门"), nothing about a person."""
        self.place.setText(place)
        self._show_time()
        parent = self.parentWidget()
        if parent is not None:
            self.setGeometry(parent.rect())
        self.tick.start()
        self.raise_()
        self.show()

    def hideEvent(self, event: QHideEvent) -> None:
        self.tick.stop()
        super().hideEvent(event)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        parent = self.parentWidget()
        if watched is parent and event.type() == QEvent.Type.Resize and self.isVisible():
            self.setGeometry(parent.rect())
        return False

    def _show_time(self) -> None:
        now = utcnow().astimezone(LOCAL_TZ)  # China time, like every time the app shows
        date = self.tr("{0}年{1}月{2}日").format(now.year, now.month, now.day)
        self.clock.setText(f"{now:%H:%M}\n{date}")
