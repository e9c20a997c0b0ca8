"""checks: gate_opened and gate_reason (the gate link: every opening traceable)

Revision ID: 0003_gate
Revises: 0002_sync
Create Date: 2026-12-01 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_gate"
down_revision = "0002_sync"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("checks", schema=None) as batch_op:
        batch_op.add_column(sa.Column("gate_opened", sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(
            sa.Column("gate_reason", sa.String(length=200), server_default="", nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("checks", schema=None) as batch_op:
        batch_op.drop_column("gate_reason")
        batch_op.drop_column("gate_opened")
