"""`xxgk register`: a body's register of applications, reviews and lawsuits (台账) on the statutory
clock. The store, the clock and openpyxl are imported inside each command.

The CLI is run by whoever holds the database (an administrator): it needs no sign-in, and every
change and every read of personal data is logged under `--by` (default cli:<login name>).
"""

from __future__ import annotations

import getpass
import json
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from xxgk.cli.clock import CalendarDir
from xxgk.cli.common import AsJson, Db, app, console, out_path
from xxgk.errors import XxgkError
from xxgk.model import FIRST_YEAR, LAST_YEAR

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from xxgk.clock import Calendar
    from xxgk.store import Store

register_app = typer.Typer(
    no_args_is_help=True, help="The register (台账): applications, events, reviews and lawsuits of a body."
)
app.add_typer(register_app, name="register")

BodyName = Annotated[str, typer.Option("--body", help="The body whose register it is.", show_default=False)]
By = Annotated[
    str | None, typer.Option("--by", help="Who does it, for the audit log (default: cli:<login name>).")
]
Today = Annotated[
    str | None, typer.Option("--today", help="The day the clock runs to (default: today), YYYY-MM-DD.")
]
Key = Annotated[str, typer.Argument(help="The application's number (编号).")]
Amendment = Annotated[
    str | None,
    typer.Option("--amendment", help="The reason for changing a locked year (logged).", show_default=False),
]


def _actor(by: str | None) -> str:
    if by and by.strip():
        return by.strip()
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli"


def _day(text: str | None, option: str) -> date:
    from xxgk.clock.calendar import parse_date

    return date.today() if text is None else parse_date(text, option)


def _store(db: str | None, *, create: bool = True) -> Store:
    """The store of `--db`; a command that only reads (not `create`) refuses a SQLite file that is
    not there, where a mistyped path would make a new, empty database."""
    from xxgk.store import Store

    return Store(db, create=create)


def _calendar(folder: Path | None) -> Calendar:
    from xxgk.clock.kept import kept_calendar

    return kept_calendar(folder)


def _body(session: Session, name: str, create: bool = False) -> int:
    from xxgk.store.bodies import body_for, match

    body = body_for(session, name.strip()) if create else match(session, name.strip())
    if body is None:
        raise XxgkError("no such body (a body's register starts with `xxgk register add` or import)", name)
    return body.id


@register_app.command("add")
def add(
    body: BodyName,
    received: Annotated[str, typer.Option("--received", help="The receipt date (第31条), YYYY-MM-DD.")],
    channel: Annotated[
        str, typer.Option("--channel", help="当面, 挂号信, 平信, 网络, 传真 (or the clock's id).")
    ],
    applicant_type: Annotated[
        str, typer.Option("--applicant-type", help="A column of table 三: 自然人, 商业企业 … (or its id).")
    ],
    number: Annotated[str | None, typer.Option("--number", help="编号 (default: YEAR-NNNN).")] = None,
    name: Annotated[str | None, typer.Option("--name", help="The applicant (personal data).")] = None,
    contact: Annotated[
        str | None, typer.Option("--contact", help="The applicant's contact (personal data).")
    ] = None,
    request: Annotated[str | None, typer.Option("--request", help="What is asked (申请内容).")] = None,
    form: Annotated[str | None, typer.Option("--form", help="The form asked for (纸质, 电子 …).")] = None,
    evidence: Annotated[str | None, typer.Option("--evidence", help="What fixes the receipt date.")] = None,
    by: By = None,
    amendment: Amendment = None,
    today: Today = None,
    db: Db = None,
    calendar_dir: CalendarDir = None,
) -> None:
    """Register an application (its receipt is its first event)."""
    from xxgk.register.rules import applicant_id, channel_id
    from xxgk.register.service import NewApplication, add_application

    new = NewApplication(
        number,
        _day(received, "--received"),
        channel_id(channel),
        applicant_id(applicant_type),
        name,
        contact,
        request,
        form,
        evidence,
    )
    store, calendar = _store(db), _calendar(calendar_dir)
    with store.writing() as session:
        row = add_application(
            session,
            _body(session, body, create=True),
            new,
            _actor(by),
            calendar,
            _day(today, "--today"),
            amendment,
        )
        console().print(
            f"registered {row.number}: reply due {row.reply_due}, 补正 notice due {row.notice_due}"
        )


