"""场所码: the venue's code and each checkpoint's, with 保存图片 (a 300-dpi PNG card), 打印 (the
system print dialog) and 导出海报 (an A4 PDF poster). The owner uses it from 场所管理; a
supervisor uses it after registering a venue on an owner's behalf, to print the poster.

The panel shows the URL the code encodes and, in red, why visitors' phones may not open it
(loopback — the embedded demo backend —, an intranet address, plain http); the card and the
poster carry the same warning, so a demo poster cannot be mistaken for a real one.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QPixmap
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import QComboBox, QDialog, QHBoxLayout, QVBoxLayout, QWidget

from shoumen_core.schemas import VenueCodeOut, VenueOut
from shoumen_core.timeutil import local_day, utcnow
from shoumen_gui.i18n import QT_TRANSLATE_NOOP
from shoumen_gui.ops import local as local_ops
from shoumen_gui.paths import file_message
from shoumen_gui.services.admin import AdminService
from shoumen_gui.tasks import TaskManager
from shoumen_gui.ui.venue.poster import PosterInfo, print_poster, reach_warning, write_poster
from shoumen_gui.ui.venue.qr import qr_image, save_code_png
from shoumen_gui.ui.widgets import (
    SavePathAsker,
    ask_save_path,
    button,
    error_text,
    label,
    run_online,
    set_message,
    tr,
)

if TYPE_CHECKING:
    from shoumen_gui.ui.venue.poster import PosterInfo

log = logging.getLogger("shoumen.gui.venue_code")

OFFLINE_HINT = QT_TRANSLATE_NOOP("shoumen", "无法连接服务器：取得场所码需要联网，请联网后重试")
_UNSAFE = re.compile(r'[\\/:*?"<>|\s]+')

PrinterAsker = Callable[[QWidget], QPrinter | None]


def ask_printer(parent: QWidget) -> QPrinter | None:
    """The system print dialog; None when the person cancels."""
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    dialog = QPrintDialog(printer, parent)
    dialog.setWindowTitle(tr("打印场所码"))
    return printer if dialog.exec() == QDialog.DialogCode.Accepted else None


class VenueCodePanel(QWidget):
    saved = Signal(str)  # the path of a PNG or poster written
    printed = Signal()

    def __init__(self, tasks: TaskManager, prefix: str = "code", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(f"{prefix}Panel")
        self.setAccessibleName(self.tr("场所码"))
        self.tasks = tasks
        self.admin: AdminService | None = None
        self.venue: VenueOut | None = None
        self.code: VenueCodeOut | None = None
        self.ask_save_path: SavePathAsker = ask_save_path
        self.ask_printer: PrinterAsker = ask_printer

        self.target = QComboBox()
        self.target.setObjectName(f"{prefix}Target")
        self.target.setAccessibleName(self.tr("选择场所码"))
        self.target.currentIndexChanged.connect(self._load_code)
        self.image = label(f"{prefix}Image", self.tr("场所码图片"))
        self.image.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.image.setMinimumSize(280, 280)
        self.url = label(f"{prefix}Url", self.tr("场所码链接"), "hint")
        self.url.setTextFormat(Qt.TextFormat.PlainText)  # the server's words, never markup
        self.url.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.url.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.warning = label(f"{prefix}Warning", self.tr("场所码警告"), "error")
        self.warning.setTextFormat(Qt.TextFormat.PlainText)
        self.warning.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.warning.hide()
        self.message = label(f"{prefix}Message", self.tr("场所码提示"))
        self.save_png = button(f"{prefix}SavePng", self.tr("保存图片"))
        self.print_button = button(f"{prefix}Print", self.tr("打印"))
        self.poster = button(f"{prefix}Poster", self.tr("导出海报"), role="primary")
        self.save_png.clicked.connect(self.save_image)
        self.print_button.clicked.connect(self.print_code)
        self.poster.clicked.connect(self.export_poster)
        actions = QHBoxLayout()
        actions.addStretch(1)
        for widget in (self.save_png, self.print_button, self.poster):
            actions.addWidget(widget)
        layout = QVBoxLayout(self)
        layout.addWidget(self.target)
        layout.addWidget(self.image, 1)
        layout.addWidget(self.url)
        layout.addWidget(self.warning)
        layout.addLayout(actions)
        layout.addWidget(self.message)
        self._set_ready(False)

    def load(self, admin: AdminService, venue: VenueOut) -> None:
        """Show the codes of `venue`: the whole venue first, then each active checkpoint."""
        self.admin, self.venue, self.code = admin, venue, None
        self.target.blockSignals(True)
        self.target.clear()
        self.target.addItem(self.tr("整个场所（{0}）").format(venue.name), None)
        for checkpoint in venue.checkpoints:
            if checkpoint.active:
                self.target.addItem(self.tr("检查点：{0}").format(checkpoint.name), checkpoint.id)
        self.target.blockSignals(False)
        self.target.setCurrentIndex(0)
        self._load_code()

    def clear(self) -> None:
        self.admin, self.venue, self.code = None, None, None
        self.target.clear()
        self.image.clear()
        self.url.clear()
        self._show_warning("")
        set_message(self.message, "")
        self._set_ready(False)

    # --- loading ------------------------------------------------------------------------------

    @Slot()
    def _load_code(self) -> None:
        admin, venue = self.admin, self.venue
        if admin is None or venue is None or self.target.count() == 0:
            return
        checkpoint_id = self.target.currentData()
        self._set_ready(False)
        set_message(self.message, self.tr("正在取得场所码…"))
        run_online(
            self.tasks,
            self.message,
            lambda: admin.venue_code(venue.id, checkpoint_id),
            self._on_code,
            self._on_failed,
        )

    def _on_code(self, code: VenueCodeOut) -> None:
        if (
            self.venue is None
            or code.venue_id != self.venue.id
            or code.checkpoint_id != self.target.currentData()
        ):
            return  # an answer for a choice the person already left
        self.code = code
        # qrcode and PIL (~0.1 s) only once a code is shown, not at start-up (issue 18 §3)

        self.image.setPixmap(QPixmap.fromImage(qr_image(code.url, 6)))
        self.url.setText(code.url)
        self._show_warning(reach_warning(code.url))
        set_message(self.message, "")
        self._set_ready(True)

    def _show_warning(self, text: str) -> None:
        self.warning.setText(text)
        self.warning.setVisible(bool(text))

    def _on_failed(self, error: Exception) -> None:
        set_message(self.message, error_text(error, self.tr(OFFLINE_HINT), self.admin), "error")

    # --- output ---------------------------------------------------------------------------------

    def poster_info(self) -> PosterInfo:
        from shoumen_gui.ui.venue.poster import PosterInfo

        assert self.venue is not None and self.code is not None
        checkpoint = (
            self.target.currentText().removeprefix(self.tr("检查点：")) if self.code.checkpoint_id else None
        )
        return PosterInfo(
            venue_name=self.venue.name,
            address=self.venue.address,
            unit_type_name=self.venue.unit_type_name,
            url=self.code.url,
            day=local_day(utcnow()),
            checkpoint_name=checkpoint,
        )

    def _suggested(self, suffix: str) -> str:
        info = self.poster_info()
        parts = [info.venue_name, info.checkpoint_name or "", suffix]
        return _UNSAFE.sub("_", "_".join(p for p in parts if p))

    @Slot()
    def save_image(self) -> None:
        if self.code is None:
            return
        path = self.ask_save_path(
            self,
            self.tr("保存场所码图片"),
            self._suggested(QT_TRANSLATE_NOOP("shoumen", "场所码.png")),
            "PNG (*.png)",
        )
        if path is None:
            return

        info = self.poster_info()
        title = info.venue_name
        subtitle, warning = info.checkpoint_name or "", info.warning
        self._write(
            lambda: save_code_png(path, info.url, title, subtitle, warning=warning),
            path,
            QT_TRANSLATE_NOOP("shoumen", "图片"),
        )

    @Slot()
    def export_poster(self) -> None:
        if self.code is None:
            return
        path = self.ask_save_path(
            self,
            self.tr("导出场所码海报"),
            self._suggested(QT_TRANSLATE_NOOP("shoumen", "场所码海报.pdf")),
            "PDF (*.pdf)",
        )
        if path is None:
            return

        info = self.poster_info()
        self._write(lambda: write_poster(path, info), path, QT_TRANSLATE_NOOP("shoumen", "海报"))

    def _write(self, write: Callable[[], None], path: Path, what: str) -> None:
        """Paint and save on a worker (QPainter on a QImage or QPdfWriter is thread-safe)."""
        set_message(self.message, self.tr("正在保存…"))

        def failed(error: Exception) -> None:
            if not isinstance(error, OSError):
                raise error
            log.warning("could not write the %s: %s (errno %s)", what, type(error).__name__, error.errno)
            set_message(self.message, file_message(path, error), "error")

        def saved(_: object) -> None:
            set_message(self.message, self.tr("已保存{0}：{1}").format(self.tr(what), str(path)))
            self.saved.emit(str(path))

        local_ops.write_file(write).success(saved).failure(failed).run(self.tasks, self)

    @Slot()
    def print_code(self) -> None:
        if self.code is None:
            return
        printer = self.ask_printer(self)
        if printer is None:
            return

        try:
            print_poster(printer, self.poster_info())
        except OSError:
            set_message(self.message, self.tr("无法打印：打印机不可用"), "error")
            return
        set_message(self.message, self.tr("已发送到打印机"))
        self.printed.emit()

    def _set_ready(self, ready: bool) -> None:
        for widget in (self.save_png, self.print_button, self.poster):
            widget.setEnabled(ready)
