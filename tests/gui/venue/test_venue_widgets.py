# mypy: allow-untyped-calls
"""The owner's checkpoints, policy, staff and venue-code panels on their own, against the real
embedded backend with the demo hospital owner's logged-in AdminService.

test_policy_checkpoints.py reaches them through the whole app (login, 场所管理 tab); here each
panel is loaded as the admin page loads it, and what the owner sees and can do is asserted.
(login_with_demo_code comes through drive.py, which follows it to services/session.py.)
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QComboBox, QLabel, QLineEdit, QListView, QPushButton, QTableView
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from shoumen_core.policy import VenuePolicy
from shoumen_core.schemas import MeResponse
from shoumen_gui.services.admin import AdminService
from shoumen_gui.services.api import ApiClient
from shoumen_gui.tasks import TaskManager
from shoumen_gui.ui.venue.checkpoints import CheckpointsPanel
from shoumen_gui.ui.venue.code_panel import VenueCodePanel
from shoumen_gui.ui.venue.policy import PolicyPanel
from shoumen_gui.ui.venue.staff import StaffPanel
from tests.gui.conftest import OWNER_PHONE, LiveBackend
from tests.gui.helpers import click, find
from tests.gui.venue.drive import answer_box, decode_qr, login_with_demo_code, type_text


@pytest.fixture
def owner(embedded: LiveBackend) -> Iterator[tuple[AdminService, int]]:
    api = ApiClient(embedded.url)
    login_with_demo_code(api, OWNER_PHONE)
    # request_json: the same call before and after issue 17 §2's typed clients (api.auth.me()).
    venue_id = MeResponse.model_validate(api.request_json("GET", "/me")).venues[0].venue_id
    yield AdminService(api), venue_id
    api.close()


def loaded_checkpoints(qtbot: QtBot, tasks: TaskManager, owner: tuple[AdminService, int]) -> CheckpointsPanel:
    panel = CheckpointsPanel(tasks)
    qtbot.addWidget(panel)
    panel.show()
    panel.load(*owner)
    qtbot.waitUntil(lambda: panel.model.rowCount() > 0, timeout=10_000)
    return panel


def names(panel: CheckpointsPanel) -> list[str]:
    return [panel.model.index(r).data() for r in range(panel.model.rowCount())]


def select(qtbot: QtBot, panel: CheckpointsPanel, name: str) -> None:
    view = find(panel, QListView, "checkpointList")
    index = panel.model.index(names(panel).index(name))
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=view.visualRect(index).center())


def test_the_owner_adds_renames_and_removes_a_checkpoint(
    qtbot: QtBot, tasks: TaskManager, owner: tuple[AdminService, int], qtmodeltester: ModelTester
) -> None:
    panel = loaded_checkpoints(qtbot, tasks, owner)
    qtmodeltester.check(panel.model)
    before = names(panel)
    assert len(before) == 3  # the demo hospital's gates
    rename, remove = (
        find(panel, QPushButton, "checkpointRename"),
        find(panel, QPushButton, "checkpointRemove"),
    )
    assert not rename.isEnabled() and not remove.isEnabled()  # nothing chosen yet
    message = find(panel, QLabel, "checkpointMessage")

    click(qtbot, panel, "checkpointAdd")
    assert message.text() == "请填写检查点名称"
    type_text(qtbot, find(panel, QLineEdit, "checkpointName"), before[0])
    click(qtbot, panel, "checkpointAdd")
    assert message.text() == f"已有名为“{before[0]}”的检查点"

    find(panel, QLineEdit, "checkpointName").clear()
    type_text(qtbot, find(panel, QLineEdit, "checkpointName"), "西侧通道")
    with qtbot.waitSignal(panel.changed, timeout=10_000):
        click(qtbot, panel, "checkpointAdd")
    qtbot.waitUntil(lambda: "西侧通道" in names(panel), timeout=10_000)
    assert message.text() == "已添加检查点：西侧通道"
    assert find(panel, QLineEdit, "checkpointName").text() == ""

    select(qtbot, panel, "西侧通道")
    assert find(panel, QLineEdit, "checkpointName").text() == "西侧通道"
    assert rename.isEnabled() and remove.isEnabled()
    find(panel, QLineEdit, "checkpointName").clear()
    type_text(qtbot, find(panel, QLineEdit, "checkpointName"), "西侧通道（夜间）")
    with qtbot.waitSignal(panel.changed, timeout=10_000):
        click(qtbot, panel, "checkpointRename")
    qtbot.waitUntil(lambda: "西侧通道（夜间）" in names(panel), timeout=10_000)
    assert message.text() == "已将“西侧通道”改名为“西侧通道（夜间）”"

    select(qtbot, panel, "西侧通道（夜间）")
    chosen = panel.selected()
    assert chosen is not None
    panel.in_use_id = chosen.id  # the gate this very station checks at
    click(qtbot, panel, "checkpointRemove")
    text = answer_box(qtbot, panel, "confirmCheckpointRemove")
    assert text.startswith("“西侧通道（夜间）”是本机正在使用的检查点。")
    qtbot.waitUntil(lambda: names(panel) == before, timeout=10_000)
    assert message.text() == "已删除检查点：西侧通道（夜间）"


def test_the_last_checkpoint_cannot_be_removed(
    qtbot: QtBot, tasks: TaskManager, owner: tuple[AdminService, int]
) -> None:
    panel = loaded_checkpoints(qtbot, tasks, owner)
    admin, venue_id = owner
    for checkpoint in panel.model.rows[1:]:
        admin.remove_checkpoint(venue_id, checkpoint.id)
    panel.load(admin, venue_id)
    qtbot.waitUntil(lambda: panel.model.rowCount() == 1, timeout=10_000)
    select(qtbot, panel, names(panel)[0])
    assert find(panel, QPushButton, "checkpointRename").isEnabled()
    assert not find(panel, QPushButton, "checkpointRemove").isEnabled()  # a venue keeps one gate


def loaded_policy(qtbot: QtBot, tasks: TaskManager, owner: tuple[AdminService, int]) -> PolicyPanel:
    panel = PolicyPanel(tasks)
    qtbot.addWidget(panel)
    panel.show()
    save = find(panel, QPushButton, "policySave")
    panel.load(*owner)
    assert not save.isEnabled()  # nothing to save before the venue's rules are shown
    qtbot.waitUntil(save.isEnabled, timeout=10_000)
    return panel


def choose(qtbot: QtBot, combo: QComboBox, text: str) -> None:
    combo.setFocus()
    index = combo.findText(text)
    assert index >= 0, text
    while combo.currentIndex() != index:  # as a person steps through it with the arrow keys
        key = Qt.Key.Key_Down if combo.currentIndex() < index else Qt.Key.Key_Up
        qtbot.keyClick(combo, key)


def test_the_owner_changes_the_rules_and_they_are_the_venues_from_then_on(
    qtbot: QtBot, tasks: TaskManager, owner: tuple[AdminService, int]
) -> None:
    panel = loaded_policy(qtbot, tasks, owner)
    nat = find(panel, QComboBox, "policyNat")
    assert nat.currentText() == "48 小时内"  # the demo venue's rule (the default)
    choose(qtbot, nat, "24 小时内")
    choose(qtbot, find(panel, QComboBox, "policyYellow"), "人工核验")
    with qtbot.waitSignal(panel.saved, timeout=10_000) as saved:
        click(qtbot, panel, "policySave")
    policy = saved.args[0]
    assert isinstance(policy, VenuePolicy) and policy.nat_window_hours == 24
    assert find(panel, QLabel, "policyMessage").text().startswith("已保存。")

    again = loaded_policy(qtbot, tasks, owner)  # a fresh screen reads them back from the server
    assert find(again, QComboBox, "policyNat").currentText() == "24 小时内"
    assert find(again, QComboBox, "policyYellow").currentText() == "人工核验"

    click(qtbot, again, "policyDefaults")  # shown, not saved, until 保存规则
    assert find(again, QComboBox, "policyNat").currentText() == "48 小时内"
    assert owner[0].policy(owner[1]).nat_window_hours == 24


def staff_row(panel: StaffPanel, phone_end: str) -> int:
    rows = [r for r, member in enumerate(panel.model.rows) if member.phone_masked.endswith(phone_end)]
    assert len(rows) == 1, phone_end
    return rows[0]


def select_staff(qtbot: QtBot, panel: StaffPanel, row: int) -> None:
    table = find(panel, QTableView, "staffTable")
    rect = table.visualRect(panel.model.index(row, 0))
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def test_the_owner_adds_revokes_restores_and_deletes_a_guard(
    qtbot: QtBot, tasks: TaskManager, owner: tuple[AdminService, int], qtmodeltester: ModelTester
) -> None:
    panel = StaffPanel(tasks)
    qtbot.addWidget(panel)
    panel.resize(1280, 800)
    panel.show()
    panel.load(*owner)
    qtbot.waitUntil(lambda: panel.model.rowCount() > 0, timeout=10_000)
    qtmodeltester.check(panel.model)
    message = find(panel, QLabel, "staffMessage")
    toggle, delete = find(panel, QPushButton, "staffToggle"), find(panel, QPushButton, "staffDelete")

    select_staff(qtbot, panel, 0)  # the owner comes first and cannot be revoked or deleted
    assert panel.model.index(0, 2).data() == "初始管理员"
    assert not toggle.isEnabled() and not delete.isEnabled()

    click(qtbot, panel, "staffAdd")
    assert message.text() == "请填写子管理员的姓名"
    type_text(qtbot, find(panel, QLineEdit, "staffName"), "<b>赵</b>保安")
    type_text(qtbot, find(panel, QLineEdit, "staffPhone"), "1391111")
    click(qtbot, panel, "staffAdd")
    assert message.text() == "手机号码应为 11 位大陆手机号，如 13800138000"
    type_text(qtbot, find(panel, QLineEdit, "staffPhone"), "2222")
    with qtbot.waitSignal(panel.changed, timeout=10_000):
        click(qtbot, panel, "staffAdd")
    assert message.text() == "已添加：<b>赵</b>保安（139****2222）"  # as typed, never as markup
    assert message.textFormat() == Qt.TextFormat.PlainText
    row = staff_row(panel, "2222")
    assert [panel.model.index(row, c).data() for c in range(4)] == [
        "<b>赵</b>保安",
        "139****2222",
        "子管理员",
        "已授权",
    ]

    select_staff(qtbot, panel, row)
    assert toggle.text() == "收回权限" and toggle.isEnabled()
    click(qtbot, panel, "staffToggle")
    assert "收回后对方不能再在本场所核验" in answer_box(qtbot, panel, "confirmStaffRevoke")
    qtbot.waitUntil(lambda: message.text() == "已收回 <b>赵</b>保安 的核验权限", timeout=10_000)
    assert panel.model.index(staff_row(panel, "2222"), 3).data() == "已收回"
    assert toggle.text() == "恢复授权"
    click(qtbot, panel, "staffToggle")  # restoring asks nothing: it stops no one
    qtbot.waitUntil(lambda: message.text() == "已恢复 <b>赵</b>保安 的核验权限", timeout=10_000)

    click(qtbot, panel, "staffDelete")
    answer_box(qtbot, panel, "confirmStaffDelete")
    qtbot.waitUntil(lambda: message.text() == "已删除：<b>赵</b>保安", timeout=10_000)
    assert all(not m.phone_masked.endswith("2222") for m in panel.model.rows)


def test_the_venue_code_panel_shows_each_gates_code_and_saves_a_png_that_scans(
    qtbot: QtBot, tasks: TaskManager, owner: tuple[AdminService, int], tmp_path: Path
) -> None:
    admin, venue_id = owner
    venue = admin.venue(venue_id)
    panel = VenueCodePanel(tasks)
    qtbot.addWidget(panel)
    panel.resize(1280, 800)
    panel.show()
    save = find(panel, QPushButton, "codeSavePng")
    assert not save.isEnabled()  # nothing to save before a code is shown
    panel.load(admin, venue)
    url = find(panel, QLabel, "codeUrl")
    qtbot.waitUntil(lambda: "/v/" in url.text(), timeout=10_000)
    assert save.isEnabled()
    target = find(panel, QComboBox, "codeTarget")
    active = [c.name for c in venue.checkpoints if c.active]
    assert [target.itemText(i) for i in range(target.count())] == [
        f"整个场所（{venue.name}）",
        *(f"检查点：{name}" for name in active),
    ]
    whole_venue = url.text()

    choose(qtbot, target, f"检查点：{active[0]}")
    qtbot.waitUntil(lambda: "/v/" in url.text() and url.text() != whole_venue, timeout=10_000)
    gate_url = url.text()

    png = tmp_path / "code.png"
    panel.ask_save_path = lambda *_args: png
    with qtbot.waitSignal(panel.saved, timeout=10_000):
        qtbot.mouseClick(save, Qt.MouseButton.LeftButton)
    assert find(panel, QLabel, "codeMessage").text() == f"已保存图片：{png}"
    assert decode_qr(QImage(str(png))) == [gate_url]  # the gate's own code, not the venue's

    panel.clear()  # another venue, or logout: no code left to print
    assert url.text() == "" and not save.isEnabled() and target.count() == 0
