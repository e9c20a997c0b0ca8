"""异常名单: the region's abnormal checks of a day, and a drill-down into one — the check and
its registration (核查登记), masked. 查看完整信息 shows the unmasked identity only after the
person confirms, the server audits the view, and the details leave the screen on their own.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFormLayout,
    QGroupBox,
    QHeaderView,
    QLabel,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from shoumen_core.schemas import AnomalyAction, AnomalyOut, AnomalyType, RegionAbnormalItem
from shoumen_gui.i18n import QT_TRANSLATE_NOOP
from shoumen_gui.ops import admin as admin_ops
from shoumen_gui.services.admin import AdminService, FullDetails
from shoumen_gui.tasks import TaskManager
from shoumen_gui.ui.supervisor.models import AbnormalModel, SortProxy, local_time
from shoumen_gui.ui.texts import abnormal_reasons, joined, level_words
from shoumen_gui.ui.widgets import button, confirm, error_text, label, run_online, set_message

FULL_DETAILS_SECONDS = 60  # the unmasked details clear themselves after this
OFFLINE_HINT = QT_TRANSLATE_NOOP("shoumen", "当前离线：异常名单和登记详情需要联网查看")

TYPE_WORDS = {
    AnomalyType.RED_CODE: QT_TRANSLATE_NOOP("shoumen", "红码"),
    AnomalyType.YELLOW_CODE: QT_TRANSLATE_NOOP("shoumen", "黄码"),
    AnomalyType.NO_CODE: QT_TRANSLATE_NOOP("shoumen", "未申领健康码"),
    AnomalyType.NAT_EXPIRED: QT_TRANSLATE_NOOP("shoumen", "核酸超时"),
    AnomalyType.NAT_POSITIVE: QT_TRANSLATE_NOOP("shoumen", "核酸阳性"),
    AnomalyType.FEVER: QT_TRANSLATE_NOOP("shoumen", "发热"),
    AnomalyType.TRAVEL_ABNORMAL: QT_TRANSLATE_NOOP("shoumen", "行程异常"),
    AnomalyType.NO_PHONE_NO_ID: QT_TRANSLATE_NOOP("shoumen", "无手机无证件"),
    AnomalyType.OTHER: QT_TRANSLATE_NOOP("shoumen", "其他"),
}
ACTION_WORDS = {
    AnomalyAction.TURN_AWAY: QT_TRANSLATE_NOOP("shoumen", "劝返"),
    AnomalyAction.ISOLATION_POINT: QT_TRANSLATE_NOOP("shoumen", "送临时隔离点"),
    AnomalyAction.REPORT_COMMUNITY: QT_TRANSLATE_NOOP("shoumen", "报告社区"),
    AnomalyAction.AMBULANCE: QT_TRANSLATE_NOOP("shoumen", "呼叫 120"),
    AnomalyAction.YELLOW_SAMPLING: QT_TRANSLATE_NOOP("shoumen", "送黄码采样点"),
    AnomalyAction.ADMIT_PAPER: QT_TRANSLATE_NOOP("shoumen", "放行（已做传统纸质登记）"),
    AnomalyAction.OTHER: QT_TRANSLATE_NOOP("shoumen", "其他"),
}


class AbnormalPanel(QWidget):
    def __init__(self, tasks: TaskManager, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("abnormalPanel")
        self.setAccessibleName(self.tr("异常名单"))
        self.tasks = tasks
        self.admin: AdminService | None = None
        self.item: RegionAbnormalItem | None = None
        self.model = AbnormalModel(self)
        self.proxy = SortProxy(self)
        self.proxy.setSourceModel(self.model)
        self.table = QTableView()
        self.table.setObjectName("abnormalTable")
        self.table.setAccessibleName(self.tr("异常名单"))
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(0, Qt.SortOrder.DescendingOrder)  # newest first
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.verticalHeader().hide()
        self.table.selectionModel().selectionChanged.connect(self._on_selected)
        self.count = label("abnormalCount", self.tr("异常人次"), "hint")

        self.fields: dict[str, QLabel] = {}
        check_box = QGroupBox(self.tr("核验记录（已脱敏）"))
        check_form = QFormLayout(check_box)
        for key, title in (
            ("time", QT_TRANSLATE_NOOP("shoumen", "时间")),
            ("venue", QT_TRANSLATE_NOOP("shoumen", "场所")),
            ("level", QT_TRANSLATE_NOOP("shoumen", "结论")),
            ("reasons", QT_TRANSLATE_NOOP("shoumen", "原因")),
            ("name", QT_TRANSLATE_NOOP("shoumen", "姓名")),
            ("document", QT_TRANSLATE_NOOP("shoumen", "证件号码")),
        ):
            check_form.addRow(self.tr(title), self._field("check", key, title))
        self.registration = QGroupBox(self.tr("核查登记"))
        reg_form = QFormLayout(self.registration)
        for key, title in (
            ("type", QT_TRANSLATE_NOOP("shoumen", "异常类型")),
            ("action", QT_TRANSLATE_NOOP("shoumen", "处置")),
            ("temperature", QT_TRANSLATE_NOOP("shoumen", "体温")),
            ("phone", QT_TRANSLATE_NOOP("shoumen", "电话")),
            ("origin", QT_TRANSLATE_NOOP("shoumen", "来源地")),
            ("transport", QT_TRANSLATE_NOOP("shoumen", "交通方式")),
            ("reported", QT_TRANSLATE_NOOP("shoumen", "报告对象")),
            ("notes", QT_TRANSLATE_NOOP("shoumen", "备注")),
        ):
            reg_form.addRow(self.tr(title), self._field("registration", key, title))
        self.full = QGroupBox(self.tr("完整信息（查看已记录）"))
        self.full.setObjectName("fullDetailsBox")
        full_form = QFormLayout(self.full)
        for key, title in (
            ("name", QT_TRANSLATE_NOOP("shoumen", "姓名")),
            ("document", QT_TRANSLATE_NOOP("shoumen", "证件号码")),
            ("phone", QT_TRANSLATE_NOOP("shoumen", "电话")),
        ):
            full_form.addRow(self.tr(title), self._field("full", key, title))
        self.full.hide()
        self.view_full = button("viewFullDetails", self.tr("查看完整信息"))
        self.view_full.clicked.connect(self.ask_full_details)
        self.message = label("abnormalMessage", self.tr("异常名单提示"))
        self.clear_timer = QTimer(self)
        self.clear_timer.setSingleShot(True)
        self.clear_timer.timeout.connect(self.hide_full_details)

        details = QWidget()
        column = QVBoxLayout(details)
        column.addWidget(check_box)
        column.addWidget(self.registration)
        column.addWidget(self.view_full)
        column.addWidget(self.full)
        column.addWidget(self.message)
        column.addStretch(1)
        left = QWidget()
        left_column = QVBoxLayout(left)
        left_column.setContentsMargins(0, 0, 0, 0)
        left_column.addWidget(self.table, 1)
        left_column.addWidget(self.count)
        splitter = QSplitter()
        splitter.addWidget(left)
        splitter.addWidget(details)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        QVBoxLayout(self).addWidget(splitter)
        self._show_item(None)

    def _field(self, group: str, key: str, title: str) -> QLabel:
        widget = label(f"{group}{key.capitalize()}", self.tr(title))
        self.fields[f"{group}.{key}"] = widget
        return widget

    def _set(self, key: str, text: str) -> None:
        self.fields[key].setText(text)

    # --- data ---------------------------------------------------------------------------------

    def set_items(self, admin: AdminService, items: list[RegionAbnormalItem]) -> None:
        self.admin = admin
        self.model.set_rows(items)
        self.count.setText(self.tr("共 {0} 人次未通过").format(len(items)))
        self._show_item(None)

    def clear(self) -> None:
        self.model.set_rows([])
        self.count.clear()
        self._show_item(None)

    @Slot()
    def _on_selected(self) -> None:
        rows = self.table.selectionModel().selectedRows()
        item = self.model.rows[self.proxy.mapToSource(rows[0]).row()] if rows else None
        self._show_item(item)

    def _show_item(self, item: RegionAbnormalItem | None) -> None:
        self.item = item
        self.hide_full_details()
        for key in self.fields:
            self._set(key, "")
        set_message(self.message, "")
        self.view_full.setEnabled(item is not None)
        self.registration.setVisible(item is not None and item.registered)
        if item is None:
            return
        self._set("check.time", local_time(item.checked_at, "%Y-%m-%d %H:%M:%S"))
        self._set("check.venue", item.venue_name)
        self._set("check.level", level_words(item.level))
        self._set("check.reasons", joined(abnormal_reasons(item)))
        self._set("check.name", item.masked_name or self.tr("（无）"))
        self._set("check.document", item.masked_id or self.tr("（无）"))
        if item.anomaly_id is not None and self.admin is not None:
            admin, venue_id, anomaly_id = self.admin, item.venue_id, item.anomaly_id
            admin_ops.request(lambda: admin.anomaly(venue_id, anomaly_id)).success(
                self._on_registration
            ).failure(self._on_failed).run(self.tasks, self)

    def _on_registration(self, anomaly: AnomalyOut) -> None:
        if self.item is None or self.item.anomaly_id != anomaly.id:
            return
        self._set("registration.type", self.tr(TYPE_WORDS[anomaly.anomaly_type]))
        self._set("registration.action", self.tr(ACTION_WORDS[anomaly.action]))
        self._set(
            "registration.temperature", "" if anomaly.temperature is None else f"{anomaly.temperature:.1f} °C"
        )
        self._set("registration.phone", anomaly.phone_masked)
        self._set("registration.origin", anomaly.origin)
        self._set("registration.transport", anomaly.transport)
        self._set("registration.reported", anomaly.reported_to)
        self._set("registration.notes", anomaly.notes)

    # --- full details ---------------------------------------------------------------------------

    @Slot()
    def ask_full_details(self) -> None:
        item = self.item
        if item is None:
            return
        text = self.tr(
            "完整的姓名、证件号码和电话属于个人隐私，仅限流调溯源使用。本次查看将记入审计日志。确定查看？"
        )
        confirm(
            self,
            "confirmFullDetails",
            self.tr("查看完整信息"),
            text,
            self.tr("确定查看"),
            lambda: self._load_full(item),
        )

    def _load_full(self, item: RegionAbnormalItem) -> None:
        if self.admin is None or self.item is not item:
            return
        admin = self.admin
        if item.anomaly_id is not None:
            fn = lambda: admin.full_details(item.venue_id, anomaly_id=item.anomaly_id)  # noqa: E731
        else:
            fn = lambda: admin.full_details(item.venue_id, check_id=item.check_id)  # noqa: E731
        set_message(self.message, self.tr("正在读取…"))
        run_online(
            self.tasks, self.message, fn, lambda details: self._on_full(item, details), self._on_failed
        )

    def _on_full(self, item: RegionAbnormalItem, details: FullDetails) -> None:
        if self.item is not item:
            return  # the person moved on: do not show someone else's details
        self._set("full.name", details.name or self.tr("（未登记）"))
        self._set("full.document", details.document_number or self.tr("（未登记）"))
        self._set("full.phone", details.phone or self.tr("（未登记）"))
        self.full.show()
        set_message(
            self.message,
            self.tr("已记录本次查看。完整信息将在 {0} 秒后自动隐藏。").format(FULL_DETAILS_SECONDS),
        )
        self.clear_timer.start(FULL_DETAILS_SECONDS * 1000)

    @Slot()
    def hide_full_details(self) -> None:
        self.clear_timer.stop()
        for key in ("full.name", "full.document", "full.phone"):
            self._set(key, "")
        self.full.hide()

    def _on_failed(self, error: Exception) -> None:
        set_message(self.message, error_text(error, self.tr(OFFLINE_HINT), self.admin), "error")
