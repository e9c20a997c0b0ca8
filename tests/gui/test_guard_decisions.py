# mypy: allow-untyped-calls
"""Issue 16 §1, §2, §9 as a guard meets them, on the live embedded backend: a 人工核验 result
waits for the decision, 人工放行 opens a configured gate once, and nothing typed is lost to a
close or a logout."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QLabel, QLineEdit, QMessageBox, QPushButton
from pytestqt.qtbot import QtBot

from shoumen_core.policy import VenuePolicy
from shoumen_gui.paths import AppPaths
from shoumen_gui.services.gate import GateConfig, GateKind
from shoumen_server.seed import DEMO_PATHS_BY_KEY
from tests.gui.conftest import GUARD_PHONE, LiveBackend, MakeApp, MemoryKeyring, StationApp
from tests.gui.helpers import click, find, type_id, verdict
from tests.gui.services.gate_devices import PtyRelay
from tests.gui.test_gate_e2e import (
    OFF,
    ON,
    ServerGate,
    configure_gate,
    drain_gate_lane,
    pending_bytes,
    server_gates,
)

REVIEW_ID = DEMO_PATHS_BY_KEY["no_nat"].number  # 330624195602141349: 绿码, 无核酸记录 -> 人工核验
GREEN = DEMO_PATHS_BY_KEY["green_fresh"].number


@pytest.fixture
def relay() -> Iterator[PtyRelay]:
    pty = PtyRelay()
    yield pty
    pty.close()


def start_guard(make_station_app: MakeApp) -> StationApp:
    app = make_station_app(demo_login=GUARD_PHONE)
    app.start()
    assert app.window.current_page is app.window.workbench
    return app


def wait_ms(qtbot: QtBot, ms: int) -> None:
    """Let the event loop run for `ms` (timers fire): a single-shot timer's signal, no qWait."""
    timer = QTimer()
    timer.setSingleShot(True)
    with qtbot.waitSignal(timer.timeout, timeout=ms + 5_000):
        timer.start(ms)


def prompt_button(box: QMessageBox | None, box_name: str, button_name: str) -> None:
    """Press a button of the open (non-modal) prompt, as the guard does."""
    assert box is not None and box.isVisible() and box.objectName() == box_name, box_name
    button = box.findChild(QPushButton, button_name)
    assert button is not None, button_name
    button.click()


# --- §1: a result that needs a decision waits for it ---------------------------------------------


def test_review_result_waits_for_the_decision_past_the_auto_clear_time(
    qtbot: QtBot, make_station_app: MakeApp, memory_keyring: MemoryKeyring
) -> None:
    app = start_guard(make_station_app)
    workbench = app.window.workbench
    panel = workbench.result_panel
    workbench.policy = VenuePolicy(auto_clear_seconds=2)

    type_id(qtbot, app.window, REVIEW_ID)
    assert verdict(app.window) == "人工核验"
    wait_ms(qtbot, 2_600)  # past the venue's auto-clear time
    assert verdict(app.window) == "人工核验"
    assert find(app.window, QPushButton, "manualAdmit").isVisible()
    assert find(app.window, QPushButton, "manualTurnAway").isVisible()
    assert find(app.window, QLabel, "clearCountdown").text() == "等待人工决定"

    # 劝返: both buttons disabled, the decision shown, then the result clears by itself.
    with qtbot.waitSignal(panel.decision_recorded, timeout=10_000):
        click(qtbot, app.window, "manualTurnAway")
    assert not find(app.window, QPushButton, "manualAdmit").isEnabled()
    assert not find(app.window, QPushButton, "manualTurnAway").isEnabled()
    assert find(app.window, QLabel, "decisionLabel").text() == "已记录：劝返"
    assert not find(app.window, QPushButton, "dismissUndecided").isVisible()
    with qtbot.waitSignal(panel.cleared, timeout=10_000):
        pass
    assert not panel.showing_result


