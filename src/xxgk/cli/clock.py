"""Commands for a clerk's quick question: deadline, fee, and the calendar they rest on.

Imported holiday notices are kept in one JSON file in a calendar folder (--calendar-dir, else
$XXGK_CALENDAR_DIR, else the user's xxgk folder: xxgk.clock.kept, which the web application reads too).
The clock is imported inside each command, so `xxgk parse` does not load it.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from xxgk.cli.common import AsJson, app, console
from xxgk.errors import XxgkError

if TYPE_CHECKING:
    from xxgk.clock import Notice

MAX_CSV_BYTES = 1_000_000
WEEKDAYS = "一二三四五六日"

CalendarDir = Annotated[
    Path | None,
    typer.Option(
        "--calendar-dir",
        help="Folder of imported holiday notices (default: $XXGK_CALENDAR_DIR, else the user's xxgk folder).",
        show_default=False,
    ),
]

calendar_app = typer.Typer(
    no_args_is_help=True, help="Working days: the yearly holiday notices (调休 included)."
)
app.add_typer(calendar_app, name="calendar")


def _date(text: str, option: str) -> date:
    from xxgk.clock.calendar import parse_date

    return parse_date(text, option)


@calendar_app.command("import")
def calendar_import(
    file: Annotated[Path, typer.Argument(help="CSV with columns date,kind,name (kind: holiday or workday).")],
    calendar_dir: CalendarDir = None,
) -> None:
    """Import a holiday notice (one official notice per year; re-importing a year replaces it)."""
    from xxgk.clock import Calendar, parse_notices_csv

    if not file.is_file():
        raise XxgkError("a folder, not a file" if file.is_dir() else "no such file", str(file))
    if file.stat().st_size > MAX_CSV_BYTES:
        raise XxgkError(f"larger than {MAX_CSV_BYTES:,} bytes: not a holiday notice", str(file))
    try:
        text = file.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise XxgkError("not UTF-8 text", str(file)) from None
    imported_on = date.today().isoformat()
    notices = parse_notices_csv(text, f"{file.name}（{imported_on}导入）", str(file))
    from xxgk.clock.kept import NOTICES_FILE, kept_notices
    from xxgk.clock.kept import calendar_dir as kept_dir

    folder = kept_dir(calendar_dir)
    kept = {n.year: n for n in kept_notices(folder)}
    before = {year: n.source for year, n in Calendar.official(kept.values()).notices.items()}
    kept.update({n.year: n for n in notices})
    from xxgk.output_file import make_folder, output_file

    make_folder(folder)
    payload = json.dumps({"notices": [kept[y].to_dict() for y in sorted(kept)]}, ensure_ascii=False, indent=1)
    # written whole, then moved into place: a failed write leaves the old file as it was
    with output_file(folder / NOTICES_FILE) as part:
        part.write_text(payload, encoding="utf-8")
    for notice in notices:
        replaced = f", replacing the one from {before[notice.year]}" if notice.year in before else ""
        console().print(
            f"imported the notice of {notice.year} ({len(notice.days)} days) into {folder / NOTICES_FILE}"
            + replaced
        )


@calendar_app.command("show")
def calendar_show(
    year: Annotated[int, typer.Argument(help="The year, e.g. 2026.")],
    calendar_dir: CalendarDir = None,
    as_json: AsJson = False,
) -> None:
    """A year as a month grid: off days, weekend working days (班), and whether the year is official."""
    from xxgk.clock.kept import kept_calendar

    notice = kept_calendar(calendar_dir).notice(year)
    if as_json:
        print(json.dumps(notice.to_dict(), ensure_ascii=False, indent=1))
        return
    _print_year(year, notice)


def _print_year(year: int, notice: Notice) -> None:
    import calendar as months

    from rich.columns import Columns
    from rich.table import Table

    from xxgk.clock.calendar import HOLIDAY

    grids = []
    for month in range(1, 13):
        grid = Table(title=f"{month}月", show_edge=False, pad_edge=False, box=None)
        for name in WEEKDAYS:
            grid.add_column(name, width=4, justify="right")
        for week in months.Calendar().monthdatescalendar(year, month):
            cells = []
            for day in week:
                kind, _ = notice.days.get(day, ("", ""))
                if day.month != month:
                    cells.append("")
                elif kind == HOLIDAY:
                    cells.append(f"[bold red]{day.day:>2}休[/]")
                elif kind:
                    cells.append(f"[bold yellow]{day.day:>2}班[/]")
                elif day.weekday() >= 5:
                    cells.append(f"[red]{day.day:>2}[/]")
                else:
                    cells.append(f"{day.day:>2}")
            grid.add_row(*cells)
        grids.append(grid)
    out = console(cut=True)  # twelve months side by side would not do in a file
    status = f"官方：{notice.source}" if notice.official else f"暂定：{notice.reason}"
    out.print(f"[bold]{year}年[/]  {status}")
    out.print(Columns(grids, padding=(1, 3)))
    out.print("休 = 放假（法定节假日及连休），班 = 调休上班的周末，红色 = 周末")
    names: dict[str, list[str]] = {}
    for day, (kind, name) in sorted(notice.days.items()):
        names.setdefault(f"{name}{'（调休上班）' if kind != HOLIDAY else ''}", []).append(f"{day:%m-%d}")
    for name, days in names.items():
        out.print(f"{name}：{'、'.join(days)}")


@app.command()
def deadline(
    received: Annotated[
        str, typer.Option("--received", help="Day the application was received (YYYY-MM-DD).")
    ],
    corrected: Annotated[
        str | None, typer.Option("--corrected", help="Day the corrected application (补正) was received.")
    ] = None,
    pause: Annotated[
        list[str] | None,
        typer.Option(
            "--pause",
            help="START:END[:KIND] not counted (KIND: consultation, third_party, other_agency, fee).",
        ),
    ] = None,
    extension: Annotated[
        int | None, typer.Option("--extension", help="Working days of the one extension (at most 20).")
    ] = None,
    approved_by: Annotated[
        str | None, typer.Option("--approved-by", help="Who approved the extension.")
    ] = None,
    approved_on: Annotated[
        str | None, typer.Option("--approved-on", help="When the extension was approved (default: today).")
    ] = None,
    calendar_dir: CalendarDir = None,
    as_json: AsJson = False,
) -> None:
    """The reply deadline (条例第33条) and the 补正-notice deadline, with how they were counted."""
    from xxgk.clock import Application, Extension, Pause, schedule

    extensions: tuple[Extension, ...] = ()
    if extension is not None:
        if not approved_by:
            raise XxgkError("an extension needs its approval record: give --approved-by WHO", "--extension")
        when = _date(approved_on, "--approved-on") if approved_on else date.today()
        extensions = (Extension(extension, approved_by, when),)
    elif approved_by or approved_on:
        raise XxgkError("an approval without --extension DAYS", "--approved-by")
    pauses = []
    for text in pause or []:
        parts = text.split(":")
        if len(parts) not in (2, 3):
            raise XxgkError("expected START:END or START:END:KIND", f"--pause {text}")
        start, end = (_date(part, f"--pause {text}") for part in parts[:2])
        pauses.append(Pause(start, end, *parts[2:]))
    application = Application(
        _date(received, "--received"),
        _date(corrected, "--corrected") if corrected else None,
        tuple(pauses),
        extensions,
    )
    from xxgk.clock.kept import kept_calendar

    result = schedule(application, kept_calendar(calendar_dir))
    reply, notice = result.reply, result.correction_notice
    if as_json:
        print(
            json.dumps(
                {
                    "due": reply.due.isoformat(),
                    "correction_notice_due": notice.due.isoformat(),
                    "provisional": reply.provisional or notice.provisional,
                    "provisional_reasons": sorted({*reply.provisional_reasons, *notice.provisional_reasons}),
                    "trace": [step.to_dict() for step in reply.trace],
                    "correction_notice_trace": [step.to_dict() for step in notice.trace],
                },
                ensure_ascii=False,
                indent=1,
            )
        )
        return
    out = console()
    out.print(f"答复期限：[bold]{reply.due}[/]")
    out.print(f"补正告知期限：{notice.due}")
    reasons = sorted({*reply.provisional_reasons, *notice.provisional_reasons})
    out.print(f"暂定：{'是（' + '；'.join(reasons) + '）' if reasons else '否'}")
    out.print("答复期限的计算：")
    for step in reply.trace:
        out.print(f"  {step.text}")


@app.command()
def fee(
    count: Annotated[
        int | None, typer.Option("--count", help="Fee by count: the n-th application of the month.")
    ] = None,
    pages: Annotated[
        int | None, typer.Option("--pages", help="Fee by volume: the pages of one application.")
    ] = None,
    as_json: AsJson = False,
) -> None:
    """信息处理费 (国办函〔2020〕109号), by count or by pages, never both."""
    from xxgk.clock import fee as fee_of

    result = fee_of(count=count, pages=pages)
    if as_json:
        print(json.dumps(result.to_dict(), ensure_ascii=False, indent=1))
        return
    out = console()
    for line in result.lines():
        out.print(line)
