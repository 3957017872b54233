"""The register in the web application: pages under /register (htmx: an event answers the
application's panel, no reload) and the same data under /api/register/ (in the OpenAPI docs).

Only signed-in members of a body see its register: to anyone else it does not exist (404).
Extensions need the role `head`. The applicant's name and contact are masked; showing them is a
request of its own, logged. Every change is logged by the register's service.
"""

from __future__ import annotations

from datetime import date
from html import escape
from typing import TYPE_CHECKING, Annotated, Any, Literal

from fastapi import APIRouter, Form, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from xxgk.clock import Calendar
from xxgk.errors import XxgkError
from xxgk.register import service
from xxgk.register.rules import (
    APPLICANTS,
    AUDIT_ACTIONS,
    CHANNEL_LABELS,
    DELIVERY,
    EVENTS,
    OUTCOME_SHORT,
    OUTCOMES,
    PARTIES,
    QUEUES,
    ROLES,
    STATUSES,
)
from xxgk.register.tables import AuditEntry, RegisterApplication
from xxgk.serve import messages
from xxgk.serve.app import page
from xxgk.serve.deps import Id, RequiredUser, StoreDep
from xxgk.store import Store
from xxgk.store.models import Body

if TYPE_CHECKING:
    from xxgk.compile import Compiled

pages = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api/register", tags=["register"])

NOT_FOUND = "没有这个台账，或您无权查看 (no such register for this user)"
NO_APPLICATION = "没有这件申请 (no such application)"
# the event kinds a clerk records in the form (the receipt is the registration; void names an event)
FORM_KINDS = [k for k in EVENTS if k != "receipt"]
LABELS = {
    "statuses": STATUSES,
    "outcomes": OUTCOMES,
    "outcome_short": OUTCOME_SHORT,
    "applicants": APPLICANTS,
    "channels": CHANNEL_LABELS,
    "events": {k: v["label"] for k, v in EVENTS.items()},
    "parties": PARTIES,
    "delivery": DELIVERY,
    "roles": ROLES,
    "queues": QUEUES,
    "actions": AUDIT_ACTIONS,
}


def _calendar(request: Request) -> Calendar:
    """The working-day calendar (the package's notices and those `xxgk calendar import` kept)."""
    if getattr(request.app.state, "calendar", None) is None:
        from xxgk.clock.kept import kept_calendar

        request.app.state.calendar = kept_calendar()
    return request.app.state.calendar


def _member(session: Session, user: str, body_id: int) -> tuple[Body, str]:
    role = service.roles_of(session, user).get(body_id)
    body = session.get(Body, body_id)
    if role is None or body is None:
        raise HTTPException(404, NOT_FOUND)
    return body, role


def _application(session: Session, body_id: int, number: str) -> RegisterApplication:
    row = session.scalar(
        select(RegisterApplication).where(
            RegisterApplication.body_id == body_id, RegisterApplication.number == number
        )
    )
    if row is None:
        raise HTTPException(404, NO_APPLICATION)
    return row


def _detail(session: Session, row: RegisterApplication) -> dict[str, Any]:
    events = service.events_of(session, row)
    corrected = {e.corrects for e in events if e.corrects}
    return {
        **service.summary(row),
        "request": row.request,
        "form": row.form,
        "evidence": row.evidence,
        "clock": row.clock,
        "events": [
            {
                "id": e.id,
                "kind": e.kind,
                "on": e.on,
                "data": e.data,
                "corrects": e.corrects,
                "corrected": e.id in corrected,
                "by": e.actor,
                "recorded_at": e.recorded_at,
            }
            for e in events
        ],
    }


def _bodies(store: Store, user: str) -> list[dict[str, Any]]:
    with store.session() as session:
        roles = service.roles_of(session, user)
        bodies = session.scalars(select(Body).where(Body.id.in_(roles)).order_by(Body.name)) if roles else []
        return [{"id": b.id, "name": b.name, "role": roles[b.id]} for b in bodies]


