"""Import and export of registers kept in Excel (or CSV), in xxgk's own template or, through a
column map, in an agency's own headers.

An import is all or nothing: every row is checked (its values and the history its dates make)
before anything is written, and a file with bad rows writes nothing and names every bad row.
Importing the same file again changes nothing: an application already registered under its
number gets only the events it lacks, and a date that differs becomes a correction naming the
event it corrects (never an edit in place).
"""

from __future__ import annotations

import csv
import io
import re
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from xxgk.clock import Calendar
from xxgk.errors import InputError, XxgkError
from xxgk.output_file import output_file, output_files
from xxgk.register.replay import Event, check_event, effective, replay
from xxgk.register.rules import (
    APPEAL_LABELS,
    APPLICANTS,
    CHANNEL_LABELS,
    CHANNEL_WORDS,
    EVENT_OUTCOMES,
    MAX_FILE_BYTES,
    MAX_PART_BYTES,
    MAX_ROWS,
    OUTCOMES,
    RESULT_LABELS,
    SHEETS,
    appeal_kind_id,
    appeal_result_id,
    applicant_id,
    channel_id,
    mask,
    outcome_id,
)
from xxgk.register.service import (
    NewApplication,
    add_appeal,
    audit,
    guard_locked,
    histories,
    locked_years,
    not_to_come,
    refresh,
)
from xxgk.register.tables import RegisterAppeal, RegisterApplication, RegisterEvent

MAX_BAD_ROWS_SHOWN = 200  # a file of thousands of bad rows: the first ones say enough
EVENT_COLUMNS = (
    "correction_notice",
    "correction_received",
    "consultation_sent",
    "consultation_answered",
    "extension",
    "fee_notice",
    "fee_paid",
)
IMPORTED = "（台账导入，未注明）"  # what an imported register does not say (the extension's approver)


def headers(sheet: str) -> dict[str, str]:
    """The template's header → field of a sheet."""
    return dict(SHEETS[sheet]["columns"])


def read_map(path: Path | None) -> dict[str, str]:
    """An agency's headers → the template's headers or fields, from a TOML file (`"受理号" = "编号"`)."""
    if path is None:
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise InputError(f"cannot read the column map ({error})", str(path)) from None
    known = {h for sheet in SHEETS for h in headers(sheet)} | {
        f for sheet in SHEETS for f in headers(sheet).values()
    }
    for theirs, ours in data.items():
        if not isinstance(ours, str) or ours not in known:
            raise InputError(f"{theirs!r} maps to {ours!r}, which is no column of the template", str(path))
    return {str(k).strip(): v for k, v in data.items()}


# --- reading ------------------------------------------------------------------------------------


def _sheets(path: Path) -> dict[str, Iterator[tuple[Any, ...]]]:
    """Sheet name → its rows; a CSV is the sheet 申请."""
    if not path.is_file():
        raise InputError("a folder, not a file" if path.is_dir() else "no such file", str(path))
    if path.stat().st_size > MAX_FILE_BYTES:
        raise InputError(f"larger than {MAX_FILE_BYTES:,} bytes: not a register", str(path))
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        from openpyxl import load_workbook

        _check_parts(path)
        try:
            workbook = load_workbook(path, read_only=True, data_only=True)
        except Exception as error:  # openpyxl raises many kinds for a damaged file
            raise InputError(f"not a readable XLSX workbook ({type(error).__name__})", str(path)) from None
        return {ws.title.strip(): ws.iter_rows(values_only=True) for ws in workbook.worksheets}
    if path.suffix.lower() == ".csv":
        try:
            text = path.read_text(encoding="utf-8-sig")
        except UnicodeDecodeError:
            raise InputError("a CSV register must be UTF-8", str(path)) from None
        return {SHEETS["applications"]["name"]: (tuple(row) for row in csv.reader(io.StringIO(text)))}
    raise InputError("a register is an .xlsx workbook or a .csv file", str(path))


def _check_parts(path: Path) -> None:
    """Each part of the workbook within its limit, by the size the archive declares (before reading)."""
    import zipfile

    try:
        with zipfile.ZipFile(path) as package:
            for info in package.infolist():
                if info.file_size > MAX_PART_BYTES:
                    unpacked = f"{info.filename} unpacks to {info.file_size:,} bytes"
                    raise InputError(f"{unpacked}: over the limit of {MAX_PART_BYTES:,}", str(path))
    except zipfile.BadZipFile:
        raise InputError("not a readable XLSX workbook (not a ZIP archive)", str(path)) from None