@register_app.command("import")
def import_(
    file: Annotated[Path, typer.Argument(help="The register: .xlsx (sheets 申请, 复议诉讼) or .csv (申请).")],
    body: BodyName,
    map_file: Annotated[
        Path | None,
        typer.Option("--map", help='TOML: the file\'s headers → the template\'s ("受理号" = "编号").'),
    ] = None,
    by: By = None,
    amendment: Amendment = None,
    today: Today = None,
    db: Db = None,
    calendar_dir: CalendarDir = None,
) -> None:
    """Import a register kept in Excel: all rows or none; the same file twice changes nothing."""
    from xxgk.register.io import import_register, read_map

    mapping = read_map(map_file)
    store, calendar = _store(db), _calendar(calendar_dir)
    with store.writing() as session:
        summary = import_register(
            session,
            _body(session, body, create=True),
            file,
            _actor(by),
            calendar,
            _day(today, "--today"),
            mapping,
            amendment,
        )
    extra = "".join(f", {n} {sheet}" for sheet, n in summary.extra.items())
    console().print(
        f"imported {summary.added} new applications, {summary.events} events,"
        f" {summary.corrections} corrections, {summary.appeals} reviews and lawsuits;"
        f" {summary.unchanged} unchanged{extra}"
    )


@register_app.command("list")
def list_(
    body: BodyName,
    status: Annotated[str | None, typer.Option("--status", help="Only this status (registered …).")] = None,
    open_only: Annotated[bool, typer.Option("--open", help="Only applications without outcome.")] = False,
    db: Db = None,
    as_json: AsJson = False,
) -> None:
    """The body's applications (personal data masked)."""
    from sqlalchemy import select

    from xxgk.errors import require_choice
    from xxgk.register.rules import STATUSES
    from xxgk.register.service import summary
    from xxgk.register.tables import RegisterApplication

    if status is not None:
        require_choice("status", status, STATUSES)
    with _store(db, create=False).session() as session:
        query = select(RegisterApplication).where(RegisterApplication.body_id == _body(session, body))
        if status:
            query = query.where(RegisterApplication.status == status)
        if open_only:
            query = query.where(RegisterApplication.outcome.is_(None))
        rows = [
            summary(row)
            for row in session.scalars(query.order_by(RegisterApplication.received, RegisterApplication.id))
        ]
    if as_json:
        print(json.dumps(rows, ensure_ascii=False, indent=1))
        return
    _table(rows, ["number", "received", "applicant_type", "status", "outcome", "reply_due", "provisional"])


def _table(rows: list[dict[str, Any]], columns: list[str]) -> None:
    from rich.table import Table

    table = Table(*columns, box=None)
    for row in rows:
        table.add_row(*("" if row.get(c) is None else str(row[c]) for c in columns))
    console().print(table)
    console().print(f"{len(rows)} applications")


