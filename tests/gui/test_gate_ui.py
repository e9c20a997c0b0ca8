# mypy: allow-untyped-calls
"""The gate on the workbench: the result panel's gate line and 手动开闸, the reason dialog,
the unattended (kiosk) panel, and a hanging gate that must neither freeze the UI nor open."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QLabel, QWidget
from pytestqt.qtbot import QtBot

from shoumen_core.policy import VerdictLevel
from shoumen_core.schemas import MAX_GATE_REASON
from shoumen_gui.paths import AppPaths
from shoumen_gui.services.checks import CheckResult
from shoumen_gui.services.gate import (
    NOT_PASS_RESULT,
    OPENED_RESULT,
    RESET_FAILED,
    TIMEOUT,
    GateConfig,
    GateKind,
    GateResult,
    stored_gate_config,
)
from shoumen_gui.settings import SettingsStore
from shoumen_gui.tasks import TaskManager
from shoumen_gui.ui.gate_controls import GateCallback, GateReasonDialog, ManualGateControl
from shoumen_gui.ui.result_panel import ResultPanel
from tests.gui.conftest import LiveBackend, MakeApp, MemoryKeyring
from tests.gui.helpers import click, find, type_id, verdict
from tests.gui.services.gate_devices import GateServer
from tests.gui.test_gate_e2e import (
    GREEN,
    RED,
    check_and_wait_for_gate,
    configure_gate,
    drain_gate_lane,
    gate_text,
    hospital_post,
    server_gates,
    start_guard,
)
from tests.gui.test_result_panel import CASES, result_for, snapshot

CLEAR_MS = 8000


class RecordingOpener:
    """Stands in for Station.manual_open in the panel-only tests: keeps each call's callback so
    the test decides when (and with what) the gate answers."""

    def __init__(self) -> None:
        self.calls: list[tuple[uuid.UUID | None, str, GateCallback]] = []

    def __call__(self, check_id: uuid.UUID | None, reason: str, on_done: GateCallback) -> None:
        self.calls.append((check_id, reason, on_done))


@pytest.fixture
def panel(qtbot: QtBot, immediate_tasks: TaskManager) -> ResultPanel:
    widget = ResultPanel(immediate_tasks)
    qtbot.addWidget(widget)
    widget.resize(900, 700)
    widget.show()
    return widget


@pytest.fixture
def opener(panel: ResultPanel) -> RecordingOpener:
    recording = RecordingOpener()
    panel.set_gate_opener(recording)
    panel.set_gate_available(True)
    return recording


def shown(panel: ResultPanel, level: VerdictLevel) -> CheckResult:
    result = result_for(CASES[level])
    panel.show_result(result, CLEAR_MS)
    return result


def open_reason_dialog(qtbot: QtBot, panel: ResultPanel) -> GateReasonDialog:
    click(qtbot, panel, "manualGateOpen")
    dialog = panel.reason_dialog
    assert dialog is not None and dialog.isVisible()
    return dialog


# --- the gate line ----------------------------------------------------------------------------


def test_no_gate_line_at_a_post_without_a_gate(panel: ResultPanel) -> None:
    result = shown(panel, VerdictLevel.DENY)
    panel.show_gate(result.record_id, NOT_PASS_RESULT)
    assert not panel.gate_row.isVisible()
    assert not panel.manual_gate_button.isVisible()


def test_pass_shows_opening_then_opened(panel: ResultPanel, opener: RecordingOpener) -> None:
    result = shown(panel, VerdictLevel.PASS)
    panel.show_gate_pending(result.record_id)
    assert panel.gate_label.text() == "正在开闸…"
    assert not panel.manual_gate_button.isVisible()
    panel.show_gate(result.record_id, OPENED_RESULT)
    assert panel.gate_row.isVisible() and panel.gate_label.text() == "已开闸"
    assert panel.gate_label.property("gateState") == "opened"
    assert not panel.manual_gate_button.isVisible()


def test_deny_keeps_the_gate_closed_and_offers_manual_opening(
    panel: ResultPanel, opener: RecordingOpener
) -> None:
    result = shown(panel, VerdictLevel.DENY)
    panel.show_gate(result.record_id, NOT_PASS_RESULT)
    assert panel.gate_label.text() == "闸机保持关闭"
    assert panel.gate_label.property("gateState") == "closed"
    assert panel.manual_gate_button.isVisible() and panel.manual_gate_button.isEnabled()


@pytest.mark.parametrize(
    ("outcome", "text"),
    [
        (GateResult.no_response(TIMEOUT, "超时"), "闸机未响应（超时）"),
        (GateResult(True, False, RESET_FAILED, "已开闸，但闸机未能复位，请立即检查闸机"), None),
    ],
)
def test_a_gate_failure_is_a_clear_warning(
    panel: ResultPanel, opener: RecordingOpener, outcome: GateResult, text: str | None
) -> None:
    result = shown(panel, VerdictLevel.PASS)
    panel.show_gate_pending(result.record_id)
    panel.show_gate(result.record_id, outcome)
    assert panel.gate_label.text() == (text or outcome.message)
    assert panel.gate_label.property("gateState") == "warning"
    assert "border" in panel.gate_label.styleSheet()  # framed, not only coloured
    # 手动开闸 where the gate stayed shut; not where it opened but did not reset.
    assert panel.manual_gate_button.isVisible() is (not outcome.opened)


def test_an_answer_for_an_earlier_visitor_is_not_shown(panel: ResultPanel, opener: RecordingOpener) -> None:
    first = shown(panel, VerdictLevel.PASS)
    panel.show_gate_pending(first.record_id)
    second = shown(panel, VerdictLevel.DENY)
    panel.show_gate(second.record_id, NOT_PASS_RESULT)
    panel.show_gate(first.record_id, GateResult.no_response(TIMEOUT, "超时"))
    assert panel.gate_label.text() == "闸机保持关闭"


def test_the_gate_line_leaves_with_the_result(
    qtbot: QtBot, panel: ResultPanel, opener: RecordingOpener
) -> None:
    result = result_for(snapshot())
    panel.show_result(result, 50)
    panel.show_gate(result.record_id, OPENED_RESULT)
    with qtbot.waitSignal(panel.cleared, timeout=5_000):
        pass
    assert panel.gate_label.text() == "" and not panel.gate_row.isVisible()
    assert panel.gate_label.property("gateState") == ""
    assert not panel.manual_gate_button.isVisible()


# --- 手动开闸 and its reason ----------------------------------------------------------------------


def test_manual_opening_asks_for_a_reason_and_shows_the_outcome(
    qtbot: QtBot, panel: ResultPanel, opener: RecordingOpener
) -> None:
    result = shown(panel, VerdictLevel.DENY)  # (a 人工核验 result waits for its decision anyway)
    panel.show_gate(result.record_id, NOT_PASS_RESULT)
    dialog = open_reason_dialog(qtbot, panel)
    assert not panel.clear_timer.isActive()  # the result stays while the guard decides
    assert not dialog.ok_button.isEnabled()
    qtbot.keyClicks(dialog.reason_input, "   ")
    assert not dialog.ok_button.isEnabled()  # blanks are no reason
    click(qtbot, dialog, "gateQuickReason0")
    assert dialog.reason_input.text() == "工作人员核实放行" and dialog.ok_button.isEnabled()
    click(qtbot, dialog, "gateReasonOk")
    assert panel.reason_dialog is None
    assert [(check_id, reason) for check_id, reason, _ in opener.calls] == [
        (result.record_id, "工作人员核实放行")
    ]
    assert panel.gate_label.text() == "正在开闸…" and not panel.manual_gate_button.isVisible()
    assert panel.clear_timer.isActive()
    with qtbot.waitSignal(panel.gate_shown) as blocker:
        opener.calls[0][2](OPENED_RESULT)
    assert blocker.args == [OPENED_RESULT]
    assert panel.gate_label.text() == "已手动开闸"


def test_a_failed_manual_opening_can_be_tried_again(
    qtbot: QtBot, panel: ResultPanel, opener: RecordingOpener
) -> None:
    result = shown(panel, VerdictLevel.DENY)
    panel.show_gate(result.record_id, NOT_PASS_RESULT)
    dialog = open_reason_dialog(qtbot, panel)
    click(qtbot, dialog, "gateQuickReason2")
    click(qtbot, dialog, "gateReasonOk")
    opener.calls[0][2](GateResult.no_response(TIMEOUT, "超时"))
    assert panel.gate_label.text() == "闸机未响应（超时）"
    assert panel.manual_gate_button.isVisible()
    assert [reason for _, reason, _ in opener.calls] == ["紧急疏散"]


def test_cancelling_the_reason_opens_nothing(
    qtbot: QtBot, panel: ResultPanel, opener: RecordingOpener
) -> None:
    result = shown(panel, VerdictLevel.DENY)
    panel.show_gate(result.record_id, NOT_PASS_RESULT)
    dialog = open_reason_dialog(qtbot, panel)
    qtbot.keyClicks(dialog.reason_input, "test")
    click(qtbot, dialog, "gateReasonCancel")
    assert opener.calls == [] and panel.reason_dialog is None
    assert panel.clear_timer.isActive() and panel.gate_label.text() == "闸机保持关闭"


def test_a_new_visitor_closes_the_open_reason_dialog(
    qtbot: QtBot, panel: ResultPanel, opener: RecordingOpener
) -> None:
    result = shown(panel, VerdictLevel.DENY)
    panel.show_gate(result.record_id, NOT_PASS_RESULT)
    dialog = open_reason_dialog(qtbot, panel)
    click(qtbot, dialog, "gateQuickReason1")
    shown(panel, VerdictLevel.PASS)
    assert panel.reason_dialog is None and not dialog.isVisible()
    assert opener.calls == []  # the reason belonged to the previous visitor


def test_the_reason_is_limited_to_what_the_server_keeps(qtbot: QtBot) -> None:
    dialog = GateReasonDialog()
    qtbot.addWidget(dialog)
    assert dialog.reason_input.maxLength() == MAX_GATE_REASON
    qtbot.keyClicks(dialog.reason_input, "x" * (MAX_GATE_REASON + 20))
    assert len(dialog.reason()) == MAX_GATE_REASON
    assert [button.text() for button in dialog.quick_buttons] == ["工作人员核实放行", "设备故障", "紧急疏散"]


def test_manual_opening_without_a_check(qtbot: QtBot) -> None:
    page = QWidget()
    qtbot.addWidget(page)
    control = ManualGateControl(page)
    page.show()
    recording = RecordingOpener()
    control.set_opener(recording)
    assert not control.isVisible()  # no gate at this post
    control.set_available(True)
    assert control.isVisible()
    click(qtbot, control, "manualGateNoCheck")
    dialog = control.reason_dialog
    assert dialog is not None
    click(qtbot, dialog, "gateQuickReason1")
    click(qtbot, dialog, "gateReasonOk")
    assert [(check_id, reason) for check_id, reason, _ in recording.calls] == [(None, "设备故障")]
    assert control.status.text() == "正在开闸…" and not control.button.isEnabled()
    recording.calls[0][2](OPENED_RESULT)
    assert control.status.text() == "已手动开闸" and control.button.isEnabled()
    assert control.clear_timer.isActive()  # the outcome does not stay on screen
    control.set_attended(False)
    assert not control.isVisible()


# --- unattended (kiosk) -----------------------------------------------------------------------


def test_unattended_panel_has_no_buttons_only_where_to_turn(
    panel: ResultPanel, opener: RecordingOpener
) -> None:
    panel.set_attended(False)
    result = shown(panel, VerdictLevel.REVIEW)
    panel.show_gate(result.record_id, NOT_PASS_RESULT)
    for button in (
        panel.admit_button,
        panel.turn_away_button,
        panel.register_button,
        panel.manual_gate_button,
    ):
        assert not button.isVisible(), button.objectName()
    hint = find(panel, QLabel, "staffHint")
    assert hint.isVisible() and hint.text() == "请联系现场工作人员"
    assert panel.gate_label.text() == "闸机保持关闭"

    passed = shown(panel, VerdictLevel.PASS)
    panel.show_gate(passed.record_id, OPENED_RESULT)
    assert not hint.isVisible()  # nothing to do for a visitor who may pass
    panel.show_gate(passed.record_id, GateResult.no_response(TIMEOUT, "超时"))
    assert hint.isVisible() and not panel.manual_gate_button.isVisible()

    panel.set_attended(True)  # back to a guard: the buttons return for the shown result
    review = shown(panel, VerdictLevel.REVIEW)
    panel.show_gate(review.record_id, NOT_PASS_RESULT)
    for button in (
        panel.admit_button,
        panel.turn_away_button,
        panel.register_button,
        panel.manual_gate_button,
    ):
        assert button.isVisible(), button.objectName()
    assert not hint.isVisible()


def test_going_unattended_closes_the_reason_dialog(
    qtbot: QtBot, panel: ResultPanel, opener: RecordingOpener
) -> None:
    result = shown(panel, VerdictLevel.DENY)
    panel.show_gate(result.record_id, NOT_PASS_RESULT)
    with qtbot.waitSignal(panel.attended_changed) as changed:
        open_reason_dialog(qtbot, panel)
        panel.set_attended(False)
    assert changed.args == [False]
    assert panel.reason_dialog is None and opener.calls == []


# --- a stored configuration that cannot be read --------------------------------------------------


def test_a_bad_stored_gate_never_opens_and_says_why(caplog: pytest.LogCaptureFixture) -> None:
    config = stored_gate_config({"kind": "serial", "port": "/dev/ttyUSB0", "baud": 5, "channel": "x"})
    assert config.kind is GateKind.SERIAL and config.problem() == "保存的设置无法读取，请在设置中重新填写"
    assert "/dev/ttyUSB0" not in caplog.text and "baud" in caplog.text  # the field, not the values
    assert stored_gate_config({"kind": "teleport"}).kind is GateKind.WEBHOOK
    assert stored_gate_config({"kind": "none", "baud": 5}) == GateConfig()
    assert stored_gate_config({}) == GateConfig()
    good = GateConfig(kind=GateKind.WEBHOOK, url="http://127.0.0.1:1/gate")
    assert stored_gate_config(good.to_json()) == good and good.problem() is None
    assert "defect" not in GateConfig(kind=GateKind.SERIAL, defect="x").to_json()


def test_the_app_starts_with_a_bad_stored_gate_and_keeps_it_shut(
    qtbot: QtBot,
    make_station_app: MakeApp,
    embedded: LiveBackend,
    app_paths: AppPaths,
    memory_keyring: MemoryKeyring,
) -> None:
    venue_id, checkpoint_id = hospital_post(embedded)
    configure_gate(app_paths, embedded, GateConfig())
    store = SettingsStore(app_paths.settings_file)
    store.save(store.load().with_gate(venue_id, checkpoint_id, {"kind": "webhook", "timeout": -1}))
    app = start_guard(make_station_app)
    assert app.station.gate_kind is GateKind.WEBHOOK
    check_and_wait_for_gate(qtbot, app, GREEN)
    assert gate_text(app) == "闸机未响应（闸机设置不完整：保存的设置无法读取，请在设置中重新填写）"
    assert app.window.workbench.result_panel.gate_label.property("gateState") == "warning"


# --- a gate that hangs ----------------------------------------------------------------------------


@pytest.fixture
def hanging_gate() -> Iterator[GateServer]:
    server = GateServer(hang=True)
    yield server
    server.close()


def test_a_hanging_gate_does_not_hold_up_the_ui_or_the_next_check(
    qtbot: QtBot,
    make_station_app: MakeApp,
    embedded: LiveBackend,
    app_paths: AppPaths,
    memory_keyring: MemoryKeyring,
    hanging_gate: GateServer,
) -> None:
    # The longest timeout there is: the gate hangs for as long as the test wants.
    config = GateConfig(kind=GateKind.WEBHOOK, url=f"{hanging_gate.url}/gate", timeout=30.0)
    configure_gate(app_paths, embedded, config)
    app = start_guard(make_station_app)
    panel = app.window.workbench.result_panel
    ticks: list[int] = []
    timer = QTimer()
    timer.setInterval(20)
    timer.timeout.connect(lambda: ticks.append(1))
    timer.start()

    type_id(qtbot, app.window, GREEN)
    assert panel.result is not None
    green_id = panel.result.record_id
    qtbot.waitUntil(lambda: len(hanging_gate.requests) == 1, timeout=10_000)
    assert gate_text(app) == "正在开闸…"
    before = len(ticks)
    # While the gate call hangs: the timer ticks and the next visitor is checked and shown.
    type_id(qtbot, app.window, RED)
    assert verdict(app.window) == "禁止通行" and gate_text(app) == "闸机保持关闭"
    qtbot.waitUntil(lambda: len(ticks) >= before + 3, timeout=5_000)
    assert not hanging_gate.release.is_set() and len(hanging_gate.requests) == 1
    timer.stop()

    hanging_gate.release.set()  # the device drops the connection without an answer
    drain_gate_lane(qtbot, app)
    assert gate_text(app) == "闸机保持关闭"  # the late answer was for the previous visitor
    local = app.cache.check(green_id)
    assert local is not None and not local.record.gate_opened


def test_a_gate_that_never_answers_times_out_closed(
    qtbot: QtBot,
    make_station_app: MakeApp,
    embedded: LiveBackend,
    app_paths: AppPaths,
    memory_keyring: MemoryKeyring,
    hanging_gate: GateServer,
) -> None:
    config = GateConfig(kind=GateKind.WEBHOOK, url=f"{hanging_gate.url}/gate", timeout=1.0)
    configure_gate(app_paths, embedded, config)
    app = start_guard(make_station_app)
    panel = app.window.workbench.result_panel
    ticks: list[int] = []
    timer = QTimer()
    timer.setInterval(20)
    timer.timeout.connect(lambda: ticks.append(1))
    timer.start()
    green_id = check_and_wait_for_gate(qtbot, app, GREEN)
    timer.stop()
    assert len(ticks) >= 5  # the event loop ran all the while the gate was waited for
    assert gate_text(app) == "闸机未响应（超时）"
    assert panel.gate_label.property("gateState") == "warning"
    assert panel.manual_gate_button.isVisible()
    assert len(hanging_gate.requests) == 1
    local = app.cache.check(green_id)
    assert local is not None and not local.record.gate_opened
    # The row was marked before the command went out (it may reach the server so) and is
    # unmarked once the gate stayed shut: the server ends up with the truth.
    qtbot.waitUntil(
        lambda: (row := server_gates(embedded).get(green_id)) is not None and not row.gate_opened,
        timeout=15_000,
    )
    qtbot.waitUntil(lambda: find(app.window, QLabel, "syncPending").text() == "待同步 0", timeout=10_000)
    assert not server_gates(embedded)[green_id].gate_opened


def test_gate_commands_run_at_once_with_the_immediate_task_manager(immediate_tasks: TaskManager) -> None:
    done: list[GateResult] = []
    immediate_tasks.run_gate(lambda: OPENED_RESULT, done.append)
    assert done == [OPENED_RESULT]
