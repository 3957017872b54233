"""The corpus pages (Jinja2 + htmx): bodies and their coverage, a body, a stored report, two
years compared, the findings with their review, statistics. Their data is the corpus API's
(corpus_api.py), read through the same queries."""

from __future__ import annotations

import re
from typing import Annotated, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Form, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, Response

from xxgk.serve import queries
from xxgk.serve.app import page, templates
from xxgk.serve.corpus_api import NO_BODY, NO_FINDING, NO_REPORT, body_or_404
from xxgk.serve.deps import FIRST_YEAR, LAST_YEAR, Id, RequiredUser, StoreDep
from xxgk.serve.views import table_views
from xxgk.store.columns import plain
from xxgk.store.models import MAX_ID
from xxgk.store.stats import GROUPINGS
from xxgk.store.versions import REASONS_ZH

router = APIRouter(include_in_schema=False)

PAGE_SIZE = 50
SEVERITIES = templates.env.globals["severities"]
STATUSES = {"open": "待审核", "confirmed": "已确认", "dismissed": "已驳回"}
GROUP_NAMES = {"year": "年度", "region": "地区", "level": "层级"}


def _int(value: str | None, what: str, low: int = FIRST_YEAR, high: int = LAST_YEAR) -> int | None:
    """A number from a filter form, where an empty field means "any" (so no 422 for a blank)."""
    value = (value or "").strip()
    if not value:
        return None
    if not re.fullmatch(r"-?[0-9]{1,12}", value):
        raise HTTPException(422, f"{what}应当是整数：{value[:50]}")
    number = int(value)
    if not low <= number <= high:
        raise HTTPException(422, f"{what}应在 {low} 到 {high} 之间：{number}")
    return number


def _text(value: str | None) -> str | None:
    value = (value or "").strip()
    return value or None


@router.get("/bodies", response_class=HTMLResponse)
def bodies_page(
    request: Request, store: StoreDep, region: str | None = None, level: str | None = None
) -> HTMLResponse:
    region, level = _text(region), _text(level)
    tree = queries.walk(queries.body_tree(store, region=region, level=level))
    coverage = queries.coverage(store, region=region, level=level)
    context = {
        "tree": tree,
        "coverage": coverage,
        "regions": queries.coverage_regions(store, coverage),
        "years": coverage.years,
        "options": queries.filter_options(store),
        "region": region,
        "level": level,
    }
    return page(request, "bodies.html", context)


@router.get("/bodies/{body_id}", response_class=HTMLResponse)
def body_page(request: Request, store: StoreDep, body_id: Id) -> HTMLResponse:
    detail = queries.body_detail(store, body_id)
    if detail is None:
        raise HTTPException(404, NO_BODY)
    return page(request, "body.html", {"body": detail, "statuses": STATUSES})


@router.get("/bodies/{body_id}/compare", response_class=HTMLResponse)
def compare_page(
    request: Request, store: StoreDep, body_id: Id, a: str | None = None, b: str | None = None
) -> HTMLResponse:
    """Two years side by side; without years, the latest two stored."""
    body = body_or_404(store, body_id)
    first, second = _int(a, "年度"), _int(b, "年度")
    if first is None or second is None:
        detail = queries.body_detail(store, body_id)
        if detail is None or not detail.pairs:
            raise HTTPException(422, "比较需要这个单位两个年度的报告 (two years are needed)")
        first, second = detail.pairs[-1]
    comparison = queries.compare_years(store, body, first, second)
    context = {
        "body": body,
        "cmp": comparison,
        "threshold": queries.copy_threshold(),
        "statuses": STATUSES,
        "plain": plain,
    }
    return page(request, "compare.html", context)


@router.get("/reports/{report_id}", response_class=HTMLResponse)
def report_page(request: Request, store: StoreDep, report_id: Id) -> HTMLResponse:
    view = queries.stored_report(store, report_id)
    if view is None:
        raise HTTPException(404, NO_REPORT)
    context = {"view": view, "tables": table_views(view.report), "statuses": STATUSES, "reasons": REASONS_ZH}
    return page(request, "report.html", context)


