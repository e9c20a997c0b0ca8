"""注册场所: a venue owner registers their venue, in two steps.

1. Their mobile number and the SMS code (a demo server shows the code in a banner) — the code
   is checked at once by logging in, so a typo is caught before the long form.
2. The venue's fields (VenueForm). 提交注册 registers it; the owner lands on the workbench as
   初始管理员 of the new venue (ui/venue/admin_flow.py takes it from `registered`).

Leaving at step 2 logs the half-made session out again.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QRegularExpressionValidator
from PySide6.QtWidgets import QFormLayout, QHBoxLayout, QLineEdit, QStackedWidget, QVBoxLayout, QWidget

from shoumen_core.phone import InvalidPhone, normalise_phone
from shoumen_core.schemas import LoginResponse, SmsCodeResponse, VenueOut
from shoumen_gui.i18n import QT_TRANSLATE_NOOP
from shoumen_gui.ops import admin as admin_ops
from shoumen_gui.ops import session as session_ops
from shoumen_gui.services.admin import AdminService
from shoumen_gui.services.api import ApiClient
from shoumen_gui.services.errors import ServiceError
from shoumen_gui.tasks import TaskManager
from shoumen_gui.ui.sms_button import RESEND_SECONDS, SmsCodeButton
from shoumen_gui.ui.venue.forms import VenueForm
from shoumen_gui.ui.widgets import button, error_text, label, set_message

log = logging.getLogger("shoumen.gui.register")

OFFLINE_HINT = QT_TRANSLATE_NOOP("shoumen", "无法连接服务器：注册场所需要联网，请检查网络后重试")


class RegisterPage(QWidget):
    registered = Signal(object, object)  # LoginResponse, VenueOut
    cancelled = Signal()

    def __init__(self, tasks: TaskManager, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("registerPage")
        self.setAccessibleName(self.tr("注册场所"))
        self.tasks = tasks
        self.api: ApiClient | None = None
        self.device_name = ""
        self.login: LoginResponse | None = None

        self.title = label(
            "registerTitle", self.tr("注册场所"), "title", self.tr("注册场所 · 第 1 步（共 2 步）")
        )
        self.title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.steps = QStackedWidget()
        self.steps.setObjectName("registerSteps")
        self.steps.addWidget(self._phone_step())
        self.steps.addWidget(self._venue_step())
        self.message = label("registerMessage", self.tr("注册提示"), "error")

        self.back = button("registerBack", self.tr("返回登录"))
        self.back.clicked.connect(self.cancel)
        self.next = button("registerNext", self.tr("下一步"), role="primary")
        self.next.clicked.connect(self.verify_phone)
        self.submit_button = button("registerSubmit", self.tr("提交注册"), role="primary")
        self.submit_button.clicked.connect(self.submit)
        actions = QHBoxLayout()
        actions.addWidget(self.back)
        actions.addStretch(1)
        actions.addWidget(self.next)
        actions.addWidget(self.submit_button)

        box = QWidget()
        box.setMaximumWidth(720)
        inner = QVBoxLayout(box)
        inner.addWidget(self.title)
        inner.addWidget(self.steps, 1)
        inner.addWidget(self.message)
        inner.addLayout(actions)
        row = QHBoxLayout(self)
        row.addStretch(1)
        row.addWidget(box, 3)
        row.addStretch(1)
        self._show_step(0)

    def _phone_step(self) -> QWidget:
        page = QWidget()
        self.phone = QLineEdit()
        self.phone.setObjectName("registerPhone")
        self.phone.setAccessibleName(self.tr("负责人手机号码"))
        self.phone.setPlaceholderText(self.tr("11 位手机号码，将作为初始管理员账号"))
        self.phone.setMaxLength(20)
        self.get_code = SmsCodeButton("registerGetCode")
        self.get_code.clicked.connect(self.request_code)
        phone_row = QHBoxLayout()
        phone_row.addWidget(self.phone, 1)
        phone_row.addWidget(self.get_code)
        self.code = QLineEdit()
        self.code.setObjectName("registerCode")
        self.code.setAccessibleName(self.tr("短信验证码"))
        self.code.setPlaceholderText(self.tr("6 位验证码"))
        self.code.setMaxLength(8)
        self.code.setValidator(QRegularExpressionValidator(r"[0-9]{0,8}", self.code))
        self.code.returnPressed.connect(self.verify_phone)
        self.demo_banner = label("registerDemoCode", self.tr("演示验证码"), "infoBanner")
        self.demo_banner.hide()
        hint = label(
            "registerPhoneHint",
            self.tr("说明"),
            "hint",
            self.tr("用负责人的手机号注册。注册后，该手机号就是本场所的初始管理员，可以添加子管理员。"),
        )
        form = QFormLayout(page)
        form.addRow(self.tr("手机号码"), phone_row)
        form.addRow(self.tr("验证码"), self.code)
        form.addRow(self.demo_banner)
        form.addRow(hint)
        return page

    def _venue_step(self) -> QWidget:
        self.form = VenueForm("venue")
        return self.form

    # --- public API -------------------------------------------------------------------------

    def start(self, api: ApiClient, device_name: str = "") -> None:
        """A fresh wizard (from the login page's 注册场所)."""
        self.api, self.device_name, self.login = api, device_name, None
        self.phone.clear()
        self.code.clear()
        self.demo_banner.hide()
        self.form.clear()
        set_message(self.message, "")
        self._set_busy(False)
        self._show_step(0)
        self.phone.setFocus()

    @Slot()
    def request_code(self) -> None:
        phone = self._checked_phone()
        if phone is None or self.get_code.counting:
            return
        api = self._require_api()
        self.get_code.setEnabled(False)
        session_ops.request_sms_code(api, phone).success(self._on_code_sent).failure(
            self._on_code_failed
        ).run(self.tasks, self)

    @Slot()
    def verify_phone(self) -> None:
        phone = self._checked_phone()
        if phone is None or not self.next.isEnabled():
            return
        code = self.code.text().strip()
        if len(code) < 4:
            set_message(self.message, self.tr("请输入短信验证码"), "error")
            self.code.setFocus()
            return
        api, device = self._require_api(), self.device_name
        self._set_busy(True)
        session_ops.login(api, phone, code, device).success(self._on_verified).failure(self._on_failed).run(
            self.tasks, self
        )

    @Slot()
    def submit(self) -> None:
        fields = self.form.venue_in()
        if fields is None:
            set_message(self.message, self.tr("请按提示修改标红的内容"), "error")
            return
        admin = AdminService(self._require_api())
        set_message(self.message, self.tr("正在注册…"))
        self._set_busy(True)
        admin_ops.request(lambda: admin.register_venue(fields)).success(self._on_registered).failure(
            self._on_failed
        ).run(self.tasks, self)

    @Slot()
    def cancel(self) -> None:
        """Back to the login page; a session opened at step 1 is closed again."""
        api, logged_in = self.api, self.login is not None
        self.login = None
        if api is not None and logged_in:
            session_ops.log_out(api).run(self.tasks)  # offline: the session expires by itself
        self.get_code.stop_countdown()
        self.cancelled.emit()

    # --- callbacks (GUI thread) ---------------------------------------------------------------

    def _on_code_sent(self, response: SmsCodeResponse) -> None:
        self.get_code.start_countdown(RESEND_SECONDS)
        if response.demo_code:
            self.demo_banner.setText(self.tr("演示验证码：{0}").format(response.demo_code))
            self.demo_banner.show()
            set_message(self.message, "")
        else:
            set_message(self.message, self.tr("验证码已发送，请查看短信"))
        self.code.setFocus()

    def _on_code_failed(self, error: Exception) -> None:
        self.get_code.setEnabled(True)
        set_message(self.message, error_text(error, self.tr(OFFLINE_HINT), None), "error")

    def _on_verified(self, response: LoginResponse) -> None:
        self.login = response
        self._set_busy(False)
        if response.user.is_supervisor:
            set_message(
                self.message,
                self.tr("乡镇街道工作人员请登录后在“代为注册”中为场所负责人注册场所"),
                "error",
            )
            return
        if not self.form.contact_phone.text():
            self.form.contact_phone.setText(normalise_phone(self.phone.text()))
        set_message(self.message, "")
        self._show_step(1)
        self.form.name.setFocus()

    def _on_registered(self, venue: VenueOut) -> None:
        login, self.login = self.login, None
        self._set_busy(False)
        set_message(self.message, self.tr("注册成功：{0}").format(venue.name))
        assert login is not None
        log.info("venue %s registered from the app", venue.id)
        self.registered.emit(login, venue)

    def _on_failed(self, error: Exception) -> None:
        self._set_busy(False)
        if isinstance(error, ServiceError) and self.form.show_server_error(error):
            set_message(self.message, self.tr("请按提示修改标红的内容"), "error")
            return
        set_message(self.message, error_text(error, self.tr(OFFLINE_HINT), None), "error")

    # --- internals --------------------------------------------------------------------------

    def _require_api(self) -> ApiClient:
        if self.api is None:
            raise RuntimeError("the registration page has no API client")
        return self.api

    def _checked_phone(self) -> str | None:
        try:
            return normalise_phone(self.phone.text())
        except InvalidPhone:
            set_message(self.message, self.tr("手机号码应为 11 位大陆手机号，如 13800138000"), "error")
            self.phone.setFocus()
            return None

    def _show_step(self, step: int) -> None:
        self.steps.setCurrentIndex(step)
        self.title.setText(self.tr("注册场所 · 第 {0} 步（共 2 步）").format(step + 1))
        self.next.setVisible(step == 0)
        self.submit_button.setVisible(step == 1)
        self.back.setText(self.tr("返回登录") if step == 0 else self.tr("取消注册"))

    def _set_busy(self, busy: bool) -> None:
        self.next.setEnabled(not busy)
        self.submit_button.setEnabled(not busy)
