"""The gate on the workbench: the reason dialog of 手动开闸, the words and style of the gate
line, and the 手动开闸 button for a visitor who has no check.

Every opening by hand needs a reason, recorded with the check (or as its own MANUAL record)
and synced, so each opening stays traceable. The commands themselves run on the station's gate
lane (Station.manual_open): the widgets only ask and show what comes back.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Final

from PySide6.QtCore import QCoreApplication, Qt, QTimer, Signal, Slot
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from shoumen_core.schemas import MAX_GATE_REASON
from shoumen_gui.i18n import QT_TRANSLATE_NOOP
from shoumen_gui.services.gate import NO_GATE, NOT_PASS, OPENED, GateResult
from shoumen_gui.ui.plain import plain_label
from shoumen_gui.ui.texts import gate_words

GateCallback = Callable[[GateResult], None]
# Station.manual_open: (check id or None, reason, on_done on the GUI thread)
ManualGateOpener = Callable[[uuid.UUID | None, str, GateCallback], None]

QUICK_REASONS: Final = (
    QT_TRANSLATE_NOOP("shoumen", "工作人员核实放行"),
    QT_TRANSLATE_NOOP("shoumen", "设备故障"),
    QT_TRANSLATE_NOOP("shoumen", "紧急疏散"),
)
STATUS_CLEAR_MS: Final = 8000  # the no-check button's outcome leaves the screen after this

# The gate line's states (also the "gateState" property, for the style sheet).
PENDING: Final = "pending"
OPEN: Final = "opened"
CLOSED: Final = "closed"
WARNING: Final = "warning"

GATE_STYLES: Final = {
    PENDING: "color: #374151;",
    OPEN: "color: #166534; font-weight: bold;",
    CLOSED: "color: #374151; font-weight: bold;",
    # A gate that did not answer must catch the guard's eye: a framed, filled warning.
    WARNING: (
        "color: #7c2d12; background-color: #ffedd5; border: 2px solid #ea580c;"
        " border-radius: 6px; padding: 4px 8px; font-weight: bold;"
    ),
}


def _tr(text: str) -> str:
    return QCoreApplication.translate("GateControls", text)


def gate_line(outcome: GateResult, *, manual: bool = False) -> tuple[str, str]:
    """The gate line's text and state for a command's outcome ("" text: no gate, no line)."""
    if outcome.code == NO_GATE:
        return "", ""
    if outcome.code == OPENED and outcome.opened:
        return (_tr("已手动开闸") if manual else _tr("已开闸")), OPEN
    if outcome.code == NOT_PASS:
        return _tr("闸机保持关闭"), CLOSED
    return gate_words(
        outcome.code, outcome.message
    ), WARNING  # 闸机未响应（…）, a relay that did not reset, a refusal


def style_gate_label(label: QLabel, state: str) -> None:
    label.setProperty("gateState", state)
    label.setStyleSheet(GATE_STYLES.get(state, ""))


def normalise_reason(text: str) -> str:
    return " ".join(text.split())


class GateReasonDialog(QDialog):
    """Asks why the gate is opened by hand. OK stays disabled while the reason is empty."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("gateReasonDialog")
        self.setWindowTitle(self.tr("手动开闸"))
        self.setAccessibleName(self.tr("手动开闸原因"))
        prompt = plain_label(self.tr("请填写手动开闸的原因（与核验记录一起保存）："))
        prompt.setWordWrap(True)
        self.reason_input = QLineEdit()
        self.reason_input.setObjectName("gateReasonInput")
        self.reason_input.setAccessibleName(self.tr("开闸原因"))
        self.reason_input.setMaxLength(MAX_GATE_REASON)
        self.reason_input.setPlaceholderText(self.tr("例如：工作人员核实放行"))
        self.reason_input.textChanged.connect(self._update_ok)
        quick = QHBoxLayout()
        self.quick_buttons: list[QPushButton] = []
        for index, text in enumerate(QUICK_REASONS):
            words = self.tr(text)
            button = QPushButton(words)
            button.setObjectName(f"gateQuickReason{index}")
            button.setAccessibleName(self.tr("原因：{0}").format(words))
            button.setAutoDefault(False)
            button.clicked.connect(lambda _checked=False, reason=words: self.reason_input.setText(reason))
            quick.addWidget(button)
            self.quick_buttons.append(button)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText(self.tr("开闸"))
        self.ok_button.setObjectName("gateReasonOk")
        self.ok_button.setAccessibleName(self.tr("确认开闸"))
        cancel = self.buttons.button(QDialogButtonBox.StandardButton.Cancel)
        cancel.setText(self.tr("取消"))
        cancel.setObjectName("gateReasonCancel")
        self.buttons.accepted.connect(self._accept_if_given)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(prompt)
        layout.addWidget(self.reason_input)
        layout.addLayout(quick)
        layout.addWidget(self.buttons)
        self._update_ok()
        self.reason_input.setFocus()

    def reason(self) -> str:
        return normalise_reason(self.reason_input.text())

    @Slot()
    def _update_ok(self) -> None:
        self.ok_button.setEnabled(bool(self.reason()))

    @Slot()
    def _accept_if_given(self) -> None:
        if self.reason():  # Enter in the field also lands here
            self.accept()


