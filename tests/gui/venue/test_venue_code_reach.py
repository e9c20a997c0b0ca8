# mypy: allow-untyped-calls
"""Issue 15 §2: the 场所码 panel shows the URL the code encodes and says, in words, when a
visitor's phone cannot (or should not) open it — the embedded demo backend's loopback address,
an intranet address, plain http — and the card, the exported poster and the printed poster
carry the same warning, so a demo poster cannot be taken for a real one.

Driven through the app on a real embedded backend whose public base URL each test chooses."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QImage
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QLabel, QWidget
from pytestqt.qtbot import QtBot

from shoumen_gui.embedded import EmbeddedBackend
from shoumen_gui.ui.venue.code_panel import VenueCodePanel
from tests.gui.conftest import OWNER_PHONE, LiveBackend, MakeApp, MemoryKeyring, StationApp, copy_embedded
from tests.gui.helpers import click, find
from tests.gui.venue.drive import decode_qr, open_admin_tab, open_workbench, render_pdf_page

DEMO = "此场所码仅供演示，访客手机无法打开"
PRIVATE = "此场所码指向内网地址，访客手机可能无法打开"
PLAIN_HTTP = "此场所码未使用 https，访客信息可能被窃听"
PUBLIC_HTTPS = "https://shoumen.example.gov.cn"


@pytest.fixture
def embedded(
    request: pytest.FixtureRequest, embedded_template: Path, tmp_path: Path
) -> Iterator[LiveBackend]:
    """The app's embedded backend; with a param, a server whose codes point at that base URL
    (as `serve --public-base-url` would make them), else at its own loopback address."""
    path = tmp_path / "server" / "embedded-server.db"
    path.parent.mkdir()
    copy_embedded(embedded_template, path)  # with its key folder
    options: dict[str, object] = {
        "sms_min_interval_seconds": 0,
        "sms_max_per_day": 1000,
        "sms_max_per_client_hour": 100_000,  # every test logs in from 127.0.0.1
    }
    base_url = getattr(request, "param", None)
    if base_url is not None:
        options["public_base_url"] = base_url
    backend = EmbeddedBackend(path, server_options=options)
    backend.start()
    yield LiveBackend(backend)
    backend.close()


def open_code_panel(qtbot: QtBot, make_station_app: MakeApp) -> tuple[StationApp, VenueCodePanel]:
    app = make_station_app()
    app.start()
    open_workbench(qtbot, app, OWNER_PHONE, "南门")
    open_admin_tab(qtbot, app.window, "场所码")
    panel = app.window.venue_admin.code
    url_label = find(panel, QLabel, "codeUrl")
    qtbot.waitUntil(lambda: "/v/" in url_label.text(), timeout=10_000)
    return app, panel


def pdf_text(path: Path) -> str:
    document = QPdfDocument()
    assert document.load(str(path)) == QPdfDocument.Error.None_, path
    text = "".join(document.getAllText(page).text() for page in range(document.pageCount()))
    document.close()
    return "".join(text.split())  # the PDF's own line breaks and spacing do not matter


def red_share(image: QImage, rows: int) -> float:
    """The share of pixels in the top `rows` rows that are the warning red."""
    red = QColor("#d0312d")
    hits = total = 0
    for y in range(0, rows, 4):
        for x in range(0, image.width(), 4):
            total += 1
            hits += image.pixelColor(x, y) == red
    return hits / total


def export_all(qtbot: QtBot, panel: VenueCodePanel, out: Path) -> tuple[QImage, Path, Path]:
    """保存图片, 导出海报 and 打印 (to a PDF printer, in place of the system dialog)."""
    png, poster, printed = out / "card.png", out / "poster.pdf", out / "printed.pdf"
    for path, name in ((png, "codeSavePng"), (poster, "codePoster")):
        panel.ask_save_path = lambda *_args, chosen=path: chosen
        with qtbot.waitSignal(panel.saved, timeout=10_000):
            click(qtbot, panel, name)

    def pdf_printer(_parent: QWidget) -> QPrinter:
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printer.setOutputFileName(str(printed))
        return printer

    panel.ask_printer = pdf_printer
    with qtbot.waitSignal(panel.printed, timeout=10_000):
        click(qtbot, panel, "codePrint")
    return QImage(str(png)), poster, printed


def test_the_demo_backends_venue_code_is_shown_with_its_url_and_marked_as_a_demo(
    qtbot: QtBot,
    make_station_app: MakeApp,
    embedded: LiveBackend,
    memory_keyring: MemoryKeyring,
    tmp_path: Path,
) -> None:
    _app, panel = open_code_panel(qtbot, make_station_app)
    url_label = find(panel, QLabel, "codeUrl")
    url = url_label.text()
    # The URL the QR encodes, shown as plain, selectable text: the embedded backend's own.
    assert url.startswith(f"{embedded.url}/v/") and embedded.url.startswith("http://127.0.0.1:")
    assert decode_qr(find(panel, QLabel, "codeImage").pixmap().toImage()) == [url]
    assert url_label.textFormat() == Qt.TextFormat.PlainText
    assert url_label.textInteractionFlags() & Qt.TextInteractionFlag.TextSelectableByMouse
    warning = find(panel, QLabel, "codeWarning")
    assert warning.text() == DEMO and warning.isVisible()

    card, poster, printed = export_all(qtbot, panel, tmp_path)
    assert decode_qr(card) == [url]
    assert red_share(card, 60) > 0.5  # the card's red band above the symbol (white words on it)
    for pdf in (poster, printed):
        text = pdf_text(pdf)
        assert "".join(DEMO.split()) in text and url in text
        image, _pages = render_pdf_page(pdf)
        assert decode_qr(image) == [url]  # the warning leaves the code readable


@pytest.mark.parametrize(
    ("embedded", "words"),
    [
        ("http://shoumen.example.gov.cn", PLAIN_HTTP),
        ("https://192.168.1.10", PRIVATE),
        ("https://shoumen.local:8443", PRIVATE),
    ],
    indirect=["embedded"],
)
def test_a_server_whose_codes_visitors_may_not_reach_is_named_on_the_panel_and_poster(
    qtbot: QtBot,
    make_station_app: MakeApp,
    embedded: LiveBackend,
    memory_keyring: MemoryKeyring,
    tmp_path: Path,
    words: str,
) -> None:
    _app, panel = open_code_panel(qtbot, make_station_app)
    url = find(panel, QLabel, "codeUrl").text()
    warning = find(panel, QLabel, "codeWarning")
    assert warning.text() == words and warning.isVisible()
    _card, poster, _printed = export_all(qtbot, panel, tmp_path)
    assert "".join(words.split()) in pdf_text(poster) and url in pdf_text(poster)


@pytest.mark.parametrize("embedded", [PUBLIC_HTTPS], indirect=True)
def test_a_server_with_a_public_https_base_url_shows_no_warning(
    qtbot: QtBot,
    make_station_app: MakeApp,
    embedded: LiveBackend,
    memory_keyring: MemoryKeyring,
    tmp_path: Path,
) -> None:
    _app, panel = open_code_panel(qtbot, make_station_app)
    url = find(panel, QLabel, "codeUrl").text()
    assert url.startswith(f"{PUBLIC_HTTPS}/v/")
    assert decode_qr(find(panel, QLabel, "codeImage").pixmap().toImage()) == [url]
    warning = find(panel, QLabel, "codeWarning")
    assert warning.text() == "" and not warning.isVisible()

    card, poster, printed = export_all(qtbot, panel, tmp_path)
    assert decode_qr(card) == [url] and red_share(card, 60) == 0
    for pdf in (poster, printed):
        text = pdf_text(pdf)
        assert url in text
        assert not any(marker in text for marker in ("此场所码", "访客手机"))
