"""设备绑定 on the station: the person setting up a kiosk types the owner's code (8 letters and
digits, shown in 场所管理 → 设备 for ten minutes) and the station receives its own credential.

The request runs on a worker; the dialog only says what happened. The code is never logged.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QDialog, QHBoxLayout, QLineEdit, QPushButton, QVBoxLayout, QWidget

from shoumen_core.devices import DeviceCredential
from shoumen_gui.ops import device as device_ops
from shoumen_gui.services.device import DeviceService
from shoumen_gui.services.errors import OfflineError, ServiceError
from shoumen_gui.tasks import TaskManager
from shoumen_gui.ui.plain import plain_label
from shoumen_gui.ui.texts import error_words

log = logging.getLogger("shoumen.gui.device")


class DeviceEnrolDialog(QDialog):
    enrolled = Signal(object)  # DeviceCredential

    def __init__(self, tasks: TaskManager, service: DeviceService, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("deviceEnrolDialog")
        self.setWindowTitle(self.tr("设备绑定"))
        self.setAccessibleName(self.tr("设备绑定"))
        self.tasks, self.service = tasks, service
        self._busy = False

        intro = plain_label(
            self.tr(
                "请场所负责人在“场所管理 → 设备”中为本机所在的检查点新建绑定码，"
                "然后在下面输入（10 分钟内有效，只能使用一次）。绑定后本机以设备身份核验，"
                "无需工作人员短信登录；人工处置时工作人员再登录。"
            )
        )
        intro.setWordWrap(True)
        intro.setObjectName("deviceEnrolIntro")

        self.code = QLineEdit()
        self.code.setObjectName("deviceEnrolCode")
        self.code.setAccessibleName(self.tr("绑定码"))
        self.code.setPlaceholderText(self.tr("8 位绑定码，例如 K7QX-M2PA"))
        self.code.setMaxLength(40)
        self.code.returnPressed.connect(self.submit)

        self.message = plain_label()
        self.message.setObjectName("deviceEnrolMessage")
        self.message.setAccessibleName(self.tr("设备绑定提示"))
        self.message.setWordWrap(True)
        self.message.setProperty("role", "error")

        self.submit_button = QPushButton(self.tr("绑定本机"))
        self.submit_button.setObjectName("deviceEnrolSubmit")
        self.submit_button.setAccessibleName(self.tr("绑定本机"))
        self.submit_button.setProperty("role", "primary")
        self.submit_button.clicked.connect(self.submit)
        cancel = QPushButton(self.tr("取消"))
        cancel.setObjectName("deviceEnrolCancel")
        cancel.setAccessibleName(self.tr("取消"))
        cancel.clicked.connect(self.reject)

        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(cancel)
        buttons.addWidget(self.submit_button)
        self.setMinimumWidth(560)  # the English intro in a few lines, not a column
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.code)
        layout.addWidget(self.message)
        layout.addLayout(buttons)

    def submit(self) -> None:
        if self._busy:
            return
        text = self.code.text()
        self._set_busy(True)
        self._say(self.tr("正在绑定…"))
        service = self.service
        device_ops.enrol(service, text).success(self._on_enrolled).failure(self._on_failed).run(
            self.tasks, self
        )

    def _on_enrolled(self, credential: DeviceCredential) -> None:
        self._set_busy(False)
        log.info("station enrolled as device %d", credential.device_id)
        self.enrolled.emit(credential)
        self.accept()

    def _on_failed(self, error: Exception) -> None:
        self._set_busy(False)
        if not isinstance(error, ServiceError):
            raise error
        if isinstance(error, OfflineError):
            self._say(self.tr("无法连接服务器，请联网后再绑定"))
        else:
            self._say(error_words(error))

    def _say(self, text: str) -> None:
        self.message.setText(text)
        self._fit_height()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit_height()

    def _fit_height(self) -> None:
        """Qt sizes a window without height-for-width: its wrapped labels (the intro, a long
        message) would lose their last lines. Grow the window to what they need at its width."""
        layout = self.layout()
        needed = layout.totalHeightForWidth(self.width()) if layout is not None else -1
        if needed > self.minimumHeight():
            self.setMinimumHeight(needed)

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self.submit_button.setEnabled(not busy)
        self.code.setEnabled(not busy)
        self.code.setFocus(Qt.FocusReason.OtherFocusReason)