def ask_gate_reason(
    parent: QWidget, on_reason: Callable[[str], None], on_closed: Callable[[], None] | None = None
) -> GateReasonDialog:
    """Open the reason dialog without waiting for it (window-modal); `on_reason` gets the reason
    after OK, `on_closed` runs after OK or cancel."""
    dialog = GateReasonDialog(parent)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.setWindowModality(Qt.WindowModality.WindowModal)

    def finished(code: int) -> None:
        reason = dialog.reason()
        if on_closed is not None:
            on_closed()
        if code == QDialog.DialogCode.Accepted and reason:
            on_reason(reason)

    dialog.finished.connect(finished)
    dialog.open()
    return dialog


class ManualGateControl(QWidget):
    """手动开闸 for a visitor without a check (the check page): shown only at a post with a gate
    and while a guard attends the station (never on an unattended kiosk)."""

    outcome_shown = Signal(object)  # GateResult

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("manualGateControl")
        self._opener: ManualGateOpener | None = None
        self._available = False
        self._attended = True
        self.reason_dialog: GateReasonDialog | None = None
        self.button = QPushButton(self.tr("手动开闸"))
        self.button.setObjectName("manualGateNoCheck")
        self.button.setAccessibleName(self.tr("手动开闸（无核验记录的访客）"))
        self.button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.button.clicked.connect(self._ask)
        self.status = plain_label()
        self.status.setObjectName("manualGateStatus")
        self.status.setAccessibleName(self.tr("手动开闸结果"))
        self.status.setWordWrap(True)
        self.clear_timer = QTimer(self)
        self.clear_timer.setSingleShot(True)
        self.clear_timer.setInterval(STATUS_CLEAR_MS)
        self.clear_timer.timeout.connect(self._clear_status)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.button)
        layout.addWidget(self.status, 1)
        self._update_visibility()

    def set_opener(self, opener: ManualGateOpener | None) -> None:
        self._opener = opener
        if opener is None:
            self._clear_status()
            self._close_dialog()

    def set_available(self, available: bool) -> None:
        """The post has a gate."""
        self._available = available
        self._update_visibility()

    @Slot(bool)
    def set_attended(self, attended: bool) -> None:
        self._attended = attended
        self._update_visibility()

    def _update_visibility(self) -> None:
        shown = self._available and self._attended
        self.setVisible(shown)
        if not shown:
            self._close_dialog()

    def _close_dialog(self) -> None:
        if self.reason_dialog is not None:
            self.reason_dialog.reject()

    @Slot()
    def _ask(self) -> None:
        if self._opener is None or self.reason_dialog is not None:
            return
        self.reason_dialog = ask_gate_reason(self, self._open, self._dialog_closed)

    def _dialog_closed(self) -> None:
        self.reason_dialog = None

    def _open(self, reason: str) -> None:
        opener = self._opener
        if opener is None:
            return
        self.button.setEnabled(False)
        self.clear_timer.stop()
        self.status.setText(self.tr("正在开闸…"))
        style_gate_label(self.status, PENDING)
        opener(None, reason, self._show_outcome)

    def _show_outcome(self, outcome: GateResult) -> None:
        self.button.setEnabled(True)
        text, state = gate_line(outcome, manual=True)
        self.status.setText(text)
        style_gate_label(self.status, state)
        self.clear_timer.start()
        self.outcome_shown.emit(outcome)

    @Slot()
    def _clear_status(self) -> None:
        self.clear_timer.stop()
        self.status.clear()
        style_gate_label(self.status, "")
