"""studio: marketers' accounts, inbox decisions and the audit log of Merci Studio

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30 04:10:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # New tables only: nothing is rebuilt, so nothing cascades on SQLite.
    op.create_table(
        "studio_users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_studio_users")),
        sa.UniqueConstraint("name", name=op.f("uq_studio_users_name")),
    )
    op.create_table(
        "studio_inbox_decisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("group_key", sa.String(length=64), nullable=False),
        sa.Column("decision", sa.String(length=16), nullable=False),
        sa.Column("intent", sa.String(length=80), nullable=True),
        sa.Column("decided_by", sa.String(length=80), nullable=False),
        sa.Column("decided_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_studio_inbox_decisions")),
        sa.UniqueConstraint("group_key", name=op.f("uq_studio_inbox_decisions_group_key")),
    )
    op.create_table(
        "studio_audit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("user_name", sa.String(length=80), nullable=False),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_studio_audit")),
    )
    with op.batch_alter_table("studio_audit", schema=None, recreate="never") as batch_op:
        batch_op.create_index(batch_op.f("ix_studio_audit_at"), ["at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("studio_audit", schema=None, recreate="never") as batch_op:
        batch_op.drop_index(batch_op.f("ix_studio_audit_at"))
    op.drop_table("studio_audit")
    op.drop_table("studio_inbox_decisions")
    op.drop_table("studio_users")
