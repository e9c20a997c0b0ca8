"""The local cache: schema versions, the outbox states, trigger-kept counts, epochs, purge."""

from __future__ import annotations

import random
import sqlite3
import threading
import uuid
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from shoumen_core.policy import Finding, FindingState, Source, VerdictLevel
from shoumen_core.schemas import (
    AnomalyAction,
    AnomalyIn,
    AnomalyType,
    CheckMethod,
    CheckRecordIn,
    DayCounts,
    ManualDecision,
    PushResponse,
    Rejected,
    StatsScope,
)
from shoumen_core.timeutil import local_day
from shoumen_gui.services import cache as cache_module
from shoumen_gui.services.cache import CacheError, LocalCache
from shoumen_gui.services.cache_schema import SCHEMA_VERSION, STEPS
from shoumen_gui.services.ids import uuid7
from tests.gui.services.conftest import CHECKPOINT_ID, NOW, USER_ID, VENUE_ID, Issuer, pull_response

TODAY = local_day(NOW)
OTHER_USER = 6


def record(
    level: VerdictLevel = VerdictLevel.PASS,
    *,
    at: datetime = NOW,
    person_ref: str | None = "p1",
    checkpoint_id: int | None = CHECKPOINT_ID,
    venue_id: int = VENUE_ID,
) -> CheckRecordIn:
    state = {VerdictLevel.PASS: FindingState.OK, VerdictLevel.REVIEW: FindingState.REVIEW}.get(
        level, FindingState.FAIL
    )
    return CheckRecordIn(
        id=uuid7(),
        venue_id=venue_id,
        checkpoint_id=checkpoint_id,
        method=CheckMethod.SCAN,
        checked_at=at,
        level=level,
        findings=[Finding(source=Source.HEALTH_CODE, state=state, reason="r", message=f"原因{level.value}")],
        person_ref=person_ref,
        masked_name="张*",
        masked_id="3306**********1234",
        device_id="dev",
    )


def counts(day: date = TODAY, **values: int) -> DayCounts:
    return DayCounts(
        day=day,
        checked=values.get("checked", 0),
        passed=values.get("passed", 0),
        review=values.get("review", 0),
        abnormal=values.get("abnormal", 0),
        persons=values.get("persons", 0),
    )


# ---- file, schema, meta ---------------------------------------------------------------------


def test_open_creates_a_versioned_wal_database(tmp_path: Path) -> None:
    local = LocalCache.open(tmp_path / "sub" / "c.db")
    assert local.schema_version() == SCHEMA_VERSION == len(STEPS)
    device = local.device_id()
    local.close()
    conn = sqlite3.connect(tmp_path / "sub" / "c.db")
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    conn.close()
    again = LocalCache.open(tmp_path / "sub" / "c.db")
    assert again.device_id() == device and len(device) == 32
    again.close()


def test_upgrade_steps_run_in_order_and_keep_data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "c.db"
    local = LocalCache.open(path)
    local.add_check(record(), USER_ID)
    local.close()
    step = "ALTER TABLE meta ADD COLUMN note TEXT;\nINSERT INTO meta(key, value, note) VALUES ('v2', 'yes', 'n');"
    monkeypatch.setattr(cache_module, "STEPS", (*STEPS, step))
    upgraded = LocalCache.open(path)
    assert upgraded.schema_version() == len(STEPS) + 1
    assert upgraded.get_meta("v2") == "yes"
    assert upgraded.pending_count() == 1
    upgraded.close()


