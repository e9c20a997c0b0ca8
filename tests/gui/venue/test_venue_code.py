# mypy: allow-untyped-calls
"""场所码: the code of the venue and of each checkpoint; 保存图片 (300 dpi PNG), 导出海报 (A4 PDF)
and 打印 (to a PDF printer here) — each output is read back and its QR decoded."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from PySide6.QtGui import QImage
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QComboBox, QLabel, QWidget
from pytestqt.qtbot import QtBot

from shoumen_core.codes import parse_venue_code
from shoumen_gui.ui.venue.poster import PosterInfo, write_poster
from shoumen_server.keys import KeyStore
from tests.gui.conftest import OWNER_PHONE, LiveBackend, MakeApp, MemoryKeyring
from tests.gui.helpers import click, find
from tests.gui.venue.drive import database, decode_qr, open_admin_tab, open_workbench, render_pdf_page

URL = "https://shoumen.example/v/AbCdEfGh.1234567890"


def test_poster_qr_decodes_from_a_150_dpi_rendering(qtbot: QtBot, tmp_path: Path) -> None:
    path = tmp_path / "poster.pdf"
    info = PosterInfo(
        "新昌县人民医院", "浙江省绍兴市新昌县人民中路 117 号", "医疗机构", URL, date(2026, 11, 20), "南门"
    )
    write_poster(path, info)
    image, pages = render_pdf_page(path)
    assert pages == 1
    assert (image.width(), image.height()) == (1240, 1754)  # A4 at 150 dpi
    assert decode_qr(image) == [URL]
    raw = path.read_bytes()
    assert b"WenQuanYi" in raw  # the CJK font is embedded, so the Chinese prints everywhere


def test_owner_saves_prints_and_exports_the_codes(
    qtbot: QtBot,
    make_station_app: MakeApp,
    embedded: LiveBackend,
    memory_keyring: MemoryKeyring,
    tmp_path: Path,
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    app = make_station_app()
    app.start()
    window = app.window
    open_workbench(qtbot, app, OWNER_PHONE, "南门")
    open_admin_tab(qtbot, window, "场所码")
    panel = window.venue_admin.code
    url_label = find(panel, QLabel, "codeUrl")
    qtbot.waitUntil(lambda: "/v/" in url_label.text(), timeout=10_000)
    targets = find(panel, QComboBox, "codeTarget")
    assert [targets.itemText(i) for i in range(targets.count())] == [
        "整个场所（新昌县人民医院）",
        "检查点：南门",
        "检查点：北门",
        "检查点：急诊",
    ]
    venue_url = url_label.text()
    assert decode_qr(find(panel, QLabel, "codeImage").pixmap().toImage()) == [venue_url]

    # Each checkpoint has its own signed code, naming the same venue.
    targets.setCurrentIndex(2)
    qtbot.waitUntil(lambda: url_label.text() not in ("", venue_url), timeout=10_000)
    north_url = url_label.text()
    with database(embedded) as session:
        secret = KeyStore.load(session).venue_secret
    venue_ref, north_ref = parse_venue_code(venue_url, secret), parse_venue_code(north_url, secret)
    assert venue_ref.venue_id == north_ref.venue_id == app.station.post.venue_id
    north = next(c for c in app.station.post.venue.checkpoints if c.name == "北门")
    assert (venue_ref.checkpoint_id, north_ref.checkpoint_id) == (None, north.id)

    # 保存图片: the system dialog is the one thing replaced; the file is real.
    png = out / "北门.png"
    panel.ask_save_path = lambda *_args: png
    with qtbot.waitSignal(panel.saved, timeout=10_000):
        click(qtbot, panel, "codeSavePng")
    card = QImage(str(png))
    assert round(card.dotsPerMeterX() * 0.0254) == 300
    assert card.width() >= 900  # 8 cm at 300 dpi
    assert decode_qr(card) == [north_url]
    assert find(panel, QLabel, "codeMessage").text() == f"已保存图片：{png}"

    # 导出海报: an A4 PDF whose QR decodes to the checkpoint's code URL at 150 dpi.
    poster = out / "poster.pdf"
    panel.ask_save_path = lambda *_args: poster
    with qtbot.waitSignal(panel.saved, timeout=10_000):
        click(qtbot, panel, "codePoster")
    image, _pages = render_pdf_page(poster)
    assert decode_qr(image) == [north_url]

    # 打印: the chosen printer gets the same poster (a PDF printer stands in for the dialog).
    printed = out / "printed.pdf"

    def pdf_printer(_parent: QWidget) -> QPrinter:
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printer.setOutputFileName(str(printed))
        return printer

    panel.ask_printer = pdf_printer
    with qtbot.waitSignal(panel.printed, timeout=10_000):
        click(qtbot, panel, "codePrint")
    image, pages = render_pdf_page(printed)
    assert pages == 1 and decode_qr(image) == [north_url]

    # Cancelling the dialog writes nothing.
    panel.ask_save_path = lambda *_args: None
    click(qtbot, panel, "codePoster")
    assert sorted(p.name for p in out.iterdir()) == ["poster.pdf", "printed.pdf", "北门.png"]
