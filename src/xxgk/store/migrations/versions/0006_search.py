"""full-text search index over bodies and reports, filled from what is stored

Revision ID: 0006
Revises: 0003
"""

from __future__ import annotations

from alembic import op

from xxgk.store import search

revision = "0006"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    connection = op.get_bind()
    search.create(connection)
    search.rebuild(connection)


def downgrade() -> None:
    search.drop(op.get_bind())
