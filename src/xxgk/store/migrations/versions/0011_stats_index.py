"""an index of the current reports holding the key figures, so statistics read it alone

Revision ID: 0011
Revises: 0010

Ordered by year, then body: `xxgk stats --by year` counts the distinct bodies of each year as
the index hands them over, already sorted, and the statistics need not read the reports table.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

COLUMNS = [
    "year", "body_id", "received", "granted", "partly_granted", "processed", "reviews",
    "reviews_corrected", "suits", "suits_corrected", "errors",
]  # fmt: skip


def upgrade() -> None:
    with op.batch_alter_table("reports", schema=None) as batch_op:
        batch_op.create_index(
            "ix_reports_stats",
            COLUMNS,
            unique=False,
            postgresql_where=sa.text("current"),
            sqlite_where=sa.text("current = 1"),
        )


def downgrade() -> None:
    with op.batch_alter_table("reports", schema=None) as batch_op:
        batch_op.drop_index("ix_reports_stats")
