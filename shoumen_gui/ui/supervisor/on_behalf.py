"""代为注册: a township supervisor registers a venue for an owner who has no smartphone.

The owner's name and phone, then the venue's fields (the same VenueForm as the owner's own
wizard; the region is the supervisor's and fixed). The owner takes the venue over by logging
in with that phone; meanwhile the supervisor can print the venue-code poster for them.
"""

from __future__ import annotations

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import QHBoxLayout, QScrollArea, QVBoxLayout, QWidget

from shoumen_core.phone import mask_phone
from shoumen_core.schemas import VenueOnBehalfIn, VenueOut
from shoumen_gui.i18n import QT_TRANSLATE_NOOP
from shoumen_gui.services.admin import AdminService
from shoumen_gui.services.errors import ServiceError
from shoumen_gui.tasks import TaskManager
from shoumen_gui.ui.venue.code_panel import VenueCodePanel
from shoumen_gui.ui.venue.forms import VenueForm
from shoumen_gui.ui.widgets import button, error_text, label, run_online, set_message

OFFLINE_HINT = QT_TRANSLATE_NOOP("shoumen", "当前离线：代为注册需要联网，请联网后重试")


class OnBehalfPanel(QWidget):
    registered = Signal(object)  # VenueOut

    def __init__(self, tasks: TaskManager, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("onBehalfPanel")
        self.setAccessibleName(self.tr("代为注册场所"))
        self.tasks = tasks
        self.admin: AdminService | None = None
        self.form = VenueForm("onBehalf")
        self.owner_name = self.form.add_field(
            "owner_name", self.tr("负责人姓名"), self.tr("场所负责人的真实姓名"), 50, row=0
        )
        self.owner_phone = self.form.add_field(
            "owner_phone", self.tr("负责人手机号"), self.tr("负责人首次用该号码登录即接管场所"), 20, row=1
        )
        self.submit_button = button("onBehalfSubmit", self.tr("代为注册"), role="primary")
        self.submit_button.clicked.connect(self.submit)
        self.again = button("onBehalfAgain", self.tr("再注册一个场所"))
        self.again.clicked.connect(self.reset)
        self.again.hide()
        self.message = label("onBehalfMessage", self.tr("代为注册提示"))
        self.code = VenueCodePanel(tasks, prefix="onBehalfCode")
        self.code.hide()
        inner = QWidget()
        column = QVBoxLayout(inner)
        column.addWidget(
            label(
                "onBehalfHint",
                self.tr("说明"),
                "hint",
                self.tr("为没有智能手机的场所负责人注册场所。注册后可直接为其打印场所码海报。"),
            )
        )
        column.addWidget(self.form)
        column.addWidget(self.message)
        actions = QHBoxLayout()
        actions.addStretch(1)
        actions.addWidget(self.again)
        actions.addWidget(self.submit_button)
        column.addLayout(actions)
        column.addWidget(self.code)
        column.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(inner)
        QVBoxLayout(self).addWidget(scroll)

    def start(self, admin: AdminService, region_code: str) -> None:
        self.admin = admin
        self.form.region.setText(region_code)
        self.form.region.setReadOnly(True)  # a supervisor registers venues of their own region
        self.reset()

    @Slot()
    def reset(self) -> None:
        self.form.clear()
        self.owner_name.clear()
        self.owner_phone.clear()
        self.code.clear()
        self.code.hide()
        self.again.hide()
        self.submit_button.setEnabled(True)
        set_message(self.message, "")

    def venue_on_behalf(self) -> VenueOnBehalfIn | None:
        fields = self.form.venue_in()  # clears and shows the venue fields' messages
        owner = self.form.check_text("owner_name", self.owner_name, self.tr("请填写负责人姓名"), 50)
        phone = self.form.check_phone(
            "owner_phone", self.owner_phone, self.tr("负责人手机号应为 11 位大陆手机号")
        )
        if fields is None or owner is None or phone is None:
            return None
        return VenueOnBehalfIn(**fields.model_dump(), owner_name=owner, owner_phone=phone)

    @Slot()
    def submit(self) -> None:
        body = self.venue_on_behalf()
        if body is None:
            set_message(self.message, self.tr("请按提示修改标红的内容"), "error")
            return
        if self.admin is None:
            return
        admin = self.admin
        self.submit_button.setEnabled(False)
        set_message(self.message, self.tr("正在注册…"))
        run_online(
            self.tasks,
            self.message,
            lambda: admin.register_on_behalf(body),
            lambda venue: self._on_registered(body, venue),
            self._on_failed,
        )

    def _on_registered(self, body: VenueOnBehalfIn, venue: VenueOut) -> None:
        set_message(
            self.message,
            self.tr(
                "已为 {0} 注册“{1}”。负责人用手机号 {2} 登录即可接管。可在下方为其打印场所码海报。"
            ).format(body.owner_name, venue.name, mask_phone(body.owner_phone)),
        )
        self.again.show()
        assert self.admin is not None
        self.code.load(self.admin, venue)
        self.code.show()
        self.registered.emit(venue)

    def _on_failed(self, error: Exception) -> None:
        self.submit_button.setEnabled(True)
        if isinstance(error, ServiceError) and self.form.show_server_error(error):
            set_message(self.message, self.tr("请按提示修改标红的内容"), "error")
            return
        set_message(self.message, error_text(error, self.tr(OFFLINE_HINT), self.admin), "error")
