"""The statutory clock: deadlines as a pure function of an application's events and a calendar.

Conventions (docs/clock.md): a period of N working days counts from the day after its start day and
ends with the Nth working day, so a receipt on an off day still starts the count on the next working
day. A pause (a consultation, 条例第32条/第34条; a fee notice until payment, 109号) stops the clock
after its start day and resumes it after its end day. Every deadline carries the trace of its count.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from xxgk.clock.calendar import Calendar
from xxgk.clock.rules import RULES
from xxgk.errors import XxgkError

PERIODS: dict[str, dict] = RULES["periods"]
PAUSES: dict[str, dict] = RULES["pauses"]
EXTENSION: dict = RULES["extension"]
CHANNELS: dict[str, dict] = RULES["channels"]
ONE_DAY = timedelta(days=1)


@dataclass(frozen=True)
class Step:
    """One line of a trace: what happened on `date` (through `until` for a run of days)."""

    kind: str  # start, correction, day1, off, adjusted, pause, extension, provisional, due
    date: date
    text: str
    until: date | None = None

    def to_dict(self) -> dict:
        until = self.until.isoformat() if self.until else None
        return {"kind": self.kind, "date": self.date.isoformat(), "until": until, "text": self.text}


@dataclass(frozen=True)
class Deadline:
    """A deadline, whether it rests on a provisional year (and why), and how it was counted."""

    period: str
    due: date
    trace: tuple[Step, ...]
    provisional_reasons: tuple[str, ...] = ()

    @property
    def provisional(self) -> bool:
        return bool(self.provisional_reasons)

    def to_dict(self) -> dict:
        return {
            "period": self.period,
            "due": self.due.isoformat(),
            "provisional": self.provisional,
            "provisional_reasons": list(self.provisional_reasons),
            "trace": [step.to_dict() for step in self.trace],
        }


@dataclass(frozen=True)
class Pause:
    """Days not counted: from the day after `start` through `end` (kind: a key of [pauses])."""

    start: date
    end: date
    kind: str = "consultation"

    def __post_init__(self) -> None:
        where = f"pause {self.start}:{self.end}"
        if self.kind not in PAUSES:
            raise XxgkError(f"unknown kind {self.kind!r} (expected one of {', '.join(PAUSES)})", where)
        if self.end < self.start:
            raise XxgkError("it ends before it starts", where)

    def covers(self, day: date) -> bool:
        return self.start < day <= self.end


@dataclass(frozen=True)
class Extension:
    """The one extension of the reply period, with its approval record (who, when)."""

    days: int
    approved_by: str
    approved_on: date

    def __post_init__(self) -> None:
        limit = EXTENSION["max_days"]
        if not 1 <= self.days <= limit:
            raise XxgkError(f"1 to {limit} working days ({EXTENSION['law']}), not {self.days}", "extension")
        if not self.approved_by.strip():
            raise XxgkError("it needs its approval record: who approved it", "extension")


@dataclass(frozen=True)
class Application:
    """The events of one application that move its clock."""

    received: date
    corrected: date | None = None  # receipt of the corrected application (补正)
    pauses: tuple[Pause, ...] = ()
    extensions: tuple[Extension, ...] = ()

    def __post_init__(self) -> None:
        if self.corrected is not None and self.corrected < self.received:
            raise XxgkError(f"{self.corrected} is before receipt ({self.received})", "corrected")
        start = self.corrected or self.received
        for pause in self.pauses:
            if pause.start < start:
                raise XxgkError(
                    f"it starts before the period does ({start})", f"pause {pause.start}:{pause.end}"
                )
        if len(self.extensions) > EXTENSION["max_count"]:
            raise XxgkError(
                f"only {EXTENSION['max_count']} extension is allowed ({EXTENSION['law']})", "extension"
            )


def receipt_date(channel: str, events: Mapping[str, date]) -> date:
    """The day an application counts as received, by its channel (条例第31条)."""
    if channel not in CHANNELS:
        raise XxgkError(f"unknown channel {channel!r} (expected one of {', '.join(CHANNELS)})")
    event = CHANNELS[channel]["event"]
    if event not in events:
        raise XxgkError(
            f"{CHANNELS[channel]['label']}: the receipt date is {CHANNELS[channel]['event_label']}"
        )
    return events[event]


class _Count:
    """Counting working days forward, writing the trace as it goes."""

    def __init__(self, calendar: Calendar, pauses: tuple[Pause, ...]) -> None:
        self.calendar, self.pauses = calendar, pauses
        self.trace: list[Step] = []
        self.years: dict[int, str] = {}  # provisional years met, with their reason
        self.seen_pauses: set[Pause] = set()
        self._run: tuple[str, date, date] | None = None  # the run of off days being written

    def note(self, step: Step) -> None:
        self.trace.append(step)

    def _off(self, day: date, why: str) -> None:
        """An off day; a run of days off for the same reason is one line."""
        run = self._run
        if run and run[0] == why and run[2] == day - ONE_DAY and self.trace[-1].kind == "off":
            first = run[1]
            self.trace[-1] = Step("off", first, f"{first}至{day} 休息日（{why}），不计", until=day)
        else:
            first = day
            self.note(Step("off", day, f"{day} 休息日（{why}），不计"))
        self._run = (why, first, day)

    def _year(self, day: date) -> None:
        notice = self.calendar.notice(day.year)
        if not notice.official and day.year not in self.years:
            self.years[day.year] = notice.reason
            self.note(Step("provisional", day, notice.reason))

    def forward(self, start: date, days: int, stage: str = "") -> date:
        """The `days`-th working day after `start`, not counting paused days."""
        day, counted = start, 0
        while counted < days:
            try:
                day += ONE_DAY
            except OverflowError:
                raise XxgkError(f"the count from {start} runs past the last date there is") from None
            self._year(day)
            pauses = [p for p in self.pauses if p.covers(day)]
            if pauses:
                for pause in pauses:
                    if pause not in self.seen_pauses:
                        self.seen_pauses.add(pause)
                        about = PAUSES[pause.kind]
                        self.note(
                            Step(
                                "pause",
                                pause.start,
                                f"{pause.start}至{pause.end} {about['label']}（{about['law']}），"
                                f"自{pause.start}次日起至{pause.end}不计",
                                until=pause.end,
                            )
                        )
                continue
            info = self.calendar.day(day)
            if not info.working:
                self._off(day, info.why)
                continue
            counted += 1
            if info.adjusted:
                self.note(Step("adjusted", day, f"{day} 调休上班（{info.why}），计为第{counted}个工作日"))
            elif counted == 1:
                self.note(Step("day1", day, f"{day} {stage}第1个工作日"))
        return day


def _start_step(event: str, period: str, start: date, calendar: Calendar) -> Step:
    info = calendar.day(start)
    if info.working:
        return Step("start", start, f"{start} {event}，{period}自次日起算")
    return Step("start", start, f"{start} {event}（休息日：{info.why}），{period}自次日起算，遇休息日顺延")


def period_deadline(
    period: str, start: date, calendar: Calendar, pauses: tuple[Pause, ...] = (), event: str = "起算"
) -> Deadline:
    """The deadline of one statutory period (a key of [periods]) that starts on `start`."""
    about = PERIODS[period]
    count = _Count(calendar, pauses)
    count.note(_start_step(event, about["label"], start, calendar))
    due = count.forward(start, about["days"])
    count.note(Step("due", due, f"{due} 第{about['days']}个工作日，{about['label']}届满（{about['law']}）"))
    return Deadline(period, due, tuple(count.trace), tuple(count.years.values()))


def reply_deadline(application: Application, calendar: Calendar) -> Deadline:
    """The reply deadline (第33条): 20 working days from receipt, restarted by a correction (第30条),
    paused while consulting or awaiting a fee, extended once with approval."""
    about = PERIODS["reply"]
    start = application.corrected or application.received
    count = _Count(calendar, application.pauses)
    if application.corrected:
        count.note(
            Step(
                "correction",
                application.received,
                f"{application.received} 收到申请；补正后，答复期限自收到补正申请之日重新计算（条例第30条）",
            )
        )
        count.note(_start_step("收到补正后的申请", about["label"], start, calendar))
    else:
        count.note(_start_step("收到申请", about["label"], start, calendar))
    due = count.forward(start, about["days"])
    count.note(Step("due", due, f"{due} 第{about['days']}个工作日，{about['label']}届满（{about['law']}）"))
    for extension in application.extensions:
        count.note(
            Step(
                "extension",
                due,
                f"延长{extension.days}个工作日（{extension.approved_by}于{extension.approved_on}批准，"
                f"{EXTENSION['law']}），自原期限{due}次日起算",
            )
        )
        due = count.forward(due, extension.days, "延长期")
        count.note(Step("due", due, f"{due} 延长后的{about['label']}届满"))
    return Deadline("reply", due, tuple(count.trace), tuple(count.years.values()))


@dataclass(frozen=True)
class Schedule:
    """The deadlines of one application."""

    reply: Deadline
    correction_notice: Deadline

    def deadlines(self) -> dict[str, Deadline]:
        return {"reply": self.reply, "correction_notice": self.correction_notice}


def schedule(application: Application, calendar: Calendar) -> Schedule:
    return Schedule(
        reply_deadline(application, calendar),
        period_deadline("correction_notice", application.received, calendar, event="收到申请"),
    )


@dataclass(frozen=True)
class Moved:
    """A deadline the new calendar moved."""

    application: str
    period: str
    old: date
    new: date

    def to_dict(self) -> dict:
        return {
            "application": self.application,
            "period": self.period,
            "old": str(self.old),
            "new": str(self.new),
        }


def recompute(applications: Mapping[str, Application], old: Calendar, new: Calendar) -> list[Moved]:
    """Every deadline of these applications that differs between the old and the new calendar."""
    moved = []
    for key, application in applications.items():
        before, after = schedule(application, old).deadlines(), schedule(application, new).deadlines()
        for period, deadline in before.items():
            if after[period].due != deadline.due:
                moved.append(Moved(key, period, deadline.due, after[period].due))
    return moved
