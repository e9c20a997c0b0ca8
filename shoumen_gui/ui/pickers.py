"""Choosing where this station checks: the venue (when the person works at several) and the
checkpoint (when the venue has several gates). One big button per choice; the last choice is
offered first (it has the keyboard focus).
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QPushButton, QVBoxLayout, QWidget

from shoumen_core.schemas import CheckpointOut, MembershipOut, Role, StaffState
from shoumen_gui.i18n import QT_TRANSLATE_NOOP
from shoumen_gui.ui.plain import plain_label

ROLE_WORDS: dict[Role, str] = {
    Role.OWNER: QT_TRANSLATE_NOOP("shoumen", "初始管理员"),
    Role.STAFF: QT_TRANSLATE_NOOP("shoumen", "子管理员"),
}


COLUMN_PX = 900


class _Picker(QWidget):
    back_requested = Signal()

    def __init__(self, object_name: str, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(object_name)
        self.setAccessibleName(title)
        self.title = plain_label(title)
        self.title.setObjectName(f"{object_name}Title")
        self.title.setProperty("role", "title")
        self.title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.hint = plain_label()
        self.hint.setObjectName(f"{object_name}Hint")
        self.hint.setWordWrap(True)
        self.hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.choices = QVBoxLayout()
        self.back = QPushButton(self.tr("返回"))
        self.back.setObjectName(f"{object_name}Back")
        self.back.setAccessibleName(self.tr("返回"))
        self.back.clicked.connect(self.back_requested)
        self.buttons: list[QPushButton] = []
        # One centred column, at most COLUMN_PX wide (wider only when a name needs it): on a
        # 1080p screen the choices do not stretch from edge to edge.
        self.column = column = QWidget()
        column.setObjectName(f"{object_name}Column")
        column.setMaximumWidth(COLUMN_PX)
        inner = QVBoxLayout(column)
        inner.setContentsMargins(0, 0, 0, 0)
        inner.addWidget(self.title)
        inner.addWidget(self.hint)
        inner.addLayout(self.choices)
        inner.addWidget(self.back, 0, Qt.AlignmentFlag.AlignLeft)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(column, 100)
        row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        layout.addLayout(row)
        layout.addStretch(2)

    def _clear_choices(self) -> None:
        for button in self.buttons:
            self.choices.removeWidget(button)
            button.deleteLater()
        self.buttons = []
        self.column.setMaximumWidth(COLUMN_PX)

    def _add_choice(self, object_name: str, text: str, accessible: str, enabled: bool = True) -> QPushButton:
        button = QPushButton(text)
        button.setObjectName(object_name)
        button.setAccessibleName(accessible)
        button.setProperty("role", "choice")
        button.setEnabled(enabled)
        self.choices.addWidget(button)
        self.buttons.append(button)
        self.column.setMaximumWidth(max(COLUMN_PX, self.column.minimumSizeHint().width()))
        return button


class VenuePicker(_Picker):
    chosen = Signal(object)  # MembershipOut

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("venuePicker", self.tr("选择场所"), parent)
        self.back.setText(self.tr("退出登录"))
        self.back.setAccessibleName(self.tr("退出登录"))

    def set_venues(self, venues: Sequence[MembershipOut], preferred: int | None = None) -> None:
        self._clear_choices()
        usable = [v for v in venues if v.state is StaffState.AUTHORISED]
        if not venues:
            self.hint.setText(
                self.tr("您还没有可以核验的场所。请场所的初始管理员把您添加为子管理员后重新登录。")
            )
        elif not usable:
            self.hint.setText(self.tr("您在以下场所的核验权限已被收回，请联系场所管理员。"))
        else:
            self.hint.setText(self.tr("您在多个场所有核验权限，请选择本机所在的场所。"))
        # The last choice, or (when it is revoked or gone) the first usable one: never none, or
        # the keyboard focus falls to 退出登录 and Enter logs the guard out.
        focused = next((v for v in usable if v.venue_id == preferred), usable[0] if usable else None)
        for venue in venues:
            authorised = venue.state is StaffState.AUTHORISED
            role = self.tr(ROLE_WORDS[venue.role])
            suffix = role if authorised else self.tr("权限已收回")
            button = self._add_choice(
                f"venue_{venue.venue_id}",
                self.tr("{0}（{1}）").format(venue.venue_name, suffix),
                venue.venue_name,
                authorised,
            )
            button.clicked.connect(lambda _=False, v=venue: self.chosen.emit(v))
            if venue is focused:
                button.setFocus()


class CheckpointPicker(_Picker):
    chosen = Signal(object)  # CheckpointOut

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("checkpointPicker", self.tr("选择检查点"), parent)

    def set_checkpoints(
        self,
        venue_name: str,
        checkpoints: Sequence[CheckpointOut],
        preferred: int | None = None,
        *,
        can_go_back: bool = False,
    ) -> None:
        self._clear_choices()
        self.hint.setText(self.tr("{0} 有多个检查点，请选择本机所在的检查点。").format(venue_name))
        self.back.setVisible(can_go_back)
        active = [c for c in checkpoints if c.active]
        # The last choice, or (when it was deactivated or deleted) the first active one.
        focused = next((c for c in active if c.id == preferred), active[0] if active else None)
        for checkpoint in active:
            button = self._add_choice(f"checkpoint_{checkpoint.id}", checkpoint.name, checkpoint.name)
            button.clicked.connect(lambda _=False, c=checkpoint: self.chosen.emit(c))
            if checkpoint is focused:
                button.setFocus()
