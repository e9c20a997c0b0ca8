"""direct.py: the hot path's statements at the driver level store and read what SQLAlchemy would,
fire the engine's cursor events, and fail as SQLAlchemy fails (wrapped, a lost connection
invalidated, handle_error heard) — on SQLite and PostgreSQL, with real faults."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from sqlalchemy import Engine, bindparam, delete, event, insert, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from shoumen_server import bulk, direct
from shoumen_server.audit import AUDIT
from shoumen_server.db import make_engine
from shoumen_server.outage import is_database_unavailable
from tests.conftest import postgres_url

_WRITE = (
    insert(AUDIT)
    .values({column.name: bindparam(column.name) for column in AUDIT.c if column.name != "id"})
    .returning(AUDIT.c.id, AUDIT.c.at)
)
# A LIMIT is a bind parameter with a value of its own: sent without the caller naming it.
_READ = select(AUDIT.c.id, AUDIT.c.at, AUDIT.c.action).where(AUDIT.c.id == bindparam("id")).limit(1)
_AT = datetime(2026, 12, 5, 8, 30, 15, 123456, tzinfo=UTC)


def _row(at: datetime = _AT) -> dict[str, Any]:
    return {
        "at": at,
        "actor_user_id": None,
        "action": "lookup",
        "venue_id": None,
        "region_code": None,
        "person_ref": None,
        "device_name": "",
        "detail": "{}",
    }


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


def test_rows_are_written_and_read_as_through_sqlalchemy(engine: Engine) -> None:
    with Session(engine) as db:
        ((row_id, at),) = direct.run(db, _WRITE, _row())
        db.commit()
        # Read back both ways: the same values, the UTC datetime aware on either backend.
        ours = direct.run(db, _READ, {"id": row_id})
        theirs = db.execute(_READ, {"id": row_id}).all()
        assert [tuple(r) for r in ours] == [tuple(r) for r in theirs] == [(row_id, _AT, "lookup")]
        assert at == _AT and ours[0].at.tzinfo is not None and ours[0].action == "lookup"
        assert direct.run(db, _READ, {"id": row_id + 1000}) == []


def test_a_value_is_converted_by_its_columns_type_as_through_the_orm(engine: Engine) -> None:
    """The UTC column refuses a naive datetime (models._UTCDateTime): its bind processor runs."""
    with Session(engine) as db, pytest.raises(ValueError, match="naive datetime"):
        direct.run(db, _WRITE, _row(at=datetime(2026, 12, 5, 8, 30)))
    with Session(engine) as db:
        shifted = _AT.astimezone(UTC).replace(tzinfo=None)
        ((_, at),) = direct.run(db, _WRITE, _row(at=_AT.astimezone(timezone(timedelta(hours=8)))))
        assert at == _AT and at.tzinfo is not None and at.replace(tzinfo=None) == shifted


def test_the_engines_cursor_events_hear_every_statement(engine: Engine) -> None:
    heard: list[tuple[str, str]] = []

    def before(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        heard.append(("before", statement.split()[0]))

    def after(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        heard.append(("after", statement.split()[0]))

    event.listen(engine, "before_cursor_execute", before)
    event.listen(engine, "after_cursor_execute", after)
    try:
        with Session(engine) as db:
            ((row_id, _),) = direct.run(db, _WRITE, _row())
            direct.run(db, _READ, {"id": row_id})
    finally:
        event.remove(engine, "before_cursor_execute", before)
        event.remove(engine, "after_cursor_execute", after)
    assert heard == [("before", "INSERT"), ("after", "INSERT"), ("before", "SELECT"), ("after", "SELECT")]


@pytest.mark.parametrize(
    ("statement", "words"),
    [
        (select(AUDIT.c.id).where(AUDIT.c.id.in_(bindparam("ids", expanding=True))), "fixed when compiled"),
        (delete(AUDIT).where(AUDIT.c.id == bindparam("ids")), "return rows"),
    ],
)
def test_a_statement_compiled_per_execution_or_without_rows_is_refused(statement: Any, words: str) -> None:
    with Session(make_engine("sqlite://")) as db, pytest.raises(ValueError, match=words):
        direct.run(db, statement, {"ids": [1, 2]})


def _terminate_own_backend(db: Session) -> None:
    """PostgreSQL ends this session's server process (as a restart or a failover does)."""
    pid = db.execute(text("SELECT pg_backend_pid()")).scalar_one()
    other = make_engine(postgres_url())
    try:
        with other.connect() as conn:
            conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
            conn.commit()
    finally:
        other.dispose()


@pytest.mark.parametrize("call", ["run", "insert_new"])
def test_a_lost_connection_fails_as_sqlalchemy_fails(call: str) -> None:
    """A driver error is wrapped as SQLAlchemy's (so the outage handler answers 503, not 500),
    the lost connection is invalidated (not handed to the next request), and the engine's
    handle_error listeners (the database-error metrics) hear it. insert_new (a push's rows)
    let the bare driver error through before."""
    engine = make_engine(postgres_url())
    errors: list[bool] = []
    event.listen(engine, "handle_error", lambda context: errors.append(context.is_disconnect))
    try:
        with Session(engine) as db:
            _terminate_own_backend(db)
            with pytest.raises(DBAPIError) as raised:
                if call == "run":
                    direct.run(db, _READ, {"id": 1})
                else:
                    bulk.insert_new(db, AUDIT, list(_row()), [tuple(_row().values())], ["id"], ["id"])
            assert raised.value.connection_invalidated
            assert is_database_unavailable(raised.value)
            assert errors == [True]
            db.rollback()
            # The session goes on with a new connection.
            assert db.execute(text("SELECT 1")).scalar_one() == 1
    finally:
        engine.dispose()
