"""The marker for texts that are translated where they are shown (shoumen_gui/i18n.py), in a
module without Qt so that Qt-free code (services/) can mark its tables of texts too."""

from __future__ import annotations


def QT_TRANSLATE_NOOP(context: str, source_text: str) -> str:
    """Marks a text for pyside6-lupdate (which matches the name) and returns it untranslated;
    PySide6's own is typed as returning object. Translate it where it is shown."""
    return source_text
