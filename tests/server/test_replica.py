"""Reads that may lag go to a real streaming replica (shoumen_server/replica.py); writes and
read-your-own-write paths stay on the primary; a replica that is down or too far behind sends
the reads to the primary. The replica is the one ./test starts (scripts/pg.sh replica): it
replicates the whole cluster, so each test's database appears on it once replayed."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import make_url

from shoumen_core.timeutil import utcnow
from shoumen_server.app import create_app
from shoumen_server.db import make_replica_engine, make_session_factory
from shoumen_server.models import Check
from shoumen_server.replica import RETRY_SECONDS
from shoumen_server.settings import ServerSettings
from shoumen_server.sms import DevSmsGateway
from tests.conftest import postgres_replica_url, postgres_url
from tests.ports import free_port
from tests.server.conftest import FakeClock, Server
from tests.server.fixtures_sync import anomaly, check, count_rows, ctx_of, push, push_ok
from tests.server.journeys import API, register_venue

# Every test that uses the replica stays in this file: one worker runs it, in order (pytest-xdist,
# --dist loadfile in pyproject.toml). Some pause the replica's replay (replay_paused): a test on
# another worker would wait in wait_for_replay() for a replica that applies nothing, or find its
# reads lagging.

postgres_only = pytest.mark.parametrize("database_url", ["postgres"], indirect=True)


def wait_until(predicate: Callable[[], bool], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)  # polling a server process, not waiting for Qt


def _scalar(url: str, sql: str) -> object:
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            return conn.execute(text(sql)).scalar()
    finally:
        engine.dispose()


def wait_for_replay(position: str = "replay") -> None:
    """Until the replica has replayed (or only received: position="receive") everything the
    primary has written so far."""
    # The insert position, not pg_current_wal_lsn() (the write position): the test server runs
    # with synchronous_commit=off, so a commit that has answered may not be written yet, and a
    # replica at the write position may still miss it (seen once in CI).
    lsn = _scalar(postgres_url(), "SELECT pg_current_wal_insert_lsn()")
    wait_until(
        lambda: bool(
            _scalar(postgres_replica_url(), f"SELECT pg_last_wal_{position}_lsn() >= '{lsn}'::pg_lsn")
        )
    )


@contextmanager
def replay_paused() -> Iterator[None]:
    """The replica keeps receiving WAL but applies none of it: it lags."""
    replica = postgres_replica_url()
    _scalar(replica, "SELECT pg_wal_replay_pause()")
    try:
        wait_until(lambda: _scalar(replica, "SELECT pg_get_wal_replay_pause_state()") == "paused")
        yield
    finally:
        _scalar(replica, "SELECT pg_wal_replay_resume()")


def _on_replica(database_url: str) -> str:
    name = make_url(database_url).database
    return make_url(postgres_replica_url()).set(database=name).render_as_string(hide_password=False)


@contextmanager
def _server(settings: ServerSettings) -> Iterator[Server]:
    clock, sms = FakeClock(), DevSmsGateway()
    app = create_app(settings, sms=sms, clock=clock)
    try:
        with TestClient(app) as client:
            yield Server(client=client, clock=clock, sms=sms, settings=settings)
    finally:
        app.state.engine.dispose()
        app.state.replica_engine.dispose()


@pytest.fixture
def replicated(database_url: str, key_dir: Path, pg_replica_url: str) -> Iterator[Server]:
    replica_url = _on_replica(database_url)
    wait_for_replay()  # the test's database exists on the replica
    settings = ServerSettings(
        database_url=database_url,
        database_replica_url=replica_url,
        public_base_url="https://shoumen.test",
        demo_mode=False,
        key_dir=str(key_dir),
    )
    with _server(settings) as server:
        yield server


def _checked(server: Server, headers: dict[str, str], venue_id: int) -> int:
    r = server.client.get(f"{API}/venues/{venue_id}/stats", headers=headers)
    assert r.status_code == 200, r.text
    checked: int = r.json()["counts"]["checked"]
    return checked


def _exported(server: Server, headers: dict[str, str], venue_id: int) -> int:
    day = server.clock().date().isoformat()  # the checks' local day (10:00 in China)
    r = server.client.get(
        f"{API}/venues/{venue_id}/export", params={"start": day, "end": day}, headers=headers
    )
    assert r.status_code == 200, r.text
    return len(r.text.strip().splitlines()) - 1  # the header line


def _abnormal(server: Server, headers: dict[str, str], venue_id: int) -> int:
    r = server.client.get(f"{API}/venues/{venue_id}/abnormal", headers=headers)
    assert r.status_code == 200, r.text
    return len(r.json()["items"])


@postgres_only
def test_stats_from_the_replica_lag_while_the_push_answer_and_the_anomaly_save_see_the_new_row(
    replicated: Server,
) -> None:
    server = replicated
    venue_id, owner = register_venue(server)
    push_ok(server, owner, [check(venue_id, level="deny")])
    wait_for_replay()
    assert (_checked(server, owner, venue_id), _abnormal(server, owner, venue_id)) == (1, 1)

    with replay_paused():
        second = check(venue_id, level="deny")
        push_ok(server, owner, [second])
        # Read-your-own-write on the primary: the resend finds the row, the save and its read-back
        # see the anomaly at once.
        r = push(server, owner, [second])
        assert r.json()["accepted"] == [second["id"]] and r.json()["rejected"] == []
        body = anomaly(venue_id, check_id=second["id"])
        r = server.client.post(f"{API}/venues/{venue_id}/anomalies", json=body, headers=owner)
        assert r.status_code == 201, r.text
        r = server.client.get(f"{API}/venues/{venue_id}/anomalies/{body['id']}", headers=owner)
        assert r.status_code == 200, r.text
        assert count_rows(server, Check) == 2  # on the primary
        # The lag-tolerant reads come from the paused replica: the second check is not there yet.
        assert (_checked(server, owner, venue_id), _abnormal(server, owner, venue_id)) == (1, 1)
        assert _exported(server, owner, venue_id) == 1
        assert not ctx_of(server).reads.replica_down  # type: ignore[union-attr]

    wait_for_replay()
    assert (_checked(server, owner, venue_id), _abnormal(server, owner, venue_id)) == (2, 2)
    assert _exported(server, owner, venue_id) == 2


@postgres_only
def test_reads_go_to_the_primary_when_the_replica_is_too_far_behind(replicated: Server) -> None:
    server = replicated
    reads = ctx_of(server).reads
    assert reads is not None
    reads.max_lag = timedelta(seconds=5)
    venue_id, owner = register_venue(server)
    push_ok(server, owner, [check(venue_id)])
    wait_for_replay()
    assert _checked(server, owner, venue_id) == 1
    with replay_paused():
        push_ok(server, owner, [check(venue_id)])
        wait_for_replay("receive")  # received, not applied: behind (not yet, it is only streaming)
        # A minute later, the replica still has not applied what it received: too far behind.
        reads.clock = lambda: utcnow() + timedelta(minutes=1)
        assert _checked(server, owner, venue_id) == 2


@postgres_only
def test_reads_fall_back_to_the_primary_when_the_replica_is_down_and_it_is_logged_once(
    database_url: str, key_dir: Path, pg_replica_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    dead = make_url(database_url).set(port=free_port()).render_as_string(hide_password=False)
    settings = ServerSettings(
        database_url=database_url,
        database_replica_url=dead,
        public_base_url="https://shoumen.test",
        demo_mode=False,
        key_dir=str(key_dir),
    )
    caplog.set_level(logging.INFO, logger="shoumen.server.replica")
    with _server(settings) as server:
        reads = ctx_of(server).reads
        assert reads is not None
        venue_id, owner = register_venue(server)
        push_ok(server, owner, [check(venue_id)])
        assert [_checked(server, owner, venue_id) for _ in range(3)] == [1, 1, 1]
        assert reads.replica_down
        later = utcnow() + timedelta(seconds=RETRY_SECONDS + 1)
        reads.clock = lambda: later  # tried again after the retry interval: still down
        assert _checked(server, owner, venue_id) == 1
        down = [r for r in caplog.records if "unreachable" in r.getMessage()]
        assert len(down) == 1 and down[0].levelno == logging.WARNING
        assert str(make_url(dead).port) not in caplog.text  # no address in the log

        # The replica comes back: reads go to it again, and that is logged once too.
        wait_for_replay()
        back = make_replica_engine(_on_replica(database_url))
        try:
            reads.replica = make_session_factory(back)
            reads.clock = lambda: later + timedelta(seconds=RETRY_SECONDS + 1)
            assert _checked(server, owner, venue_id) == 1
            assert not reads.replica_down
            assert len([r for r in caplog.records if "reachable again" in r.getMessage()]) == 1
        finally:
            back.dispose()


@postgres_only
def test_a_replica_lost_mid_read_answers_503_once_then_reads_go_to_the_primary(
    replicated: Server, caplog: pytest.LogCaptureFixture
) -> None:
    server = replicated
    reads = ctx_of(server).reads
    assert reads is not None
    venue_id, owner = register_venue(server)
    push_ok(server, owner, [check(venue_id, level="deny")])
    wait_for_replay()
    assert _checked(server, owner, venue_id) == 1  # from the replica

    # The replica's server ends the connection between the request's connect and its query,
    # as a replica that is shut down or crashes does.
    replica_engine = server.client.app.state.replica_engine  # type: ignore[attr-defined]
    killer = create_engine(_on_replica(server.settings.database_url), isolation_level="AUTOCOMMIT")
    killed: list[int] = []

    def terminate(conn: Any, *_args: Any) -> None:
        if not killed:
            pid = conn.connection.dbapi_connection.info.backend_pid
            killed.append(pid)
            with killer.connect() as other:
                other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})

    event.listen(replica_engine, "before_cursor_execute", terminate)
    caplog.set_level(logging.INFO)
    try:
        r = server.client.get(f"{API}/venues/{venue_id}/abnormal", headers=owner)
    finally:
        event.remove(replica_engine, "before_cursor_execute", terminate)
        killer.dispose()
    assert killed
    assert (r.status_code, r.json()["error"]["code"]) == (503, "database_unavailable")
    assert r.headers["Retry-After"] == "3"
    assert reads.replica_down
    # The primary was never away: the replica's loss is logged as such, not as an outage.
    assert [x.getMessage() for x in caplog.records if x.name == "shoumen.server.outage"] == []
    assert len([x for x in caplog.records if "read replica unreachable" in x.getMessage()]) == 1
    # The retry reads on the primary (no connect attempt to the replica until RETRY_SECONDS).
    assert _abnormal(server, owner, venue_id) == 1


def test_settings_read_the_replica_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SHOUMEN_DATABASE_REPLICA_URL", "postgresql+psycopg://reader@replica/shoumen")
    monkeypatch.setenv("SHOUMEN_REPLICA_MAX_LAG_SECONDS", "30")
    settings = ServerSettings.from_env()
    assert settings.database_replica_url == "postgresql+psycopg://reader@replica/shoumen"
    assert settings.replica_max_lag_seconds == 30.0
    monkeypatch.delenv("SHOUMEN_DATABASE_REPLICA_URL")
    monkeypatch.delenv("SHOUMEN_REPLICA_MAX_LAG_SECONDS")
    assert replace(ServerSettings.from_env(), extra={}).database_replica_url is None
