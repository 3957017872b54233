"""the register (台账): applications, events, appeals, body members, the audit log, year locks

Revision ID: 0007
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0004"
branch_labels = None
depends_on = None

APPEND_ONLY = ("register_events", "register_audit")
NOW = sa.text("(CURRENT_TIMESTAMP)")


def upgrade() -> None:
    op.create_table(
        "body_members",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("body_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=10), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["body_id"], ["bodies.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("user_id", "body_id"),
    )
    with op.batch_alter_table("body_members", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_body_members_user_id"), ["user_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_body_members_body_id"), ["body_id"], unique=False)

    op.create_table(
        "register_applications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("body_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=50), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("evidence", sa.String(length=500), nullable=True),
        sa.Column("applicant_type", sa.String(length=20), nullable=False),
        sa.Column("applicant_name", sa.String(length=200), nullable=True),
        sa.Column("applicant_contact", sa.String(length=200), nullable=True),
        sa.Column("request", sa.Text(), nullable=True),
        sa.Column("form", sa.String(length=50), nullable=True),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(), server_default=NOW, nullable=False),
        sa.Column("received", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=30), nullable=False),
        sa.Column("outcome", sa.String(length=40), nullable=True),
        sa.Column("decided", sa.Date(), nullable=True),
        sa.Column("reply_due", sa.Date(), nullable=True),
        sa.Column("notice_due", sa.Date(), nullable=True),
        sa.Column("provisional", sa.Boolean(), nullable=False),
        sa.Column("clock", sa.JSON(), nullable=True),
        sa.Column("fee", sa.Numeric(precision=12, scale=2), nullable=True),
        sa.ForeignKeyConstraint(["body_id"], ["bodies.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("body_id", "number"),
    )
    with op.batch_alter_table("register_applications", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_register_applications_received"), ["received"], unique=False)
        batch_op.create_index("ix_register_applications_body_status", ["body_id", "status"], unique=False)

    op.create_table(
        "register_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("corrects", sa.Integer(), nullable=True),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("recorded_at", sa.DateTime(), server_default=NOW, nullable=False),
        sa.ForeignKeyConstraint(["application_id"], ["register_applications.id"]),
        sa.ForeignKeyConstraint(["corrects"], ["register_events.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("register_events", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_register_events_application_id"), ["application_id"], unique=False
        )

    op.create_table(
        "register_appeals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("body_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=120), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=True),
        sa.Column("filed", sa.Date(), nullable=False),
        sa.Column("decided", sa.Date(), nullable=True),
        sa.Column("result", sa.String(length=20), nullable=True),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(["body_id"], ["bodies.id"]),
        sa.ForeignKeyConstraint(["application_id"], ["register_applications.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("body_id", "key"),
    )
    with op.batch_alter_table("register_appeals", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_register_appeals_application_id"), ["application_id"], unique=False
        )

    op.create_table(
        "register_audit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), server_default=NOW, nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("body_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=True),
        sa.Column("detail", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("register_audit", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_register_audit_at"), ["at"], unique=False)
        batch_op.create_index(batch_op.f("ix_register_audit_body_id"), ["body_id"], unique=False)

    op.create_table(
        "register_locks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("body_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("locked_by", sa.String(length=100), nullable=False),
        sa.Column("locked_at", sa.DateTime(), server_default=NOW, nullable=False),
        sa.ForeignKeyConstraint(["body_id"], ["bodies.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("body_id", "year"),
    )

    _append_only()


def _append_only() -> None:
    """Triggers refusing UPDATE and DELETE (and on PostgreSQL TRUNCATE) of the append-only tables."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE OR REPLACE FUNCTION xxgk_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
            "BEGIN RAISE EXCEPTION '% is append-only', TG_TABLE_NAME; END $$"
        )
        for table in APPEND_ONLY:
            op.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION xxgk_append_only()"
            )
            op.execute(
                f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
                "FOR EACH STATEMENT EXECUTE FUNCTION xxgk_append_only()"
            )
    else:
        for table in APPEND_ONLY:
            for verb in ("UPDATE", "DELETE"):
                op.execute(
                    f"CREATE TRIGGER {table}_no_{verb.lower()} BEFORE {verb} ON {table} "
                    f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END"
                )


def downgrade() -> None:
    for table in (
        "register_locks",
        "register_audit",
        "register_appeals",
        "register_events",
        "register_applications",
    ):
        op.drop_table(table)
    with op.batch_alter_table("body_members", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_body_members_body_id"))
        batch_op.drop_index(batch_op.f("ix_body_members_user_id"))
    op.drop_table("body_members")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS xxgk_append_only()")
