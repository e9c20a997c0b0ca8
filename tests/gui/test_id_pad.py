# mypy: allow-untyped-calls
"""录证件: the ID pad validates live, as the guard types, and says what is wrong."""

from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QLineEdit, QPushButton, QWidget
from pytestqt.qtbot import QtBot

from shoumen_core.identity import DocumentKind, id_check_digit, make_resident_id
from shoumen_gui.ui.id_pad import IdPad, ValidationState

VALID_ID = make_resident_id("330624", date(1985, 3, 12), 101)
ID_WITH_X = next(
    f"{first17}X" for seq in range(1000) if id_check_digit(first17 := f"33062419900708{seq:03d}") == "X"
)


@pytest.fixture
def pad(qtbot: QtBot) -> IdPad:
    widget = IdPad()
    qtbot.addWidget(widget)
    widget.show()
    widget.input.setFocus()
    return widget


def state(pad: IdPad) -> ValidationState:
    """The pad's state now (a function, so the checker does not pin it between two reads)."""
    return pad.state


def field(pad: IdPad) -> QLineEdit:
    widget = pad.findChild(QLineEdit, "idInput")
    assert widget is not None
    return widget


def message(pad: IdPad) -> str:
    label = pad.findChild(QLabel, "idMessage")
    assert label is not None
    return label.text()


def button(pad: IdPad, name: str) -> QPushButton:
    widget = pad.findChild(QPushButton, name)
    assert widget is not None, name
    return widget


def test_seventeen_digits_says_how_many_are_missing(qtbot: QtBot, pad: IdPad) -> None:
    qtbot.keyClicks(field(pad), VALID_ID[:17])
    assert message(pad) == "已输入 17 位，身份证号码应为 18 位"
    assert state(pad) is ValidationState.TYPING  # not an error yet: the guard is still typing
    with qtbot.assertNotEmitted(pad.submitted):
        qtbot.mouseClick(button(pad, "idSubmit"), Qt.MouseButton.LeftButton)
    assert state(pad) is ValidationState.INVALID  # pressed too early: now it is one
    assert field(pad).text() == VALID_ID[:17]


def test_wrong_check_digit_is_caught_at_eighteen(qtbot: QtBot, pad: IdPad) -> None:
    wrong = VALID_ID[:17] + ("0" if VALID_ID[17] != "0" else "1")
    qtbot.keyClicks(field(pad), wrong)
    assert state(pad) is ValidationState.INVALID
    assert message(pad) == "身份证号码校验位错误，请核对后重新输入"
    with qtbot.assertNotEmitted(pad.submitted):
        qtbot.keyClick(field(pad), Qt.Key.Key_Return)


def test_lowercase_x_becomes_the_check_character(qtbot: QtBot, pad: IdPad) -> None:
    qtbot.keyClicks(field(pad), ID_WITH_X[:17] + "x")
    assert field(pad).text() == ID_WITH_X
    assert state(pad) is ValidationState.VALID
    assert message(pad) == "号码有效，可以核验"
    with qtbot.waitSignal(pad.submitted) as blocker:
        qtbot.keyClick(field(pad), Qt.Key.Key_Return)
    assert blocker.args == [ID_WITH_X, DocumentKind.RESIDENT_ID]
    assert field(pad).text() == ""  # the number leaves the screen at once


def test_letters_are_refused_at_once(qtbot: QtBot, pad: IdPad) -> None:
    qtbot.keyClicks(field(pad), "3306A")
    assert state(pad) is ValidationState.INVALID
    assert message(pad) == "身份证号码只能包含数字，最后一位可以是 X"


def test_impossible_birth_date_is_named(qtbot: QtBot, pad: IdPad) -> None:
    first17 = "33062419850231101"  # 31 February
    qtbot.keyClicks(field(pad), first17 + id_check_digit(first17))
    assert message(pad) == "出生日期不存在：1985-02-31"


