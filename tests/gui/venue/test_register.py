# mypy: allow-untyped-calls
"""注册场所: the wizard from the login page to the new venue's workbench, and the checks of
every field (a clear message under each wrong one)."""

from __future__ import annotations

import re

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QLineEdit, QListView
from pytestqt.qtbot import QtBot

from shoumen_core.schemas import Role
from shoumen_core.unit_types import UNIT_TYPES
from shoumen_gui.services.api import ApiClient
from shoumen_gui.services.session import login_with_demo_code
from shoumen_gui.tasks import TaskManager
from shoumen_gui.ui.venue.forms import VenueForm
from tests.gui.conftest import LiveBackend, MakeApp, MemoryKeyring
from tests.gui.helpers import click, find, wait_for_page
from tests.gui.venue.drive import type_text

NEW_OWNER = "13912345678"


def pick_unit_type(qtbot: QtBot, form: VenueForm, query: str, name: str) -> None:
    """Type to filter the 43 types, then click the one wanted."""
    picker = form.unit_type
    type_text(qtbot, picker.filter, query)
    view: QListView = picker.view
    rows = [view.model().index(r, 0) for r in range(view.model().rowCount())]
    target = next(index for index in rows if index.data() == name)
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=view.visualRect(target).center())


def fill(qtbot: QtBot, form: VenueForm, **values: str) -> None:
    for key, text in values.items():
        edit: QLineEdit = getattr(form, key)
        edit.clear()
        type_text(qtbot, edit, text)


def test_type_to_filter_narrows_the_43_types(qtbot: QtBot, immediate_tasks: TaskManager) -> None:
    form = VenueForm("venue")
    qtbot.addWidget(form)
    model = form.unit_type.model
    assert model.rowCount() == len(UNIT_TYPES) == 43
    type_text(qtbot, form.unit_type.filter, "市场")
    names = [model.index(r).data() for r in range(model.rowCount())]
    assert names == ["农贸/集贸市场", "专业/批发市场"]
    pick_unit_type(qtbot, form, "", "专业/批发市场")
    assert form.unit_type.code == "wholesale_market"
    assert form.unit_type.chosen.text() == "已选：专业/批发市场"
    # The choice survives a new filter that hides it, and shows again when it matches.
    form.unit_type.filter.clear()
    type_text(qtbot, form.unit_type.filter, "医")
    assert form.unit_type.code == "wholesale_market"
    assert not form.unit_type.view.selectionModel().hasSelection()


def test_every_field_says_what_is_wrong(qtbot: QtBot, immediate_tasks: TaskManager) -> None:
    form = VenueForm("venue")
    qtbot.addWidget(form)
    form.show()
    assert form.venue_in() is None
    shown = {key: err.text() for key, err in form.errors.items() if err.isVisible()}
    assert shown == {
        "name": "请填写场所名称",
        "address": "请填写场所的详细地址",
        "region": "请填写 6 位县级行政区划代码，如 330624（新昌县）",
        "township": "请填写所在乡镇（街道）",
        "unit_type": "请从列表中选择场所类型（可输入关键字筛选）",
        "contact_phone": "联系电话应为 11 位手机号码",
    }
    fill(
        qtbot,
        form,
        name="城关农贸市场",
        address="新昌县人民中路 1 号",
        township="南明街道",
        contact_phone="1391234",
    )
    for region, message in (
        ("9906", "请填写 6 位县级行政区划代码，如 330624（新昌县）"),
        ("990624", "区划代码前两位应为大陆省份代码（如浙江 33）"),
        ("710101", "区划代码前两位应为大陆省份代码（如浙江 33）"),
        ("330600", "请填写县（市、区）级代码，末两位不能是 00"),
    ):
        fill(qtbot, form, region=region)
        assert form.venue_in() is None
        assert find(form, QLabel, "venueRegionError").text() == message
    assert find(form, QLabel, "venueContactPhoneError").text() == "联系电话应为 11 位手机号码"
    fill(qtbot, form, region="330624", contact_phone="+86 139-1234-5678")
    pick_unit_type(qtbot, form, "农贸", "农贸/集贸市场")
    fields = form.venue_in()
    assert fields is not None
    assert (fields.region_code, fields.unit_type, fields.contact_phone) == (
        "330624",
        "farmers_market",
        NEW_OWNER,
    )
    assert not any(err.isVisible() for err in form.errors.values())


