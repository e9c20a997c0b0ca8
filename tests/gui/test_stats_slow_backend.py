# mypy: allow-untyped-calls
"""统计 behind a slow backend (issue 16 §5, §6): a new date blanks the tiles and says it is
loading, an answer to a question no longer asked is dropped, a failed read says so without
calling the station offline, and the 检测异常 tile opens the day's abnormal list.

The backend is the real embedded one behind tests/gui/services/fault_proxy.py, which holds
requests (a slow link) or resets them (a lost request)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from urllib.parse import urlparse

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QWidget
from pytestqt.qtbot import QtBot

from shoumen_core.timeutil import local_day, utcnow
from shoumen_gui.services.session import BackendChoice
from shoumen_gui.ui.stats_view import StatsView
from shoumen_server.seed import DEMO_PATHS_BY_KEY
from tests.gui.conftest import GUARD_PHONE, LiveBackend, MakeApp, MemoryKeyring
from tests.gui.helpers import find, type_id
from tests.gui.services.fault_proxy import FaultProxy

TILES = ("countChecked", "countPassed", "countReview", "countAbnormal")


@pytest.fixture
def proxy(embedded: LiveBackend) -> Iterator[FaultProxy]:
    port = urlparse(embedded.url).port
    assert port is not None
    made = FaultProxy(port)
    yield made
    made.close()


def tiles(view: StatsView) -> tuple[str, ...]:
    return tuple(find(view, QLabel, name).text() for name in TILES)


def as_of(view: StatsView) -> str:
    text: str = find(view, QLabel, "statsAsOf").text()
    return text


def test_statistics_never_show_the_old_days_figures_under_a_new_date(
    qtbot: QtBot, make_station_app: MakeApp, proxy: FaultProxy, memory_keyring: MemoryKeyring
) -> None:
    app = make_station_app(demo_login=GUARD_PHONE, backend=BackendChoice.remote(proxy.url))
    app.start()
    window, workbench = app.window, app.window.workbench
    for key in ("green_fresh", "red"):
        type_id(qtbot, window, DEMO_PATHS_BY_KEY[key].number)
    qtbot.waitUntil(lambda: app.cache.pending_count() == 0, timeout=15_000)  # pushed: nothing queued
    view = workbench.stats_view
    with qtbot.waitSignal(view.refreshed, timeout=15_000):
        workbench.tabs.setCurrentWidget(view)
    qtbot.waitUntil(lambda: tiles(view)[0] not in ("—", "0") and view.model.rowCount() > 0, timeout=15_000)
    today_tiles = tiles(view)
    today = local_day(utcnow())
    yesterday = today - timedelta(days=1)
    online = find(workbench, QLabel, "syncOnline")
    assert online.text() == "● 在线"

    # The 检测异常 tile opens the abnormal list of the day shown.
    tile = find(view, QWidget, "abnormalTile")
    qtbot.mouseClick(tile, Qt.MouseButton.LeftButton)
    assert view.table.hasFocus() and view.table.selectionModel().selectedRows()[0].row() == 0
    assert today.isoformat() in find(view, QLabel, "abnormalTitle").text()

    # A slow backend: 昨天 blanks today's figures at once and says it is loading, then 正在连接….
    proxy.hold()
    qtbot.mouseClick(view.yesterday_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: as_of(view) == f"正在读取 {yesterday.isoformat()} 的统计…", timeout=5_000)
    assert view.day == yesterday and tiles(view) == ("—",) * 4 and view.model.rowCount() == 0
    assert sum(view.chart.counts) == 0
    assert yesterday.isoformat() in find(view, QLabel, "abnormalTitle").text()
    qtbot.waitUntil(lambda: as_of(view).startswith("正在连接…"), timeout=5_000)
    assert "离线" not in as_of(view) and online.text() == "● 在线"
    assert tiles(view) == ("—",) * 4

    # Back to today before yesterday's answer came: today's figures (from the cache) at once;
    # yesterday's late answer is dropped when it comes.
    stale: list[bool] = []
    real_on_server = view._on_server

    def spy(generation: int, *args: object) -> None:
        stale.append(generation != view._generation)
        real_on_server(generation, *args)  # type: ignore[arg-type]

    view._on_server = spy  # type: ignore[method-assign]
    qtbot.mouseClick(view.today_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: tiles(view) == today_tiles, timeout=10_000)
    proxy.release()
    qtbot.waitUntil(lambda: True in stale and False in stale, timeout=20_000)
    assert view.day == today and tiles(view) == today_tiles
    qtbot.waitUntil(lambda: as_of(view) == "在线", timeout=10_000)

    # A lost request: the failure is said in words, under no other day's figures, and one lost
    # request does not make the station (or the status bar) offline.
    proxy.script("reset")
    with qtbot.waitSignal(view.refreshed, timeout=15_000):
        qtbot.mouseClick(view.yesterday_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: as_of(view).startswith("正在连接…："), timeout=10_000)
    assert tiles(view) != today_tiles or today_tiles == ("0",) * 4
    assert app.station.connectivity.online and online.text() == "● 在线"
    # Asked again, it comes: yesterday's own figures.
    with qtbot.waitSignal(view.refreshed, timeout=15_000):
        qtbot.mouseClick(find(view, QWidget, "statsRefresh"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: as_of(view) == "在线" and "—" not in tiles(view), timeout=10_000)
    assert view.shown_key is not None and view.shown_key[0] == yesterday
