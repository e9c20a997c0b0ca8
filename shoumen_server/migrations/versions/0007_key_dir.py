"""server_keys.secret nullable (secrets move to the key directory); sms_codes.client_hash and
the indexes the per-purpose, per-client and global SMS quotas count with

Revision ID: 0007_key_dir
Revises: 0006_ratelimit
Create Date: 2026-12-03 09:30:00

The secrets themselves are moved by `migrate` (setup_db.migrate_database), which knows the key
directory; this revision only lets the column be empty.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_key_dir"
down_revision = "0006_ratelimit"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("server_keys", schema=None) as batch_op:
        batch_op.alter_column("secret", existing_type=sa.LargeBinary(), nullable=True)
    with op.batch_alter_table("sms_codes", schema=None) as batch_op:
        batch_op.add_column(sa.Column("client_hash", sa.String(length=64), nullable=True))
        batch_op.create_index("ix_sms_codes_purpose_created", ["purpose", "created_at"], unique=False)
        batch_op.create_index("ix_sms_codes_client_created", ["client_hash", "created_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("sms_codes", schema=None) as batch_op:
        batch_op.drop_index("ix_sms_codes_client_created")
        batch_op.drop_index("ix_sms_codes_purpose_created")
        batch_op.drop_column("client_hash")
    # Secrets that moved to the key directory do not come back into the database: the rows get
    # an empty placeholder, and a downgraded server needs them restored by hand.
    op.get_bind().execute(
        sa.text("UPDATE server_keys SET secret = :empty WHERE secret IS NULL"), {"empty": b""}
    )
    with op.batch_alter_table("server_keys", schema=None) as batch_op:
        batch_op.alter_column("secret", existing_type=sa.LargeBinary(), nullable=False)
