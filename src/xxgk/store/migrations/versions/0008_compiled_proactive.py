"""compiled reports beside published ones (reports.kind); the register's documents and yearly
figures (table 二)

Revision ID: 0008
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("reports", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("kind", sa.String(length=12), server_default="published", nullable=False)
        )
    op.create_table(
        "register_documents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("body_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("number", sa.String(length=200), nullable=False),
        sa.Column("title", sa.String(length=500), nullable=False),
        sa.Column("issued", sa.Date(), nullable=False),
        sa.Column("repealed", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(["body_id"], ["bodies.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("body_id", "kind", "number"),
    )
    with op.batch_alter_table("register_documents", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_register_documents_body_id"), ["body_id"], unique=False)
    op.create_table(
        "register_figures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("body_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("licensing", sa.Integer(), nullable=True),
        sa.Column("penalties", sa.Integer(), nullable=True),
        sa.Column("enforcement", sa.Integer(), nullable=True),
        sa.Column("fees", sa.Numeric(precision=18, scale=4), nullable=True),
        sa.ForeignKeyConstraint(["body_id"], ["bodies.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("body_id", "year"),
    )
    with op.batch_alter_table("register_figures", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_register_figures_body_id"), ["body_id"], unique=False)


def downgrade() -> None:
    op.drop_table("register_figures")
    op.drop_table("register_documents")
    with op.batch_alter_table("reports", schema=None) as batch_op:
        batch_op.drop_column("kind")
