# mypy: allow-untyped-calls
"""子管理员: the owner adds, revokes and deletes staff; a revoked guard's checks are refused by
the server; offline, the screen says the work needs a connection."""

from __future__ import annotations

import uuid

import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import QLabel, QLineEdit, QPushButton, QTableView
from pytestqt.qtbot import QtBot

from shoumen_core.policy import VerdictLevel
from shoumen_core.schemas import (
    CheckMethod,
    CheckRecordIn,
    DocumentIn,
    LookupRequest,
    PushRequest,
    StaffState,
)
from shoumen_core.timeutil import utcnow
from shoumen_gui.services.admin import AdminService
from shoumen_gui.services.api import ApiClient
from shoumen_gui.services.connectivity import FAILURES_TO_OFFLINE
from shoumen_gui.services.errors import PermissionDenied
from shoumen_gui.services.session import login_with_demo_code
from shoumen_gui.ui.venue.staff import StaffPanel
from shoumen_server.seed import DEMO_PATHS_BY_KEY
from tests.gui.conftest import GUARD_PHONE, OWNER_PHONE, LiveBackend, MakeApp, MemoryKeyring
from tests.gui.helpers import click, find
from tests.gui.venue.drive import answer_box, open_admin_tab, open_workbench, type_text

OTHER_GUARD_PHONE = "13900000003"  # 赵保安


def rows(table: QTableView) -> list[tuple[str, ...]]:
    model = table.model()
    return [
        tuple(str(model.index(r, c).data()) for c in range(model.columnCount()))
        for r in range(model.rowCount())
    ]


def select_row(qtbot: QtBot, table: QTableView, name: str) -> None:
    model = table.model()
    row = next(r for r in range(model.rowCount()) if model.index(r, 0).data() == name)
    rect = table.visualRect(model.index(row, 0))
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert table.selectionModel().isRowSelected(row, QModelIndex())


def test_owner_adds_revokes_and_deletes_staff(
    qtbot: QtBot, make_station_app: MakeApp, embedded: LiveBackend, memory_keyring: MemoryKeyring
) -> None:
    app = make_station_app()
    app.start()
    window = app.window
    open_workbench(qtbot, app, OWNER_PHONE, "南门")
    open_admin_tab(qtbot, window, "子管理员")
    panel = window.venue_admin.staff
    table = find(panel, QTableView, "staffTable")
    qtbot.waitUntil(lambda: table.model().rowCount() == 3, timeout=10_000)
    assert rows(table) == [
        ("张店主", "139****0001", "初始管理员", "已授权"),
        ("李保安", "139****0002", "子管理员", "已授权"),
        ("赵保安", "139****0003", "子管理员", "已授权"),
    ]
    message = find(panel, QLabel, "staffMessage")
    # The owner's own row cannot be revoked or deleted.
    select_row(qtbot, table, "张店主")
    assert not find(panel, QPushButton, "staffToggle").isEnabled()
    assert not find(panel, QPushButton, "staffDelete").isEnabled()

    # Add: name and a mainland mobile number, each checked with a clear message.
    click(qtbot, panel, "staffAdd")
    assert message.text() == "请填写子管理员的姓名"
    type_text(qtbot, find(panel, QLineEdit, "staffName"), "钱保安")
    type_text(qtbot, find(panel, QLineEdit, "staffPhone"), "0571-8888")
    click(qtbot, panel, "staffAdd")
    assert message.text() == "手机号码应为 11 位大陆手机号，如 13800138000"
    find(panel, QLineEdit, "staffPhone").clear()
    type_text(qtbot, find(panel, QLineEdit, "staffPhone"), "139 0000 0009")
    click(qtbot, panel, "staffAdd")
    qtbot.waitUntil(lambda: table.model().rowCount() == 4, timeout=10_000)
    assert ("钱保安", "139****0009", "子管理员", "已授权") in rows(table)
    assert message.text() == "已添加：钱保安（139****0009）"

    # Revoke 李保安: the toggle turns into 恢复授权.
    select_row(qtbot, table, "李保安")
    toggle = find(panel, QPushButton, "staffToggle")
    assert toggle.text() == "收回权限"
    click(qtbot, panel, "staffToggle")
    # Asked first, like deleting (issue 16 §10); 取消 changes nothing.
    assert answer_box(qtbot, panel, "confirmStaffRevoke", yes=False) == (
        "确定收回 李保安（139****0002）的核验权限？收回后对方不能再在本场所核验，可随时恢复授权。"
    )
    assert ("李保安", "139****0002", "子管理员", "已授权") in rows(table)
    click(qtbot, panel, "staffToggle")
    answer_box(qtbot, panel, "confirmStaffRevoke")
    qtbot.waitUntil(lambda: ("李保安", "139****0002", "子管理员", "已收回") in rows(table), timeout=10_000)
    assert toggle.text() == "恢复授权"
    assert message.text() == "已收回 李保安 的核验权限"

    # The revoked guard's device: the lookup is refused, and so is every check it pushes.
    with ApiClient(embedded.url) as guard:
        login_with_demo_code(guard, GUARD_PHONE)
        [membership] = guard.auth.me().venues
        assert membership.state is StaffState.REVOKED
        number = DEMO_PATHS_BY_KEY["green_fresh"].number
        with pytest.raises(PermissionDenied) as refused:
            # 30 s, not the station's 1 s: the refusal is tested, not its speed on a busy machine.
            request = LookupRequest(document=DocumentIn(number=number))
            guard.checks.lookup(membership.venue_id, request, timeout=30.0)
        assert refused.value.code == "staff_revoked"
        record = CheckRecordIn(
            id=uuid.uuid4(),
            venue_id=membership.venue_id,
            method=CheckMethod.DOCUMENT,
            checked_at=utcnow(),
            level=VerdictLevel.PASS,
            offline=True,
        )
        answer = guard.sync.push(PushRequest(device_id="guard-tablet", checks=[record]))
        assert answer.accepted == []
        assert [(r.id, r.code) for r in answer.rejected] == [(record.id, "staff_revoked")]

    # Delete 赵保安, with a confirmation: 取消 keeps him, 删除 removes him.
    select_row(qtbot, table, "赵保安")
    click(qtbot, panel, "staffDelete")
    text = answer_box(qtbot, panel, "confirmStaffDelete", yes=False)
    assert text == "确定删除子管理员 赵保安（139****0003）？删除后对方不能再在本场所核验。"
    assert "赵保安" in [row[0] for row in rows(table)]
    click(qtbot, panel, "staffDelete")
    answer_box(qtbot, panel, "confirmStaffDelete")
    qtbot.waitUntil(lambda: "赵保安" not in [row[0] for row in rows(table)], timeout=10_000)
    with ApiClient(embedded.url) as owner:
        login_with_demo_code(owner, OWNER_PHONE)
        names = {m.name: m.state for m in AdminService(owner).staff(app.station.post.venue_id)}
    assert names == {
        "张店主": StaffState.AUTHORISED,
        "李保安": StaffState.REVOKED,
        "钱保安": StaffState.AUTHORISED,
    }