@register_app.command("show")
def show(
    key: Key,
    body: BodyName,
    unmasked: Annotated[
        bool, typer.Option("--unmasked", help="Show the applicant in full (logged).")
    ] = False,
    by: By = None,
    db: Db = None,
    as_json: AsJson = False,
) -> None:
    """An application: its state, its deadlines with their trace, and its events."""
    from xxgk.register.service import application, event_label, events_of, personal, summary

    with _store(db, create=False).writing() as session:
        row = application(session, _body(session, body), key)
        data = {
            **summary(row),
            **personal(session, row, _actor(by), unmasked),
            "request": row.request,
            "clock": row.clock,
            "events": [
                {
                    "id": e.id,
                    "kind": e.kind,
                    "label": event_label(e.kind),
                    "on": e.on.isoformat(),
                    "data": e.data,
                    "corrects": e.corrects,
                    "by": e.actor,
                }
                for e in events_of(session, row)
            ],
        }
    if as_json:
        print(json.dumps(data, ensure_ascii=False, indent=1, default=str))
        return
    out = console()
    for name in (
        "number",
        "received",
        "applicant_type",
        "applicant_name",
        "applicant_contact",
        "status",
        "outcome",
    ):
        out.print(f"{name}: {data.get(name) or ''}")
    out.print("events:")
    for e in data["events"]:
        fixes = f" (corrects event {e['corrects']})" if e["corrects"] else ""
        out.print(f"  #{e['id']} {e['on']} {e['label']} {json.dumps(e['data'], ensure_ascii=False)}{fixes}")
    if row.clock:
        out.print(
            f"答复期限 {row.clock['reply']['due']}"
            + ("（暂定）" if row.clock["reply"]["provisional"] else "")
        )
        for step in row.clock["reply"]["trace"]:
            out.print(f"  {step['text']}")


@register_app.command("event")
def event(
    key: Key,
    kind: Annotated[
        str,
        typer.Argument(
            help="correction_notice, correction_received, consultation_sent, "
            "consultation_answered, fee_notice, fee_paid, extension, reply, "
            "withdrawal, no_correction, unpaid_fee, void (with --corrects)."
        ),
    ],
    body: BodyName,
    on: Annotated[str, typer.Option("--on", help="The day it happened, YYYY-MM-DD.")],
    outcome: Annotated[
        str | None, typer.Option("--outcome", help="A reply's outcome: a row of table 三.")
    ] = None,
    party: Annotated[
        str | None, typer.Option("--party", help="Consulted: third_party or other_agency.")
    ] = None,
    basis: Annotated[str | None, typer.Option("--basis", help="A fee notice: count or pages.")] = None,
    pages: Annotated[int | None, typer.Option("--pages", help="A fee by pages: how many.")] = None,
    approved_by: Annotated[str | None, typer.Option("--approved-by", help="An extension's approver.")] = None,
    reason: Annotated[str | None, typer.Option("--reason", help="An extension's reason.")] = None,
    days: Annotated[int | None, typer.Option("--days", help="An extension's working days (≤ 20).")] = None,
    delivered: Annotated[str | None, typer.Option("--delivered", help="How a reply was delivered.")] = None,
    corrects: Annotated[int | None, typer.Option("--corrects", help="The event this one corrects.")] = None,
    by: By = None,
    amendment: Amendment = None,
    today: Today = None,
    db: Db = None,
    calendar_dir: CalendarDir = None,
) -> None:
    """Record an event (append-only: a mistake is corrected by a new event naming it)."""
    from xxgk.register.rules import outcome_id
    from xxgk.register.service import add_event, application

    data: dict[str, Any] = {
        "outcome": outcome_id(outcome) if outcome else None,
        "party": party,
        "basis": basis,
        "pages": pages,
        "approved_by": approved_by,
        "reason": reason,
        "days": days,
        "delivered": delivered,
    }
    store, calendar = _store(db), _calendar(calendar_dir)
    with store.writing() as session:
        row = application(session, _body(session, body), key)
        added = add_event(
            session,
            row,
            kind,
            _day(on, "--on"),
            data,
            _actor(by),
            calendar,
            _day(today, "--today"),
            corrects,
            amendment,
        )
        due = f"reply due {row.reply_due}" if row.outcome is None else f"outcome {row.outcome}"
        console().print(f"event {added.id} recorded: {row.number} is {row.status}, {due}")


