"""What the corpus pages and the corpus API read from the store and write to it.

Small functions over one session each, returning plain dataclasses, so the routes stay thin and
the HTML pages and the JSON API show the same data. Only the current version of a report counts
in lists (coverage, findings); a body's page and a report's page also show the older versions.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from itertools import pairwise
from typing import Any, Literal

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from xxgk.check import RULES
from xxgk.model import Report
from xxgk.store import Store
from xxgk.store.bodies import match
from xxgk.store.compare import Comparison, compare
from xxgk.store.convert import to_report
from xxgk.store.findings import (
    FindingFilter,
    FindingRow,
    conditions,
    finding_row,
    findings_query,
    rule_condition,
    with_pages,
)
from xxgk.store.models import MAX_ID, Body, StoredFinding, StoredReport
from xxgk.store.regions import DEPTHS, Hierarchy, cut, joined, within
from xxgk.store.stats import StatsRow, stats
from xxgk.store.versions import latest_choice, version_list

ReviewStatus = Literal["open", "confirmed", "dismissed"]
CROSS_YEAR = "X-"  # the rules across years: a report against the same body's report of the year before


# --- bodies ------------------------------------------------------------------------------------


@dataclass
class BodyRef:
    id: int
    name: str


@dataclass
class BodyNode:
    id: int
    name: str
    level: str | None
    region: str | None
    parent_id: int | None
    children: list[BodyNode] = field(default_factory=list)


def _body_filter(session: Session, region: str | None, level: str | None) -> list[ColumnElement[bool]]:
    """A region takes in the regions under it (store.regions)."""
    out = within(session, Body.id, region=region or None)
    if level:
        out.append(Body.level == level)
    return out


def body_tree(store: Store, *, region: str | None = None, level: str | None = None) -> list[BodyNode]:
    """The selected bodies as a forest: a body whose parent is not selected is a root.

    A loop of parents (an imported list can have one) is cut where it closes, so every body
    appears exactly once and the bodies hanging from the loop stay under their parents.
    """
    with store.session() as session:
        rows = session.execute(
            select(Body.id, Body.name, Body.level, Body.region, Body.parent_id)
            .where(*_body_filter(session, region, level))
            .order_by(Body.name)
        ).all()
    nodes = {r.id: BodyNode(r.id, r.name, r.level, r.region, r.parent_id) for r in rows}
    roots: list[BodyNode] = []
    for node in nodes.values():  # by name, so children are sorted too
        parent = nodes.get(node.parent_id) if node.parent_id is not None else None
        (parent.children if parent is not None else roots).append(node)
    seen = {n.id for n, _ in walk(roots)}
    for node in nodes.values():
        if node.id in seen:
            continue
        # no root leads here, so the parents above go round in a loop: cut it where it closes
        climbed: set[int] = set()
        top = node
        while top.id not in climbed:
            climbed.add(top.id)
            top = nodes[top.parent_id]  # type: ignore[index]
        nodes[top.parent_id].children.remove(top)  # type: ignore[index]
        roots.append(top)
        seen |= {n.id for n, _ in walk([top])}
    return roots


def walk(roots: Iterable[BodyNode], depth: int = 0) -> list[tuple[BodyNode, int]]:
    """The forest in page order: each body, then its children indented one level deeper."""
    out = []
    for node in roots:
        out.append((node, depth))
        out.extend(walk(node.children, depth + 1))
    return out


def get_body(store: Store, body_id: int) -> Body | None:
    with store.session() as session:
        return session.get(Body, body_id)


def resolve_body(store: Store, text: str) -> Body | None:
    """A body given by id ("12") or by name as printed (matched as the store matches reports)."""
    text = text.strip()
    with store.session() as session:
        if text.isascii() and text.isdigit():
            return session.get(Body, int(text)) if int(text) <= MAX_ID else None
        return match(session, text)


def filter_options(store: Store) -> dict[str, list[Any]]:
    """The values the filter controls offer: regions (each with the regions above it, a parent
    before its children), levels, years, rules and body names."""
    with store.session() as session:
        hierarchy = Hierarchy.load(session)
        paths = {hierarchy.path(b) for b in hierarchy.own}
        regions = {
            tuple(p.name for p in path[:n]): joined(path[:n])
            for path in paths
            for n in range(1, len(path) + 1)
        }
        levels = session.scalars(select(Body.level).where(Body.level.is_not(None)).distinct())
        rules = session.scalars(
            select(StoredFinding.rule)
            .join(StoredReport, StoredFinding.report_id == StoredReport.id)
            .where(StoredReport.current)
            .distinct()
        )
        return {
            "regions": [regions[k] for k in sorted(regions)],
            "levels": sorted(levels),
            "years": report_years(session),
            "rules": sorted(rules),
            "bodies": list(session.scalars(select(Body.name).order_by(Body.name))),
        }


def report_years(session: Session) -> list[int]:
    """The years that have at least one current report."""
    query = select(StoredReport.year).where(StoredReport.current).distinct().order_by(StoredReport.year)
    return list(session.scalars(query))


def every_year(years: list[int]) -> list[int]:
    """Each year from the first to the last: a year without a report is shown, as a gap."""
    return list(range(min(years), max(years) + 1)) if years else []


# --- coverage ----------------------------------------------------------------------------------


@dataclass
class CoverageCell:
    report_id: int
    errors: int
    warnings: int


@dataclass
class CoverageRow:
    id: int
    name: str
    level: str | None
    region: str | None
    parent_id: int | None
    depth: int
    years: dict[int, CoverageCell | None]


@dataclass
class Coverage:
    years: list[int]
    rows: list[CoverageRow]


def coverage(store: Store, *, region: str | None = None, level: str | None = None) -> Coverage:
    """One row per selected body (in tree order), one column per year from the store's first to
    its last (a year no body reported is a column of gaps)."""
    order = walk(body_tree(store, region=region, level=level))
    with store.session() as session:
        years = every_year(report_years(session))
        found = session.execute(
            select(StoredReport.id, StoredReport.body_id, StoredReport.year)
            .add_columns(StoredReport.errors, StoredReport.warnings)
            .join(Body, Body.id == StoredReport.body_id)
            .where(StoredReport.current, *_body_filter(session, region, level))
        ).all()
    cells = {(r.body_id, r.year): CoverageCell(r.id, r.errors, r.warnings) for r in found}
    rows = [
        CoverageRow(
            node.id,
            node.name,
            node.level,
            node.region,
            node.parent_id,
            depth,
            {year: cells.get((node.id, year)) for year in years},
        )
        for node, depth in order
    ]
    return Coverage(years, rows)


@dataclass
class RegionCoverage:
    """A region of the coverage grid: per year, how many of its bodies (those under it included)
    have a report; its own bodies; the regions under it."""

    name: str  # the region's last part (宿迁市); the path names the whole
    path: tuple[str, ...]
    years: dict[int, int]
    bodies: int
    members: list[CoverageRow] = field(default_factory=list)
    children: list[RegionCoverage] = field(default_factory=list)


def coverage_regions(store: Store, found: Coverage) -> list[RegionCoverage]:
    """The coverage grid's bodies under their regions, 省 → 市 → 县 (deeper parts stay with the
    县); bodies with no region known come last, under an empty path."""
    with store.session() as session:
        hierarchy = Hierarchy.load(session)
    deepest = len(DEPTHS) - 1
    nodes: dict[tuple[str, ...], RegionCoverage] = {}
    roots: list[RegionCoverage] = []

    def node(path: tuple[str, ...]) -> RegionCoverage:
        if path not in nodes:
            nodes[path] = RegionCoverage(path[-1] if path else "", path, dict.fromkeys(found.years, 0), 0)
            if len(path) > 1:
                node(path[:-1]).children.append(nodes[path])
            else:
                roots.append(nodes[path])
        return nodes[path]

    for row in found.rows:
        kept, _ = cut(hierarchy.path(row.id), deepest)
        path = tuple(p.name for p in kept)
        node(path).members.append(row)
        for prefix in [path[:n] for n in range(1, len(path) + 1)] or [()]:
            above = nodes[prefix]
            above.bodies += 1
            for year, cell in row.years.items():
                above.years[year] += cell is not None
    for item in nodes.values():
        item.children.sort(key=lambda c: c.path)
    return sorted(roots, key=lambda r: (not r.path, r.path))


# --- findings ----------------------------------------------------------------------------------


@dataclass
class FindingsPage:
    total: int
    limit: int
    offset: int
    items: list[FindingRow]


def find_findings(store: Store, where: FindingFilter, *, limit: int = 50, offset: int = 0) -> FindingsPage:
    """A page of the findings of the current reports, with the number of all that match."""
    with store.session() as session:
        where_all = conditions(where, session)
        total = session.scalar(
            select(func.count(StoredFinding.id))
            .join(StoredReport, StoredFinding.report_id == StoredReport.id)
            .where(*where_all)
        )
        query = (
            findings_query()
            .where(*where_all)
            .order_by(Body.name, StoredReport.year, StoredFinding.severity, StoredFinding.id)
            .limit(limit)
            .offset(offset)
        )
        items = with_pages(session, [finding_row(*row) for row in session.execute(query)])
    return FindingsPage(int(total or 0), limit, offset, items)


def get_finding(store: Store, finding_id: int) -> FindingRow | None:
    with store.session() as session:
        row = session.execute(findings_query().where(StoredFinding.id == finding_id)).first()
        return finding_row(*row) if row is not None else None


def review_finding(
    store: Store, finding_id: int, status: ReviewStatus, comment: str | None, user: str
) -> FindingRow | None:
    """Keep a reviewer's verdict on the finding (None: no such finding). Reopening keeps who
    reopened it and when, so the last word on a finding is always attributed."""
    with store.writing() as session:  # it reads, then writes: in turn with ingests elsewhere
        finding = session.get(StoredFinding, finding_id)
        if finding is None:
            return None
        finding.status = status
        finding.comment = (comment or "").strip() or None
        finding.reviewed_by = user
        # naive UTC, as the database's own timestamps (func.now())
        finding.reviewed_at = datetime.now(UTC).replace(tzinfo=None, microsecond=0)
    return get_finding(store, finding_id)


# --- a body's reports --------------------------------------------------------------------------


@dataclass
class ReportSummary:
    id: int
    year: int
    version: int
    versions: int
    template: str
    published: date | None
    errors: int
    warnings: int
    source: str | None
    format: str | None


@dataclass
class BodyDetail:
    id: int
    name: str
    level: str | None
    region: str | None
    parent: BodyRef | None
    children: list[BodyRef]
    reports: list[ReportSummary]  # the current report of each year, the earliest year first
    cross_year: list[FindingRow]  # X-* findings of the current reports
    pairs: list[tuple[int, int]]  # consecutive stored years, to compare
    compiled: dict[int, int] = field(default_factory=dict)  # year → the newest compiled report's id


def body_detail(store: Store, body_id: int) -> BodyDetail | None:
    with store.session() as session:
        body = session.get(Body, body_id)
        if body is None:
            return None
        parent = session.get(Body, body.parent_id) if body.parent_id is not None else None
        children = session.execute(
            select(Body.id, Body.name).where(Body.parent_id == body.id).order_by(Body.name)
        ).all()
        rows = session.scalars(
            select(StoredReport)
            .where(StoredReport.body_id == body.id)
            .order_by(StoredReport.year, StoredReport.version)
        ).all()
        versions: dict[int, int] = {}
        for row in rows:
            versions[row.year] = versions.get(row.year, 0) + 1
        reports = [
            ReportSummary(
                row.id,
                row.year,
                row.version,
                versions[row.year],
                row.template,
                row.published,
                row.errors,
                row.warnings,
                row.source,
                row.format,
            )
            for row in rows
            if row.current
        ]
        compiled = {row.year: row.id for row in rows if row.kind == "compiled"}  # versions ascend
        cross = session.execute(
            findings_query()
            .where(StoredReport.body_id == body.id, StoredReport.current, rule_condition(CROSS_YEAR + "*"))
            .order_by(StoredReport.year, StoredFinding.id)
        )
        years = [r.year for r in reports]
        return BodyDetail(
            body.id,
            body.name,
            body.level,
            body.region,
            BodyRef(parent.id, parent.name) if parent is not None else None,
            [BodyRef(c.id, c.name) for c in children],
            reports,
            [finding_row(*row) for row in cross],
            list(pairwise(years)),
            compiled,
        )


# --- one stored report -------------------------------------------------------------------------


@dataclass
class VersionRef:
    id: int
    version: int
    current: bool
    kind: str = "published"  # or "compiled" (from the body's register; never current)


@dataclass
class SourceRef:
    where: str  # a path or a URL
    format: str | None
    sha256: str
    ingested_at: datetime


@dataclass
class StoredReportView:
    id: int
    body_id: int | None  # None: 待认定
    body: str | None
    year: int
    version: int
    current: bool
    kind: str
    template: str
    published: date | None
    source: str | None
    format: str | None
    sha256: str
    ingested_at: datetime | None
    errors: int
    warnings: int
    report: Report
    findings: list[FindingRow]
    versions: list[VersionRef]
    sources: list[SourceRef]
    why_current: str  # a key of versions.REASONS
    chosen_by: str | None = None
    chosen_why: str | None = None


def stored_report(store: Store, report_id: int) -> StoredReportView | None:
    """A stored report as a report model (tables and findings), with its review state and versions."""
    with store.session() as session:
        row = session.get(StoredReport, report_id)
        if row is None:
            return None
        body = session.get(Body, row.body_id) if row.body_id is not None else None
        report = to_report(row, body and body.name)
        findings = session.execute(
            findings_query()
            .where(StoredFinding.report_id == row.id)
            .order_by(StoredFinding.severity, StoredFinding.id)  # "error" < "warning"
        )
        versions: list[Any] = []
        why, choice = "only", None
        if body is not None:
            versions = list(
                session.execute(
                    select(StoredReport.id, StoredReport.version, StoredReport.current, StoredReport.kind)
                    .where(StoredReport.body_id == row.body_id, StoredReport.year == row.year)
                    .order_by(StoredReport.version)
                )
            )
            why = version_list(session, body.id, row.year)[1]
            choice = latest_choice(session, body.id, row.year)
        chosen = choice is not None and choice.report_id == row.id
        return StoredReportView(
            id=row.id,
            body_id=body and body.id,
            body=body and body.name,
            year=row.year,
            version=row.version,
            current=row.current,
            kind=row.kind,
            template=row.template,
            published=row.published,
            source=row.source,
            format=row.format,
            sha256=row.sha256,
            ingested_at=row.ingested_at,
            errors=row.errors,
            warnings=row.warnings,
            report=report,
            findings=[finding_row(*f) for f in findings],
            versions=[VersionRef(v.id, v.version, v.current, v.kind) for v in versions],
            sources=[
                SourceRef(s.url or s.path or "", s.format, s.sha256, s.ingested_at) for s in row.sources
            ],
            why_current=why,
            chosen_by=choice.chosen_by if chosen and choice else None,
            chosen_why=choice.why if chosen and choice else None,
        )


def report_json(view: StoredReportView) -> dict[str, Any]:
    """The JSON contract of the report (docs/FORMAT.md), its findings with their ids and review
    state, and where it is stored (more keys may be added to the contract; none is changed)."""
    out = view.report.to_dict()
    out["findings"] = [
        {
            "id": f.id,
            "rule": f.rule,
            "severity": f.severity,
            "cells": f.cells,
            "message": f.message,
            "status": f.status,
            "comment": f.comment,
            "reviewed_by": f.reviewed_by,
            "reviewed_at": f.reviewed_at,
        }
        for f in view.findings
    ]
    out["stored"] = {
        "id": view.id,
        "body_id": view.body_id,
        "body": view.body,
        "year": view.year,
        "version": view.version,
        "current": view.current,
        "kind": view.kind,
        "sha256": view.sha256,
        "ingested_at": view.ingested_at,
        "versions": [v.__dict__ for v in view.versions],
    }
    return out


# --- comparing, statistics, adding ------------------------------------------------------------


def compare_years(store: Store, body: Body, a: int, b: int) -> Comparison:
    """Two years of one body (see store.compare; a missing year is an InputError naming the
    stored years)."""
    return compare(store, body.name, (a, b))


def copy_threshold() -> float:
    """The narrative similarity from which X-COPY-TEXT fires, so the page marks the same cases."""
    return next((float(r.data["threshold"]) for r in RULES if r.id == "X-COPY-TEXT"), 1.0)


def corpus_stats(
    store: Store,
    *,
    by: str = "year",
    depth: str = DEPTHS[0],
    region: str | None = None,
    level: str | None = None,
    years: list[int] | None = None,
    year_from: int | None = None,
    year_to: int | None = None,
    min_cases: int = 30,
) -> tuple[list[int], list[StatsRow]]:
    """store.stats over the years asked for, and those years: a list, or the years within a
    range that have reports in the selection (so years before the corpus began are not all 缺报),
    or else every year that has one."""
    with store.session() as session:
        present = list(
            session.scalars(
                select(StoredReport.year)
                .join(Body, Body.id == StoredReport.body_id)
                .where(StoredReport.current, *_body_filter(session, region, level))
                .distinct()
                .order_by(StoredReport.year)
            )
        )
    if years:
        wanted = sorted(set(years))
    else:
        low = year_from if year_from is not None else -1
        high = year_to if year_to is not None else 10_000
        wanted = [y for y in present if low <= y <= high]
    rows = stats(
        store,
        region=region or None,
        level=level or None,
        years=wanted,
        by=by,
        depth=depth,
        min_cases=min_cases,
    )
    return wanted, rows


@dataclass
class RegionStats:
    row: StatsRow
    children: list[RegionStats] = field(default_factory=list)


def region_stats(
    store: Store, *, region: str | None, level: str | None, years: list[int]
) -> list[RegionStats]:
    """The statistics of each 省, each 市 under it and each 县 under that (a region's own bodies
    are a child of their own, 本级), for the pages to unfold level by level."""
    levels = [
        stats(store, region=region, level=level, years=years, by="region", depth=depth) for depth in DEPTHS
    ]

    def under(path: tuple[str, ...], depth: int) -> list[RegionStats]:
        if depth == len(DEPTHS):
            return []
        out = []
        for row in levels[depth]:
            if row.group is None or row.path[: len(path)] != path:
                continue
            if row.path == path and not row.own:  # the same region, no deeper here: its children
                out += under(path, depth + 1)
            else:
                out.append(RegionStats(row, [] if row.own else under(row.path, depth + 1)))
        return out

    return [RegionStats(r, [] if r.group is None else under(r.path, 1)) for r in levels[0]]


@dataclass
class Added:
    status: str  # xxgk.store.STATUSES
    report_id: int
    body_id: int | None  # None: 待认定
    body: str | None
    year: int
    errors: int
    warnings: int


def add_report(store: Store, report: Report, sha256: str) -> Added:
    """Store a report read from an upload (by its hash); the same file twice is stored once."""
    status, report_id = store.store_report(report, sha256)
    with store.session() as session:
        row = session.get_one(StoredReport, report_id)
        body = session.get(Body, row.body_id) if row.body_id is not None else None
        return Added(
            status,
            row.id,
            body and body.id,
            body and body.name,
            row.year,
            row.errors,
            row.warnings,
        )
