"""GateController: only PASS opens; every opening (automatic or 手动开闸 with a reason) is
recorded in the local cache before the command goes out, undone if the gate stayed shut, and
synced to a real backend; a hanging gate does not freeze the calling worker for long."""

from __future__ import annotations

import json
import select
import sqlite3
import threading
import time
import uuid
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from shoumen_core.identity import make_resident_id
from shoumen_core.policy import CodeColour, VerdictLevel
from shoumen_core.schemas import CheckMethod, ManualDecision, PushRequest
from shoumen_gui.services.cache import LocalCache
from shoumen_gui.services.cache_schema import STEPS, upgrade
from shoumen_gui.services.checks import CheckContext, CheckResult, CheckService, ResultSource
from shoumen_gui.services.gate import (
    NO_GATE,
    NOT_ADMITTED,
    NOT_PASS,
    OPENED,
    REASON_REQUIRED,
    REASON_TOO_LONG,
    TIMEOUT,
    UNKNOWN_CHECK,
    UNREACHABLE,
    GateConfig,
    GateController,
    GateKind,
    make_gate,
)
from shoumen_gui.services.gate_serial import SerialRelayGate, relay_command
from shoumen_gui.services.sync import SyncEngine
from shoumen_server.models import Check
from tests.gui.services.conftest import CHECKPOINT_ID, NOW, USER_ID, VENUE_ID, FakeClock, Issuer, green
from tests.gui.services.gate_devices import GateServer, PtyRelay, Seen
from tests.gui.services.live_server import LiveServer
from tests.gui.services.station import Station

ID_NUMBER = make_resident_id("330624", date(1985, 3, 12), 101)


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


@pytest.fixture
def context(cache: LocalCache) -> CheckContext:
    return CheckContext(VENUE_ID, CHECKPOINT_ID, USER_ID, cache.device_id())


def relay_controller(
    relay: PtyRelay, cache: LocalCache, clock: FakeClock
) -> tuple[GateController, list[uuid.UUID]]:
    gate = SerialRelayGate(GateConfig(kind=GateKind.SERIAL, port=relay.port), sleep=lambda _s: None)
    controller = GateController(gate, cache, clock=clock)
    recorded: list[uuid.UUID] = []
    controller.on_recorded.append(recorded.append)
    return controller, recorded


def verdict(service: CheckService, issuer: Issuer, level: VerdictLevel) -> CheckResult:
    if level is VerdictLevel.CANNOT_VERIFY:
        result = service.check_document(ID_NUMBER)  # offline: cannot verify
    else:
        colour = {
            VerdictLevel.PASS: CodeColour.GREEN,
            VerdictLevel.REVIEW: CodeColour.NONE,  # 未申领: REVIEW by default
            VerdictLevel.DENY: CodeColour.RED,
        }[level]
        result = service.check_text(issuer.code(green(code_colour=colour)))
    assert result.level is level
    return result


# ---- automatic opening --------------------------------------------------------------------------


def test_pass_opens_and_is_recorded(
    offline_service: CheckService, issuer: Issuer, cache: LocalCache, relay: PtyRelay, clock: FakeClock
) -> None:
    controller, recorded = relay_controller(relay, cache, clock)
    result = verdict(offline_service, issuer, VerdictLevel.PASS)
    outcome = controller.on_verdict(result)
    assert (outcome.opened, outcome.code) == (True, OPENED)
    assert relay.read(8)[0] == relay_command(1, True) + relay_command(1, False)
    stored = cache.check(result.record_id)
    assert stored is not None and stored.record.gate_opened and stored.record.gate_reason == ""
    assert stored.state == "pending"
    assert recorded == [result.record_id]


@pytest.mark.parametrize("level", [VerdictLevel.REVIEW, VerdictLevel.DENY, VerdictLevel.CANNOT_VERIFY])
def test_anything_but_pass_stays_closed(
    offline_service: CheckService,
    issuer: Issuer,
    cache: LocalCache,
    device: GateServer,
    clock: FakeClock,
    level: VerdictLevel,
) -> None:
    controller = GateController(
        make_gate(GateConfig(kind=GateKind.WEBHOOK, url=device.url)), cache, clock=clock
    )
    try:
        result = verdict(offline_service, issuer, level)
        outcome = controller.on_verdict(result)
    finally:
        controller.close()
    assert (outcome.opened, outcome.ok, outcome.code) == (False, True, NOT_PASS)
    assert device.requests == []  # the gate was never asked
    stored = cache.check(result.record_id)
    assert stored is not None and not stored.record.gate_opened


