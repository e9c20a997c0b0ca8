"""退出自助模式: a manager of the venue unlocks the kiosk — phone + SMS code, or the PIN.

The phone way logs the person in on a separate, temporary API client (the station's own
session stays as it is), asks /me whether they hold an authorised membership of this venue
(owner or staff), and logs that temporary session out again. It needs the server; offline,
only the PIN works (a salted hash in the settings, see kiosk_pin.py; five wrong tries lock it
for a minute). Every network call and the PIN hash run on workers. The phone, the code and
the PIN are never logged. The requests and the PIN check are operations (ops/kiosk.py).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QRegularExpressionValidator
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from shoumen_core.phone import InvalidPhone, normalise_phone
from shoumen_core.schemas import SmsCodeResponse
from shoumen_gui.i18n import QT_TRANSLATE_NOOP
from shoumen_gui.kiosk_pin import PinAttempts
from shoumen_gui.ops import kiosk as kiosk_ops
from shoumen_gui.ops.kiosk import MSG_NOT_MANAGER as MSG_NOT_MANAGER  # the words tests and callers read
from shoumen_gui.ops.kiosk import NotVenueManager
from shoumen_gui.services.errors import OfflineError, ServiceError
from shoumen_gui.services.tls import Verify
from shoumen_gui.tasks import TaskManager
from shoumen_gui.ui.plain import plain_label
from shoumen_gui.ui.sms_button import RESEND_SECONDS, SmsCodeButton
from shoumen_gui.ui.texts import error_words
from shoumen_gui.ui.widgets import set_message

log = logging.getLogger("shoumen.gui.kiosk")

MSG_OFFLINE = QT_TRANSLATE_NOOP("shoumen", "离线时请使用 PIN 退出")
UNLOCK_DEVICE_SUFFIX = QT_TRANSLATE_NOOP("shoumen", "（退出自助模式）")


class UnlockDialog(QDialog):
    unlocked = Signal(str)  # "sms" or "pin": how the manager proved it

    def __init__(
        self,
        tasks: TaskManager,
        *,
        base_url: str | None,
        venue_id: int,
        device_name: str,
        pin_hash: str,
        attempts: PinAttempts,
        verify: Verify = True,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("kioskUnlockDialog")
        self.setWindowTitle(self.tr("退出自助模式"))
        self.setAccessibleName(self.tr("退出自助模式"))
        self.setModal(True)
        self.tasks = tasks
        self.base_url, self.venue_id = base_url, venue_id
        self.verify = verify  # the CA the app trusts for its server (services/tls.py)
        self.device_name = (device_name + UNLOCK_DEVICE_SUFFIX).strip()
        self.pin_hash, self.attempts = pin_hash, attempts
        self.demo_code: str | None = None  # what a demo server handed back (never shown here)
        self._busy = False

        intro = plain_label(self.tr("请本场所的管理人员验证身份后退出自助模式。"))
        intro.setWordWrap(True)
        self.phone = self._field("kioskUnlockPhone", self.tr("管理人员手机号码"), self.tr("11 位手机号码"))
        self.phone.setMaxLength(13)
        self.phone.ensurePolished()  # the style sheet's (type-scaled) font, then room for 13 digits
        self.phone.setMinimumWidth(self.phone.fontMetrics().horizontalAdvance("0" * 13) + 32)
        self.get_code = SmsCodeButton("kioskUnlockGetCode")
        self.get_code.clicked.connect(self.request_code)
        phone_row = QHBoxLayout()
        phone_row.addWidget(self.phone, 1)
        phone_row.addWidget(self.get_code)
        self.code = self._field("kioskUnlockCode", self.tr("短信验证码"), self.tr("6 位验证码"))
        self.code.setMaxLength(8)
        self.code.setValidator(QRegularExpressionValidator(r"[0-9]{0,8}", self.code))
        self.code.returnPressed.connect(self.submit_code)
        self.code_submit = self._button("kioskUnlockSubmit", self.tr("验证并退出"), self.submit_code)
        self.code_submit.setProperty("role", "primary")
        phone_box = QGroupBox(self.tr("手机验证码"))
        phone_form = QFormLayout(phone_box)
        phone_form.addRow(self.tr("手机号码"), phone_row)
        phone_form.addRow(self.tr("验证码"), self.code)
        phone_form.addRow(self.code_submit)

        self.pin = self._field("kioskUnlockPin", self.tr("自助模式 PIN"), self.tr("4 到 8 位数字"))
        self.pin.setEchoMode(QLineEdit.EchoMode.Password)
        self.pin.setMaxLength(8)
        self.pin.setValidator(QRegularExpressionValidator(r"[0-9]{0,8}", self.pin))
        self.pin.returnPressed.connect(self.submit_pin)
        self.pin_submit = self._button("kioskUnlockPinSubmit", self.tr("用 PIN 退出"), self.submit_pin)
        self.pin_box = QGroupBox(self.tr("PIN"))
        pin_form = QFormLayout(self.pin_box)
        pin_form.addRow(self.tr("PIN"), self.pin)
        pin_form.addRow(self.pin_submit)
        self.pin_box.setVisible(bool(pin_hash))

        self.error = plain_label()
        self.error.setObjectName("kioskUnlockError")
        self.error.setAccessibleName(self.tr("验证提示"))
        self.error.setProperty("role", "error")
        self.error.setWordWrap(True)
        self.cancel = self._button("kioskUnlockCancel", self.tr("取消"), self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(phone_box)
        layout.addWidget(self.pin_box)
        layout.addWidget(self.error)
        layout.addWidget(self.cancel, 0, Qt.AlignmentFlag.AlignRight)
        self.resize(max(520, self.sizeHint().width()), self.sizeHint().height())

    def _field(self, name: str, accessible: str, placeholder: str) -> QLineEdit:
        field = QLineEdit()
        field.setObjectName(name)
        field.setAccessibleName(accessible)
        field.setPlaceholderText(placeholder)
        field.setInputMethodHints(Qt.InputMethodHint.ImhDigitsOnly)
        return field

    def _button(self, name: str, text: str, slot: Callable[[], object]) -> QPushButton:
        button = QPushButton(text)
        button.setObjectName(name)
        button.setAccessibleName(text)
        button.setAutoDefault(False)
        button.clicked.connect(slot)
        return button

    # --- phone + SMS code --------------------------------------------------------------------

    @Slot()
    def request_code(self) -> None:
        phone = self._checked_phone()
        if phone is None or self.get_code.counting:
            return
        if self.base_url is None:
            self._show_error(self.tr(MSG_OFFLINE))
            return
        self.error.clear()
        self.get_code.setEnabled(False)
        base_url, verify = self.base_url, self.verify
        kiosk_ops.request_unlock_code(base_url, phone, verify).success(self._on_code_sent).failure(
            self._on_code_failed
        ).run(self.tasks, self)

    @Slot()
    def submit_code(self) -> None:
        if self._busy:
            return
        phone = self._checked_phone()
        if phone is None:
            return
        code = self.code.text().strip()
        if len(code) < 4:
            self._show_error(self.tr("请输入短信验证码"))
            self.code.setFocus()
            return
        if self.base_url is None:
            self._show_error(self.tr(MSG_OFFLINE))
            return
        self._set_busy(True)
        base_url, device, venue_id, verify = self.base_url, self.device_name, self.venue_id, self.verify
        kiosk_ops.verify_venue_manager(base_url, phone, code, device, venue_id, verify).success(
            lambda _: self._on_verified("sms")
        ).failure(self._on_code_rejected).run(self.tasks, self)

    def _on_code_sent(self, response: SmsCodeResponse) -> None:
        self.get_code.start_countdown(RESEND_SECONDS)
        self.demo_code = response.demo_code
        self._show_error(self.tr("验证码已发送，请查看短信"), role="info")
        self.code.setFocus()

    def _on_code_failed(self, error: Exception) -> None:
        self.get_code.setEnabled(True)
        self._show_service_error(error)

    def _on_code_rejected(self, error: Exception) -> None:
        self._set_busy(False)
        self.code.clear()
        self._show_service_error(error)
        if isinstance(error, NotVenueManager):
            log.info("kiosk unlock refused: not a manager of this venue")

    # --- PIN ---------------------------------------------------------------------------------

    @Slot()
    def submit_pin(self) -> None:
        if self._busy or not self.pin_hash:
            return
        pin, stored = self.pin.text(), self.pin_hash
        self.pin.clear()
        locked = self.attempts.seconds_locked()
        if locked:
            self._show_error(self.tr("PIN 错误次数过多，请 {0} 秒后再试").format(locked))
            return
        self._set_busy(True)
        kiosk_ops.verify_pin(pin, stored).success(self._on_pin_checked).run(self.tasks, self)

    def _on_pin_checked(self, ok: bool) -> None:
        self._set_busy(False)
        self.attempts.record(ok)
        if ok:
            self._on_verified("pin")
            return
        log.info("kiosk unlock: wrong PIN")
        locked = self.attempts.seconds_locked()
        if locked:
            self._show_error(self.tr("PIN 错误次数过多，请 {0} 秒后再试").format(locked))
        else:
            self._show_error(self.tr("PIN 错误，还可尝试 {0} 次").format(self.attempts.tries_left))
        self.pin.setFocus()

    # --- common -------------------------------------------------------------------------------

    def _on_verified(self, how: str) -> None:
        self._set_busy(False)
        log.info("kiosk unlocked (%s)", how)
        self.unlocked.emit(how)
        self.accept()

    def _show_service_error(self, error: Exception) -> None:
        if not isinstance(error, ServiceError):
            raise error  # a bug: to the crash handler
        self._show_error(self.tr(MSG_OFFLINE) if isinstance(error, OfflineError) else error_words(error))

    def _checked_phone(self) -> str | None:
        try:
            return normalise_phone(self.phone.text())
        except InvalidPhone as exc:
            self._show_error(self.tr(exc.message))
            self.phone.setFocus()
            return None

    def _show_error(self, message: str, role: str = "error") -> None:
        set_message(self.error, message, role)

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self.code_submit.setEnabled(not busy)
        self.pin_submit.setEnabled(not busy)

    def done(self, result: int) -> None:
        """Whatever the outcome, nothing typed stays in the widgets."""
        for field in (self.phone, self.code, self.pin):
            field.clear()
        super().done(result)
