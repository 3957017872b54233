"""The register in the store: applications, their events, appeals, members, the audit log.

Every change goes through here and is logged; so is every read of an applicant's personal data
(`personal`). The stored state of an application (status, outcome, deadlines, trace) is what
`replay` and the clock make of its events; `refresh` writes it after each event, `recompute`
after a calendar change, and lists the deadlines that moved.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from xxgk.clock import Calendar, Moved, fee_by_count, fee_by_pages
from xxgk.errors import XxgkError
from xxgk.register.facts import AppealFacts, ApplicationFacts, RegisterFacts
from xxgk.register.proactive import proactive_facts
from xxgk.register.replay import Event, State, check_event, clock, replay
from xxgk.register.rules import APPLICANTS, DUE_SOON_DAYS, EVENTS, QUEUES, ROLES, mask
from xxgk.register.tables import (
    AuditEntry,
    BodyMember,
    RegisterAppeal,
    RegisterApplication,
    RegisterEvent,
    RegisterLock,
)
from xxgk.store.models import Body, User

if TYPE_CHECKING:
    from xxgk.compile import Compiled
    from xxgk.compile.locked import Locked
    from xxgk.model import Report
    from xxgk.store import Store

PERSONAL = ("applicant_name", "applicant_contact")


class AccessError(XxgkError):
    """A user asked for what their body membership or role does not allow."""

    kind = "not_allowed"


def audit(
    session: Session,
    actor: str,
    action: str,
    body_id: int | None,
    application_id: int | None = None,
    detail: dict[str, Any] | None = None,
) -> None:
    session.add(
        AuditEntry(actor=actor, action=action, body_id=body_id, application_id=application_id, detail=detail)
    )


# --- members ------------------------------------------------------------------------------------


def set_member(session: Session, user_name: str, body: Body, role: str, actor: str) -> None:
    if role not in ROLES:
        raise XxgkError(f"role {role!r} is not one of {', '.join(ROLES)}", kind="bad_choice")
    user = session.scalar(select(User).where(User.name == user_name.strip()))
    if user is None:
        raise XxgkError("no such user (add one with `xxgk user add`)", user_name, kind="no_user")
    member = session.scalar(
        select(BodyMember).where(BodyMember.user_id == user.id, BodyMember.body_id == body.id)
    )
    if member is None:
        session.add(BodyMember(user_id=user.id, body_id=body.id, role=role))
    else:
        member.role = role
    audit(session, actor, "member", body.id, detail={"user": user.name, "role": role})


def roles_of(session: Session, user_name: str) -> dict[int, str]:
    """body id → the user's role there."""
    rows = session.execute(
        select(BodyMember.body_id, BodyMember.role)
        .join(User, User.id == BodyMember.user_id)
        .where(User.name == user_name)
    )
    return {body_id: role for body_id, role in rows}


def require_role(session: Session, user_name: str, body_id: int, head: bool = False) -> str:
    """The user's role at the body; refused if none (or not `head` when that is needed)."""
    role = roles_of(session, user_name).get(body_id)
    if role is None or (head and role != "head"):
        raise AccessError("not allowed for this user at this body", user_name)
    return role


# --- year locks (issue 19) ------------------------------------------------------------------------


def lock_year(session: Session, body_id: int, year: int, actor: str) -> bool:
    """Close a year of the body's register (its head only); False when it was already closed."""
    from xxgk.compile.locked import snapshot

    require_role(session, actor, body_id, head=True)
    if year in locked_years(session, body_id):
        return False
    tables = snapshot(facts_as_of(session, body_id, date(year, 12, 31)), year)
    session.add(RegisterLock(body_id=body_id, year=year, locked_by=actor, snapshot=tables))
    audit(session, actor, "lock", body_id, detail={"year": year})
    return True


def lock_of(session: Session, body_id: int, year: int) -> Locked | None:
    """The year's lock with the amendments made since (from the audit log), None if it is open."""
    from xxgk.compile.locked import Amendment, Locked

    where = (RegisterLock.body_id == body_id, RegisterLock.year == year)
    row = session.scalar(select(RegisterLock).where(*where))
    if row is None:
        return None
    numbers = dict(
        session.execute(
            select(RegisterApplication.id, RegisterApplication.number).where(
                RegisterApplication.body_id == body_id
            )
        ).all()
    )
    logged = session.scalars(
        select(AuditEntry)
        .where(AuditEntry.body_id == body_id, AuditEntry.action == "amendment")
        .order_by(AuditEntry.id)
    )
    amendments = tuple(
        Amendment(
            str(e.detail.get("entry") or numbers.get(e.application_id) or ""),
            str(e.detail.get("reason", "")),
            e.actor,
            e.at,
            str(e.detail.get("label", "")),
        )
        for e in logged
        if e.detail and year in e.detail.get("years", ())
    )
    return Locked(year, row.locked_by, row.locked_at, row.snapshot, amendments)


