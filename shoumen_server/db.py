"""Engine and session set-up for SQLite and PostgreSQL."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, MetaData, create_engine, event
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


def make_engine(url: str, pool: PoolSize | None = None, *, connect_timeout: float | None = None) -> Engine:
    # hide_parameters: a database error (logged with its traceback) or SQL echo shows the
    # statement, never its values — phones and names are among them (DESIGN §7).
    if url.startswith("sqlite"):
        engine = create_engine(
            url, connect_args={"check_same_thread": False, "timeout": 10}, hide_parameters=True
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    pool = pool or PoolSize()
    # pool_pre_ping replaces the connections a PostgreSQL restart killed on their next checkout
    # (no request fails on a stale one); connect_timeout bounds a connect to a host that does
    # not answer at all (blackholed), which would otherwise hold a worker thread for minutes.
    # application_name carries the process id, so pg_stat_activity shows each worker's
    # connections (docs/PERFORMANCE.md measures them; an operator finds a runaway worker).
    connect_args: dict[str, Any] = {}
    if url.startswith("postgresql"):
        connect_args = {
            "connect_timeout": connect_timeout or PG_CONNECT_TIMEOUT,
            "application_name": f"shoumen/{os.getpid()}",
        }
    return create_engine(
        url,
        pool_size=pool.size,
        max_overflow=pool.max_overflow,
        pool_timeout=pool.timeout,
        pool_pre_ping=True,
        hide_parameters=True,
        connect_args=connect_args,
    )


def make_replica_engine(url: str, pool: PoolSize | None = None) -> Engine:
    """The engine of the read replica (shoumen_server.replica): pings before use, so a replica
    that went away is found at checkout, and gives up connecting after 2 s, so a replica host
    that does not answer delays a read by that much before it falls back to the primary.
    Sized like the primary's pool (per worker: SHOUMEN_DB_POOL_SIZE / _MAX_OVERFLOW)."""
    return make_engine(url, pool, connect_timeout=REPLICA_CONNECT_TIMEOUT)


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def session_scope(factory: sessionmaker[Session]) -> Iterator[Session]:
    """A unit of work: commit on success, roll back on any error."""
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