def test_a_new_owner_registers_and_lands_on_the_workbench(
    qtbot: QtBot, make_station_app: MakeApp, embedded: LiveBackend, memory_keyring: MemoryKeyring
) -> None:
    app = make_station_app()
    app.start()
    window = app.window
    click(qtbot, window, "loginRegister")
    wait_for_page(qtbot, window, "registerPage")
    page = window.register_page
    # Step 1: a wrong number is refused here, before any SMS.
    qtbot.keyClicks(find(page, QLineEdit, "registerPhone"), "1391234567")
    click(qtbot, page, "registerGetCode")
    assert find(page, QLabel, "registerMessage").text() == "手机号码应为 11 位大陆手机号，如 13800138000"
    qtbot.keyClicks(find(page, QLineEdit, "registerPhone"), "8")
    click(qtbot, page, "registerGetCode")
    banner = find(page, QLabel, "registerDemoCode")
    qtbot.waitUntil(banner.isVisible, timeout=10_000)
    code = re.fullmatch(r"演示验证码：(\d{6})", banner.text())
    assert code
    qtbot.keyClicks(
        find(page, QLineEdit, "registerCode"), "000000" if code.group(1) != "000000" else "111111"
    )
    click(qtbot, page, "registerNext")
    qtbot.waitUntil(lambda: find(page, QLabel, "registerMessage").text() != "", timeout=10_000)
    assert page.steps.currentIndex() == 0  # a wrong code keeps the person on step 1
    find(page, QLineEdit, "registerCode").clear()
    qtbot.keyClicks(find(page, QLineEdit, "registerCode"), code.group(1))
    click(qtbot, page, "registerNext")
    qtbot.waitUntil(lambda: page.steps.currentIndex() == 1, timeout=10_000)
    assert find(page, QLabel, "registerTitle").text() == "注册场所 · 第 2 步（共 2 步）"
    assert page.form.contact_phone.text() == NEW_OWNER  # prefilled with the verified number

    # Step 2: the venue. A missing township is caught first.
    form = page.form
    fill(qtbot, form, name="城关便民超市", address="新昌县南明街道鼓山中路 8 号", region="330624")
    pick_unit_type(qtbot, form, "超市", "超市/便利店")
    click(qtbot, page, "registerSubmit")
    assert find(page, QLabel, "venueTownshipError").text() == "请填写所在乡镇（街道）"
    fill(qtbot, form, township="南明街道")
    with qtbot.waitSignal(app.flow.ready, timeout=20_000) as ready:
        click(qtbot, page, "registerSubmit")
    assert ready.args == ["workbench"]

    # On the new venue's workbench, as its 初始管理员, with 场所管理 at hand.
    assert find(window, QLabel, "workbenchTitle").text() == "城关便民超市 · 大门"
    post = app.station.post
    assert (post.venue.venue_name, post.venue.role) == ("城关便民超市", Role.OWNER)
    assert find(window, type(page.next), "venueAdminButton").isVisible()
    with ApiClient(embedded.url) as api:
        login_with_demo_code(api, NEW_OWNER)
        [membership] = api.auth.me().venues
        venue = api.request_json("GET", f"/venues/{membership.venue_id}")
    assert (venue["unit_type"], venue["region_code"], venue["township"]) == (
        "supermarket",
        "330624",
        "南明街道",
    )
    assert membership.role is Role.OWNER


def test_cancelling_at_step_two_logs_the_half_session_out(
    qtbot: QtBot, make_station_app: MakeApp, memory_keyring: MemoryKeyring
) -> None:
    app = make_station_app()
    app.start()
    window = app.window
    click(qtbot, window, "loginRegister")
    page = window.register_page
    qtbot.keyClicks(find(page, QLineEdit, "registerPhone"), NEW_OWNER)
    click(qtbot, page, "registerGetCode")
    banner = find(page, QLabel, "registerDemoCode")
    qtbot.waitUntil(banner.isVisible, timeout=10_000)
    qtbot.keyClicks(find(page, QLineEdit, "registerCode"), banner.text()[-6:])
    click(qtbot, page, "registerNext")
    qtbot.waitUntil(lambda: page.steps.currentIndex() == 1, timeout=10_000)
    assert app.api.token is not None
    click(qtbot, page, "registerBack")
    wait_for_page(qtbot, window, "loginPage")
    qtbot.waitUntil(lambda: app.api.token is None, timeout=10_000)
