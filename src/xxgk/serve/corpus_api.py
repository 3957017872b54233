"""The corpus JSON API under /api/: bodies, coverage, stored reports, comparisons, findings and
their review, statistics, and adding a report. The data of each corpus page (corpus_pages.py)."""

from __future__ import annotations

import hashlib
from dataclasses import asdict
from typing import Annotated, Any, Literal

from fastapi import APIRouter, File, HTTPException, Query, Request, UploadFile
from fastapi.concurrency import run_in_threadpool

from xxgk.serve import queries
from xxgk.serve.deps import Count, Id, RequiredUser, StoreDep, Year
from xxgk.serve.schemas import (
    ERRORS,
    WRITE_ERRORS,
    AddedOut,
    BodyDetailOut,
    BodyNodeOut,
    CompareOut,
    CoverageOut,
    FindingOut,
    FindingsPageOut,
    ReportOut,
    ReviewIn,
    StatsOut,
)
from xxgk.serve.uploads import read_upload
from xxgk.store import Store
from xxgk.store.models import Body

router = APIRouter(prefix="/api", tags=["corpus"])

NO_BODY = "没有这个单位 (no such body)"
NO_REPORT = "没有这份报告 (no such report)"
NO_FINDING = "没有这个问题 (no such finding)"

Region = Annotated[
    str | None, Query(description="the bodies of this region and the regions under it (`xxgk bodies import`)")
]
Level = Annotated[str | None, Query(description="省 / 市 / 县 / 乡镇 / 街道 / 部门")]


def body_or_404(store: Store, body_id: int) -> Body:
    body = queries.get_body(store, body_id)
    if body is None:
        raise HTTPException(404, NO_BODY)
    return body


@router.get("/bodies", summary="Bodies as a tree", response_model=list[BodyNodeOut])
def bodies(store: StoreDep, region: Region = None, level: Level = None) -> Any:
    """Every body (or those of a region or level), children under their parent."""
    return queries.body_tree(store, region=region, level=level)


@router.get(
    "/bodies/{body_id}", summary="A body and its reports", response_model=BodyDetailOut, responses=ERRORS
)
def body(store: StoreDep, body_id: Id) -> Any:
    detail = queries.body_detail(store, body_id)
    if detail is None:
        raise HTTPException(404, NO_BODY)
    return detail


@router.get("/coverage", summary="Which body has a report for which year", response_model=CoverageOut)
def coverage(store: StoreDep, region: Region = None, level: Level = None) -> Any:
    """Years present in the store, and per body (in tree order) its current report of each year."""
    found = queries.coverage(store, region=region, level=level)
    rows = [
        {**asdict(row), "years": {str(y): asdict(c) if c else None for y, c in row.years.items()}}
        for row in found.rows
    ]
    return {"years": found.years, "bodies": rows}


@router.get("/reports/{report_id}", summary="A stored report", response_model=ReportOut, responses=ERRORS)
def report(store: StoreDep, report_id: Id) -> Any:
    """The JSON contract of docs/FORMAT.md, with the findings' ids and reviews and where it is stored."""
    view = queries.stored_report(store, report_id)
    if view is None:
        raise HTTPException(404, NO_REPORT)
    return queries.report_json(view)


@router.post(
    "/reports", summary="Add a report to the corpus", response_model=AddedOut, responses=WRITE_ERRORS
)
async def add_report(
    request: Request,
    store: StoreDep,
    user: RequiredUser,
    file: Annotated[UploadFile, File(description="A report: text, HTML, DOCX, DOC/WPS, PDF or image")],
) -> Any:
    """Read, check and store the file: a new report, a new version of a stored one, or unchanged."""
    data, name = await read_upload(file, request.app.state.max_upload)
    report = await request.app.state.pool.read(data, name)
    return await run_in_threadpool(queries.add_report, store, report, hashlib.sha256(data).hexdigest())


@router.get("/compare", summary="One body, two years", response_model=CompareOut, responses=ERRORS)
def compare(
    store: StoreDep,
    body_id: Annotated[Id, Query(description="a body's id")],
    a: Annotated[Year, Query(description="a year")],
    b: Annotated[Year, Query(description="another year")],
) -> Any:
    """Every cell in both years (with the change), each year's findings, and how alike the words are."""
    found = body_or_404(store, body_id)
    return {"body_id": found.id, **queries.compare_years(store, found, a, b).to_dict()}


@router.get("/findings", summary="Findings of the current reports", response_model=FindingsPageOut)
def findings(
    store: StoreDep,
    body: Annotated[str | None, Query(description="a body id or name (and the bodies under it)")] = None,
    region: Region = None,
    year: Year | None = None,
    rule: Annotated[str | None, Query(description="a rule id; X-* for every cross-year rule")] = None,
    severity: Literal["error", "warning", "info"] | None = None,
    status: Literal["open", "confirmed", "dismissed"] | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 50,
    offset: Count = 0,
) -> Any:
    body_id = None
    if body:
        found = queries.resolve_body(store, body)
        if found is None:
            raise HTTPException(404, NO_BODY)
        body_id = found.id
    where = queries.FindingFilter(body_id, year, rule or None, severity, status, region or None)
    return queries.find_findings(store, where, limit=limit, offset=offset)


@router.post(
    "/findings/{finding_id}/review",
    summary="Confirm or dismiss a finding",
    response_model=FindingOut,
    responses=WRITE_ERRORS,
)
def review(store: StoreDep, user: RequiredUser, finding_id: Id, verdict: ReviewIn) -> Any:
    """Keep the reviewer's verdict, comment, name and time on the finding (open reopens it)."""
    row = queries.review_finding(store, finding_id, verdict.status, verdict.comment, user)
    if row is None:
        raise HTTPException(404, NO_FINDING)
    return row


@router.get("/stats", summary="Corpus statistics", response_model=StatsOut, responses=ERRORS)
def statistics(
    store: StoreDep,
    by: Literal["year", "region", "level"] = "year",
    depth: Annotated[Literal["省", "市", "县"], Query(description="by region: the level to group at")] = "省",
    region: Region = None,
    level: Level = None,
    year: Annotated[list[Year] | None, Query(description="years (repeat: year=2022&year=2023)")] = None,
    year_from: Year | None = None,
    year_to: Year | None = None,
    min_cases: Annotated[Count, Query(description="a rate on fewer cases is marked small")] = 30,
) -> Any:
    """Reports, bodies, applications received, 公开率 and 纠错率 (pooled, with their parts) per group."""
    years, rows = queries.corpus_stats(
        store,
        by=by,
        depth=depth,
        region=region,
        level=level,
        years=year,
        year_from=year_from,
        year_to=year_to,
        min_cases=min_cases,
    )
    return {
        "by": by,
        "depth": depth,
        "years": years,
        "min_cases": min_cases,
        "rows": [r.to_dict() for r in rows],
    }
