"""Which version of a body's report for a year is current.

1. the version a reviewer chose (the latest choice, with who and why), else
2. the latest published (the date the report prints, or its manifest's), a version without a
   date after every dated one, else, among versions published the same day,
3. the one with fewer error findings: a report republished the same day is nearly always a
   correction, and the copy whose tables add up is the one a reader means (the bundled
   `altered_wuxi_helie_2020.txt` is the published report with two numbers changed: the
   published one is current, whichever was ingested first), else
4. the latest stored (the file given last is the one its sender meant).

Only the last step depends on the order of ingestion, and only for versions alike in date and
errors: a reviewer settles such a tie (`xxgk versions` says when it decided).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from xxgk.store.models import StoredReport, VersionChoice

# why a version is current, as `xxgk versions` and the report page say it
REASONS = {
    "only": "the only version",
    "chosen": "chosen by a reviewer",
    "published": "published latest",
    "fewer errors": "published the same day as another; fewer error findings",
    "latest": "published the same day as another, as many errors: stored last (a reviewer may choose)",
}
REASONS_ZH = {
    "only": "唯一版本",
    "chosen": "审核人指定",
    "published": "发布日期最晚",
    "fewer errors": "与其他版本同日发布，错误较少",
    "latest": "与其他版本同日发布、错误一样多，取最后入库的版本（可由审核人指定）",
}


class Version(Protocol):
    """What the rule reads of a version: a stored row, or bulk loading's copy of one."""

    @property
    def id(self) -> int: ...
    @property
    def published(self) -> date | None: ...
    @property
    def errors(self) -> int: ...


V = TypeVar("V", bound=Version)


def _rank(row: Version) -> tuple[bool, date, int, int]:
    return (row.published is not None, row.published or date.min, -row.errors, row.id)


def current_of(rows: Sequence[V], chosen_id: int | None) -> V:
    """The current one of a body's published versions for a year (rules 1–4 above)."""
    return next((r for r in rows if r.id == chosen_id), None) or max(rows, key=_rank)


def _reason(best: StoredReport, rows: list[StoredReport]) -> str:
    if len(rows) == 1:
        return "only"
    runner_up = max((r for r in rows if r.id != best.id), key=_rank)
    a, b = _rank(best), _rank(runner_up)
    if a[:2] != b[:2]:
        return "published"
    return "fewer errors" if a[2] != b[2] else "latest"


def latest_choice(session: Session, body_id: int, year: int) -> VersionChoice | None:
    return session.scalar(
        select(VersionChoice)
        .where(VersionChoice.body_id == body_id, VersionChoice.year == year)
        .order_by(VersionChoice.id.desc())
    )


def settle(session: Session, body_id: int, year: int) -> tuple[StoredReport | None, str]:
    """Mark the current version of the body's report for the year; returns it and why."""
    rows = list(
        session.scalars(
            select(StoredReport).where(
                StoredReport.body_id == body_id, StoredReport.year == year, StoredReport.kind == "published"
            )
        )
    )  # a compiled report is never the current version: it stands beside the published ones
    if not rows:
        return None, "only"
    choice = latest_choice(session, body_id, year)
    chosen_id = None if choice is None else choice.report_id
    best = current_of(rows, chosen_id)
    for row in rows:
        row.current = row is best
    session.flush()
    return best, "chosen" if best.id == chosen_id else _reason(best, rows)


@dataclass
class VersionInfo:
    id: int
    version: int
    current: bool
    published: date | None
    errors: int
    warnings: int
    content: str | None
    sources: list[tuple[str, str | None, str]]  # (where: path or URL, format, when ingested)
    chosen_by: str | None = None
    why: str | None = None
    chosen_at: datetime | None = None


def version_list(session: Session, body_id: int, year: int) -> tuple[list[VersionInfo], str]:
    """Every version of the body's report for the year, and why the current one is current."""
    rows = list(
        session.scalars(
            select(StoredReport)
            .where(StoredReport.body_id == body_id, StoredReport.year == year)
            .order_by(StoredReport.version)
        )
    )
    choice = latest_choice(session, body_id, year)
    out = []
    for row in rows:
        info = VersionInfo(
            row.id,
            row.version,
            row.current,
            row.published,
            row.errors,
            row.warnings,
            row.content,
            [(s.url or s.path or "", s.format, f"{s.ingested_at:%Y-%m-%d %H:%M}") for s in row.sources],
        )
        if choice is not None and choice.report_id == row.id:
            info.chosen_by, info.why, info.chosen_at = choice.chosen_by, choice.why, choice.chosen_at
        out.append(info)
    current = next((r for r in rows if r.current), None)
    if current is None:
        return out, "only"
    if choice is not None and choice.report_id == current.id:
        return out, "chosen"
    return out, _reason(current, rows)
