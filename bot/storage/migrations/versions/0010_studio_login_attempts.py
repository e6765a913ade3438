"""studio login attempts: failed logins kept in the database, shared by every studio process

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-30 06:50:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A new table only: nothing is rebuilt, so nothing cascades on SQLite.
    op.create_table(
        "studio_login_attempts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_studio_login_attempts")),
    )
    with op.batch_alter_table("studio_login_attempts", schema=None, recreate="never") as batch_op:
        batch_op.create_index(batch_op.f("ix_studio_login_attempts_key_hash"), ["key_hash"])
        batch_op.create_index(batch_op.f("ix_studio_login_attempts_at"), ["at"])


def downgrade() -> None:
    with op.batch_alter_table("studio_login_attempts", schema=None, recreate="never") as batch_op:
        batch_op.drop_index(batch_op.f("ix_studio_login_attempts_at"))
        batch_op.drop_index(batch_op.f("ix_studio_login_attempts_key_hash"))
    op.drop_table("studio_login_attempts")
