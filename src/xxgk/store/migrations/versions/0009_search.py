"""full-text search index over bodies and reports, filled from what is stored

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

from alembic import op
from sqlalchemy import text

from xxgk.store import search

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    connection = op.get_bind()
    if connection.dialect.name == "sqlite":  # made as it was then: 0014 makes it anew
        connection.execute(
            text(f"CREATE VIRTUAL TABLE {search.TABLE} USING fts5(kind UNINDEXED, ref_id UNINDEXED, terms)")
        )
    else:
        search.create(connection)
    search.rebuild(connection)


def downgrade() -> None:
    search.drop(op.get_bind())
