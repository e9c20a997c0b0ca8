"""Issue 14 §3: when the window cannot start (a folder it must write to is unusable), the
message goes to stderr and into a plain dialog, and main() returns non-zero."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.qtbot import QtBot

from shoumen_gui.app import report_start_failure

MESSAGE = "守小门无法写入文件夹：/srv/<b>shoumen</b>（磁盘或文件夹是只读的）。"


def test_a_start_failure_is_shown_in_a_plain_dialog_and_on_stderr(
    qtbot: QtBot, capsys: pytest.CaptureFixture[str]
) -> None:
    seen: list[tuple[str, str, Qt.TextFormat]] = []

    def read_and_close() -> None:
        box = QApplication.activeModalWidget()
        assert isinstance(box, QMessageBox)
        seen.append((box.objectName(), box.text(), box.textFormat()))
        box.accept()

    QTimer.singleShot(0, read_and_close)
    assert report_start_failure(MESSAGE, dialog=True) == 2
    assert seen == [("startFailure", MESSAGE, Qt.TextFormat.PlainText)]  # a folder name is not markup
    assert capsys.readouterr().err == MESSAGE + "\n"
