"""Database tables of the store (SQLAlchemy 2). Column names are the data-dictionary ids.

Kept apart from the report model (xxgk.model): the store maps to and from it in `convert.py`,
so the reader, checker and web API never depend on how rows are laid out.
"""

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
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

MAX_ID = 2**31 - 1  # ids and years are INTEGER columns: 32 bits on PostgreSQL
# what a stored report is: read from a published file, or compiled from the body's register
REPORT_KINDS = ("published", "compiled")


class Base(DeclarativeBase):
    pass


class Body(Base):
    """A government body that publishes reports; bodies form a hierarchy (parent)."""

    __tablename__ = "bodies"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    key: Mapped[str] = mapped_column(String(200), index=True)  # the name read canonically (bodies.canonical)
    level: Mapped[str | None] = mapped_column(String(10))
    region: Mapped[str | None] = mapped_column(String(100), index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("bodies.id", ondelete="SET NULL"), index=True)

    parent: Mapped[Body | None] = relationship(remote_side=[id])
    aliases: Mapped[list[BodyAlias]] = relationship(back_populates="body", cascade="all, delete-orphan")


class BodyAlias(Base):
    __tablename__ = "body_aliases"

    id: Mapped[int] = mapped_column(primary_key=True)
    body_id: Mapped[int] = mapped_column(ForeignKey("bodies.id", ondelete="CASCADE"), index=True)
    alias: Mapped[str] = mapped_column(String(200), unique=True)
    key: Mapped[str] = mapped_column(String(200), index=True)

    body: Mapped[Body] = relationship(back_populates="aliases")


