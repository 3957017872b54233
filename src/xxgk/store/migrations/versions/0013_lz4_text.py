"""the long texts of reports and of the search index compressed with lz4 (PostgreSQL)

Revision ID: 0013
Revises: 0012

A report's narrative (some 4 KB) and its words for search (the terms, some 7 KB, and their
tsvector) are past PostgreSQL's threshold for compression, and were compressed with pglz: in a
bulk load, the server's time on them is a fifth of a report's. lz4 compresses as well here and
several times faster; reports.cells has used it since 0012. Only values written from now on are
compressed so (those stored are read either way). Nothing changes on SQLite, or on a server built
without lz4.
"""

from __future__ import annotations

from alembic import op

from xxgk.store.db import has_lz4

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

COLUMNS = (("reports", "narrative"), ("search_index", "terms"), ("search_index", "tsv"))


def _compress(method: str) -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql" or not has_lz4(bind):
        return
    for table, column in COLUMNS:
        op.execute(f"ALTER TABLE {table} ALTER COLUMN {column} SET COMPRESSION {method}")


def upgrade() -> None:
    _compress("lz4")


def downgrade() -> None:
    _compress("pglz")
