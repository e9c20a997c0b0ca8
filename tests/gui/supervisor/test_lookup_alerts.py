# mypy: allow-untyped-calls
"""查询预警 in 区域监管 (issue 13 §1): a venue scraping ID numbers through the real backend
shows in its region's supervisor view, with its figures; the table model passes Qt's checks."""

from __future__ import annotations

from datetime import UTC, date, datetime

from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from shoumen_core.identity import make_resident_id
from shoumen_core.schemas import DocumentIn, LookupAlert, LookupRequest
from shoumen_gui.services.api import ApiClient
from shoumen_gui.services.errors import RateLimited
from shoumen_gui.services.session import login_with_demo_code
from shoumen_gui.ui.supervisor.lookup_alerts import LookupAlertsModel, LookupAlertsPanel
from shoumen_gui.ui.supervisor.models import SortRole, VenueIdRole
from tests.gui.conftest import GUARD_PHONE, LiveBackend, MakeApp, MemoryKeyring
from tests.gui.supervisor.test_region import open_region, table_rows


def _alert(venue_id: int, name: str, **figures: object) -> LookupAlert:
    values: dict[str, object] = {
        "lookups": 60,
        "documents": 60,
        "unknown": 55,
        "sequential": 40,
        "limited": 0,
        "last_at": datetime(2026, 11, 20, 2, 30, tzinfo=UTC),
        "reasons": ["unknown_numbers", "sequential_numbers"],
    }
    values.update(figures)
    return LookupAlert(venue_id=venue_id, venue_name=name, unit_type="supermarket", **values)  # type: ignore[arg-type]


def test_lookup_alerts_model(qtbot: QtBot, qtmodeltester: ModelTester) -> None:
    model = LookupAlertsModel()
    model.set_rows(
        [
            _alert(3, "<b>某某小卖部</b>"),
            _alert(
                9, "南明超市", unknown=1, sequential=0, limited=80, last_at=None, reasons=["rate_limited"]
            ),
        ]
    )
    qtmodeltester.check(model)
    first = [model.index(0, c).data() for c in range(model.columnCount())]
    assert first[0] == "<b>某某小卖部</b>"  # a venue's own text, shown as typed
    assert first[2:8] == ["60", "60", "55", "40", "0", "10:30"]
    assert first[8] == "未知号码多；号码连续（疑似逐个试号）"
    assert model.index(1, 7).data() == "—" and model.index(1, 8).data() == "多次超出查询限额"
    assert model.index(1, 6).data(SortRole) == 80 and model.index(1, 0).data(VenueIdRole) == 9
    model.set_rows([])
    assert model.rowCount() == 0


def test_panel_says_when_nothing_is_flagged(qtbot: QtBot) -> None:
    panel = LookupAlertsPanel()
    qtbot.addWidget(panel)
    assert panel.tab_title() == "查询预警" and "没有" in panel.hint.text()
    panel.set_items([_alert(3, "某某小卖部")])
    assert panel.tab_title() == "查询预警（1）" and "批量" in panel.hint.text()
    panel.clear()
    assert panel.model.rowCount() == 0


def scrape(live: LiveBackend) -> tuple[str, int]:
    """A guard's account walks the sequence digits of one birth date as fast as it can, until the
    server has refused 25 lookups (at full speed the 45th). Returns the venue's name and how many
    lookups the server refused.

    Until refused, not a fixed 45: the staff bucket lets 20 through and then 30 a minute, so on
    a machine busy with the suite's parallel workers a slower walk had more let through and too
    few refused. Each lookup may take 30 s, not the station's 1 s: its speed is not tested here."""
    refused = 0
    with ApiClient(live.url) as guard:
        login_with_demo_code(guard, GUARD_PHONE)
        venue = guard.auth.me().venues[0]
        for seq in range(200):
            if refused == 25:
                break
            number = make_resident_id("330624", date(1990, 1, 1), seq)
            try:
                guard.checks.lookup(
                    venue.venue_id, LookupRequest(document=DocumentIn(number=number)), timeout=30.0
                )
            except RateLimited:
                refused += 1
    return venue.venue_name, refused


def test_region_view_shows_a_scraping_venue(
    qtbot: QtBot, make_station_app: MakeApp, embedded: LiveBackend, memory_keyring: MemoryKeyring
) -> None:
    name, refused = scrape(embedded)
    assert refused >= 20  # the staff bucket's burst of 20 went through, the rest were refused
    app = make_station_app()
    open_region(qtbot, app)
    view = app.window.region_view
    assert view.tabs.tabText(view.tabs.indexOf(view.lookup_alerts)) == "查询预警（1）"
    [row] = table_rows(view.lookup_alerts.table)
    assert row[0] == name
    assert row[8] == "号码连续（疑似逐个试号）；多次超出查询限额"
    assert int(row[6]) == refused
    view.clear()  # logout: nothing of the region stays
    assert view.lookup_alerts.model.rowCount() == 0
