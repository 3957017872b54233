"""Corpus statistics: how many reports, how much was asked for, how often it was granted.

Computed in the database (GROUP BY over the key figures kept on each report row, read from an
index of the current reports that holds them, migration 0011), never by loading reports, so it
stays fast over a million reports on SQLite and PostgreSQL alike. Only the current version of
each report counts.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text
from sqlalchemy import ColumnElement, case, distinct, exists, func, or_, select, text
from sqlalchemy.orm import Session, aliased

from xxgk.errors import InputError, require_choice
from xxgk.store.models import Body, BodyAlias, StoredReport
from xxgk.store.regions import DEPTHS, Hierarchy, Path, cut, depth_index, id_condition, joined
from xxgk.templates import META

if TYPE_CHECKING:
    from xxgk.store import Store

__all__ = ["GROUPINGS", "MIN_CASES", "Rate", "StatsRow", "render_stats", "report_rates", "stats"]

Grouping = Literal["year", "region", "level"]
GROUPINGS: tuple[str, ...] = ("year", "region", "level")
_COLUMNS = ("报告", "机关", "收到申请", "公开率", "办理数", "纠错率", "复议诉讼", "有错误", "缺报")
_HEADINGS = {"year": "年度", "region": "地区", "level": "层级"}
MIN_CASES = 30  # a rate on fewer cases is marked as unstable


@dataclass(frozen=True)
class Rate:
    """A ratio with its parts, so a reader can judge it; `small` when the base is too thin."""

    numerator: int
    denominator: int
    min_cases: int

    @property
    def value(self) -> float | None:
        return self.numerator / self.denominator if self.denominator else None

    @property
    def small(self) -> bool:
        return self.denominator < self.min_cases

    def to_dict(self) -> dict[str, Any]:
        value = self.value
        return {
            "value": None if value is None else round(value, 6),
            "numerator": self.numerator,
            "denominator": self.denominator,
            "small": self.small,
        }


@dataclass(frozen=True)
class StatsRow:
    by: str
    group: int | str | None  # a year, a region or a level; None: bodies without one
    reports: int
    bodies: int
    received: int | None  # None when no report of the group prints it
    disclosure: Rate  # 公开率 = (予以公开 + 部分公开) / 办理总计
    correction: Rate  # 纠错率 = (复议纠正 + 诉讼纠正) / (复议 + 诉讼)
    with_errors: int  # reports with at least one error finding
    missing: int  # expected reports not in the store (see `stats`)
    path: tuple[str, ...] = ()  # by region: the region's parts (江苏省, 宿迁市)
    own: bool = False  # by region: the bodies of the region itself, not of those under it (本级)

    def to_dict(self) -> dict[str, Any]:
        return {
            "by": self.by,
            "group": self.group,
            "reports": self.reports,
            "bodies": self.bodies,
            "received": self.received,
            "disclosure_rate": self.disclosure.to_dict(),
            "correction_rate": self.correction.to_dict(),
            "with_errors": self.with_errors,
            "missing": self.missing,
            **({"path": list(self.path), "own": self.own} if self.by == "region" else {}),
        }


def _zero(column: Any) -> ColumnElement[int]:
    return func.coalesce(column, 0)


def known_levels(session: Session) -> list[str]:
    """The levels the program tells from names, then any other a list of bodies gave."""
    told = [level for level, _ in META.levels]
    stored = session.scalars(select(Body.level).where(Body.level.is_not(None)).distinct())
    return told + sorted(set(stored) - set(told))


def stats(
    store: Store,
    *,
    region: str | None = None,
    level: str | None = None,
    body: str | None = None,
    years: Iterable[int] | None = None,
    by: str = "year",
    depth: str = DEPTHS[0],
    min_cases: int = MIN_CASES,
) -> list[StatsRow]:
    """One row per year, region or level over the current reports of the selected bodies.

    A region or a body selects everything under it (see store.regions); by region, the groups
    are the regions at `depth` (省, 市 or 县), and the bodies of a region above that depth are a
    group of their own (`own`, 本级).

    Rates add up the parts of every report first (a pooled rate, so a body with 1,000 requests
    weighs more than one with 2). A part counts only in reports that print its base: 予以公开
    and 部分公开 where 总计 is printed, corrections where the number of cases is printed.

    Missing reports: the selection years are `years`, or else every year that has a report in
    the selection. A body is expected to report in each of them when it has a report in at
    least one of them, or when it came from an imported list of bodies (`xxgk bodies import`);
    such a body is recognised by what only an import gives (a region, a parent, an alias) or by
    having no report at all. A store filled by ingesting alone cannot know of bodies that never
    published, so a body seen in 2023 and not in 2024 is missing in 2024, and a body never seen
    is not counted; once a list is imported, every listed body is expected every year. By year,
    `missing` is the expected bodies without a report that year; by region or level, the
    expected (body, year) pairs without a report.
    """
    require_choice("grouping", by, GROUPINGS)
    level_cut = depth_index(depth)
    if min_cases < 0:
        raise InputError(f"the minimum number of cases must be 0 or more, not {min_cases}")
    wanted = sorted({int(y) for y in years}) if years is not None else None
    body_filter: list[ColumnElement[bool]] = []
    if level is not None:
        body_filter.append(Body.level == level)
    report = StoredReport
    disclosed = _zero(report.granted) + _zero(report.partly_granted)
    # what every group adds up, over the reports or over each body's sums of them (see below)
    sums = [
        func.sum(report.received),
        func.sum(case((report.processed.is_not(None), disclosed))),
        func.sum(report.processed),
        func.sum(
            case((report.reviews.is_not(None), _zero(report.reviews_corrected)), else_=0)
            + case((report.suits.is_not(None), _zero(report.suits_corrected)), else_=0)
        ),
        func.sum(_zero(report.reviews) + _zero(report.suits)),
        func.sum(case((report.errors > 0, 1), else_=0)),
    ]
    with store.session() as session:
        postgres = session.bind.dialect.name == "postgresql"  # type: ignore[union-attr]
        if postgres:
            # compiling these scans to machine code takes longer than running them, and the sums
            # of every body (by region or level) are hashed in memory, not on disk, and once: a
            # parallel plan has each of its processes hash all of them again
            session.execute(text("SET LOCAL jit = off"))
            session.execute(text("SET LOCAL work_mem = '64MB'"))
            session.execute(text("SET LOCAL max_parallel_workers_per_gather = 0"))
        if level is not None:
            require_choice("level", level, known_levels(session))
        body_id = store.find_body(session, body).id if body is not None else None
        filtered = region is not None or body_id is not None
        hierarchy = None
        if filtered:
            hierarchy = Hierarchy.load(session)
            selected = hierarchy.select(region=region, body_id=body_id)
            if not selected:
                return []
            body_filter.append(id_condition(Body.id, selected))
        elif by == "region":
            hierarchy = Hierarchy.load(session, parents=True)
        # the reports of the selected bodies, without a join: the statistics index alone
        of_bodies = (
            report.body_id.in_(select(Body.id).where(*body_filter))
            if body_filter
            else report.body_id.is_not(None)
        )
        if wanted is None:
            wanted = _years(session, [report.current, of_bodies], every_body=not body_filter)
        if not wanted:
            return []
        chosen = [report.current, report.year.in_(wanted), of_bodies]
        group_of: dict[str, list[Any]] = {
            "year": [report.year],
            "region": [Body.region, Body.parent_id],
            "level": [Body.level],
        }
        group = group_of[by]
        # the bodies expected to report in every selected year: those from a list (what only an
        # import gives: a region or parent, tested first; an alias, or no report at all, looked
        # up), and those that reported
        other = aliased(StoredReport)
        placed = [Body.region.is_not(None), Body.parent_id.is_not(None)]
        looked_up = [exists().where(BodyAlias.body_id == Body.id), ~exists().where(other.body_id == Body.id)]
        listed = [*placed, *looked_up]
        if postgres:  # the bodies that reported, hashed once, not three lookups for each body
            reported = Body.id.in_(select(report.body_id).where(*chosen).group_by(report.body_id))
        else:  # SQLite looks each up in the index of reports faster than it builds a list of them
            reported = exists().where(other.body_id == Body.id, other.current, other.year.in_(wanted))
        expecting = or_(*placed, reported, *looked_up)
        # PostgreSQL counts the bodies expected by region or level in the pass over the sums
        fused = postgres and by != "year"
        if by == "year":
            # the index gives each year's reports ordered by body: counting the distinct bodies
            # needs no sort
            query = select(report.year, func.count(), func.count(distinct(report.body_id)), *sums)
            query = query.where(*chosen).group_by(report.year)
        else:
            # each body's sums first, then the groups': a body is one row of its group, so its
            # bodies are counted without DISTINCT and only the bodies are joined, not the reports;
            # by region, the rows of each (region, parent) are summed into their regions below
            labels = [f"sum{i}" for i in range(len(sums))]
            per_body = (
                select(
                    report.body_id,
                    func.count().label("reports"),
                    *(total.label(label) for total, label in zip(sums, labels, strict=True)),
                )
                .where(*chosen)
                .group_by(report.body_id)
                .subquery()
            )
            figures = [
                func.sum(per_body.c.reports),
                func.count(per_body.c.body_id),
                *(func.sum(per_body.c[label]) for label in labels),
            ]
            if fused:
                # every selected body once, with its sums where it reported (a hash join): those
                # that reported are expected without a lookup, the others are tested as listed
                query = (
                    select(*group, *figures, func.count())
                    .select_from(Body)
                    .outerjoin(per_body, per_body.c.body_id == Body.id)
                    .where(or_(per_body.c.body_id.is_not(None), *listed), *body_filter)
                )
            else:
                # SQLite joins by lookups: each body's sums look up the body by its key (joined
                # from every body, the sums would be indexed first), the expected are counted apart
                query = select(*group, *figures).join_from(per_body, Body, Body.id == per_body.c.body_id)
            query = query.group_by(*group)
        found: dict[Any, list[int | None]] = {}
        expected: dict[Any, int] = {}
        regions: dict[Any, tuple[Path, bool]] = {}

        def key_of(values: tuple[Any, ...]) -> Any:
            if hierarchy is None or by != "region":
                return values[0]
            path, own = cut(hierarchy.placed(*values), level_cut)
            key = (tuple(p.name for p in path), own) if path else None
            regions[key] = (path, own)
            return key

        for row in session.execute(query):
            key = key_of(tuple(row[: len(group)]))
            values = row[len(group) : -1] if fused else row[len(group) :]
            found[key] = [
                _add(a, b) for a, b in zip(found.get(key, [None] * len(values)), values, strict=True)
            ]
            if fused:
                expected[key] = expected.get(key, 0) + int(row[-1])
        if by == "year":
            total = session.scalar(select(func.count(Body.id)).where(expecting, *body_filter)) or 0
            expected = dict.fromkeys(wanted, total)
        elif not fused:
            counted = select(*group, func.count(Body.id)).where(expecting, *body_filter).group_by(*group)
            for *values, count in session.execute(counted):
                key = key_of(tuple(values))
                expected[key] = expected.get(key, 0) + int(count)

    rows = []
    for key in sorted(set(found) | set(expected), key=lambda k: (k is None, k)):
        reports, bodies, received, granted, processed, corrected, appeals, errors = found.get(
            key, (0, 0, None, 0, 0, 0, 0, 0)
        )
        due = expected.get(key, 0) if by == "year" else expected.get(key, 0) * len(wanted)
        path, own = regions.get(key, ((), False))
        rows.append(
            StatsRow(
                by=by,
                group=(joined(path) or None) if by == "region" else key,
                reports=int(reports or 0),
                bodies=int(bodies or 0),
                received=None if received is None else int(received),
                disclosure=Rate(int(granted or 0), int(processed or 0), min_cases),
                correction=Rate(int(corrected or 0), int(appeals or 0), min_cases),
                with_errors=int(errors or 0),
                missing=max(0, due - (int(bodies or 0) if by == "year" else int(reports or 0))),
                path=tuple(p.name for p in path),
                own=own,
            )
        )
    return rows


def _years(session: Session, chosen: list[ColumnElement[bool]], every_body: bool) -> list[int]:
    """The years of the chosen reports. Of every body's, found one step at a time along the
    statistics index (the next year after the last: a handful of lookups where DISTINCT reads a
    million entries); of some bodies', by DISTINCT, as each step would search the bodies again."""
    report = StoredReport
    if not every_body:
        return list(session.scalars(select(report.year).where(*chosen).distinct().order_by(report.year)))
    years = select(func.min(report.year).label("year")).where(*chosen).cte("years", recursive=True)
    after = select(func.min(report.year)).where(*chosen, report.year > years.c.year).scalar_subquery()
    years = years.union_all(select(after).where(years.c.year.is_not(None)))
    return list(session.scalars(select(years.c.year).where(years.c.year.is_not(None)).order_by(years.c.year)))


