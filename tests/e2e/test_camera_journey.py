# mypy: allow-untyped-calls
"""End to end with the camera: the backend's demo video played as the camera of one station.

The real embedded backend, `shoumen-server demo-codes` run on its database (so the codes verify
against its trust list), real decoders on the mp4v video. Every demo person gets the verdict
codes.json promises — 通行 for the green one, 禁止通行 for the red one — the red one is
registered (核查登记) from the abnormal list, and the counters and the abnormal list change in
both scopes, on this station and on a second station of the same venue after its pull.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QLabel, QPushButton
from pytestqt.qtbot import QtBot

from shoumen_core.policy import LEVEL_WORDS, VerdictLevel
from shoumen_core.schemas import AnomalyType
from shoumen_gui import pyside_fixes
from shoumen_gui.paths import AppPaths
from shoumen_gui.services.checks import CheckResult
from shoumen_gui.services.stats import Registration
from shoumen_gui.settings import Settings, SettingsStore
from shoumen_gui.tasks import TaskManager
from shoumen_gui.ui.flow import BackendChoice, SessionFlow
from shoumen_gui.ui.main_window import MainWindow
from shoumen_gui.ui.scan_view import ScanConfig, ScanState, stop_all_scanners
from shoumen_gui.ui.stats_view import StatsView
from tests.gui.conftest import FAST_SYNC, GUARD_PHONE, LiveBackend, MakeApp, MemoryKeyring, StationApp
from tests.gui.helpers import click, find

pytestmark = pytest.mark.slow

# The camera emits 15 previews a second: without this, PySide6 6.12 on Python 3.11 would use up
# True's references during the run (shoumen_gui/pyside_fixes.py). Process-wide, as in the app.
pyside_fixes.apply()

SECOND_GUARD = "13900000003"  # 赵保安, the same hospital
Counters = tuple[int, int, int, int]


@pytest.fixture
def demo_codes(embedded: LiveBackend, tmp_path: Path) -> tuple[Path, list[dict[str, Any]]]:
    """`shoumen-server demo-codes` on the embedded database: the PNGs, codes.json, demo.mp4."""
    out = tmp_path / "codes"
    command = [
        sys.executable,
        "-m",
        "shoumen_server",
        "demo-codes",
        "--database-url",
        embedded.backend.database_url,
    ]
    subprocess.run([*command, "--out", str(out)], check=True, capture_output=True, timeout=120)
    index: dict[str, dict[str, Any]] = json.loads((out / "codes.json").read_text(encoding="utf-8"))
    return out / "demo.mp4", list(index.values())


@pytest.fixture
def second_station(
    qtbot: QtBot, tmp_path: Path, embedded: LiveBackend, memory_keyring: MemoryKeyring
) -> Iterator[StationApp]:
    """Another station of the venue: its own data folder, talking to the same backend over HTTP."""
    paths = AppPaths.in_folder(tmp_path / "second-station").ensure()
    tasks = TaskManager()
    window = MainWindow(tasks, device_name="pytest-2")
    qtbot.addWidget(window)
    store = SettingsStore(paths.settings_file)
    flow = SessionFlow(
        window,
        tasks,
        paths,
        store,
        Settings(),
        BackendChoice.remote(embedded.url),
        demo_login=SECOND_GUARD,
        sync_options=FAST_SYNC,
    )
    station = StationApp(window, flow, tasks, paths, qtbot)
    window.show()
    yield station
    station.close()


@pytest.fixture(autouse=True)
def _scanners_stopped() -> Iterator[None]:
    yield
    assert stop_all_scanners()


def counters(view: StatsView) -> Counters:
    names = ("countChecked", "countPassed", "countReview", "countAbnormal")
    return tuple(int(find(view, QLabel, name).text()) for name in names)  # type: ignore[return-value]


def read_stats(qtbot: QtBot, app: StationApp, scope: int) -> tuple[Counters, set[tuple[str, Registration]]]:
    """The 统计 tab's counters and abnormal rows in scope 0 (单位) or 1 (个人), freshly read."""
    view = app.window.workbench.stats_view
    app.window.workbench.tabs.setCurrentWidget(view)
    view.scope_box.setCurrentIndex(scope)
    view.today_button.click()
    with qtbot.waitSignal(view.refreshed, timeout=15_000):
        view.refresh()
    qtbot.waitUntil(lambda: app.tasks.idle, timeout=15_000)  # the server half of the answer too
    rows = {(row.item.masked_name, row.registration) for row in view.model.rows}
    return counters(view), rows