def test_the_mark_is_committed_before_the_command(
    offline_service: CheckService, issuer: Issuer, cache: LocalCache, device: GateServer, clock: FakeClock
) -> None:
    """The device reads the cache file from its own connection while the command is in flight:
    the opening is already on disk, so even a crash mid-pulse leaves it traceable."""
    seen_marks: list[tuple[int, str]] = []

    def look(seen: Seen) -> None:
        conn = sqlite3.connect(cache.path)
        try:
            check_id = seen.body.split(b'"check_id":"')[1][:36].decode()
            seen_marks.append(
                conn.execute("SELECT gate_opened, state FROM checks WHERE id = ?", (check_id,)).fetchone()
            )
        finally:
            conn.close()

    device.on_request = look
    controller = GateController(
        make_gate(GateConfig(kind=GateKind.WEBHOOK, url=device.url)), cache, clock=clock
    )
    try:
        assert controller.on_verdict(verdict(offline_service, issuer, VerdictLevel.PASS)).opened
    finally:
        controller.close()
    assert seen_marks == [(1, "pending")]


def test_a_gate_that_fails_leaves_the_check_unmarked(
    offline_service: CheckService, issuer: Issuer, cache: LocalCache, clock: FakeClock
) -> None:
    gate = make_gate(GateConfig(kind=GateKind.SERIAL, port="/dev/shoumen-no-such-relay"))
    controller = GateController(gate, cache, clock=clock)
    result = verdict(offline_service, issuer, VerdictLevel.PASS)
    outcome = controller.on_verdict(result)
    assert (outcome.opened, outcome.code, outcome.message) == (
        False,
        UNREACHABLE,
        "闸机未响应（串口无法打开）",
    )
    stored = cache.check(result.record_id)
    assert stored is not None and not stored.record.gate_opened


def test_a_hanging_gate_does_not_freeze_the_worker(
    offline_service: CheckService, issuer: Issuer, cache: LocalCache, device: GateServer, clock: FakeClock
) -> None:
    device.hang = True
    gate = make_gate(GateConfig(kind=GateKind.WEBHOOK, url=device.url, timeout=0.4))
    controller = GateController(gate, cache, clock=clock)
    result = verdict(offline_service, issuer, VerdictLevel.PASS)
    outcomes: list[object] = []
    worker = threading.Thread(target=lambda: outcomes.append(controller.on_verdict(result)))
    started = time.monotonic()
    worker.start()
    worker.join(0.4 + 1.0)
    try:
        assert not worker.is_alive()
        assert time.monotonic() - started < 0.4 + 1.0
        (outcome,) = outcomes
        assert getattr(outcome, "code", None) == TIMEOUT and not getattr(outcome, "opened", True)
        stored = cache.check(result.record_id)
        assert stored is not None and not stored.record.gate_opened
    finally:
        device.release.set()
        controller.close()


def test_no_gate_records_nothing(offline_service: CheckService, issuer: Issuer, cache: LocalCache) -> None:
    controller = GateController(make_gate(GateConfig()), cache)
    recorded: list[uuid.UUID] = []
    controller.on_recorded.append(recorded.append)
    result = verdict(offline_service, issuer, VerdictLevel.PASS)
    outcome = controller.on_verdict(result)
    assert (outcome.opened, outcome.ok, outcome.code) == (False, True, NO_GATE)
    stored = cache.check(result.record_id)
    assert stored is not None and not stored.record.gate_opened and recorded == []


def test_an_unknown_check_never_opens(cache: LocalCache, relay: PtyRelay, clock: FakeClock) -> None:
    controller, _ = relay_controller(relay, cache, clock)
    ghost = CheckResult(
        record_id=uuid.uuid4(),
        method=CheckMethod.SCAN,
        level=VerdictLevel.PASS,
        findings=(),
        masked_name="",
        masked_id="",
        source=ResultSource.ONLINE,
        checked_at=NOW,
        needs_manual_decision=False,
        headline="",
        nat_window_hours=None,
    )
    outcome = controller.on_verdict(ghost)
    assert (outcome.opened, outcome.code) == (False, UNKNOWN_CHECK)
    assert relay.read(1, timeout=0.05)[0] == b""


