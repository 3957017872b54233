"""The register's tables, on the store's Base (the store imports this module, so one metadata and
one migration history hold both). Events and the audit log are append-only: database triggers
refuse UPDATE and DELETE on them (migration 0007), so nothing, not even xxgk, edits them."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column

from xxgk.store.models import Base


class BodyMember(Base):
    """A user's role at a body: `clerk` (registers, records events) or `head` (also approves
    extensions). Only a body's members see its register."""

    __tablename__ = "body_members"
    __table_args__ = (UniqueConstraint("user_id", "body_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    body_id: Mapped[int] = mapped_column(ForeignKey("bodies.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(10))


class RegisterApplication(Base):
    """An application: who and what (personal data: read only through the audited paths), and the
    state its events give, kept here for listing and recomputed whenever they or the calendar change."""

    __tablename__ = "register_applications"
    __table_args__ = (
        UniqueConstraint("body_id", "number"),
        Index("ix_register_applications_body_status", "body_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    body_id: Mapped[int] = mapped_column(ForeignKey("bodies.id"))
    number: Mapped[str] = mapped_column(String(50))  # 编号
    channel: Mapped[str] = mapped_column(String(20))  # clock.toml [channels]
    evidence: Mapped[str | None] = mapped_column(String(500))  # what fixes the receipt date (第31条)
    applicant_type: Mapped[str] = mapped_column(String(20))  # table 三's column id
    applicant_name: Mapped[str | None] = mapped_column(String(200))
    applicant_contact: Mapped[str | None] = mapped_column(String(200))
    request: Mapped[str | None] = mapped_column(Text)  # 申请内容
    form: Mapped[str | None] = mapped_column(String(50))  # the form asked for (纸质, 电子 …)
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(DateTime, server_default=func.now())
    # derived from the events (replay.py) and the calendar
    received: Mapped[date] = mapped_column(Date, index=True)
    status: Mapped[str] = mapped_column(String(30))
    outcome: Mapped[str | None] = mapped_column(String(40))
    decided: Mapped[date | None] = mapped_column(Date)
    reply_due: Mapped[date | None] = mapped_column(Date)
    notice_due: Mapped[date | None] = mapped_column(Date)
    provisional: Mapped[bool] = mapped_column(Boolean, default=False)
    clock: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    fee: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))


class RegisterEvent(Base):
    """One entry of an application's history; a correction is a new row naming the one it corrects."""

    __tablename__ = "register_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("register_applications.id"), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    on: Mapped[date] = mapped_column("day", Date)
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    corrects: Mapped[int | None] = mapped_column(ForeignKey("register_events.id"))
    actor: Mapped[str] = mapped_column(String(100))
    recorded_at: Mapped[datetime] = mapped_column(DateTime, server_default=func.now())


class RegisterAppeal(Base):
    """A 行政复议 or 行政诉讼, with its application where the register holds it (table 四's facts)."""

    __tablename__ = "register_appeals"
    __table_args__ = (UniqueConstraint("body_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    body_id: Mapped[int] = mapped_column(ForeignKey("bodies.id"))
    key: Mapped[str] = mapped_column(String(120))  # kind|application number|filed: one appeal once
    kind: Mapped[str] = mapped_column(String(30))
    application_id: Mapped[int | None] = mapped_column(ForeignKey("register_applications.id"), index=True)
    filed: Mapped[date] = mapped_column(Date)
    decided: Mapped[date | None] = mapped_column(Date)
    result: Mapped[str | None] = mapped_column(String(20))
    created_by: Mapped[str] = mapped_column(String(100))


class AuditEntry(Base):
    """Who read an applicant's personal data or changed the register, when, and what."""

    __tablename__ = "register_audit"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime, server_default=func.now(), index=True)
    actor: Mapped[str] = mapped_column(String(100))
    body_id: Mapped[int | None] = mapped_column(Integer, index=True)
    action: Mapped[str] = mapped_column(String(40))
    application_id: Mapped[int | None] = mapped_column(Integer)
    detail: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class RegisterLock(Base):
    """A year of a body's register closed by its head (issue 19): a later change to an event dated
    in it is an amendment, with its reason in the audit log. `snapshot` holds the year's tables as
    compiled when the lock was taken (xxgk.compile.locked), None if the register had errors then."""

    __tablename__ = "register_locks"
    __table_args__ = (UniqueConstraint("body_id", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    body_id: Mapped[int] = mapped_column(ForeignKey("bodies.id"))
    year: Mapped[int] = mapped_column(Integer)
    locked_by: Mapped[str] = mapped_column(String(100))
    locked_at: Mapped[datetime] = mapped_column(DateTime, server_default=func.now())
    snapshot: Mapped[dict[str, Any] | None] = mapped_column(JSON)


APPEND_ONLY = ("register_events", "register_audit")
