"""Issue 17 §5: the English catalogue is regenerated from the code and must be current, complete
and compiled (scripts/translations.py check), and the app shows it when English is chosen."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

from PySide6.QtCore import QCoreApplication, QLocale, QObject

from shoumen_gui.i18n import effective_language, install_translator
from shoumen_gui.paths import resources_dir

ROOT = Path(__file__).resolve().parents[2]


def catalogue_tool() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "shoumen_translations", ROOT / "scripts" / "translations.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_the_english_catalogue_is_current_complete_and_compiled() -> None:
    tool = catalogue_tool()
    problems = tool.problems("en")
    assert problems == [], "\n".join(problems)


def test_the_catalogue_check_fails_on_a_stale_or_untranslated_catalogue(tmp_path: Path) -> None:
    tool = catalogue_tool()
    real = tool.read(tool.ts_path("en"))
    source = next(iter(real))
    tool.FOLDER = tmp_path
    partial = dict(real)
    partial[source] = ""
    (tmp_path / "shoumen_en.ts").write_text(tool.render("en", sorted(real), partial), encoding="utf-8")
    (tmp_path / "shoumen_en.qm").write_bytes(tool.compiled(tmp_path / "shoumen_en.ts"))
    assert any(problem.startswith("untranslated:") for problem in tool.problems("en"))
    stale = dict(real)
    del stale[source]
    (tmp_path / "shoumen_en.ts").write_text(tool.render("en", sorted(stale), stale), encoding="utf-8")
    assert any("stale" in problem for problem in tool.problems("en"))


def test_the_language_defaults_to_the_system_and_to_chinese_when_unknown() -> None:
    assert effective_language("", QLocale(QLocale.Language.English, QLocale.Country.UnitedStates)) == "en"
    assert effective_language("", QLocale(QLocale.Language.Chinese, QLocale.Country.China)) == "zh_CN"
    assert effective_language("", QLocale(QLocale.Language.German, QLocale.Country.Germany)) == "zh_CN"
    assert effective_language("fr", QLocale(QLocale.Language.English)) == "en"
    assert effective_language("zh_CN", QLocale(QLocale.Language.English)) == "zh_CN"
    assert effective_language("en", QLocale(QLocale.Language.Chinese)) == "en"


class Panel(QObject):
    def title(self) -> str:
        return self.tr("显示与声音")


def test_english_translates_every_context_through_the_one_catalogue(qapp: QCoreApplication) -> None:
    translator = install_translator(qapp, "en", resources_dir() / "translations")
    assert translator is not None
    try:
        assert Panel().title() == "Display and sound"
        assert QCoreApplication.translate("AnyModule", "保存") == "Save"
    finally:
        qapp.removeTranslator(translator)
    assert Panel().title() == "显示与声音"
    assert install_translator(qapp, "zh_CN", resources_dir() / "translations") is None
