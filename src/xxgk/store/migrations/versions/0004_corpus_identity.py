"""one version per report (content identity, sources, reviewers' choices), reports without a
body (待认定), upload jobs

Revision ID: 0004
Revises: 0003

Existing rows: each report gets its content identity (computed from its stored cells and text)
and its file as its first source; reports filed under a body made from their file name
(`（未署名）…`, as earlier versions did) go to the 待认定 queue and those bodies are removed.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

UNSIGNED = "（未署名）"  # the prefix of the bodies earlier versions made from a file's name


# the tables whose rows cascade from a report's: SQLite rebuilds `reports` to change a column,
# and dropping the old table deletes them (foreign keys are on, and cannot be turned off inside
# the migration's transaction), so they are kept aside and put back
CHILDREN = ("cells", "findings")


def upgrade() -> None:
    now = sa.text("(CURRENT_TIMESTAMP)")
    sqlite = op.get_bind().dialect.name == "sqlite"
    if sqlite:
        for table in CHILDREN:
            op.execute(f"CREATE TABLE _keep_{table} AS SELECT * FROM {table}")
    with op.batch_alter_table("reports", schema=None) as batch_op:
        batch_op.alter_column("body_id", existing_type=sa.Integer(), nullable=True)
        batch_op.add_column(sa.Column("content", sa.String(length=64), nullable=True))
        batch_op.create_index(batch_op.f("ix_reports_content"), ["content"], unique=False)
    if sqlite:
        for table in CHILDREN:
            op.execute(f"DELETE FROM {table}")
            op.execute(f"INSERT INTO {table} SELECT * FROM _keep_{table}")
            op.execute(f"DROP TABLE _keep_{table}")

    op.create_table(
        "report_sources",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("path", sa.String(length=1000), nullable=True),
        sa.Column("url", sa.String(length=1000), nullable=True),
        sa.Column("format", sa.String(length=10), nullable=True),
        sa.Column("ingested_at", sa.DateTime(), server_default=now, nullable=False),
        sa.ForeignKeyConstraint(["report_id"], ["reports.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("sha256"),
    )
    with op.batch_alter_table("report_sources", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_report_sources_report_id"), ["report_id"], unique=False)

    op.create_table(
        "version_choices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("body_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("chosen_by", sa.String(length=100), nullable=False),
        sa.Column("why", sa.Text(), nullable=False),
        sa.Column("chosen_at", sa.DateTime(), server_default=now, nullable=False),
        sa.ForeignKeyConstraint(["body_id"], ["bodies.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["report_id"], ["reports.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("version_choices", schema=None) as batch_op:
        batch_op.create_index("ix_version_choices_body_year", ["body_id", "year"], unique=False)
        batch_op.create_index(batch_op.f("ix_version_choices_report_id"), ["report_id"], unique=False)

    op.create_table(
        "jobs",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(), server_default=now, nullable=False),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.Column("body", sa.String(length=200), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "job_files",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("job_id", sa.String(length=32), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("attribution", sa.JSON(), nullable=True),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("message", sa.Text(), nullable=True),
        sa.Column("report_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["job_id"], ["jobs.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["report_id"], ["reports.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("job_files", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_job_files_job_id"), ["job_id"], unique=False)

    _existing_rows()


def _existing_rows() -> None:
    from xxgk.store.identity import content_hash

    bind = op.get_bind()
    reports = sa.table(
        "reports",
        sa.column("id"),
        sa.column("body_id"),
        sa.column("year"),
        sa.column("current"),
        sa.column("content"),
        sa.column("sha256"),
        sa.column("source"),
        sa.column("format"),
        sa.column("ingested_at"),
        sa.column("narrative"),
        sa.column("title"),
        sa.column("agency_printed"),
    )
    cells = sa.table(
        "cells",
        sa.column("report_id"),
        sa.column("table_id"),
        sa.column("row_id"),
        sa.column("column_id"),
        sa.column("value", sa.Numeric(24, 6)),
    )
    bodies = sa.table("bodies", sa.column("id"), sa.column("name"))
    sources = sa.table(
        "report_sources",
        sa.column("report_id"),
        sa.column("sha256"),
        sa.column("path"),
        sa.column("format"),
        sa.column("ingested_at"),
    )
    rows = bind.execute(sa.select(reports)).all()
    for row in rows:
        values = {
            f"{c.table_id}.{c.row_id}.{c.column_id}": c.value
            for c in bind.execute(sa.select(cells).where(cells.c.report_id == row.id))
        }
        content = content_hash(row.year, row.agency_printed, values, row.narrative or "", row.title)
        bind.execute(sa.update(reports).where(reports.c.id == row.id).values(content=content))
        bind.execute(
            sa.insert(sources).values(
                report_id=row.id,
                sha256=row.sha256,
                path=row.source,
                format=row.format,
                ingested_at=row.ingested_at,
            )
        )
    unsigned = [b.id for b in bind.execute(sa.select(bodies).where(bodies.c.name.startswith(UNSIGNED)))]
    if unsigned:
        queued = sa.update(reports).where(reports.c.body_id.in_(unsigned))
        bind.execute(queued.values(body_id=None, current=False))
        bind.execute(sa.delete(bodies).where(bodies.c.id.in_(unsigned)))


def downgrade() -> None:
    op.drop_table("job_files")
    op.drop_table("jobs")
    op.drop_table("version_choices")
    op.drop_table("report_sources")
    bind = op.get_bind()
    bind.execute(sa.text("DELETE FROM reports WHERE body_id IS NULL"))
    sqlite = bind.dialect.name == "sqlite"
    if sqlite:
        for table in CHILDREN:
            op.execute(f"CREATE TABLE _keep_{table} AS SELECT * FROM {table}")
    with op.batch_alter_table("reports", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reports_content"))
        batch_op.drop_column("content")
        batch_op.alter_column("body_id", existing_type=sa.Integer(), nullable=False)
    if sqlite:
        for table in CHILDREN:
            op.execute(f"DELETE FROM {table}")
            op.execute(f"INSERT INTO {table} SELECT * FROM _keep_{table}")
            op.execute(f"DROP TABLE _keep_{table}")
