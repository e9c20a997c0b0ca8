# mypy: allow-untyped-calls
"""The supervisor's region view on the real backend: a supervisor's login opens it; the venue
table, totals and charts; the abnormal list with the registration and the audited 查看完整信息;
the export for contact tracing read back with openpyxl."""

from __future__ import annotations

import uuid
from pathlib import Path

import openpyxl
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QLabel, QRadioButton, QTableView, QTabWidget
from pytestqt.qtbot import QtBot

from shoumen_core.policy import VerdictLevel
from shoumen_core.schemas import AnomalyAction, AnomalyIn, AnomalyType
from shoumen_core.timeutil import utcnow
from shoumen_gui.services.api import ApiClient
from shoumen_gui.services.session import login_with_demo_code
from shoumen_gui.ui.supervisor.charts import CHECKED_COLOUR, HourlyChart, TrendChart
from shoumen_gui.ui.supervisor.export_dialog import ExportDialog
from shoumen_gui.ui.supervisor.models import VenueIdRole
from shoumen_server.seed import DEMO_PATHS_BY_KEY
from tests.gui.conftest import GUARD_PHONE, SHOP_OWNER_PHONE, LiveBackend, MakeApp, MemoryKeyring, StationApp
from tests.gui.helpers import click, find, log_in
from tests.gui.venue.drive import SUPERVISOR_PHONE, answer_box, audit_rows, choose_tab, guard_checks

POSITIVE = DEMO_PATHS_BY_KEY["nat_positive"]


def a_day_of_checks(live: LiveBackend) -> uuid.UUID:
    """The hospital: 2 passed, 1 review, 1 denied (a real person, registered); the shop: 1
    passed, 1 cannot-verify. Returns the denied check's id."""
    deny, *_ = guard_checks(
        live,
        GUARD_PHONE,
        [VerdictLevel.DENY, VerdictLevel.PASS, VerdictLevel.PASS, VerdictLevel.REVIEW],
        document=POSITIVE.number,
    )
    guard_checks(live, SHOP_OWNER_PHONE, [VerdictLevel.PASS, VerdictLevel.CANNOT_VERIFY])
    with ApiClient(live.url) as guard:
        login_with_demo_code(guard, GUARD_PHONE)
        venue_id = guard.auth.me().venues[0].venue_id
        registration = AnomalyIn(
            id=uuid.uuid4(),
            venue_id=venue_id,
            check_id=deny,
            document_number=POSITIVE.number,
            name=POSITIVE.name,
            phone="13700000006",
            temperature=36.6,
            origin="绍兴市越城区",
            anomaly_type=AnomalyType.NAT_POSITIVE,
            action=AnomalyAction.ISOLATION_POINT,
            reported_to="南明街道防控办",
            created_at=utcnow(),
        )
        guard.request_json("POST", f"/venues/{venue_id}/anomalies", json=registration.model_dump(mode="json"))
    return deny


def open_region(qtbot: QtBot, app: StationApp) -> None:
    app.start()
    view = app.window.region_view
    with qtbot.waitSignal(view.loaded, timeout=20_000):
        log_in(qtbot, app.window, SUPERVISOR_PHONE)
    assert app.window.current_page is view


def table_rows(table: QTableView) -> list[list[str]]:
    model = table.model()
    return [
        [str(model.index(r, c).data()) for c in range(model.columnCount())] for r in range(model.rowCount())
    ]


def blue_pixels(image: QImage) -> int:
    """Pixels of the chart's bar/line colour: zero for an empty or blank chart."""
    target = CHECKED_COLOUR
    found = 0
    for y in range(0, image.height(), 2):
        for x in range(0, image.width(), 2):
            colour = QColor(image.pixel(x, y))
            if (
                abs(colour.red() - target.red())
                + abs(colour.green() - target.green())
                + abs(colour.blue() - target.blue())
                < 40
            ):
                found += 1
    return found


