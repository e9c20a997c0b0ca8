"""Verdict and state icons, drawn with QPainter (no image files, crisp at any size).

The shapes differ as well as the colours, so a colour-blind guard reads them: a tick for
通行, an exclamation mark for 人工核验, a cross for 禁止通行, a question mark for 无法核验.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPainterPath, QPen, QPixmap

from shoumen_core.policy import LEVEL_COLOURS, FindingState, VerdictLevel

_GLYPHS: dict[VerdictLevel, str] = {
    VerdictLevel.PASS: "tick",
    VerdictLevel.REVIEW: "exclamation",
    VerdictLevel.DENY: "cross",
    VerdictLevel.CANNOT_VERIFY: "question",
}

STATE_COLOURS: dict[FindingState, str] = {
    FindingState.OK: LEVEL_COLOURS[VerdictLevel.PASS],
    FindingState.REVIEW: LEVEL_COLOURS[VerdictLevel.REVIEW],
    FindingState.FAIL: LEVEL_COLOURS[VerdictLevel.DENY],
    FindingState.UNKNOWN: LEVEL_COLOURS[VerdictLevel.CANNOT_VERIFY],
}

_STATE_GLYPHS: dict[FindingState, str] = {
    FindingState.OK: "tick",
    FindingState.REVIEW: "exclamation",
    FindingState.FAIL: "cross",
    FindingState.UNKNOWN: "question",
}


def verdict_pixmap(level: VerdictLevel, size: int, *, foreground: str = "#ffffff") -> QPixmap:
    """A white glyph in a white ring, for the coloured verdict banner."""
    return _glyph_pixmap(_GLYPHS[level], size, QColor(foreground), ring=True)


def state_pixmap(state: FindingState, size: int) -> QPixmap:
    """A coloured glyph for one finding row."""
    return _glyph_pixmap(_STATE_GLYPHS[state], size, QColor(STATE_COLOURS[state]), ring=True)


def _glyph_pixmap(glyph: str, size: int, colour: QColor, *, ring: bool) -> QPixmap:
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    try:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        stroke = max(2.0, size / 11)
        pen = QPen(colour, stroke, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap, Qt.PenJoinStyle.RoundJoin)
        painter.setPen(pen)
        margin = stroke
        box = QRectF(margin, margin, size - 2 * margin, size - 2 * margin)
        if ring:
            painter.drawEllipse(box)
        _draw_glyph(painter, glyph, box, colour)
    finally:
        painter.end()
    return pixmap


def _draw_glyph(painter: QPainter, glyph: str, box: QRectF, colour: QColor) -> None:
    x, y, w, h = box.x(), box.y(), box.width(), box.height()
    if glyph == "tick":
        path = QPainterPath(QPointF(x + w * 0.27, y + h * 0.52))
        path.lineTo(QPointF(x + w * 0.44, y + h * 0.69))
        path.lineTo(QPointF(x + w * 0.74, y + h * 0.34))
        painter.drawPath(path)
    elif glyph == "cross":
        painter.drawLine(QPointF(x + w * 0.32, y + h * 0.32), QPointF(x + w * 0.68, y + h * 0.68))
        painter.drawLine(QPointF(x + w * 0.68, y + h * 0.32), QPointF(x + w * 0.32, y + h * 0.68))
    else:
        font = QFont()
        font.setBold(True)
        font.setPixelSize(max(6, int(h * 0.62)))
        painter.setFont(font)
        painter.setPen(colour)
        painter.drawText(box, Qt.AlignmentFlag.AlignCenter, "!" if glyph == "exclamation" else "?")
