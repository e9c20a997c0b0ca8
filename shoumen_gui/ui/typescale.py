"""Type size for the screen the station runs on: large type, readable from a step away.

The base is 13 pt times the guard's `font_scale` setting; on a large screen (a 1080p monitor
or a wall display at a gate, read from a step back) everything is scaled up once more. The
style sheet sizes its text in pt relative to that base (body 16 pt, verdict 48 pt at 13 pt),
so it is scaled by the same factor: a style sheet's `font-size` wins over the application
font, and scaling only the font would change nothing on screen. Sizes in px (touch targets:
button heights) are not scaled: a finger does not grow with the screen.
"""

from __future__ import annotations

import re

from PySide6.QtCore import QSize
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QApplication

BASE_POINT_SIZE = 13.0
FONT_FAMILIES = ("WenQuanYi Micro Hei", "Noto Sans CJK SC", "Microsoft YaHei", "PingFang SC")

# (minimum width, minimum height) in logical pixels -> extra factor; the first that fits wins.
# A 10-inch tablet (1280×800) and a laptop keep 1.0; 1080p is read from further away.
SCREEN_STEPS: tuple[tuple[int, int, float], ...] = (
    (2560, 1400, 1.5),
    (1600, 900, 1.25),
)

_PT = re.compile(r"(?<![\w.])(\d+(?:\.\d+)?)pt\b")


def screen_factor(screen: QSize) -> float:
    """The extra factor for a screen of this logical size (1.0 for an unknown/empty size)."""
    for min_width, min_height, factor in SCREEN_STEPS:
        if screen.width() >= min_width and screen.height() >= min_height:
            return factor
    return 1.0


def point_size(font_scale: float, screen: QSize) -> float:
    """The application font's point size: 13 pt × font_scale, larger on large screens."""
    return round(BASE_POINT_SIZE * font_scale * screen_factor(screen), 2)


def scale_style_sheet(style_sheet: str, factor: float) -> str:
    """Every `Npt` in the style sheet times factor (px sizes stay as they are)."""
    if factor == 1.0:
        return style_sheet

    def scaled(match: re.Match[str]) -> str:
        return f"{float(match.group(1)) * factor:.4g}pt"

    return _PT.sub(scaled, style_sheet)


def apply_type_scale(app: QApplication, font_scale: float, screen: QSize, style_sheet: str) -> None:
    """Set the application font and the (scaled) style sheet, as app.py's load_style does."""
    size = point_size(font_scale, screen)
    font = QFont(app.font())
    font.setFamilies([*FONT_FAMILIES, *(f for f in font.families() if f not in FONT_FAMILIES)])
    font.setPointSizeF(size)
    app.setFont(font)
    app.setStyleSheet(scale_style_sheet(style_sheet, size / BASE_POINT_SIZE))