def test_staff_admin_offline_says_it_needs_a_connection(
    qtbot: QtBot, embedded: LiveBackend, tasks: object, memory_keyring: MemoryKeyring
) -> None:
    api = ApiClient(embedded.url)
    login_with_demo_code(api, OWNER_PHONE)
    venue_id = api.auth.me().venues[0].venue_id
    panel = StaffPanel(tasks)  # type: ignore[arg-type]
    qtbot.addWidget(panel)
    panel.show()
    panel.load(AdminService(api), venue_id)
    table = find(panel, QTableView, "staffTable")
    qtbot.waitUntil(lambda: table.model().rowCount() == 3, timeout=10_000)
    embedded.backend.stop()  # the network goes away
    try:
        type_text(qtbot, find(panel, QLineEdit, "staffName"), "钱保安")
        type_text(qtbot, find(panel, QLineEdit, "staffPhone"), "13900000009")
        message = find(panel, QLabel, "staffMessage")
        # One failed request is not "offline" (issue 16 §6: the shared connectivity state
        # decides, offline after FAILURES_TO_OFFLINE in a row): 正在连接… until then.
        link = panel.admin.connectivity if panel.admin is not None else None
        assert link is not None
        for failures in range(1, FAILURES_TO_OFFLINE):
            click(qtbot, panel, "staffAdd")
            qtbot.waitUntil(lambda: link.failures_in_a_row == failures, timeout=10_000)  # noqa: B023
            qtbot.waitUntil(lambda: message.text().startswith("正在连接…："), timeout=10_000)
            qtbot.waitUntil(find(panel, QPushButton, "staffAdd").isEnabled, timeout=10_000)
        click(qtbot, panel, "staffAdd")
        qtbot.waitUntil(lambda: message.text().startswith("当前离线"), timeout=10_000)
        assert message.text() == "当前离线：子管理员只能在联网时管理，请联网后重试"
        assert message.property("role") == "error"
        assert table.model().rowCount() == 3
        assert find(panel, QPushButton, "staffAdd").isEnabled()  # ready to try again
    finally:
        api.close()
