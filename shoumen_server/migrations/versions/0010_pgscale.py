"""checks: partitioned by day on PostgreSQL (primary key (id, day), a partition per local day,
a DEFAULT partition), with check_ids (id primary key, day) keeping a check's id unique across
the partitions; nothing on SQLite. See shoumen_server/partitions.py.

The existing table is converted in one transaction: a partitioned table is made beside it with
the same columns, partitions for every day it holds plus today-7 … today+7 and the default one,
the rows are copied, the old table dropped, the new one renamed, and then the primary key, the
foreign key and the indexes (the partial abnormal index too) built on the loaded partitions
(faster than maintaining them row by row). It holds the checks table for the copy: on a large
database run `migrate` in a maintenance window.

Revision ID: 0010_pgscale
Revises: 0009_gate16a
Create Date: 2026-12-03 09:40:00
"""

from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa
from alembic import op

from shoumen_core.timeutil import local_day, utcnow
from shoumen_server import partitions

revision = "0010_pgscale"
down_revision = "0009_gate16a"
branch_labels = None
depends_on = None

NOT_PASS = "level <> 'pass'"


def _indexes(conn: sa.Connection) -> None:
    conn.execute(sa.text("CREATE INDEX ix_checks_day ON checks (day)"))
    conn.execute(sa.text("CREATE INDEX ix_checks_venue_day_level ON checks (venue_id, day, level)"))
    conn.execute(sa.text("CREATE INDEX ix_checks_venue_day_user ON checks (venue_id, day, user_id)"))
    conn.execute(
        sa.text(
            "CREATE INDEX ix_checks_venue_day_abnormal ON checks (venue_id, day, checked_at, id) "
            f"WHERE {NOT_PASS}"
        )
    )
    conn.execute(
        sa.text(
            "ALTER TABLE checks ADD CONSTRAINT fk_checks_venue_id_venues FOREIGN KEY (venue_id) "
            "REFERENCES venues (id) ON DELETE CASCADE"
        )
    )


def upgrade() -> None:
    conn = op.get_bind()
    if conn.dialect.name != "postgresql" or partitions.is_partitioned(conn):
        return
    conn.execute(sa.text("CREATE TABLE checks_new (LIKE checks INCLUDING DEFAULTS) PARTITION BY RANGE (day)"))
    conn.execute(sa.text("ALTER TABLE checks RENAME TO checks_plain"))
    conn.execute(sa.text("ALTER TABLE checks_new RENAME TO checks"))
    today = local_day(utcnow())
    days: set[date] = {
        today + timedelta(days=n) for n in range(-partitions.DAYS_BEHIND, partitions.DAYS_AHEAD + 1)
    }
    days |= set(conn.execute(sa.text("SELECT DISTINCT day FROM checks_plain")).scalars())
    for day in sorted(days):
        partitions.create_partition(conn, day)
    partitions.create_default_partition(conn)
    conn.execute(sa.text("INSERT INTO checks SELECT * FROM checks_plain"))
    conn.execute(sa.text("DROP TABLE checks_plain"))  # its pk_checks, fk and indexes go with it
    conn.execute(sa.text("ALTER TABLE checks ADD CONSTRAINT pk_checks PRIMARY KEY (id, day)"))
    _indexes(conn)
    conn.execute(sa.text("CREATE TABLE check_ids (id uuid NOT NULL, day date NOT NULL)"))
    conn.execute(sa.text("INSERT INTO check_ids SELECT id, day FROM checks"))
    conn.execute(sa.text("ALTER TABLE check_ids ADD CONSTRAINT pk_check_ids PRIMARY KEY (id)"))
    conn.execute(sa.text("CREATE INDEX ix_check_ids_day ON check_ids (day)"))


def downgrade() -> None:
    conn = op.get_bind()
    if conn.dialect.name != "postgresql" or not partitions.is_partitioned(conn):
        return
    conn.execute(sa.text("DROP TABLE IF EXISTS check_ids"))
    conn.execute(sa.text("CREATE TABLE checks_plain (LIKE checks INCLUDING DEFAULTS)"))
    # One row per id, as the plain table's key demands (the first stored wins, as in ingest).
    conn.execute(
        sa.text("INSERT INTO checks_plain SELECT DISTINCT ON (id) * FROM checks ORDER BY id, received_at")
    )
    conn.execute(sa.text("DROP TABLE checks"))  # the partitions go with it
    conn.execute(sa.text("ALTER TABLE checks_plain RENAME TO checks"))
    conn.execute(sa.text("ALTER TABLE checks ADD CONSTRAINT pk_checks PRIMARY KEY (id)"))
    _indexes(conn)