def test_demo_video_as_the_camera_then_register_and_see_the_figures_everywhere(
    qtbot: QtBot,
    make_station_app: MakeApp,
    second_station: StationApp,
    embedded: LiveBackend,
    memory_keyring: MemoryKeyring,
    demo_codes: tuple[Path, list[dict[str, Any]]],
) -> None:
    video, codes = demo_codes
    app = make_station_app(demo_login=GUARD_PHONE)
    app.start()
    second_station.start()
    assert second_station.station.post.venue_id == app.station.post.venue_id
    unit_before, _ = read_stats(qtbot, app, 0)
    personal_before, _ = read_stats(qtbot, app, 1)
    other_unit_before, _ = read_stats(qtbot, second_station, 0)
    other_personal_before, _ = read_stats(qtbot, second_station, 1)

    # The demo video is the camera: one check per person, each verdict as codes.json says.
    workbench = app.window.workbench
    workbench.tabs.setCurrentWidget(workbench.check_page)
    shown: list[tuple[CheckResult, str]] = []

    def on_check(outcome: object) -> None:
        assert isinstance(outcome, CheckResult), outcome
        shown.append((outcome, find(app.window, QLabel, "verdictLabel").text()))
        if workbench.result_panel.awaiting_decision:  # a 人工核验 waits: this guard leaves it
            find(app.window, QPushButton, "dismissUndecided").click()  # undecided, next visitor

    workbench.check_finished.connect(on_check)
    scan = workbench.scan_view
    with qtbot.waitSignal(scan.state_changed, check_params_cb=lambda s: s == ScanState.ENDED, timeout=60_000):
        workbench.set_scan_config(ScanConfig(camera=None, video=video, realtime=False))
    qtbot.waitUntil(lambda: len(shown) == len(codes), timeout=30_000)
    assert [(r.masked_name, r.level.value) for r, _ in shown] == [
        (c["masked_name"], c["level"]) for c in codes
    ]
    by_path = {code["path"]: words for code, (_, words) in zip(codes, shown, strict=True)}
    assert by_path["green_fresh"] == "通行"
    assert by_path["red"] == "禁止通行"
    assert all(words == LEVEL_WORDS[result.level] for result, words in shown)

    # 核查登记 of the red person, from the abnormal list.
    levels = [VerdictLevel(code["level"]) for code in codes]
    delta = (
        len(levels),
        levels.count(VerdictLevel.PASS),
        levels.count(VerdictLevel.REVIEW),
        levels.count(VerdictLevel.DENY) + levels.count(VerdictLevel.CANNOT_VERIFY),
    )
    red_name = next(code["masked_name"] for code in codes if code["path"] == "red")
    view = workbench.stats_view
    unit_after, rows = read_stats(qtbot, app, 0)
    assert unit_after == tuple(a + b for a, b in zip(unit_before, delta, strict=True))
    assert (red_name, Registration.NONE) in rows
    row = next(i for i, r in enumerate(view.model.rows) if r.item.masked_name == red_name)
    view.table.activated.emit(view.model.index(row, 0))
    form = workbench.anomaly_form
    assert workbench.tabs.currentWidget() is form
    form.fields.type_box.setCurrentIndex(form.fields.type_box.findData(AnomalyType.RED_CODE.value))
    form.fields.phone.setText("13700000008")
    form.fields.notes.setPlainText("红码，已劝返并报告社区")
    with qtbot.waitSignal(form.saved, timeout=10_000):
        click(qtbot, form, "anomalySave")

    # This station: both scopes changed; the registration shows in the list.
    unit_after, rows = read_stats(qtbot, app, 0)
    assert unit_after == tuple(a + b for a, b in zip(unit_before, delta, strict=True))
    assert {(red_name, Registration.PENDING), (red_name, Registration.SAVED)} & rows
    personal_after, rows = read_stats(qtbot, app, 1)
    assert personal_after == tuple(a + b for a, b in zip(personal_before, delta, strict=True))
    assert {(red_name, Registration.PENDING), (red_name, Registration.SAVED)} & rows

    # Everything reaches the server; the second station pulls and sees it in the unit scope.
    qtbot.waitUntil(lambda: app.cache.pending_count() == 0, timeout=20_000)
    with qtbot.waitCallback(timeout=15_000) as pulled:
        second_station.station.sync_now(pulled)
    other_unit, other_rows = read_stats(qtbot, second_station, 0)
    assert other_unit == tuple(a + b for a, b in zip(other_unit_before, delta, strict=True))
    assert (red_name, Registration.SAVED) in other_rows
    other_personal, other_rows = read_stats(qtbot, second_station, 1)
    assert other_personal == other_personal_before  # 赵保安 checked nobody
    assert all(name != red_name for name, _ in other_rows)
