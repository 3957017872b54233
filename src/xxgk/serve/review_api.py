"""The JSON API of settling what a report is: the 待认定 queue, attributing a queued report,
a body-year's versions and a reviewer's choice of the current one. The same store functions as
`xxgk queue`, `xxgk attribute`, `xxgk versions` and the pages (intake.py); a change needs a
signed-in user (a session with its CSRF token, or an API token), as every write of the API."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query

from xxgk.serve.corpus_api import NO_REPORT, body_or_404
from xxgk.serve.deps import Count, Id, RequiredUser, StoreDep, Year
from xxgk.serve.schemas import (
    ERRORS,
    WRITE_ERRORS,
    AttributedOut,
    AttributeIn,
    ChooseIn,
    QueueOut,
    VersionsOut,
)
from xxgk.store import Store
from xxgk.store.models import Body, StoredReport
from xxgk.store.queue import queued
from xxgk.store.versions import REASONS_ZH

router = APIRouter(prefix="/api", tags=["review"])


@router.get("/queue", summary="The reports waiting for a body (待认定)", response_model=QueueOut)
def queue(store: StoreDep, limit: Annotated[int, Query(ge=1, le=1000)] = 200, offset: Count = 0) -> Any:
    """The oldest first; counted nowhere until attributed."""
    rows = queued(store)
    return {"total": len(rows), "reports": [asdict(q) for q in rows[offset : offset + limit]]}


@router.post(
    "/reports/{report_id}/attribute",
    summary="File a report under a body",
    response_model=AttributedOut,
    responses=WRITE_ERRORS,
)
def attribute(store: StoreDep, user: RequiredUser, report_id: Id, given: AttributeIn) -> Any:
    """A queued report (or one filed wrongly) under the body named: a body not yet known is made."""
    _report_or_404(store, report_id)
    status = store.attribute(report_id, given.body)
    with store.session() as session:
        row = session.get_one(StoredReport, report_id)
        body = session.get_one(Body, row.body_id)
        return {
            "status": status,
            "report_id": row.id,
            "body_id": body.id,
            "body": body.name,
            "year": row.year,
        }


@router.get(
    "/bodies/{body_id}/versions/{year}",
    summary="A body's versions of its report for a year",
    response_model=VersionsOut,
    responses=ERRORS,
)
def versions(store: StoreDep, body_id: Id, year: Year) -> Any:
    """Every version with its sources, which is current and why (a reviewer's choice: who, why)."""
    return _versions(store, body_or_404(store, body_id), year)


@router.post(
    "/reports/{report_id}/choose",
    summary="Make a version the current one",
    response_model=VersionsOut,
    responses=WRITE_ERRORS,
)
def choose(store: StoreDep, user: RequiredUser, report_id: Id, given: ChooseIn) -> Any:
    """The signed-in user chooses this version, saying why; answers the body-year's versions."""
    _report_or_404(store, report_id)
    store.choose_version(report_id, user, given.why)
    with store.session() as session:
        row = session.get_one(StoredReport, report_id)
        body = session.get_one(Body, row.body_id)
        year = row.year
    return _versions(store, body, year)


def _report_or_404(store: Store, report_id: int) -> None:
    with store.session() as session:
        if session.get(StoredReport, report_id) is None:
            raise HTTPException(404, NO_REPORT)


def _versions(store: Store, body: Body, year: int) -> dict[str, Any]:
    name, found, reason = store.version_list(body.name, year)
    if not found:
        raise HTTPException(404, f"{name}没有{year}年度的报告 (no report of this body for this year)")
    return {
        "body_id": body.id,
        "body": name,
        "year": year,
        "why_current": reason,
        "why_current_text": REASONS_ZH[reason],
        "versions": [
            {
                **asdict(v),
                "sources": [{"where": w, "format": f, "ingested_at": at} for w, f, at in v.sources],
            }
            for v in found
        ],
    }
