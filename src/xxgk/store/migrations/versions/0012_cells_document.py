"""a report's cells as one JSON document on its row (reports.cells), not a row a cell

Revision ID: 0012
Revises: 0011

The document is the JSON contract's `cells`: {cell id: {value, text, source, ambiguous, missing}}
(xxgk.model.Cell.to_dict), the shape `xxgk parse --out` writes. Cells are always read a report
at a time, and one row a report is written ten times faster than two hundred.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from alembic import op

from xxgk.store.db import has_lz4

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

BATCH = 500  # reports a query

reports = sa.table("reports", sa.column("id", sa.Integer), sa.column("cells", sa.JSON))


def _cells_table(metadata: sa.MetaData) -> sa.Table:
    return sa.Table(
        "cells",
        metadata,
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("table_id", sa.String(length=20), nullable=False),
        sa.Column("row_id", sa.String(length=40), nullable=False),
        sa.Column("column_id", sa.String(length=40), nullable=False),
        sa.Column("value", sa.Numeric(precision=24, scale=6), nullable=True),
        sa.Column("text", sa.String(length=100), nullable=True),
        sa.Column("provenance", sa.JSON(), nullable=True),
        sa.Column("found", sa.Boolean(), nullable=False),
        sa.Column("ambiguous", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["report_id"], ["reports.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("report_id", "table_id", "row_id", "column_id"),
    )


def _number(value: Decimal | None) -> int | float | None:
    """As the JSON contract writes a value (xxgk.model.json_value)."""
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def _batches(bind: sa.Connection) -> list[list[int]]:
    ids = list(bind.scalars(sa.select(reports.c.id).order_by(reports.c.id)))
    return [ids[start : start + BATCH] for start in range(0, len(ids), BATCH)]


def upgrade() -> None:
    with op.batch_alter_table("reports", schema=None) as batch_op:
        batch_op.add_column(sa.Column("cells", sa.JSON(), nullable=True))
    bind = op.get_bind()
    if bind.dialect.name == "postgresql" and has_lz4(bind):
        # compressed with lz4 rather than pglz: a bulk load's server time a tenth shorter
        op.execute("ALTER TABLE reports ALTER COLUMN cells SET COMPRESSION lz4")
    cells = _cells_table(sa.MetaData())
    for ids in _batches(bind):
        documents: dict[int, dict[str, Any]] = {i: {} for i in ids}
        query = sa.select(cells).where(cells.c.report_id.in_(ids))
        for c in bind.execute(query.order_by(cells.c.report_id)):
            cell: dict[str, Any] = {"value": _number(c.value), "text": c.text}
            if c.provenance is not None:
                cell["source"] = c.provenance
            if c.ambiguous:
                cell["ambiguous"] = True
            if not c.found:
                cell["missing"] = True
            documents[c.report_id][f"{c.table_id}.{c.row_id}.{c.column_id}"] = cell
        update = sa.update(reports).where(reports.c.id == sa.bindparam("report"))
        bind.execute(
            update.values(cells=sa.bindparam("document")),
            [{"report": i, "document": d} for i, d in documents.items()],
        )
    op.drop_table("cells")


def downgrade() -> None:
    bind = op.get_bind()
    cells = _cells_table(sa.MetaData())
    cells.create(bind)
    for ids in _batches(bind):
        rows = []
        for report_id, document in bind.execute(sa.select(reports).where(reports.c.id.in_(ids))):
            for key, cell in (document or {}).items():
                table_id, row_id, column_id = key.split(".")
                value = cell.get("value")
                rows.append(
                    {
                        "report_id": report_id,
                        "table_id": table_id,
                        "row_id": row_id,
                        "column_id": column_id,
                        "value": None if value is None else Decimal(str(value)),
                        "text": cell.get("text"),
                        "provenance": cell.get("source"),
                        "found": not cell.get("missing", False),
                        "ambiguous": cell.get("ambiguous", False),
                    }
                )
        if rows:
            bind.execute(sa.insert(cells), rows)
    with op.batch_alter_table("reports", schema=None) as batch_op:
        batch_op.drop_column("cells")
