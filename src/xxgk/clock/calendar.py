"""Working days as dated data: each year's 国务院办公厅 holiday notice, or an estimate marked provisional.

A `Calendar` is built from `Notice`s, whatever keeps them (the package `chinese-calendar`, a CSV a
clerk imports, the register's database); nothing here reads or writes storage of its own.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from functools import cache

from xxgk.clock.rules import RULES
from xxgk.errors import XxgkError

HOLIDAY, WORKDAY = "holiday", "workday"
KINDS = (HOLIDAY, WORKDAY)
WEEKEND = "周末"
WEEKDAY = "工作日"
CSV_HEADER = ["date", "kind", "name"]

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def parse_date(text: str, where: str) -> date:
    """A YYYY-MM-DD date that exists (2025-02-30 is refused, not rolled over)."""
    text = text.strip()
    if not _ISO_DATE.fullmatch(text):
        raise XxgkError(f"{text!r} is not a date (YYYY-MM-DD)", where)
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise XxgkError(f"no such date {text}", where) from None


@dataclass(frozen=True)
class Notice:
    """One year's holiday notice: its off days and weekend working days (调休), and its source.

    `days` maps a date to (kind, name); a date not in it is a working day Monday to Friday and an
    off day at the weekend. An estimate is `official=False` and says why in `reason`.
    """

    year: int
    days: Mapping[date, tuple[str, str]]
    source: str
    official: bool = True
    reason: str = ""

    def to_dict(self) -> dict:
        return {
            "year": self.year,
            "official": self.official,
            "source": self.source,
            "reason": self.reason,
            "days": [
                {"date": d.isoformat(), "kind": k, "name": n} for d, (k, n) in sorted(self.days.items())
            ],
        }

    @classmethod
    def from_dict(cls, data: Mapping, where: str) -> Notice:
        """A notice as `to_dict` wrote it, checked like a CSV (a stored file may have been edited)."""
        try:
            rows = [(i, d["date"], d["kind"], d["name"]) for i, d in enumerate(data["days"], 1)]
            year, source, official = int(data["year"]), str(data["source"]), bool(data["official"])
        except (KeyError, TypeError, ValueError) as error:
            raise XxgkError(f"not a stored notice (missing or bad {error})", where) from None
        notices = _notices_from_rows(rows, source, where)
        if [n.year for n in notices] != [year]:
            raise XxgkError(f"the notice of {year} lists days of another year", where)
        return Notice(year, notices[0].days, source, official, str(data.get("reason", "")))


@dataclass(frozen=True)
class Day:
    """What one date is: working or not, and why (holiday name, 周末, 调休 working day)."""

    date: date
    working: bool
    why: str
    adjusted: bool = False  # a weekend working day of the notice (调休上班)


def _notices_from_rows(rows: Iterable[tuple[int, str, str, str]], source: str, where: str) -> list[Notice]:
    """Rows (line, date, kind, name) → one notice per year; every row is checked before any is kept."""
    by_year: dict[int, dict[date, tuple[str, str]]] = {}
    for line, text, kind, name in rows:
        at = f"{where}:{line}"
        day = parse_date(str(text), at)
        kind, name = str(kind).strip(), str(name).strip()
        if kind not in KINDS:
            raise XxgkError(f"unknown kind {kind!r} (expected {' or '.join(KINDS)})", at)
        if not name:
            raise XxgkError("the name is empty (e.g. 春节)", at)
        if kind == WORKDAY and day.weekday() < 5:
            raise XxgkError(f"{day} is a weekday: a workday row is a weekend working day (调休)", at)
        days = by_year.setdefault(day.year, {})
        if day in days:
            raise XxgkError(f"{day} is listed twice", at)
        days[day] = (kind, name)
    return [Notice(year, days, source) for year, days in sorted(by_year.items())]


def parse_notices_csv(text: str, source: str, where: str) -> list[Notice]:
    """A CSV `date,kind,name` (kind holiday or workday) → one official notice per year it covers."""
    limit = RULES["calendar"]["max_csv_rows"]
    reader = csv.reader(io.StringIO(text.removeprefix("\ufeff")))
    header = [cell.strip().lower() for cell in next(reader, [])]
    if header != CSV_HEADER:
        raise XxgkError(f"the first line must be {','.join(CSV_HEADER)}", f"{where}:1")
    rows = []
    for row in reader:
        line = reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(CSV_HEADER):
            raise XxgkError(f"expected 3 columns (date,kind,name), found {len(row)}", f"{where}:{line}")
        if len(rows) == limit:
            raise XxgkError(f"more than {limit} rows: not a holiday notice", f"{where}:{line}")
        rows.append((line, *row))
    if not rows:
        raise XxgkError("no days listed", where)
    return _notices_from_rows(rows, source, where)


@cache
def package_notices() -> tuple[Notice, ...]:
    """The official years `chinese-calendar` carries (the yearly 国务院办公厅 notices)."""
    import chinese_calendar

    by_year: dict[int, dict[date, tuple[str, str]]] = {}
    for table, kind in ((chinese_calendar.holidays, HOLIDAY), (chinese_calendar.workdays, WORKDAY)):
        for day, english in table.items():
            name = chinese_calendar.Holiday(english).chinese
            by_year.setdefault(day.year, {})[day] = (kind, name)
    source = f"chinese-calendar {chinese_calendar.__version__}（国务院办公厅部分节假日安排的通知）"
    first, last = min(by_year), max(by_year)
    return tuple(Notice(year, by_year.get(year, {}), source) for year in range(first, last + 1))


def estimated_notice(year: int) -> Notice:
    """A year without a notice: weekends plus the statutory holidays of the 全国年节及纪念日放假办法
    (with the 补假 its 第六条 gives for a holiday on a weekend), as `holidays` computes them."""
    first, last = RULES["calendar"]["first_year"], RULES["calendar"]["last_year"]
    if not first <= year <= last:
        raise XxgkError(f"no calendar for {year}: holidays can be estimated for {first}–{last} only")
    import holidays

    days = {
        day: (HOLIDAY, name)
        for day, name in holidays.China(years=year, language="zh_CN").items()
        if "调休" not in name  # a swap of a known notice, not part of the statutory rule
    }
    reason = (
        f"{year}年尚无国务院办公厅放假通知，按《全国年节及纪念日放假办法》估算（周末与法定节假日），结果暂定"
    )
    return Notice(year, days, f"holidays {holidays.__version__}（估算）", official=False, reason=reason)


class Calendar:
    """Working days from notices (a later notice of the same year replaces an earlier one); a year
    without one is estimated by `estimate` and provisional."""

    def __init__(
        self, notices: Iterable[Notice] = (), estimate: Callable[[int], Notice] = estimated_notice
    ) -> None:
        self.notices: dict[int, Notice] = {n.year: n for n in notices}
        self.estimate = estimate
        self._estimates: dict[int, Notice] = {}

    @classmethod
    def official(cls, imported: Iterable[Notice] = ()) -> Calendar:
        """The package's official years, then the imported notices (which win for their year)."""
        return cls([*package_notices(), *imported])

    def with_notices(self, notices: Iterable[Notice]) -> Calendar:
        return Calendar([*self.notices.values(), *notices], self.estimate)

    def notice(self, year: int) -> Notice:
        if year in self.notices:
            return self.notices[year]
        if year not in self._estimates:
            self._estimates[year] = self.estimate(year)
        return self._estimates[year]

    def day(self, when: date) -> Day:
        kind, name = self.notice(when.year).days.get(when, ("", ""))
        if kind == HOLIDAY:
            return Day(when, False, name)
        if kind == WORKDAY:
            return Day(when, True, name, adjusted=True)
        weekend = when.weekday() >= 5
        return Day(when, not weekend, WEEKEND if weekend else WEEKDAY)