def _records(
    rows: Iterator[tuple[Any, ...]], sheet: str, mapping: dict[str, str], where: str
) -> Iterator[tuple[int, dict[str, Any]]]:
    """(row number, {field: value}) of a sheet's data rows, the header row mapped to fields."""
    fields = headers(sheet)
    head = next(rows, None) or ()
    columns: list[str | None] = []
    for cell in head:
        name = str(cell or "").strip()
        name = mapping.get(name, name)
        columns.append(fields.get(name, name if name in fields.values() else None))
    missing = [h for h, f in fields.items() if f in SHEETS[sheet]["required"] and f not in columns]
    if missing:
        raise InputError(
            f"sheet {SHEETS[sheet]['name']}: no column {'、'.join(missing)} in its first row", where
        )
    for number, row in enumerate(rows, start=2):
        if number - 1 > MAX_ROWS:
            raise InputError(f"more than {MAX_ROWS} rows in sheet {SHEETS[sheet]['name']}", where)
        values = {f: v for f, v in zip(columns, row, strict=False) if f is not None and _text(v)}
        if values:
            yield number, values


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


_DATE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:\s+0{1,2}:0{2}(?::0{2})?)?")


def _date(value: Any, column: str) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    match = _DATE.fullmatch(_text(value))
    if match is None:
        raise XxgkError(f"{column} {_text(value)!r} is not a date")
    try:
        return date(*(int(g) for g in match.groups()))
    except ValueError:
        raise XxgkError(f"{column}: no such date {_text(value)}") from None


def _amount(value: Any) -> Decimal:
    try:
        amount = Decimal(_text(value).removesuffix("元"))
    except InvalidOperation:
        raise XxgkError(f"收费金额 {_text(value)!r} is not an amount in 元") from None
    if amount < 0 or not amount.is_finite():
        raise XxgkError(f"收费金额 {_text(value)!r} is not an amount in 元")
    return amount


@dataclass
class Row:
    """One application of the file: its registration and its events in the order they happened."""

    line: int
    new: NewApplication
    events: list[Event] = field(default_factory=list)


def _label(column: str, sheet: str = "applications") -> str:
    return next(h for h, f in headers(sheet).items() if f == column)


OUTCOMES_MISC = EVENT_OUTCOMES["withdrawal"]  # 其他 is also a reply's outcome: read as a reply


def parse_application(line: int, values: dict[str, Any]) -> Row:
    """One row of sheet 申请, checked: values from the closed lists, dates that replay."""
    number = _text(values.get("number"))
    if not number:
        raise XxgkError("编号 is empty")
    received = _date(values.get("receipt"), "收到日期")
    row = Row(
        line,
        NewApplication(
            number,
            received,
            channel_id(_text(values.get("channel"))),
            applicant_id(_text(values.get("applicant_type"))),
            _text(values.get("applicant_name")) or None,
            _text(values.get("applicant_contact")) or None,
            _text(values.get("request")) or None,
        ),
    )
    events = [Event("receipt", received, {"channel": row.new.channel})]
    for kind in EVENT_COLUMNS:
        if kind not in values:
            continue
        data: dict[str, Any] = {}
        if kind == "consultation_sent":
            data = {"party": "consultation"}
        elif kind == "extension":
            data = {"approved_by": IMPORTED, "reason": IMPORTED, "days": 20}
        elif kind == "fee_notice":
            data = {"basis": "imported", "amount": str(_amount(values.get("fee_amount", 0)))}
        events.append(Event(kind, _date(values[kind], _label(kind)), data))
    if "fee_amount" in values and "fee_notice" not in values and _amount(values["fee_amount"]) != 0:
        raise XxgkError("收费金额 without 缴费通知日期")
    if ("reply" in values) != ("outcome" in values):
        raise XxgkError("答复日期 and 办理结果 go together: one is given without the other")
    if "reply" in values:
        outcome = outcome_id(_text(values["outcome"]))
        kind = next((k for k, o in EVENT_OUTCOMES.items() if o == outcome and o != OUTCOMES_MISC), "reply")
        data = {"outcome": outcome} if kind == "reply" else {}
        events.append(Event(kind, _date(values["reply"], "答复日期"), data))
    for seq, event in enumerate(events, start=1):
        event = Event(event.kind, event.on, event.data, id=seq, seq=seq)
        check_event(event)
        row.events.append(event)
    replay(row.events)
    return row


@dataclass(frozen=True)
class AppealRow:
    line: int
    kind: str
    application: str | None
    filed: date
    decided: date | None
    result: str | None


