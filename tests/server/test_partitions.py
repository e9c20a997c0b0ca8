"""The checks table partitioned by day on PostgreSQL (shoumen_server/partitions.py): rows land in
their day's partition or the default one, purge drops whole partitions and keeps the counts
right, the migration converts a table with rows, and a check's id stays unique across days."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import replace
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select, text

from shoumen_core.timeutil import local_day, utcnow
from shoumen_server import migrate, partitions
from shoumen_server.cli import make_partitions_ahead
from shoumen_server.ingest import store_checks
from shoumen_server.models import Check, CheckCount
from shoumen_server.partitions import (
    CHECK_IDS,
    DEFAULT_PARTITION,
    day_partitions,
    ensure_check_partitions,
    is_partitioned,
    partition_name,
)
from shoumen_server.retention import purge
from tests.server.conftest import Server
from tests.server.fixtures_sync import TODAY, check, count_rows, ctx_of, db, local, push, push_ok
from tests.server.journeys import API, register_venue

postgres_only = pytest.mark.parametrize("database_url", ["postgres"], indirect=True)


def _homes(server: Server) -> dict[date, set[str]]:
    """Each day's rows -> the tables (partitions) that hold them."""
    with db(server) as session:
        rows = session.execute(text("SELECT day, tableoid::regclass::text FROM checks")).all()
    homes: dict[date, set[str]] = {}
    for day, table in rows:
        homes.setdefault(day, set()).add(table)
    return homes


def _checked(server: Server, headers: dict[str, str], venue_id: int, day: date) -> int:
    r = server.client.get(f"{API}/venues/{venue_id}/stats", params={"date": day.isoformat()}, headers=headers)
    assert r.status_code == 200, r.text
    checked: int = r.json()["counts"]["checked"]
    return checked


def test_a_resend_with_another_day_does_not_make_a_second_row(server: Server) -> None:
    # The primary key is (id, day) where partitioned: the id alone must still be unique.
    venue_id, owner = register_venue(server)
    first = check(venue_id, at=local(TODAY, 9))
    push_ok(server, owner, [first])
    moved = {**first, "checked_at": local(TODAY - timedelta(days=1), 9).isoformat()}
    r = push(server, owner, [moved])  # another time is another fact: refused, nothing changes
    assert [(x["id"], x["code"]) for x in r.json()["rejected"]] == [(first["id"], "check_conflict")]
    assert count_rows(server, Check, Check.id == uuid.UUID(first["id"])) == 1
    with db(server) as session:
        assert session.scalar(select(Check.day).where(Check.id == uuid.UUID(first["id"]))) == TODAY
    assert _checked(server, owner, venue_id, TODAY) == 1
    assert _checked(server, owner, venue_id, TODAY - timedelta(days=1)) == 0


def _row(venue_id: int, check_id: uuid.UUID, at: datetime) -> dict[str, Any]:
    return {
        "id": check_id,
        "venue_id": venue_id,
        "method": "scan",
        "checked_at": at,
        "level": "pass",
        "received_at": at,
    }


def test_store_checks_never_makes_a_second_row_for_an_id_on_another_day(server: Server) -> None:
    # The path that skips ingest's own lookup (the visitor page, a push that raced past it):
    # on the partitioned table an INSERT ... ON CONFLICT (id, day) alone lets a second day in.
    venue_id, _owner = register_venue(server)
    check_id = uuid.uuid4()
    with db(server) as session:
        assert store_checks(session, [_row(venue_id, check_id, local(TODAY, 9))]) == [check_id]
    other_day = _row(venue_id, check_id, local(TODAY - timedelta(days=2), 9))
    with db(server) as session:
        assert store_checks(session, [other_day]) == []
        # One id twice in one call, on two days: only the first is stored.
        twice = uuid.uuid4()
        both = [
            _row(venue_id, twice, local(TODAY, 10)),
            _row(venue_id, twice, local(TODAY - timedelta(days=1), 10)),
        ]
        assert store_checks(session, both) == [twice]
    assert count_rows(server, Check, Check.id == check_id) == 1
    assert count_rows(server, Check, Check.id == twice) == 1
    with db(server) as session:  # each stored row counted once
        assert session.scalar(select(func.sum(CheckCount.n))) == 2


