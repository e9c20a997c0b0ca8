"""Text a person typed (names, venue names, addresses, notes) is shown as typed.

Qt guesses: a label or message box whose text looks like HTML (`<b>x</b>`) renders it as rich
text, and a tooltip does the same. Every label of the app is made here, plain; nothing in the
app needs rich text, so there is no second kind (issue 13 §5).
"""

from __future__ import annotations

import html

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QMessageBox, QWidget


def plain_label(text: str = "", parent: QWidget | None = None) -> QLabel:
    label = QLabel(text, parent)
    label.setTextFormat(Qt.TextFormat.PlainText)
    return label


def plain_message_box(box: QMessageBox) -> QMessageBox:
    """A message box that shows its text and informative text as typed."""
    box.setTextFormat(Qt.TextFormat.PlainText)
    return box


def plain_tooltip(text: str) -> str:
    """A tooltip that shows `text` as typed: tooltips have no text format, so the text is
    escaped into rich text that renders it literally (line breaks kept)."""
    if not text:
        return ""
    return "<p style='white-space:pre-wrap'>" + html.escape(text) + "</p>"
