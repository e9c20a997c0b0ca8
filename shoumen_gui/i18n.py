"""The app's languages: Chinese is the source language, English a translation.

Every screen text is written in Chinese and passed through `self.tr()`,
`QCoreApplication.translate(...)` or, for tables of texts, `QT_TRANSLATE_NOOP(...)`.
`pyside6-lupdate` extracts them; scripts/translations.py folds them into ONE context of
resources/translations/shoumen_en.ts and compiles shoumen_en.qm (tests/gui/test_translations.py
fails when either is stale or an entry is untranslated).

Why one context: lupdate names a context after the class a `self.tr` sits in, while at run time
PySide6 looks up the class of the object (a subclass's name) and module helpers pass names of
their own; the first catalogue matched none of them. The same Chinese text means the same thing
everywhere in this app, so `CatalogueTranslator` ignores the context and the catalogue holds
each text once.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Final

from PySide6.QtCore import QCoreApplication, QLocale, QTranslator

from shoumen_gui.textmarks import QT_TRANSLATE_NOOP

__all__ = ["QT_TRANSLATE_NOOP", "effective_language", "install_translator"]

log = logging.getLogger("shoumen.gui.i18n")

CONTEXT: Final = "shoumen"
SOURCE_LANGUAGE: Final = "zh_CN"
SYSTEM: Final = ""  # the `language` setting's default: follow the system's language
# The languages the app speaks, each named in itself (never translated: a person who cannot read
# the current language still finds their own).
LANGUAGES: Final = {"zh_CN": "中文", "en": "English"}


def effective_language(setting: str, system: QLocale | None = None) -> str:
    """The language to show: the setting when it names one the app speaks, else the system's
    (English for an English system), else Chinese (the source language)."""
    if setting in LANGUAGES:
        return setting
    locale = system if system is not None else QLocale.system()
    if locale.language() == QLocale.Language.English:
        return "en"
    return SOURCE_LANGUAGE


class CatalogueTranslator(QTranslator):
    """A QTranslator that looks every text up in the app's one context (see the module doc)."""

    def translate(
        self, context: str, source_text: str, disambiguation: str | None = None, n: int = -1
    ) -> str | None:
        # None, not "": Qt then keeps the source text. An empty answer was taken as the
        # translation, so a text missing from the catalogue showed as a blank in English.
        return super().translate(CONTEXT, source_text, disambiguation, n) or None


def install_translator(app: QCoreApplication, language: str, folder: Path) -> QTranslator | None:
    """Install the catalogue of `language` (an effective language) from `folder`; None for Chinese
    or when the catalogue is missing (the app then stays Chinese and says so in the log)."""
    if language == SOURCE_LANGUAGE:
        return None
    translator = CatalogueTranslator(app)
    if not translator.load(f"shoumen_{language}", str(folder)):
        log.warning("no translation shoumen_%s.qm in %s; using Chinese", language, folder)
        return None
    app.installTranslator(translator)
    return translator
