# mypy: allow-untyped-calls
"""Logging never writes PII; Qt's messages reach the log; bugs reach the crash handler."""

from __future__ import annotations

import logging
import shutil
import sys
import threading
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import QMessageLogContext, QtMsgType
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from shoumen_core.identity import make_resident_id
from shoumen_gui.crash import CrashHandler
from shoumen_gui.logging_setup import qt_message_handler, redact, setup_logging, shutdown_logging

ID_NUMBER = "33062419850312101X"


@pytest.mark.parametrize(
    ("text", "hidden", "kept"),
    [
        (f"lookup of {ID_NUMBER} failed", ID_NUMBER, "lookup of <id-number> failed"),
        ("typed 330624198503121", "330624198503121", "typed <id-number>"),
        ("sms to 13900000002 sent", "13900000002", "sms to <phone> sent"),
        ("call +86 139 0000 0002", "139 0000 0002", "call <phone>"),
        ("Authorization: Bearer abc.DEF-123_x", "abc.DEF-123_x", "Bearer <token>"),
        ('{"token": "s3cr3t-T0ken"}', "s3cr3t-T0ken", '"token": "<redacted>"'),
        ("scanned SMHC1.eyJrIjoiazEifQ.c2lnbmF0dXJl", "eyJrIjoiazEifQ", "SMHC1.<code>"),
    ],
)
def test_redact_hides_personal_data(text: str, hidden: str, kept: str) -> None:
    out = redact(text)
    assert hidden not in out
    assert kept in out


def test_redact_leaves_ordinary_numbers_alone() -> None:
    text = "venue 12 checkpoint 3 pushed 500 rows in 0.25 s, port 41131, 2026-11-20"
    assert redact(text) == text


@pytest.fixture
def log_dir(tmp_path: Path) -> Iterator[Path]:
    folder = tmp_path / "logs"
    setup_logging(folder, to_stderr=False)
    yield folder
    shutdown_logging()


def test_log_file_gets_named_loggers_without_pii(log_dir: Path) -> None:
    number = make_resident_id("330624", date(1990, 7, 8), 112)
    logging.getLogger("shoumen.gui.test").warning("check of %s for phone %s", number, "13900000003")
    try:
        raise ValueError(f"bad number {number}")
    except ValueError:
        logging.getLogger("shoumen.gui.test").exception("failed")
    text = (log_dir / "shoumen.log").read_text(encoding="utf-8")
    assert "shoumen.gui.test" in text
    assert "check of <id-number> for phone <phone>" in text
    assert "bad number <id-number>" in text  # the traceback too
    assert number not in text and "13900000003" not in text


def test_qt_messages_are_routed_into_logging(log_dir: Path, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.DEBUG, logger="shoumen.qt"):
        qt_message_handler(QtMsgType.QtWarningMsg, QMessageLogContext(), "QPainter::begin: not active")
        qt_message_handler(QtMsgType.QtCriticalMsg, QMessageLogContext(), "something broke")
        qt_message_handler(QtMsgType.QtWarningMsg, QMessageLogContext(), "Couldn't load pipewire-0.3 library")
    levels = {record.getMessage(): record.levelno for record in caplog.records}
    assert levels["[qt] QPainter::begin: not active"] == logging.WARNING
    assert levels["[qt] something broke"] == logging.ERROR
    assert levels["[qt] Couldn't load pipewire-0.3 library"] == logging.DEBUG  # noise, demoted
    assert "QPainter::begin" in (log_dir / "shoumen.log").read_text(encoding="utf-8")


@pytest.fixture
def crash_handler(qtbot: QtBot, tmp_path: Path) -> Iterator[CrashHandler]:
    handler = CrashHandler(tmp_path / "logs")
    previous = sys.excepthook
    handler.install()
    yield handler
    handler.uninstall()
    assert sys.excepthook is previous
    if handler.dialog is not None:
        handler.dialog.close()
        handler.dialog.deleteLater()