class StoredReport(Base):
    """One version of one body's report for one year: one content (identity.py), from one or more
    sources (files). A report whose body is not known yet (待认定) has no body and is never current.

    `kind` is "published" (read from a file) or "compiled" (from the body's register). `current`
    marks the current published version, the one statistics count; a compiled report is never
    current: the newest compiled version of a year is shown beside the published one."""

    __tablename__ = "reports"
    __table_args__ = (
        UniqueConstraint("body_id", "year", "version"),
        Index("ix_reports_current", "body_id", "year", "current"),
        # statistics read this alone (migration 0011): the current reports by year and body, with
        # the key figures they add up
        Index(
            "ix_reports_stats",
            "year",
            "body_id",
            "received",
            "granted",
            "partly_granted",
            "processed",
            "reviews",
            "reviews_corrected",
            "suits",
            "suits_corrected",
            "errors",
            postgresql_where=text("current"),
            sqlite_where=text("current = 1"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    body_id: Mapped[int | None] = mapped_column(ForeignKey("bodies.id", ondelete="CASCADE"))
    year: Mapped[int] = mapped_column(Integer, index=True)
    content: Mapped[str | None] = mapped_column(String(64), index=True)  # identity.content_hash
    version: Mapped[int] = mapped_column(Integer, default=1)
    current: Mapped[bool] = mapped_column(Boolean, default=True)
    kind: Mapped[str] = mapped_column(String(12), default="published", server_default="published")
    template: Mapped[str] = mapped_column(String(10))
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    source: Mapped[str | None] = mapped_column(String(1000))
    format: Mapped[str | None] = mapped_column(String(10))
    agency_printed: Mapped[str | None] = mapped_column(String(200))
    title: Mapped[str | None] = mapped_column(String(300))
    published: Mapped[date | None] = mapped_column(Date)
    ingested_at: Mapped[datetime] = mapped_column(DateTime, server_default=func.now())
    narrative: Mapped[str | None] = mapped_column(Text)
    layout: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # key figures, kept on the row so statistics over a large corpus need no join
    received: Mapped[int | None] = mapped_column(Integer)
    granted: Mapped[int | None] = mapped_column(Integer)
    partly_granted: Mapped[int | None] = mapped_column(Integer)
    processed: Mapped[int | None] = mapped_column(Integer)
    reviews: Mapped[int | None] = mapped_column(Integer)
    reviews_corrected: Mapped[int | None] = mapped_column(Integer)
    suits: Mapped[int | None] = mapped_column(Integer)
    suits_corrected: Mapped[int | None] = mapped_column(Integer)
    errors: Mapped[int] = mapped_column(Integer, default=0)
    warnings: Mapped[int] = mapped_column(Integer, default=0)
    # the cells as the JSON contract writes them, {cell id: {value, text, source, ...}}: one
    # document a report (migration 0012), read whole whenever a report's cells are read, and
    # written ten times faster than a row a cell; loaded only when asked for
    cells: Mapped[dict[str, dict[str, Any]]] = mapped_column(JSON, deferred=True, default=dict)

    body: Mapped[Body | None] = relationship()
    sources: Mapped[list[ReportSource]] = relationship(
        back_populates="report",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="ReportSource.id",
    )
    findings: Mapped[list[StoredFinding]] = relationship(
        back_populates="report", cascade="all, delete-orphan", passive_deletes=True
    )


class ReportSource(Base):
    """A file (or a paste, or a page at a URL) that carried a report; one report may have many."""

    __tablename__ = "report_sources"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"), index=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)  # of the file as received
    path: Mapped[str | None] = mapped_column(String(1000))
    url: Mapped[str | None] = mapped_column(String(1000))
    format: Mapped[str | None] = mapped_column(String(10))
    ingested_at: Mapped[datetime] = mapped_column(DateTime, server_default=func.now())

    report: Mapped[StoredReport] = relationship(back_populates="sources")


class VersionChoice(Base):
    """A reviewer's choice of the current version of a body's report for a year (the latest
    choice holds; earlier ones are kept as the record of who chose what and why)."""

    __tablename__ = "version_choices"
    __table_args__ = (Index("ix_version_choices_body_year", "body_id", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    body_id: Mapped[int] = mapped_column(ForeignKey("bodies.id", ondelete="CASCADE"))
    year: Mapped[int] = mapped_column(Integer)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"), index=True)
    chosen_by: Mapped[str] = mapped_column(String(100))
    why: Mapped[str] = mapped_column(Text)
    chosen_at: Mapped[datetime] = mapped_column(DateTime, server_default=func.now())


class Job(Base):
    """A batch of uploaded files read and stored in the background; its files wait in a folder,
    so a restarted server continues where it stopped."""

    __tablename__ = "jobs"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)  # unguessable, in the page's URL
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(DateTime, server_default=func.now())
    finished_at: Mapped[datetime | None] = mapped_column(DateTime)
    body: Mapped[str | None] = mapped_column(String(200))  # every file to this body, if chosen

    files: Mapped[list[JobFile]] = relationship(
        back_populates="job", cascade="all, delete-orphan", passive_deletes=True, order_by="JobFile.position"
    )


class JobFile(Base):
    """One file of a job: waiting, then stored (new, version, same report, 待认定) or failed."""

    __tablename__ = "job_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    job_id: Mapped[str] = mapped_column(ForeignKey("jobs.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(300))
    attribution: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # its manifest row
    status: Mapped[str] = mapped_column(String(12), default="waiting")
    message: Mapped[str | None] = mapped_column(Text)
    report_id: Mapped[int | None] = mapped_column(ForeignKey("reports.id", ondelete="SET NULL"))

    job: Mapped[Job] = relationship(back_populates="files")


class StoredFinding(Base):
    """A finding of a rule; reviewers mark it confirmed or dismissed, with a comment."""

    __tablename__ = "findings"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"), index=True)
    rule: Mapped[str] = mapped_column(String(30), index=True)
    severity: Mapped[str] = mapped_column(String(10), index=True)
    cells: Mapped[list[str]] = mapped_column(JSON)
    message: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(12), default="open")
    comment: Mapped[str | None] = mapped_column(Text)
    reviewed_by: Mapped[str | None] = mapped_column(String(100))
    reviewed_at: Mapped[datetime | None] = mapped_column(DateTime)

    report: Mapped[StoredReport] = relationship(back_populates="findings")


class RegisterDocument(Base):
    """A 规章 or 行政规范性文件 the body made (the register's proactive side, xxgk.register.proactive)."""

    __tablename__ = "register_documents"
    __table_args__ = (UniqueConstraint("body_id", "kind", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    body_id: Mapped[int] = mapped_column(ForeignKey("bodies.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(30))  # one of DOCUMENT_KINDS
    number: Mapped[str] = mapped_column(String(200))  # 文号
    title: Mapped[str] = mapped_column(String(500))
    issued: Mapped[date] = mapped_column(Date)
    repealed: Mapped[date | None] = mapped_column(Date)


class RegisterFigures(Base):
    """A year's figures from other systems, as entered."""

    __tablename__ = "register_figures"
    __table_args__ = (UniqueConstraint("body_id", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    body_id: Mapped[int] = mapped_column(ForeignKey("bodies.id", ondelete="CASCADE"), index=True)
    year: Mapped[int] = mapped_column(Integer)
    licensing: Mapped[int | None] = mapped_column(Integer)
    penalties: Mapped[int | None] = mapped_column(Integer)
    enforcement: Mapped[int | None] = mapped_column(Integer)
    fees: Mapped[Decimal | None] = mapped_column(Numeric(18, 4))


class User(Base):
    """Someone who may change the corpus from the web application (reading needs no account)."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime, server_default=func.now())


class UserSession(Base):
    """A signed-in browser: the cookie holds a random token, the table only its hash, so signing
    out (deleting the row) revokes it everywhere."""

    __tablename__ = "sessions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # sha256 of the cookie's token
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    csrf: Mapped[str] = mapped_column(String(64))  # the token forms and htmx requests must send back
    created_at: Mapped[datetime] = mapped_column(DateTime, server_default=func.now())
    expires_at: Mapped[datetime] = mapped_column(DateTime, index=True)


class ApiToken(Base):
    """A token an API client sends as `Authorization: Bearer …` (only its hash is kept)."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, server_default=func.now())


# the register's tables (issue 18) share this metadata and its migrations
from xxgk.register import tables as _register_tables  # noqa: E402, F401
