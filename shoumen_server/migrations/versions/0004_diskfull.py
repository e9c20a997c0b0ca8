"""server_meta: server_id, this server's identity (made once, never changed; not the epoch)

Revision ID: 0004_diskfull
Revises: 0003_gate
Create Date: 2026-12-03 09:00:00
"""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from alembic import op

revision = "0004_diskfull"
down_revision = "0003_gate"
branch_labels = None
depends_on = None

server_meta = sa.table("server_meta", sa.column("key", sa.String(64)), sa.column("value", sa.Text()))


def upgrade() -> None:
    conn = op.get_bind()
    exists = conn.execute(sa.select(server_meta.c.key).where(server_meta.c.key == "server_id")).first()
    if exists is None:
        op.execute(server_meta.insert().values(key="server_id", value=uuid.uuid4().hex))


def downgrade() -> None:
    op.execute(server_meta.delete().where(server_meta.c.key == "server_id"))
