"""auth_tokens.session_started_at (a login's absolute lifetime) and memberships.staff_name (the
name an owner gave a staff member, instead of that person's own account name)

Revision ID: 0008_ingest_bounds
Revises: 0007_key_dir
Create Date: 2026-12-03 09:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008_ingest_bounds"
down_revision = "0007_key_dir"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("auth_tokens", schema=None) as batch_op:
        batch_op.add_column(sa.Column("session_started_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("memberships", schema=None) as batch_op:
        batch_op.add_column(sa.Column("staff_name", sa.String(length=100), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("memberships", schema=None) as batch_op:
        batch_op.drop_column("staff_name")
    with op.batch_alter_table("auth_tokens", schema=None) as batch_op:
        batch_op.drop_column("session_started_at")
