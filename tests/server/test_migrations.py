"""Migrations are the only way the schema changes: they must build exactly the models' schema,
go down and up again, and be skipped cheaply when the database is already at the head."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from shoumen_server import migrate
from shoumen_server.db import Base, make_engine
from shoumen_server.partitions import include_name
from shoumen_server.setup_db import migrate_database


def test_migrations_build_the_models_schema(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"include_name": include_name})
            diff = compare_metadata(context, Base.metadata)
        assert diff == []
        assert migrate.current_revision(engine) == migrate.head_revision()
    finally:
        engine.dispose()


def test_downgrade_to_base_and_up_again(database_url: str, key_dir: Path) -> None:
    migrate.downgrade(database_url, "base")
    engine = make_engine(database_url)
    try:
        assert migrate.current_revision(engine) is None
        migrate_database(database_url, key_dir=key_dir)
        assert migrate.current_revision(engine) == migrate.head_revision()
    finally:
        engine.dispose()


def test_head_revision_matches_alembic() -> None:
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(migrate.alembic_config("sqlite://"))
    assert [migrate.head_revision()] == list(script.get_heads())


def test_a_current_database_is_not_migrated_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    url = f"sqlite:///{tmp_path / 'x.db'}"
    migrate_database(url)
    calls: list[str] = []
    monkeypatch.setattr(migrate, "upgrade", lambda u, r="head": calls.append(u))
    migrate_database(url)
    assert calls == []
