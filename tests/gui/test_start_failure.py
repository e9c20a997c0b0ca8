"""Issue 14 §3: when the window cannot start (a folder it must write to is unusable, the CA file
cannot be used), the message goes to stderr and into a plain dialog, and main() returns
non-zero. Issue 17 §5: the dialog speaks the app's language — the system's when the failure came
before the settings could be read."""

from __future__ import annotations

import errno
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.qtbot import QtBot

from shoumen_gui.app import report_start_failure
from shoumen_gui.i18n import install_translator
from shoumen_gui.paths import DataDirError, resources_dir
from shoumen_gui.services.errors import CaFileError

CJK = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f]")
FOLDER = Path("/srv/<b>shoumen</b>")


def read_only_folder() -> DataDirError:
    return DataDirError(FOLDER, OSError(errno.EROFS, "Read-only file system"), creating=False)


def shown(error: DataDirError | CaFileError) -> tuple[str, str, str, Qt.TextFormat]:
    seen: list[tuple[str, str, str, Qt.TextFormat]] = []

    def read_and_close() -> None:
        box = QApplication.activeModalWidget()
        assert isinstance(box, QMessageBox)
        seen.append((box.objectName(), box.windowTitle(), box.text(), box.textFormat()))
        box.accept()

    QTimer.singleShot(0, read_and_close)
    assert report_start_failure(error, dialog=True) == 2
    [answer] = seen
    return answer


@pytest.fixture
def english(qapp: QApplication) -> Iterator[None]:
    translator = install_translator(qapp, "en", resources_dir() / "translations")
    assert translator is not None
    qapp.setProperty("shoumen_translated", True)  # as app.install_translator marks it
    yield
    qapp.removeTranslator(translator)
    qapp.setProperty("shoumen_translated", False)


def test_a_start_failure_is_shown_in_a_plain_dialog_and_on_stderr(
    qtbot: QtBot, capsys: pytest.CaptureFixture[str], qapp: QApplication
) -> None:
    qapp.setProperty("shoumen_translated", True)  # Chinese chosen: no system language looked up
    try:
        name, title, text, text_format = shown(read_only_folder())
    finally:
        qapp.setProperty("shoumen_translated", False)
    message = "守小门无法写入文件夹：/srv/<b>shoumen</b>（磁盘或文件夹是只读的）。请检查这个文件夹的权限，或用 --data-dir 指定其他可写的文件夹。"
    assert (name, title, text, text_format) == (
        "startFailure",
        "守小门无法启动",
        message,
        Qt.TextFormat.PlainText,
    )
    assert capsys.readouterr().err == message + "\n"  # a folder name is not markup, nor on stderr


@pytest.mark.usefixtures("english")
def test_an_unusable_data_folder_is_said_in_english(qtbot: QtBot) -> None:
    _name, title, text, _format = shown(read_only_folder())
    assert title == "Shoumen cannot start"
    assert str(FOLDER) in text and "read-only" in text.lower()
    assert not CJK.search(title + text), text


@pytest.mark.usefixtures("english")
def test_an_unusable_ca_file_is_said_in_english(qtbot: QtBot, tmp_path: Path) -> None:
    from shoumen_gui.services.tls import server_verify

    missing = tmp_path / "county-ca.pem"
    with pytest.raises(CaFileError) as refused:
        server_verify(str(missing))
    _name, _title, text, _format = shown(refused.value)
    assert str(missing) in text and "--ca" in text
    assert not CJK.search(text), text