def _queues(store: Store, request: Request, user: str, body_id: int) -> dict[str, list[dict[str, Any]]]:
    with store.session() as session:
        _member(session, user, body_id)
        found = service.queues(session, body_id, _calendar(request), date.today())
        return {name: [service.summary(r) for r in rows] for name, rows in found.items()}


def _list(store: Store, user: str, body_id: int) -> list[dict[str, Any]]:
    with store.session() as session:
        _member(session, user, body_id)
        rows = session.scalars(
            select(RegisterApplication)
            .where(RegisterApplication.body_id == body_id)
            .order_by(RegisterApplication.received.desc(), RegisterApplication.id.desc())
        )
        return [service.summary(r) for r in rows]


def _add(store: Store, request: Request, user: str, body_id: int, new: ApplicationIn) -> RegisterApplication:
    from xxgk.register.rules import applicant_id, channel_id

    with store.writing() as session:
        _member(session, user, body_id)
        application = service.NewApplication(
            new.number,
            new.received,
            channel_id(new.channel),
            applicant_id(new.applicant_type),
            new.applicant_name,
            new.applicant_contact,
            new.request,
            new.form,
            new.evidence,
        )
        return service.add_application(session, body_id, application, user, _calendar(request), date.today())


def _event(
    store: Store, request: Request, user: str, body_id: int, number: str, new: EventIn
) -> dict[str, Any]:
    from xxgk.register.rules import outcome_id

    with store.writing() as session:
        _, role = _member(session, user, body_id)
        if new.kind == "extension" and role != "head":
            raise HTTPException(403, "延期答复须由负责人批准 (an extension needs the role head)")
        row = _application(session, body_id, number)
        data: dict[str, Any] = new.model_dump(
            exclude={"kind", "on", "corrects", "amendment"}, exclude_none=True
        )
        if new.kind == "extension":
            data.setdefault("approved_by", user)
        if new.outcome:
            data["outcome"] = outcome_id(new.outcome)
        service.add_event(
            session,
            row,
            new.kind,
            new.on,
            data,
            user,
            _calendar(request),
            date.today(),
            new.corrects,
            new.amendment,
        )
        return _detail(session, row)


def _audit(store: Store, user: str, body_id: int) -> list[dict[str, Any]]:
    with store.session() as session:
        _member(session, user, body_id)
        numbers = dict(
            session.execute(
                select(RegisterApplication.id, RegisterApplication.number).where(
                    RegisterApplication.body_id == body_id
                )
            ).all()
        )
        entries = session.scalars(
            select(AuditEntry).where(AuditEntry.body_id == body_id).order_by(AuditEntry.id.desc())
        )
        return [
            {
                "at": e.at,
                "actor": e.actor,
                "action": e.action,
                "application": numbers.get(e.application_id) if e.application_id else None,
                "detail": e.detail,
            }
            for e in entries
        ]


# --- the API ------------------------------------------------------------------------------------


class ApplicationIn(BaseModel):
    received: date = Field(description="The receipt date (条例第31条)")
    channel: str = Field(description="当面, 挂号信, 平信, 网络, 传真 (or in_person, registered_post …)")
    applicant_type: str = Field(description="A column of table 三: 自然人, 商业企业 … (or its id)")
    number: str | None = Field(None, max_length=50, description="编号 (default: YEAR-NNNN)")
    applicant_name: str | None = Field(None, max_length=200)
    applicant_contact: str | None = Field(None, max_length=200)
    request: str | None = Field(None, max_length=5000, description="申请内容")
    form: str | None = Field(None, max_length=50)
    evidence: str | None = Field(None, max_length=500, description="What fixes the receipt date")


class EventIn(BaseModel):
    kind: str = Field(description=", ".join(FORM_KINDS))
    on: date
    outcome: str | None = Field(None, description="A reply's outcome: a row of table 三 (id or label)")
    party: str | None = Field(None, description="third_party or other_agency")
    basis: str | None = Field(None, description="A fee notice: count or pages")
    pages: int | None = Field(None, ge=1, le=1_000_000)
    approved_by: str | None = Field(None, max_length=100)
    reason: str | None = Field(None, max_length=500)
    days: int | None = Field(None, ge=1, le=20)
    delivered: str | None = None
    corrects: int | None = Field(None, ge=1, description="The event this one corrects (or voids)")
    amendment: str | None = Field(None, max_length=500, description="The reason for changing a locked year")


