"""The connection pool is explicit (issue 15 §3): sized per worker by settings, bounded, and
each worker's connections carry its process id in PostgreSQL's application_name."""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError

from shoumen_server import db
from shoumen_server.app import create_app
from shoumen_server.cli import _check_pool_budget
from shoumen_server.db import PoolSize, make_engine
from shoumen_server.outage import is_database_unavailable
from shoumen_server.settings import ServerSettings
from tests.conftest import postgres_url


def test_pool_is_sized_by_the_settings_and_the_environment(
    database_url: str, key_dir: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SHOUMEN_DB_POOL_SIZE", "3")
    monkeypatch.setenv("SHOUMEN_DB_MAX_OVERFLOW", "4")
    monkeypatch.setenv("SHOUMEN_DB_POOL_TIMEOUT", "2.5")
    settings = ServerSettings.from_env(database_url=database_url, key_dir=str(key_dir))
    assert (settings.db_pool_size, settings.db_max_overflow, settings.db_pool_timeout) == (3, 4, 2.5)
    assert settings.pool_connections == 7
    app = create_app(settings)
    engine = app.state.engine
    try:
        if engine.dialect.name != "postgresql":
            return  # SQLite: one file, SQLAlchemy's own pool for it; nothing to size
        assert engine.pool.size() == 3 and engine.pool._max_overflow == 4 and engine.pool._timeout == 2.5
        with engine.connect() as conn:
            name = conn.execute(
                text("SELECT application_name FROM pg_stat_activity WHERE pid = pg_backend_pid()")
            ).scalar()
        assert name == f"shoumen/{os.getpid()}"
    finally:
        engine.dispose()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("db_pool_size", 0),
        ("db_pool_size", 101),
        ("db_max_overflow", -1),
        ("db_max_overflow", 101),
        ("db_pool_timeout", 0),
    ],
)
def test_pool_settings_are_bounded(field: str, value: float) -> None:
    with pytest.raises(ValueError, match=f"SHOUMEN_{field.upper()}"):
        ServerSettings(**{field: value})  # type: ignore[arg-type]


def test_serve_warns_when_the_workers_pools_exceed_max_connections(
    database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    settings = ServerSettings(database_url=database_url, db_pool_size=100, db_max_overflow=100)
    with caplog.at_level("WARNING", logger="shoumen.server.cli"):
        _check_pool_budget(settings, workers=2)
        _check_pool_budget(
            ServerSettings(database_url=database_url, db_pool_size=1, db_max_overflow=0), workers=2
        )
    warned = [r.getMessage() for r in caplog.records if "max_connections" in r.getMessage()]
    assert len(warned) == (1 if database_url.startswith("postgresql") else 0), warned


def test_serve_refuses_a_pool_setting_out_of_bounds_calmly() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SHOUMEN_")}
    result = subprocess.run(
        [sys.executable, "-m", "shoumen_server", "serve", "--demo", "--database-url", "sqlite:///:memory:"],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env={**env, "PYTHONUTF8": "1", "SHOUMEN_DB_POOL_SIZE": "0"},
        timeout=120,
        check=False,
    )
    assert (
        result.returncode == 2
        and "SHOUMEN_DB_POOL_SIZE" in result.stderr
        and "Traceback" not in result.stderr
    )


def _pid(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(text("SELECT pg_backend_pid()")).scalar_one())


def _terminate(engine: Engine, pid: int) -> None:
    with engine.connect() as conn:
        conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        conn.commit()


def test_a_connection_in_use_is_not_pinged_and_an_idle_one_is(monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 15 §6: pool_pre_ping cost a round trip and a BEGIN on every checkout (~13 % of a
    lookup's server CPU). Now only a connection idle for PING_AFTER_IDLE is pinged: one a
    restart killed meanwhile is replaced before a request uses it."""
    engine = make_engine(postgres_url(), PoolSize(size=1, max_overflow=0))
    other = make_engine(postgres_url(), PoolSize(size=1, max_overflow=0))
    pings: list[int] = []
    real_ping = engine.dialect.do_ping

    def counted(dbapi_connection: Any) -> bool:
        pings.append(1)
        return real_ping(dbapi_connection)

    monkeypatch.setattr(engine.dialect, "do_ping", counted)
    try:
        first = _pid(engine)
        for _ in range(5):
            assert _pid(engine) == first
        assert pings == []  # reused at once: not pinged
        monkeypatch.setattr(db, "PING_AFTER_IDLE", 0.0)  # every pooled connection counts as idle
        assert _pid(engine) == first and len(pings) == 1
        _terminate(other, first)  # a restart, as the pool sees it
        second = _pid(engine)  # pinged, found dead, replaced: the request does not fail
        assert second != first and len(pings) == 2
    finally:
        engine.dispose()
        other.dispose()


def test_a_connection_killed_while_in_use_fails_one_request_then_the_pool_reconnects() -> None:
    """The price of pinging idle connections only: a connection killed less than
    PING_AFTER_IDLE after its last use fails the request that gets it (503
    database_unavailable, Retry-After); the disconnect replaces every pooled connection."""
    engine = make_engine(postgres_url(), PoolSize(size=2, max_overflow=0))
    other = make_engine(postgres_url(), PoolSize(size=1, max_overflow=0))
    try:
        with engine.connect() as a, engine.connect() as b:  # two pooled connections
            pids = [c.execute(text("SELECT pg_backend_pid()")).scalar_one() for c in (a, b)]
        for pid in pids:
            _terminate(other, pid)
        with pytest.raises(DBAPIError) as failed, engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        assert is_database_unavailable(failed.value)
        assert _pid(engine) not in pids and _pid(engine) not in pids  # both replaced, no failure
    finally:
        engine.dispose()
        other.dispose()
