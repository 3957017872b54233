"""Downloads: the findings list (with the page's filters) as XLSX or CSV, the statistics as XLSX,
a region's 通报, a body's 整改通知 and a comparison as DOCX, PDF, XLSX or HTML.

A route checks what was asked in a thread (a missing body or year is a Chinese message on the
page), then the worker pool makes the file (exports.py): never the event loop.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal
from urllib.parse import quote

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from sqlalchemy import select

from xxgk.serve import queries
from xxgk.serve.corpus_api import body_or_404
from xxgk.serve.corpus_pages import _int, _text
from xxgk.serve.deps import Id, StoreDep
from xxgk.serve.exports import MEDIA
from xxgk.store import Store
from xxgk.store.models import Body, StoredReport

router = APIRouter(include_in_schema=False)

Table = Literal["xlsx", "csv"]
Office = Literal["docx", "pdf", "xlsx", "html"]
Format = Annotated[Office, Query(alias="format")]


async def send_document(request: Request, kind: str, params: dict[str, Any], fmt: str, name: str) -> Response:
    """The file made in a worker, as an attachment named `name` (Chinese, with an ASCII fallback)."""
    suffix = f".{fmt}"
    data = await request.app.state.pool.make(request.app.state.store.url, kind, params, suffix)
    filename = f"{name}{suffix}"
    disposition = f"attachment; filename=\"xxgk-{kind}{suffix}\"; filename*=UTF-8''{quote(filename)}"
    return Response(data, media_type=MEDIA[suffix], headers={"Content-Disposition": disposition})


def _years_of(store: Store, body: Body) -> list[int]:
    with store.session() as session:
        query = select(StoredReport.year).where(StoredReport.body_id == body.id, StoredReport.current)
        return sorted(session.scalars(query))


def _require_years(store: Store, body: Body, years: list[int]) -> None:
    stored = _years_of(store, body)
    for year in years:
        if year not in stored:
            raise HTTPException(422, f"{body.name}没有{year}年度的报告")


@router.get("/findings/export")
async def findings_export(
    request: Request,
    store: StoreDep,
    fmt: Annotated[Table, Query(alias="format")] = "xlsx",
    body: str | None = None,
    year: str | None = None,
    rule: str | None = None,
    severity: Literal["", "error", "warning", "info"] = "",
    status: Literal["", "open", "confirmed", "dismissed"] = "",
) -> Response:
    """Every finding the findings page lists under the same filters, not one page of them."""
    body_id = None
    if _text(body):
        found = await run_in_threadpool(queries.resolve_body, store, body or "")
        if found is None:
            raise HTTPException(422, f"没有这个单位：{_text(body)}")
        body_id = found.id
    where = {
        "body_id": body_id,
        "year": _int(year, "年度"),
        "rule": _text(rule),
        "severity": severity or None,
        "status": status or None,
    }
    return await send_document(request, "findings", where, fmt, "问题清单")


@router.get("/stats/export")
async def stats_export(
    request: Request,
    fmt: Annotated[Literal["xlsx"], Query(alias="format")] = "xlsx",
    by: str = "region",
    region: str | None = None,
    level: str | None = None,
    year_from: str | None = None,
    year_to: str | None = None,
) -> Response:
    """The statistics page's figures under its filters: by year, and by region or level."""
    filters = {
        "by": by if by in ("region", "level") else "region",
        "region": _text(region),
        "level": _text(level),
        "year_from": _int(year_from, "起始年度"),
        "year_to": _int(year_to, "截止年度"),
    }
    return await send_document(request, "stats", filters, fmt, "语料库统计")


def _region_has_bodies(store: Store, region: str) -> bool:
    with store.session() as session:
        query = select(Body.id).where(Body.region.startswith(region, autoescape=True)).limit(1)
        return session.scalar(query) is not None


@router.get("/review/export")
async def review_export(
    request: Request,
    store: StoreDep,
    fmt: Format = "docx",
    region: str | None = None,
    year: str | None = None,
) -> Response:
    """A region's 通报 for a year (the bodies whose region starts with it, as `xxgk review`)."""
    where, when = _text(region), _int(year, "年度")
    if where is None or when is None:
        raise HTTPException(422, "请选择地区和年度")
    if not await run_in_threadpool(_region_has_bodies, store, where):
        raise HTTPException(422, f"没有这个地区的单位：{where}")
    return await send_document(
        request, "review", {"region": where, "year": when}, fmt, f"{where}{when}年度审核情况通报"
    )


@router.get("/bodies/{body_id}/notice")
async def notice_export(
    request: Request,
    store: StoreDep,
    body_id: Id,
    fmt: Annotated[Literal["docx", "pdf", "html"], Query(alias="format")] = "docx",
    year: str | None = None,
    everything: Annotated[bool, Query(alias="all")] = False,
) -> Response:
    """A body's 整改通知 for a year: its confirmed findings (all of them with all=1)."""
    body = await run_in_threadpool(body_or_404, store, body_id)
    when = _int(year, "年度")
    if when is None:
        raise HTTPException(422, "请选择年度")
    await run_in_threadpool(_require_years, store, body, [when])
    params = {"body": body.name, "year": when, "everything": everything}
    return await send_document(request, "notice", params, fmt, f"{body.name}{when}年度整改通知")


@router.get("/bodies/{body_id}/compare/export")
async def compare_export(
    request: Request,
    store: StoreDep,
    body_id: Id,
    fmt: Format = "xlsx",
    a: str | None = None,
    b: str | None = None,
) -> Response:
    """The comparison page's two years as a document."""
    body = await run_in_threadpool(body_or_404, store, body_id)
    first, second = _int(a, "年度"), _int(b, "年度")
    if first is None or second is None or first == second:
        raise HTTPException(422, "请选择两个不同的年度")
    await run_in_threadpool(_require_years, store, body, [first, second])
    years = sorted((first, second))
    params = {"body": body.name, "years": years}
    return await send_document(request, "compare", params, fmt, f"{body.name}{years[0]}与{years[1]}年度比较")