def parse_appeal(line: int, values: dict[str, Any]) -> AppealRow:
    decided = _date(values["decided"], "审结日期") if "decided" in values else None
    result = appeal_result_id(_text(values["result"])) if "result" in values else None
    if (decided is None) != (result is None):
        raise XxgkError("审结日期 and 结果 go together: one is given without the other")
    filed = _date(values.get("filed"), "立案日期")
    if decided is not None and decided < filed:
        raise XxgkError(f"审结日期 {decided} is before 立案日期 {filed}")
    return AppealRow(
        line,
        appeal_kind_id(_text(values.get("kind"))),
        _text(values.get("application")) or None,
        filed,
        decided,
        result,
    )


@dataclass
class ImportSummary:
    added: int = 0
    events: int = 0
    corrections: int = 0
    appeals: int = 0
    unchanged: int = 0
    extra: dict[str, int] = field(default_factory=dict)


def read_register(path: Path, mapping: dict[str, str]) -> tuple[list[Row], list[AppealRow]]:
    """Every row of the file checked; all the bad ones named in one error, or none."""
    sheets = _sheets(path)
    bad: list[str] = []
    rows: list[Row] = []
    appeals: list[AppealRow] = []
    names = {key: SHEETS[key]["name"] for key in SHEETS}
    if names["applications"] not in sheets:
        raise InputError(f"no sheet {names['applications']}", str(path))
    numbers: dict[str, int] = {}
    for line, values in _records(sheets[names["applications"]], "applications", mapping, str(path)):
        try:
            row = parse_application(line, values)
        except XxgkError as error:
            bad.append(f"{names['applications']} row {line}: {error}")
            continue
        if row.new.number in numbers:
            bad.append(
                f"{names['applications']} row {line}: 编号 {row.new.number} repeats row"
                f" {numbers[row.new.number]}"
            )
            continue
        numbers[row.new.number or ""] = line
        rows.append(row)
    if names["appeals"] in sheets:
        for line, values in _records(sheets[names["appeals"]], "appeals", mapping, str(path)):
            try:
                appeals.append(parse_appeal(line, values))
            except XxgkError as error:
                bad.append(f"{names['appeals']} row {line}: {error}")
    if bad:
        shown = bad[:MAX_BAD_ROWS_SHOWN]
        more = f"\n… and {len(bad) - len(shown)} more" if len(bad) > len(shown) else ""
        raise InputError(
            f"{len(bad)} bad row(s), nothing imported:\n  " + "\n  ".join(shown) + more, str(path)
        )
    return rows, appeals


