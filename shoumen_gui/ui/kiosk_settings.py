"""设置 → 自助模式: kiosk at start, the idle time, and the PIN that unlocks the kiosk offline.

The page only collects changes (`changes()`); the settings dialog saves them with the rest.
A new PIN is hashed on a worker (kiosk_pin.hash_pin, ~0.05 s) and only the hash leaves the page.
"""

from __future__ import annotations

import logging
from typing import Any

import shiboken6
from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QRegularExpressionValidator
from PySide6.QtWidgets import (
    QCheckBox,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from shoumen_gui.kiosk_pin import InvalidPin, is_valid_pin
from shoumen_gui.ops import kiosk as kiosk_ops
from shoumen_gui.settings import Settings
from shoumen_gui.tasks import TaskManager
from shoumen_gui.ui.plain import plain_label
from shoumen_gui.ui.widgets import set_message

log = logging.getLogger("shoumen.gui.kiosk")

IDLE_MIN_SECONDS = 10
IDLE_MAX_SECONDS = 3600


class KioskSettingsPage(QWidget):
    pin_changed = Signal()  # a new PIN was hashed (on a worker) or the PIN was cleared

    def __init__(self, settings: Settings, tasks: TaskManager, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.tasks = tasks
        self.setObjectName("kioskSettingsPage")
        self.setAccessibleName(self.tr("自助模式设置"))
        self._pin_hash = settings.kiosk_pin_hash

        self.kiosk = QCheckBox(self.tr("启动时进入自助模式"))
        self.kiosk.setObjectName("kioskAtStart")
        self.kiosk.setAccessibleName(self.tr("启动时进入自助模式"))
        self.kiosk.setChecked(settings.kiosk)

        self.idle_seconds = QSpinBox()
        self.idle_seconds.setObjectName("kioskIdleSeconds")
        self.idle_seconds.setAccessibleName(self.tr("无操作多久后显示待机画面（秒）"))
        self.idle_seconds.setRange(IDLE_MIN_SECONDS, IDLE_MAX_SECONDS)
        self.idle_seconds.setSuffix(self.tr(" 秒"))
        self.idle_seconds.setValue(min(max(settings.kiosk_idle_seconds, IDLE_MIN_SECONDS), IDLE_MAX_SECONDS))

        self.pin = self._pin_field("kioskPin", self.tr("新 PIN"))
        self.pin_repeat = self._pin_field("kioskPinRepeat", self.tr("再次输入新 PIN"))
        self.pin_repeat.returnPressed.connect(self.set_pin)
        self.set_pin_button = QPushButton(self.tr("设置 PIN"))
        self.set_pin_button.setObjectName("kioskSetPin")
        self.set_pin_button.setAccessibleName(self.tr("设置 PIN"))
        self.set_pin_button.clicked.connect(self.set_pin)
        self.clear_pin_button = QPushButton(self.tr("清除 PIN"))
        self.clear_pin_button.setObjectName("kioskClearPin")
        self.clear_pin_button.setAccessibleName(self.tr("清除 PIN"))
        self.clear_pin_button.clicked.connect(self.clear_pin)
        self.pin_status = plain_label()
        self.pin_status.setObjectName("kioskPinStatus")
        self.pin_status.setAccessibleName(self.tr("PIN 状态"))
        self.pin_status.setWordWrap(True)
        buttons = QHBoxLayout()
        buttons.addWidget(self.set_pin_button)
        buttons.addWidget(self.clear_pin_button)
        buttons.addStretch(1)

        hint = plain_label(
            self.tr(
                "退出自助模式需要本场所管理人员的手机验证码；设置 PIN 后，离线时也可用 PIN 退出。"
                "PIN 为 4 到 8 位数字，本机只保存其加密摘要。"
            )
        )
        hint.setWordWrap(True)
        hint.setProperty("role", "hint")
        form = QFormLayout()
        form.addRow(self.kiosk)
        form.addRow(self.tr("待机画面"), self.idle_seconds)
        form.addRow(self.tr("新 PIN"), self.pin)
        form.addRow(self.tr("再次输入"), self.pin_repeat)
        form.addRow(buttons)
        form.addRow(self.pin_status)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(hint)
        layout.addStretch(1)
        self._show_pin_state()

    def _pin_field(self, name: str, accessible: str) -> QLineEdit:
        field = QLineEdit()
        field.setObjectName(name)
        field.setAccessibleName(accessible)
        field.setPlaceholderText(self.tr("4 到 8 位数字"))
        field.setEchoMode(QLineEdit.EchoMode.Password)
        field.setMaxLength(8)
        field.setValidator(QRegularExpressionValidator(r"[0-9]{0,8}", field))
        field.setInputMethodHints(Qt.InputMethodHint.ImhDigitsOnly)
        return field

    @property
    def has_pin(self) -> bool:
        return bool(self._pin_hash)

    def changes(self) -> dict[str, Any]:
        """The Settings fields this page edits, with their new values."""
        return {
            "kiosk": self.kiosk.isChecked(),
            "kiosk_idle_seconds": self.idle_seconds.value(),
            "kiosk_pin_hash": self._pin_hash,
        }

    @Slot()
    def set_pin(self) -> None:
        pin, repeat = self.pin.text(), self.pin_repeat.text()
        if not is_valid_pin(pin):
            self._show_status(self.tr(InvalidPin.message), error=True)
            self.pin.setFocus()
            return
        if pin != repeat:
            self._show_status(self.tr("两次输入的 PIN 不一致"), error=True)
            self.pin_repeat.clear()
            self.pin_repeat.setFocus()
            return
        self.pin.clear()
        self.pin_repeat.clear()
        self.set_pin_button.setEnabled(False)  # scrypt takes ~0.05 s: on a worker, not here
        kiosk_ops.hash_pin(pin).success(self._on_pin_hashed).run(self.tasks, self)

    def _on_pin_hashed(self, pin_hash: str) -> None:
        if not shiboken6.isValid(self):  # the dialog closed meanwhile
            return
        self._pin_hash = pin_hash
        self.set_pin_button.setEnabled(True)
        log.info("kiosk PIN set (saved with the settings)")
        self._show_pin_state(self.tr("新 PIN 已设置，保存设置后生效。"))
        self.pin_changed.emit()

    @Slot()
    def clear_pin(self) -> None:
        self._pin_hash = ""
        self.pin.clear()
        self.pin_repeat.clear()
        self._show_pin_state(self.tr("PIN 已清除，保存设置后生效。"))
        self.pin_changed.emit()

    def _show_pin_state(self, note: str = "") -> None:
        state = self.tr("已设置 PIN") if self.has_pin else self.tr("未设置 PIN")
        self._show_status(self.tr("{0}。{1}").format(state, note) if note else state, error=False)
        self.clear_pin_button.setEnabled(self.has_pin)

    def _show_status(self, message: str, *, error: bool) -> None:
        set_message(self.pin_status, message, "error" if error else "hint")
