# mypy: allow-untyped-calls
"""场所码 files to places the OS refuses (issue 16 §7): the panel says where and why in words,
and the person chooses again (the same buttons work at once)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QLabel, QPushButton
from pytestqt.qtbot import QtBot

from tests.gui.conftest import OWNER_PHONE, MakeApp, MemoryKeyring
from tests.gui.helpers import click, find
from tests.gui.venue.drive import open_admin_tab, open_workbench


def test_a_code_image_or_poster_that_cannot_be_written_says_why(
    qtbot: QtBot, make_station_app: MakeApp, memory_keyring: MemoryKeyring, tmp_path: Path
) -> None:
    app = make_station_app()
    app.start()
    window = app.window
    open_workbench(qtbot, app, OWNER_PHONE, "南门")
    open_admin_tab(qtbot, window, "场所码")
    panel = window.venue_admin.code
    message = find(panel, QLabel, "codeMessage")
    qtbot.waitUntil(lambda: "/v/" in find(panel, QLabel, "codeUrl").text(), timeout=10_000)

    panel.ask_save_path = lambda *_args: Path("/proc/nope/场所码.png")  # no such folder
    click(qtbot, panel, "codeSavePng")
    qtbot.waitUntil(lambda: message.text().startswith("无法保存"), timeout=10_000)
    assert message.text() == "无法保存到 /proc/nope/场所码.png（文件夹不存在），请选择其他位置后重试。"
    assert message.property("role") == "error"

    a_file = tmp_path / "not-a-folder"
    a_file.write_text("x")
    panel.ask_save_path = lambda *_args: a_file / "海报.pdf"  # a file where a folder should be
    click(qtbot, panel, "codePoster")
    qtbot.waitUntil(lambda: "海报.pdf" in message.text(), timeout=10_000)
    assert message.text() == f"无法保存到 {a_file / '海报.pdf'}（路径上有同名的文件），请选择其他位置后重试。"

    # Chosen again: saved.
    assert find(panel, QPushButton, "codePoster").isEnabled()
    poster = tmp_path / "海报.pdf"
    panel.ask_save_path = lambda *_args: poster
    with qtbot.waitSignal(panel.saved, timeout=10_000):
        click(qtbot, panel, "codePoster")
    assert poster.stat().st_size > 0 and message.text() == f"已保存海报：{poster}"
