"""enrolments and devices: 设备绑定 (issue 18 §1) — a station enrols with an owner's short-lived
code and runs on a device credential scoped to one venue and checkpoint.

Revision ID: 0011_devices
Revises: 0010_pgscale
Create Date: 2026-12-03 15:50:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

UTCDateTime = sa.DateTime(timezone=True)

revision = "0011_devices"
down_revision = "0010_pgscale"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "enrolments",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("venue_id", sa.Integer(), sa.ForeignKey("venues.id", ondelete="CASCADE"), nullable=False),
        sa.Column(
            "checkpoint_id", sa.Integer(), sa.ForeignKey("checkpoints.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("name", sa.String(length=30), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False, unique=True),
        sa.Column(
            "created_by_user_id", sa.Integer(), sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("expires_at", UTCDateTime, nullable=False),
        sa.Column("used_at", UTCDateTime, nullable=True),
        sa.Column("device_id", sa.Integer(), nullable=True),
    )
    op.create_index("ix_enrolments_venue_id", "enrolments", ["venue_id"])
    op.create_table(
        "devices",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("venue_id", sa.Integer(), sa.ForeignKey("venues.id", ondelete="CASCADE"), nullable=False),
        sa.Column(
            "checkpoint_id", sa.Integer(), sa.ForeignKey("checkpoints.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("name", sa.String(length=30), nullable=False),
        sa.Column("credential_hash", sa.String(length=64), nullable=False, unique=True),
        sa.Column("previous_hash", sa.String(length=64), nullable=True, unique=True),
        sa.Column("previous_until", UTCDateTime, nullable=True),
        sa.Column(
            "created_by_user_id", sa.Integer(), sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("rotated_at", UTCDateTime, nullable=False),
        sa.Column("last_seen_at", UTCDateTime, nullable=True),
        sa.Column("app_version", sa.String(length=32), nullable=False),
        sa.Column("pending_checks", sa.Integer(), nullable=False),
        sa.Column("revoked_at", UTCDateTime, nullable=True),
        sa.Column("revoked_by_user_id", sa.Integer(), nullable=True),
    )
    op.create_index("ix_devices_venue_id", "devices", ["venue_id"])


def downgrade() -> None:
    op.drop_index("ix_devices_venue_id", table_name="devices")
    op.drop_table("devices")
    op.drop_index("ix_enrolments_venue_id", table_name="enrolments")
    op.drop_table("enrolments")
