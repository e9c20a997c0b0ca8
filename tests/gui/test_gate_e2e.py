# mypy: allow-untyped-calls
"""The gate link end to end: the whole app on the live embedded backend, logged in as the guard,
with a gate configured in the settings file before the start — a USB relay on a real pty pair,
or a webhook on a local HTTP server. A green demo person opens the gate once, a red one does
not; 手动开闸 with a reason is recorded and reaches the server's database."""

from __future__ import annotations

import json
import select
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, replace

import pytest
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot
from sqlalchemy import create_engine
from sqlalchemy import select as sql_select

from shoumen_gui.paths import AppPaths
from shoumen_gui.services.gate import GateConfig, GateKind
from shoumen_gui.services.gate_serial import relay_command
from shoumen_gui.settings import SettingsStore
from shoumen_gui.ui.gate_controls import GateReasonDialog, ManualGateControl
from shoumen_gui.ui.result_panel import ResultPanel
from shoumen_server.models import Check, Checkpoint, Venue
from shoumen_server.seed import DEMO_PATHS_BY_KEY, HOSPITAL_NAME
from tests.gui.conftest import GUARD_PHONE, LiveBackend, MakeApp, MemoryKeyring, StationApp
from tests.gui.helpers import click, find, type_id, verdict
from tests.gui.services.gate_devices import GateServer, PtyRelay

GREEN = DEMO_PATHS_BY_KEY["green_fresh"].number  # 通行
RED = DEMO_PATHS_BY_KEY["red"].number  # 禁止通行 (红码)
PULSE = 0.4
ON, OFF = relay_command(1, True), relay_command(1, False)


@dataclass(frozen=True)
class ServerGate:
    method: str
    level: str
    gate_opened: bool
    gate_reason: str


def hospital_post(embedded: LiveBackend) -> tuple[int, int]:
    """The demo hospital and its 南门, read from the server's database."""
    engine = create_engine(embedded.backend.database_url)
    try:
        with engine.connect() as conn:
            venue_id = conn.scalar(sql_select(Venue.id).where(Venue.name == HOSPITAL_NAME))
            checkpoint_id = conn.scalar(
                sql_select(Checkpoint.id).where(Checkpoint.venue_id == venue_id, Checkpoint.name == "南门")
            )
    finally:
        engine.dispose()
    assert venue_id is not None and checkpoint_id is not None
    return int(venue_id), int(checkpoint_id)


def configure_gate(paths: AppPaths, embedded: LiveBackend, config: GateConfig) -> None:
    """What an installer does before the first start: the post and its gate in the settings file."""
    venue_id, checkpoint_id = hospital_post(embedded)
    store = SettingsStore(paths.settings_file)
    settings = replace(store.load(), venue_id=venue_id, checkpoint_id=checkpoint_id)
    store.save(settings.with_gate(venue_id, checkpoint_id, config.to_json()))


def server_gates(embedded: LiveBackend) -> dict[uuid.UUID, ServerGate]:
    """Every check row's gate columns, read with SQL from the server's database."""
    engine = create_engine(embedded.backend.database_url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                sql_select(Check.id, Check.method, Check.level, Check.gate_opened, Check.gate_reason)
            ).all()
    finally:
        engine.dispose()
    return {row[0]: ServerGate(row[1], row[2], bool(row[3]), row[4]) for row in rows}


def start_guard(make_station_app: MakeApp) -> StationApp:
    app = make_station_app(demo_login=GUARD_PHONE)
    app.start()
    assert app.window.current_page is app.window.workbench
    return app


def check_and_wait_for_gate(qtbot: QtBot, app: StationApp, number: str) -> uuid.UUID:
    """Type an ID; wait until the gate line answers for it. Returns the check's id."""
    panel = app.window.workbench.result_panel
    with qtbot.waitSignal(panel.gate_shown, timeout=15_000):
        type_id(qtbot, app.window, number)
    assert panel.result is not None
    return panel.result.record_id


def drain_gate_lane(qtbot: QtBot, app: StationApp) -> None:
    """Wait until every gate command submitted so far has finished (the lane is one thread)."""
    with qtbot.waitCallback(timeout=15_000) as done:
        app.tasks.run_gate(lambda: None, done)


