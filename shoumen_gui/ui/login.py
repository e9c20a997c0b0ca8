"""Log in with a phone number and an SMS code.

In demo mode (the embedded backend) no SMS is sent; the server hands the code back and the
page shows it in a banner ("演示验证码：123456"). Every server error is shown in Chinese as
the server worded it; nothing here matches on error text.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QRegularExpressionValidator
from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from shoumen_core.phone import InvalidPhone, normalise_phone
from shoumen_core.schemas import LoginResponse, SmsCodeResponse
from shoumen_gui.i18n import QT_TRANSLATE_NOOP
from shoumen_gui.ops import session as session_ops
from shoumen_gui.services.api import ApiClient
from shoumen_gui.services.errors import ServiceError
from shoumen_gui.tasks import TaskManager
from shoumen_gui.ui.plain import plain_label
from shoumen_gui.ui.sms_button import RESEND_SECONDS, SmsCodeButton
from shoumen_gui.ui.texts import error_words
from shoumen_gui.ui.widgets import set_message

log = logging.getLogger("shoumen.gui.login")


DEMO_ROLES: dict[str, str] = {
    "guard": QT_TRANSLATE_NOOP("shoumen", "保安"),
    "admin": QT_TRANSLATE_NOOP("shoumen", "管理员"),
    "supervisor": QT_TRANSLATE_NOOP("shoumen", "监管人员"),
}


class LoginPage(QWidget):
    logged_in = Signal(object)  # LoginResponse
    register_requested = Signal()  # 注册场所: a new venue owner
    enrol_requested = Signal()  # 设备绑定: a station enrols with an owner's code (ui/device_flow.py)

    def __init__(
        self,
        tasks: TaskManager,
        api: ApiClient | None = None,
        *,
        device_name: str = "",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("loginPage")
        self.setAccessibleName(self.tr("登录"))
        self.tasks = tasks
        self.api = api
        self.demo_code: str | None = None  # the last code a demo server handed back
        self.device_name = device_name
        self._busy = False
        self.resend_seconds = RESEND_SECONDS
        self._build()
        self._connect()

    def _build(self) -> None:
        """The widgets and layouts (signals: _connect)."""
        title = plain_label(self.tr("守小门 · 登录"))
        title.setObjectName("loginTitle")
        title.setProperty("role", "title")
        title.setAlignment(Qt.AlignmentFlag.AlignCenter)

        self.phone = QLineEdit()
        self.phone.setObjectName("loginPhone")
        self.phone.setAccessibleName(self.tr("手机号码"))
        self.phone.setPlaceholderText(self.tr("11 位手机号码"))
        self.phone.setMaxLength(13)
        self.phone.setInputMethodHints(Qt.InputMethodHint.ImhDialableCharactersOnly)
        self.get_code = SmsCodeButton("loginGetCode")
        phone_row = QHBoxLayout()
        phone_row.addWidget(self.phone, 1)
        phone_row.addWidget(self.get_code)

        self.code = QLineEdit()
        self.code.setObjectName("loginCode")
        self.code.setAccessibleName(self.tr("短信验证码"))
        self.code.setPlaceholderText(self.tr("6 位验证码"))
        self.code.setMaxLength(8)
        self.code.setValidator(QRegularExpressionValidator(r"[0-9]{0,8}", self.code))

        self.demo_banner = plain_label()
        self.demo_banner.setObjectName("demoCodeBanner")
        self.demo_banner.setAccessibleName(self.tr("演示验证码"))
        self.demo_banner.setProperty("role", "infoBanner")
        self.demo_banner.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.demo_banner.hide()

        self.demo_accounts = plain_label()
        self.demo_accounts.setObjectName("demoAccountsHint")
        self.demo_accounts.setAccessibleName(self.tr("演示账号"))
        self.demo_accounts.setProperty("role", "hint")
        self.demo_accounts.setWordWrap(True)
        self.demo_accounts.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.demo_accounts.hide()

        self.error = plain_label()
        self.error.setObjectName("loginError")
        self.error.setAccessibleName(self.tr("登录提示"))
        self.error.setProperty("role", "error")
        self.error.setWordWrap(True)

        self.submit_button = QPushButton(self.tr("登录"))
        self.submit_button.setObjectName("loginSubmit")
        self.submit_button.setAccessibleName(self.tr("登录"))
        self.submit_button.setProperty("role", "primary")

        self.register_link = QPushButton(self.tr("还没有场所？注册场所"))
        self.register_link.setObjectName("loginRegister")
        self.register_link.setAccessibleName(self.tr("注册场所"))
        self.register_link.setFlat(True)
        self.enrol_link = QPushButton(self.tr("设备绑定（自助核验机）"))
        self.enrol_link.setObjectName("loginDeviceEnrol")
        self.enrol_link.setAccessibleName(self.tr("设备绑定"))
        self.enrol_link.setFlat(True)

        form = QFormLayout()
        form.addRow(self.tr("手机号码"), phone_row)
        form.addRow(self.tr("验证码"), self.code)

        box = QWidget()
        box.setObjectName("loginBox")
        box.setMaximumWidth(560)
        inner = QVBoxLayout(box)
        inner.addWidget(title)
        inner.addLayout(form)
        inner.addWidget(self.demo_banner)
        inner.addWidget(self.error)
        inner.addWidget(self.submit_button)
        inner.addWidget(self.register_link, 0, Qt.AlignmentFlag.AlignRight)
        inner.addWidget(self.enrol_link, 0, Qt.AlignmentFlag.AlignRight)
        inner.addWidget(self.demo_accounts)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(box, 2)
        row.addStretch(1)
        outer = QVBoxLayout(self)
        outer.addStretch(1)
        outer.addLayout(row)
        outer.addStretch(2)

    def _connect(self) -> None:
        self.get_code.clicked.connect(self.request_code)
        self.code.returnPressed.connect(self.submit)
        self.submit_button.clicked.connect(self.submit)
        self.register_link.clicked.connect(self.register_requested)
        self.enrol_link.clicked.connect(self.enrol_requested)

    # --- public API ------------------------------------------------------------------------

    def set_api(self, api: ApiClient) -> None:
        self.api = api

    def set_demo_accounts(self, accounts: list[tuple[str, str, str, str]]) -> None:
        """The demo's phone numbers, so a person trying the app knows what to type."""
        lines = [
            f"{phone}  " + self.tr("{0}（{1} {2}）").format(name, place, self.tr(DEMO_ROLES.get(role, role)))
            for phone, name, place, role in accounts
        ]
        self.demo_accounts.setText(self.tr("演示账号（任选其一）：") + "\n" + "\n".join(lines))
        self.demo_accounts.setVisible(bool(accounts))

    def reset(self, message: str = "") -> None:
        """Back to an empty form (after logout or an expired session)."""
        self.code.clear()
        self.demo_banner.hide()
        self.demo_banner.clear()
        self.error.setText(message)
        self._set_busy(False)
        self.phone.setFocus()

    @Slot()
    def request_code(self) -> None:
        phone = self._checked_phone()
        if phone is None or self.get_code.counting:
            return
        self.error.clear()
        self.get_code.setEnabled(False)
        api = self._require_api()
        session_ops.request_sms_code(api, phone).success(self._on_code_sent).failure(
            self._on_code_failed
        ).run(self.tasks, self)

    @Slot()
    def submit(self) -> None:
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
        self.error.clear()
        self._set_busy(True)
        api, device = self._require_api(), self.device_name
        session_ops.login(api, phone, code, device).success(self._on_logged_in).failure(
            self._on_login_failed
        ).run(self.tasks, self)

    # --- callbacks (GUI thread) --------------------------------------------------------------

    def _on_code_sent(self, response: SmsCodeResponse) -> None:
        self.get_code.start_countdown(self.resend_seconds)
        self.demo_code = response.demo_code
        if response.demo_code:
            self.demo_banner.setText(self.tr("演示验证码：{0}").format(response.demo_code))
            self.demo_banner.show()
        else:
            self.demo_banner.hide()
            self.error.setText(self.tr("验证码已发送，请查看短信"))
            self.error.setProperty("role", "info")
        self.code.setFocus()

    def _on_code_failed(self, error: Exception) -> None:
        self._raise_unless_service_error(error)
        assert isinstance(error, ServiceError)
        self.get_code.setEnabled(True)
        self._show_error(error_words(error))

    def _on_logged_in(self, response: LoginResponse) -> None:
        self._set_busy(False)
        self.code.clear()
        self.demo_banner.hide()
        self.demo_banner.clear()
        self.logged_in.emit(response)

    def _on_login_failed(self, error: Exception) -> None:
        self._raise_unless_service_error(error)
        assert isinstance(error, ServiceError)
        self._set_busy(False)
        self._show_error(error_words(error))
        self.code.selectAll()
        self.code.setFocus()

    # --- internals --------------------------------------------------------------------------

    def _require_api(self) -> ApiClient:
        if self.api is None:
            raise RuntimeError("the login page has no API client yet")
        return self.api

    def _checked_phone(self) -> str | None:
        try:
            return normalise_phone(self.phone.text())
        except InvalidPhone as exc:
            self._show_error(self.tr(exc.message))
            self.phone.setFocus()
            return None

    def _show_error(self, message: str) -> None:
        set_message(self.error, message, "error")

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self.submit_button.setEnabled(not busy)
        self.submit_button.setText(self.tr("正在登录…") if busy else self.tr("登录"))

    @staticmethod
    def _raise_unless_service_error(error: Exception) -> None:
        if not isinstance(error, ServiceError):
            raise error  # a bug: to the crash handler
