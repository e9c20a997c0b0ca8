# mypy: allow-untyped-calls
"""区域监管 behind a slow backend (issue 16 §5, §6) and an export to a place that cannot be
written (§7), on the real embedded backend (behind tests/gui/services/fault_proxy.py)."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlparse

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDateTimeEdit, QLabel, QProgressBar, QPushButton, QRadioButton, QTableView
from pytestqt.qtbot import QtBot

from shoumen_core.timeutil import local_day, utcnow
from shoumen_gui.services.session import BackendChoice
from shoumen_gui.ui.supervisor.export_dialog import ExportDialog
from shoumen_gui.ui.supervisor.region_view import RegionView
from tests.gui.conftest import LiveBackend, MakeApp, MemoryKeyring
from tests.gui.helpers import click, find
from tests.gui.services.fault_proxy import FaultProxy
from tests.gui.supervisor.test_region import a_day_of_checks, open_region, table_rows


@pytest.fixture
def proxy(embedded: LiveBackend) -> Iterator[FaultProxy]:
    port = urlparse(embedded.url).port
    assert port is not None
    made = FaultProxy(port)
    yield made
    made.close()


def message(view: RegionView) -> str:
    text: str = find(view, QLabel, "regionMessage").text()
    return text


def step_day(qtbot: QtBot, view: RegionView, key: Qt.Key) -> None:
    """A person steps the date with the arrow keys on its day section."""
    view.date.setFocus()
    view.date.setCurrentSection(QDateTimeEdit.Section.DaySection)
    qtbot.keyClick(view.date, key)


def test_region_never_shows_a_days_figures_under_another_date(
    qtbot: QtBot,
    make_station_app: MakeApp,
    embedded: LiveBackend,
    proxy: FaultProxy,
    memory_keyring: MemoryKeyring,
) -> None:
    a_day_of_checks(embedded)
    app = make_station_app(backend=BackendChoice.remote(proxy.url))
    open_region(qtbot, app)
    view = app.window.region_view
    table = find(view, QTableView, "regionVenuesTable")
    today = local_day(utcnow())
    yesterday = today - timedelta(days=1)
    assert view.shown_day == today and table.model().rowCount() == 2
    assert find(view, QLabel, "regionTotals").text().startswith("合计：已核验 6 人次")

    # Slow: the other date clears today's figures at once, says it is loading, then 正在连接….
    proxy.hold()
    step_day(qtbot, view, Qt.Key.Key_Down)
    assert view.day == yesterday
    assert message(view) == f"正在读取 {yesterday.isoformat()} 的数据…"
    assert table.model().rowCount() == 0 and find(view, QLabel, "regionTotals").text() == ""
    assert sum(view.hourly.values) == 0 and view.abnormal.model.rowCount() == 0
    qtbot.waitUntil(lambda: message(view).startswith("正在连接…"), timeout=5_000)
    assert "离线" not in message(view)

    # Back to today and to yesterday again before any answer: only the last question's answer
    # is shown, the others are dropped when they come.
    stale: list[bool] = []
    real_on_loaded = view._on_loaded

    def spy(generation: int, loaded: object) -> None:
        stale.append(generation != view._generation)
        real_on_loaded(generation, loaded)  # type: ignore[arg-type]

    view._on_loaded = spy  # type: ignore[method-assign]
    step_day(qtbot, view, Qt.Key.Key_Up)
    step_day(qtbot, view, Qt.Key.Key_Down)
    with qtbot.waitSignal(view.loaded, timeout=20_000):
        proxy.release()
    qtbot.waitUntil(lambda: len(stale) == 3, timeout=20_000)
    assert sorted(stale) == [False, True, True]
    assert view.day == yesterday and view.shown_day == yesterday
    assert message(view).startswith(yesterday.isoformat())
    # a_day_of_checks checked today only: yesterday's rows say 当日无核验, not 今日无核验.
    last_column = [row[6] for row in table_rows(table)]
    assert last_column and set(last_column) == {"当日无核验"}
    assert sum(view.hourly.values) == 0

    # A lost request: said in words, nothing of another date shown, the station not offline.
    proxy.script("reset")
    step_day(qtbot, view, Qt.Key.Key_Up)
    qtbot.waitUntil(lambda: "读取失败" in message(view), timeout=10_000)
    assert message(view).startswith(f"{today.isoformat()} 的数据读取失败：正在连接…")
    assert table.model().rowCount() == 0 and view.shown_day is None
    assert app.flow.connectivity.online
    with qtbot.waitSignal(view.loaded, timeout=20_000):
        click(qtbot, view, "regionRefresh")
    assert view.shown_day == today and table.model().rowCount() == 2
    assert {row[6] for row in table_rows(table)} != {"当日无核验"}


def test_export_to_an_unwritable_place_says_why_and_lets_the_person_choose_again(
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
    qtbot.mouseClick(find(dialog, QRadioButton, "exportCsv"), Qt.MouseButton.LeftButton)
    dialog.ask_save_path = lambda *_args: Path("/proc/nope/x.csv")
    click(qtbot, dialog, "exportChoosePath")
    click(qtbot, dialog, "exportRun")
    qtbot.waitUntil(
        lambda: status.text() != "正在导出…" and not status.text().startswith("已接收"), timeout=20_000
    )
    assert status.text() == "无法保存到 /proc/nope/x.csv（文件夹不存在），请选择其他位置后重试。"
    choose = find(dialog, QPushButton, "exportChoosePath")
    assert choose.isEnabled() and choose.hasFocus() and find(dialog, QPushButton, "exportRun").isEnabled()
    assert not find(dialog, QProgressBar, "exportProgress").isVisible()
    assert find(dialog, QPushButton, "exportCancel").text() == "关闭"

    # Chosen again: the file is written, with the guard's decision column.
    dialog.ask_save_path = lambda *_args: tmp_path / "trace.csv"
    click(qtbot, dialog, "exportChoosePath")
    click(qtbot, dialog, "exportRun")
    qtbot.waitUntil(lambda: status.text().startswith("导出完成"), timeout=20_000)
    with (tmp_path / "trace.csv").open(encoding="utf-8-sig") as f:
        rows = list(csv.reader(f))
    assert rows[0][4:6] == ["结论", "人工决定"]
    review = [row for row in rows[1:] if row[4] == "人工核验"]
    assert review and all(row[5] in ("人工放行", "劝返", "未决定") for row in review)