def test_on_screen_keypad_types_deletes_and_clears(qtbot: QtBot, pad: IdPad) -> None:
    for digit in VALID_ID[:17]:
        qtbot.mouseClick(button(pad, f"key{digit}"), Qt.MouseButton.LeftButton)
    qtbot.mouseClick(button(pad, "key9"), Qt.MouseButton.LeftButton)
    qtbot.mouseClick(button(pad, "keyDelete"), Qt.MouseButton.LeftButton)
    assert field(pad).text() == VALID_ID[:17]
    qtbot.mouseClick(button(pad, f"key{VALID_ID[17]}"), Qt.MouseButton.LeftButton)
    assert state(pad) is ValidationState.VALID
    assert field(pad).hasFocus()  # the keypad never takes the keyboard focus away
    qtbot.mouseClick(button(pad, "keyClear"), Qt.MouseButton.LeftButton)
    assert field(pad).text() == ""
    assert state(pad) is ValidationState.EMPTY
    assert not button(pad, "idSubmit").isEnabled()


def test_keypad_submit_emits_the_number(qtbot: QtBot, pad: IdPad) -> None:
    qtbot.keyClicks(field(pad), VALID_ID)
    with qtbot.waitSignal(pad.submitted) as blocker:
        qtbot.mouseClick(button(pad, "idSubmit"), Qt.MouseButton.LeftButton)
    assert blocker.args == [VALID_ID, DocumentKind.RESIDENT_ID]


@pytest.mark.parametrize(
    ("kind_button", "typed", "expected_kind", "partial", "partial_message"),
    [
        ("kindPassport", "E12345678", DocumentKind.PASSPORT, "E12", "护照号码应为 5 到 17 位字母或数字"),
        ("kindPass", "H12345678", DocumentKind.HK_MACAO_PASS, "H1234", "应为 H 或 M 加 8 位或 10 位数字"),
        ("kindPass", "12345678", DocumentKind.TAIWAN_PASS, "1234", "台湾居民来往大陆通行证号码应为 8 位数字"),
        (
            "kindResidencePermit",
            make_resident_id("810000", date(1990, 1, 1), 12),
            DocumentKind.HMT_RESIDENCE_PERMIT,
            "810000199",
            "居住证号码应为 18 位",
        ),
    ],
)
def test_document_kind_switch(
    qtbot: QtBot,
    pad: IdPad,
    kind_button: str,
    typed: str,
    expected_kind: DocumentKind,
    partial: str,
    partial_message: str,
) -> None:
    qtbot.mouseClick(button(pad, kind_button), Qt.MouseButton.LeftButton)
    assert button(pad, kind_button).isChecked()
    assert not button(pad, "kindResidentId").isChecked()
    qtbot.keyClicks(field(pad), partial)
    assert state(pad) is ValidationState.TYPING
    assert partial_message in message(pad)
    field(pad).clear()
    qtbot.keyClicks(field(pad), typed.lower())
    with qtbot.waitSignal(pad.submitted) as blocker:
        qtbot.keyClick(field(pad), Qt.Key.Key_Return)
    assert blocker.args == [typed, expected_kind]


def test_busy_pad_does_not_submit_twice(qtbot: QtBot, pad: IdPad) -> None:
    qtbot.keyClicks(field(pad), VALID_ID)
    pad.set_busy(True)
    assert not button(pad, "idSubmit").isEnabled()
    with qtbot.assertNotEmitted(pad.submitted):
        qtbot.keyClick(field(pad), Qt.Key.Key_Return)


def test_widgets_have_chinese_accessible_names(pad: IdPad) -> None:
    for name in ("idInput", "idSubmit", "keyDelete", "keyClear", "kindResidentId", "kindPassport"):
        widget = pad.findChild(QWidget, name)
        assert widget is not None and widget.accessibleName(), name
        assert any("\u4e00" <= ch <= "\u9fff" for ch in widget.accessibleName()), name
