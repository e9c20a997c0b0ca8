"""待审核场所: the region's venues that owners registered themselves and that wait for the
supervisor (issue 13 §1). Until approved, the server refuses their ID lookups and full
details. 通过 approves after a confirmation; 不通过 asks for a reason the owner will read.
Everything goes through the task manager: the GUI thread never waits for the server."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from shoumen_core.schemas import MAX_REJECT_REASON, PendingVenueOut, VenueOut
from shoumen_gui.i18n import QT_TRANSLATE_NOOP
from shoumen_gui.services.admin import AdminService
from shoumen_gui.tasks import TaskManager
from shoumen_gui.ui.supervisor.models import _DISPLAY, RowsTable, VenueIdRole, local_time
from shoumen_gui.ui.texts import unit_type_words
from shoumen_gui.ui.widgets import button, confirm, error_text, label, run_online, set_message, tr

OFFLINE_HINT = QT_TRANSLATE_NOOP("shoumen", "当前离线：审核场所需要联网，请联网后重试")


class PendingVenuesModel(RowsTable):
    """One row per venue waiting for a decision, oldest first (the server's order)."""

    HEADERS = (
        QT_TRANSLATE_NOOP("shoumen", "场所"),
        QT_TRANSLATE_NOOP("shoumen", "类型"),
        QT_TRANSLATE_NOOP("shoumen", "地址"),
        QT_TRANSLATE_NOOP("shoumen", "负责人"),
        QT_TRANSLATE_NOOP("shoumen", "负责人手机"),
        QT_TRANSLATE_NOOP("shoumen", "注册时间"),
    )

    rows: list[PendingVenueOut]

    def _data(self, row: int, column: int, role: int) -> Any:
        venue = self.rows[row]
        if role == VenueIdRole:
            return venue.id
        if role not in _DISPLAY:
            return None
        return (
            venue.name,
            unit_type_words(venue.unit_type),
            venue.address,
            venue.owner_name or tr("（未填写）"),
            venue.owner_phone_masked,
            local_time(venue.created_at, "%Y-%m-%d %H:%M"),
        )[column]


class RejectDialog(QDialog):
    """不通过: the reason is required (1–200 characters) and shown to the owner."""

    submitted = Signal(str)

    def __init__(self, venue_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("rejectVenueDialog")
        self.setWindowTitle(self.tr("不通过审核"))
        self.setAccessibleName(self.tr("不通过审核"))
        title = label("rejectVenueName", self.tr("场所"), "", self.tr("场所：{0}").format(venue_name))
        title.setTextFormat(Qt.TextFormat.PlainText)  # an owner typed the name
        self.reason = QLineEdit()
        self.reason.setObjectName("rejectReason")
        self.reason.setAccessibleName(self.tr("不通过原因"))
        self.reason.setPlaceholderText(self.tr("请填写原因（场所负责人会看到），如：营业执照与场所名称不符"))
        self.reason.setMaxLength(MAX_REJECT_REASON)
        self.message = label("rejectMessage", self.tr("不通过提示"))
        self.confirm_button = button("rejectConfirm", self.tr("不通过"))
        self.confirm_button.clicked.connect(self._submit)
        self.cancel_button = button("rejectCancel", self.tr("取消"))
        self.cancel_button.clicked.connect(self.reject)
        actions = QHBoxLayout()
        actions.addStretch(1)
        actions.addWidget(self.cancel_button)
        actions.addWidget(self.confirm_button)
        # Wide enough that the placeholder and the message fit on one line in English too.
        self.setMinimumWidth(560)
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(self.reason)
        layout.addWidget(self.message)
        layout.addLayout(actions)

    @Slot()
    def _submit(self) -> None:
        reason = self.reason.text().strip()
        if not reason:
            set_message(self.message, self.tr("请填写不通过的原因"), "error")
            return
        self.submitted.emit(reason)
        self.accept()


class PendingVenuesPanel(QWidget):
    loaded = Signal()  # the queue is shown
    decided = Signal(object)  # VenueOut: approved or rejected

    def __init__(self, tasks: TaskManager, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("pendingVenuesPanel")
        self.setAccessibleName(self.tr("待审核场所"))
        self.tasks = tasks
        self.admin: AdminService | None = None
        self.region = ""
        self.reject_dialog: RejectDialog | None = None
        self.model = PendingVenuesModel(self)
        self.table = QTableView()
        self.table.setObjectName("pendingVenuesTable")
        self.table.setAccessibleName(self.tr("待审核场所表"))
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.verticalHeader().hide()
        self.table.selectionModel().selectionChanged.connect(self._update_buttons)
        self.count = label("pendingCount", self.tr("待审核数量"))
        self.message = label("pendingMessage", self.tr("审核提示"))
        self.message.setTextFormat(Qt.TextFormat.PlainText)  # carries venue names
        self.refresh_button = button("pendingRefresh", self.tr("刷新"))
        self.refresh_button.clicked.connect(self.refresh)
        self.approve_button = button("pendingApprove", self.tr("通过"), role="primary")
        self.approve_button.clicked.connect(self.ask_approve)
        self.reject_button = button("pendingReject", self.tr("不通过"))
        self.reject_button.clicked.connect(self.ask_reject)
        hint = label(
            "pendingHint",
            self.tr("说明"),
            "hint",
            self.tr(
                "场所负责人自行注册的场所需经本乡镇街道审核：审核通过前可添加工作人员、打印场所码、"
                "接受访客自助登记，但不能查询证件信息。代为注册的场所无需审核。"
            ),
        )
        actions = QHBoxLayout()
        actions.addWidget(self.count, 1)
        for widget in (self.refresh_button, self.reject_button, self.approve_button):
            actions.addWidget(widget)
        layout = QVBoxLayout(self)
        layout.addWidget(hint)
        layout.addWidget(self.table, 1)
        layout.addLayout(actions)
        layout.addWidget(self.message)
        self._update_buttons()

    def start(self, admin: AdminService, region: str) -> None:
        self.admin, self.region = admin, region
        self.refresh()

    def clear(self) -> None:
        """After logout: nothing of the region stays on screen."""
        self.admin, self.region = None, ""
        self.model.set_rows([])
        self.count.clear()
        set_message(self.message, "")
        if self.reject_dialog is not None:
            self.reject_dialog.reject()
        self._update_buttons()

    @Slot()
    def refresh(self) -> None:
        admin, region = self.admin, self.region
        if admin is None or not region:
            return
        self.refresh_button.setEnabled(False)
        run_online(
            self.tasks, self.message, lambda: admin.pending_venues(region), self._on_loaded, self._on_failed
        )

    def _on_loaded(self, rows: list[PendingVenueOut]) -> None:
        if self.admin is None:
            return  # logged out meanwhile
        self.refresh_button.setEnabled(True)
        self.model.set_rows(rows)
        self.count.setText(
            self.tr("共 {0} 个场所待审核").format(len(rows)) if rows else self.tr("没有待审核的场所")
        )
        self._update_buttons()
        self.loaded.emit()

    def _on_failed(self, error: Exception) -> None:
        self.refresh_button.setEnabled(True)
        self._update_buttons()
        set_message(self.message, error_text(error, self.tr(OFFLINE_HINT), self.admin), "error")

    def selected(self) -> PendingVenueOut | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows or not 0 <= rows[0].row() < len(self.model.rows):
            return None
        return self.model.rows[rows[0].row()]

    @Slot()
    def _update_buttons(self) -> None:
        chosen = self.selected() is not None
        self.approve_button.setEnabled(chosen)
        self.reject_button.setEnabled(chosen)

    # --- decisions ----------------------------------------------------------------------------

    @Slot()
    def ask_approve(self) -> None:
        venue = self.selected()
        if venue is None:
            return
        box = confirm(
            self,
            "confirmApproveVenue",
            self.tr("通过审核"),
            self.tr("通过“{0}”的审核？通过后该场所可以查询证件信息。此操作将记入审计日志。").format(
                venue.name
            ),
            self.tr("通过"),
            lambda: self._decide(venue, None),
        )
        box.setTextFormat(Qt.TextFormat.PlainText)  # an owner typed the name

    @Slot()
    def ask_reject(self) -> None:
        venue = self.selected()
        if venue is None:
            return
        dialog = RejectDialog(venue.name, self)
        dialog.submitted.connect(lambda reason: self._decide(venue, reason))
        dialog.finished.connect(dialog.deleteLater)
        dialog.destroyed.connect(lambda: setattr(self, "reject_dialog", None))
        self.reject_dialog = dialog
        dialog.open()

    def _decide(self, venue: PendingVenueOut, reason: str | None) -> None:
        admin = self.admin
        if admin is None:
            return
        self.approve_button.setEnabled(False)
        self.reject_button.setEnabled(False)
        set_message(self.message, self.tr("正在提交…"))

        def run() -> VenueOut:
            if reason is None:
                return admin.approve_venue(venue.id)
            return admin.reject_venue(venue.id, reason)

        run_online(self.tasks, self.message, run, self._on_decided, self._on_failed)

    def _on_decided(self, venue: VenueOut) -> None:
        if self.admin is None:
            return
        words = (
            self.tr("已通过“{0}”的审核")
            if venue.status == "approved"
            else self.tr("已将“{0}”退回：未通过审核")
        )
        set_message(self.message, words.format(venue.name))
        self.decided.emit(venue)
        self.refresh()
