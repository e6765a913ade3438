"""review product id: reviews point to the product in the brand's catalogue

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30 04:30:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A nullable column and an index: no table rebuild, existing reviews keep no id.
    with op.batch_alter_table("reviews", schema=None, recreate="never") as batch_op:
        batch_op.add_column(sa.Column("product_id", sa.String(length=255), nullable=True))
        batch_op.create_index(batch_op.f("ix_reviews_product_id"), ["product_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("reviews", schema=None, recreate="never") as batch_op:
        batch_op.drop_index(batch_op.f("ix_reviews_product_id"))
        batch_op.drop_column("product_id")
