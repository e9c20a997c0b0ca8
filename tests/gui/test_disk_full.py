# mypy: allow-untyped-calls
"""Issue 14 §1: a disk that cannot take the check never leaves a verdict on screen.

The whole app on the live embedded backend (its database outside the small disk), the
station's data folder on a real 2 MiB tmpfs, a USB relay gate on a real pty pair. A green
visitor is checked, the disk is filled, a red visitor is typed: the panel must drop the green
verdict, show the grey 无法保存 state with the held count, open no gate and raise no crash;
once space returns the held check is written and reaches the server exactly once.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot
from sqlalchemy import create_engine, func, select

from shoumen_core.policy import CodeColour
from shoumen_gui.paths import AppPaths
from shoumen_gui.services.gate import GateConfig, GateKind, GateResult
from shoumen_gui.tasks import TaskManager
from shoumen_gui.ui.result_panel import ResultPanel
from shoumen_server.models import Check
from tests.gui.conftest import LiveBackend, MakeApp, MemoryKeyring
from tests.gui.helpers import type_id, verdict
from tests.gui.services.gate_devices import PtyRelay
from tests.gui.storage_helpers import fill, small_tmpfs
from tests.gui.test_gate_e2e import (
    GREEN,
    OFF,
    ON,
    PULSE,
    RED,
    ServerGate,
    configure_gate,
    drain_gate_lane,
    gate_text,
    pending_bytes,
    server_gates,
    start_guard,
)
from tests.gui.test_result_panel import result_for, snapshot


@pytest.fixture
def app_paths(tmp_path: Path) -> Iterator[AppPaths]:
    """The station's folder (settings, cache, logs) on its own 2 MiB disk."""
    with small_tmpfs(tmp_path / "station") as folder:
        yield AppPaths.in_folder(folder).ensure()


@pytest.fixture
def relay() -> Iterator[PtyRelay]:
    pty = PtyRelay()
    yield pty
    pty.close()


def server_rows_for(embedded: LiveBackend, check_id: uuid.UUID) -> int:
    engine = create_engine(embedded.backend.database_url)
    try:
        with engine.connect() as conn:
            return int(conn.scalar(select(func.count()).select_from(Check).where(Check.id == check_id)) or 0)
    finally:
        engine.dispose()


def test_a_red_visitor_on_a_full_disk_shows_cannot_save_never_the_previous_green_verdict(
    qtbot: QtBot,
    make_station_app: MakeApp,
    embedded: LiveBackend,
    app_paths: AppPaths,
    memory_keyring: MemoryKeyring,
    relay: PtyRelay,
) -> None:
    configure_gate(
        app_paths, embedded, GateConfig(kind=GateKind.SERIAL, port=relay.port, pulse_seconds=PULSE)
    )
    app = start_guard(make_station_app)
    workbench = app.window.workbench
    panel = workbench.result_panel

    type_id(qtbot, app.window, GREEN)
    assert verdict(app.window) == "通行"
    assert panel.result is not None
    green_id = panel.result.record_id
    assert (relay.read(4)[0], relay.read(4)[0]) == (ON, OFF)
    qtbot.waitUntil(lambda: gate_text(app) == "已开闸", timeout=10_000)
    drain_gate_lane(qtbot, app)

    filler = fill(app_paths.data_dir)
    type_id(qtbot, app.window, RED)

    # The green visitor's verdict, countdown and gate line are gone; grey 无法保存 instead.
    assert panel.showing_unsaved and panel.result is None
    assert panel.stack.currentWidget().objectName() == "unsavedPage"
    assert panel.unsaved_title.text() == "无法保存"
    assert panel.unsaved_message.text() == "无法保存：本机存储已满，请人工核验并联系管理员"
    assert "1 条核验记录暂存" in panel.unsaved_held.text()
    assert verdict(app.window) == ""
    assert "通行" not in panel.verdict_label.text() + panel.headline.text()
    assert panel.masked_name.text() == "" and panel.countdown.text() == ""
    assert not panel.clear_timer.isActive() and not panel.tick_timer.isActive()
    assert not panel.gate_row.isVisible()
    # No gate: nothing at all reaches the relay for the red visitor.
    drain_gate_lane(qtbot, app)
    assert not pending_bytes(relay)
    assert app.cache.held_count() == 1
    # The status bar counts the held check and warns about the space.
    warning = workbench.status_bar.storage
    qtbot.waitUntil(lambda: warning.isVisible() and "1 条核验记录暂存内存" in warning.text(), timeout=10_000)
    assert "本机存储空间不足" in warning.text()

    # Space returns: the station's own timer writes the held check; the sync pushes it once.
    filler.unlink()
    qtbot.waitUntil(lambda: app.cache.held_count() == 0, timeout=15_000)
    qtbot.waitUntil(lambda: len(server_gates(embedded)) == 2, timeout=15_000)
    rows = server_gates(embedded)
    red_id = next(check_id for check_id in rows if check_id != green_id)
    assert rows[green_id] == ServerGate("document", "pass", True, "")
    assert rows[red_id] == ServerGate("document", "deny", False, "")
    local_red = app.cache.check(red_id)
    assert local_red is not None and not local_red.record.gate_opened
    qtbot.waitUntil(lambda: app.cache.pending_count() == 0, timeout=15_000)
    qtbot.waitUntil(lambda: not warning.text().startswith("1 条"), timeout=10_000)
    # Written once, synced once: another storage round and sync round add nothing.
    with qtbot.waitSignal(app.station.storage_changed, timeout=10_000) as probed:
        app.station.check_storage()
    assert probed.args is not None and probed.args[0].held == 0 and probed.args[0].written == ()
    with qtbot.waitCallback(timeout=15_000) as synced:
        app.station.sync_now(synced)
    assert server_rows_for(embedded, red_id) == 1
    assert len(server_gates(embedded)) == 2
    assert not pending_bytes(relay)


