"""Runs the Alembic migrations: the only way the schema changes.

Alembic itself is imported only when there is something to migrate: the app's embedded
backend checks the schema on every start, and importing Alembic costs ~0.4 s of cold start.
An empty SQLite database (the embedded backend's first start) is created at the head directly
(create_at_head): what Alembic's docs recommend for a new database, without importing Alembic.
"""

from __future__ import annotations

import re
import uuid
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Column, Engine, MetaData, PrimaryKeyConstraint, String, Table, insert, inspect, text

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
_REVISION = re.compile(r"^revision\s*=\s*['\"]([^'\"]+)['\"]", re.MULTILINE)
_DOWN = re.compile(r"^down_revision\s*=\s*(None|['\"]([^'\"]+)['\"])", re.MULTILINE)


def alembic_config(url: str) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


@cache
def head_revision() -> str:
    """The newest revision, read from the migration files (one linear history)."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in (MIGRATIONS / "versions").glob("*.py"):
        source = path.read_text(encoding="utf-8")
        revision = _REVISION.search(source)
        if revision is None:
            continue
        revisions.add(revision.group(1))
        down = _DOWN.search(source)
        if down is not None and down.group(2):
            parents.add(down.group(2))
    heads = revisions - parents
    if len(heads) != 1:
        raise RuntimeError(f"migrations must have exactly one head, found {sorted(heads)}")
    return heads.pop()


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return None
        return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


# Alembic's own version table, as `alembic stamp` creates it (alembic.runtime.migration); the
# tests compare the DDL with a migrated database's.
_VERSION_TABLE = Table(
    "alembic_version",
    MetaData(),
    Column("version_num", String(32), nullable=False),
    PrimaryKeyConstraint("version_num", name="alembic_version_pkc"),
)


def create_at_head(engine: Engine) -> bool:
    """Create an EMPTY SQLite database at the head revision: the models' tables, Alembic's version
    row, and the one row the migrations insert into an empty database (server_id, 0004). Returns
    False, having done nothing, on another database or when the file has any table.

    tests/server/test_migrations.py proves the result identical to `upgrade` on SQLite (tables,
    column order, indexes, constraints, triggers, rows): ~0.1 s instead of ~0.4 s plus Alembic's
    import on the embedded backend's first start. PostgreSQL is always migrated (0010 partitions
    `checks`, which the models do not describe).
    """
    if engine.dialect.name != "sqlite":
        return False
    from shoumen_server.db import Base
    from shoumen_server.identity import SERVER_ID_KEY
    from shoumen_server.models import ServerMeta

    # pysqlite runs DDL outside any transaction; BEGIN IMMEDIATE ourselves makes the whole
    # creation one transaction (a crash leaves the file empty, so the next start creates it
    # again) and takes the write lock before the file is seen empty.
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("BEGIN IMMEDIATE")
        try:
            if inspect(conn).get_table_names():
                conn.exec_driver_sql("ROLLBACK")
                return False
            Base.metadata.create_all(conn, checkfirst=False)
            _VERSION_TABLE.create(conn)
            conn.execute(_VERSION_TABLE.insert().values(version_num=head_revision()))
            conn.execute(insert(ServerMeta).values(key=SERVER_ID_KEY, value=uuid.uuid4().hex))
        except BaseException:
            conn.exec_driver_sql("ROLLBACK")
            raise
        conn.exec_driver_sql("COMMIT")
    return True


def upgrade(url: str, revision: str = "head") -> None:
    from alembic import command

    command.upgrade(alembic_config(url), revision)


def downgrade(url: str, revision: str) -> None:
    from alembic import command

    command.downgrade(alembic_config(url), revision)
