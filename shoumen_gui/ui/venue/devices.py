"""设备 (场所管理): the owner enrols stations (设备绑定) and sees and revokes them (issue 18 §1).

新建绑定码 makes a code and its QR for one checkpoint; both are shown with a countdown and
vanish when the ten minutes are over. The list shows every enrolled station: name, checkpoint,
last contact, app version, checks it has not uploaded yet, and whether it is revoked.
解除绑定 (asked first) stops the station at its next request. Online only, like 子管理员.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from PySide6.QtCore import Qt, QTimer, Slot
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from shoumen_core.devices import DeviceOut, EnrolmentOut
from shoumen_core.schemas import CheckpointOut
from shoumen_core.timeutil import LOCAL_TZ, utcnow
from shoumen_gui.i18n import QT_TRANSLATE_NOOP
from shoumen_gui.services.admin import AdminService
from shoumen_gui.services.device import DeviceService
from shoumen_gui.tasks import TaskManager
from shoumen_gui.ui.supervisor.models import RowsTable
from shoumen_gui.ui.venue.qr import qr_image
from shoumen_gui.ui.widgets import button, confirm, label, run_locked, set_message, tr

OFFLINE_HINT = QT_TRANSLATE_NOOP("shoumen", "当前离线：设备只能在联网时管理，请联网后重试")
DEFAULT_NAME = QT_TRANSLATE_NOOP("shoumen", "自助核验机")


def _when(moment: datetime | None) -> str:
    return tr("从未联系") if moment is None else moment.astimezone(LOCAL_TZ).strftime("%m-%d %H:%M")


class DevicesModel(RowsTable):
    """One row per enrolled station."""

    HEADERS = (
        QT_TRANSLATE_NOOP("shoumen", "名称"),
        QT_TRANSLATE_NOOP("shoumen", "检查点"),
        QT_TRANSLATE_NOOP("shoumen", "最近联系"),
        QT_TRANSLATE_NOOP("shoumen", "版本"),
        QT_TRANSLATE_NOOP("shoumen", "待上传"),
        QT_TRANSLATE_NOOP("shoumen", "状态"),
    )
    rows: list[DeviceOut]

    def replace(self, device: DeviceOut) -> None:
        for row, old in enumerate(self.rows):
            if old.id == device.id:
                self.rows[row] = device
                self.dataChanged.emit(self.index(row, 0), self.index(row, len(self.HEADERS) - 1))
                return

    def _data(self, row: int, column: int, role: int) -> Any:
        if role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return None
        device = self.rows[row]
        state = tr("已解除绑定") if device.revoked_at is not None else tr("使用中")
        return (
            device.name,
            device.checkpoint_name,
            _when(device.last_seen_at),
            device.app_version or "—",
            str(device.pending_checks),
            state,
        )[column]


class DevicesPanel(QWidget):
    def __init__(self, tasks: TaskManager, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("devicesPanel")
        self.setAccessibleName(self.tr("设备"))
        self.tasks = tasks
        self.admin: AdminService | None = None
        self.venue_id = 0
        self.enrolment: EnrolmentOut | None = None

        self.checkpoint = QComboBox()
        self.checkpoint.setObjectName("devicesCheckpoint")
        self.checkpoint.setAccessibleName(self.tr("绑定到检查点"))
        self.name = QLineEdit(self.tr(DEFAULT_NAME))
        self.name.setObjectName("devicesName")
        self.name.setAccessibleName(self.tr("设备名称"))
        self.name.setMaxLength(30)
        self.new_code = button("devicesNewCode", self.tr("新建绑定码"), role="primary")
        self.new_code.clicked.connect(self.create_code)

        self.code = label("devicesCode", self.tr("绑定码"), "title")
        self.code.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.qr = QLabel()
        self.qr.setObjectName("devicesQr")
        self.qr.setAccessibleName(self.tr("绑定二维码"))
        self.countdown = label("devicesCountdown", self.tr("绑定码剩余时间"), "hint")
        self.timer = QTimer(self)
        self.timer.setInterval(1000)
        self.timer.timeout.connect(self._tick)

        self.model = DevicesModel(self)
        self.table = QTableView()
        self.table.setObjectName("devicesTable")
        self.table.setAccessibleName(self.tr("已绑定设备列表"))
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().hide()
        self.table.selectionModel().selectionChanged.connect(self._update_buttons)
        self.refresh_button = button("devicesRefresh", self.tr("刷新"))
        self.refresh_button.clicked.connect(self.refresh)
        self.revoke_button = button("devicesRevoke", self.tr("解除绑定"))
        self.revoke_button.clicked.connect(self.ask_revoke)
        self.message = label("devicesMessage", self.tr("设备提示"))

        form = QHBoxLayout()
        form.addWidget(self.checkpoint, 1)
        form.addWidget(self.name, 1)
        form.addWidget(self.new_code)
        shown = QHBoxLayout()
        shown.addWidget(self.qr)
        code_text = QVBoxLayout()
        code_text.addWidget(self.code)
        code_text.addWidget(self.countdown)
        code_text.addStretch(1)
        shown.addLayout(code_text, 1)
        actions = QHBoxLayout()
        actions.addStretch(1)
        actions.addWidget(self.refresh_button)
        actions.addWidget(self.revoke_button)
        layout = QVBoxLayout(self)
        layout.addWidget(
            label(
                "devicesHint",
                self.tr("设备绑定说明"),
                "hint",
                self.tr(
                    "设备绑定：为检查点新建绑定码，在自助核验机的登录页点“设备绑定”输入绑定码"
                    "（10 分钟内有效，只能使用一次）。绑定后的设备只能核验、同步和开闸，"
                    "不能管理场所或导出数据。"
                ),
            )
        )
        layout.addLayout(form)
        layout.addLayout(shown)
        layout.addWidget(self.table, 1)
        layout.addLayout(actions)
        layout.addWidget(self.message)
        self._clear_code()
        self._update_buttons()

    # --- loading --------------------------------------------------------------------------------

    def load(self, admin: AdminService, venue_id: int) -> None:
        self.admin, self.venue_id = admin, venue_id
        self.model.set_rows([])
        self._clear_code()
        set_message(self.message, self.tr("正在读取设备…"))
        service = DeviceService(admin.api)
        self._run(lambda: (admin.checkpoints(venue_id), service.devices(venue_id)), self._on_loaded)

    def _on_loaded(self, loaded: tuple[list[CheckpointOut], list[Any]]) -> None:
        checkpoints, devices = loaded
        self.checkpoint.clear()
        for checkpoint in checkpoints:
            if checkpoint.active:
                self.checkpoint.addItem(checkpoint.name, checkpoint.id)
        self.model.set_rows(devices)
        set_message(self.message, "" if devices else self.tr("还没有绑定的设备"))
        self._update_buttons()

    @Slot()
    def refresh(self) -> None:
        admin, venue_id = self._require_admin(), self.venue_id
        service = DeviceService(admin.api)
        self._run(lambda: service.devices(venue_id), self._on_devices)

    def _on_devices(self, devices: list[DeviceOut]) -> None:
        self.model.set_rows(devices)
        set_message(self.message, "" if devices else self.tr("还没有绑定的设备"))
        self._update_buttons()

    # --- the enrolment code ---------------------------------------------------------------------

    @Slot()
    def create_code(self) -> None:
        checkpoint_id = self.checkpoint.currentData()
        name = self.name.text().strip()
        if checkpoint_id is None:
            set_message(self.message, self.tr("请先选择设备所在的检查点"), "error")
            return
        if not name:
            set_message(self.message, self.tr("请填写设备名称，例如“东门自助核验机”"), "error")
            self.name.setFocus()
            return
        service, venue_id = DeviceService(self._require_admin().api), self.venue_id
        self._run(lambda: service.create_enrolment(venue_id, int(checkpoint_id), name), self._on_code)

    def _on_code(self, enrolment: EnrolmentOut) -> None:
        self.enrolment = enrolment
        self.code.setText(enrolment.code)
        self.qr.setPixmap(QPixmap.fromImage(qr_image(enrolment.qr_payload, 4)))
        self.qr.show()
        set_message(
            self.message,
            self.tr("已为“{0}”新建绑定码：请在设备的登录页点“设备绑定”输入或扫描。").format(enrolment.name),
        )
        self._tick()
        self.timer.start()

    @Slot()
    def _tick(self) -> None:
        enrolment = self.enrolment
        if enrolment is None:
            return
        left = int((enrolment.expires_at - utcnow()).total_seconds())
        if left <= 0:
            self._clear_code()
            self.countdown.setText(self.tr("绑定码已过期，请重新新建"))
            return
        self.countdown.setText(self.tr("{0} 分 {1:02d} 秒后过期，只能使用一次").format(left // 60, left % 60))

    def _clear_code(self) -> None:
        self.timer.stop()
        self.enrolment = None
        self.code.setText("")
        self.countdown.setText("")
        self.qr.clear()
        self.qr.hide()

    # --- revoking -------------------------------------------------------------------------------

    def selected(self) -> DeviceOut | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.rows[rows[0].row()] if rows else None

    @Slot()
    def ask_revoke(self) -> None:
        device = self.selected()
        if device is None or device.revoked_at is not None:
            return
        text = self.tr(
            "确定解除“{0}”（{1}）的绑定？该设备下次联网时停止核验并提示已解除绑定，需重新绑定才能使用。"
        ).format(device.name, device.checkpoint_name)
        confirm(
            self,
            "confirmDeviceRevoke",
            self.tr("解除绑定"),
            text,
            self.tr("解除绑定"),
            lambda: self._revoke(device),
        )

    def _revoke(self, device: DeviceOut) -> None:
        service, venue_id = DeviceService(self._require_admin().api), self.venue_id

        def revoked(out: DeviceOut) -> None:
            self.model.replace(out)
            set_message(self.message, self.tr("已解除“{0}”的绑定").format(out.name))
            self._update_buttons()

        self._run(lambda: service.revoke(venue_id, device.id), revoked)

    # --- internals --------------------------------------------------------------------------

    def _run(self, fn: Any, on_success: Any) -> None:
        run_locked(
            self.tasks,
            self.message,
            fn,
            on_success,
            set_enabled=self._set_enabled,
            offline_hint=self.tr(OFFLINE_HINT),
            admin=self.admin,
        )

    def _set_enabled(self, enabled: bool) -> None:
        self.new_code.setEnabled(enabled)
        self.refresh_button.setEnabled(enabled)
        if enabled:
            self._update_buttons()
        else:
            self.revoke_button.setEnabled(False)

    @Slot()
    def _update_buttons(self) -> None:
        device = self.selected()
        self.revoke_button.setEnabled(device is not None and device.revoked_at is None)

    def _require_admin(self) -> AdminService:
        if self.admin is None:
            raise RuntimeError("the devices panel is not loaded")
        return self.admin