def _add(a: Any, b: Any) -> Any:
    """A sum over groups, where None (no report printed the figure) adds nothing."""
    return b if a is None else a if b is None else a + b


def report_rates(report: StoredReport, min_cases: int = MIN_CASES) -> tuple[Rate, Rate]:
    """公开率 and 纠错率 of one report, counted as `stats` counts them in the database: a part only
    where its base is printed."""
    disclosed = (report.granted or 0) + (report.partly_granted or 0) if report.processed is not None else 0
    corrected = (report.reviews_corrected or 0 if report.reviews is not None else 0) + (
        report.suits_corrected or 0 if report.suits is not None else 0
    )
    appeals = (report.reviews or 0) + (report.suits or 0)
    return Rate(disclosed, report.processed or 0, min_cases), Rate(corrected, appeals, min_cases)


# --- terminal ----------------------------------------------------------------------------------


def group_label(row: StatsRow) -> str:
    """How a group is named on screen: a region's own bodies are 本级, bodies without one 未知."""
    if row.group is None:
        return "（未知）"
    return f"{row.group}（本级）" if row.own else str(row.group)


def _rate(rate: Rate) -> Text:
    value = rate.value
    if value is None:
        return Text("—", style="dim")
    text = f"{100 * value:.1f}%"
    return Text(f"{text}＊", style="yellow") if rate.small else Text(text)


