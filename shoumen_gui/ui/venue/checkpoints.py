"""检查点: the venue's gates (南门, 北门 …) — add, rename, remove. Stations choose one at
start, checks and statistics carry it; devices learn of changes at their next pull."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, Qt, Signal, Slot
from PySide6.QtWidgets import QHBoxLayout, QLineEdit, QListView, QVBoxLayout, QWidget

from shoumen_core.schemas import CheckpointOut
from shoumen_gui.i18n import QT_TRANSLATE_NOOP
from shoumen_gui.services.admin import AdminService
from shoumen_gui.tasks import TaskManager
from shoumen_gui.ui.widgets import button, confirm, error_text, label, run_online, set_message

_Index = QModelIndex | QPersistentModelIndex
OFFLINE_HINT = QT_TRANSLATE_NOOP("shoumen", "当前离线：检查点只能在联网时修改，请联网后重试")
MAX_NAME = 30
CheckpointIdRole = Qt.ItemDataRole.UserRole + 1


class CheckpointModel(QAbstractListModel):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.rows: list[CheckpointOut] = []

    def set_rows(self, rows: list[CheckpointOut]) -> None:
        self.beginResetModel()
        self.rows = [row for row in rows if row.active]
        self.endResetModel()

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self.rows)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.rows):
            return None
        row = self.rows[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return row.name
        if role == CheckpointIdRole:
            return row.id
        return None


class CheckpointsPanel(QWidget):
    changed = Signal()

    def __init__(self, tasks: TaskManager, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("checkpointsPanel")
        self.setAccessibleName(self.tr("检查点"))
        self.tasks = tasks
        self.admin: AdminService | None = None
        self.venue_id = 0
        self.in_use_id: int | None = None  # the checkpoint this station checks at
        self.model = CheckpointModel(self)
        self.view = QListView()
        self.view.setObjectName("checkpointList")
        self.view.setAccessibleName(self.tr("检查点列表"))
        self.view.setModel(self.model)
        self.view.selectionModel().selectionChanged.connect(self._on_selected)
        self.name = QLineEdit()
        self.name.setObjectName("checkpointName")
        self.name.setAccessibleName(self.tr("检查点名称"))
        self.name.setPlaceholderText(self.tr("如：南门、北门、地下车库"))
        self.name.setMaxLength(MAX_NAME)
        self.add_button = button("checkpointAdd", self.tr("添加"), role="primary")
        self.rename_button = button("checkpointRename", self.tr("改名"))
        self.remove_button = button("checkpointRemove", self.tr("删除"))
        self.add_button.clicked.connect(self.add)
        self.rename_button.clicked.connect(self.rename)
        self.remove_button.clicked.connect(self.ask_remove)
        self.message = label("checkpointMessage", self.tr("检查点提示"))
        row = QHBoxLayout()
        row.addWidget(self.name, 1)
        for widget in (self.add_button, self.rename_button, self.remove_button):
            row.addWidget(widget)
        layout = QVBoxLayout(self)
        layout.addWidget(self.view, 1)
        layout.addLayout(row)
        layout.addWidget(
            label(
                "checkpointHint",
                self.tr("检查点说明"),
                "hint",
                self.tr("每个出入口一个检查点。选中一个检查点后可改名或删除；改名时在上面输入新名称。"),
            )
        )
        layout.addWidget(self.message)
        self._update_buttons()

    def load(self, admin: AdminService, venue_id: int) -> None:
        self.admin, self.venue_id = admin, venue_id
        self.model.set_rows([])
        self._run(lambda: admin.checkpoints(venue_id), self._on_list, changed=False)

    def _on_list(self, rows: list[CheckpointOut]) -> None:
        self.model.set_rows(rows)
        self._update_buttons()

    def selected(self) -> CheckpointOut | None:
        rows = self.view.selectionModel().selectedRows()
        return self.model.rows[rows[0].row()] if rows else None

    def _checked_name(self) -> str | None:
        name = self.name.text().strip()
        if not name:
            set_message(self.message, self.tr("请填写检查点名称"), "error")
        elif any(row.name == name for row in self.model.rows):
            set_message(self.message, self.tr("已有名为“{0}”的检查点").format(name), "error")
        else:
            return name
        self.name.setFocus()
        return None

    @Slot()
    def add(self) -> None:
        name = self._checked_name()
        if name is None:
            return
        admin, venue_id = self._require_admin(), self.venue_id
        self._run(
            lambda: admin.add_checkpoint(venue_id, name),
            self._reload,
            self.tr("已添加检查点：{0}").format(name),
        )

    @Slot()
    def rename(self) -> None:
        checkpoint = self.selected()
        if checkpoint is None:
            return
        name = self._checked_name()
        if name is None:
            return
        admin, venue_id = self._require_admin(), self.venue_id
        done = self.tr("已将“{0}”改名为“{1}”").format(checkpoint.name, name)
        self._run(lambda: admin.rename_checkpoint(venue_id, checkpoint.id, name), self._reload, done)

    @Slot()
    def ask_remove(self) -> None:
        checkpoint = self.selected()
        if checkpoint is None:
            return
        text = self.tr("确定删除检查点“{0}”？已有的核验记录会保留。").format(checkpoint.name)
        if checkpoint.id == self.in_use_id:  # the gate this very station checks at (issue 16 §10)
            text = (
                self.tr("“{0}”是本机正在使用的检查点。删除后，本机返回核验时需要重新选择检查点。\n").format(
                    checkpoint.name
                )
                + text
            )
        confirm(
            self,
            "confirmCheckpointRemove",
            self.tr("删除检查点"),
            text,
            self.tr("删除"),
            lambda: self._remove(checkpoint),
        )

    def _remove(self, checkpoint: CheckpointOut) -> None:
        admin, venue_id = self._require_admin(), self.venue_id
        done = self.tr("已删除检查点：{0}").format(checkpoint.name)
        self._run(lambda: admin.remove_checkpoint(venue_id, checkpoint.id), self._reload, done)

    def _reload(self, _: object = None) -> None:
        self.name.clear()
        self.load(self._require_admin(), self.venue_id)

    # --- internals --------------------------------------------------------------------------

    def _run(self, fn: Any, on_success: Any, done: str = "", *, changed: bool = True) -> None:
        for widget in (self.add_button, self.rename_button, self.remove_button):
            widget.setEnabled(False)

        def succeeded(result: Any) -> None:
            self.add_button.setEnabled(True)
            if done:
                set_message(self.message, done)
            on_success(result)
            if changed:
                self.changed.emit()

        def failed(error: Exception) -> None:
            self.add_button.setEnabled(True)
            self._update_buttons()
            set_message(self.message, error_text(error, self.tr(OFFLINE_HINT), self.admin), "error")

        run_online(self.tasks, self.message, fn, succeeded, failed)

    @Slot()
    def _on_selected(self) -> None:
        checkpoint = self.selected()
        if checkpoint is not None:
            self.name.setText(checkpoint.name)
        self._update_buttons()

    def _update_buttons(self) -> None:
        chosen = self.selected() is not None
        self.rename_button.setEnabled(chosen)
        self.remove_button.setEnabled(chosen and len(self.model.rows) > 1)  # a venue keeps one gate

    def _require_admin(self) -> AdminService:
        if self.admin is None:
            raise RuntimeError("the checkpoints panel is not loaded")
        return self.admin