def test_the_next_id_while_a_decision_waits_asks_first(
    qtbot: QtBot, make_station_app: MakeApp, embedded: LiveBackend, memory_keyring: MemoryKeyring
) -> None:
    app = start_guard(make_station_app)
    workbench = app.window.workbench
    panel = workbench.result_panel
    type_id(qtbot, app.window, REVIEW_ID)
    assert panel.result is not None
    waiting_id = panel.result.record_id

    # The next visitor's number: nothing is checked until the guard answers.
    field = find(workbench, QLineEdit, "idInput")
    qtbot.keyClicks(field, GREEN)
    qtbot.waitUntil(lambda: field.text() == GREEN)  # a fast burst is held back a moment (wedge)
    click(qtbot, app.window, "idSubmit")
    qtbot.waitUntil(lambda: workbench.decision_prompt is not None and workbench.decision_prompt.isVisible())
    assert panel.result is not None and panel.result.record_id == waiting_id

    # 返回处理: the waiting result stays, the typed number is back in the pad.
    prompt_button(workbench.decision_prompt, "pendingDecisionPrompt", "pendingDecisionBack")
    qtbot.waitUntil(lambda: workbench.decision_prompt is None)
    assert verdict(app.window) == "人工核验"
    assert field.text() == GREEN

    # Again, 继续核验下一位: the waiting check stays undecided, the next one is checked.
    click(qtbot, app.window, "idSubmit")
    qtbot.waitUntil(lambda: workbench.decision_prompt is not None and workbench.decision_prompt.isVisible())
    with qtbot.waitSignal(workbench.check_finished, timeout=15_000):
        prompt_button(workbench.decision_prompt, "pendingDecisionPrompt", "pendingDecisionContinue")
    assert verdict(app.window) == "通行"
    local = app.cache.check(waiting_id)
    assert local is not None and local.record.manual_decision is None
    qtbot.waitUntil(lambda: waiting_id in embedded.server_checks(), timeout=15_000)
    assert embedded.server_checks()[waiting_id].manual_decision is None


def test_dismissing_a_waiting_result_leaves_it_undecided(
    qtbot: QtBot, make_station_app: MakeApp, memory_keyring: MemoryKeyring
) -> None:
    app = start_guard(make_station_app)
    panel = app.window.workbench.result_panel
    type_id(qtbot, app.window, REVIEW_ID)
    assert panel.result is not None
    waiting_id = panel.result.record_id
    with qtbot.waitSignal(panel.dismissed_undecided, timeout=5_000):
        click(qtbot, app.window, "dismissUndecided")
    assert not panel.showing_result
    local = app.cache.check(waiting_id)
    assert local is not None and local.record.manual_decision is None


# --- §2: 人工放行 opens a configured gate once ----------------------------------------------------


def test_manual_admit_opens_the_gate_once_without_a_reason_dialog(
    qtbot: QtBot,
    make_station_app: MakeApp,
    embedded: LiveBackend,
    app_paths: AppPaths,
    memory_keyring: MemoryKeyring,
    relay: PtyRelay,
) -> None:
    configure_gate(app_paths, embedded, GateConfig(kind=GateKind.SERIAL, port=relay.port, pulse_seconds=0.1))
    app = start_guard(make_station_app)
    panel = app.window.workbench.result_panel
    with qtbot.waitSignal(panel.gate_shown, timeout=15_000):
        type_id(qtbot, app.window, REVIEW_ID)
    assert find(app.window, QLabel, "gateStatus").text() == "闸机保持关闭"
    assert panel.result is not None
    check_id: uuid.UUID = panel.result.record_id

    with qtbot.waitSignal(panel.gate_shown, timeout=15_000):
        click(qtbot, app.window, "manualAdmit")
    assert panel.reason_dialog is None  # the decision is the reason
    assert find(app.window, QLabel, "gateStatus").text() == "已开闸（人工放行）"
    assert not panel.manual_gate_button.isVisible()
    assert relay.read(8)[0] == ON + OFF
    drain_gate_lane(qtbot, app)
    assert not pending_bytes(relay)  # once

    qtbot.waitUntil(
        lambda: (row := server_gates(embedded).get(check_id)) is not None and row.gate_opened, timeout=15_000
    )
    assert server_gates(embedded)[check_id] == ServerGate("document", "review", True, "")
    assert embedded.server_checks()[check_id].manual_decision == "admit"


