"""the tables of a locked year as compiled when it was locked (register_locks.snapshot), so a
report compiled after an amendment shows what changed against the locked one

Revision ID: 0010
Revises: 0009
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("register_locks", schema=None) as batch_op:
        batch_op.add_column(sa.Column("snapshot", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("register_locks", schema=None) as batch_op:
        batch_op.drop_column("snapshot")