# ---- 手动开闸 -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("reason", "code"), [("", REASON_REQUIRED), (" \t\n", REASON_REQUIRED), ("长" * 201, REASON_TOO_LONG)]
)
def test_manual_opening_needs_a_reason(
    cache: LocalCache, relay: PtyRelay, clock: FakeClock, context: CheckContext, reason: str, code: str
) -> None:
    controller, recorded = relay_controller(relay, cache, clock)
    outcome = controller.manual_open(None, reason, context)
    assert (outcome.opened, outcome.code) == (False, code)
    assert cache.pending_count() == 0 and recorded == []


def test_manual_opening_of_a_denied_check(
    offline_service: CheckService,
    issuer: Issuer,
    cache: LocalCache,
    relay: PtyRelay,
    clock: FakeClock,
    context: CheckContext,
) -> None:
    controller, recorded = relay_controller(relay, cache, clock)
    result = verdict(offline_service, issuer, VerdictLevel.DENY)
    assert not controller.on_verdict(result).opened
    outcome = controller.manual_open(result.record_id, "  社区医生到场核实，\n同意放行 ", context)
    assert (outcome.opened, outcome.code) == (True, OPENED)
    assert relay.read(8)[0] == relay_command(1, True) + relay_command(1, False)
    stored = cache.check(result.record_id)
    assert stored is not None
    assert (stored.record.level, stored.record.gate_opened, stored.record.gate_reason) == (
        VerdictLevel.DENY,
        True,
        "社区医生到场核实， 同意放行",
    )
    assert recorded == [result.record_id]


def test_manual_opening_without_a_check_is_its_own_record(
    cache: LocalCache, relay: PtyRelay, clock: FakeClock, context: CheckContext
) -> None:
    controller, recorded = relay_controller(relay, cache, clock)
    outcome = controller.manual_open(None, "老人无手机无证件，登记后放行", context)
    assert outcome.opened
    (record,) = cache.pending_checks()
    assert recorded == [record.id]
    assert (record.method, record.level, record.manual_decision) == (
        CheckMethod.MANUAL,
        VerdictLevel.REVIEW,
        ManualDecision.ADMIT,
    )
    assert (record.venue_id, record.checkpoint_id, record.device_id, record.checked_at) == (
        VENUE_ID,
        CHECKPOINT_ID,
        context.device_id,
        NOW,
    )
    assert (record.gate_opened, record.gate_reason) == (True, "老人无手机无证件，登记后放行")


def test_a_failed_manual_opening_keeps_the_reason(
    cache: LocalCache, device: GateServer, clock: FakeClock, context: CheckContext
) -> None:
    device.status = 503
    controller = GateController(
        make_gate(GateConfig(kind=GateKind.WEBHOOK, url=device.url)), cache, clock=clock
    )
    try:
        outcome = controller.manual_open(None, "快递员送药", context)
    finally:
        controller.close()
    assert not outcome.opened and outcome.message.startswith("闸机未响应")
    (record,) = cache.pending_checks()
    assert (record.gate_opened, record.gate_reason) == (False, "快递员送药")
    assert json_of(device.requests[0])["manual"] is True


def json_of(seen: Seen) -> dict[str, object]:
    data: dict[str, object] = json.loads(seen.body)
    return data


# ---- the cache upgrade ---------------------------------------------------------------------------


