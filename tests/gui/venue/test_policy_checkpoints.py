# mypy: allow-untyped-calls
"""核验规则 and 检查点: a policy change reaches this station at once and every other device at its
next pull (a 50-hour-old NAT flips between verdicts); gates are added, renamed and removed,
and the checkpoint picker offers the new ones."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QLabel, QLineEdit, QListView, QPushButton
from pytestqt.qtbot import QtBot

from shoumen_gui.services.api import ApiClient
from shoumen_gui.services.session import login_with_demo_code
from shoumen_server.seed import DEMO_PATHS_BY_KEY
from tests.gui.conftest import GUARD_PHONE, OWNER_PHONE, LiveBackend, MakeApp, MemoryKeyring
from tests.gui.helpers import click, find, type_id, verdict, wait_for_page
from tests.gui.venue.drive import answer_box, open_admin_tab, open_workbench, set_nat_age, type_text


def choose(qtbot: QtBot, combo: QComboBox, text: str) -> None:
    """Open the drop-down with a click, move to the item with the arrow keys, press Enter."""
    row = combo.findText(text)
    assert row >= 0, text
    qtbot.mouseClick(combo, Qt.MouseButton.LeftButton)
    view = combo.view()
    qtbot.waitUntil(view.isVisible, timeout=5_000)
    steps = row - combo.currentIndex()
    for _ in range(abs(steps)):
        qtbot.keyClick(view, Qt.Key.Key_Down if steps > 0 else Qt.Key.Key_Up)
    qtbot.keyClick(view, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not view.isVisible(), timeout=5_000)
    assert combo.currentText() == text


def test_nat_window_change_flips_a_50_hour_old_test(
    qtbot: QtBot, make_station_app: MakeApp, embedded: LiveBackend, memory_keyring: MemoryKeyring
) -> None:
    person = DEMO_PATHS_BY_KEY["nat_49h"]
    set_nat_age(embedded, person.number, 50)
    app = make_station_app()
    app.start()
    window = app.window
    open_workbench(qtbot, app, OWNER_PHONE, "南门")
    type_id(qtbot, window, person.number)
    assert verdict(window) == "人工核验"  # 50 h > the default 48 h

    open_admin_tab(qtbot, window, "核验规则")
    panel = window.venue_admin.policy
    nat = find(panel, QComboBox, "policyNat")
    qtbot.waitUntil(lambda: find(panel, QLabel, "policyMessage").text() == "", timeout=10_000)
    assert nat.currentText() == "48 小时内"
    choose(qtbot, nat, "72 小时内")
    station = app.station
    with qtbot.waitSignal(station.policy_changed, timeout=15_000) as pulled:
        click(qtbot, panel, "policySave")
    assert pulled.args[0].nat_window_hours == 72  # this station pulled at once
    assert find(panel, QLabel, "policyMessage").text().startswith("已保存。本场所的所有核验设备")
    # Another device of the venue gets the rule at its next pull.
    with ApiClient(embedded.url) as guard:
        login_with_demo_code(guard, GUARD_PHONE)
        venue_id = guard.auth.me().venues[0].venue_id
        pull = guard.sync.pull(venue_id, "")
    assert pull.venue is not None and pull.venue.policy.nat_window_hours == 72

    click(qtbot, window, "venueAdminBack")
    wait_for_page(qtbot, window, "workbench")
    type_id(qtbot, window, person.number)
    assert verdict(window) == "通行"

    # Back to 24 hours: the same test is too old again.
    open_admin_tab(qtbot, window, "核验规则")
    qtbot.waitUntil(find(panel, QPushButton, "policySave").isEnabled, timeout=10_000)  # read again
    assert nat.currentText() == "72 小时内"
    choose(qtbot, nat, "24 小时内")
    with qtbot.waitSignal(station.policy_changed, timeout=15_000):
        click(qtbot, panel, "policySave")
    click(qtbot, window, "venueAdminBack")
    type_id(qtbot, window, person.number)
    assert verdict(window) == "人工核验"


def test_owner_adds_renames_and_removes_checkpoints(
    qtbot: QtBot, make_station_app: MakeApp, memory_keyring: MemoryKeyring
) -> None:
    app = make_station_app()
    app.start()
    window = app.window
    open_workbench(qtbot, app, OWNER_PHONE, "南门")
    open_admin_tab(qtbot, window, "检查点")
    panel = window.venue_admin.checkpoints
    view = find(panel, QListView, "checkpointList")
    model = view.model()

    def names() -> list[str]:
        return [model.index(r, 0).data() for r in range(model.rowCount())]

    def select(name: str) -> None:
        index = model.index(names().index(name), 0)
        qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=view.visualRect(index).center())

    qtbot.waitUntil(lambda: names() == ["南门", "北门", "急诊"], timeout=10_000)
    field, message = find(panel, QLineEdit, "checkpointName"), find(panel, QLabel, "checkpointMessage")
    type_text(qtbot, field, "南门")
    click(qtbot, panel, "checkpointAdd")
    assert message.text() == "已有名为“南门”的检查点"
    field.clear()
    type_text(qtbot, field, "西门")
    click(qtbot, panel, "checkpointAdd")
    qtbot.waitUntil(lambda: "西门" in names(), timeout=10_000)

    select("急诊")
    assert field.text() == "急诊"
    field.clear()
    type_text(qtbot, field, "急诊通道")
    click(qtbot, panel, "checkpointRename")
    qtbot.waitUntil(lambda: "急诊通道" in names(), timeout=10_000)
    assert message.text() == "已将“急诊”改名为“急诊通道”"

    select("北门")
    click(qtbot, panel, "checkpointRemove")
    assert (
        answer_box(qtbot, panel, "confirmCheckpointRemove") == "确定删除检查点“北门”？已有的核验记录会保留。"
    )
    qtbot.waitUntil(lambda: names() == ["南门", "急诊通道", "西门"], timeout=10_000)

    # The venue code tab and the checkpoint picker know the new gates.
    click(qtbot, window, "venueAdminBack")
    wait_for_page(qtbot, window, "workbench")
    flow = app.flow
    qtbot.waitUntil(
        lambda: (
            flow.me is not None
            and len(flow.me.venues[0].checkpoints) == 3
            and {c.name for c in flow.me.venues[0].checkpoints} == {"南门", "急诊通道", "西门"}
        ),
        timeout=10_000,
    )
    click(qtbot, window, "switchCheckpoint")
    wait_for_page(qtbot, window, "checkpointPicker")
    assert sorted(b.text() for b in window.checkpoint_picker.buttons) == sorted(["南门", "急诊通道", "西门"])
