# mypy: allow-untyped-calls
"""待审核场所 on the real embedded backend (issue 13 §1): a venue an owner registered waits for
the township — its owner sees 待审核 and an ID lookup comes back grey with the server's words,
never a pass — until the supervisor approves it in 区域监管; a rejected venue learns why."""

from __future__ import annotations

from datetime import UTC, datetime

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QLineEdit, QTableView, QTabWidget
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from shoumen_core.schemas import PendingVenueOut, VenueIn, VenueStatus
from shoumen_gui.services.admin import AdminService
from shoumen_gui.services.api import ApiClient
from shoumen_gui.services.session import login_with_demo_code
from shoumen_gui.ui.supervisor.models import VenueIdRole
from shoumen_gui.ui.supervisor.pending_venues import PendingVenuesModel, RejectDialog
from tests.gui.conftest import LiveBackend, MakeApp, MemoryKeyring
from tests.gui.helpers import click, find, log_in, log_out, type_id, verdict, wait_for_page
from tests.gui.supervisor.test_region import table_rows
from tests.gui.venue.drive import answer_box, audit_rows, choose_tab, open_admin_tab, type_text

GREEN = "330624198503121012"  # 陈建国 of docs/DEMO.md: passes at an approved venue
NEW_OWNER, OTHER_OWNER = "13912340001", "13912340002"
PENDING_WORDS = "场所尚待所在乡镇街道审核，审核通过后才能查询证件信息"


def _pending(venue_id: int, name: str) -> PendingVenueOut:
    return PendingVenueOut(
        id=venue_id,
        name=name,
        address="新昌县南明街道鼓山中路 8 号",
        region_code="330624",
        township="南明街道",
        unit_type="supermarket",
        unit_type_name="超市/便利店",
        contact_phone_masked="139****0001",
        owner_name="" if venue_id % 2 else "周老板",
        owner_phone_masked="139****0001",
        created_at=datetime(2026, 12, 3, 1, 30, tzinfo=UTC),
    )


def test_the_pending_venues_model_is_a_sound_qt_model(qtmodeltester: ModelTester) -> None:
    model = PendingVenuesModel()
    model.set_rows([_pending(7, "城关便民超市"), _pending(8, "<b>东街</b>菜场")])
    qtmodeltester.check(model)
    assert model.index(0, 5).data() == "2026-12-03 09:30"  # China time
    assert (model.index(0, 3).data(), model.index(1, 3).data()) == ("（未填写）", "周老板")
    assert model.index(1, 0).data(VenueIdRole) == 8
    model.set_rows([])
    qtmodeltester.check(model)


def test_a_reason_is_required_to_reject(qtbot: QtBot) -> None:
    dialog = RejectDialog("<i>城关</i>超市")
    qtbot.addWidget(dialog)
    assert find(dialog, QLabel, "rejectVenueName").textFormat() == Qt.TextFormat.PlainText
    reasons: list[str] = []
    dialog.submitted.connect(reasons.append)
    dialog.open()
    type_text(qtbot, find(dialog, QLineEdit, "rejectReason"), "   ")
    click(qtbot, dialog, "rejectConfirm")
    assert reasons == [] and find(dialog, QLabel, "rejectMessage").text() == "请填写不通过的原因"
    assert find(dialog, QLineEdit, "rejectReason").maxLength() == 200


def _register(live: LiveBackend, phone: str, name: str) -> int:
    with ApiClient(live.url) as api:
        login_with_demo_code(api, phone)
        venue = AdminService(api).register_venue(
            VenueIn(
                name=name,
                address="新昌县南明街道鼓山中路 8 号",
                region_code="330624",
                township="南明街道",
                unit_type="supermarket",
                contact_phone=phone,
            )
        )
    assert venue.status is VenueStatus.PENDING
    return venue.id


