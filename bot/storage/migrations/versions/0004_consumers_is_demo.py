"""consumers.is_demo: demo consumers are marked, not recognised by their sender id

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26 09:00:00.000000
"""

from __future__ import annotations

import re

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

# The sender ids the generator gave before this revision: "demo-" and seven digits.
LEGACY_DEMO_SENDER = re.compile(r"demo-[0-9]{7}")


def upgrade() -> None:
    # A constant default ('0' is false on SQLite and PostgreSQL alike) lets SQLite add the
    # column in place; an expression such as sa.false() would make batch mode rebuild
    # consumers, and dropping the old table would cascade to every row that refers to it.
    with op.batch_alter_table("consumers", schema=None, recreate="never") as batch_op:
        batch_op.add_column(sa.Column("is_demo", sa.Boolean(), server_default="0", nullable=False))
    _mark_legacy_demo_consumers()


def _mark_legacy_demo_consumers() -> None:
    """Mark the generator's earlier consumers, so that its next run replaces them as before.

    Only its exact pattern: a consumer who chose "demo-marie" stays a real consumer.
    """
    consumers = sa.table(
        'consumers', sa.column('id', sa.Integer), sa.column('sender_id', sa.String),
        sa.column('is_demo', sa.Boolean),
    )  # fmt: skip
    connection = op.get_bind()
    candidates = connection.execute(
        sa.select(consumers.c.id, consumers.c.sender_id).where(consumers.c.sender_id.like("demo-%"))
    )
    ids = [row.id for row in candidates if LEGACY_DEMO_SENDER.fullmatch(row.sender_id)]
    for start in range(0, len(ids), 500):
        connection.execute(
            consumers.update()
            .where(consumers.c.id.in_(ids[start : start + 500]))
            .values(is_demo=True)
        )


def downgrade() -> None:
    # In place as well (SQLite 3.35+), for the same reason: never rebuild consumers.
    with op.batch_alter_table("consumers", schema=None, recreate="never") as batch_op:
        batch_op.drop_column("is_demo")
