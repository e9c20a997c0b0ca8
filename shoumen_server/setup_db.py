"""Bringing a database to the current schema with its keys: what `migrate` does."""

from __future__ import annotations

from datetime import datetime

from shoumen_core.timeutil import utcnow
from shoumen_server import migrate
from shoumen_server.db import make_engine, make_session_factory, session_scope
from shoumen_server.keys import ensure_keys


def migrate_database(url: str, now: datetime | None = None) -> None:
    """Upgrade to the head revision (skipping Alembic when already there) and create any
    missing keys."""
    engine = make_engine(url)
    try:
        if migrate.current_revision(engine) != migrate.head_revision():
            migrate.upgrade(url)
        with session_scope(make_session_factory(engine)) as session:
            ensure_keys(session, now or utcnow())
    finally:
        engine.dispose()