@api.get("/bodies", summary="The bodies whose register the user may see, with the user's role")
def api_bodies(store: StoreDep, user: RequiredUser) -> list[dict[str, Any]]:
    return _bodies(store, user)


@api.get("/{body_id}/applications", summary="A body's applications (applicants masked)")
def api_list(store: StoreDep, user: RequiredUser, body_id: Id) -> list[dict[str, Any]]:
    return _list(store, user, body_id)


@api.post("/{body_id}/applications", summary="Register an application", status_code=201)
def api_add(
    request: Request, store: StoreDep, user: RequiredUser, body_id: Id, new: ApplicationIn
) -> dict[str, Any]:
    row = _add(store, request, user, body_id, new)
    return service.summary(row)


@api.get("/{body_id}/applications/{number}", summary="An application: state, deadlines with trace, events")
def api_show(store: StoreDep, user: RequiredUser, body_id: Id, number: str) -> dict[str, Any]:
    with store.session() as session:
        _member(session, user, body_id)
        return _detail(session, _application(session, body_id, number))


@api.get("/{body_id}/applications/{number}/personal", summary="The applicant's name and contact (logged)")
def api_personal(store: StoreDep, user: RequiredUser, body_id: Id, number: str) -> dict[str, str]:
    with store.writing() as session:
        _member(session, user, body_id)
        return service.personal(session, _application(session, body_id, number), user, reveal=True)


@api.post("/{body_id}/applications/{number}/events", summary="Record an event (append-only)", status_code=201)
def api_event(
    request: Request, store: StoreDep, user: RequiredUser, body_id: Id, number: str, new: EventIn
) -> dict[str, Any]:
    return _event(store, request, user, body_id, number, new)


@api.get("/{body_id}/due", summary="The queues: 补正 to decide, due soon, overdue, consultations, fees")
def api_due(
    request: Request, store: StoreDep, user: RequiredUser, body_id: Id
) -> dict[str, list[dict[str, Any]]]:
    return _queues(store, request, user, body_id)


@api.get("/{body_id}/monthly", summary="条例第35条: applicants by applications per month, fee by count")
def api_monthly(
    store: StoreDep, user: RequiredUser, body_id: Id, year: int | None = None
) -> list[dict[str, Any]]:
    from dataclasses import asdict

    with store.session() as session:
        _member(session, user, body_id)
        return [asdict(line) | {"count": line.count} for line in service.by_month(session, body_id, year)]


@api.get("/{body_id}/audit", summary="The audit log of the body's register (read only)")
def api_audit(store: StoreDep, user: RequiredUser, body_id: Id) -> list[dict[str, Any]]:
    return _audit(store, user, body_id)


# --- the pages ----------------------------------------------------------------------------------


def _signed_in(request: Request) -> str:
    auth = getattr(request.state, "auth", None)
    if auth is None or auth.user is None:
        raise HTTPException(401, "请先登录 (sign in first)")
    return auth.user


@pages.get("/register", response_class=HTMLResponse)
def register_home(request: Request, store: StoreDep) -> Response:
    user = _signed_in(request)
    bodies = _bodies(store, user)
    if len(bodies) == 1:
        return RedirectResponse(f"/register/{bodies[0]['id']}", status_code=303)
    return page(request, "register_home.html", {"bodies": bodies, "labels": LABELS})


@pages.get("/register/{body_id}", response_class=HTMLResponse)
def register_body(request: Request, store: StoreDep, body_id: Id) -> HTMLResponse:
    user = _signed_in(request)
    queue = _queues(store, request, user, body_id)
    rows = _list(store, user, body_id)
    with store.session() as session:
        body, role = _member(session, user, body_id)
        name = body.name
    context = {
        "body_id": body_id,
        "name": name,
        "role": role,
        "queues": queue,
        "rows": rows,
        "labels": LABELS,
    }
    return page(request, "register_body.html", context)