def test_a_version_1_cache_is_upgraded_with_its_rows(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    conn = sqlite3.connect(path, isolation_level=None)
    upgrade(conn, STEPS[:1])
    check_id = uuid.uuid4()
    conn.execute(
        "INSERT INTO checks(id, venue_id, user_id, method, checked_at, day, hour, level, findings_json)"
        " VALUES (?, 7, 5, 'scan', ?, '2026-11-20', 10, 'pass', '[]')",
        (str(check_id), NOW.isoformat()),
    )
    conn.close()
    cache = LocalCache.open(path)
    try:
        assert cache.schema_version() == len(STEPS) >= 2
        old = cache.check(check_id)
        assert old is not None and (old.record.gate_opened, old.record.gate_reason) == (False, "")
        assert cache.set_gate_opening(check_id, True, "测试")
        again = cache.check(check_id)
        assert again is not None and (again.record.gate_opened, again.record.gate_reason) == (True, "测试")
        assert not cache.set_gate_opening(uuid.uuid4(), True)
    finally:
        cache.close()


# ---- synced to a real backend -------------------------------------------------------------------


def server_row(live: LiveServer, check_id: uuid.UUID) -> Check | None:
    with live.ctx.sessions() as session:
        row = session.get(Check, check_id)
        if row is not None:
            session.expunge(row)
        return row


def test_openings_are_synced_to_the_server(
    live: LiveServer, station: Station, relay: PtyRelay, device: GateServer
) -> None:
    engine = SyncEngine(station.cache, station.api, station.connectivity)
    ctx = station.service.context
    assert ctx is not None
    controller = GateController(
        SerialRelayGate(GateConfig(kind=GateKind.SERIAL, port=relay.port), sleep=lambda _s: None),
        station.cache,
    )
    controller.on_recorded.append(engine.nudge)

    # A PASS pushed before the gate answered: the opening reaches the server as an edit.
    passed = station.service.check_text(live.code_for("green_fresh"))
    assert passed.level is VerdictLevel.PASS
    engine.sync_now(station.venue_id, station.user_id)
    before = server_row(live, passed.record_id)
    assert before is not None and not before.gate_opened
    assert controller.on_verdict(passed).opened
    engine.sync_now()

    # A visitor let through by hand, without any check.
    manual = controller.manual_open(None, "访客无智能手机，人工登记后放行", ctx)
    assert manual.opened
    engine.sync_now()
    assert station.cache.pending_count() == 0

    after = server_row(live, passed.record_id)
    assert after is not None and (after.gate_opened, after.gate_reason, after.level) == (True, "", "pass")
    with live.ctx.sessions() as session:
        rows = session.query(Check).filter(Check.method == "manual").all()
        assert [
            (r.level, r.manual_decision, r.gate_opened, r.gate_reason, r.checkpoint_id) for r in rows
        ] == [("review", "admit", True, "访客无智能手机，人工登记后放行", ctx.checkpoint_id)]
    assert relay.read(16)[0] == (relay_command(1, True) + relay_command(1, False)) * 2


def test_a_later_guard_decision_reaches_the_server_and_a_resend_keeps_it(
    live: LiveServer, station: Station
) -> None:
    engine = SyncEngine(station.cache, station.api, station.connectivity)
    result = station.service.check_document(ID_NUMBER)  # not in the registry: grey, needs a decision
    engine.sync_now(station.venue_id, station.user_id)
    station.service.record_manual_decision(result.record_id, ManualDecision.TURN_AWAY)
    engine.sync_now()
    row = server_row(live, result.record_id)
    assert row is not None and row.manual_decision == "turn_away"
    # A plain resend (e.g. an answer lost) carrying no decision does not erase it.
    stored = station.cache.check(result.record_id)
    assert stored is not None
    resend = stored.record.model_copy(update={"manual_decision": None})
    station.api.sync.push(PushRequest(device_id="pytest", checks=[resend]))
    row = server_row(live, result.record_id)
    assert row is not None and row.manual_decision == "turn_away"


def test_a_manual_admit_opens_once_and_only_after_the_decision(
    offline_service: CheckService,
    issuer: Issuer,
    cache: LocalCache,
    relay: PtyRelay,
    clock: FakeClock,
) -> None:
    """Issue 16 §2: 人工放行 opens the gate for its check once, recorded with the decision."""
    controller, recorded = relay_controller(relay, cache, clock)
    result = verdict(offline_service, issuer, VerdictLevel.REVIEW)
    refused = controller.open_for_admit(result.record_id)  # no decision recorded yet
    assert (refused.opened, refused.code) == (False, NOT_ADMITTED)
    offline_service.record_manual_decision(result.record_id, ManualDecision.TURN_AWAY)
    assert not controller.open_for_admit(result.record_id).opened
    offline_service.record_manual_decision(result.record_id, ManualDecision.ADMIT)
    outcome = controller.open_for_admit(result.record_id)
    assert (outcome.opened, outcome.code) == (True, OPENED)
    assert relay.read(8)[0] == relay_command(1, True) + relay_command(1, False)
    assert controller.open_for_admit(result.record_id).opened  # again: already open...
    assert select.select([relay.master], [], [], 0)[0] == []  # ...and nothing was sent
    stored = cache.check(result.record_id)
    assert stored is not None
    assert (stored.record.manual_decision, stored.record.gate_opened, stored.record.gate_reason) == (
        ManualDecision.ADMIT,
        True,
        "",
    )
    assert recorded == [result.record_id]