def last_year_report(store: Store, body: str, year: int) -> Report | None:
    """Last year's report for the rules across years: the compiled one where the corpus has it,
    else the published one; None for a body the corpus does not know."""
    from xxgk.errors import InputError

    try:
        return store.report(body, year - 1, kind="compiled") or store.report(body, year - 1)
    except InputError:
        return None


def compile_year(session: Session, body_id: int, year: int, previous: Report | None = None) -> Compiled:
    """The body's report of `year` compiled from its register as of 12-31; a locked year's with
    the cells that differ from the report locked (xxgk.compile.locked)."""
    from xxgk.compile import compile_report
    from xxgk.compile.locked import changes

    compiled = compile_report(facts_as_of(session, body_id, date(year, 12, 31)), year, previous)
    compiled.locked = lock_of(session, body_id, year)
    if compiled.locked is not None and compiled.report is not None:
        compiled.changes = changes(compiled.locked, compiled.report)
    return compiled


def locked_years(session: Session, body_id: int) -> set[int]:
    return set(session.scalars(select(RegisterLock.year).where(RegisterLock.body_id == body_id)))


def guard_locked(
    session: Session,
    body_id: int,
    days: Iterable[date],
    actor: str,
    amendment: str | None,
    application_id: int | None = None,
    locked: set[int] | None = None,
    entry: str | None = None,
    label: str | None = None,
) -> None:
    """A change touching a locked year needs an amendment with its reason, which is logged with
    the entry it changes as the compiler names it (an application's number, an appeal's id) and,
    where that is no number a person reads, how the pages name it (`label`)."""
    locked = locked_years(session, body_id) if locked is None else locked
    years = sorted({day.year for day in days} & locked)
    if not years:
        return
    if not (amendment or "").strip():
        raise XxgkError(
            f"{years[0]} is locked: a change to it is an amendment with a reason (--amendment)", kind="locked"
        )
    detail: dict[str, Any] = {"years": years, "reason": amendment.strip()}
    if entry:
        detail["entry"] = entry
    if label:
        detail["label"] = label
    audit(session, actor, "amendment", body_id, application_id, detail)


# --- applications -------------------------------------------------------------------------------


EVENT_COLUMNS = (
    RegisterEvent.application_id,
    RegisterEvent.kind,
    RegisterEvent.on,
    RegisterEvent.data,
    RegisterEvent.id,
    RegisterEvent.corrects,
)


def histories(session: Session, *where: Any) -> dict[int, list[Event]]:
    """application id → its events, read as plain rows (no ORM objects: a body has thousands)."""
    out: dict[int, list[Event]] = defaultdict(list)
    query = select(*EVENT_COLUMNS).join(RegisterApplication).where(*where).order_by(RegisterEvent.id)
    for app_id, kind, on, data, event_id, corrects in session.execute(query):
        out[app_id].append(Event(kind, on, dict(data or {}), event_id, corrects, event_id))
    return out


def _events(session: Session, application_id: int) -> list[Event]:
    return histories(session, RegisterEvent.application_id == application_id)[application_id]


def refresh(row: RegisterApplication, events: Sequence[Event], calendar: Calendar, today: date) -> State:
    """Write what the events and the calendar make of the application into its row."""
    state = replay(events)
    assert state.received is not None
    row.received, row.status, row.outcome, row.decided = (
        state.received,
        state.status,
        state.outcome,
        state.decided,
    )
    row.fee = state.fee if state.fee_paid else None
    times = clock(state, calendar, today)
    row.reply_due, row.notice_due = times.reply_due, times.notice_due
    row.provisional, row.clock = times.provisional, times.to_dict()
    return state


@dataclass(frozen=True)
class NewApplication:
    number: str | None
    received: date
    channel: str
    applicant_type: str
    applicant_name: str | None = None
    applicant_contact: str | None = None
    request: str | None = None
    form: str | None = None
    evidence: str | None = None