@register_app.command("due")
def due(
    body: BodyName,
    today: Today = None,
    db: Db = None,
    calendar_dir: CalendarDir = None,
    as_json: AsJson = False,
) -> None:
    """The queues: 补正 notices to decide, replies due within 3 working days, overdue, consultations
    unanswered past 15 working days, fees unpaid past 20."""
    from xxgk.register.rules import QUEUES
    from xxgk.register.service import queues, summary

    day = _day(today, "--today")
    with _store(db, create=False).session() as session:
        found = {
            name: [summary(r) for r in rows]
            for name, rows in queues(session, _body(session, body), _calendar(calendar_dir), day).items()
        }
    if as_json:
        print(json.dumps(found, ensure_ascii=False, indent=1))
        return
    for name, rows in found.items():
        console().print(f"{QUEUES[name]}: {len(rows)}")
        for row in rows:
            console().print(
                f"  {row['number']} received {row['received']} {row['status']} reply due {row['reply_due']}"
            )


@register_app.command("monthly")
def monthly(
    body: BodyName,
    year: Annotated[int | None, typer.Option("--year", min=FIRST_YEAR, max=LAST_YEAR)] = None,
    db: Db = None,
    as_json: AsJson = False,
) -> None:
    """条例第35条: applicants by number of applications per month, with each one's fee by count."""
    from dataclasses import asdict

    from xxgk.register.service import by_month

    with _store(db, create=False).session() as session:
        lines = by_month(session, _body(session, body), year)
    if as_json:
        print(
            json.dumps([asdict(line) | {"count": line.count} for line in lines], ensure_ascii=False, indent=1)
        )
        return
    for line in lines:
        console().print(
            f"{line.month} {line.applicant} ({line.applicant_type}): {line.count} — fees {list(line.fees)}"
        )


@register_app.command("recompute")
def recompute(
    body: Annotated[str | None, typer.Option("--body")] = None,
    today: Today = None,
    db: Db = None,
    calendar_dir: CalendarDir = None,
) -> None:
    """Recount every open application's deadlines (after a calendar import); list those that moved."""
    from xxgk.register.service import recompute as run

    with _store(db).writing() as session:
        moved = run(
            session, _calendar(calendar_dir), _day(today, "--today"), _body(session, body) if body else None
        )
    for m in moved:
        console().print(f"{m.application} {m.period}: {m.old} → {m.new}")
    console().print(f"{len(moved)} deadlines moved")


@register_app.command("appeal")
def appeal(
    body: BodyName,
    kind: Annotated[
        str,
        typer.Option("--kind", help="行政复议, 行政诉讼（未经复议直接起诉）, 行政诉讼（复议后起诉） or id."),
    ],
    filed: Annotated[str, typer.Option("--filed", help="立案日期.")],
    application: Annotated[
        str | None, typer.Option("--application", help="The application's number.")
    ] = None,
    decided: Annotated[str | None, typer.Option("--decided", help="审结日期.")] = None,
    result: Annotated[str | None, typer.Option("--result", help="维持, 纠正, 其他 (or id).")] = None,
    by: By = None,
    amendment: Amendment = None,
    db: Db = None,
) -> None:
    """Record a review or lawsuit, or its decision (in a locked year: with --amendment)."""
    from xxgk.register.rules import appeal_kind_id, appeal_result_id
    from xxgk.register.service import add_appeal

    with _store(db).writing() as session:
        row = add_appeal(
            session,
            _body(session, body),
            appeal_kind_id(kind),
            _day(filed, "--filed"),
            _actor(by),
            application,
            _day(decided, "--decided") if decided else None,
            appeal_result_id(result) if result else None,
            amendment,
        )
    console().print("recorded" if row is not None else "unchanged: already recorded")


