"""anomalies.no_phone_reason: why a FAQ 6 registration (no smartphone, no ID number) gives no
phone (issue 16 §4)

Revision ID: 0009_gate16a
Revises: 0008_ingest_bounds
Create Date: 2026-12-03 13:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009_gate16a"
down_revision = "0008_ingest_bounds"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("anomalies", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("no_phone_reason", sa.String(length=500), nullable=False, server_default="")
        )


def downgrade() -> None:
    with op.batch_alter_table("anomalies", schema=None) as batch_op:
        batch_op.drop_column("no_phone_reason")
