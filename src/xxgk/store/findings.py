"""Stored findings, one query for all who list them: the CLI, the web pages and the JSON API."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import ColumnElement, Select, select
from sqlalchemy.orm import Session

from xxgk.errors import InputError, require_choice
from xxgk.model import SEVERITY_RANK
from xxgk.store.models import Body, StoredFinding, StoredReport
from xxgk.store.regions import within

if TYPE_CHECKING:
    from xxgk.store import Store


REVIEW_STATUSES: tuple[str, ...] = ("open", "confirmed", "dismissed")
SEVERITIES: tuple[str, ...] = tuple(sorted(SEVERITY_RANK, key=SEVERITY_RANK.__getitem__, reverse=True))


@dataclass
class FindingRow:
    """A stored finding with where it belongs and where its review stands."""

    id: int
    report_id: int
    body_id: int
    body: str
    year: int
    version: int
    current: bool
    rule: str
    severity: str
    cells: list[str]
    message: str
    status: str
    comment: str | None
    reviewed_by: str | None
    reviewed_at: datetime | None
    pages: list[int] = field(default_factory=list)  # of a PDF, where its cells are printed

    def to_dict(self) -> dict[str, object]:
        """What `xxgk findings --json` prints of it (a PDF's pages where they are known)."""
        names = ("id", "body", "year", "version", "rule", "severity", "cells", "message", "status", "comment")
        out = {name: getattr(self, name) for name in names}
        if self.pages:
            out["pages"] = self.pages
        return out


@dataclass
class FindingFilter:
    body_id: int | None = None
    year: int | None = None
    rule: str | None = None  # ending in * matches a prefix (X-*)
    severity: str | None = None
    status: str | None = None
    region: str | None = None


def rule_condition(rule: str) -> ColumnElement[bool]:
    """A rule id, or a family of them with a trailing * (TXT-*, X-*)."""
    if rule.endswith("*"):  # the user's % and _ are matched as themselves, not as LIKE wildcards
        return StoredFinding.rule.startswith(rule[:-1], autoescape=True)
    return StoredFinding.rule == rule


def require_rule(rule: str) -> None:
    """A rule id, or a family (a prefix and *) that holds at least one rule."""
    from xxgk.check import RULES

    ids = [r.id for r in RULES]
    if rule in ids or (rule.endswith("*") and any(i.startswith(rule[:-1]) for i in ids)):
        return
    raise InputError(f"rule {rule!r} is not one of {', '.join(ids)} (or a family such as TXT-*)")


def conditions(where: FindingFilter, session: Session | None = None) -> list[ColumnElement[bool]]:
    """The findings of the current reports that `where` asks for; with a session, a body or a
    region takes in every body under it (without one, the body alone, and no region)."""
    out: list[ColumnElement[bool]] = [StoredReport.current]
    if session is not None:
        out += within(session, StoredReport.body_id, region=where.region, body_id=where.body_id)
    elif where.region is not None:
        raise ValueError("a filter by region needs the session to read the regions")
    elif where.body_id is not None:
        out.append(StoredReport.body_id == where.body_id)
    if where.year is not None:
        out.append(StoredReport.year == where.year)
    if where.rule is not None:
        out.append(rule_condition(where.rule))
    if where.severity is not None:
        out.append(StoredFinding.severity == where.severity)
    if where.status is not None:
        out.append(StoredFinding.status == where.status)
    return out


def findings_query() -> Select[Any]:
    """Findings with their report's body, year and version: rows for `finding_row`."""
    return (
        select(
            StoredFinding,
            StoredReport.body_id,
            Body.name,
            StoredReport.year,
            StoredReport.version,
            StoredReport.current,
        )
        .join(StoredReport, StoredFinding.report_id == StoredReport.id)
        .join(Body, StoredReport.body_id == Body.id)
    )


def finding_row(
    f: StoredFinding, body_id: int, body: str, year: int, version: int, current: bool
) -> FindingRow:
    return FindingRow(
        id=f.id,
        report_id=f.report_id,
        body_id=body_id,
        body=body,
        year=year,
        version=version,
        current=current,
        rule=f.rule,
        severity=f.severity,
        cells=list(f.cells or ()),
        message=f.message,
        status=f.status,
        comment=f.comment,
        reviewed_by=f.reviewed_by,
        reviewed_at=f.reviewed_at,
    )


def list_findings(
    store: Store,
    *,
    body: str | None = None,
    region: str | None = None,
    year: int | None = None,
    rule: str | None = None,
    severity: str | None = None,
    status: str | None = None,
    limit: int | None = None,
) -> list[FindingRow]:
    """Findings of the current reports, filtered; a rule id ending in * matches a prefix (TXT-*);
    a body or a region takes in every body under it. A value that no finding can have is an
    error naming those it can."""
    if rule is not None:
        require_rule(rule)
    if severity is not None:
        require_choice("severity", severity, SEVERITIES)
    if status is not None:
        require_choice("status", status, REVIEW_STATUSES)
    with store.session() as session:
        body_id = store.find_body(session, body).id if body is not None else None
        where = FindingFilter(body_id, year, rule, severity, status, region)
        query = (
            findings_query()
            .where(*conditions(where, session))
            .order_by(Body.name, StoredReport.year, StoredFinding.id)
            .limit(limit)
        )
        return with_pages(session, [finding_row(*row) for row in session.execute(query)])


PAGE_LOOKUP = 500  # reports per query, within SQLite's limit of bound parameters


def with_pages(session: Session, rows: list[FindingRow]) -> list[FindingRow]:
    """The findings, those on a PDF report with the pages their cells are printed on (kept in
    each cell's provenance): a reader holding the PDF looks for a page, not a line of its text."""
    wanted: dict[int, set[str]] = {}
    for r in rows:
        wanted.setdefault(r.report_id, set()).update(r.cells)
    ids = sorted(i for i, keys in wanted.items() if keys)
    pages: dict[tuple[int, str], int] = {}
    for start in range(0, len(ids), PAGE_LOOKUP):
        query = select(StoredReport.id, StoredReport.cells).where(
            StoredReport.id.in_(ids[start : start + PAGE_LOOKUP]), StoredReport.format == "pdf"
        )
        for report_id, cells in session.execute(query):
            for key in wanted[report_id]:
                page = ((cells or {}).get(key) or {}).get("source", {}).get("page")
                if page is not None:
                    pages[(report_id, key)] = int(page)
    for finding in rows:
        finding.pages = sorted(
            {pages[(finding.report_id, k)] for k in finding.cells if (finding.report_id, k) in pages}
        )
    return rows
