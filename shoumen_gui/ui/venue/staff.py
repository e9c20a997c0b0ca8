"""子管理员: the owner lists, adds, authorises, revokes and deletes the venue's staff.

Online only: the server is the one place that decides who may check (every check a revoked
guard pushes is refused there), so offline the screen says so and changes nothing.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal, Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from shoumen_core.phone import InvalidPhone, normalise_phone
from shoumen_core.schemas import Role, StaffOut, StaffState
from shoumen_gui.i18n import QT_TRANSLATE_NOOP
from shoumen_gui.services.admin import AdminService
from shoumen_gui.tasks import TaskManager
from shoumen_gui.ui.widgets import button, confirm, label, run_locked, set_message, tr

_Index = QModelIndex | QPersistentModelIndex
OFFLINE_HINT = QT_TRANSLATE_NOOP("shoumen", "当前离线：子管理员只能在联网时管理，请联网后重试")
ROLE_WORDS = {
    Role.OWNER: QT_TRANSLATE_NOOP("shoumen", "初始管理员"),
    Role.STAFF: QT_TRANSLATE_NOOP("shoumen", "子管理员"),
}
STATE_WORDS = {
    StaffState.AUTHORISED: QT_TRANSLATE_NOOP("shoumen", "已授权"),
    StaffState.REVOKED: QT_TRANSLATE_NOOP("shoumen", "已收回"),
}
UserIdRole = Qt.ItemDataRole.UserRole + 1


class StaffModel(QAbstractTableModel):
    """One row per member: name, masked phone, role, state."""

    HEADERS = (
        QT_TRANSLATE_NOOP("shoumen", "姓名"),
        QT_TRANSLATE_NOOP("shoumen", "手机号码"),
        QT_TRANSLATE_NOOP("shoumen", "角色"),
        QT_TRANSLATE_NOOP("shoumen", "状态"),
    )

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.rows: list[StaffOut] = []

    def set_rows(self, rows: list[StaffOut]) -> None:
        self.beginResetModel()
        self.rows = sorted(rows, key=lambda r: (r.role is not Role.OWNER, r.user_id))
        self.endResetModel()

    def replace(self, member: StaffOut) -> None:
        for row, old in enumerate(self.rows):
            if old.user_id == member.user_id:
                self.rows[row] = member
                self.dataChanged.emit(self.index(row, 0), self.index(row, len(self.HEADERS) - 1))
                return

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.HEADERS)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.rows):
            return None
        member = self.rows[index.row()]
        if role == UserIdRole:
            return member.user_id
        if role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return None
        return (
            member.name or tr("（未填写）"),
            member.phone_masked,
            tr(ROLE_WORDS[member.role]),
            tr(STATE_WORDS[member.state]),
        )[index.column()]

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        horizontal = orientation == Qt.Orientation.Horizontal
        if role == Qt.ItemDataRole.DisplayRole and horizontal and 0 <= section < len(self.HEADERS):
            return tr(self.HEADERS[section])
        return None


class StaffPanel(QWidget):
    changed = Signal()

    def __init__(self, tasks: TaskManager, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("staffPanel")
        self.setAccessibleName(self.tr("子管理员"))
        self.tasks = tasks
        self.admin: AdminService | None = None
        self.venue_id = 0
        self.model = StaffModel(self)
        self.table = QTableView()
        self.table.setObjectName("staffTable")
        self.table.setAccessibleName(self.tr("子管理员列表"))
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().hide()
        self.table.selectionModel().selectionChanged.connect(self._update_buttons)

        self.name = QLineEdit()
        self.name.setObjectName("staffName")
        self.name.setAccessibleName(self.tr("子管理员姓名"))
        self.name.setPlaceholderText(self.tr("姓名"))
        self.name.setMaxLength(50)
        self.phone = QLineEdit()
        self.phone.setObjectName("staffPhone")
        self.phone.setAccessibleName(self.tr("子管理员手机号码"))
        self.phone.setPlaceholderText(self.tr("11 位手机号码"))
        self.phone.setMaxLength(20)
        self.add_button = button("staffAdd", self.tr("添加子管理员"), role="primary")
        self.add_button.clicked.connect(self.add)
        self.phone.returnPressed.connect(self.add)
        self.toggle = button("staffToggle", self.tr("收回权限"))
        self.toggle.clicked.connect(self.toggle_state)
        self.delete_button = button("staffDelete", self.tr("删除"))
        self.delete_button.clicked.connect(self.ask_delete)
        self.message = label("staffMessage", self.tr("子管理员提示"))

        form = QHBoxLayout()
        form.addWidget(self.name, 1)
        form.addWidget(self.phone, 1)
        form.addWidget(self.add_button)
        actions = QHBoxLayout()
        actions.addStretch(1)
        actions.addWidget(self.toggle)
        actions.addWidget(self.delete_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addLayout(actions)
        layout.addWidget(
            label(
                "staffAddHint",
                self.tr("添加说明"),
                "hint",
                self.tr("添加子管理员：填写姓名和手机号码，对方用该手机号登录即可核验。"),
            )
        )
        layout.addLayout(form)
        layout.addWidget(self.message)
        self._update_buttons()

    # --- loading --------------------------------------------------------------------------------

    def load(self, admin: AdminService, venue_id: int) -> None:
        self.admin, self.venue_id = admin, venue_id
        self.model.set_rows([])
        set_message(self.message, self.tr("正在读取子管理员…"))
        self._run(lambda: admin.staff(venue_id), self._on_list)

    def _on_list(self, rows: list[StaffOut]) -> None:
        self.model.set_rows(rows)
        set_message(self.message, "")
        self._update_buttons()

    # --- actions --------------------------------------------------------------------------------

    def selected(self) -> StaffOut | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.rows[rows[0].row()] if rows else None

    @Slot()
    def add(self) -> None:
        name = self.name.text().strip()
        if not name:
            set_message(self.message, self.tr("请填写子管理员的姓名"), "error")
            self.name.setFocus()
            return
        try:
            phone = normalise_phone(self.phone.text())
        except InvalidPhone:
            set_message(self.message, self.tr("手机号码应为 11 位大陆手机号，如 13800138000"), "error")
            self.phone.setFocus()
            return
        admin, venue_id = self._require_admin(), self.venue_id
        self._run(lambda: admin.add_staff(venue_id, name, phone), self._on_added)

    def _on_added(self, member: StaffOut) -> None:
        self.name.clear()
        self.phone.clear()
        set_message(self.message, self.tr("已添加：{0}（{1}）").format(member.name, member.phone_masked))
        self.model.set_rows([*(r for r in self.model.rows if r.user_id != member.user_id), member])
        self.changed.emit()

    @Slot()
    def toggle_state(self) -> None:
        member = self.selected()
        if member is None or member.role is Role.OWNER:
            return
        admin, venue_id, user_id = self._require_admin(), self.venue_id, member.user_id
        if member.state is StaffState.AUTHORISED:
            # Revoking stops a guard at the gate: asked first, like deleting (issue 16 §10).
            text = self.tr(
                "确定收回 {0}（{1}）的核验权限？收回后对方不能再在本场所核验，可随时恢复授权。"
            ).format(member.name, member.phone_masked)
            confirm(
                self,
                "confirmStaffRevoke",
                self.tr("收回核验权限"),
                text,
                self.tr("收回权限"),
                lambda: self._run(lambda: admin.revoke_staff(venue_id, user_id), self._on_state),
            )
        else:
            self._run(lambda: admin.authorise_staff(venue_id, user_id), self._on_state)

    def _on_state(self, member: StaffOut) -> None:
        self.model.replace(member)
        words = (
            self.tr("已收回 {0} 的核验权限")
            if member.state is StaffState.REVOKED
            else self.tr("已恢复 {0} 的核验权限")
        )
        set_message(self.message, words.format(member.name))
        self._update_buttons()
        self.changed.emit()

    @Slot()
    def ask_delete(self) -> None:
        member = self.selected()
        if member is None or member.role is Role.OWNER:
            return
        text = self.tr("确定删除子管理员 {0}（{1}）？删除后对方不能再在本场所核验。").format(
            member.name, member.phone_masked
        )
        confirm(
            self,
            "confirmStaffDelete",
            self.tr("删除子管理员"),
            text,
            self.tr("删除"),
            lambda: self._delete(member),
        )

    def _delete(self, member: StaffOut) -> None:
        admin, venue_id = self._require_admin(), self.venue_id

        def deleted(_: object) -> None:
            self.model.set_rows([r for r in self.model.rows if r.user_id != member.user_id])
            set_message(self.message, self.tr("已删除：{0}").format(member.name))
            self._update_buttons()
            self.changed.emit()

        self._run(lambda: admin.delete_staff(venue_id, member.user_id), deleted)

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
        self.add_button.setEnabled(enabled)
        if enabled:
            self._update_buttons()
        else:
            self.toggle.setEnabled(False)
            self.delete_button.setEnabled(False)

    @Slot()
    def _update_buttons(self) -> None:
        member = self.selected()
        editable = member is not None and member.role is not Role.OWNER
        self.toggle.setEnabled(editable)
        self.delete_button.setEnabled(editable)
        revoked = member is not None and member.state is StaffState.REVOKED
        self.toggle.setText(self.tr("恢复授权") if revoked else self.tr("收回权限"))
        self.toggle.setAccessibleName(self.toggle.text())

    def _require_admin(self) -> AdminService:
        if self.admin is None:
            raise RuntimeError("the staff panel is not loaded")
        return self.admin
