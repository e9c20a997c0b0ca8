"""The server's English is complete (issue 17 §5): every error class, every Chinese message a
client or visitor can be answered with, every text of the visitor templates has an English
text without Chinese in it and with the same template fields; and Accept-Language is
negotiated by its q-values, bounded, Chinese by default. No database: these read the code."""

from __future__ import annotations

import ast
import importlib
import pkgutil
import re
import string
from pathlib import Path

import jinja2
import pytest
from jinja2.ext import extract_from_ast

import shoumen_server
from shoumen_core.codes import CodeError, SealError
from shoumen_core.identity import DocumentErrorCode
from shoumen_core.phone import InvalidPhone
from shoumen_core.temperature import TemperatureErrorCode
from shoumen_server.english import CODES_EN, MESSAGES_EN
from shoumen_server.errors import ApiError
from shoumen_server.i18n import Language, negotiate, translate

# CJK ideographs, CJK punctuation (。、「」) and full-width forms (，：（）).
CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]")
PACKAGE = Path(shoumen_server.__file__).resolve().parent
TEMPLATES = PACKAGE / "templates" / "visitor"

# Modules whose Chinese never reaches an HTTP answer: the command line and what it prints,
# startup refusals (already Chinese / English in one text), the demo data and the CSV import
# report of the health authority's file.
NOT_ANSWERED = {
    "cli.py": "the command line's own output",
    "seed.py": "demo data (names, venues)",
    "demo_codes.py": "a command-line error",
    "health_import.py": "the import command's report",
    "keys.py": "startup errors of the key directory (Chinese and English in one text)",
    "settings.py": "startup refusals (Chinese / English in one text)",
    "retention.py": "the purge command's summary",
}
# Chinese that is data, not a message: it is stored or written to a file as it is.
DATA = {
    ("app.py", "Shoumen 守小门 API"): "the OpenAPI title",
    ("venue_admin.py", "大门"): "the first checkpoint's name, stored",
    ("routers/checks.py", "未查询到该证件的健康信息，请人工核验"): (
        "a finding's message, stored with the check; the app words findings by their reason code"
    ),
    (
        "visitor/service.py",
        "访客自助登记未收到验证码（手机 {}），请人工核验",
    ): "a finding's message, as above",
    ("devices.py", "设备#{} {}"): "a device's session name (issue 18 §1's branch), stored",
}
DATA_MODULES = {
    "routers/export.py": "the export file's column names and values (a file for the county's records)",
}


def fields(template: str) -> list[str]:
    return sorted(name for _, name, _, _ in string.Formatter().parse(template) if name is not None)


def test_every_message_in_the_catalogue_is_english_with_the_same_fields() -> None:
    for chinese, english in {**MESSAGES_EN}.items():
        assert english.strip(), chinese
        assert not CJK.search(english), (chinese, english)
        assert fields(chinese) == fields(english), (chinese, english)
    for code, english in CODES_EN.items():
        assert english.strip() and not CJK.search(english), code
        assert not fields(english), code  # a core message's values are not passed on


def _import_all() -> None:
    for module in pkgutil.walk_packages([str(PACKAGE)], "shoumen_server."):
        if ".migrations" not in module.name and not module.name.endswith("__main__"):
            importlib.import_module(module.name)


def _subclasses(cls: type[ApiError]) -> list[type[ApiError]]:
    found = []
    for sub in cls.__subclasses__():
        found += [sub, *_subclasses(sub)]
    return found


def test_every_api_error_class_has_english() -> None:
    _import_all()
    classes = [ApiError, *_subclasses(ApiError)]
    assert len(classes) > 10
    for cls in classes:
        english = MESSAGES_EN.get(cls.message)
        assert english is not None, f"{cls.__module__}.{cls.__name__}: no English for {cls.message!r}"
        assert not CJK.search(english), cls
        assert fields(english) == fields(cls.message), cls
        assert cls().message_in(Language.EN) == english


def _docstrings(tree: ast.AST) -> set[int]:
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            first = node.body[0] if node.body else None
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                found.add(id(first.value))
    return found