def import_register(
    session: Session,
    body_id: int,
    path: Path,
    actor: str,
    calendar: Calendar,
    today: date,
    mapping: dict[str, str] | None = None,
    amendment: str | None = None,
) -> ImportSummary:
    """Check the whole file, then write it in the caller's transaction (an error rolls it all back).
    Rows that change a locked year need `amendment` (its reason is logged)."""
    rows, appeals = read_register(path, mapping or {})
    locked = locked_years(session, body_id)
    summary = ImportSummary()
    existing = {
        app.number: app
        for app in session.scalars(select(RegisterApplication).where(RegisterApplication.body_id == body_id))
    }
    history = histories(session, RegisterApplication.body_id == body_id) if existing else {}
    bad: list[str] = []
    fresh: list[tuple[Row, RegisterApplication]] = []
    for row in rows:
        try:
            for event in row.events:
                not_to_come(event.on, today)
            app = existing.get(row.new.number or "")
            if app is None:
                touched = [e.on for e in row.events]
                guard_locked(session, body_id, touched, actor, amendment, None, locked, row.new.number)
                fresh.append((row, _new_row(body_id, row, actor, calendar, today)))
                continue
            for column, stored, given in (
                ("渠道", app.channel, row.new.channel),
                ("申请人类型", app.applicant_type, row.new.applicant_type),
            ):
                if stored != given:
                    raise XxgkError(
                        f"{column} {given} differs from the registered {stored}"
                        " (an import changes no registration)"
                    )
            changes = _changes(history.get(app.id, []), row.events)
            if not changes:
                summary.unchanged += 1
                continue
            events = history.get(app.id, [])
            touched = [e.on for e, _ in changes] + [e.on for e in events if e.id in {c for _, c in changes}]
            guard_locked(session, body_id, touched, actor, amendment, app.id, locked, app.number)
            new_events = []
            for order, (event, corrects) in enumerate(
                changes, start=max((e.id for e in events), default=0) + 1
            ):
                new_events.append(Event(event.kind, event.on, event.data, order, corrects, order))
            refresh(app, [*events, *new_events], calendar, today)
            for event in new_events:
                session.add(
                    RegisterEvent(
                        application_id=app.id,
                        kind=event.kind,
                        on=event.on,
                        data=event.data,
                        corrects=event.corrects,
                        actor=actor,
                    )
                )
                summary.corrections += event.corrects is not None
                summary.events += event.corrects is None
        except XxgkError as error:
            bad.append(f"row {row.line}: {error}")
    if bad:
        raise InputError(f"{len(bad)} bad row(s), nothing imported:\n  " + "\n  ".join(bad), str(path))
    session.add_all(app for _, app in fresh)
    session.flush()
    values = [
        {"application_id": app.id, "kind": e.kind, "on": e.on, "data": e.data, "actor": actor}
        for row, app in fresh
        for e in row.events
    ]
    if values:
        session.execute(insert(RegisterEvent), values)
    summary.added = len(fresh)
    summary.events += sum(len(row.events) - 1 for row, _ in fresh)
    numbers = {row.new.number for row in rows}
    sheet = SHEETS["appeals"]["name"]
    for appeal in appeals:
        if appeal.application and appeal.application not in numbers and appeal.application not in existing:
            bad.append(f"{sheet} row {appeal.line}: no application {appeal.application} in the register")
            continue
        try:
            changed = add_appeal(
                session,
                body_id,
                appeal.kind,
                appeal.filed,
                actor,
                appeal.application,
                appeal.decided,
                appeal.result,
                amendment,
            )
        except XxgkError as error:
            bad.append(f"{sheet} row {appeal.line}: {error}")
            continue
        summary.appeals += changed is not None
    if bad:  # the transaction is the caller's: raising undoes what was written above
        raise InputError(f"{len(bad)} bad row(s), nothing imported:\n  " + "\n  ".join(bad), str(path))
    summary.extra = import_extra_sheets(session, body_id, path, actor)
    audit(
        session,
        actor,
        "import",
        body_id,
        detail={
            "file": path.name,
            "added": summary.added,
            "events": summary.events,
            "corrections": summary.corrections,
        },
    )
    return summary


def import_extra_sheets(session: Session, body_id: int, path: Path, actor: str) -> dict[str, int]:
    """The proactive side's sheets of the same workbook (文件, 年度数量: xxgk.register.proactive),
    in the same transaction: a bad row raises, and the whole import is undone. Returns sheet name
    → rows imported (new or changed)."""
    if path.suffix.lower() != ".xlsx":
        return {}
    from xxgk.register.proactive import DOCUMENTS_SHEET, FIGURES_SHEET, import_proactive

    done = import_proactive(session, body_id, path)
    return {DOCUMENTS_SHEET: done.documents, FIGURES_SHEET: done.figures}


def _new_row(body_id: int, row: Row, actor: str, calendar: Calendar, today: date) -> RegisterApplication:
    new = row.new
    app = RegisterApplication(
        body_id=body_id,
        number=new.number,
        channel=new.channel,
        applicant_type=new.applicant_type,
        applicant_name=new.applicant_name,
        applicant_contact=new.applicant_contact,
        request=new.request,
        created_by=actor,
    )
    refresh(app, row.events, calendar, today)
    return app


def _changes(stored: list[Event], wanted: list[Event]) -> list[tuple[Event, int | None]]:
    """What the file adds to a stored history: events it lacks, and corrections of those whose date
    or values differ (matched by kind, in order)."""
    standing = effective(stored)
    changes: list[tuple[Event, int | None]] = []
    for kind in dict.fromkeys(e.kind for e in wanted):
        have = [e for e in standing if e.kind == kind]
        want = [e for e in wanted if e.kind == kind]
        for i, event in enumerate(want):
            if i >= len(have):
                changes.append((event, None))
            elif (have[i].on, have[i].data) != (event.on, event.data):
                changes.append((event, have[i].id))
    return changes


# --- writing ------------------------------------------------------------------------------------


