"""The sync engine: timing (fake clocks), and push/pull against a real backend — offline and
back, lost answers, a new server epoch, revoked staff, clock skew, retention."""

from __future__ import annotations

import threading
import uuid
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

from shoumen_core.identity import make_resident_id
from shoumen_core.policy import VerdictLevel
from shoumen_core.schemas import CheckMethod, CheckRecordIn, PushRequest, PushResponse, StaffState, StatsScope
from shoumen_core.timeutil import local_day, utcnow
from shoumen_gui.services import sync as sync_module
from shoumen_gui.services.checks import ResultSource
from shoumen_gui.services.errors import OfflineError, ServerBusy
from shoumen_gui.services.sync import SyncEngine, SyncStatus, backoff_delay
from shoumen_server.models import Membership
from tests.gui.services.live_server import LiveServer, start_live_server
from tests.gui.services.station import Station, spy


class FakeMonotonic:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def engine_for(station: Station, **kwargs: object) -> SyncEngine:
    engine = SyncEngine(station.cache, station.api, station.connectivity, **kwargs)  # type: ignore[arg-type]
    station.service.on_committed.append(engine.nudge)
    return engine


def green_codes(live: LiveServer, n: int) -> list[str]:
    return [live.code_for("green_fresh") for _ in range(n)]


# ---- timing -----------------------------------------------------------------------------------


def test_backoff_delays() -> None:
    assert [backoff_delay(n, 60) for n in range(1, 10)] == [1, 2, 4, 8, 16, 32, 60, 60, 60]
    assert backoff_delay(500, 60) == 60


def test_offline_retries_every_two_seconds_then_recovers_on_the_same_port(
    live: LiveServer, station: Station, tmp_path: Path
) -> None:
    """Issue 14 §5: while the backend is away a round (one /info probe) is tried every ~2 s, not
    after a back-off grown to 60 s; the first answer brings the station back."""
    mono = FakeMonotonic()
    engine = engine_for(station, monotonic=mono, push_delay=1.0, pull_interval=60.0, rng=lambda: 0.5)
    engine.set_target(station.venue_id, station.user_id)
    assert engine.step() == 60.0  # the first round (forced by the new target) succeeded
    port, url = live.port, live.database_url
    live.stop()
    station.service.check_text(live.code_for("green_fresh"))  # lookup + retry lost: 2 failures
    assert station.connectivity.online  # not yet offline: two lost requests in a row
    waits = [engine.step()]  # push due in push_delay
    for _ in range(9):
        mono.now += waits[-1]
        waits.append(engine.step())
    assert waits == [1.0] + [2.0] * 9
    assert engine.status.online is False and engine.status.pending == 1  # the push was the 3rd
    assert "秒后重试" in engine.status.message
    # Between retries nothing is attempted, however often the thread wakes.
    failures = engine.failures
    mono.now += 1.5
    assert engine.step() == 0.5 and engine.failures == failures
    back = start_live_server(tmp_path, port=port, database_url=url)
    try:
        mono.now += 0.5
        assert engine.step() == 60.0
        assert engine.failures == 0
        assert engine.status.online is True and engine.status.pending == 0
        assert back.count_checks() == 1
    finally:
        back.close()


def test_offline_probes_are_jittered(live: LiveServer, station: Station) -> None:
    """Stations that lost the same link do not all come back in step: 2 s +- 25 %."""
    draws = iter([0.0, 0.9999, 0.5])
    mono = FakeMonotonic()
    engine = engine_for(station, monotonic=mono, rng=lambda: next(draws))
    engine.set_target(station.venue_id, station.user_id)
    live.stop()
    station.connectivity.mark_offline()
    waits = []
    for _ in range(3):
        waits.append(engine.step())
        mono.now += waits[-1]
    assert [round(w, 2) for w in waits] == [1.5, 2.5, 2.0]