def test_supervisor_sees_region_stats_and_charts(
    qtbot: QtBot, make_station_app: MakeApp, embedded: LiveBackend, memory_keyring: MemoryKeyring
) -> None:
    a_day_of_checks(embedded)
    app = make_station_app()
    open_region(qtbot, app)
    view = app.window.region_view
    assert find(view, QLabel, "regionTitle").text() == "区域监管 · 新昌县南明街道（330624）"
    table = find(view, QTableView, "regionVenuesTable")
    rows = table_rows(table)
    assert [row[:6] for row in rows] == [  # sorted by 已核验, most first
        ["新昌县人民医院", "医疗机构", "4", "2", "1", "1"],
        ["南明街道便民超市", "超市/便利店", "2", "1", "0", "1"],
    ]
    assert (
        find(view, QLabel, "regionTotals").text()
        == "合计：已核验 6 人次 · 通行 3 · 人工核验 1 · 异常 2 · 6 人"
    )
    # A person clicks the 已核验 header: fewest first now.
    header = table.horizontalHeader()
    middle = QPoint(header.sectionViewportPosition(2) + header.sectionSize(2) // 2, header.height() // 2)
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=middle)
    assert header.sortIndicatorOrder() == Qt.SortOrder.AscendingOrder
    assert [row[0] for row in table_rows(table)] == ["南明街道便民超市", "新昌县人民医院"]

    # Charts for the whole region, drawn offscreen into images that are not blank.
    assert sum(view.hourly.values) == 6
    assert len(view.trend.points) == 30 and view.trend.points[-1].checked == 6
    view.resize(1180, 760)
    empty_hourly, empty_trend = HourlyChart(), TrendChart()
    for empty in (empty_hourly, empty_trend):
        qtbot.addWidget(empty)
    empty_hourly.set_counts([0] * 24, "")
    empty_trend.set_points(
        [p.model_copy(update={"checked": 0, "abnormal": 0}) for p in view.trend.points], ""
    )
    for chart, empty in ((view.hourly, empty_hourly), (view.trend, empty_trend)):
        empty.resize(chart.size())
        image = chart.image()
        assert not image.isNull() and image.width() > 100
        # The data are drawn: far more of the series colour than the same chart without data
        # (whose only blue is the legend's marker).
        assert blue_pixels(image) > blue_pixels(empty.image()) + 20, chart.objectName()
    assert find(view, QLabel, "chartScope").text() == "图表：全区域（新昌县南明街道）"

    # One venue: click its row.
    model = table.model()
    shop_row = next(r for r in range(model.rowCount()) if model.index(r, 0).data() == "南明街道便民超市")
    with qtbot.waitSignal(view.charts_changed, timeout=10_000) as changed:
        qtbot.mouseClick(
            table.viewport(),
            Qt.MouseButton.LeftButton,
            pos=table.visualRect(model.index(shop_row, 0)).center(),
        )
    assert changed.args[0] == model.index(shop_row, 0).data(VenueIdRole)
    assert find(view, QLabel, "chartScope").text() == "图表：南明街道便民超市"
    assert sum(view.hourly.values) == 2 and view.trend.points[-1].checked == 2
    assert blue_pixels(view.hourly.image()) > 20
    with qtbot.waitSignal(view.charts_changed, timeout=5_000):
        click(qtbot, view, "chartWholeRegion")
    assert sum(view.hourly.values) == 6


