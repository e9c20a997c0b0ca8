# mypy: allow-untyped-calls
"""The owner's 检查点 / 核验规则 tabs behind a slow backend (issue 16 §6): 正在连接… while a request
is slow, never 当前离线 while the station is online; and the questions asked before deleting
the checkpoint this station uses (§10). Real embedded backend behind
tests/gui/services/fault_proxy.py."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlparse

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QListView
from pytestqt.qtbot import QtBot

from shoumen_gui.services.session import BackendChoice
from tests.gui.conftest import OWNER_PHONE, LiveBackend, MakeApp, MemoryKeyring
from tests.gui.helpers import click, find
from tests.gui.services.fault_proxy import FaultProxy
from tests.gui.venue.drive import answer_box, choose_tab, open_admin_tab, open_workbench

CONNECTING = "正在连接…（服务器响应较慢，请稍候）"


@pytest.fixture
def proxy(embedded: LiveBackend) -> Iterator[FaultProxy]:
    port = urlparse(embedded.url).port
    assert port is not None
    made = FaultProxy(port)
    yield made
    made.close()


def test_a_slow_backend_says_connecting_not_offline_in_the_admin_tabs(
    qtbot: QtBot, make_station_app: MakeApp, proxy: FaultProxy, memory_keyring: MemoryKeyring
) -> None:
    app = make_station_app(backend=BackendChoice.remote(proxy.url))
    app.start()
    window = app.window
    open_workbench(qtbot, app, OWNER_PHONE, "南门")
    online = find(window.workbench, QLabel, "syncOnline")
    qtbot.waitUntil(lambda: online.text() == "● 在线", timeout=10_000)

    proxy.hold()  # a weak 4G link: the answers take their time
    open_admin_tab(qtbot, window, "核验规则")
    policy = window.venue_admin.policy
    policy_message = find(policy, QLabel, "policyMessage")
    checkpoint_message = find(window.venue_admin.checkpoints, QLabel, "checkpointMessage")
    assert policy_message.text() == "正在读取核验规则…"
    qtbot.waitUntil(lambda: policy_message.text() == CONNECTING, timeout=5_000)
    qtbot.waitUntil(lambda: checkpoint_message.text() == CONNECTING, timeout=5_000)
    assert app.flow.connectivity.online and online.text() == "● 在线"
    proxy.release()
    qtbot.waitUntil(lambda: policy_message.text() == "" and policy.save_button.isEnabled(), timeout=15_000)
    choose_tab(qtbot, window.venue_admin.tabs, "检查点")
    names = find(window.venue_admin.checkpoints, QListView, "checkpointList").model()
    qtbot.waitUntil(lambda: names.rowCount() == 3 and checkpoint_message.text() == "", timeout=10_000)

    # One lost request while saving: said as 正在连接…, not 当前离线; the station stays online.
    choose_tab(qtbot, window.venue_admin.tabs, "核验规则")
    proxy.aim(b"PUT ", "reset")  # the save itself (the background sync must not take it)
    click(qtbot, policy, "policySave")
    qtbot.waitUntil(lambda: policy_message.text().startswith("正在连接…："), timeout=10_000)
    assert "离线" not in policy_message.text() and policy_message.property("role") == "error"
    # Still online (one lost request is not an outage); a background sync answered since may
    # already have counted the link as working again.
    assert app.flow.connectivity.online and app.flow.connectivity.failures_in_a_row <= 1
    click(qtbot, policy, "policySave")
    qtbot.waitUntil(lambda: policy_message.text().startswith("已保存。"), timeout=10_000)
    assert app.flow.connectivity.failures_in_a_row == 0


def test_deleting_the_checkpoint_this_station_uses_says_so_first(
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
    qtbot.waitUntil(lambda: model.rowCount() == 3, timeout=10_000)

    def remove(name: str) -> str:
        row = next(r for r in range(model.rowCount()) if model.index(r, 0).data() == name)
        rect = view.visualRect(model.index(row, 0))
        qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
        click(qtbot, panel, "checkpointRemove")
        return answer_box(qtbot, panel, "confirmCheckpointRemove", yes=False)

    assert remove("南门") == (
        "“南门”是本机正在使用的检查点。删除后，本机返回核验时需要重新选择检查点。\n"
        "确定删除检查点“南门”？已有的核验记录会保留。"
    )
    assert remove("北门") == "确定删除检查点“北门”？已有的核验记录会保留。"
    assert model.rowCount() == 3  # 取消 both times: nothing removed
