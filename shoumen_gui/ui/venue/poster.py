"""The A4 venue-code poster (场所码海报): the venue's name, address and type, the QR code
large with the URL it encodes under it, short instructions for visitors and the date. One
painting routine draws it into a PDF (QPdfWriter) and onto a printer (QPrinter), so what prints
is what was exported.

When the URL is one a visitor's phone cannot open (the embedded demo backend's loopback
address, an intranet address) or plain http, the poster says so in a red band across the top
and bottom, so a demo poster cannot be taken for a real one (reach_warning).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QMarginsF, QRectF, Qt
from PySide6.QtGui import QColor, QPageLayout, QPageSize, QPainter, QPdfWriter
from PySide6.QtPrintSupport import QPrinter

from shoumen_core.urls import UrlReach, classify_url
from shoumen_gui.ui.venue.qr import WARNING_RED, cjk_font, paint_qr, qr_matrix

POSTER_DPI = 300
QR_SIDE_MM = 120.0
MARGIN_MM = 15.0
ACCENT = QColor("#1a73e8")

INSTRUCTIONS = (
    "1. 打开手机微信或支付宝“扫一扫”，扫描上方场所码；",
    "2. 按页面提示完成登记，向工作人员出示健康码和行程卡；",
    "3. 没有智能手机的老人和儿童，请向工作人员出示身份证件；",
    "4. 请配合测温，佩戴口罩，保持一米间距。",
)


# Words for UrlReach (the code lives in shoumen_core.urls; the words belong to the edge).
_REACH_WARNINGS: dict[UrlReach, str] = {
    UrlReach.LOOPBACK: "此场所码仅供演示，访客手机无法打开",
    UrlReach.PRIVATE: "此场所码指向内网地址，访客手机可能无法打开",
    UrlReach.PLAIN_HTTP: "此场所码未使用 https，访客信息可能被窃听",
    UrlReach.INVALID: "此场所码的地址无效，访客手机无法打开",
}


def reach_warning(url: str) -> str:
    """The warning a venue code pointing at `url` must carry, "" when visitors can open it."""
    words = _REACH_WARNINGS.get(classify_url(url))
    return QCoreApplication.translate("shoumen", words) if words else ""


@dataclass(frozen=True)
class PosterInfo:
    venue_name: str
    address: str
    unit_type_name: str
    url: str
    day: date
    checkpoint_name: str | None = None

    @property
    def warning(self) -> str:
        return reach_warning(self.url)


def _mm(value: float, dpi: float) -> float:
    return value / 25.4 * dpi


def paint_poster(painter: QPainter, page: QRectF, info: PosterInfo, dpi: float) -> None:
    """Draw the poster into `page` (device units at `dpi`)."""
    margin = _mm(MARGIN_MM, dpi)
    body = page.adjusted(margin, margin, -margin, -margin)
    flags = Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignVCenter | Qt.TextFlag.TextWordWrap
    y = body.top()

    warning = info.warning
    band = QRectF(page.left(), page.top(), page.width(), _mm(32, dpi))
    painter.fillRect(band, WARNING_RED if warning else ACCENT)
    painter.setPen(QColor("white"))
    painter.setFont(cjk_font(40, bold=True))
    painter.drawText(band, flags, "场 所 码")
    y = band.bottom() + _mm(8, dpi)
    if warning:
        # Across the top and the foot, in the poster's largest type after the title: a glance
        # at the wall tells a demo (or intranet, or plain-http) poster from a real one.
        _paint_warning(painter, QRectF(page.left(), band.bottom(), page.width(), _mm(14, dpi)), warning)
        y += _mm(10, dpi)

    painter.setPen(QColor("black"))
    painter.setFont(cjk_font(30, bold=True))
    name = info.venue_name if not info.checkpoint_name else f"{info.venue_name} · {info.checkpoint_name}"
    painter.drawText(QRectF(body.left(), y, body.width(), _mm(26, dpi)), flags, name)
    y += _mm(26, dpi)
    painter.setFont(cjk_font(15))
    painter.setPen(QColor("#333333"))
    painter.drawText(
        QRectF(body.left(), y, body.width(), _mm(10, dpi)), flags, f"场所类型：{info.unit_type_name}"
    )
    y += _mm(10, dpi)
    painter.drawText(QRectF(body.left(), y, body.width(), _mm(16, dpi)), flags, f"地址：{info.address}")
    y += _mm(18, dpi)

    side = _mm(QR_SIDE_MM - (20 if warning else 0), dpi)
    paint_qr(painter, QRectF(page.center().x() - side / 2, y, side, side), qr_matrix(info.url))
    y += side
    # The URL the code encodes, so anyone can see where it leads before scanning.
    painter.setPen(QColor("#5f6368"))
    painter.setFont(cjk_font(9))
    anywhere = Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop | Qt.TextFlag.TextWrapAnywhere
    painter.drawText(QRectF(body.left(), y, body.width(), _mm(8, dpi)), anywhere, info.url)
    y += _mm(8, dpi)

    painter.setPen(ACCENT)
    painter.setFont(cjk_font(20, bold=True))
    painter.drawText(QRectF(body.left(), y, body.width(), _mm(12, dpi)), flags, "进入请扫码登记")
    y += _mm(14, dpi)
    painter.setPen(QColor("black"))
    painter.setFont(cjk_font(13))
    left = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter | Qt.TextFlag.TextWordWrap
    line = _mm(8, dpi)
    for text in INSTRUCTIONS:
        painter.drawText(QRectF(body.left() + _mm(10, dpi), y, body.width() - _mm(20, dpi), line), left, text)
        y += line

    painter.setPen(QColor("#5f6368"))
    painter.setFont(cjk_font(11))
    footer = QRectF(body.left(), body.bottom() - _mm(10, dpi), body.width(), _mm(10, dpi))
    stamp = f"张贴日期：{info.day.year}年{info.day.month}月{info.day.day}日 · 守小门 场所码"
    painter.drawText(footer, flags, stamp)
    if warning:
        foot = QRectF(page.left(), footer.top() - _mm(14, dpi), page.width(), _mm(13, dpi))
        _paint_warning(painter, foot, warning)


def _paint_warning(painter: QPainter, band: QRectF, warning: str) -> None:
    painter.save()
    painter.fillRect(band, WARNING_RED)
    painter.setPen(QColor("white"))
    painter.setFont(cjk_font(20, bold=True))
    flags = Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap
    painter.drawText(band, flags, warning)
    painter.restore()


def write_poster(path: Path, info: PosterInfo) -> None:
    """The poster as an A4 PDF at `path` (the CJK font is embedded by Qt)."""
    with path.open("ab"):  # the OS's reason (no folder, no permission) with its errno; Qt only says "failed"
        pass
    writer = QPdfWriter(str(path))
    writer.setResolution(POSTER_DPI)
    writer.setPageLayout(
        QPageLayout(
            QPageSize(QPageSize.PageSizeId.A4), QPageLayout.Orientation.Portrait, QMarginsF(0, 0, 0, 0)
        )
    )
    writer.setTitle(f"场所码 {info.venue_name}")
    writer.setCreator("守小门")
    painter = QPainter()
    if not painter.begin(writer):
        raise OSError(f"cannot write {path.name}")
    try:
        paint_poster(painter, QRectF(0, 0, writer.width(), writer.height()), info, POSTER_DPI)
    finally:
        painter.end()


def print_poster(printer: QPrinter, info: PosterInfo) -> None:
    """The same poster on a printer the person chose (A4, full page)."""
    printer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
    printer.setFullPage(True)
    painter = QPainter()
    if not painter.begin(printer):
        raise OSError("cannot start printing")
    try:
        rect = printer.pageLayout().fullRectPixels(printer.resolution())
        paint_poster(painter, QRectF(rect), info, printer.resolution())
    finally:
        painter.end()
