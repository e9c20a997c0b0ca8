"""rate_buckets (lookup rate limits) and lookup_watch (per venue-day lookup figures for the
enumeration alert)

Revision ID: 0006_ratelimit
Revises: 0005_venue_approval
Create Date: 2026-12-03 09:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_ratelimit"
down_revision = "0005_venue_approval"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "rate_buckets",
        sa.Column("key", sa.String(length=96), nullable=False),
        sa.Column("tokens", sa.Float(), nullable=False),
        sa.Column("stamp", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_rate_buckets")),
    )
    op.create_table(
        "lookup_watch",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("venue_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("lookups", sa.Integer(), nullable=False),
        sa.Column("documents", sa.Integer(), nullable=False),
        sa.Column("unknown", sa.Integer(), nullable=False),
        sa.Column("sequential", sa.Integer(), nullable=False),
        sa.Column("limited", sa.Integer(), nullable=False),
        sa.Column("last_prefix", sa.String(length=32), nullable=True),
        sa.Column("last_seq", sa.Integer(), nullable=True),
        sa.Column("last_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["venue_id"],
            ["venues.id"],
            name=op.f("fk_lookup_watch_venue_id_venues"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lookup_watch")),
        sa.UniqueConstraint("venue_id", "day", name=op.f("uq_lookup_watch_venue_id")),
    )
    op.create_index("ix_lookup_watch_day", "lookup_watch", ["day"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_lookup_watch_day", table_name="lookup_watch")
    op.drop_table("lookup_watch")
    op.drop_table("rate_buckets")