def test_server_busy_retries_after_retry_after_and_is_no_outage(
    live: LiveServer, station: Station, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 14 §6: a 503 (the server's database is away) is retried after the server's
    Retry-After; the station stays online and the guard sees no error."""
    mono = FakeMonotonic()
    engine = engine_for(station, monotonic=mono, rng=lambda: 0.0)
    engine.set_target(station.venue_id, station.user_id)
    assert engine.step() == 60.0

    def busy(*_args: object) -> object:
        raise ServerBusy(retry_after=3.0, server_code="database_unavailable")

    monkeypatch.setattr(station.api.sync, "push", busy)
    station.service.check_text(live.code_for("green_fresh"))
    assert engine.step() == 1.0
    mono.now += 1.0
    assert engine.step() == 3.0  # the server's Retry-After, never sooner
    status = engine.status
    assert status.online and status.message == "" and status.pending == 1
    assert station.connectivity.failures_in_a_row == 0
    monkeypatch.undo()
    mono.now += 3.0
    assert engine.step() == 60.0 and engine.status.pending == 0


def test_reconnect_seen_elsewhere_cuts_the_retry_short(
    live: LiveServer, station: Station, tmp_path: Path
) -> None:
    mono = FakeMonotonic()
    engine = engine_for(station, monotonic=mono, rng=lambda: 0.5)
    engine.set_target(station.venue_id, station.user_id)
    port, url = live.port, live.database_url
    live.stop()
    for _ in range(5):
        engine.step()
        mono.now += 100  # well past every retry
    assert engine.step() == 2.0  # 6th failure in a row
    assert not station.connectivity.online
    back = start_live_server(tmp_path, port=port, database_url=url)
    try:
        station.connectivity.mark_online()  # e.g. a lookup just succeeded
        assert engine.failures == 0
        assert engine.step() == 60.0  # ran at once, not 2 s later
        assert engine.status.online
    finally:
        back.close()


def test_nudges_push_within_push_delay_and_pulls_every_interval(
    station: Station, monkeypatch: pytest.MonkeyPatch
) -> None:
    mono = FakeMonotonic()
    engine = engine_for(station, monotonic=mono, push_delay=1.0, pull_interval=60.0)
    pulls: list[tuple[object, ...]] = []
    monkeypatch.setattr(station.api.sync, "pull", spy(pulls, station.api.sync.pull))
    engine.set_target(station.venue_id, station.user_id)
    assert engine.step() == 60.0 and len(pulls) == 1
    mono.now += 10
    engine.nudge()
    assert engine.step() == 1.0  # not yet: batch what comes within the second
    mono.now += 0.5
    engine.nudge()
    assert engine.step() == 0.5  # a second nudge does not postpone the first
    mono.now += 0.5
    assert engine.step() == 60.0 and len(pulls) == 2  # pushed, and pulled right after
    mono.now += 59.9
    assert engine.step() == pytest.approx(0.1) and len(pulls) == 2
    mono.now += 0.1
    assert engine.step() == 60.0 and len(pulls) == 3


# ---- a real round trip ------------------------------------------------------------------------


def test_round_trip_counts_and_exactly_once(live: LiveServer, station: Station) -> None:
    engine = engine_for(station)
    results = [station.service.check_text(code) for code in green_codes(live, 3)]
    results.append(station.service.check_text(live.code_for("red")))
    assert station.cache.pending_count() == 4
    status = engine.sync_now(station.venue_id, station.user_id)
    assert (status.pending, status.rejected, status.online) == (0, 0, True)
    assert status.last_sync_at is not None and not status.skew_warning
    assert sorted(live.check_ids()) == sorted(str(r.record_id) for r in results)
    day = local_day(utcnow())
    server = station.api.stats.day(station.venue_id, day, StatsScope.UNIT).counts
    local = station.cache.day_counts(station.venue_id, day, StatsScope.UNIT, station.user_id)
    assert (
        (local.checked, local.passed, local.abnormal)
        == (server.checked, server.passed, server.abnormal)
        == (4, 3, 1)
    )
    # A check made after the pull is added on top until the next round.
    station.service.check_text(live.code_for("nat_49h"))
    local = station.cache.day_counts(station.venue_id, day, StatsScope.UNIT, station.user_id)
    assert (local.checked, local.review) == (5, 1)
    engine.sync_now()
    mine = station.cache.day_counts(station.venue_id, day, StatsScope.PERSONAL, station.user_id)
    assert mine.checked == 5 == live.count_checks()


def test_a_lost_answer_is_resent_and_counted_once(
    live: LiveServer, station: Station, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = engine_for(station)
    for code in green_codes(live, 2):
        station.service.check_text(code)
    real_push = station.api.sync.push

    def push_then_lose_the_answer(request: PushRequest) -> PushResponse:
        real_push(request)
        raise OfflineError()

    monkeypatch.setattr(station.api.sync, "push", push_then_lose_the_answer)
    status = engine.sync_now(station.venue_id, station.user_id)
    assert status.pending == 2 and status.online  # one lost answer is no outage
    assert live.count_checks() == 2  # the server has them; the device does not know
    monkeypatch.setattr(station.api.sync, "push", real_push)
    status = engine.sync_now()
    assert status.pending == 0
    assert live.count_checks() == 2
    day = local_day(utcnow())
    assert station.api.stats.day(station.venue_id, day, StatsScope.UNIT).counts.checked == 2
    assert station.cache.day_counts(station.venue_id, day, StatsScope.UNIT, station.user_id).checked == 2


def test_offline_then_back_on_the_same_port_every_check_arrives_once(
    live: LiveServer, station: Station, tmp_path: Path
) -> None:
    engine = engine_for(station)
    engine.sync_now(station.venue_id, station.user_id)
    online = [station.service.check_text(code) for code in green_codes(live, 2)]
    engine.sync_now()
    codes = green_codes(live, 3)
    port, url = live.port, live.database_url
    live.stop()
    offline = [station.service.check_text(code) for code in codes]
    offline.append(
        station.service.check_text(make_resident_id("330624", date(1980, 1, 1), 1))
    )  # a typed ID, sealed
    assert all(r.source is not ResultSource.ONLINE for r in offline)
    status = engine.sync_now()
    assert not status.online and status.pending == 4
    back = start_live_server(tmp_path, port=port, database_url=url)
    try:
        status = engine.sync_now()
        assert status.online and status.pending == 0
        assert sorted(back.check_ids()) == sorted(str(r.record_id) for r in online + offline)
        engine.sync_now()  # nothing is sent twice
        assert back.count_checks() == 6
        with back.ctx.sessions() as session:
            sealed = session.execute(
                text("SELECT count(*) FROM checks WHERE sealed_document IS NOT NULL")
            ).scalar()
        assert sealed == 1
    finally:
        back.close()


def test_offline_retries_probe_first_and_pushes_go_in_small_batches(
    live: LiveServer, station: Station, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """While the backend is away a retry costs one cheap probe: no batch of rows is read and
    serialised for nothing (that held the GIL ~50 ms per 500 rows and stalled the GUI). Back
    online, the rows go in batches of PUSH_BATCH."""
    monkeypatch.setattr(sync_module, "PUSH_BATCH", 3)
    engine = engine_for(station)
    engine.sync_now(station.venue_id, station.user_id)
    port, url = live.port, live.database_url
    live.stop()
    for code in green_codes(live, 7):
        station.service.check_text(code)
    read: list[tuple[object, ...]] = []
    monkeypatch.setattr(station.cache, "pending_checks", spy(read, station.cache.pending_checks))
    pushed: list[tuple[object, ...]] = []
    monkeypatch.setattr(station.api.sync, "push", spy(pushed, station.api.sync.push))
    assert not station.connectivity.online  # the checks found the backend gone
    for _ in range(3):
        status = engine.sync_now()
        assert not status.online and status.pending == 7
    assert read == [] and pushed == []  # three retries, not one row read
    back = start_live_server(tmp_path, port=port, database_url=url)
    try:
        status = engine.sync_now()
        assert status.online and status.pending == 0
        assert [len(request.checks) for (request,) in pushed] == [3, 3, 1]  # type: ignore[attr-defined]
        assert back.count_checks() == 7
    finally:
        back.close()


def test_the_thread_pushes_soon_after_a_check(live: LiveServer, station: Station) -> None:
    engine = engine_for(station, push_delay=0.05)
    synced = threading.Event()
    engine.on_status(lambda s: synced.set() if s.pending == 0 and s.last_sync_at else None)
    engine.start(station.venue_id, station.user_id)
    try:
        assert synced.wait(10)
        synced.clear()
        result = station.service.check_text(live.code_for("green_fresh"))
        assert synced.wait(10)
        assert live.check_ids() == [str(result.record_id)]
    finally:
        engine.stop()
    assert engine._thread is None


def test_a_new_server_epoch_resends_everything(live: LiveServer, station: Station, tmp_path: Path) -> None:
    engine = engine_for(station)
    results = [station.service.check_text(code) for code in green_codes(live, 3)]
    engine.sync_now(station.venue_id, station.user_id)
    assert station.cache.pending_count() == 0
    port = live.port
    live.stop()
    fresh = start_live_server(tmp_path, port=port)  # a rebuilt backend: new database, new epoch
    try:
        with fresh.ctx.sessions() as session, session.begin():
            session.execute(text("UPDATE server_meta SET value = 'rebuilt' WHERE key = 'epoch'"))
        fresh.ctx.reload_keys()
        status = engine.sync_now()
        assert status.session_expired  # its old token is unknown there: log in again
        sms = station.api.auth.request_sms_code("13900000002")
        station.api.auth.login("13900000002", sms.demo_code or "", "pytest")
        status = engine.sync_now()
        assert status.epoch_reset is True
        assert status.pending == 0
        assert sorted(fresh.check_ids()) == sorted(str(r.record_id) for r in results)
        assert station.cache.venue_config(station.venue_id).epoch == "rebuilt"  # type: ignore[union-attr]
        assert engine.sync_now().epoch_reset is False
    finally:
        fresh.close()


def test_session_expiry_pauses_until_a_new_login(
    live: LiveServer, station: Station, monkeypatch: pytest.MonkeyPatch
) -> None:
    mono = FakeMonotonic()
    engine = engine_for(station, monotonic=mono)
    station.service.check_text(live.code_for("green_fresh"))
    other = live.api(token=station.api.token)
    other.auth.logout()  # the token dies on the server
    engine.set_target(station.venue_id, station.user_id)
    engine.step()
    assert engine.status.session_expired and "重新登录" in engine.status.message
    calls: list[tuple[object, ...]] = []
    monkeypatch.setattr(station.api.sync, "pull", spy(calls, station.api.sync.pull))
    mono.now += 3600
    engine.step()
    assert calls == []  # nothing is sent with a dead token
    sms = station.api.auth.request_sms_code("13900000002")
    station.api.auth.login("13900000002", sms.demo_code or "", "pytest")
    engine.step()
    assert len(calls) == 1 and engine.status.pending == 0 and not engine.status.session_expired


def test_revoked_staff_rows_are_kept_with_the_reason(live: LiveServer, station: Station) -> None:
    engine = engine_for(station)
    engine.sync_now(station.venue_id, station.user_id)
    station.connectivity.mark_offline()  # checks made while offline, then the owner revokes the guard
    results = [station.service.check_text(code) for code in green_codes(live, 2)]
    with live.ctx.sessions() as session, session.begin():
        member = session.query(Membership).filter_by(user_id=station.user_id).one()
        member.state = StaffState.REVOKED.value
    statuses: list[SyncStatus] = []
    engine.on_status.append(statuses.append)
    status = engine.sync_now()
    assert status.revoked and status.rejected == 2 and status.pending == 0
    assert "收回" in status.message
    rows = station.cache.rejected_checks()
    assert {r.id for r in rows} == {r.record_id for r in results}
    assert {r.code for r in rows} == {"staff_revoked"}
    assert statuses and statuses[-1] == status
    assert live.count_checks() == 0


def test_clock_skew_over_five_minutes_warns(station: Station) -> None:
    engine = engine_for(station, clock=lambda: utcnow() + timedelta(minutes=10))
    status = engine.sync_now(station.venue_id, station.user_id)
    assert status.skew_warning
    assert status.clock_skew is not None and abs(status.clock_skew + timedelta(minutes=10)) < timedelta(
        seconds=5
    )
    assert "分钟" in status.message
    calm = engine_for(station, clock=lambda: utcnow() + timedelta(minutes=2))
    status = calm.sync_now(station.venue_id, station.user_id)
    assert not status.skew_warning and status.clock_skew is not None


def test_synced_pii_past_retention_is_purged(
    live: LiveServer, station: Station, monkeypatch: pytest.MonkeyPatch
) -> None:
    now = [utcnow()]
    engine = engine_for(station, clock=lambda: now[0], retention_days=28)
    synced = station.service.check_text(live.code_for("green_fresh"))
    engine.sync_now(station.venue_id, station.user_id)
    assert station.cache.check(synced.record_id) is not None
    station.connectivity.mark_offline()
    pending = station.service.check_text(live.code_for("green_fresh"))
    monkeypatch.setattr(station.api.sync, "push", lambda request: PushResponse(accepted=[], rejected=[]))
    now[0] += timedelta(days=29)
    engine._last_purge = None  # the purge runs at most hourly; make it due now
    engine.sync_now()
    assert station.cache.check(synced.record_id) is None  # on the server; gone from the device
    assert station.cache.check(pending.record_id) is not None  # not on the server yet: kept


def test_only_the_logged_in_users_rows_are_pushed(live: LiveServer, station: Station, tmp_path: Path) -> None:
    engine = engine_for(station)
    mine = station.service.check_text(live.code_for("green_fresh"))
    stranger_row = station.cache.pending_checks()[0].model_copy(update={"id": uuid.uuid4()})
    station.cache.add_check(stranger_row, station.user_id + 100)  # another guard's, same device
    status = engine.sync_now(station.venue_id, station.user_id)
    assert status.pending == 1
    assert live.check_ids() == [str(mine.record_id)]


def test_a_trust_list_near_its_end_is_renewed(live: LiveServer, station: Station) -> None:
    engine = engine_for(station)
    engine.sync_now(station.venue_id, station.user_id)
    before = station.cache.venue_config(station.venue_id)
    assert before is not None and before.trust_list is not None
    # Six days on, the configuration has not changed, so pulls carry no trust list.
    engine.clock = lambda: utcnow() + timedelta(days=6)
    live.app.state.ctx.clock = lambda: utcnow() + timedelta(days=6)
    sms = station.api.auth.request_sms_code("13900000002")  # the old session has expired by then
    station.api.auth.login("13900000002", sms.demo_code or "", "pytest")
    engine.sync_now()
    after = station.cache.venue_config(station.venue_id)
    assert after is not None and after.trust_list is not None
    assert after.trust_list.valid_until > before.trust_list.valid_until + timedelta(days=5)
    assert after.cursor == before.cursor  # the configuration itself did not change


def test_implausible_rows_are_rejected_with_the_reason_and_the_rest_syncs(
    live: LiveServer, station: Station
) -> None:
    """Issue 14 §7: the server refuses an implausible row on its own; the station keeps it
    with the server's code and words (the guard's 被拒绝 list), and the good rows sync."""
    engine = engine_for(station)
    engine.sync_now(station.venue_id, station.user_id)
    good = station.service.check_text(live.code_for("green_fresh"))
    base = CheckRecordIn(
        id=uuid.uuid4(),
        venue_id=station.venue_id,
        method=CheckMethod.MANUAL,
        checked_at=utcnow(),
        level=VerdictLevel.REVIEW,
    )
    too_old = base.model_copy(update={"id": uuid.uuid4(), "checked_at": utcnow() - timedelta(days=40)})
    feverish = base.model_copy(update={"id": uuid.uuid4(), "temperature": 1e308})
    station.cache.add_check(too_old, station.user_id)
    station.cache.add_check(feverish, station.user_id)
    status = engine.sync_now()
    assert (status.pending, status.rejected) == (0, 2)
    rows = {row.id: row for row in station.cache.rejected_checks()}
    assert {key: row.code for key, row in rows.items()} == {
        too_old.id: "time_too_old",
        feverish.id: "bad_temperature",
    }
    assert "体温" in rows[feverish.id].message and "时间" in rows[too_old.id].message
    assert live.count_checks() == 1 and station.cache.check(good.record_id) is not None


def test_a_stopped_engine_no_longer_listens_to_connectivity(station: Station) -> None:
    """Issue 17 §1: every post switch or re-login stopped the old engine but left it subscribed,
    so each change of connectivity still made it count the outbox and publish a status."""
    engine = engine_for(station, pull_interval=60.0)
    engine.start(station.venue_id, station.user_id)
    engine.stop()
    published: list[SyncStatus] = []
    engine.on_status.append(published.append)
    station.connectivity.mark_offline()
    station.connectivity.mark_online()
    assert published == []
    assert engine._on_connectivity not in station.connectivity.listeners

    engine.start(station.venue_id, station.user_id)  # started again: listening again
    try:
        station.connectivity.mark_offline()
        assert any(status.online is False for status in published)
    finally:
        engine.stop()
    assert engine._on_connectivity not in station.connectivity.listeners
