"""The crash handler: bugs are logged, written to a report and shown in a dialog.

After qutebrowser's `misc/crashsignal.py`. Errors a person can act on (offline, rejected input)
never get here; they become calm messages where they happen. Everything else — an exception
nobody caught, on any thread — lands here: the traceback goes to the log and a crash report
(both through the PII filter), and a dialog opens on the GUI thread. `faulthandler` writes
hard crashes (segfaults in native code) to a file in the log folder.
"""

from __future__ import annotations

import faulthandler
import logging
import sys
import threading
import traceback
from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import IO

from PySide6.QtCore import QObject, Signal, Slot
from PySide6.QtWidgets import QApplication, QMessageBox

from shoumen_gui.logging_setup import redact

log = logging.getLogger("shoumen.gui.crash")


class CrashHandler(QObject):
    """Install once, from the GUI thread, after logging is set up."""

    crashed = Signal(str)  # the report file, emitted on the GUI thread

    _show_requested = Signal(str, str)  # the report file ("" when none), why it is missing

    def __init__(self, log_dir: Path, *, show_dialog: bool = True, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.log_dir = log_dir
        self.show_dialog = show_dialog
        self.dialog: QMessageBox | None = None
        self._fault_file: IO[str] | None = None
        self._previous_hook = sys.excepthook
        self._previous_thread_hook = threading.excepthook
        self._handling = False
        self._show_requested.connect(self._on_show_requested)  # queued when emitted off-thread

    def install(self) -> None:
        self.log_dir.mkdir(parents=True, exist_ok=True)
        self._fault_file = (self.log_dir / "faulthandler.log").open("a", encoding="utf-8")
        faulthandler.enable(self._fault_file, all_threads=True)
        self._previous_hook = sys.excepthook
        self._previous_thread_hook = threading.excepthook
        sys.excepthook = self.handle_exception
        threading.excepthook = self._handle_thread_exception

    def uninstall(self) -> None:
        sys.excepthook = self._previous_hook
        threading.excepthook = self._previous_thread_hook
        if self._fault_file is not None:
            faulthandler.disable()
            self._fault_file.close()
            self._fault_file = None

    def handle_exception(
        self, exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None
    ) -> None:
        if issubclass(exc_type, KeyboardInterrupt):
            app = QApplication.instance()
            if app is not None:
                # exit(), not quit(): quit() asks the windows, and a locked kiosk window refuses
                # to close; Ctrl+C in the terminal is an administrator's stop and always ends.
                app.exit(0)
            return
        if self._handling:  # the handler itself failed: do not loop
            sys.__excepthook__(exc_type, exc, tb)
            return
        self._handling = True
        try:
            log.critical("unhandled exception", exc_info=(exc_type, exc, tb))
            try:
                report, problem = str(self.write_report(exc_type, exc, tb)), ""
            except OSError as error:  # a full disk or a log folder gone read-only: still tell the guard
                log.warning("crash report not written: %s (errno %s)", type(error).__name__, error.errno)
                report, problem = "", _why(error)
            self._show_requested.emit(report, problem)
        except Exception:
            sys.__excepthook__(exc_type, exc, tb)
        finally:
            self._handling = False

    def _handle_thread_exception(self, args: threading.ExceptHookArgs) -> None:
        if args.exc_value is None:
            return
        self.handle_exception(args.exc_type, args.exc_value, args.exc_traceback)

    def write_report(
        self, exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None
    ) -> Path:
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S-%f")
        path = self.log_dir / f"crash-{stamp}.txt"
        body = "".join(traceback.format_exception(exc_type, exc, tb))
        header = f"Shoumen crash report {datetime.now().isoformat(timespec='seconds')}\n"
        header += f"Python {sys.version.split()[0]} on {sys.platform}\n\n"
        path.write_text(redact(header + body), encoding="utf-8")
        return path

    @Slot(str, str)
    def _on_show_requested(self, report: str, problem: str) -> None:
        self.crashed.emit(report)
        if not self.show_dialog:
            return
        box = QMessageBox(
            QMessageBox.Icon.Critical, self.tr("程序出现错误"), self.tr("程序出现了一个意外错误。")
        )
        box.setObjectName("crashDialog")
        box.setAccessibleName(self.tr("程序错误"))
        if report:
            where = self.tr("错误已记录到：\n{0}").format(report)
        else:
            where = self.tr("错误报告无法保存到 {0}（{1}），请检查磁盘空间和文件夹权限。").format(
                self.log_dir, problem
            )
        box.setInformativeText(
            where + self.tr("\n\n您可以继续使用。如果问题反复出现，请重启程序，并联系技术支持。")
        )
        box.setStandardButtons(QMessageBox.StandardButton.Ok)
        box.button(QMessageBox.StandardButton.Ok).setText(self.tr("继续使用"))
        box.open()  # not exec(): no nested event loop
        self.dialog = box


def _why(error: OSError) -> str:
    from shoumen_gui.ui.texts import os_reason_words  # the dialog's language (issue 17 §5)

    return os_reason_words(error)
