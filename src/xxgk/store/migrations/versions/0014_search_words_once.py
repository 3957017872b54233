"""the search index keeps each word of a text once, and on SQLite not where it is (FTS5 detail=none)

Revision ID: 0014
Revises: 0013

A hit holds every word of a query; PostgreSQL's tsvector of a text's words always held each once,
with no positions. SQLite's FTS5 table kept every occurrence and its position, and cut the words
again at its own separators: a fifth of storing a report in bulk. Its table is made again as
`search.create` makes it now (each word whole, detail=none) and filled from the old one, each
text's words once. On PostgreSQL nothing changes: the terms written from now on hold each word
once, the tsvector is the same either way.
"""

from __future__ import annotations

from collections.abc import Callable

from alembic import op
from sqlalchemy import Connection, text

from xxgk.store import search

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

BATCH = 1000  # rows copied at a time


def _old(bind: Connection, table: str) -> None:
    bind.execute(text(f"CREATE VIRTUAL TABLE {table} USING fts5(kind UNINDEXED, ref_id UNINDEXED, terms)"))


def _remake(bind: Connection, create: Callable[[Connection, str], None], once: bool) -> None:
    """The SQLite index made again by `create` and filled from the old one, each text's words
    once if `once`."""
    new = f"{search.TABLE}_new"
    create(bind, new)
    copied = text(
        f"SELECT rowid, kind, ref_id, terms FROM {search.TABLE}"
        f" WHERE rowid > :last ORDER BY rowid LIMIT {BATCH}"
    )
    insert = text(f"INSERT INTO {new} (rowid, kind, ref_id, terms) VALUES (:rowid, :kind, :ref_id, :terms)")
    last = 0
    while rows := bind.execute(copied, {"last": last}).all():
        bind.execute(
            insert,
            [
                {
                    "rowid": rowid,
                    "kind": kind,
                    "ref_id": ref_id,
                    "terms": " ".join(dict.fromkeys(terms.split(" "))) if once else terms,
                }
                for rowid, kind, ref_id, terms in rows
            ],
        )
        last = rows[-1][0]
    bind.execute(text(f"DROP TABLE {search.TABLE}"))
    bind.execute(text(f"ALTER TABLE {new} RENAME TO {search.TABLE}"))


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        _remake(bind, search.create, once=True)


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        _remake(bind, _old, once=False)