def test_abnormal_list_drills_down_and_full_details_are_audited(
    qtbot: QtBot, make_station_app: MakeApp, embedded: LiveBackend, memory_keyring: MemoryKeyring
) -> None:
    a_day_of_checks(embedded)
    app = make_station_app()
    open_region(qtbot, app)
    view = app.window.region_view
    choose_tab(qtbot, find(view, QTabWidget, "regionTabs"), "异常名单")
    panel = view.abnormal
    table = find(panel, QTableView, "abnormalTable")
    rows = table_rows(table)
    assert sorted(row[4] for row in rows) == ["人工核验", "无法核验", "禁止通行"]
    assert find(panel, QLabel, "abnormalCount").text() == "共 3 人次未通过"
    deny = next(r for r, row in enumerate(rows) if row[4] == "禁止通行")
    assert rows[deny][2] == "钱*" and rows[deny][6] == "已登记"
    qtbot.mouseClick(
        table.viewport(),
        Qt.MouseButton.LeftButton,
        pos=table.visualRect(table.model().index(deny, 0)).center(),
    )
    assert find(panel, QLabel, "checkName").text() == "钱*"
    assert POSITIVE.number not in find(panel, QLabel, "checkDocument").text()  # masked
    qtbot.waitUntil(lambda: find(panel, QLabel, "registrationType").text() == "核酸阳性", timeout=10_000)
    assert find(panel, QLabel, "registrationAction").text() == "送临时隔离点"
    assert find(panel, QLabel, "registrationPhone").text() == "137****0006"

    # 查看完整信息: 取消 shows nothing and audits nothing; 确定查看 shows and audits.
    click(qtbot, panel, "viewFullDetails")
    answer_box(qtbot, panel, "confirmFullDetails", yes=False)
    assert not panel.full.isVisible() and audit_rows(embedded, "view_full") == []
    click(qtbot, panel, "viewFullDetails")
    text = answer_box(qtbot, panel, "confirmFullDetails")
    assert "记入审计日志" in text
    qtbot.waitUntil(panel.full.isVisible, timeout=10_000)
    assert find(panel, QLabel, "fullName").text() == POSITIVE.name
    assert find(panel, QLabel, "fullDocument").text() == POSITIVE.number
    assert find(panel, QLabel, "fullPhone").text() == "13700000006"
    [entry] = audit_rows(embedded, "view_full")
    assert entry.region_code == "330624" and '"role": "supervisor"' in entry.detail
    # Another row: the full details leave the screen at once.
    other = next(r for r, row in enumerate(rows) if row[4] == "人工核验")
    qtbot.mouseClick(
        table.viewport(),
        Qt.MouseButton.LeftButton,
        pos=table.visualRect(table.model().index(other, 0)).center(),
    )
    assert not panel.full.isVisible() and find(panel, QLabel, "fullDocument").text() == ""


def test_supervisor_exports_xlsx_for_contact_tracing(
    qtbot: QtBot,
    make_station_app: MakeApp,
    embedded: LiveBackend,
    memory_keyring: MemoryKeyring,
    tmp_path: Path,
) -> None:
    a_day_of_checks(embedded)
    app = make_station_app()
    open_region(qtbot, app)
    view = app.window.region_view
    click(qtbot, view, "regionExport")
    qtbot.waitUntil(lambda: view.export_dialog is not None and view.export_dialog.isVisible(), timeout=5_000)
    dialog = view.export_dialog
    assert isinstance(dialog, ExportDialog)
    status = find(dialog, QLabel, "exportStatus")
    click(qtbot, dialog, "exportRun")
    assert status.text() == "请选择保存位置"
    target = tmp_path / "trace"
    dialog.ask_save_path = lambda *_args: target
    qtbot.mouseClick(find(dialog, QRadioButton, "exportXlsx"), Qt.MouseButton.LeftButton)
    click(qtbot, dialog, "exportChoosePath")
    # Only the hospital: untick the shop.
    venues = dialog.venues
    shop = next(i for i, (_vid, name) in enumerate(venues.venues) if name == "南明街道便民超市")
    venue_list = dialog.venue_list
    rect = venue_list.visualRect(venues.index(shop))
    qtbot.mouseClick(venue_list.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.keyClick(venue_list, Qt.Key.Key_Space)  # the space bar ticks and unticks
    assert [name for vid, name in venues.venues if vid in venues.chosen()] == ["新昌县人民医院"]
    click(qtbot, dialog, "exportRun")
    qtbot.waitUntil(lambda: status.text().startswith("导出完成"), timeout=20_000)
    saved = tmp_path / "trace.xlsx"
    assert (
        dialog.outcome is not None
        and dialog.outcome.path == saved
        and dialog.outcome.bytes == saved.stat().st_size
    )
    assert not (tmp_path / "trace.xlsx.part").exists()
    sheet = openpyxl.load_workbook(saved, read_only=True).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == (
        "时间",
        "场所",
        "卡口",
        "核验方式",
        "结论",
        "人工决定",
        "姓名",
        "证件号",
        "原因",
        "核验人员",
    )
    assert len(rows) == 5 and {row[1] for row in rows[1:]} == {"新昌县人民医院"}
    assert sorted(row[4] for row in rows[1:]) == ["人工核验", "禁止通行", "通行", "通行"]
    assert POSITIVE.number not in {row[7] for row in rows[1:]}  # masked forms only
    [entry] = audit_rows(embedded, "export")
    assert '"format": "xlsx"' in entry.detail and entry.region_code == "330624"
    click(qtbot, dialog, "exportCancel")  # 关闭
    qtbot.waitUntil(lambda: view.export_dialog is None, timeout=5_000)