@pages.post("/register/{body_id}/applications", response_class=HTMLResponse)
def register_add(
    request: Request,
    store: StoreDep,
    body_id: Id,
    received: Annotated[date, Form()],
    channel: Annotated[str, Form(max_length=20)],
    applicant_type: Annotated[str, Form(max_length=20)],
    number: Annotated[str, Form(max_length=50)] = "",
    applicant_name: Annotated[str, Form(max_length=200)] = "",
    applicant_contact: Annotated[str, Form(max_length=200)] = "",
    request_text: Annotated[str, Form(alias="request", max_length=5000)] = "",
) -> Response:
    user = _signed_in(request)
    new = ApplicationIn(
        received=received,
        channel=channel,
        applicant_type=applicant_type,
        number=number or None,
        applicant_name=applicant_name or None,
        applicant_contact=applicant_contact or None,
        request=request_text or None,
    )
    try:
        row = _add(store, request, user, body_id, new)
    except XxgkError as error:
        if not request.headers.get("hx-request"):
            raise
        return HTMLResponse(f'<p class="notice error">未登记：{escape(messages.for_error(error))}</p>')
    target = f"/register/{body_id}/applications/{row.number}"
    if request.headers.get("hx-request"):
        return Response(status_code=204, headers={"HX-Redirect": target})
    return RedirectResponse(target, status_code=303)


def _application_page(
    request: Request, store: StoreDep, body_id: int, number: str, name: str, error: str | None = None
) -> HTMLResponse:
    user = _signed_in(request)
    with store.session() as session:
        body, role = _member(session, user, body_id)
        detail = _detail(session, _application(session, body_id, number))
    context = {
        "body_id": body_id,
        "name": body.name,
        "role": role,
        "a": detail,
        "labels": LABELS,
        "kinds": FORM_KINDS,
        "error": error,
        "today": date.today(),
    }
    return page(request, name, context)  # an error is shown in the panel: htmx swaps only a 2xx


@pages.get("/register/{body_id}/applications/{number}", response_class=HTMLResponse)
def register_application(request: Request, store: StoreDep, body_id: Id, number: str) -> HTMLResponse:
    return _application_page(request, store, body_id, number, "register_application.html")


@pages.post("/register/{body_id}/applications/{number}/events", response_class=HTMLResponse)
def register_event(
    request: Request,
    store: StoreDep,
    body_id: Id,
    number: str,
    kind: Annotated[str, Form(max_length=30)],
    on: Annotated[date, Form()],
    outcome: Annotated[str, Form(max_length=40)] = "",
    party: Annotated[str, Form(max_length=20)] = "",
    basis: Annotated[str, Form(max_length=10)] = "",
    pages_count: Annotated[str, Form(alias="pages", max_length=7)] = "",
    reason: Annotated[str, Form(max_length=500)] = "",
    days: Annotated[str, Form(max_length=2)] = "",
    delivered: Annotated[str, Form(max_length=20)] = "",
    corrects: Annotated[str, Form(max_length=12)] = "",
    amendment: Annotated[str, Form(max_length=500)] = "",
) -> HTMLResponse:
    """htmx: record the event and answer the application's panel (state, trace, timeline)."""
    user = _signed_in(request)
    try:
        new = EventIn(
            kind=kind,
            on=on,
            outcome=outcome or None,
            party=party or None,
            basis=basis or None,
            pages=int(pages_count) if pages_count.strip() else None,
            reason=reason or None,
            days=int(days) if days.strip() else None,
            delivered=delivered or None,
            corrects=int(corrects) if corrects.strip() else None,
            amendment=amendment or None,
        )
        _event(store, request, user, body_id, number, new)
    except (XxgkError, ValueError) as error:
        message = messages.for_error(error) if isinstance(error, XxgkError) else "填写的数字不正确"
        return _application_page(request, store, body_id, number, "_register_panel.html", message)
    return _application_page(request, store, body_id, number, "_register_panel.html")


@pages.post("/register/{body_id}/applications/{number}/personal", response_class=HTMLResponse)
def register_personal(request: Request, store: StoreDep, body_id: Id, number: str) -> HTMLResponse:
    """htmx: the applicant in full (logged)."""
    user = _signed_in(request)
    with store.writing() as session:
        _member(session, user, body_id)
        data = service.personal(session, _application(session, body_id, number), user, reveal=True)
    return page(request, "_register_personal.html", {"p": data})


