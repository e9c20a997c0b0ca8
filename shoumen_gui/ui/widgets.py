"""Small pieces the screens share (admin pages, login, settings, statistics): labelled
widgets, calm error messages, confirmation boxes that do not block (a person — or a test —
clicks their buttons), and the save-file question (the OS dialog: the one outside boundary a
test replaces)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QCoreApplication, Qt, QTimer
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractSpinBox,
    QFileDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QWidget,
)

from shoumen_gui.i18n import QT_TRANSLATE_NOOP
from shoumen_gui.ops import admin as admin_ops
from shoumen_gui.services.errors import OfflineError, ServiceError
from shoumen_gui.ui.plain import plain_label
from shoumen_gui.ui.texts import error_words

if TYPE_CHECKING:
    from shoumen_gui.services.admin import AdminService
    from shoumen_gui.tasks import TaskManager

SavePathAsker = Callable[[QWidget, str, str, str], Path | None]  # parent, caption, suggested, filter


def tr(text: str) -> str:
    return QCoreApplication.translate("shoumen", text)


def label(name: str, accessible: str, role: str = "", text: str = "") -> QLabel:
    widget = plain_label(text)
    widget.setObjectName(name)
    widget.setAccessibleName(accessible)
    widget.setWordWrap(True)
    if role:
        widget.setProperty("role", role)
    return widget


def button(name: str, text: str, accessible: str = "", role: str = "") -> QPushButton:
    widget = QPushButton(text)
    widget.setObjectName(name)
    widget.setAccessibleName(accessible or text)
    if role:
        widget.setProperty("role", role)
    return widget


def set_message(widget: QLabel, text: str, role: str = "info") -> None:
    """Show `text` in an error (red) or info (blue) style."""
    widget.setProperty("role", role)
    widget.setText(text)
    widget.style().unpolish(widget)
    widget.style().polish(widget)


# A request that has not been answered after this long says so (a weak 4G link, a busy
# server): "正在连接…", never 离线 — offline is what the shared connectivity state says.
SLOW_AFTER_MS = 1500
CONNECTING = QT_TRANSLATE_NOOP("shoumen", "正在连接…（服务器响应较慢，请稍候）")
SLOW_FAILED = QT_TRANSLATE_NOOP("shoumen", "正在连接…：服务器这次没有及时响应，操作未完成，请稍后重试")


def error_text(error: Exception, offline_hint: str, admin: AdminService | None) -> str:
    """The words for a failed online-only action; a non-service error is a bug and is raised.

    A request that got no answer says "当前离线" only when the station's connectivity state (the
    one the status bar shows, fed by every request) says offline; one slow or lost request on
    a link that is otherwise up reads as 正在连接… (issue 16 §6)."""
    if not isinstance(error, ServiceError):
        raise error
    if isinstance(error, OfflineError):
        if admin is not None and admin.connectivity.online:
            return tr(SLOW_FAILED)
        return offline_hint
    return error_words(error)


def run_locked(
    tasks: TaskManager,
    message: QLabel,
    request: Callable[[], Any],
    on_success: Callable[[Any], None],
    *,
    set_enabled: Callable[[bool], None],
    offline_hint: str,
    admin: AdminService | None,
) -> None:
    """run_online for a panel's action: its buttons off (`set_enabled(False)`) until the answer
    comes; a failure is said in `message` (error_text with the panel's offline hint)."""
    set_enabled(False)

    def succeeded(result: Any) -> None:
        set_enabled(True)
        on_success(result)

    def failed(error: Exception) -> None:
        set_enabled(True)
        set_message(message, error_text(error, offline_hint, admin), "error")

    run_online(tasks, message, request, succeeded, failed)


def run_online(
    tasks: TaskManager,
    message: QLabel,
    request: Callable[[], Any],
    on_success: Callable[[Any], None],
    on_failure: Callable[[Exception], None],
) -> None:
    """An admin client request (ops.admin: the NETWORK pool), and while the answer is late
    `message` says 正在连接… (cleared again when the answer comes, before the caller shows its
    own words). The answer is dropped when `message` (its page) was deleted meanwhile."""
    timer = QTimer(message)
    timer.setSingleShot(True)
    timer.timeout.connect(lambda: set_message(message, tr(CONNECTING)))
    timer.start(SLOW_AFTER_MS)

    def finish() -> None:
        timer.stop()
        timer.deleteLater()
        if message.text() == tr(CONNECTING):
            set_message(message, "")

    def succeeded(answer: Any) -> None:
        finish()
        on_success(answer)

    def failed(error: Exception) -> None:
        finish()
        on_failure(error)

    admin_ops.request(request).success(succeeded).failure(failed).run(tasks, message)


def confirm(
    parent: QWidget, name: str, title: str, text: str, yes: str, on_yes: Callable[[], None]
) -> QMessageBox:
    """A non-blocking question: `on_yes` runs when the person clicks `yes`."""
    box = QMessageBox(QMessageBox.Icon.Question, title, text, QMessageBox.StandardButton.NoButton, parent)
    box.setTextFormat(Qt.TextFormat.PlainText)  # the text names people and venues as typed
    box.setObjectName(name)
    box.setAccessibleName(title)
    accept = box.addButton(yes, QMessageBox.ButtonRole.AcceptRole)
    accept.setObjectName(f"{name}Yes")
    cancel = box.addButton(tr("取消"), QMessageBox.ButtonRole.RejectRole)
    cancel.setObjectName(f"{name}No")
    box.setDefaultButton(cancel)

    def answered() -> None:
        box.setObjectName("")  # answered: no longer the open question of that name
        if box.clickedButton() is accept:
            on_yes()
        box.deleteLater()

    box.finished.connect(answered)
    box.open()
    return box


def ask_save_path(parent: QWidget, caption: str, suggested: str, file_filter: str) -> Path | None:
    """The system's save dialog; None when the person cancels."""
    chosen, _ = QFileDialog.getSaveFileName(parent, caption, suggested, file_filter)
    return Path(chosen) if chosen else None


_INTERNAL_NAMES = {
    "qt_tableview_cornerbutton": QT_TRANSLATE_NOOP("shoumen", "全选"),
    "ScrollLeftButton": QT_TRANSLATE_NOOP("shoumen", "向左滚动"),
    "ScrollRightButton": QT_TRANSLATE_NOOP("shoumen", "向右滚动"),
}


def name_inner_controls(root: QWidget) -> None:
    """Chinese accessible names for the buttons and fields Qt makes inside tables, tab bars and
    spin boxes (screen readers would otherwise read English or nothing)."""
    for control in root.findChildren(QAbstractButton):
        words = _INTERNAL_NAMES.get(control.objectName())
        if words:
            control.setAccessibleName(tr(words))
    for spin in root.findChildren(QAbstractSpinBox):
        inner = spin.findChild(QLineEdit)
        if inner is not None:
            inner.setAccessibleName(spin.accessibleName())
