"""studio audit files: which content files each studio edit changed, before and after

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-30 07:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A nullable column added in place: nothing is rebuilt, so nothing cascades on SQLite.
    with op.batch_alter_table("studio_audit", schema=None, recreate="never") as batch_op:
        batch_op.add_column(sa.Column("files", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("studio_audit", schema=None, recreate="never") as batch_op:
        batch_op.drop_column("files")
