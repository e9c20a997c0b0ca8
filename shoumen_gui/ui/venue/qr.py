"""The venue code as a QR symbol: drawn from its module matrix, so it is sharp at any size —
on screen, in a PNG at print resolution, in a PDF poster and on a printer."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QByteArray, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QImage, QImageWriter, QPainter

QUIET_ZONE = 4  # modules of white around the symbol (ISO/IEC 18004)
PRINT_DPI = 300
CARD_QR_MM = 80.0
CJK_FONT = "WenQuanYi Micro Hei"
WARNING_RED = QColor("#d0312d")  # the style sheet's error red


def qr_matrix(text: str) -> list[list[bool]]:
    """The modules of `text` (error correction M), with the quiet zone included."""
    # Here, not at the top: qrcode brings Pillow (~0.1 s), and the panels that can show a code
    # are built with the window; a station that never shows one never loads it (issue 18 §3).
    import qrcode
    import qrcode.constants

    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=QUIET_ZONE)
    code.add_data(text)
    code.make(fit=True)
    return [list(row) for row in code.get_matrix()]


def paint_qr(painter: QPainter, rect: QRectF, matrix: list[list[bool]]) -> None:
    """Fill `rect` (made square, centred) with the symbol: a white ground, black modules."""
    count = len(matrix)
    side = min(rect.width(), rect.height())
    module = side / count
    left = rect.left() + (rect.width() - side) / 2
    top = rect.top() + (rect.height() - side) / 2
    painter.save()
    painter.setPen(Qt.PenStyle.NoPen)
    painter.fillRect(QRectF(left, top, side, side), QColor("white"))
    painter.setBrush(QColor("black"))
    for y, row in enumerate(matrix):
        x = 0
        while x < count:
            if not row[x]:
                x += 1
                continue
            start = x
            while x < count and row[x]:
                x += 1
            # One rectangle per run, slightly overlapping: no hairline gaps when scaled.
            painter.drawRect(
                QRectF(left + start * module, top + y * module, (x - start) * module + 0.01, module + 0.01)
            )
    painter.restore()


def qr_image(text: str, module_px: int = 8) -> QImage:
    """The symbol as an image with whole-pixel modules (crisp for scanners)."""
    matrix = qr_matrix(text)
    side = len(matrix) * module_px
    image = QImage(side, side, QImage.Format.Format_RGB32)
    image.fill(QColor("white"))
    painter = QPainter(image)
    paint_qr(painter, QRectF(0, 0, side, side), matrix)
    painter.end()
    return image


def cjk_font(point_size: float, *, bold: bool = False) -> QFont:
    font = QFont(CJK_FONT)
    font.setPointSizeF(point_size)
    font.setBold(bold)
    return font


def code_card(
    text: str, title: str, subtitle: str = "", *, warning: str = "", dpi: int = PRINT_DPI
) -> QImage:
    """A printable card: the symbol 8 cm wide at `dpi`, the URL it encodes, the venue (and
    checkpoint) below it; with `warning`, a red band above the symbol saying so."""
    modules = len(qr_matrix(text))
    module_px = max(1, round(CARD_QR_MM / 25.4 * dpi / modules))
    symbol = qr_image(text, module_px)
    width = symbol.width()
    line_height = round(dpi * 0.45)
    banner = line_height if warning else 0
    caption = line_height * 2 + round(dpi * 0.25)  # two lines of text and the URL
    card = QImage(width, banner + width + caption, QImage.Format.Format_RGB32)
    card.fill(QColor("white"))
    dots_per_metre = round(dpi / 0.0254)
    card.setDotsPerMeterX(dots_per_metre)
    card.setDotsPerMeterY(dots_per_metre)
    painter = QPainter(card)  # point sizes follow the image's dpi
    if warning:
        band = QRectF(0, 0, width, banner)
        painter.fillRect(band, WARNING_RED)
        painter.setPen(QColor("white"))
        painter.setFont(cjk_font(12, bold=True))
        painter.drawText(band, Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap, warning)
    painter.drawImage(0, banner, symbol)
    y = float(banner + width)
    painter.setPen(QColor("#5f6368"))
    painter.setFont(cjk_font(7))
    url_box = QRectF(0, y, width, round(dpi * 0.25))
    painter.drawText(url_box, Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWrapAnywhere, text)
    y += url_box.height()
    painter.setPen(QColor("black"))
    lines = [line for line in (title, subtitle) if line]
    for i, line in enumerate(lines):
        painter.setFont(cjk_font(18 if i == 0 else 14, bold=i == 0))
        box = QRectF(0, y + i * line_height, width, line_height)
        painter.drawText(box, Qt.AlignmentFlag.AlignCenter, line)
    painter.end()
    return card


def save_code_png(path: Path, text: str, title: str, subtitle: str = "", *, warning: str = "") -> None:
    """The card as a PNG at print resolution (300 dpi, recorded in the file)."""
    with path.open("ab"):  # the OS's reason (no folder, no permission) with its errno; Qt only says "failed"
        pass
    writer = QImageWriter(str(path), QByteArray(b"png"))
    if not writer.write(code_card(text, title, subtitle, warning=warning)):
        raise OSError(f"cannot write {path.name}: {writer.errorString()}")