def next_number(session: Session, body_id: int, year: int) -> str:
    count = session.scalar(
        select(func.count())
        .select_from(RegisterApplication)
        .where(RegisterApplication.body_id == body_id, RegisterApplication.number.like(f"{year}-%"))
    )
    return f"{year}-{(count or 0) + 1:04d}"


def not_to_come(on: date, today: date) -> None:
    """The register records what happened: a date to come is a typo (2099 for 2019). A day's
    margin: a server's today (UTC) is a day behind Beijing's until 08:00."""
    if on > today + timedelta(days=1):
        raise XxgkError(f"{on} has not come yet (today is {today})", kind="future")


def add_application(
    session: Session,
    body_id: int,
    new: NewApplication,
    actor: str,
    calendar: Calendar,
    today: date,
    amendment: str | None = None,
) -> RegisterApplication:
    from xxgk.clock.periods import CHANNELS

    if new.channel not in CHANNELS:
        raise XxgkError(f"channel {new.channel!r} is not one of {', '.join(CHANNELS)}", kind="bad_choice")
    if new.applicant_type not in APPLICANTS:
        raise XxgkError(
            f"applicant type {new.applicant_type!r} is not one of {', '.join(APPLICANTS)}", kind="bad_choice"
        )
    not_to_come(new.received, today)
    number = (new.number or "").strip() or next_number(session, body_id, new.received.year)
    if session.scalar(
        select(RegisterApplication.id).where(
            RegisterApplication.body_id == body_id, RegisterApplication.number == number
        )
    ):
        raise XxgkError("this body already has an application of that number", number, kind="number_taken")
    row = RegisterApplication(
        body_id=body_id,
        number=number,
        channel=new.channel,
        evidence=new.evidence,
        applicant_type=new.applicant_type,
        applicant_name=(new.applicant_name or "").strip() or None,
        applicant_contact=(new.applicant_contact or "").strip() or None,
        request=new.request,
        form=new.form,
        created_by=actor,
        received=new.received,
        status="registered",
    )
    receipt = Event("receipt", new.received, {"channel": new.channel})
    refresh(row, [receipt], calendar, today)
    guard_locked(session, body_id, [new.received], actor, amendment, entry=number)
    session.add(row)
    session.flush()
    session.add(
        RegisterEvent(application_id=row.id, kind="receipt", on=new.received, data=receipt.data, actor=actor)
    )
    audit(session, actor, "add", body_id, row.id, {"number": number})
    return row


def application(session: Session, body_id: int, key: str | int) -> RegisterApplication:
    """An application of the body, by its number (编号) or its id."""
    where = RegisterApplication.number == str(key)
    row = session.scalar(select(RegisterApplication).where(RegisterApplication.body_id == body_id, where))
    if row is None and str(key).isdigit():
        row = session.get(RegisterApplication, int(key))
        row = row if row is not None and row.body_id == body_id else None
    if row is None:
        raise XxgkError("no application of this number at this body", str(key), kind="no_application")
    return row


def applicant_position(session: Session, row: RegisterApplication) -> int:
    """Which application of its applicant in its natural month this is (109号 按件计收)."""
    if not row.applicant_name:
        raise XxgkError(
            "a fee by count needs the applicant's name (to count their applications)",
            row.number,
            kind="fee_needs_name",
        )
    first = row.received.replace(day=1)
    others = session.execute(
        select(RegisterApplication.id, RegisterApplication.received).where(
            RegisterApplication.body_id == row.body_id,
            RegisterApplication.applicant_name == row.applicant_name,
            RegisterApplication.applicant_type == row.applicant_type,
            RegisterApplication.received >= first,
            RegisterApplication.received <= row.received,
        )
    )
    return sum(1 for other_id, received in others if (received, other_id) <= (row.received, row.id))