def test_storage_probe_reports_low_space_before_it_runs_out(
    qtbot: QtBot,
    make_station_app: MakeApp,
    embedded: LiveBackend,
    app_paths: AppPaths,
    memory_keyring: MemoryKeyring,
) -> None:
    """Below the threshold (the 2 MiB disk is far below the default 200 MB) the status bar
    shows the free space while checks still save."""
    app = start_guard(make_station_app)
    warning = app.window.workbench.status_bar.storage
    qtbot.waitUntil(lambda: warning.isVisible(), timeout=10_000)
    assert warning.text().startswith("本机存储空间不足：剩余 ")
    assert warning.text().endswith(" KB") or warning.text().endswith(" MB")
    type_id(qtbot, app.window, GREEN)
    assert verdict(app.window) == "通行"  # low is a warning, not a refusal
    assert app.station.storage_timer.interval() <= 3_000  # low space: measured every few seconds


def test_cannot_save_replaces_a_green_verdict_and_stays_until_the_next_check(
    qtbot: QtBot, tasks: TaskManager
) -> None:
    panel = ResultPanel(tasks)
    qtbot.addWidget(panel)
    panel.show()
    panel.set_gate_available(True)
    green = result_for(snapshot())
    panel.show_result(green, 8000)
    panel.show_gate_pending(green.record_id)
    assert panel.verdict_label.text() == "通行" and panel.clear_timer.isActive()

    panel.show_unsaved("无法保存：本机存储已满，请人工核验并联系管理员", 3)
    assert panel.result is None and panel.property("level") == "unsaved"
    assert (
        panel.verdict_label.text() == "" and panel.masked_name.text() == "" and panel.countdown.text() == ""
    )
    assert not panel.clear_timer.isActive() and not panel.gate_row.isVisible()
    assert "3 条核验记录暂存" in panel.unsaved_held.text()
    assert panel.unsaved_dismiss.isVisible()
    # A late gate answer for the green visitor cannot bring a line back.
    panel.show_gate(green.record_id, GateResult(True, True, "", ""))
    assert not panel.gate_row.isVisible()

    red = result_for(snapshot(code_colour=CodeColour.RED))
    panel.show_result(red, 8000)
    assert not panel.showing_unsaved and panel.verdict_label.text() == "禁止通行"
    panel.show_unsaved("x", 1)
    with qtbot.waitSignal(panel.cleared, timeout=1000):
        panel.unsaved_dismiss.click()
    assert not panel.showing_unsaved and panel.ready_label.isVisible()

    panel.set_attended(False)  # a kiosk's visitor waits for the staff: no button to wave it off
    panel.show_unsaved("x", 1)
    assert not panel.unsaved_dismiss.isVisible()