def pending_bytes(relay: PtyRelay) -> bool:
    ready, _, _ = select.select([relay.master], [], [], 0)
    return bool(ready)


def gate_text(app: StationApp) -> str:
    text: str = find(app.window, QLabel, "gateStatus").text()
    return text


def reason_dialog(holder: ResultPanel | ManualGateControl) -> GateReasonDialog:
    """The dialog 手动开闸 opened (at once, without waiting for it)."""
    dialog = holder.reason_dialog
    assert dialog is not None and dialog.isVisible()
    return dialog


@pytest.fixture
def relay() -> Iterator[PtyRelay]:
    pty = PtyRelay()
    yield pty
    pty.close()


@pytest.fixture
def device() -> Iterator[GateServer]:
    server = GateServer()
    yield server
    server.close()


def test_relay_opens_once_for_a_green_visitor_and_never_for_a_red_one(
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
    assert app.station.gate_kind is GateKind.SERIAL
    assert app.station.post.checkpoint is not None and app.station.post.checkpoint.name == "南门"
    panel = app.window.workbench.result_panel

    # Green: ON, then OFF no sooner than the pulse after the check was submitted.
    submitted = time.monotonic()
    type_id(qtbot, app.window, GREEN)
    assert verdict(app.window) == "通行"
    assert panel.result is not None
    green_id = panel.result.record_id
    on, _ = relay.read(4)
    off, off_at = relay.read(4)
    assert (on, off) == (ON, OFF)
    assert off_at - submitted >= PULSE
    qtbot.waitUntil(lambda: gate_text(app) == "已开闸", timeout=10_000)
    assert panel.gate_label.property("gateState") == "opened"
    assert not panel.manual_gate_button.isVisible()

    # Red: the gate stays shut and the relay hears nothing at all.
    red_id = check_and_wait_for_gate(qtbot, app, RED)
    assert verdict(app.window) == "禁止通行"
    assert gate_text(app) == "闸机保持关闭"
    drain_gate_lane(qtbot, app)
    assert not pending_bytes(relay)  # exactly one opening: no second pulse, nothing for red

    local_green, local_red = app.cache.check(green_id), app.cache.check(red_id)
    assert local_green is not None and local_green.record.gate_opened
    assert local_red is not None and not local_red.record.gate_opened
    qtbot.waitUntil(lambda: {green_id, red_id} <= server_gates(embedded).keys(), timeout=15_000)
    rows = server_gates(embedded)
    assert rows[green_id] == ServerGate("document", "pass", True, "")
    assert rows[red_id] == ServerGate("document", "deny", False, "")


def test_manual_opening_needs_a_reason_and_reaches_the_server(
    qtbot: QtBot,
    make_station_app: MakeApp,
    embedded: LiveBackend,
    app_paths: AppPaths,
    memory_keyring: MemoryKeyring,
    relay: PtyRelay,
) -> None:
    configure_gate(app_paths, embedded, GateConfig(kind=GateKind.SERIAL, port=relay.port, pulse_seconds=0.1))
    app = start_guard(make_station_app)
    workbench = app.window.workbench
    panel = workbench.result_panel

    # 手动开闸 for a red visitor's check, with a quick reason.
    red_id = check_and_wait_for_gate(qtbot, app, RED)
    assert gate_text(app) == "闸机保持关闭"
    assert not pending_bytes(relay)
    click(qtbot, app.window, "manualGateOpen")
    dialog = reason_dialog(panel)
    assert not dialog.ok_button.isEnabled()
    click(qtbot, dialog, "gateQuickReason1")
    assert dialog.reason() == "设备故障"
    with qtbot.waitSignal(panel.gate_shown, timeout=15_000):
        click(qtbot, dialog, "gateReasonOk")
    assert gate_text(app) == "已手动开闸"
    assert relay.read(8)[0] == ON + OFF

    # 手动开闸 for a visitor without any check: a MANUAL record with the typed reason.
    control = workbench.manual_gate
    assert control.isVisible()
    click(qtbot, app.window, "manualGateNoCheck")
    dialog = reason_dialog(control)
    dialog.reason_input.insert(
        "  老人无智能手机  经核实  "
    )  # as an input method commits it (QTest types ASCII only)
    with qtbot.waitSignal(control.outcome_shown, timeout=15_000):
        click(qtbot, dialog, "gateReasonOk")
    assert find(app.window, QLabel, "manualGateStatus").text() == "已手动开闸"
    assert relay.read(8)[0] == ON + OFF
    drain_gate_lane(qtbot, app)
    assert not pending_bytes(relay)

    def manual_rows() -> dict[uuid.UUID, ServerGate]:
        return {k: v for k, v in server_gates(embedded).items() if v.method == "manual"}

    qtbot.waitUntil(
        lambda: (row := server_gates(embedded).get(red_id)) is not None and row.gate_opened, timeout=15_000
    )
    assert server_gates(embedded)[red_id] == ServerGate("document", "deny", True, "设备故障")
    qtbot.waitUntil(lambda: len(manual_rows()) == 1, timeout=15_000)
    (manual,) = manual_rows().values()
    assert manual == ServerGate("manual", "review", True, "老人无智能手机 经核实")
    qtbot.waitUntil(lambda: find(app.window, QLabel, "syncPending").text() == "待同步 0", timeout=10_000)


def test_webhook_is_called_once_for_green_and_never_for_red(
    qtbot: QtBot,
    make_station_app: MakeApp,
    embedded: LiveBackend,
    app_paths: AppPaths,
    memory_keyring: MemoryKeyring,
    device: GateServer,
) -> None:
    configure_gate(app_paths, embedded, GateConfig(kind=GateKind.WEBHOOK, url=f"{device.url}/gate"))
    app = start_guard(make_station_app)
    assert app.station.gate_kind is GateKind.WEBHOOK

    green_id = check_and_wait_for_gate(qtbot, app, GREEN)
    assert gate_text(app) == "已开闸"
    red_id = check_and_wait_for_gate(qtbot, app, RED)
    assert gate_text(app) == "闸机保持关闭"
    drain_gate_lane(qtbot, app)

    assert [(seen.method, seen.path) for seen in device.requests] == [("POST", "/gate")]
    body = json.loads(device.requests[0].body)
    assert body["event"] == "open" and body["verdict"] == "pass" and body["manual"] is False
    assert body["check_id"] == str(green_id)
    assert body["checkpoint_id"] == app.station.post.checkpoint_id
    qtbot.waitUntil(lambda: {green_id, red_id} <= server_gates(embedded).keys(), timeout=15_000)
    assert server_gates(embedded)[green_id].gate_opened
    assert not server_gates(embedded)[red_id].gate_opened


def test_a_gate_set_while_running_is_tested_and_then_used(
    qtbot: QtBot,
    make_station_app: MakeApp,
    memory_keyring: MemoryKeyring,
    relay: PtyRelay,
) -> None:
    app = start_guard(make_station_app)
    workbench = app.window.workbench
    assert app.station.gate_config == GateConfig()  # no gate stored for this post
    type_id(qtbot, app.window, GREEN)
    assert not workbench.result_panel.gate_row.isVisible()
    assert not workbench.manual_gate.isVisible()

    config = GateConfig(kind=GateKind.SERIAL, port=relay.port, pulse_seconds=0.1)
    with qtbot.waitSignal(app.station.gate_changed) as changed:
        app.station.set_gate(config, None)  # what the settings dialog does after 保存
    assert changed.args == [GateKind.SERIAL] and app.station.gate_kind is GateKind.SERIAL
    assert workbench.manual_gate.isVisible()
    with qtbot.waitCallback(timeout=15_000) as tested:
        app.station.test_gate(tested)
    assert tested.args is not None and tested.args[0].code == "link_ok"
    assert relay.read(4)[0] == OFF  # 测试闸机 proves the link and opens nothing
    drain_gate_lane(qtbot, app)
    assert not pending_bytes(relay)

    check_and_wait_for_gate(qtbot, app, GREEN)
    assert gate_text(app) == "已开闸"
    assert relay.read(8)[0] == ON + OFF
