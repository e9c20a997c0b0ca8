"""checks: partial index for the abnormal drill-down

Revision ID: 0002_sync
Revises: 0001
Create Date: 2026-11-26 18:25:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_sync"
down_revision = "0001"
branch_labels = None
depends_on = None

NOT_PASS = sa.text("level <> 'pass'")


def upgrade() -> None:
    with op.batch_alter_table("checks", schema=None) as batch_op:
        batch_op.create_index(
            "ix_checks_venue_day_abnormal",
            ["venue_id", "day", "checked_at", "id"],
            unique=False,
            postgresql_where=NOT_PASS,
            sqlite_where=NOT_PASS,
        )


def downgrade() -> None:
    with op.batch_alter_table("checks", schema=None) as batch_op:
        batch_op.drop_index("ix_checks_venue_day_abnormal")