def render_stats(console: Console, rows: list[StatsRow]) -> None:
    """The rows as a table; a rate on a thin base is starred and explained below."""
    if not rows:
        console.print(Text("所选范围内没有报告。", style="yellow"))
        return
    by = rows[0].by
    grid = Table(header_style="bold", box=box.SIMPLE_HEAD, pad_edge=False, collapse_padding=True)
    grid.add_column(_HEADINGS.get(by, by), no_wrap=True)
    for heading in _COLUMNS:
        grid.add_column(heading, justify="right")
    for row in rows:
        grid.add_row(
            group_label(row),
            str(row.reports),
            str(row.bodies),
            "—" if row.received is None else f"{row.received:,}",
            _rate(row.disclosure),
            Text(f"{row.disclosure.denominator:,}", style="dim"),
            _rate(row.correction),
            Text(f"{row.correction.denominator:,}", style="dim"),
            Text(str(row.with_errors), style="red" if row.with_errors else ""),
            Text(str(row.missing), style="yellow" if row.missing else ""),
        )
    console.print(grid)
    console.print(
        Text(
            f"公开率 =（予以公开 + 部分公开）÷ 办理总计；纠错率 = 纠正 ÷（行政复议 + 行政诉讼）。"
            f"＊ 分母不足 {rows[0].disclosure.min_cases} 件，比率不稳定。",
            style="dim",
        )
    )
