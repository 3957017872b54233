"""full-text search index over bodies and reports, filled from what is stored

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

from alembic import op

from xxgk.store import search

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    connection = op.get_bind()
    search.create(connection)
    search.rebuild(connection)


def downgrade() -> None:
    search.drop(op.get_bind())