def template_workbook(out: Path) -> None:
    """xxgk's own register template: the two sheets with their headers, each closed list a drop-down."""
    from openpyxl import Workbook
    from openpyxl.worksheet.datavalidation import DataValidation

    workbook = Workbook()
    lists = workbook.create_sheet("取值")
    choices = {
        "channel": list(CHANNEL_WORDS),
        "applicant_type": list(APPLICANTS.values()),
        "outcome": list(OUTCOMES.values()),
        "kind": list(APPEAL_LABELS.values()),
        "result": list(RESULT_LABELS.values()),
    }
    for col, (name, values) in enumerate(choices.items(), start=1):
        lists.cell(1, col, name)
        for r, value in enumerate(values, start=2):
            lists.cell(r, col, value)
    workbook.remove(workbook.active)
    for key in SHEETS:
        sheet = workbook.create_sheet(SHEETS[key]["name"], index=len(workbook.sheetnames) - 1)
        sheet.append(list(headers(key)))
        for col, field_name in enumerate(headers(key).values(), start=1):
            letter = sheet.cell(1, col).column_letter
            sheet.column_dimensions[letter].width = 16
            if field_name in choices:
                source = list(choices).index(field_name) + 1
                src_letter = lists.cell(1, source).column_letter
                rule = DataValidation(
                    type="list", formula1=f"取值!${src_letter}$2:${src_letter}${len(choices[field_name]) + 1}"
                )
                rule.add(f"{letter}2:{letter}5000")
                sheet.add_data_validation(rule)
    with output_file(out) as part:
        workbook.save(part)


def export_rows(session: Session, body_id: int, unmasked: bool) -> tuple[list[list[Any]], list[list[Any]]]:
    """The register in the template's layout (so an export imports back), personal data masked
    unless asked for."""
    apps = list(
        session.scalars(
            select(RegisterApplication)
            .where(RegisterApplication.body_id == body_id)
            .order_by(RegisterApplication.received, RegisterApplication.id)
        )
    )
    history = histories(session, RegisterApplication.body_id == body_id)
    fields = list(headers("applications").values())
    out = [list(headers("applications"))]
    for app in apps:
        values: dict[str, Any] = {
            "number": app.number,
            "channel": CHANNEL_LABELS.get(app.channel, app.channel),
            "applicant_type": APPLICANTS[app.applicant_type],
            "applicant_name": app.applicant_name if unmasked else mask(app.applicant_name),
            "applicant_contact": app.applicant_contact if unmasked else mask(app.applicant_contact),
            "request": app.request,
        }
        for event in effective(history.get(app.id, [])):
            if event.kind == "receipt":
                values["receipt"] = event.on
            elif event.kind in EVENT_COLUMNS:
                values[event.kind] = event.on
                if event.kind == "fee_notice":
                    values["fee_amount"] = Decimal(str(event.data.get("amount", 0)))
            elif event.kind in EVENT_OUTCOMES or event.kind == "reply":
                values["reply"] = event.on
        if app.outcome:
            values["outcome"] = OUTCOMES[app.outcome]
        out.append([values.get(f) for f in fields])
    numbers = {app.id: app.number for app in apps}
    appeals = [list(headers("appeals"))]
    for appeal in session.scalars(
        select(RegisterAppeal)
        .where(RegisterAppeal.body_id == body_id)
        .order_by(RegisterAppeal.filed, RegisterAppeal.id)
    ):
        appeals.append(
            [
                APPEAL_LABELS[appeal.kind],
                numbers.get(appeal.application_id) if appeal.application_id else None,
                appeal.filed,
                appeal.decided,
                RESULT_LABELS[appeal.result] if appeal.result else None,
            ]
        )
    return out, appeals


def export_paths(out: Path) -> list[Path]:
    """The files an export to `out` writes: an XLSX workbook; or two CSVs, the applications and
    beside them the appeals (`-复议诉讼.csv`)."""
    if out.suffix.lower() == ".xlsx":
        return [out]
    if out.suffix.lower() != ".csv":
        raise InputError("the export is an .xlsx or a .csv file", str(out))
    return [out, out.with_name(f"{out.stem}-{SHEETS['appeals']['name']}.csv")]


def write_export(out: Path, applications: list[list[Any]], appeals: list[list[Any]]) -> None:
    """XLSX: the template's two sheets; CSV: the applications (the appeals beside it, `-复议诉讼.csv`).
    Both CSVs are written, or neither (xxgk.output_file)."""
    paths = export_paths(out)
    if len(paths) == 1:
        from openpyxl import Workbook

        with output_file(out) as part:
            workbook = Workbook(write_only=True)
            for key, rows in (("applications", applications), ("appeals", appeals)):
                sheet = workbook.create_sheet(SHEETS[key]["name"])
                for row in rows:
                    sheet.append(row)
            workbook.save(part)
        return
    with output_files(*paths) as parts:
        for path, rows in zip(parts, (applications, appeals), strict=True):
            with path.open("w", encoding="utf-8-sig", newline="") as handle:
                csv.writer(handle).writerows(["" if v is None else v for v in row] for row in rows)