@postgres_only
def test_two_pushes_of_one_id_on_two_days_in_flight_at_once_store_one_row(server: Server) -> None:
    venue_id, _owner = register_venue(server)
    check_id = uuid.uuid4()
    sessions = ctx_of(server).sessions
    outcome: list[list[uuid.UUID]] = []
    with sessions() as first, first.begin():
        assert store_checks(first, [_row(venue_id, check_id, local(TODAY, 9))]) == [check_id]
        second_pid = []

        def second_push() -> None:
            with sessions() as second, second.begin():
                second_pid.append(second.execute(text("SELECT pg_backend_pid()")).scalar())
                outcome.append(
                    store_checks(second, [_row(venue_id, check_id, local(TODAY - timedelta(days=1), 9))])
                )

        thread = threading.Thread(target=second_push)
        thread.start()
        # The second push waits on the first's claim of the id (a lock wait, not a sleep).
        wait_until(lambda: bool(second_pid) and _waits_on_a_lock(server, second_pid[0]))
    thread.join(timeout=30)
    assert not thread.is_alive()
    assert outcome == [[]]
    assert count_rows(server, Check, Check.id == check_id) == 1


def _waits_on_a_lock(server: Server, pid: int) -> bool:
    with db(server) as session:
        return bool(
            session.execute(
                text("SELECT wait_event_type = 'Lock' FROM pg_stat_activity WHERE pid = :pid"), {"pid": pid}
            ).scalar()
        )


def wait_until(predicate: Callable[[], bool], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)  # polling another connection's state, not waiting for Qt


def test_sqlite_keeps_the_plain_table(server: Server) -> None:
    with db(server) as session:
        expected = session.get_bind().dialect.name == "postgresql"
        assert is_partitioned(session) is expected
        if not expected:
            assert ensure_check_partitions(session, TODAY) == []


@postgres_only
def test_rows_land_in_their_days_partition_and_an_unmade_day_in_the_default_one(server: Server) -> None:
    venue_id, owner = register_venue(server)
    with ctx_of(server).sessions() as session:
        assert partition_name(TODAY) in ensure_check_partitions(session, TODAY)
        have = {p.first_day for p in day_partitions(session)}
    assert {TODAY + timedelta(days=n) for n in range(-7, 8)} <= have
    far = TODAY - timedelta(days=20)  # older than the days made ahead
    push_ok(server, owner, [check(venue_id, at=local(TODAY, 0, 1)), check(venue_id, at=local(TODAY, 9, 59))])
    push_ok(
        server,
        owner,
        [check(venue_id, at=local(TODAY - timedelta(days=1), 12)), check(venue_id, at=local(far, 8))],
    )
    homes = _homes(server)
    # 00:01 local is 16:01 UTC of the day before: the local day decides the partition.
    assert homes[TODAY] == {partition_name(TODAY)}
    assert homes[TODAY - timedelta(days=1)] == {partition_name(TODAY - timedelta(days=1))}
    assert homes[far] == {DEFAULT_PARTITION}  # never refused for its day

    # Making the day's partition later moves its rows out of the default partition.
    with ctx_of(server).sessions() as session:
        assert partition_name(far) in ensure_check_partitions(session, far)
    assert _homes(server)[far] == {partition_name(far)}
    assert _checked(server, owner, venue_id, far) == 1
    assert count_rows(server, Check) == 4