@pages.get("/register/{body_id}/monthly", response_class=HTMLResponse)
def register_monthly(request: Request, store: StoreDep, body_id: Id) -> HTMLResponse:
    user = _signed_in(request)
    with store.session() as session:
        body, _ = _member(session, user, body_id)
        lines = service.by_month(session, body_id)
        name = body.name
    return page(
        request, "register_monthly.html", {"body_id": body_id, "name": name, "lines": lines, "labels": LABELS}
    )


@pages.get("/register/{body_id}/audit", response_class=HTMLResponse)
def register_audit(request: Request, store: StoreDep, body_id: Id) -> HTMLResponse:
    user = _signed_in(request)
    entries = _audit(store, user, body_id)
    with store.session() as session:
        name = _member(session, user, body_id)[0].name
    return page(
        request,
        "register_audit.html",
        {"body_id": body_id, "name": name, "entries": entries, "labels": LABELS},
    )


# --- the annual report compiled from the register (issue 19) -----------------------------------

NO_YEAR = "台账中没有这一年度的申请 (no such year in this register)"
NO_CELL = "报告中没有这个数字 (no such cell)"
DOCUMENT_FORMATS = {"docx": "Word", "pdf": "PDF", "html": "网页"}


def _report_years(session: Session, body_id: int) -> list[int]:
    """The years the register has applications received in, newest first (2019 on: the templates)."""
    from xxgk.templates import template_for_year

    days = session.scalars(select(RegisterApplication.received).where(RegisterApplication.body_id == body_id))
    return sorted({d.year for d in days if template_for_year(d.year) is not None}, reverse=True)


def _compiled(store: Store, session: Session, body: Body, year: int) -> Compiled:
    if year not in _report_years(session, body.id):
        raise HTTPException(404, NO_YEAR)
    previous = service.last_year_report(store, body.name, year)
    return service.compile_year(session, body.id, year, previous)


def _entries(session: Session, body_id: int, year: int, key: str, entries: tuple[str, ...]) -> dict[str, Any]:
    """The register entries behind a cell as the register pages list them (applicants masked)."""
    from xxgk.register.rules import APPEAL_LABELS, RESULT_LABELS
    from xxgk.store.models import RegisterDocument, RegisterFigures

    table, row_id = key.split(".")[:2]
    if table == "applications":
        rows = session.scalars(
            select(RegisterApplication)
            .where(RegisterApplication.body_id == body_id, RegisterApplication.number.in_(entries))
            .order_by(RegisterApplication.received, RegisterApplication.number)
        )
        return {"applications": [service.summary(r) for r in rows]}
    if table == "appeals":
        from xxgk.register.tables import RegisterAppeal

        numbers = dict(
            session.execute(
                select(RegisterApplication.id, RegisterApplication.number).where(
                    RegisterApplication.body_id == body_id
                )
            ).all()
        )
        ids = [int(e) for e in entries if e.isdigit()]
        appeals = session.scalars(
            select(RegisterAppeal)
            .where(RegisterAppeal.body_id == body_id, RegisterAppeal.id.in_(ids))
            .order_by(RegisterAppeal.filed, RegisterAppeal.id)
        )
        return {
            "appeals": [
                {
                    "kind": APPEAL_LABELS.get(a.kind, a.kind),
                    "filed": a.filed,
                    "decided": a.decided,
                    "result": RESULT_LABELS.get(a.result or "", ""),
                    "application": numbers.get(a.application_id) if a.application_id else None,
                }
                for a in appeals
            ]
        }
    if row_id in ("regulations", "normative_documents"):
        documents = session.scalars(
            select(RegisterDocument)
            .where(
                RegisterDocument.body_id == body_id,
                RegisterDocument.kind == row_id,
                RegisterDocument.number.in_(entries),
            )
            .order_by(RegisterDocument.issued, RegisterDocument.number)
        )
        return {"documents": list(documents)}
    # a yearly figure (行政许可 …): the year's figures are its one entry
    figures = session.scalars(
        select(RegisterFigures).where(RegisterFigures.body_id == body_id, RegisterFigures.year == year)
    )
    return {"figures": list(figures) if entries else []}


