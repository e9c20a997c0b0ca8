"""获取验证码: the button that asks for an SMS code, with its resend countdown.

The server allows one code per phone per minute; the button says how long until the next.
Used by the login page and the venue registration wizard.
"""

from __future__ import annotations

from PySide6.QtCore import QTimer, Slot
from PySide6.QtWidgets import QPushButton, QWidget

RESEND_SECONDS = 60  # the server's minimum interval between two codes for one phone


class SmsCodeButton(QPushButton):
    def __init__(self, object_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(object_name)
        self.setAccessibleName(self.tr("获取验证码"))
        self._remaining = 0
        self._timer = QTimer(self)
        self._timer.setInterval(1000)
        self._timer.timeout.connect(self._tick)
        self._show()

    @property
    def counting(self) -> bool:
        return self._remaining > 0

    def start_countdown(self, seconds: int) -> None:
        self._remaining = seconds
        self._show()
        self._timer.start()

    def stop_countdown(self) -> None:
        self._remaining = 0
        self._show()

    @Slot()
    def _tick(self) -> None:
        self._remaining -= 1
        self._show()

    def _show(self) -> None:
        if self._remaining <= 0:
            self._timer.stop()
            self._remaining = 0
            self.setText(self.tr("获取验证码"))
            self.setEnabled(True)
        else:
            self.setText(self.tr("{0} 秒后重发").format(self._remaining))
            self.setEnabled(False)
