"""场所管理: the owner's screens for one venue — 场所码, 子管理员, 检查点, 核验规则, 设备 — as tabs."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QTabWidget, QVBoxLayout, QWidget

from shoumen_core.schemas import VenueOut, VenueStatus
from shoumen_gui.i18n import QT_TRANSLATE_NOOP
from shoumen_gui.ops import admin as admin_ops
from shoumen_gui.services.admin import AdminService
from shoumen_gui.tasks import TaskManager
from shoumen_gui.ui.texts import unit_type_words
from shoumen_gui.ui.venue.checkpoints import CheckpointsPanel
from shoumen_gui.ui.venue.code_panel import VenueCodePanel
from shoumen_gui.ui.venue.devices import DevicesPanel
from shoumen_gui.ui.venue.policy import PolicyPanel
from shoumen_gui.ui.venue.staff import StaffPanel
from shoumen_gui.ui.widgets import (
    button,
    error_text,
    label,
    name_inner_controls,
    run_online,
    set_message,
)

OFFLINE_HINT = QT_TRANSLATE_NOOP("shoumen", "当前离线：场所管理需要联网，请联网后重试")


class VenueAdminPage(QWidget):
    back_requested = Signal()
    config_changed = Signal()  # checkpoints or policy changed: devices should pull

    def __init__(self, tasks: TaskManager, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("venueAdmin")
        self.setAccessibleName(self.tr("场所管理"))
        self.tasks = tasks
        self.admin: AdminService | None = None
        self.venue: VenueOut | None = None
        self.title = label("venueAdminTitle", self.tr("场所管理"), "title", self.tr("场所管理"))
        self.back = button("venueAdminBack", self.tr("返回核验"))
        self.back.clicked.connect(self.back_requested)
        self.message = label("venueAdminMessage", self.tr("场所管理提示"))
        self.approval = label("venueApprovalStatus", self.tr("审核状态"))
        self.approval.setTextFormat(Qt.TextFormat.PlainText)  # a supervisor typed the reason
        self.approval.hide()
        self.code = VenueCodePanel(tasks)
        self.staff = StaffPanel(tasks)
        self.checkpoints = CheckpointsPanel(tasks)
        self.policy = PolicyPanel(tasks)
        self.devices = DevicesPanel(tasks)  # 设备绑定 (issue 18 §1)
        self.tabs = QTabWidget()
        self.tabs.setObjectName("venueAdminTabs")
        self.tabs.setAccessibleName(self.tr("场所管理分页"))
        self.tabs.addTab(self.code, self.tr("场所码"))
        self.tabs.addTab(self.staff, self.tr("子管理员"))
        self.tabs.addTab(self.checkpoints, self.tr("检查点"))
        self.tabs.addTab(self.policy, self.tr("核验规则"))
        self.tabs.addTab(self.devices, self.tr("设备"))
        self.checkpoints.changed.connect(self._on_checkpoints_changed)
        self.policy.saved.connect(lambda _policy: self.config_changed.emit())
        header = QHBoxLayout()
        header.addWidget(self.title, 1)
        header.addWidget(self.back)
        layout = QVBoxLayout(self)
        layout.addLayout(header)
        layout.addWidget(self.message)
        layout.addWidget(self.approval)
        layout.addWidget(self.tabs, 1)
        name_inner_controls(self)

    def open(self, admin: AdminService, venue_id: int, checkpoint_id: int | None = None) -> None:
        """Load the venue, then every tab (each tab reads its own part). `checkpoint_id`: the
        gate this station checks at (deleting it is said first)."""
        self.admin, self.venue = admin, None
        self.tabs.setCurrentWidget(self.code)
        self.code.clear()
        self.approval.hide()
        set_message(self.message, self.tr("正在读取场所信息…"))
        run_online(self.tasks, self.message, lambda: admin.venue(venue_id), self._on_venue, self._on_failed)
        self.staff.load(admin, venue_id)
        self.checkpoints.in_use_id = checkpoint_id
        self.checkpoints.load(admin, venue_id)
        self.policy.load(admin, venue_id)
        self.devices.load(admin, venue_id)

    def _on_venue(self, venue: VenueOut) -> None:
        self.venue = venue
        self.title.setText(self.tr("场所管理 · {0}").format(venue.name))
        set_message(
            self.message,
            self.tr("{0} · {1} · {2}").format(
                unit_type_words(venue.unit_type), venue.address, venue.township
            ),
        )
        self._show_approval(venue)
        if self.admin is not None:
            self.code.load(self.admin, venue)

    def _show_approval(self, venue: VenueOut) -> None:
        if venue.status is VenueStatus.PENDING:
            text, role = (
                self.tr(
                    "审核状态：待审核。所在乡镇街道审核通过前，本场所不能查询证件信息；"
                    "可以先添加子管理员、打印场所码海报，访客可扫场所码自助登记。"
                ),
                "warningBanner",
            )
        elif venue.status is VenueStatus.REJECTED:
            text, role = (
                self.tr("审核状态：未通过。原因：{0}。请联系所在乡镇街道。").format(
                    venue.status_reason or self.tr("未说明")
                ),
                "warningBanner",
            )
        else:
            text, role = self.tr("审核状态：已通过"), "hint"
        set_message(self.approval, text, role)
        self.approval.show()

    def _on_failed(self, error: Exception) -> None:
        set_message(self.message, error_text(error, self.tr(OFFLINE_HINT), self.admin), "error")

    def _on_checkpoints_changed(self) -> None:
        self.config_changed.emit()
        admin, venue = self.admin, self.venue
        if admin is not None and venue is not None:  # the code tab lists the checkpoints too
            admin_ops.request(lambda: admin.venue(venue.id)).success(self._on_venue).failure(
                self._on_failed
            ).run(self.tasks, self)
