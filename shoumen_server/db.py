"""Engine and session set-up for SQLite and PostgreSQL."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, MetaData, create_engine, event
from sqlalchemy.exc import InvalidatePoolError
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


PG_CONNECT_TIMEOUT = 5  # seconds


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


@dataclass(frozen=True)
class PoolSize:
    """One process's connection pool (settings db_pool_size, db_max_overflow, db_pool_timeout)."""

    size: int = 5
    max_overflow: int = 10
    timeout: float = 10.0


REPLICA_CONNECT_TIMEOUT = 2  # seconds a read waits for a replica host before the primary serves it


def make_engine(
    url: str,
    pool: PoolSize | None = None,
    *,
    connect_timeout: float | None = None,
    ping_only_idle: bool = True,
) -> Engine:
    # hide_parameters: a database error (logged with its traceback) or SQL echo shows the
    # statement, never its values — phones and names are among them (DESIGN §7).
    if url.startswith("sqlite"):
        engine = create_engine(
            url, connect_args={"check_same_thread": False, "timeout": 10}, hide_parameters=True
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    pool = pool or PoolSize()
    # A connection idle for PING_AFTER_IDLE is pinged at checkout (_ping_when_idle), so the ones
    # a PostgreSQL restart killed are replaced before a request uses them; connect_timeout
    # bounds a connect to a host that does not answer at all (blackholed), which would
    # otherwise hold a worker thread for minutes.
    # application_name carries the process id, so pg_stat_activity shows each worker's
    # connections (docs/PERFORMANCE.md measures them; an operator finds a runaway worker).
    connect_args: dict[str, Any] = {}
    if url.startswith("postgresql"):
        connect_args = {
            "connect_timeout": connect_timeout or PG_CONNECT_TIMEOUT,
            "application_name": f"shoumen/{os.getpid()}",
        }
    engine = create_engine(
        url,
        pool_size=pool.size,
        max_overflow=pool.max_overflow,
        pool_timeout=pool.timeout,
        pool_pre_ping=not ping_only_idle,
        hide_parameters=True,
        connect_args=connect_args,
    )
    if ping_only_idle:
        _ping_when_idle(engine)
    return engine


# Issue 15 §6: pool_pre_ping costs a round trip (and a BEGIN) on every checkout — one request's
# session is one checkout, so ~13 % of a lookup's server CPU (bench_lookup_cpu.py, side by
# side). A connection handed back less than this long ago was working then; a restart in that
# second fails the request that finds it (503 database_unavailable, Retry-After), and that
# disconnect invalidates every connection of the pool, so the next ones reconnect.
PING_AFTER_IDLE = 1.0  # seconds
_RETURNED_AT = "shoumen_returned_at"


def _ping_when_idle(engine: Engine) -> None:
    """pool_pre_ping for the connections idle longer than PING_AFTER_IDLE only (a pooled
    connection under load is reused within milliseconds)."""
    dialect = engine.dialect

    def returned(_dbapi_connection: Any, record: Any) -> None:
        record.info[_RETURNED_AT] = time.monotonic()

    def checkout(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        # record.info lives as long as the DBAPI connection: a new one has no stamp.
        at = record.info.get(_RETURNED_AT)
        if at is None or time.monotonic() - at < PING_AFTER_IDLE:
            return
        try:
            dialect.do_ping(dbapi_connection)
        except dialect.loaded_dbapi.Error as exc:
            if not dialect.is_disconnect(exc, dbapi_connection, None):
                raise
            # What pool_pre_ping does: every connection older than now is replaced, and this
            # checkout tries a new one.
            raise InvalidatePoolError() from exc

    event.listen(engine, "checkin", returned)
    event.listen(engine, "checkout", checkout)


def make_replica_engine(url: str, pool: PoolSize | None = None) -> Engine:
    """The engine of the read replica (shoumen_server.replica): pings before use, so a replica
    that went away is found at checkout, and gives up connecting after 2 s, so a replica host
    that does not answer delays a read by that much before it falls back to the primary.
    Sized like the primary's pool (per worker: SHOUMEN_DB_POOL_SIZE / _MAX_OVERFLOW)."""
    # Every checkout pinged (pool_pre_ping): reads are not the hot path, and a replica that went
    # away is found before the read, not by it.
    return make_engine(url, pool, connect_timeout=REPLICA_CONNECT_TIMEOUT, ping_only_idle=False)


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def session_scope(factory: sessionmaker[Session]) -> Iterator[Session]:
    """A unit of work: commit on success, roll back on any error."""
    session = factory()
    try:
        yield session
        # Nothing to commit when the work committed itself and began nothing since (the
        # lookup: finish_lookup's commit); committing anyway made and ended a transaction.
        if session.in_transaction():
            session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