def _fee_data(session: Session, row: RegisterApplication, data: dict[str, Any]) -> dict[str, Any]:
    """A fee notice's amount from the fee engine, with its basis (by count or by pages, never both)."""
    basis = data.get("basis")
    if not basis:
        raise XxgkError(
            "a fee notice needs its basis: count or pages", event_label("fee_notice"), kind="missing"
        )
    if basis == "pages" and data.get("pages") in (None, ""):
        raise XxgkError("a fee by pages needs the number of pages", event_label("fee_notice"), kind="missing")
    if basis == "count":
        fee = fee_by_count(applicant_position(session, row))
    elif basis == "pages":
        try:
            pages = int(data.get("pages") or 0)
        except (TypeError, ValueError):
            raise XxgkError(
                f"pages must be a whole number, not {data.get('pages')!r}",
                event_label("fee_notice"),
                kind="not_whole",
            ) from None
        fee = fee_by_pages(pages)
    elif basis == "imported":  # an amount an imported register printed: kept as printed
        return {"basis": basis, "amount": str(Decimal(str(data["amount"])))}
    else:
        raise XxgkError(
            f"basis {basis!r} is not count or pages", event_label("fee_notice"), kind="bad_choice"
        )
    return {"basis": basis, "quantity": fee.quantity, "amount": str(fee.yuan), "text": fee.lines()}


def add_event(
    session: Session,
    row: RegisterApplication,
    kind: str,
    on: date,
    data: dict[str, Any],
    actor: str,
    calendar: Calendar,
    today: date,
    corrects: int | None = None,
    amendment: str | None = None,
) -> RegisterEvent:
    """Append an event, refused (nothing written) unless the history with it replays."""
    data = {k: v for k, v in data.items() if v not in (None, "")}
    if kind == "fee_notice":
        data = {**data, **_fee_data(session, row, data)}
    history = _events(session, row.id)
    if corrects is not None:
        target = next((e for e in history if e.id == corrects), None)
        if target is None:
            raise XxgkError(
                "it corrects an event of another application, or none",
                f"第{corrects}项记录",
                kind="corrects_other",
            )
        if kind not in ("void", target.kind):
            raise XxgkError(
                f"a correction of a {target.kind} event is a {target.kind} or a void",
                event_label(kind) if kind in EVENTS else kind,
                kind="correction_kind",
            )
        if target.kind == "receipt" and kind == "void":
            raise XxgkError(
                "the receipt cannot be voided: correct its date instead",
                f"第{corrects}项记录",
                kind="receipt_void",
            )
    not_to_come(on, today)
    order = max((e.id for e in history), default=0) + 1  # after every recorded event
    new = Event(kind, on, data, id=order, corrects=corrects, seq=order)
    check_event(new)
    replay([*history, new])  # refused here, before anything changes
    touched = [on] + [e.on for e in history if e.id == corrects]
    guard_locked(session, row.body_id, touched, actor, amendment, row.id, entry=row.number)
    refresh(row, [*history, new], calendar, today)
    event = RegisterEvent(application_id=row.id, kind=kind, on=on, data=data, corrects=corrects, actor=actor)
    session.add(event)
    session.flush()
    audit(
        session,
        actor,
        "event",
        row.body_id,
        row.id,
        {"kind": kind, "on": on.isoformat(), "corrects": corrects},
    )
    return event


def summary(row: RegisterApplication) -> dict[str, Any]:
    """An application as lists show it (JSON-ready; the applicant masked)."""
    return {
        "number": row.number,
        "received": row.received.isoformat(),
        "channel": row.channel,
        "applicant_type": row.applicant_type,
        "applicant": mask(row.applicant_name),
        "status": row.status,
        "outcome": row.outcome,
        "decided": row.decided.isoformat() if row.decided else None,
        "reply_due": row.reply_due.isoformat() if row.reply_due and row.outcome is None else None,
        "notice_due": row.notice_due.isoformat() if row.notice_due else None,
        "provisional": row.provisional,
        "fee": str(row.fee) if row.fee is not None else None,
    }


def events_of(session: Session, row: RegisterApplication) -> list[RegisterEvent]:
    return list(
        session.scalars(
            select(RegisterEvent).where(RegisterEvent.application_id == row.id).order_by(RegisterEvent.id)
        )
    )


def personal(session: Session, row: RegisterApplication, actor: str, reveal: bool) -> dict[str, str]:
    """The applicant's name and contact: masked, or in full with the read logged."""
    values = {name: getattr(row, name) or "" for name in PERSONAL}
    if not reveal:
        return {name: mask(value) for name, value in values.items()}
    audit(session, actor, "read_personal", row.body_id, row.id, {"number": row.number})
    return values


# --- the clock over the register ------------------------------------------------------------------