def test_a_new_venue_waits_for_the_township_and_lookups_are_grey_until_approved(
    qtbot: QtBot, make_station_app: MakeApp, embedded: LiveBackend, memory_keyring: MemoryKeyring
) -> None:
    """The finding: a venue anyone registered could look up any ID number at once."""
    _register(embedded, NEW_OWNER, "城关便民超市")
    _register(embedded, OTHER_OWNER, "东街菜场")
    app = make_station_app()
    app.window.login.resend_seconds = 0  # three people log in one after the other here
    app.start()
    window = app.window

    # The new owner: 待审核 on the workbench; an ID lookup is grey with the server's words.
    with qtbot.waitSignal(app.flow.ready, timeout=20_000):
        log_in(qtbot, window, NEW_OWNER)
    banner = find(window, QLabel, "venueStatusBanner")
    assert banner.isVisible() and banner.text().startswith("本场所待审核")
    type_id(qtbot, window, GREEN)
    assert verdict(window) == "无法核验"
    assert PENDING_WORDS in find(window, QLabel, "verdictHeadline").text()
    assert find(window, QLabel, "resultSource").text() == "服务器拒绝查询"
    open_admin_tab(qtbot, window, "场所码")
    approval = find(window, QLabel, "venueApprovalStatus")
    qtbot.waitUntil(lambda: approval.text().startswith("审核状态：待审核"), timeout=10_000)
    click(qtbot, window, "venueAdminBack")
    wait_for_page(qtbot, window, "workbench")
    log_out(qtbot, window)
    wait_for_page(qtbot, window, "loginPage")

    # The supervisor: 区域监管 → 待审核场所 (the tab counts them); approve one, reject the other.
    view = window.region_view
    with qtbot.waitSignals([view.pending.loaded, view.loaded], timeout=20_000):
        log_in(qtbot, window, "13900000000")
    tabs = find(view, QTabWidget, "regionTabs")
    choose_tab(qtbot, tabs, "待审核场所（2）")
    panel = view.pending
    table = find(panel, QTableView, "pendingVenuesTable")
    assert [row[0] for row in table_rows(table)] == ["城关便民超市", "东街菜场"]
    assert find(panel, QLabel, "pendingCount").text() == "共 2 个场所待审核"
    assert not find(panel, type(view.logout), "pendingApprove").isEnabled()  # nothing chosen yet

    def choose(row: int) -> None:
        rect = table.visualRect(table.model().index(row, 0))
        qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())

    choose(0)
    click(qtbot, panel, "pendingApprove")
    with qtbot.waitSignal(panel.decided, timeout=10_000):
        text = answer_box(qtbot, panel, "confirmApproveVenue")
    assert "城关便民超市" in text and "审计" in text
    qtbot.waitUntil(lambda: [row[0] for row in table_rows(table)] == ["东街菜场"], timeout=10_000)
    assert find(panel, QLabel, "pendingMessage").text() == "已通过“城关便民超市”的审核"

    choose(0)
    click(qtbot, panel, "pendingReject")
    qtbot.waitUntil(
        lambda: panel.reject_dialog is not None and panel.reject_dialog.isVisible(), timeout=5_000
    )
    dialog = panel.reject_dialog
    assert dialog is not None
    type_text(qtbot, find(dialog, QLineEdit, "rejectReason"), "营业执照与场所名称不符")
    with qtbot.waitSignal(panel.decided, timeout=10_000):
        click(qtbot, dialog, "rejectConfirm")
    qtbot.waitUntil(lambda: find(panel, QLabel, "pendingCount").text() == "没有待审核的场所", timeout=10_000)
    assert tabs.tabText(tabs.indexOf(panel)) == "待审核场所"
    [approved] = audit_rows(embedded, "venue_approved")
    [rejected] = audit_rows(embedded, "venue_rejected")
    assert approved.region_code == rejected.region_code == "330624"
    assert "营业执照与场所名称不符" in rejected.detail
    click(qtbot, view, "regionLogout")
    wait_for_page(qtbot, window, "loginPage")
    assert panel.model.rowCount() == 0  # nothing of the region stays on screen

    # The approved owner: no banner, and the lookup is answered.
    with qtbot.waitSignal(app.flow.ready, timeout=20_000):
        log_in(qtbot, window, NEW_OWNER)
    assert not find(window, QLabel, "venueStatusBanner").isVisible()
    type_id(qtbot, window, GREEN)
    assert verdict(window) == "通行"

    # The rejected owner learns why, on their workbench.
    log_out(qtbot, window)
    wait_for_page(qtbot, window, "loginPage")
    with qtbot.waitSignal(app.flow.ready, timeout=20_000):
        log_in(qtbot, window, OTHER_OWNER)
    banner = find(window, QLabel, "venueStatusBanner")
    assert banner.isVisible() and banner.textFormat() == Qt.TextFormat.PlainText
    assert banner.text() == "本场所未通过乡镇街道审核，不能查询证件信息。原因：营业执照与场所名称不符"
    with ApiClient(embedded.url) as api:
        login_with_demo_code(api, OTHER_OWNER)
        [member] = api.auth.me().venues
    assert (member.venue_status, member.venue_status_reason) == (
        VenueStatus.REJECTED,
        "营业执照与场所名称不符",
    )