def test_turning_away_leaves_the_gate_shut(
    qtbot: QtBot,
    make_station_app: MakeApp,
    embedded: LiveBackend,
    app_paths: AppPaths,
    memory_keyring: MemoryKeyring,
    relay: PtyRelay,
) -> None:
    configure_gate(app_paths, embedded, GateConfig(kind=GateKind.SERIAL, port=relay.port, pulse_seconds=0.1))
    app = start_guard(make_station_app)
    panel = app.window.workbench.result_panel
    with qtbot.waitSignal(panel.gate_shown, timeout=15_000):
        type_id(qtbot, app.window, REVIEW_ID)
    with qtbot.waitSignal(panel.decision_recorded, timeout=10_000):
        click(qtbot, app.window, "manualTurnAway")
    drain_gate_lane(qtbot, app)
    assert not pending_bytes(relay)
    assert find(app.window, QLabel, "gateStatus").text() == "闸机保持关闭"


# --- §9: nothing typed is lost --------------------------------------------------------------------


def half_fill_registration(qtbot: QtBot, app: StationApp) -> None:
    workbench = app.window.workbench
    workbench.tabs.setCurrentWidget(workbench.anomaly_form)
    origin = find(workbench, QLineEdit, "anomalyOrigin")
    qtbot.keyClicks(origin, "Hangzhou")
    qtbot.waitUntil(lambda: origin.text() == "Hangzhou")  # held back a moment by the wedge filter


def test_closing_with_a_half_filled_registration_asks_and_keeps_the_draft(
    qtbot: QtBot, make_station_app: MakeApp, memory_keyring: MemoryKeyring
) -> None:
    app = start_guard(make_station_app)
    window, workbench = app.window, app.window.workbench
    half_fill_registration(qtbot, app)
    workbench.tabs.setCurrentWidget(workbench.check_page)

    assert not window.close()  # refused: the prompt asks first
    assert window.isVisible()
    prompt_button(window.draft_prompt, "unsavedDraftPrompt", "draftKeep")
    qtbot.waitUntil(lambda: window.draft_prompt is None)
    assert workbench.tabs.currentWidget() is workbench.anomaly_form
    assert find(workbench, QLineEdit, "anomalyOrigin").text() == "Hangzhou"

    window.close()
    with qtbot.waitSignal(window.closing, timeout=5_000):
        prompt_button(window.draft_prompt, "unsavedDraftPrompt", "draftDiscard")
    assert not window.isVisible()


def test_logout_asks_for_confirmation(
    qtbot: QtBot, make_station_app: MakeApp, memory_keyring: MemoryKeyring
) -> None:
    app = start_guard(make_station_app)
    window, workbench = app.window, app.window.workbench
    click(qtbot, window, "logoutButton")
    assert window.current_page is workbench  # not yet: it asks
    prompt_button(workbench.logout_prompt, "logoutConfirm", "logoutConfirmCancel")
    qtbot.waitUntil(lambda: workbench.logout_prompt is None)
    assert window.current_page is workbench
    assert memory_keyring.store  # still logged in

    # With a half-filled registration, 返回登记 goes back to it, the draft intact.
    half_fill_registration(qtbot, app)
    click(qtbot, window, "logoutButton")
    box = workbench.logout_prompt
    assert box is not None and "核查登记尚未保存" in box.text()
    workbench.tabs.setCurrentWidget(workbench.check_page)
    prompt_button(workbench.logout_prompt, "logoutConfirm", "logoutConfirmCancel")
    qtbot.waitUntil(lambda: workbench.logout_prompt is None)
    assert workbench.tabs.currentWidget() is workbench.anomaly_form
    assert find(workbench, QLineEdit, "anomalyOrigin").text() == "Hangzhou"

    click(qtbot, window, "logoutButton")
    prompt_button(workbench.logout_prompt, "logoutConfirm", "logoutConfirmOk")
    qtbot.waitUntil(lambda: window.current_page is window.login, timeout=5_000)
    qtbot.waitUntil(lambda: not memory_keyring.store, timeout=10_000)
