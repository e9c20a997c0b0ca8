"""The venue and checkpoint pickers on their own: what a person sees and can press.

Today only the login flows reach them (tests/gui/test_flow.py); here each state is driven
directly: one big button per choice, revoked venues shown but not pressable, the last choice
focused, pressing a button says which was chosen.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel, QPushButton
from pytestqt.qtbot import QtBot

from shoumen_core.schemas import CheckpointOut, MembershipOut, Role, StaffState
from shoumen_gui.ui.pickers import COLUMN_PX, CheckpointPicker, VenuePicker


def membership(venue_id: int, name: str, *, role: Role = Role.STAFF, revoked: bool = False) -> MembershipOut:
    state = StaffState.REVOKED if revoked else StaffState.AUTHORISED
    return MembershipOut(venue_id=venue_id, venue_name=name, role=role, state=state)


def shown(qtbot: QtBot, picker: VenuePicker | CheckpointPicker) -> None:
    qtbot.addWidget(picker)
    picker.resize(1280, 800)
    picker.show()
    picker.activateWindow()  # the keyboard focus is only given in the active window
    qtbot.waitActive(picker)


def shown_venue_picker(qtbot: QtBot) -> VenuePicker:
    picker = VenuePicker()
    shown(qtbot, picker)
    return picker


def has_focus(qtbot: QtBot, picker: VenuePicker | CheckpointPicker, name: str) -> None:
    """The button a person's Enter or Space would press."""
    button = choice(picker, name)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is button)


def choice(picker: VenuePicker | CheckpointPicker, name: str) -> QPushButton:
    button = picker.findChild(QPushButton, name)
    assert button is not None, name
    return button


def hint(picker: VenuePicker | CheckpointPicker) -> str:
    label = picker.findChild(QLabel, f"{picker.objectName()}Hint")
    assert label is not None
    return label.text()


def test_a_guard_of_two_venues_sees_both_and_pressing_one_chooses_it(qtbot: QtBot) -> None:
    picker = VenuePicker()
    hospital, shop = membership(1, "县人民医院", role=Role.OWNER), membership(2, "小卖部")
    picker.set_venues([hospital, shop], preferred=2)  # filled, then shown: as the login flow does
    shown(qtbot, picker)
    assert hint(picker) == "您在多个场所有核验权限，请选择本机所在的场所。"
    assert choice(picker, "venue_1").text() == "县人民医院（初始管理员）"
    assert choice(picker, "venue_2").text() == "小卖部（子管理员）"
    has_focus(qtbot, picker, "venue_2")  # the last choice is offered first
    with qtbot.waitSignal(picker.chosen) as chosen:
        qtbot.mouseClick(choice(picker, "venue_1"), Qt.MouseButton.LeftButton)
    assert chosen.args == [hospital]


def test_a_revoked_last_venue_cannot_be_chosen_and_the_focus_is_on_a_usable_one_not_logout(
    qtbot: QtBot,
) -> None:
    picker = VenuePicker()
    picker.set_venues([membership(1, "县人民医院", revoked=True), membership(2, "小卖部")], preferred=1)
    shown(qtbot, picker)
    revoked = choice(picker, "venue_1")
    assert revoked.text() == "县人民医院（权限已收回）" and not revoked.isEnabled()
    # Issue 17 §6: the preferred venue is revoked: the usable one has the focus, not 退出登录
    # (Enter logged the guard out).
    has_focus(qtbot, picker, "venue_2")
    with qtbot.assertNotEmitted(picker.chosen):
        qtbot.mouseClick(revoked, Qt.MouseButton.LeftButton)


def test_a_person_with_no_usable_venue_is_told_why_and_can_log_out(qtbot: QtBot) -> None:
    picker = shown_venue_picker(qtbot)
    picker.set_venues([])
    assert "还没有可以核验的场所" in hint(picker)
    assert picker.buttons == []
    picker.set_venues([membership(1, "县人民医院", revoked=True)])
    assert hint(picker) == "您在以下场所的核验权限已被收回，请联系场所管理员。"
    back = choice(picker, "venuePickerBack")
    assert back.text() == "退出登录" and back.isVisible()
    with qtbot.waitSignal(picker.back_requested):
        qtbot.mouseClick(back, Qt.MouseButton.LeftButton)


def test_choosing_again_replaces_the_buttons(qtbot: QtBot) -> None:
    picker = shown_venue_picker(qtbot)
    picker.set_venues([membership(1, "甲"), membership(2, "乙")])
    picker.set_venues([membership(3, "丙")])
    qtbot.waitUntil(lambda: picker.findChild(QPushButton, "venue_1") is None)
    assert [b.objectName() for b in picker.buttons] == ["venue_3"]


def test_a_venue_name_is_shown_as_typed_not_as_markup(qtbot: QtBot) -> None:
    picker = shown_venue_picker(qtbot)
    picker.set_venues([membership(1, "<b>粗体</b>"), membership(2, "乙")])
    assert choice(picker, "venue_1").text() == "<b>粗体</b>（子管理员）"


def test_the_column_stays_narrow_on_a_wide_screen_but_fits_a_long_name(qtbot: QtBot) -> None:
    picker = shown_venue_picker(qtbot)
    picker.resize(1920, 1080)
    picker.set_venues([membership(1, "甲"), membership(2, "乙")])
    qtbot.waitUntil(lambda: choice(picker, "venue_1").width() > 0)
    assert choice(picker, "venue_1").width() <= COLUMN_PX
    long_name = "某某县某某镇某某村某某路某某号某某综合服务中心第一分中心东侧临时核酸采样点门岗" * 2
    picker.set_venues([membership(1, long_name), membership(2, "乙")])
    button = choice(picker, "venue_1")
    qtbot.waitUntil(lambda: button.width() >= button.sizeHint().width())


def test_a_venue_with_several_gates_offers_its_active_checkpoints(qtbot: QtBot) -> None:
    picker = CheckpointPicker()
    gates = [
        CheckpointOut(id=11, name="东门"),
        CheckpointOut(id=12, name="西门（已停用）", active=False),
        CheckpointOut(id=13, name="急诊"),
    ]
    picker.set_checkpoints("县人民医院", gates, preferred=13)
    shown(qtbot, picker)
    assert hint(picker) == "县人民医院 有多个检查点，请选择本机所在的检查点。"
    assert [b.text() for b in picker.buttons] == ["东门", "急诊"]  # an inactive gate is not offered
    has_focus(qtbot, picker, "checkpoint_13")
    assert not choice(picker, "checkpointPickerBack").isVisible()  # one venue: nowhere to go back to
    with qtbot.waitSignal(picker.chosen) as chosen:
        qtbot.mouseClick(choice(picker, "checkpoint_11"), Qt.MouseButton.LeftButton)
    assert chosen.args == [gates[0]]

    picker.set_checkpoints("县人民医院", gates, can_go_back=True)  # from the venue picker
    assert choice(picker, "checkpointPickerBack").isVisible()
    with qtbot.waitSignal(picker.back_requested):
        qtbot.mouseClick(choice(picker, "checkpointPickerBack"), Qt.MouseButton.LeftButton)


def test_a_deactivated_last_checkpoint_leaves_the_focus_on_an_active_one(qtbot: QtBot) -> None:
    picker = CheckpointPicker()
    gates = [CheckpointOut(id=11, name="东门"), CheckpointOut(id=12, name="西门", active=False)]
    picker.set_checkpoints("县人民医院", [*gates, CheckpointOut(id=13, name="急诊")], 12, can_go_back=True)
    shown(qtbot, picker)
    has_focus(qtbot, picker, "checkpoint_11")  # not 返回