@router.get("/reports/{report_id}/report.xlsx")
def report_xlsx_download(store: StoreDep, report_id: Id) -> Response:
    """A stored report in the official layout, its findings on a second sheet."""
    from xxgk.output.xlsx import report_xlsx

    view = queries.stored_report(store, report_id)
    if view is None:
        raise HTTPException(404, NO_REPORT)
    return Response(
        report_xlsx(view.report),
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": f'attachment; filename="report-{report_id}.xlsx"'},
    )


@router.get("/findings", response_class=HTMLResponse)
def findings_page(
    request: Request,
    store: StoreDep,
    body: str | None = None,
    region: str | None = None,
    year: str | None = None,
    rule: str | None = None,
    severity: Literal["", "error", "warning", "info"] = "",
    status: Literal["", "open", "confirmed", "dismissed"] = "",
    page_number: Annotated[str | None, Query(alias="page")] = None,
) -> HTMLResponse:
    number = max(1, _int(page_number, "页码", -MAX_ID, MAX_ID // PAGE_SIZE) or 1)
    filters = {
        "body": _text(body),
        "region": _text(region),
        "year": _text(year),
        "rule": _text(rule),
        "severity": severity or None,
        "status": status or None,
    }
    notice = None
    body_id = None
    if filters["body"]:
        found = queries.resolve_body(store, filters["body"])
        if found is None:
            notice = f"没有这个单位：{filters['body']}"
        else:
            body_id = found.id
    where = queries.FindingFilter(
        body_id, _int(year, "年度"), filters["rule"], severity or None, status or None, filters["region"]
    )
    if notice is None:
        result = queries.find_findings(store, where, limit=PAGE_SIZE, offset=(number - 1) * PAGE_SIZE)
    else:
        result = queries.FindingsPage(0, PAGE_SIZE, 0, [])
    query = {k: v for k, v in filters.items() if v}
    pages = max(1, -(-result.total // PAGE_SIZE))
    context = {
        "result": result,
        "filters": filters,
        "options": queries.filter_options(store),
        "notice": notice,
        "number": number,
        "pages": pages,
        "previous": f"/findings?{urlencode({**query, 'page': number - 1})}" if number > 1 else None,
        "next": f"/findings?{urlencode({**query, 'page': number + 1})}" if number < pages else None,
        "here": f"/findings?{urlencode({**query, 'page': number})}",
        "severities": SEVERITIES,
        "statuses": STATUSES,
    }
    return page(request, "findings.html", context)


@router.post("/findings/{finding_id}/review", response_class=HTMLResponse)
def review(
    request: Request,
    store: StoreDep,
    user: RequiredUser,
    finding_id: Id,
    status: Annotated[Literal["confirmed", "dismissed", "open"], Form()],
    comment: Annotated[str, Form(max_length=2000)] = "",
) -> HTMLResponse:
    """htmx: keep the verdict and answer the finding's row, which replaces the old one."""
    row = queries.review_finding(store, finding_id, status, comment, user)
    if row is None:
        raise HTTPException(404, NO_FINDING)
    context = {"f": row, "severities": SEVERITIES, "statuses": STATUSES, "here": "/findings"}
    return page(request, "_finding_row.html", context)


@router.get("/stats", response_class=HTMLResponse)
def stats_page(
    request: Request,
    store: StoreDep,
    by: str = "region",
    region: str | None = None,
    level: str | None = None,
    year_from: str | None = None,
    year_to: str | None = None,
) -> HTMLResponse:
    """The filters and a table of the figures by year; stats.js draws the charts from /api/stats."""
    if by not in GROUPINGS or by == "year":
        by = "region"
    region, level = _text(region), _text(level)
    low, high = _int(year_from, "起始年度"), _int(year_to, "截止年度")
    years, rows = queries.corpus_stats(
        store, by="year", region=region, level=level, year_from=low, year_to=high
    )
    context = {
        "rows": rows,
        "regions": queries.region_stats(store, region=region, level=level, years=years) if years else [],
        "years": years,
        "options": queries.filter_options(store),
        "filters": {"by": by, "region": region, "level": level, "year_from": low, "year_to": high},
        "group_names": GROUP_NAMES,
    }
    return page(request, "stats.html", context)
