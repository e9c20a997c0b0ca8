#!/usr/bin/env python3
"""The app's translation catalogue: resources/translations/shoumen_<lang>.ts and its .qm.

    .venv/bin/python scripts/translations.py update    # re-extract, keep the translations made
    .venv/bin/python scripts/translations.py release   # compile .ts -> .qm (committed)
    .venv/bin/python scripts/translations.py check     # stale, unfinished or broken: exit 1

`update` runs pyside6-lupdate over shoumen_gui/ and folds every context into ONE context
("shoumen", see shoumen_gui/i18n.py), each Chinese text once, sorted, without line numbers (so
the catalogue changes only when a text does). Texts that left the code are dropped; texts that
are new come in unfinished. Translate them (Qt Linguist: .venv/bin/pyside6-linguist, or by hand),
then `release`. `check` is what tests/gui/test_translations.py runs in ./test.

The .qm is committed so the app runs translated from the source tree without Qt's tools at run
time; the bundle compiles its own from the .ts (build.spec) and the check keeps the committed one
equal to a fresh compile.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

ROOT = Path(__file__).resolve().parent.parent
FOLDER = ROOT / "resources" / "translations"
LANGUAGES = ("en",)
CONTEXT = "shoumen"  # shoumen_gui.i18n.CONTEXT (this script imports nothing of the app)
SOURCES = ("shoumen_gui",)

CJK = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f]")
PLACEHOLDER = re.compile(r"\{[^{}]*\}|%(?:\d+|n)")


@dataclass(frozen=True)
class Entry:
    source: str
    translation: str  # "" = not translated yet


def qt_tool(name: str) -> str:
    """lupdate / lrelease: the PySide6 wheel ships both next to its package."""
    import PySide6

    tool = Path(PySide6.__file__).parent / name
    if not tool.exists():
        raise SystemExit(f"{tool} not found (is PySide6 installed with its tools?)")
    return str(tool)


def ts_path(language: str) -> Path:
    return FOLDER / f"shoumen_{language}.ts"


def qm_path(language: str) -> Path:
    return FOLDER / f"shoumen_{language}.qm"


def python_files() -> list[str]:
    return sorted(str(path) for folder in SOURCES for path in (ROOT / folder).rglob("*.py"))


def extract() -> list[str]:
    """Every text the code hands to tr()/translate()/QT_TRANSLATE_NOOP, once each."""
    with tempfile.TemporaryDirectory() as tmp:
        raw = Path(tmp) / "raw.ts"
        subprocess.run(
            [
                qt_tool("lupdate"),
                "-silent",
                "-locations",
                "none",
                "-no-obsolete",
                # Module-level helpers spell it _tr(...) (QCoreApplication.translate outside a
                # widget): without the alias their texts never reached the catalogue.
                "-tr-function-alias",
                "tr+=_tr",
                *python_files(),
                "-ts",
                str(raw),
            ],
            check=True,
            capture_output=True,
        )
        tree = ET.parse(raw)
    return sorted({message.findtext("source") or "" for message in tree.iter("message")} - {""})


def read(path: Path) -> dict[str, str]:
    """source -> translation ("" when unfinished) of a catalogue file (any number of contexts)."""
    if not path.exists():
        return {}
    entries: dict[str, str] = {}
    for message in ET.parse(path).iter("message"):
        source = message.findtext("source") or ""
        node = message.find("translation")
        done = node is not None and node.get("type") not in ("unfinished", "obsolete", "vanished")
        text = (node.text or "") if node is not None and done else ""
        if source and (text or source not in entries):
            entries[source] = text
    return entries


def render(language: str, sources: list[str], translations: dict[str, str]) -> str:
    lines = [
        '<?xml version="1.0" encoding="utf-8"?>',
        "<!DOCTYPE TS>",
        f'<TS version="2.1" language="{language}" sourcelanguage="zh_CN">',
        "<context>",
        f"    <name>{CONTEXT}</name>",
    ]
    for source in sources:
        text = translations.get(source, "")
        state = "" if text else ' type="unfinished"'
        lines += [
            "    <message>",
            f"        <source>{escape(source)}</source>",
            f"        <translation{state}>{escape(text)}</translation>",
            "    </message>",
        ]
    lines += ["</context>", "</TS>", ""]
    return "\n".join(lines)


def updated(language: str) -> str:
    return render(language, extract(), read(ts_path(language)))


def compiled(ts: Path) -> bytes:
    with tempfile.TemporaryDirectory() as tmp:
        qm = Path(tmp) / "out.qm"
        subprocess.run(
            [qt_tool("lrelease"), "-silent", str(ts), "-qm", str(qm)], check=True, capture_output=True
        )
        return qm.read_bytes()


def problems(language: str) -> list[str]:
    """Why the committed catalogue of `language` is not good enough (empty: it is)."""
    found: list[str] = []
    path = ts_path(language)
    if not path.exists():
        return [f"{path.name} is missing"]
    if path.read_text(encoding="utf-8") != updated(language):
        found.append(f"{path.name} is stale: run scripts/translations.py update (and translate)")
    for source, text in read(path).items():
        shown = source.replace("\n", "\\n")[:60]
        if not text:
            found.append(f"untranslated: {shown}")
            continue
        if language != "zh_CN" and CJK.search(text):
            found.append(f"Chinese left in the translation of: {shown}")
        if sorted(PLACEHOLDER.findall(source)) != sorted(PLACEHOLDER.findall(text)):
            found.append(f"placeholders differ in: {shown}")
    qm = qm_path(language)
    if not qm.exists() or qm.read_bytes() != compiled(path):
        found.append(f"{qm.name} is not the compiled {path.name}: run scripts/translations.py release")
    return found


def main(argv: list[str]) -> int:
    command = argv[1] if len(argv) > 1 else "check"
    if command == "update":
        for language in LANGUAGES:
            text = updated(language)
            ts_path(language).write_text(text, encoding="utf-8")
            missing = sum(1 for value in read(ts_path(language)).values() if not value)
            print(f"{ts_path(language).name}: {text.count('<message>')} texts, {missing} untranslated")
        return 0
    if command == "release":
        for language in LANGUAGES:
            qm_path(language).write_bytes(compiled(ts_path(language)))
            print(f"{qm_path(language).name} written")
        return 0
    if command == "check":
        found = [f"{language}: {problem}" for language in LANGUAGES for problem in problems(language)]
        print("\n".join(found) or "translations: current and complete")
        return 1 if found else 0
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