def recompute(session: Session, calendar: Calendar, today: date, body_id: int | None = None) -> list[Moved]:
    """Refresh every open application's deadlines (after a calendar change), listing those that moved."""
    query = select(RegisterApplication).where(RegisterApplication.outcome.is_(None))
    if body_id is not None:
        query = query.where(RegisterApplication.body_id == body_id)
    moved = []
    for row in session.scalars(query.order_by(RegisterApplication.id)):
        before = {"reply": row.reply_due, "correction_notice": row.notice_due}
        refresh(row, _events(session, row.id), calendar, today)
        after = {"reply": row.reply_due, "correction_notice": row.notice_due}
        moved += [Moved(row.number, p, before[p], after[p]) for p in before if before[p] != after[p]]  # type: ignore[arg-type]
    return moved


def working_days_after(calendar: Calendar, start: date, days: int) -> date:
    day, counted = start, 0
    while counted < days:
        day += timedelta(days=1)
        counted += calendar.day(day).working
    return day


def queues(
    session: Session, body_id: int, calendar: Calendar, today: date
) -> dict[str, list[RegisterApplication]]:
    """The open applications that need doing, by queue (an application may be in several)."""
    soon = working_days_after(calendar, today, DUE_SOON_DAYS)
    out: dict[str, list[RegisterApplication]] = {name: [] for name in QUEUES}
    rows = session.scalars(
        select(RegisterApplication)
        .where(RegisterApplication.body_id == body_id, RegisterApplication.outcome.is_(None))
        .order_by(RegisterApplication.reply_due, RegisterApplication.id)
    )
    history = histories(
        session, RegisterApplication.body_id == body_id, RegisterApplication.outcome.is_(None)
    )
    for row in rows:
        times = clock(replay(history[row.id]), calendar, today)
        if row.status == "registered" and today <= times.notice_due:
            out["notice_due"].append(row)
        if row.status != "awaiting_correction":
            if times.reply_due < today:
                out["overdue"].append(row)
            elif times.reply_due <= soon:
                out["due_soon"].append(row)
        if times.consultation_due and times.consultation_due < today:
            out["consultation_late"].append(row)
        if times.fee_due and times.fee_due < today:
            out["fee_late"].append(row)
    return out


@dataclass(frozen=True)
class MonthLine:
    """第35条 view: one applicant's applications in one natural month, each with its 按件 fee."""

    month: str  # YYYY-MM
    applicant: str  # masked unless revealed
    applicant_type: str
    numbers: tuple[str, ...]
    fees: tuple[int, ...]  # 109号 按件计收 of the 1st, 2nd … application

    @property
    def count(self) -> int:
        return len(self.numbers)


def by_month(session: Session, body_id: int, year: int | None = None) -> list[MonthLine]:
    """Applicants by number of applications per month, the most first (条例第35条), with the
    fee-by-count position of each application. Names are masked: the view is for counting."""
    query = select(RegisterApplication).where(
        RegisterApplication.body_id == body_id, RegisterApplication.applicant_name.is_not(None)
    )
    if year is not None:
        query = query.where(
            RegisterApplication.received >= date(year, 1, 1),
            RegisterApplication.received <= date(year, 12, 31),
        )
    groups: dict[tuple[str, str, str], list[RegisterApplication]] = defaultdict(list)
    for row in session.scalars(query.order_by(RegisterApplication.received, RegisterApplication.id)):
        groups[(row.received.strftime("%Y-%m"), row.applicant_type, row.applicant_name or "")].append(row)
    lines = [
        MonthLine(
            month,
            mask(name),
            kind,
            tuple(r.number for r in rows),
            tuple(fee_by_count(n).yuan for n in range(1, len(rows) + 1)),
        )
        for (month, kind, name), rows in groups.items()
    ]
    return sorted(lines, key=lambda line: (line.month, -line.count, line.numbers))


# --- appeals ------------------------------------------------------------------------------------


def appeal_key(kind: str, application_number: str | None, filed: date) -> str:
    return f"{kind}|{application_number or ''}|{filed.isoformat()}"


