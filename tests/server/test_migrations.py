"""Migrations are the only way the schema changes: they must build exactly the models' schema,
go down and up again, and be skipped cheaply when the database is already at the head."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.exc import IntegrityError

from shoumen_server import migrate
from shoumen_server.db import Base, make_engine
from shoumen_server.identity import SERVER_ID_SHAPE
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


# --- an empty SQLite database created at the head (the embedded backend's first start) --------


def _split_top_level(body: str) -> list[str]:
    """The comma-separated parts of a CREATE TABLE body (commas inside parentheses or quotes
    do not split)."""
    parts: list[str] = []
    depth, quote, current = 0, "", []
    for char in body:
        if quote:
            quote = "" if char == quote else quote
        elif char in "'\"":
            quote = char
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == "," and depth == 0:
            parts.append("".join(current).strip())
            current = []
            continue
        current.append(char)
    parts.append("".join(current).strip())
    return parts


_CONSTRAINT_WORDS = ("CONSTRAINT ", "PRIMARY KEY", "UNIQUE ", "FOREIGN KEY", "CHECK ")


def _sqlite_schema(path: Path) -> dict[str, object]:
    """Everything of a SQLite schema that can differ in meaning: per table its columns in order
    (as declared and as PRAGMA table_xinfo reads them) and its constraints (as a set: their
    order in CREATE TABLE means nothing), foreign keys, each index's exact SQL and columns,
    triggers and views verbatim; and the rows the schema comes with."""
    conn = sqlite3.connect(path)
    try:
        schema: dict[str, object] = {"user_version": conn.execute("PRAGMA user_version").fetchone()}
        for kind, name, table, sql in conn.execute(
            "SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name"
        ):
            if kind == "table":
                head, body = sql.split("(", 1)
                assert head.split()[:2] == ["CREATE", "TABLE"], sql
                parts = _split_top_level(body.rsplit(")", 1)[0])
                columns = [part for part in parts if not part.upper().startswith(_CONSTRAINT_WORDS)]
                constraints = sorted(part for part in parts if part.upper().startswith(_CONSTRAINT_WORDS))
                schema[f"table {name}"] = {
                    "columns": columns,
                    "constraints": constraints,
                    "xinfo": conn.execute(f'PRAGMA table_xinfo("{name}")').fetchall(),
                    # without the id, the key's place in CREATE TABLE (means nothing)
                    "foreign keys": sorted(
                        row[1:] for row in conn.execute(f'PRAGMA foreign_key_list("{name}")')
                    ),
                    "rows": conn.execute(f'SELECT count(*) FROM "{name}"').fetchone(),
                }
            elif kind == "index":
                xinfo = conn.execute(f'PRAGMA index_xinfo("{name}")').fetchall()
                [(unique, origin, partial)] = [
                    row[2:] for row in conn.execute(f'PRAGMA index_list("{table}")') if row[1] == name
                ]
                # A UNIQUE/PRIMARY KEY constraint's automatic index is named by the constraint's
                # place in CREATE TABLE (sqlite_autoindex_T_N), which means nothing: key it by
                # its columns. Every other index by its name, with its exact SQL.
                key = name if sql is not None else f"{table} {[row[2] for row in xinfo]}"
                schema[f"index {key}"] = {
                    "table": table,
                    "sql": sql,
                    "unique, origin, partial": (unique, origin, partial),
                    "xinfo": [row[1:] for row in xinfo],  # (column number, name, desc, collation, key)
                }
            else:  # trigger, view
                schema[f"{kind} {name}"] = (table, sql)
        schema["alembic_version"] = conn.execute("SELECT version_num FROM alembic_version").fetchall()
        schema["server_meta keys"] = conn.execute("SELECT key FROM server_meta ORDER BY key").fetchall()
        schema["server_keys"] = conn.execute(
            "SELECT kind, active, secret IS NULL FROM server_keys ORDER BY kind, key_id"
        ).fetchall()
        return schema
    finally:
        conn.close()


def test_an_empty_sqlite_database_created_at_the_head_is_the_migrated_schema(tmp_path: Path) -> None:
    migrated, created = tmp_path / "migrated.db", tmp_path / "created.db"
    migrate_database(f"sqlite:///{migrated}", key_dir=tmp_path / "migrated-keys")
    migrate_database(f"sqlite:///{created}", key_dir=tmp_path / "created-keys", create_empty=True)
    expected, actual = _sqlite_schema(migrated), _sqlite_schema(created)
    # A difference here: declare the models as the migrations leave the tables (a column a
    # migration adds goes last in its model), or drop create_empty from the embedded backend.
    assert actual == expected
    assert len([key for key in expected if key.startswith("table ")]) == len(Base.metadata.tables) + 1
    # The inserted server_id is this database's own (a fresh random one, the shape 0004 makes).
    conn = sqlite3.connect(created)
    try:
        [(server_id,)] = conn.execute("SELECT value FROM server_meta WHERE key = 'server_id'").fetchall()
    finally:
        conn.close()
    assert SERVER_ID_SHAPE.fullmatch(server_id)
    engine = make_engine(f"sqlite:///{created}")
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"include_name": include_name})
            assert compare_metadata(context, Base.metadata) == []
    finally:
        engine.dispose()


def test_an_empty_sqlite_database_is_created_at_the_head_without_alembic(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_alembic(url: str, revision: str = "head") -> None:
        raise AssertionError("Alembic ran on an empty database")

    monkeypatch.setattr(migrate, "upgrade", no_alembic)
    url = f"sqlite:///{tmp_path / 'x.db'}"
    migrate_database(url, create_empty=True)
    engine = make_engine(url)
    try:
        assert migrate.current_revision(engine) == migrate.head_revision()
    finally:
        engine.dispose()


def test_a_sqlite_database_with_tables_is_migrated_by_alembic_even_with_create_empty(
    database_url: str, key_dir: Path
) -> None:
    migrate.downgrade(database_url, "0010_pgscale")
    engine = make_engine(database_url)
    try:
        assert migrate.create_at_head(engine) is False  # tables there: never created over them
        migrate_database(database_url, key_dir=key_dir, create_empty=True)
        assert migrate.current_revision(engine) == migrate.head_revision()
    finally:
        engine.dispose()


def test_a_failed_creation_at_the_head_leaves_the_sqlite_file_empty(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The last step fails: the tables created before it must go too, so the next start finds an
    # empty file and creates it again (a half-made schema without a version would send it to
    # Alembic, which would fail on the existing tables).
    from shoumen_server import identity

    monkeypatch.setattr(identity, "SERVER_ID_KEY", None)  # NOT NULL: the insert fails
    engine = make_engine(f"sqlite:///{tmp_path / 'x.db'}")
    try:
        with pytest.raises(IntegrityError):
            migrate.create_at_head(engine)
        with engine.connect() as conn:
            assert inspect(conn).get_table_names() == []
        monkeypatch.undo()
        assert migrate.create_at_head(engine) is True
        assert migrate.current_revision(engine) == migrate.head_revision()
    finally:
        engine.dispose()