def _chinese_literals(path: Path) -> list[tuple[int, str, bool]]:
    """(line, text, is an f-string) of every Chinese string in a module, docstrings aside; an
    f-string's text has `{}` where its values go."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip = _docstrings(tree)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            skip.update(id(value) for value in node.values)
            text = "".join(v.value if isinstance(v, ast.Constant) else "{}" for v in node.values)
            found.append((node.lineno, text, True))
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skip:
            found.append((node.lineno, node.value, False))
    return [item for item in found if CJK.search(item[1])]


def test_every_chinese_message_the_server_answers_with_has_english() -> None:
    """A new `raise BadInput("...")` without English, or an f-string message (whose values the
    English could not format), fails here: messages are templates with `params`."""
    missing = []
    for path in sorted(PACKAGE.rglob("*.py")):
        name = path.relative_to(PACKAGE).as_posix()
        if name.startswith("migrations/") or name in NOT_ANSWERED or name in DATA_MODULES:
            continue
        for line, text, formatted in _chinese_literals(path):
            if (name, text) in DATA:
                continue
            if formatted:
                missing.append(f"{name}:{line}: an f-string message (use a template and params): {text!r}")
            elif text not in MESSAGES_EN:
                missing.append(f"{name}:{line}: no English for {text!r}")
    assert not missing, "\n".join(missing)


def test_every_core_error_the_server_passes_on_has_english() -> None:
    codes = [c.value for c in DocumentErrorCode] + [c.value for c in TemperatureErrorCode]
    codes += [InvalidPhone.code, SealError.code, "bad_document"]
    codes += [cls.code for cls in [CodeError, *CodeError.__subclasses__()]]
    for code in codes:
        assert code in CODES_EN, code
    # A core message with values of its own is answered with its code's English.
    assert (
        translate("已输入 17 位，身份证号码应为 18 位", language=Language.EN, code="bad_length")
        == (CODES_EN["bad_length"])
    )


def _template_messages() -> list[tuple[str, str]]:
    env = jinja2.Environment(autoescape=True)
    found = []
    for path in sorted(TEMPLATES.glob("*.html")):
        tree = env.parse(path.read_text(encoding="utf-8"))
        for _line, function, message in extract_from_ast(tree, gettext_functions=("_",)):
            assert function == "_"
            if isinstance(message, str):  # `_(errors.origin)`: a text of visitor/service.py
                found.append((path.name, message))
    return found


def test_every_text_of_the_visitor_templates_has_english() -> None:
    messages = _template_messages()
    assert len(messages) > 40
    for name, message in messages:
        assert message in MESSAGES_EN, f"{name}: no English for {message!r}"
    # No Chinese outside _(): only the language link's "中文" and the Chinese page's own
    # full-width brackets around the phone.
    allowed = {"中文", "（", "）"}
    for path in TEMPLATES.glob("*.html"):
        bare = re.sub(r"\{\{.*?\}\}|\{%.*?%\}", "", path.read_text(encoding="utf-8"), flags=re.S)
        assert set(CJK.findall(bare)) <= set("".join(allowed)), path.name


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, Language.ZH),
        ("", Language.ZH),
        ("en", Language.EN),
        ("en-US,en;q=0.9", Language.EN),
        ("zh-CN,zh;q=0.9,en;q=0.8", Language.ZH),
        ("zh-Hans-CN", Language.ZH),
        ("zh;q=0.5, en;q=0.8", Language.EN),
        ("en;q=0.5, zh;q=0.8", Language.ZH),
        ("EN-gb", Language.EN),
        ("fr-FR, de;q=0.9", Language.ZH),  # unknown: the default
        ("fr-FR, en;q=0.1", Language.EN),  # anything English beats the default when asked for
        ("en;q=0", Language.ZH),  # q=0 means "not this"
        ("*", Language.ZH),
        ("*;q=0.9, en;q=0.5", Language.ZH),
        ("en;q=0.5, zh;q=0.5", Language.EN),  # a tie: the earlier range
        ("en;q=nan", Language.ZH),  # not an RFC 9110 q-value: ignored
        ("en;q=1e3", Language.ZH),
        ("en;q=-1, zh;q=0.1", Language.ZH),
        ("en;q=1.5", Language.ZH),
        ("en;;q=0.7", Language.EN),
        ("e<n>", Language.ZH),
        ("en-US;q=0.900", Language.EN),
        (",,,;;;===", Language.ZH),
    ],
)
def test_accept_language_is_negotiated_by_q_values(header: str | None, expected: Language) -> None:
    assert negotiate(header) is expected


def test_a_huge_accept_language_is_read_only_so_far() -> None:
    """Client input: a 1 MB header or ten thousand ranges cost no more than a browser's."""
    assert negotiate("fr," * 100_000 + "en") is Language.ZH  # the English is past the bound
    assert negotiate("x" * 1_000_000) is Language.ZH
    assert negotiate("en;q=0.1," + "fr;q=0.9," * 10_000) is Language.EN


def test_values_are_never_read_as_templates() -> None:
    """A value (a supervisor's rejection reason, a checkpoint's name) goes in as it is: braces
    in it are not fields, in either language."""
    from shoumen_server.deps import VENUE_REJECTED_BECAUSE
    from shoumen_server.errors import PermissionDenied

    reason = "{0}{reason}{x.__class__}"
    error = PermissionDenied(VENUE_REJECTED_BECAUSE, code="venue_rejected", params={"reason": reason})
    assert error.message == f"场所未通过所在乡镇街道审核，不能查询证件信息（原因：{reason}）"
    assert error.message_in(Language.EN).endswith(f"(reason: {reason})")
    assert ApiError("{unformatted}").message_in(Language.ZH) == "{unformatted}"
