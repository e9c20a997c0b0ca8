"""Bringing a database to the current schema with its keys: what `migrate` does."""

from __future__ import annotations

import logging
from datetime import datetime
from pathlib import Path

from sqlalchemy import Engine, text

from shoumen_core.timeutil import utcnow
from shoumen_server import migrate
from shoumen_server.db import make_engine, make_session_factory, session_scope
from shoumen_server.keys import ensure_keys, move_secrets_out, provider_for, require_secrets

log = logging.getLogger("shoumen.server.setup")


def migrate_database(
    url: str,
    now: datetime | None = None,
    key_dir: str | Path | None = None,
    *,
    create_empty: bool = False,
) -> None:
    """Upgrade to the head revision (skipping Alembic when already there), move any secrets
    still in the database out to the key directory, and create any missing keys there.

    `key_dir` defaults to the folder beside a SQLite file (keys.default_key_dir); it is made
    (0700) when missing. create_empty: an empty SQLite file is created at the head without
    Alembic (migrate.create_at_head; the embedded backend's first start) — the same schema."""
    provider = provider_for(url, key_dir)
    provider.prepare()
    engine = make_engine(url)
    try:
        if migrate.current_revision(engine) != migrate.head_revision() and not (
            create_empty and migrate.create_at_head(engine)
        ):
            migrate.upgrade(url)
        with session_scope(make_session_factory(engine)) as session:
            moved = move_secrets_out(session, provider)
            if moved:
                log.info("moved %d key secrets from the database to %s", moved, provider.directory)
            ensure_keys(session, now or utcnow(), provider)
            require_secrets(session, provider)
        if moved:
            _scrub_free_space(engine)
    finally:
        engine.dispose()


def _scrub_free_space(engine: Engine) -> None:
    """The cleared secrets must not survive in the database's free pages (SQLite) or dead row
    versions (PostgreSQL), where a copy of the files would still find them."""
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        if engine.dialect.name == "sqlite":
            conn.execute(text("VACUUM"))
            conn.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
        else:
            conn.execute(text("VACUUM FULL server_keys"))
