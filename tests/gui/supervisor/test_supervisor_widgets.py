# mypy: allow-untyped-calls
"""The supervisor's widgets on their own (region view, abnormal list, 代为注册), each made
directly against the real embedded backend with a supervisor's logged-in AdminService.

test_region.py / test_on_behalf.py reach them only through the whole app's login; here each
widget is opened as RegionView.open / AbnormalPanel.set_items / OnBehalfPanel.start are
called, and what a person sees and can do is asserted.
(login_with_demo_code comes through drive.py, which follows it to services/session.py.)
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QPushButton, QTableView
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from shoumen_core.policy import VerdictLevel
from shoumen_core.schemas import UserOut, VenueOut
from shoumen_core.timeutil import local_day, utcnow
from shoumen_gui.services.admin import AdminService
from shoumen_gui.services.api import ApiClient
from shoumen_gui.tasks import TaskManager
from shoumen_gui.ui.supervisor import abnormal as abnormal_module
from shoumen_gui.ui.supervisor.abnormal import AbnormalPanel
from shoumen_gui.ui.supervisor.on_behalf import OnBehalfPanel
from shoumen_gui.ui.supervisor.region_view import RegionView
from shoumen_server.seed import DEMO_PATHS_BY_KEY
from tests.gui.conftest import GUARD_PHONE, LiveBackend
from tests.gui.helpers import click, find
from tests.gui.venue.drive import (
    REGION,
    SUPERVISOR_PHONE,
    answer_box,
    guard_checks,
    login_with_demo_code,
    type_text,
)
from tests.gui.venue.test_register import fill, pick_unit_type

POSITIVE = DEMO_PATHS_BY_KEY["nat_positive"]


@pytest.fixture
def supervisor(embedded: LiveBackend) -> Iterator[tuple[AdminService, UserOut]]:
    api = ApiClient(embedded.url)
    user = login_with_demo_code(api, SUPERVISOR_PHONE).user
    yield AdminService(api), user
    api.close()


def shown_region(qtbot: QtBot, tasks: TaskManager, supervisor: tuple[AdminService, UserOut]) -> RegionView:
    view = RegionView(tasks)
    qtbot.addWidget(view)
    view.resize(1280, 800)
    view.show()
    with qtbot.waitSignal(view.loaded, timeout=20_000):
        view.open(*supervisor)
    return view


def select_row(qtbot: QtBot, table: QTableView, row: int) -> None:
    rect = table.visualRect(table.model().index(row, 0))
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def test_the_region_view_shows_its_region_and_venues_and_forgets_them_at_logout(
    qtbot: QtBot,
    tasks: TaskManager,
    embedded: LiveBackend,
    supervisor: tuple[AdminService, UserOut],
    qtmodeltester: ModelTester,
) -> None:
    guard_checks(embedded, GUARD_PHONE, [VerdictLevel.PASS, VerdictLevel.PASS, VerdictLevel.DENY])
    view = shown_region(qtbot, tasks, supervisor)
    qtmodeltester.check(view.model)
    qtmodeltester.check(view.proxy)
    assert find(view, QLabel, "regionTitle").text().endswith(f"（{REGION}）")
    rows = view.model.rows
    assert rows and sum(row.checked for row in rows) == 3 and sum(row.abnormal for row in rows) == 1
    today = local_day(utcnow()).isoformat()
    assert find(view, QLabel, "regionMessage").text() == f"{today} 共 {len(rows)} 个场所"
    assert find(view, QLabel, "regionTotals").text()
    assert view.abnormal.model.rowCount() == 1

    view.clear()  # logout
    assert view.model.rowCount() == 0 and view.abnormal.model.rowCount() == 0
    assert find(view, QLabel, "regionTotals").text() == ""


def test_choosing_a_venue_charts_it_and_whole_region_charts_the_region_again(
    qtbot: QtBot, tasks: TaskManager, embedded: LiveBackend, supervisor: tuple[AdminService, UserOut]
) -> None:
    guard_checks(embedded, GUARD_PHONE, [VerdictLevel.PASS])
    view = shown_region(qtbot, tasks, supervisor)
    whole = find(view, QPushButton, "chartWholeRegion")
    scope = find(view, QLabel, "chartScope")
    assert scope.text().startswith("图表：全区域") and not whole.isEnabled()
    table = find(view, QTableView, "regionVenuesTable")
    with qtbot.waitSignal(view.charts_changed, timeout=10_000) as changed:
        select_row(qtbot, table, 0)
    name = table.model().index(0, 0).data()
    assert changed.args[0] is not None and scope.text() == f"图表：{name}" and whole.isEnabled()
    with qtbot.waitSignal(view.charts_changed) as back:
        qtbot.mouseClick(whole, Qt.MouseButton.LeftButton)
    assert back.args == [None] and scope.text().startswith("图表：全区域")


def test_the_abnormal_list_drills_into_a_check_and_hides_full_details_on_its_own(
    qtbot: QtBot,
    tasks: TaskManager,
    embedded: LiveBackend,
    supervisor: tuple[AdminService, UserOut],
    monkeypatch: pytest.MonkeyPatch,
    qtmodeltester: ModelTester,
) -> None:
    monkeypatch.setattr(abnormal_module, "FULL_DETAILS_SECONDS", 1)
    # A real person of the demo registry: the server has their full identity to show.
    guard_checks(embedded, GUARD_PHONE, [VerdictLevel.DENY, VerdictLevel.PASS], document=POSITIVE.number)
    admin, _user = supervisor
    panel = AbnormalPanel(tasks)
    qtbot.addWidget(panel)
    panel.resize(1280, 800)
    panel.show()
    view_full = find(panel, QPushButton, "viewFullDetails")
    assert not view_full.isEnabled()  # nothing chosen yet
    items = admin.region_abnormal(REGION, local_day(utcnow())).items
    panel.set_items(admin, items)
    qtmodeltester.check(panel.model)
    assert find(panel, QLabel, "abnormalCount").text() == "共 1 人次未通过"  # the PASS is not listed

    select_row(qtbot, find(panel, QTableView, "abnormalTable"), 0)
    masked_name = find(panel, QLabel, "checkName").text()
    assert masked_name.startswith(POSITIVE.name[0]) and "*" in masked_name
    assert "*" in find(panel, QLabel, "checkDocument").text()
    assert find(panel, QLabel, "checkLevel").text() == "禁止通行"
    assert not panel.registration.isVisible()  # the guard registered nothing for it
    assert view_full.isEnabled()

    click(qtbot, panel, "viewFullDetails")
    assert "记入审计日志" in answer_box(qtbot, panel, "confirmFullDetails")
    qtbot.waitUntil(panel.full.isVisible, timeout=10_000)
    assert find(panel, QLabel, "abnormalMessage").text() == "已记录本次查看。完整信息将在 1 秒后自动隐藏。"
    assert find(panel, QLabel, "fullName").text() == POSITIVE.name
    assert find(panel, QLabel, "fullDocument").text() == POSITIVE.number
    qtbot.waitUntil(lambda: not panel.full.isVisible(), timeout=5_000)  # gone by itself
    assert find(panel, QLabel, "fullName").text() == "" and find(panel, QLabel, "fullDocument").text() == ""


def test_on_behalf_says_what_is_missing_then_registers_and_offers_another(
    qtbot: QtBot, tasks: TaskManager, supervisor: tuple[AdminService, UserOut]
) -> None:
    admin, _user = supervisor
    panel = OnBehalfPanel(tasks)
    qtbot.addWidget(panel)
    panel.resize(1280, 800)
    panel.show()
    panel.start(admin, REGION)
    assert panel.form.region.text() == REGION and panel.form.region.isReadOnly()
    again = find(panel, QPushButton, "onBehalfAgain")
    assert not again.isVisible()

    click(qtbot, panel, "onBehalfSubmit")
    assert find(panel, QLabel, "onBehalfMessage").text() == "请按提示修改标红的内容"
    assert find(panel, QLabel, "onBehalfOwnerNameError").text() == "请填写负责人姓名"

    type_text(qtbot, panel.owner_name, "<b>孙大爷</b>")  # what was typed, shown as typed
    type_text(qtbot, panel.owner_phone, "13955557777")
    fill(
        qtbot,
        panel.form,
        name="孙记修鞋铺",
        address="新昌县南明街道西街 3 号",
        township="南明街道",
        contact_phone="13955557777",
    )
    pick_unit_type(qtbot, panel.form, "美发", "美容美发/洗浴足浴")
    with qtbot.waitSignal(panel.registered, timeout=15_000) as registered:
        click(qtbot, panel, "onBehalfSubmit")
    venue = registered.args[0]
    assert isinstance(venue, VenueOut) and venue.name == "孙记修鞋铺"
    message = find(panel, QLabel, "onBehalfMessage")
    assert message.text().startswith("已为 <b>孙大爷</b> 注册“孙记修鞋铺”。负责人用手机号 139****7777")
    assert message.textFormat() == Qt.TextFormat.PlainText
    assert again.isVisible() and not find(panel, QPushButton, "onBehalfSubmit").isEnabled()
    url = find(panel, QLabel, "onBehalfCodeUrl")  # the venue code to print for the owner
    qtbot.waitUntil(lambda: "/v/" in url.text(), timeout=10_000)

    qtbot.mouseClick(again, Qt.MouseButton.LeftButton)
    assert panel.owner_name.text() == "" and panel.form.region.text() == REGION
    assert message.text() == "" and not again.isVisible()
    assert find(panel, QPushButton, "onBehalfSubmit").isEnabled()