def _raise(message: str) -> None:
    raise RuntimeError(message)


def test_unhandled_exception_writes_a_report_and_opens_a_dialog(
    crash_handler: CrashHandler, qtbot: QtBot, tmp_path: Path
) -> None:
    assert (tmp_path / "logs" / "faulthandler.log").exists()
    try:
        _raise(f"lookup of {ID_NUMBER} exploded")
    except RuntimeError:
        exc_type, exc, tb = sys.exc_info()
    assert exc_type is not None and exc is not None
    with qtbot.waitSignal(crash_handler.crashed, timeout=5000) as blocker:
        crash_handler.handle_exception(exc_type, exc, tb)
    report = Path(blocker.args[0])
    text = report.read_text(encoding="utf-8")
    assert "RuntimeError" in text and "_raise" in text
    assert ID_NUMBER not in text
    dialog = crash_handler.dialog
    assert isinstance(dialog, QMessageBox)
    assert dialog.objectName() == "crashDialog"
    assert dialog.isVisible()
    assert str(report) in dialog.informativeText()


def test_a_crash_report_that_cannot_be_written_still_tells_the_guard_in_words(
    crash_handler: CrashHandler, qtbot: QtBot, tmp_path: Path
) -> None:
    # The log folder became something the OS cannot write into (here a file of the same name):
    # the dialog still opens and says where and why, instead of the crash going to stderr only.
    logs = tmp_path / "logs"
    shutil.rmtree(logs)
    logs.write_text("not a folder", encoding="utf-8")
    try:
        _raise("disk trouble")
    except RuntimeError:
        exc_type, exc, tb = sys.exc_info()
    assert exc_type is not None and exc is not None
    with qtbot.waitSignal(crash_handler.crashed, timeout=5000) as blocker:
        crash_handler.handle_exception(exc_type, exc, tb)
    assert blocker.args == [""]  # no report file
    dialog = crash_handler.dialog
    assert isinstance(dialog, QMessageBox) and dialog.isVisible()
    assert f"错误报告无法保存到 {logs}（路径上有同名的文件）" in dialog.informativeText()


def test_exception_in_a_thread_reaches_the_gui_thread(crash_handler: CrashHandler, qtbot: QtBot) -> None:
    crash_handler.show_dialog = False
    seen_on: list[threading.Thread] = []
    crash_handler.crashed.connect(lambda _report: seen_on.append(threading.current_thread()))
    worker = threading.Thread(target=_raise, args=("worker failed",))
    with qtbot.waitSignal(crash_handler.crashed, timeout=5000):
        worker.start()
        worker.join()
    assert seen_on == [threading.main_thread()]
    assert crash_handler.dialog is None


def test_ctrl_c_ends_the_event_loop_even_with_a_locked_kiosk_window(
    crash_handler: CrashHandler, qtbot: QtBot
) -> None:
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from shoumen_gui.tasks import TaskManager
    from shoumen_gui.ui.main_window import MainWindow

    tasks = TaskManager()
    window = MainWindow(tasks)
    qtbot.addWidget(window)
    window.set_close_locked(True)  # a locked kiosk refuses every close a person asks for
    window.show()
    assert not window.close() and window.isVisible()
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    QTimer.singleShot(0, lambda: crash_handler.handle_exception(KeyboardInterrupt, KeyboardInterrupt(), None))
    refused = QTimer()  # still running after 3 s: Ctrl+C was refused
    refused.setSingleShot(True)
    refused.timeout.connect(lambda: app.exit(7))
    refused.start(3000)
    # The application's own loop, as in main(); exec() also clears the "quit now" state that
    # exit() leaves behind, which would otherwise end later tests' event loops at once.
    status = app.exec()
    refused.stop()  # or it would end a later test's event loop
    assert status == 0
    window.close_for_shutdown()
    tasks.shutdown()
