"""The web's downloads as documents, made in a worker process (workers.py), never on the server's
event loop: the findings list and the statistics as tables, the region review, a body's notice,
a comparison. The worker opens the store itself (one engine per worker and database) and writes
the document with the document layer; only the request's parameters and the bytes cross over.

This module must not import the web stack: the workers import it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from xxgk.documents import Document, Table, render
from xxgk.documents.common import SEVERITY, STATUS, places, rule_title
from xxgk.documents.review import rate_text
from xxgk.store import Store

# what each download is called in a file name, and the formats it comes in
MEDIA = {
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".csv": "text/csv; charset=utf-8",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".pdf": "application/pdf",
    ".html": "text/html; charset=utf-8",
}
FINDING_HEADERS = [
    "机关",
    "年度",
    "版本",
    "问题类别",
    "规则",
    "严重程度",
    "单元格",
    "问题",
    "审核状态",
    "审核意见",
]
STATS_HEADERS = ["报告", "单位", "收到申请", "公开率", "予以公开及部分公开", "办理总计"]
STATS_HEADERS += ["纠错率", "被纠错", "复议诉讼", "有错误的报告", "缺报"]


def findings_document(store: Store, where: dict[str, Any]) -> Document:
    """Every finding the findings page lists under its filters, one row each (no paging)."""
    from xxgk.store.findings import FindingFilter, conditions, finding_row, findings_query
    from xxgk.store.models import Body, StoredFinding, StoredReport

    query = (
        findings_query()
        .add_columns(StoredReport.template)
        .where(*conditions(FindingFilter(**where)))
        .order_by(Body.name, StoredReport.year, StoredFinding.severity, StoredFinding.id)
    )
    rows: list[list[object]] = []
    with store.session() as session:
        for *found, template in session.execute(query):
            f = finding_row(*found)
            rows.append(
                [
                    f.body,
                    f.year,
                    f.version,
                    rule_title(f.rule),
                    f.rule,
                    SEVERITY.get(f.severity, f.severity),
                    places(template, f.cells, most=len(f.cells)),
                    f.message,
                    STATUS.get(f.status, f.status),
                    f.comment or "",
                ]
            )
    table = Table.simple(FINDING_HEADERS, rows, caption="问题清单", sheet="问题清单")
    return Document("问题清单", blocks=[table])


def stats_document(store: Store, filters: dict[str, Any]) -> Document:
    """The statistics page's figures: by year, then by region or level, the parts of each rate
    beside it so a spreadsheet can recompute it."""
    from xxgk.serve.queries import corpus_stats

    names = {"year": "年度", "region": "地区", "level": "层级"}
    selection = {key: value for key, value in filters.items() if key != "by"}
    tables = []
    for grouping in ("year", filters["by"]):
        _, rows = corpus_stats(store, by=grouping, **selection)
        table_rows = [
            [
                "（未知）" if r.group is None else r.group,
                r.reports,
                r.bodies,
                "—" if r.received is None else r.received,
                rate_text(r.disclosure),
                r.disclosure.numerator,
                r.disclosure.denominator,
                rate_text(r.correction),
                r.correction.numerator,
                r.correction.denominator,
                r.with_errors,
                r.missing,
            ]
            for r in rows
        ]
        name = f"按{names[grouping]}"
        tables.append(Table.simple([names[grouping], *STATS_HEADERS], table_rows, caption=name, sheet=name))
    return Document("语料库统计", blocks=tables)


def _review(store: Store, p: dict[str, Any]) -> Document:
    from xxgk.documents.review import review

    return review(store, p["region"], p["year"])


def _notice(store: Store, p: dict[str, Any]) -> Document:
    from xxgk.documents.notice import notice

    return notice(store, p["body"], p["year"], everything=p["everything"])


def _compare(store: Store, p: dict[str, Any]) -> Document:
    from xxgk.documents.comparison import body_comparison

    return body_comparison(store, p["body"], p["years"])


def _compiled(store: Store, p: dict[str, Any]) -> Document:
    """The annual report compiled from a body's register (the route checked that it compiles)."""
    from xxgk.register.service import compile_year, last_year_report
    from xxgk.store.models import Body

    with store.session() as session:
        body = session.get(Body, p["body_id"])
        assert body is not None
        previous = last_year_report(store, body.name, p["year"])
        return compile_year(session, body.id, p["year"], previous).document()


BUILDERS: dict[str, Callable[[Store, dict[str, Any]], Document]] = {
    "findings": findings_document,
    "stats": stats_document,
    "review": _review,
    "notice": _notice,
    "compare": _compare,
    "compiled": _compiled,
}
_stores: dict[str, Store] = {}


def document_job(url: str, kind: str, params: dict[str, Any], suffix: str) -> bytes:
    """In a worker: the document `kind` over the store at `url`, written as `suffix`."""
    store = _stores.get(url)
    if store is None:
        store = _stores[url] = Store(url)
    return render(BUILDERS[kind](store, params), suffix)
