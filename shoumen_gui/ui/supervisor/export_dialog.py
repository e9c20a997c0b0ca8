"""导出核验记录 (for contact tracing): choose the days and the venues, CSV or XLSX, and where to
save. The file streams in on a worker; the dialog shows the bytes received and can cancel.
The backend audits every export."""

from __future__ import annotations

import logging
import threading
from datetime import date, timedelta
from pathlib import Path

from PySide6.QtCore import QDate, Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QDateEdit,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QListView,
    QProgressBar,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from shoumen_core.schemas import ExportFormat
from shoumen_gui.i18n import QT_TRANSLATE_NOOP
from shoumen_gui.ops import admin as admin_ops
from shoumen_gui.services.admin import AdminService, ExportCancelled, ExportResult, FileNotWritten
from shoumen_gui.tasks import TaskManager
from shoumen_gui.ui.supervisor.models import VenueChoiceModel
from shoumen_gui.ui.widgets import (
    SavePathAsker,
    ask_save_path,
    button,
    error_text,
    label,
    name_inner_controls,
    set_message,
)

log = logging.getLogger("shoumen.gui.export")

MAX_DAYS = 31  # the backend's limit
OFFLINE_HINT = QT_TRANSLATE_NOOP("shoumen", "当前离线：导出需要联网，请联网后重试")


def _qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


def _day(value: QDate) -> date:
    return date(value.year(), value.month(), value.day())


def _megabytes(count: int) -> str:
    return f"{count / 1_048_576:.1f} MB" if count >= 104_858 else f"{count / 1024:.0f} KB"