def test_a_failing_step_leaves_the_old_version(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "c.db"
    LocalCache.open(path).close()
    monkeypatch.setattr(cache_module, "STEPS", (*STEPS, "CREATE TABLE t (x);\nTHIS IS NOT SQL;"))
    with pytest.raises(CacheError):
        LocalCache.open(path)
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == len(STEPS)
    assert conn.execute("SELECT count(*) FROM sqlite_master WHERE name = 't'").fetchone()[0] == 0
    conn.close()


def test_a_cache_from_a_newer_app_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "c.db"
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA user_version = 99")
    conn.close()
    with pytest.raises(CacheError) as caught:
        LocalCache.open(path)
    assert caught.value.code == "cache_too_new"


def test_meta_round_trip(cache: LocalCache) -> None:
    assert cache.get_meta("x") is None
    cache.set_meta("x", "1")
    cache.set_meta("x", "2")
    assert cache.get_meta("x") == "2"


# ---- venue configuration ----------------------------------------------------------------------


def test_apply_pull_stores_config_and_cursor(cache: LocalCache, issuer: Issuer) -> None:
    assert cache.venue_config(VENUE_ID) is None
    assert cache.apply_pull(VENUE_ID, pull_response(issuer), NOW) is False
    config = cache.venue_config(VENUE_ID)
    assert config is not None
    assert config.venue.id == VENUE_ID and config.policy.nat_window_hours == 48
    assert config.trust_list is not None and config.trust_list.find("k1") is not None
    assert config.sealing_public_key == issuer.sealing_public
    assert config.cursor == "epoch-1:1" and config.last_pull_at == NOW
    # An unchanged page keeps the configuration and moves the cursor.
    cache.apply_pull(
        VENUE_ID, pull_response(None, changed=False, cursor="epoch-1:2"), NOW + timedelta(minutes=1)
    )
    config = cache.venue_config(VENUE_ID)
    assert config is not None and config.trust_list is not None
    assert config.cursor == "epoch-1:2"
    assert cache.counts_as_of(VENUE_ID) == NOW + timedelta(minutes=1)


def test_a_bad_trust_list_changes_nothing(cache: LocalCache, issuer: Issuer) -> None:
    cache.apply_pull(VENUE_ID, pull_response(issuer), NOW)
    bad = pull_response(issuer, cursor="epoch-1:9").model_copy(update={"trust_list": "{not json"})
    cache.apply_pull(VENUE_ID, bad, NOW)  # the list is refused, not the page (services.trust)
    config = cache.venue_config(VENUE_ID)
    assert config is not None and config.trust_list is not None
    assert config.trust_list.keys == issuer.trust.keys  # the previous list stays
    assert cache.cursor(VENUE_ID) == "epoch-1:1"  # so the next pull brings a list again
    refusal = cache.trust_refusal()
    assert refusal is not None and refusal.code == "trust_list_malformed"


# ---- the outbox -------------------------------------------------------------------------------


def test_outbox_states(cache: LocalCache) -> None:
    first, second, third = record(), record(VerdictLevel.DENY), record()
    for item in (first, second, third):
        cache.add_check(item, USER_ID)
    cache.add_check(record(), OTHER_USER)
    assert cache.pending_count() == 4
    mine = cache.pending_checks(user_id=USER_ID)
    assert [r.id for r in mine] == [first.id, second.id, third.id]  # oldest first (UUIDv7)
    assert mine[1] == second
    cache.mark_pushed(
        PushResponse(
            accepted=[first.id], rejected=[Rejected(id=second.id, code="staff_revoked", message="已收回")]
        ),
        NOW,
    )
    assert [r.id for r in cache.pending_checks(user_id=USER_ID)] == [third.id]
    assert cache.check(first.id).state == "synced"  # type: ignore[union-attr]
    rejected = cache.rejected_checks()
    assert [(r.id, r.code, r.message) for r in rejected] == [(second.id, "staff_revoked", "已收回")]
    assert rejected[0].level is VerdictLevel.DENY
    assert cache.pending_count() == 2 and cache.rejected_count() == 1
    assert cache.retry_rejected() == 1
    assert cache.pending_count() == 3 and cache.rejected_count() == 0


def test_an_edit_during_a_push_is_not_lost(cache: LocalCache) -> None:
    item = record(VerdictLevel.REVIEW)
    cache.add_check(item, USER_ID)
    sent = cache.pending_checks()
    cache.set_manual_decision(item.id, ManualDecision.TURN_AWAY)  # while the push is in flight
    cache.mark_pushed(PushResponse(accepted=[r.id for r in sent], rejected=[]))
    assert cache.check(item.id).state == "pending"  # type: ignore[union-attr]
    again = cache.pending_checks()
    assert again[0].manual_decision is ManualDecision.TURN_AWAY
    cache.mark_pushed(PushResponse(accepted=[item.id], rejected=[]))
    assert cache.check(item.id).state == "synced"  # type: ignore[union-attr]


def test_a_decision_after_sync_is_pushed_again_but_not_counted_twice(
    cache: LocalCache, issuer: Issuer
) -> None:
    item = record(VerdictLevel.REVIEW)
    cache.add_check(item, USER_ID)
    cache.mark_pushed(PushResponse(accepted=[item.id], rejected=[]))
    cache.apply_pull(VENUE_ID, pull_response(issuer, unit_counts=[counts(checked=1, review=1)]), NOW)
    assert cache.day_counts(VENUE_ID, TODAY, StatsScope.UNIT, USER_ID).checked == 1
    cache.set_manual_decision(item.id, ManualDecision.ADMIT)
    assert [r.id for r in cache.pending_checks()] == [item.id]
    assert cache.day_counts(VENUE_ID, TODAY, StatsScope.UNIT, USER_ID).checked == 1


def test_concurrent_writers(cache: LocalCache) -> None:
    def write() -> None:
        for _ in range(50):
            cache.add_check(record(), USER_ID)

    threads = [threading.Thread(target=write) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert cache.pending_count() == 200
    assert cache.day_counts(VENUE_ID, TODAY, StatsScope.UNIT, USER_ID).checked == 200


# ---- counts -----------------------------------------------------------------------------------


def test_unit_counts_are_server_counts_plus_uncounted_rows(cache: LocalCache, issuer: Issuer) -> None:
    base = counts(checked=10, passed=7, review=2, abnormal=1, persons=9)
    cache.apply_pull(VENUE_ID, pull_response(issuer, unit_counts=[base]), NOW, user_id=USER_ID)
    rows = [
        record(),
        record(VerdictLevel.REVIEW, person_ref="p2"),
        record(VerdictLevel.CANNOT_VERIFY, person_ref=None),
    ]
    for item in rows:
        cache.add_check(item, USER_ID)
    got = cache.day_counts(VENUE_ID, TODAY, StatsScope.UNIT, USER_ID)
    assert (got.checked, got.passed, got.review, got.abnormal, got.persons) == (13, 8, 3, 2, 12)
    assert got.by_hour[10] == 3  # 10:00 local
    # Pushed but not yet pulled: still counted here (the base does not hold them yet).
    cache.mark_pushed(PushResponse(accepted=[r.id for r in rows[:2]], rejected=[]))
    assert cache.day_counts(VENUE_ID, TODAY, StatsScope.UNIT, USER_ID).checked == 13
    # The next pull's counts hold them: they leave the local part.
    newer = counts(checked=12, passed=8, review=3, abnormal=1, persons=11)
    cache.apply_pull(VENUE_ID, pull_response(issuer, unit_counts=[newer]), NOW)
    got = cache.day_counts(VENUE_ID, TODAY, StatsScope.UNIT, USER_ID)
    assert (got.checked, got.passed, got.review, got.abnormal, got.persons) == (13, 8, 3, 2, 12)
    # A rejected row is not counted.
    cache.mark_pushed(PushResponse(accepted=[], rejected=[Rejected(id=rows[2].id, code="x", message="x")]))
    assert cache.day_counts(VENUE_ID, TODAY, StatsScope.UNIT, USER_ID).checked == 12


def test_personal_and_checkpoint_scopes(cache: LocalCache, issuer: Issuer) -> None:
    cache.apply_pull(
        VENUE_ID,
        pull_response(issuer, unit_counts=[counts(checked=5)], personal_counts=[counts(checked=2)]),
        NOW,
        user_id=USER_ID,
    )
    cache.add_check(record(), USER_ID)
    cache.add_check(record(checkpoint_id=None, person_ref="p2"), USER_ID)
    cache.add_check(record(person_ref="p3"), OTHER_USER)
    assert cache.day_counts(VENUE_ID, TODAY, StatsScope.UNIT, USER_ID).checked == 8
    mine = cache.day_counts(VENUE_ID, TODAY, StatsScope.PERSONAL, USER_ID)
    assert (mine.checked, mine.persons) == (4, 2)
    gate = cache.day_counts(VENUE_ID, TODAY, StatsScope.UNIT, USER_ID, checkpoint_id=CHECKPOINT_ID)
    assert gate.checked == 2  # no per-checkpoint base from the pull: only the local rows there
    assert cache.day_counts(VENUE_ID, TODAY - timedelta(days=1), StatsScope.UNIT, USER_ID).checked == 0


def test_same_person_twice_is_one_person(cache: LocalCache) -> None:
    cache.add_check(record(person_ref="same"), USER_ID)
    cache.add_check(record(person_ref="same"), USER_ID)
    got = cache.day_counts(VENUE_ID, TODAY, StatsScope.UNIT, USER_ID)
    assert (got.checked, got.persons) == (2, 1)


def _brute_force(conn: sqlite3.Connection, day: str, user: int | None) -> tuple[int, int, int, int, int]:
    where = "venue_id = ? AND day = ? AND state != 'rejected' AND server_known = 0"
    params: list[object] = [VENUE_ID, day]
    if user is not None:
        where += " AND user_id = ?"
        params.append(user)
    row = conn.execute(
        f"SELECT count(*), sum(level = 'pass'), sum(level = 'review'), sum(level IN ('deny', 'cannot_verify')),"
        f" count(DISTINCT coalesce(person_ref, id)) FROM checks WHERE {where}",
        params,
    ).fetchone()
    return tuple(value or 0 for value in row)  # type: ignore[return-value]


def test_trigger_counts_match_a_full_scan_after_random_operations(
    cache: LocalCache, issuer: Issuer, tmp_path: Path
) -> None:
    rng = random.Random(4)
    ids: list[uuid.UUID] = []
    levels = list(VerdictLevel)
    for step in range(600):
        op = rng.random()
        if op < 0.55 or not ids:
            item = record(
                rng.choice(levels),
                at=NOW + timedelta(minutes=rng.randrange(-900, 600)),
                person_ref=rng.choice([None, "a", "b", "c", "d"]),
            )
            cache.add_check(item, rng.choice([USER_ID, OTHER_USER]))
            ids.append(item.id)
        elif op < 0.75:
            chosen = rng.sample(ids, min(len(ids), 5))
            cache.mark_pushed(
                PushResponse(
                    accepted=chosen[:3], rejected=[Rejected(id=i, code="c", message="m") for i in chosen[3:]]
                )
            )
        elif op < 0.85:
            cache.apply_pull(VENUE_ID, pull_response(issuer, cursor=f"epoch-1:{step}"), NOW)
        elif op < 0.9:
            cache.retry_rejected()
        elif op < 0.95:
            cache.set_manual_decision(rng.choice(ids), ManualDecision.ADMIT)
        else:
            cache.purge(NOW + timedelta(hours=rng.randrange(0, 48)), 1)
    conn = sqlite3.connect(tmp_path / "cache.db")
    for day in (TODAY - timedelta(days=1), TODAY, TODAY + timedelta(days=1)):
        for scope, user in ((StatsScope.UNIT, None), (StatsScope.PERSONAL, USER_ID)):
            got = cache.day_counts(VENUE_ID, day, scope, USER_ID)
            checked, passed, review, abnormal, persons = _brute_force(conn, day.isoformat(), user)
            assert (got.checked, got.passed, got.review, got.abnormal) == (checked, passed, review, abnormal)
            assert got.persons == persons
    state_counts = dict(conn.execute("SELECT state, n FROM state_counts").fetchall())
    actual = dict(conn.execute("SELECT state, count(*) FROM checks GROUP BY state").fetchall())
    assert {k: v for k, v in state_counts.items() if v} == actual
    conn.close()


# ---- epoch, purge, drill-down -----------------------------------------------------------------


def test_a_new_epoch_requeues_synced_rows_and_resets_the_cursor(cache: LocalCache, issuer: Issuer) -> None:
    cache.apply_pull(VENUE_ID, pull_response(issuer, unit_counts=[counts(checked=4)]), NOW)
    synced, pending = record(), record(person_ref="p2")
    cache.add_check(synced, USER_ID)
    cache.add_check(pending, USER_ID)
    cache.mark_pushed(PushResponse(accepted=[synced.id], rejected=[]))
    cache.apply_pull(VENUE_ID, pull_response(issuer, unit_counts=[counts(checked=5)]), NOW)
    assert cache.day_counts(VENUE_ID, TODAY, StatsScope.UNIT, USER_ID).checked == 6
    reset = cache.apply_pull(
        VENUE_ID, pull_response(issuer, epoch="epoch-2", cursor="epoch-2:1", unit_counts=[]), NOW
    )
    assert reset is True
    assert cache.cursor(VENUE_ID) == ""  # the next pull is a full one
    assert {r.id for r in cache.pending_checks()} == {synced.id, pending.id}
    assert cache.day_counts(VENUE_ID, TODAY, StatsScope.UNIT, USER_ID).checked == 2  # old counts dropped
    assert cache.venue_config(VENUE_ID).epoch == "epoch-2"  # type: ignore[union-attr]


def test_purge_removes_old_synced_pii_but_never_pending_rows(cache: LocalCache) -> None:
    old_synced = record(at=NOW - timedelta(days=30))
    old_pending = record(at=NOW - timedelta(days=30))
    old_rejected = record(at=NOW - timedelta(days=30))
    recent_synced = record(at=NOW - timedelta(days=2))
    for item in (old_synced, old_pending, old_rejected, recent_synced):
        cache.add_check(item, USER_ID)
    cache.mark_pushed(
        PushResponse(
            accepted=[old_synced.id, recent_synced.id],
            rejected=[Rejected(id=old_rejected.id, code="c", message="m")],
        )
    )
    anomaly = AnomalyIn(
        id=uuid7(),
        venue_id=VENUE_ID,
        sealed_name="c2VhbGVk",  # what the form stores (test_anomaly_sealing checks the sealing)
        masked_name="张*",
        phone_masked="139****1111",
        anomaly_type=AnomalyType.FEVER,
        action=AnomalyAction.TURN_AWAY,
        created_at=NOW - timedelta(days=30),
    )
    cache.save_anomaly(anomaly, USER_ID)
    cache.mark_pushed(PushResponse(accepted=[anomaly.id], rejected=[], anomaly_versions={str(anomaly.id): 1}))
    assert cache.purge(NOW, 28) == 3
    assert cache.check(old_synced.id) is None and cache.check(old_rejected.id) is None
    assert cache.check(old_pending.id) is not None
    assert cache.check(recent_synced.id) is not None
    assert cache.anomaly(anomaly.id) is None


def test_abnormal_drill_down(cache: LocalCache) -> None:
    fine, red, grey = record(), record(VerdictLevel.DENY), record(VerdictLevel.CANNOT_VERIFY)
    mine_only = record(VerdictLevel.DENY)
    for item in (fine, red, grey):
        cache.add_check(item, USER_ID)
    cache.add_check(mine_only, OTHER_USER)
    anomaly = AnomalyIn(
        id=uuid7(),
        venue_id=VENUE_ID,
        check_id=red.id,
        anomaly_type=AnomalyType.RED_CODE,
        action=AnomalyAction.REPORT_COMMUNITY,
        created_at=NOW,
    )
    cache.save_anomaly(anomaly, USER_ID)
    items = cache.abnormal_local(VENUE_ID, TODAY, USER_ID)
    assert [i.check_id for i in items] == [grey.id, red.id]  # newest first
    assert items[1].registered and items[1].anomaly_id == anomaly.id
    assert not items[0].registered
    assert items[1].reasons == ["原因deny"]
    assert len(cache.abnormal_local(VENUE_ID, TODAY)) == 3


def test_anomaly_outbox_versions_and_conflicts(cache: LocalCache) -> None:
    anomaly = AnomalyIn(
        id=uuid7(),
        venue_id=VENUE_ID,
        anomaly_type=AnomalyType.FEVER,
        action=AnomalyAction.ISOLATION_POINT,
        created_at=NOW,
    )
    cache.save_anomaly(anomaly, USER_ID)
    assert cache.pending_count() == 1
    assert cache.pending_anomalies(user_id=USER_ID)[0].base_version == 0
    cache.mark_pushed(PushResponse(accepted=[anomaly.id], rejected=[], anomaly_versions={str(anomaly.id): 1}))
    stored = cache.anomaly(anomaly.id)
    assert stored is not None and (stored.state, stored.version) == ("synced", 1)
    cache.save_anomaly(anomaly.model_copy(update={"notes": "已送隔离点"}), USER_ID)
    edited = cache.pending_anomalies()
    assert edited[0].notes == "已送隔离点" and edited[0].base_version == 1  # the version it was made on
    cache.mark_pushed(
        PushResponse(accepted=[], rejected=[Rejected(id=anomaly.id, code="conflict", message="已被他人修改")])
    )
    conflicted = cache.anomaly(anomaly.id)
    assert conflicted is not None and conflicted.state == "conflict" and conflicted.message == "已被他人修改"
    assert cache.pending_anomalies() == []
