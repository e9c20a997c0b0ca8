"""USB scanners and ID-card readers that type ("keyboard wedge"), told apart from a person.

An application-wide event filter, active only for key presses aimed at a widget inside the
workbench while it is on screen. Printable keys and Enter go to scanning.WedgeDetector and are
held back; what it releases is delivered again, in order, to the widget that had the focus
(as the original key events, so a form field sees exactly what was typed, a moment late). A
fast burst ending in Enter never reaches the field: `scanned(text)` is emitted instead.
Any other key, a mouse press or an input-method commit first releases what is held, so the
order of a person's typing is always kept (the recipe in scanning/wedge.py).
A scanner gun fires twice when its trigger is pressed twice: the same text again within the
camera's repeat window (scanning.ReadStabiliser, 5 s) is ignored, as the camera ignores a phone
held in view (issue 16 §8: one code made two checks).

The scanning package loads OpenCV; it is imported when the filter is made (the workbench does
that once a station is attached, after importing the package on a worker at start).
"""

from __future__ import annotations

import logging
import math
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import shiboken6
from PySide6.QtCore import QCoreApplication, QElapsedTimer, QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QWidget

if TYPE_CHECKING:
    from shoumen_gui.scanning.stabiliser import ReadStabiliser
    from shoumen_gui.scanning.wedge import WedgeDecision, WedgeDetector

log = logging.getLogger("shoumen.gui.wedge")

_ENTER_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter)
_CHARACTER_MODIFIERS = Qt.KeyboardModifier.ShiftModifier | Qt.KeyboardModifier.KeypadModifier
_FLUSH_EVENTS = (QEvent.Type.MouseButtonPress, QEvent.Type.InputMethod, QEvent.Type.FocusAboutToChange)


@dataclass(frozen=True)
class HeldKey:
    """Enough of a swallowed key press to deliver it again."""

    key: int
    modifiers: Qt.KeyboardModifier
    text: str


class WedgeFilter(QObject):
    """Install with `install()`; `scanned(text)` for every burst that was a scan."""

    scanned = Signal(str)

    def __init__(
        self,
        root: QWidget,
        *,
        detector: WedgeDetector | None = None,
        clock: Callable[[], float] | None = None,
    ) -> None:
        from shoumen_gui.scanning.stabiliser import ReadStabiliser
        from shoumen_gui.scanning.wedge import ENTER, WedgeDetector

        super().__init__(root)
        self.root = root
        self.enter = ENTER
        self.detector = detector or WedgeDetector()
        self.enabled = True
        self._elapsed = QElapsedTimer()
        self._elapsed.start()
        self.clock = clock or (lambda: float(self._elapsed.elapsed()))  # ms; tests set a fake one
        self.repeats: ReadStabiliser = ReadStabiliser(required=1)  # one read per code, as the camera
        self._held: deque[HeldKey] = deque()
        self._target: QWidget | None = None
        self._replaying = False
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._on_timeout)
        self._installed = False

    def install(self) -> None:
        app = QCoreApplication.instance()
        if app is not None and not self._installed:
            app.installEventFilter(self)
            self._installed = True

    def uninstall(self) -> None:
        self.flush()
        app = QCoreApplication.instance()
        if app is not None and self._installed:
            app.removeEventFilter(self)
            self._installed = False

    @property
    def pending(self) -> bool:
        return self.detector.pending

    # --- the filter -----------------------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if self._replaying or not self.enabled:
            return False
        if kind == QEvent.Type.KeyPress:
            if not isinstance(watched, QWidget) or not self._covers(watched):
                return False
            assert isinstance(event, QKeyEvent)
            return self._on_key(watched, event)
        if kind in _FLUSH_EVENTS and self.detector.pending:
            self.flush()
        return False

    def _covers(self, widget: QWidget) -> bool:
        root = self.root
        if not root.isVisible():
            return False
        if widget is root or root.isAncestorOf(widget):
            return True
        # No focus widget: key presses go to the top-level window holding the workbench.
        return widget is root.window() and QApplication.focusWidget() is None

    def _on_key(self, target: QWidget, event: QKeyEvent) -> bool:
        key = event.key()
        text = event.text()
        modifiers = event.modifiers()
        if modifiers & ~_CHARACTER_MODIFIERS or event.isAutoRepeat():
            self.flush()  # a shortcut or a held key: a person, and it must stay in order
            return False
        if key in _ENTER_KEYS:
            character = self.enter
        elif text and text.isprintable():
            character = text
        else:
            self.flush()  # Backspace, arrows, Tab ...: release first, then let it through
            return False
        if self._target is not target:
            self.flush()
            self._target = target
        if character != self.enter:
            self._held.append(HeldKey(int(key), modifiers, text))
        decision = self.detector.feed(character, self.clock())
        self._apply(decision, enter=HeldKey(int(key), modifiers, text))
        return True

    # --- releasing ------------------------------------------------------------------------------

    def flush(self) -> None:
        """Deliver every held key now."""
        self._timer.stop()
        self._deliver(self.detector.flush(), enter=None)

    def _on_timeout(self) -> None:
        decision = self.detector.timeout(self.clock())
        self._apply(decision, enter=None)

    def _apply(self, decision: WedgeDecision, *, enter: HeldKey | None) -> None:
        self._deliver(decision.passthrough, enter=enter)
        if decision.scan is not None:
            self._held.clear()
            self._timer.stop()
            if not self.repeats.observe([decision.scan], now=self.clock() / 1000):
                log.info("wedge scan repeated within %.0f s: ignored", self.repeats.repeat_window)
                return
            log.info("wedge scan of %d characters", len(decision.scan))
            self.scanned.emit(decision.scan)
            return
        deadline = self.detector.deadline_ms
        if deadline is not None:
            self._timer.start(max(1, math.ceil(deadline - self.clock())))
        else:
            self._timer.stop()

    def _deliver(self, keys: tuple[str, ...], *, enter: HeldKey | None) -> None:
        target = self._target
        if target is not None and not shiboken6.isValid(target):
            target = self._target = None  # the field was deleted while keys were held
        events: list[HeldKey] = []
        for key in keys:
            if key == self.enter:
                events.append(enter or HeldKey(int(Qt.Key.Key_Return), Qt.KeyboardModifier.NoModifier, "\r"))
            elif self._held:
                events.append(self._held.popleft())
        if target is None or not events:
            return
        self._replaying = True
        try:
            for held in events:
                for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
                    QCoreApplication.sendEvent(target, QKeyEvent(kind, held.key, held.modifiers, held.text))
        finally:
            self._replaying = False