@register_app.command("member")
def member(
    body: BodyName,
    user: Annotated[str, typer.Option("--user", help="A user of `xxgk user add`.")],
    role: Annotated[str, typer.Option("--role", help="clerk or head.")],
    by: By = None,
    db: Db = None,
) -> None:
    """Give a user a role at a body: only its members see its register."""
    from xxgk.register.service import set_member
    from xxgk.store.models import Body

    with _store(db).writing() as session:
        target = session.get(Body, _body(session, body, create=True))
        assert target is not None
        set_member(session, user, target, role, _actor(by))
    console().print(f"{user} is {role} at {body}")


@register_app.command("audit")
def audit_log(body: BodyName, db: Db = None, as_json: AsJson = False) -> None:
    """The audit log of a body's register (read only: nothing in xxgk edits it)."""
    from sqlalchemy import select

    from xxgk.register.tables import AuditEntry

    with _store(db, create=False).session() as session:
        rows = [
            {
                "at": str(e.at),
                "actor": e.actor,
                "action": e.action,
                "application": e.application_id,
                "detail": e.detail,
            }
            for e in session.scalars(
                select(AuditEntry).where(AuditEntry.body_id == _body(session, body)).order_by(AuditEntry.id)
            )
        ]
    if as_json:
        print(json.dumps(rows, ensure_ascii=False, indent=1))
        return
    for row in rows:
        console().print(
            f"{row['at']} {row['actor']} {row['action']} {row['application'] or ''} "
            + json.dumps(row["detail"], ensure_ascii=False)
        )


@register_app.command("template")
def template(
    out: Annotated[
        Path,
        typer.Option("--out", help="Where to write the template (.xlsx).", parser=out_path, metavar="FILE"),
    ],
) -> None:
    """Write xxgk's own register template (sheets 申请 and 复议诉讼, closed lists as drop-downs)."""
    from xxgk.output_file import check
    from xxgk.register.io import template_workbook

    if out.suffix.lower() != ".xlsx":
        raise XxgkError("the template is an .xlsx workbook", str(out))
    check(out)
    template_workbook(out)
    console().print(f"wrote {out}")


@register_app.command("export")
def export(
    body: BodyName,
    out: Annotated[
        Path, typer.Option("--out", help="An .xlsx or .csv file.", parser=out_path, metavar="FILE")
    ],
    unmasked: Annotated[bool, typer.Option("--unmasked", help="Personal data in full (logged).")] = False,
    by: By = None,
    db: Db = None,
) -> None:
    """Export the register in the template's layout; personal data masked unless --unmasked."""
    from xxgk.output_file import check
    from xxgk.register.io import export_paths, export_rows, write_export
    from xxgk.register.service import audit

    for path in export_paths(out):  # a CSV export is two files: both checked before any work
        check(path)
    with _store(db, create=False).writing() as session:
        body_id = _body(session, body)
        applications, appeals = export_rows(session, body_id, unmasked)
        write_export(out, applications, appeals)
        audit(
            session,
            _actor(by),
            "export_unmasked" if unmasked else "export",
            body_id,
            detail={"file": out.name},
        )
    console().print(
        f"wrote {len(applications) - 1} applications and {len(appeals) - 1} reviews and lawsuits to {out}"
    )


@register_app.command("lock")
def lock(
    body: BodyName,
    year: Annotated[int, typer.Option("--year", help="The year to close.", min=FIRST_YEAR, max=LAST_YEAR)],
    by: Annotated[str, typer.Option("--by", help="The body's head (a user with role head).")],
    db: Db = None,
) -> None:
    """Close a year (role head): later changes to events dated in it need --amendment, logged."""
    from xxgk.register.service import lock_of, lock_year

    with _store(db).writing() as session:
        body_id = _body(session, body)
        done = lock_year(session, body_id, year, by.strip())
        locked = lock_of(session, body_id, year)
    if not done:
        console().print(f"{year} was already locked")
    elif locked is not None and locked.snapshot is None:
        console().print(f"{year} is locked; the register has errors, so no report was frozen to compare with")
    else:
        console().print(f"{year} is locked; its report is kept to show what later amendments change")