def _cell_name(template_id: str, key: str) -> str:
    from xxgk.compile.locked import row_label, table_label
    from xxgk.templates import TEMPLATES

    template = TEMPLATES[template_id]
    return f"{table_label(template, key)} · {row_label(template, key)} · {template.cell(key)[2].label}"


@pages.get("/register/{body_id}/report", response_class=HTMLResponse)
def register_report(request: Request, store: StoreDep, body_id: Id, year: int | None = None) -> HTMLResponse:
    """The annual report compiled from the register: its tables, each figure opening to its
    entries; the register's errors instead, naming the entries; what changed since the lock."""
    from xxgk.compile.locked import summary, unmatched
    from xxgk.serve.views import table_views

    user = _signed_in(request)
    with store.session() as session:
        body, _ = _member(session, user, body_id)
        years = _report_years(session, body_id)
        context: dict[str, Any] = {"body_id": body_id, "name": body.name, "years": years, "year": year}
        if years:
            chosen = year if year is not None else years[0]
            compiled = _compiled(store, session, body, chosen)
            locked = compiled.locked
            context |= {
                "year": chosen,
                "problems": compiled.problems,
                "tables": table_views(compiled.report) if compiled.report else [],
                "locked": locked,
                "amended": compiled.amended,
                "formats": DOCUMENT_FORMATS,
            }
            if compiled.amended and locked is not None:
                context |= {
                    "summary": summary(locked, compiled.changes),
                    "changes": compiled.changes,
                    "unmatched": unmatched(locked, compiled.changes),
                }
    return page(request, "register_report.html", context)


@pages.get("/register/{body_id}/report/{year}/cells/{key}", response_class=HTMLResponse)
def register_report_cell(request: Request, store: StoreDep, body_id: Id, year: int, key: str) -> HTMLResponse:
    """htmx: the register entries behind one figure of the compiled report (the read is logged)."""
    user = _signed_in(request)
    with store.writing() as session:
        body, _ = _member(session, user, body_id)
        compiled = _compiled(store, session, body, year)
        if compiled.report is None or key not in compiled.report.cells:
            raise HTTPException(404, NO_CELL)
        entries = compiled.entries(key)
        cell = _cell_name(compiled.report.template_id, key)
        context = {
            "body_id": body_id,
            "name": body.name,
            "year": year,
            "cell": cell,
            "value": compiled.report.cells[key].text,
            "labels": LABELS,
            **_entries(session, body_id, year, key, entries),
        }
        service.audit(session, user, "read_entries", body_id, detail={"year": year, "cell": cell})
    fragment = bool(request.headers.get("hx-request"))
    return page(request, "_register_cell.html" if fragment else "register_cell.html", context)


def _exportable(store: Store, user: str, body_id: int, year: int) -> str:
    """The body's name when its report of the year compiles; else a 422 with the register's errors."""
    with store.session() as session:
        body, _ = _member(session, user, body_id)
        compiled = _compiled(store, session, body, year)
        if compiled.report is None:
            raise HTTPException(
                422, "台账有错误，暂不能编制报告：" + "；".join(p.message for p in compiled.problems)
            )
        return body.name


@pages.get("/register/{body_id}/report/{year}/export")
async def register_report_export(
    request: Request,
    store: StoreDep,
    body_id: Id,
    year: int,
    fmt: Annotated[Literal["docx", "pdf", "html"], Query(alias="format")] = "docx",
) -> Response:
    """The compiled report as a document, made in the worker pool through the document layer."""
    from fastapi.concurrency import run_in_threadpool

    from xxgk.serve.downloads import send_document

    user = _signed_in(request)
    name = await run_in_threadpool(_exportable, store, user, body_id, year)
    params = {"body_id": body_id, "year": year}
    return await send_document(request, "compiled", params, fmt, f"{name}{year}年政府信息公开工作年度报告")