def add_appeal(
    session: Session,
    body_id: int,
    kind: str,
    filed: date,
    actor: str,
    application_number: str | None = None,
    decided: date | None = None,
    result: str | None = None,
    amendment: str | None = None,
) -> RegisterAppeal | None:
    """A review or lawsuit; the same one again (kind, application, filing date) changes nothing,
    except that a decision given since is recorded. None when nothing changed. One dated in a
    locked year is an amendment (the caller's transaction is undone when it is refused)."""
    from xxgk.register.facts import APPEAL_KINDS, APPEAL_RESULTS
    from xxgk.register.rules import APPEAL_LABELS

    if kind not in APPEAL_KINDS:
        raise XxgkError(f"kind {kind!r} is not one of {', '.join(APPEAL_KINDS)}", kind="bad_choice")
    if (decided is None) != (result is None):
        raise XxgkError(
            "a decided appeal has both its decision date and its result", kind="appeal_incomplete"
        )
    if result is not None and result not in APPEAL_RESULTS:
        raise XxgkError(f"result {result!r} is not one of {', '.join(APPEAL_RESULTS)}", kind="bad_choice")
    if decided is not None and decided < filed:
        raise XxgkError(f"decided {decided} before it was filed ({filed})", kind="decided_before_filed")
    target = application(session, body_id, application_number) if application_number else None
    if target is not None and filed < target.received:
        raise XxgkError(
            f"filed {filed} before the application was received ({target.received})", kind="before_receipt"
        )
    key = appeal_key(kind, application_number, filed)
    row = session.scalar(
        select(RegisterAppeal).where(RegisterAppeal.body_id == body_id, RegisterAppeal.key == key)
    )
    if row is not None:
        if (row.decided, row.result) == (decided, result) or decided is None:
            return None
        if row.decided is not None:
            raise XxgkError(f"already decided on {row.decided} ({row.result})", key, kind="appeal_decided")
        label = f"{APPEAL_LABELS[kind]}（{application_number or '无所涉申请'}，{filed}立案）"
        guard_locked(
            session, body_id, [decided], actor, amendment, row.application_id, entry=str(row.id), label=label
        )
        row.decided, row.result = decided, result
        audit(session, actor, "appeal_decided", body_id, row.application_id, {"key": key, "result": result})
        return row
    row = RegisterAppeal(
        body_id=body_id,
        key=key,
        kind=kind,
        application_id=target.id if target else None,
        filed=filed,
        decided=decided,
        result=result,
        created_by=actor,
    )
    session.add(row)
    session.flush()
    label = f"{APPEAL_LABELS[kind]}（{application_number or '无所涉申请'}，{filed}立案）"
    days = [filed] if decided is None else [filed, decided]
    guard_locked(session, body_id, days, actor, amendment, row.application_id, entry=str(row.id), label=label)
    audit(session, actor, "appeal", body_id, row.application_id, {"key": key})
    return row


# --- the compiler's facts -------------------------------------------------------------------------


def facts_as_of(session: Session, body_id: int, as_of: date) -> RegisterFacts:
    """What the register knew of the body's applications and appeals on `as_of`, events replayed
    to that date (outcomes given later are not yet given), with its documents and yearly figures."""
    body = session.get(Body, body_id)
    if body is None:
        raise XxgkError("no such body", str(body_id), kind="no_body")
    rows = list(
        session.scalars(
            select(RegisterApplication)
            .where(RegisterApplication.body_id == body_id)
            .order_by(RegisterApplication.received, RegisterApplication.id)
        )
    )
    history = histories(session, RegisterApplication.body_id == body_id)
    applications = []
    numbers = {}
    for row in rows:
        numbers[row.id] = row.number
        events = history[row.id]
        if not any(e.kind == "receipt" and e.on <= as_of for e in events):
            continue
        state = replay(events, as_of)
        if state.received is None or state.received > as_of:
            continue
        applications.append(
            ApplicationFacts(
                row.number,
                state.received,
                row.applicant_type,
                state.outcome,
                state.decided,
                state.fee if state.fee_paid else None,
            )
        )
    appeals = [
        AppealFacts(
            str(appeal.id),
            appeal.kind,
            appeal.filed,
            appeal.decided if appeal.decided and appeal.decided <= as_of else None,
            appeal.result if appeal.decided and appeal.decided <= as_of else None,
            numbers.get(appeal.application_id) if appeal.application_id else None,
        )
        for appeal in session.scalars(
            select(RegisterAppeal)
            .where(RegisterAppeal.body_id == body_id, RegisterAppeal.filed <= as_of)
            .order_by(RegisterAppeal.filed, RegisterAppeal.id)
        )
    ]
    documents, figures = proactive_facts(session, body_id, as_of)
    return RegisterFacts(body.name, as_of, tuple(applications), tuple(appeals), documents, figures)


def event_label(kind: str) -> str:
    return EVENTS[kind]["label"]