@postgres_only
def test_purge_drops_old_partitions_and_keeps_the_counts_right(server: Server) -> None:
    venue_id, owner = register_venue(server)
    first_kept = TODAY - timedelta(days=28)
    with ctx_of(server).sessions() as session:
        ensure_check_partitions(session, TODAY - timedelta(days=35))  # days -42 … -28
        ensure_check_partitions(session, TODAY)
    # Expired days, as stored when they were current (a push of them now is refused as too old).
    expired = [local(TODAY - timedelta(days=30), 10)] * 3 + [local(TODAY - timedelta(days=50), 10)]
    with db(server) as session:
        store_checks(session, [_row(venue_id, uuid.uuid4(), at) for at in expired])
    kept = [check(venue_id, at=local(first_kept, 0, 0)), check(venue_id, at=local(TODAY, 10))]
    push_ok(server, owner, kept)
    assert _homes(server)[TODAY - timedelta(days=50)] == {DEFAULT_PARTITION}  # no partition made

    settings = replace(server.settings, check_retention_days=28)
    with ctx_of(server).sessions() as session:
        report = purge(session, server.clock(), settings)
    assert report.checks == 4
    with db(server) as session:
        left = day_partitions(session)
    assert left and all(p.first_day >= first_kept for p in left)
    assert {p.first_day for p in left} >= {first_kept, TODAY, TODAY + timedelta(days=7)}
    assert count_rows(server, Check) == 2
    with db(server) as session:  # the expired ids went with their rows
        assert sorted(session.execute(select(CHECK_IDS.c.id)).scalars()) == sorted(
            uuid.UUID(c["id"]) for c in kept
        )
    assert count_rows(server, CheckCount, CheckCount.day < first_kept) == 0
    assert _checked(server, owner, venue_id, first_kept) == 1
    assert _checked(server, owner, venue_id, TODAY) == 1
    assert _checked(server, owner, venue_id, TODAY - timedelta(days=30)) == 0

    with ctx_of(server).sessions() as session:  # again: nothing left to drop, nothing breaks
        assert purge(session, server.clock(), settings).checks == 0


@postgres_only
def test_the_migration_converts_a_table_with_rows(server: Server) -> None:
    venue_id, owner = register_venue(server)
    days = [TODAY, TODAY - timedelta(days=3)]
    push_ok(server, owner, [check(venue_id, at=local(day, 9)) for day in days for _ in range(2)])
    url = server.settings.database_url
    server.client.app.state.engine.dispose()  # type: ignore[attr-defined]
    migrate.downgrade(url, "0009_gate16a")
    with db(server) as session:
        assert not is_partitioned(session)
        assert session.scalar(select(func.count()).select_from(Check)) == 4
        assert session.scalar(text("SELECT to_regclass('check_ids')")) is None
    migrate.upgrade(url)
    with db(server) as session:
        assert is_partitioned(session)
        assert session.scalar(select(func.count()).select_from(CHECK_IDS)) == 4
    homes = _homes(server)
    assert {day: homes[day] for day in days} == {day: {partition_name(day)} for day in days}
    assert count_rows(server, Check) == 4
    push_ok(server, owner, [check(venue_id, at=local(TODAY, 9, 30))])  # and ingest works on it
    assert _checked(server, owner, venue_id, TODAY) == 3


@postgres_only
def test_serve_starts_while_another_server_holds_the_partition_maintenance_lock(
    server: Server, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    # A second server's purge runs while this one starts: the start must not fail on it.
    monkeypatch.setattr(partitions, "LOCK_TIMEOUT", "100ms")
    last = partition_name(local_day(utcnow()) + timedelta(days=partitions.DAYS_AHEAD))  # serve's today
    with db(server) as session:
        session.execute(text(f"DROP TABLE {last}"))
    sessions = ctx_of(server).sessions

    def made() -> bool:
        with db(server) as session:
            return last in {p.name for p in day_partitions(session)}

    with sessions() as other, other.begin():
        other.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": partitions._ADVISORY_KEY})
        make_partitions_ahead(sessions)
    assert "another server is maintaining them" in caplog.text
    assert not made()
    make_partitions_ahead(sessions)  # with the lock free, it does its work
    assert made()
