# mypy: allow-untyped-calls
"""The workbench on the real embedded backend: checks, manual decisions, messages."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from shoumen_server.seed import DEMO_PATHS_BY_KEY
from tests.gui.conftest import GUARD_PHONE, LiveBackend, MakeApp, MemoryKeyring
from tests.gui.helpers import click, find, type_id, verdict


def test_review_visitor_admitted_by_hand_reaches_the_server(
    qtbot: QtBot,
    make_station_app: MakeApp,
    embedded: LiveBackend,
    memory_keyring: MemoryKeyring,
) -> None:
    app = make_station_app(demo_login=GUARD_PHONE)
    app.start()
    window = app.window
    type_id(qtbot, window, DEMO_PATHS_BY_KEY["no_code"].number)
    assert verdict(window) == "人工核验"
    assert find(window, QLabel, "maskedName").text() == "姓名：欧阳**"
    assert (
        find(window, QLabel, "rowHealthCodeReason").text() == "未申领本地健康码，请人工核验外省健康码和行程卡"
    )
    assert find(window, QLabel, "resultSource").text() == "在线核验"
    shown = window.workbench.result_panel.result
    assert shown is not None
    record_id = shown.record_id
    with qtbot.waitSignal(window.workbench.result_panel.decision_recorded, timeout=10_000):
        click(qtbot, window, "manualAdmit")
    assert find(window, QLabel, "decisionLabel").text() == "已记录：人工放行"
    # The sync engine pushes the check and then its decision; the server keeps both.
    qtbot.waitUntil(
        lambda: (
            (row := embedded.server_checks().get(record_id)) is not None and row.manual_decision == "admit"
        ),
        timeout=15_000,
    )
    row = embedded.server_checks()[record_id]
    assert row.level == "review" and row.offline is False
    assert row.checkpoint_id == app.station.post.checkpoint_id
    qtbot.waitUntil(lambda: find(window, QLabel, "syncPending").text() == "待同步 0", timeout=10_000)


def test_pass_visitor_needs_no_decision(
    qtbot: QtBot, make_station_app: MakeApp, memory_keyring: MemoryKeyring
) -> None:
    app = make_station_app(demo_login=GUARD_PHONE)
    app.start()
    type_id(qtbot, app.window, DEMO_PATHS_BY_KEY["green_fresh"].number)
    assert verdict(app.window) == "通行"
    assert not find(app.window, QLabel, "decisionLabel").text()
    assert not app.window.workbench.result_panel.admit_button.isVisible()


def test_a_scanned_venue_code_is_explained(
    qtbot: QtBot, make_station_app: MakeApp, memory_keyring: MemoryKeyring
) -> None:
    app = make_station_app(demo_login=GUARD_PHONE)
    app.start()
    workbench = app.window.workbench
    venue_id = app.station.post.venue_id
    poster = app.api.request_json("GET", f"/venues/{venue_id}/code")  # the venue's own 场所码
    with qtbot.waitSignal(workbench.check_finished, timeout=10_000):
        workbench.check_text(poster["url"])
    ready = find(app.window, QLabel, "readyLabel")
    assert ready.text() == "这是场所码，不是个人健康码。请访客出示本人的个人健康码"
    assert find(app.window, QLabel, "verdictLabel").text() == ""


def test_switching_checkpoint_goes_through_the_picker(
    qtbot: QtBot,
    make_station_app: MakeApp,
    memory_keyring: MemoryKeyring,
) -> None:
    app = make_station_app(demo_login=GUARD_PHONE)
    app.start()
    window = app.window
    before = find(window, QLabel, "syncCheckpoint").text()
    click(qtbot, window, "switchCheckpoint")
    assert window.current_page is window.checkpoint_picker
    other = next(b for b in window.checkpoint_picker.buttons if b.text() not in before)
    with qtbot.waitSignal(app.flow.ready, timeout=20_000):
        click(qtbot, window, other.objectName())
    assert find(window, QLabel, "syncCheckpoint").text() == f"新昌县人民医院 · {other.text()}"
