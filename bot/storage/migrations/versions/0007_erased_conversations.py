"""erased conversations: the tracker store never writes an erased conversation back

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30 03:30:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A new table only: nothing is rebuilt, so nothing cascades on SQLite.
    op.create_table(
        "erased_conversations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sender_hash", sa.String(length=64), nullable=False),
        sa.Column("erased_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_erased_conversations")),
    )
    with op.batch_alter_table("erased_conversations", schema=None, recreate="never") as batch_op:
        batch_op.create_index(
            batch_op.f("ix_erased_conversations_sender_hash"), ["sender_hash"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("erased_conversations", schema=None, recreate="never") as batch_op:
        batch_op.drop_index(batch_op.f("ix_erased_conversations_sender_hash"))
    op.drop_table("erased_conversations")