class ExportDialog(QDialog):
    def __init__(
        self,
        tasks: TaskManager,
        admin: AdminService,
        region_code: str,
        venues: list[tuple[int, str]],
        day: date,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("exportDialog")
        self.setAccessibleName(self.tr("导出核验记录"))
        self.setWindowTitle(self.tr("导出核验记录（流调溯源）"))
        self.tasks, self.admin, self.region_code = tasks, admin, region_code
        self.ask_save_path: SavePathAsker = ask_save_path
        self.outcome: ExportResult | None = None
        self._cancel = threading.Event()
        self._running = False

        self.start = self._date_edit("exportStart", self.tr("开始日期"), day - timedelta(days=13))
        self.end = self._date_edit("exportEnd", self.tr("结束日期"), day)
        self.venues = VenueChoiceModel(self)
        self.venues.set_venues(venues)
        self.venue_list = QListView()
        self.venue_list.setObjectName("exportVenues")
        self.venue_list.setAccessibleName(self.tr("要导出的场所"))
        self.venue_list.setModel(self.venues)
        self.all_venues = QCheckBox(self.tr("全部场所"))
        self.all_venues.setObjectName("exportAllVenues")
        self.all_venues.setAccessibleName(self.tr("全部场所"))
        self.all_venues.setChecked(True)
        self.all_venues.toggled.connect(self.venues.set_all)
        self.csv = QRadioButton(self.tr("CSV（表格软件通用）"))
        self.csv.setObjectName("exportCsv")
        self.csv.setAccessibleName(self.tr("CSV 格式"))
        self.xlsx = QRadioButton(self.tr("Excel（XLSX）"))
        self.xlsx.setObjectName("exportXlsx")
        self.xlsx.setAccessibleName(self.tr("Excel 格式"))
        self.xlsx.setChecked(True)
        self.path = QLineEdit()
        self.path.setObjectName("exportPath")
        self.path.setAccessibleName(self.tr("保存位置"))
        self.path.setPlaceholderText(self.tr("点“选择…”选择保存位置"))
        self.choose = button("exportChoosePath", self.tr("选择…"), self.tr("选择保存位置"))
        self.choose.clicked.connect(self.choose_path)
        self.progress = QProgressBar()
        self.progress.setObjectName("exportProgress")
        self.progress.setAccessibleName(self.tr("导出进度"))
        self.progress.hide()
        self.status = label("exportStatus", self.tr("导出状态"))
        self.run_button = button("exportRun", self.tr("开始导出"), role="primary")
        self.run_button.clicked.connect(self.run_export)
        self.cancel_button = button("exportCancel", self.tr("关闭"))
        self.cancel_button.clicked.connect(self.cancel_or_close)

        form = QFormLayout()
        dates = QHBoxLayout()
        dates.addWidget(self.start)
        dates.addWidget(label("exportTo", self.tr("至"), text=self.tr("至")))
        dates.addWidget(self.end)
        form.addRow(self.tr("日期范围"), dates)
        form.addRow(self.tr("场所"), self.all_venues)
        form.addRow("", self.venue_list)
        formats = QHBoxLayout()
        formats.addWidget(self.xlsx)
        formats.addWidget(self.csv)
        form.addRow(self.tr("格式"), formats)
        where = QHBoxLayout()
        where.addWidget(self.path, 1)
        where.addWidget(self.choose)
        form.addRow(self.tr("保存到"), where)
        actions = QHBoxLayout()
        actions.addStretch(1)
        actions.addWidget(self.cancel_button)
        actions.addWidget(self.run_button)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(
            label(
                "exportHint",
                self.tr("说明"),
                "hint",
                self.tr("导出内容为脱敏后的核验记录，每次导出都会记入审计日志。"),
            )
        )
        layout.addWidget(self.progress)
        layout.addWidget(self.status)
        layout.addLayout(actions)
        self.resize(560, 560)
        name_inner_controls(self)

    def _date_edit(self, name: str, accessible: str, day: date) -> QDateEdit:
        edit = QDateEdit(_qdate(day))
        edit.setObjectName(name)
        edit.setAccessibleName(accessible)
        edit.setCalendarPopup(True)
        edit.setDisplayFormat("yyyy-MM-dd")
        return edit

    @property
    def fmt(self) -> ExportFormat:
        return ExportFormat.CSV if self.csv.isChecked() else ExportFormat.XLSX

    @Slot()
    def choose_path(self) -> None:
        suffix = self.fmt.value
        suggested = f"守小门核验记录_{self.region_code}_{_day(self.start.date()):%Y%m%d}-{_day(self.end.date()):%Y%m%d}.{suffix}"
        path = self.ask_save_path(self, self.tr("保存导出文件"), suggested, f"{suffix.upper()} (*.{suffix})")
        if path is not None:
            self.path.setText(str(path.with_suffix(f".{suffix}")))

    def _checked(self) -> tuple[date, date, list[int], Path] | None:
        first, last = _day(self.start.date()), _day(self.end.date())
        venue_ids = self.venues.chosen()
        if last < first:
            set_message(self.status, self.tr("结束日期不能早于开始日期"), "error")
        elif (last - first).days + 1 > MAX_DAYS:
            set_message(self.status, self.tr("一次最多导出 {0} 天，请缩短日期范围").format(MAX_DAYS), "error")
        elif not venue_ids:
            set_message(self.status, self.tr("请至少选择一个场所"), "error")
        elif not self.path.text().strip():
            set_message(self.status, self.tr("请选择保存位置"), "error")
        else:
            return first, last, venue_ids, Path(self.path.text().strip())
        return None

    @Slot()
    def run_export(self) -> None:
        checked = self._checked()
        if checked is None or self._running:
            return
        first, last, venue_ids, path = checked
        everything = len(venue_ids) == len(self.venues.venues)
        admin, region, fmt, cancel = self.admin, self.region_code, self.fmt, self._cancel
        cancel.clear()
        self._set_running(True)
        set_message(self.status, self.tr("正在导出…"))

        def progress(received: int, total: int | None) -> None:  # worker thread
            self.tasks.call_in_gui(lambda: self._show_progress(received, total))

        def export() -> ExportResult:
            return admin.export_region(
                region,
                first,
                last,
                fmt,
                path,
                venue_ids=None if everything else venue_ids,
                on_progress=progress,
                cancelled=cancel.is_set,
            )

        admin_ops.request(export).success(self._on_done).failure(self._on_failed).run(self.tasks, self)

    def _show_progress(self, received: int, total: int | None) -> None:
        if not self._running:
            return
        if total:
            self.progress.setRange(0, 1000)
            self.progress.setValue(min(1000, received * 1000 // total))
        else:
            self.progress.setRange(0, 0)  # busy: the server streams without a length
        set_message(self.status, self.tr("已接收 {0}…").format(_megabytes(received)))

    def _on_done(self, result: ExportResult) -> None:
        self._set_running(False)
        self.outcome = result
        self.progress.setRange(0, 1)
        self.progress.setValue(1)
        set_message(
            self.status, self.tr("导出完成：{0}（{1}）").format(str(result.path), _megabytes(result.bytes))
        )

    def _on_failed(self, error: Exception) -> None:
        self._set_running(False)
        self.progress.hide()
        if isinstance(error, ExportCancelled):
            set_message(self.status, self.tr("导出已取消，未保存文件"))
            return
        set_message(self.status, error_text(error, self.tr(OFFLINE_HINT), self.admin), "error")
        if isinstance(error, FileNotWritten):  # choose another place: the button is the next step
            self.choose.setFocus()

    @Slot()
    def cancel_or_close(self) -> None:
        self.reject()

    def reject(self) -> None:
        """Escape, the window's close button or 取消导出: while running, cancel first (the
        worker stops at its next chunk and removes the partial file)."""
        if self._running:
            self._cancel.set()
            set_message(self.status, self.tr("正在取消…"))
            return
        super().reject()

    def _set_running(self, running: bool) -> None:
        self._running = running
        self.run_button.setEnabled(not running)
        for widget in (
            self.start,
            self.end,
            self.venue_list,
            self.all_venues,
            self.csv,
            self.xlsx,
            self.choose,
        ):
            widget.setEnabled(not running)
        self.cancel_button.setText(self.tr("取消导出") if running else self.tr("关闭"))
        if running:
            self.progress.setRange(0, 0)
            self.progress.show()
