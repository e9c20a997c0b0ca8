"""Text a person typed (names, venue names, addresses, notes) is shown as typed.

Qt guesses: a label or message box whose text looks like HTML (`<b>x</b>`) renders it as rich
text. Every label of the app is made here, plain; nothing in the app needs rich text, so there
is no second kind (issue 13 §5). Message boxes set their own format (ui/widgets.confirm).
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QWidget


def plain_label(text: str = "", parent: QWidget | None = None) -> QLabel:
    label = QLabel(text, parent)
    label.setTextFormat(Qt.TextFormat.PlainText)
    return label
