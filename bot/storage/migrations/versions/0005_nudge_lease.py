"""nudges.claimed_until: a claim is a lease, so a nudge held by a crashed scheduler is fired later

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-27 09:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A nullable column without a default: SQLite adds it in place. recreate="never" keeps
    # batch mode from ever rebuilding nudges (see 0004 for why a rebuild is dangerous).
    # Rows claimed before this revision keep a NULL lease: never claimed again, as promised.
    with op.batch_alter_table("nudges", schema=None, recreate="never") as batch_op:
        batch_op.add_column(sa.Column("claimed_until", sa.DateTime(), nullable=True))


def downgrade() -> None:
    # In place as well (SQLite 3.35+), for the same reason: never rebuild nudges.
    with op.batch_alter_table("nudges", schema=None, recreate="never") as batch_op:
        batch_op.drop_column("claimed_until")
