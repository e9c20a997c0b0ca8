"""venues: approval status (pending / approved / rejected), its reason, who decided and when

New venues start pending; venues that exist before this migration were in use already, so the
data step approves them (with no decider and no time: nobody reviewed them).

Revision ID: 0005_venue_approval
Revises: 0004_diskfull
Create Date: 2026-12-03 09:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_venue_approval"
down_revision = "0004_diskfull"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("venues", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("status", sa.String(length=16), server_default="pending", nullable=False)
        )
        batch_op.add_column(
            sa.Column("status_reason", sa.String(length=200), server_default="", nullable=False)
        )
        batch_op.add_column(sa.Column("status_by_user_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("status_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_foreign_key(
            op.f("fk_venues_status_by_user_id_users"), "users", ["status_by_user_id"], ["id"]
        )
        batch_op.create_index(op.f("ix_venues_region_status"), ["region_code", "status"], unique=False)
    op.execute(sa.text("UPDATE venues SET status = 'approved'"))


def downgrade() -> None:
    with op.batch_alter_table("venues", schema=None) as batch_op:
        batch_op.drop_index(op.f("ix_venues_region_status"))
        batch_op.drop_constraint(op.f("fk_venues_status_by_user_id_users"), type_="foreignkey")
        batch_op.drop_column("status_at")
        batch_op.drop_column("status_by_user_id")
        batch_op.drop_column("status_reason")
        batch_op.drop_column("status")
