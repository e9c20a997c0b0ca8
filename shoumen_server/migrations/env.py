"""Alembic environment: the URL comes from the Config (set by shoumen_server.migrate)."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from shoumen_server import models  # noqa: F401  (registers the tables)
from shoumen_server.db import Base, make_engine
from shoumen_server.partitions import include_name

config = context.config
target_metadata = Base.metadata


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        include_name=include_name,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    _run(connection)
else:
    engine = make_engine(config.get_main_option("sqlalchemy.url") or "")
    with engine.connect() as conn:
        _run(conn)
    engine.dispose()
