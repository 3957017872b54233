"""One body over two or more years: what changed in the tables, what the rules found, how alike
the words are.

    >>> comparison = compare(store, "沭阳县发展和改革局", (2023, 2024))
    >>> [c.key for c in comparison.changed]
    >>> render_comparison(Console(), comparison)
    >>> series = compare_series(store, "沭阳县发展和改革局", (2021, 2022, 2023))

The years may be printed in different templates (2019 vs 2021): a cell is compared only when
both templates have it; the others are listed with their one value and no change.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import pairwise
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.table import Table
from rich.text import Text
from sqlalchemy import select
from sqlalchemy.orm import Session

from xxgk.check import RULES
from xxgk.check.crossyear import similarity
from xxgk.errors import InputError
from xxgk.model import SEVERITY_RANK, Finding, Value, json_value
from xxgk.store.columns import cell_label, has_cell, merged_keys, plain, typed
from xxgk.store.models import Body, StoredFinding, StoredReport

if TYPE_CHECKING:
    from xxgk.store import Store

__all__ = [
    "CellChange",
    "CellSeries",
    "Comparison",
    "Series",
    "StoredFindingView",
    "compare",
    "compare_series",
    "copy_threshold",
    "render_comparison",
]

_STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}
WIDE_CONSOLE = 110  # columns from which the comparison table also shows the cell ids


@dataclass(frozen=True)
class CellChange:
    """One cell in both years. `before`/`after` are None when blank or not in that template."""

    key: str
    label: str
    before: Value
    after: Value
    in_before: bool  # the earlier report's template has this cell
    in_after: bool

    @property
    def comparable(self) -> bool:
        return self.in_before and self.in_after

    @property
    def change(self) -> Value:
        """after − before; None when either is blank or the cell is not in both templates."""
        if not self.comparable or self.before is None or self.after is None:
            return None
        return self.after - self.before

    @property
    def changed(self) -> bool:
        """A different value, a blank filled or a value blanked (cells of both templates only)."""
        return self.comparable and self.before != self.after

    def to_dict(self) -> dict[str, Any]:
        return {
            "cell": self.key,
            "label": self.label,
            "before": json_value(self.before),
            "after": json_value(self.after),
            "change": json_value(self.change),
            "in_both": self.comparable,
        }


@dataclass(frozen=True)
class StoredFindingView(Finding):
    """A stored finding as a reviewer sees it: what the rule said and where the review stands."""

    status: str = "open"

    def to_dict(self) -> dict[str, Any]:
        return {**super().to_dict(), "status": self.status}


@dataclass
class Comparison:
    body: str
    years: tuple[int, int]  # (earlier, later)
    templates: tuple[str, str]
    cells: list[CellChange] = field(default_factory=list)
    findings: dict[int, list[StoredFindingView]] = field(default_factory=dict)
    similarity: float | None = None  # None when either report has no narrative stored

    @property
    def changed(self) -> list[CellChange]:
        return [c for c in self.cells if c.changed]

    def to_dict(self) -> dict[str, Any]:
        return {
            "body": self.body,
            "years": list(self.years),
            "templates": {str(y): t for y, t in zip(self.years, self.templates, strict=True)},
            "changed": len(self.changed),
            "cells": [c.to_dict() for c in self.cells],
            "findings": {str(y): [f.to_dict() for f in self.findings.get(y, [])] for y in self.years},
            "similarity": None if self.similarity is None else round(self.similarity, 4),
        }


@dataclass(frozen=True)
class CellSeries:
    """One cell over the years compared. `values[i]` is None when blank or not in year i's
    template (`present[i]` says which)."""

    key: str
    label: str
    values: tuple[Value, ...]
    present: tuple[bool, ...]

    def change(self, i: int) -> Value:
        """Year i's value − year i−1's; None when either is blank or not in both templates."""
        before, after = self.values[i - 1], self.values[i]
        if not (self.present[i - 1] and self.present[i]) or before is None or after is None:
            return None
        return after - before

    def percent(self, i: int) -> float | None:
        """The change against year i−1's value, in per cent; None where that value is 0 or none."""
        change, before = self.change(i), self.values[i - 1]
        if change is None or not before:
            return None
        return float(change) / float(before) * 100

    @property
    def changed(self) -> bool:
        """A different value between two consecutive years whose templates both have the cell."""
        return any(
            self.present[i - 1] and self.present[i] and self.values[i - 1] != self.values[i]
            for i in range(1, len(self.values))
        )


@dataclass
class Series:
    """The current reports of one body for several years (earliest first)."""

    body: str
    years: tuple[int, ...]
    templates: tuple[str, ...]
    cells: list[CellSeries] = field(default_factory=list)
    findings: dict[int, list[StoredFindingView]] = field(default_factory=dict)
    similarities: tuple[float | None, ...] = ()  # each year's narrative against the year before's

    @property
    def changed(self) -> list[CellSeries]:
        return [c for c in self.cells if c.changed]

    def to_dict(self) -> dict[str, Any]:
        later = self.years[1:]
        return {
            "body": self.body,
            "years": list(self.years),
            "templates": {str(y): t for y, t in zip(self.years, self.templates, strict=True)},
            "changed": len(self.changed),
            "cells": [
                {
                    "cell": c.key,
                    "label": c.label,
                    "values": {str(y): json_value(v) for y, v in zip(self.years, c.values, strict=True)},
                    "changes": {str(y): json_value(c.change(i)) for i, y in enumerate(later, 1)},
                    "in_template": {str(y): p for y, p in zip(self.years, c.present, strict=True)},
                }
                for c in self.cells
            ],
            "findings": {str(y): [f.to_dict() for f in self.findings.get(y, [])] for y in self.years},
            "similarities": {
                str(y): None if s is None else round(s, 4)
                for y, s in zip(later, self.similarities, strict=True)
            },
        }


def compare_series(store: Store, body: str, years: Sequence[int]) -> Series:
    """The current reports of `body` for two or more years, cell by cell (earliest year first)."""
    ordered = sorted(int(y) for y in years)
    if len(set(ordered)) != len(ordered):
        twice = next(y for y in ordered if ordered.count(y) > 1)
        if len(ordered) == 2:
            raise InputError(
                f"two different years are needed to compare, not {twice} twice", body, kind="same_year"
            )
        raise InputError(f"the year {twice} is given twice", body, kind="same_year")
    if len(ordered) < 2:
        raise InputError("at least two years are needed to compare", body, kind="same_year")
    with store.session() as session:
        found: Body = store.find_body(session, body)
        rows = [_current(session, found, year) for year in ordered]
        values = [_values(row) for row in rows]
        templates = tuple(row.template for row in rows)
        cells = []
        for key in merged_keys(list(templates)):
            present = tuple(has_cell(template, key) for template in templates)
            cells.append(
                CellSeries(
                    key=key,
                    label=cell_label(key).label,
                    values=tuple(
                        v.get(key) if here else None for v, here in zip(values, present, strict=True)
                    ),
                    present=present,
                )
            )
        similarities = tuple(
            similarity(after.narrative, before.narrative) if before.narrative and after.narrative else None
            for before, after in pairwise(rows)
        )
        return Series(
            body=found.name,
            years=tuple(ordered),
            templates=templates,
            cells=cells,
            findings={year: _findings(session, row) for year, row in zip(ordered, rows, strict=True)},
            similarities=similarities,
        )


def compare(store: Store, body: str, years: tuple[int, int]) -> Comparison:
    """The current reports of `body` for two years, cell by cell (earlier year first)."""
    series = compare_series(store, body, years)
    cells = [
        CellChange(
            key=c.key,
            label=c.label,
            before=c.values[0],
            after=c.values[1],
            in_before=c.present[0],
            in_after=c.present[1],
        )
        for c in series.cells
    ]
    first, second = series.years
    return Comparison(
        body=series.body,
        years=(first, second),
        templates=(series.templates[0], series.templates[1]),
        cells=cells,
        findings=series.findings,
        similarity=series.similarities[0],
    )


def _current(session: Session, body: Body, year: int) -> StoredReport:
    row = session.scalar(
        select(StoredReport).where(
            StoredReport.body_id == body.id, StoredReport.year == year, StoredReport.current
        )
    )
    if row is None:
        stored = session.scalars(
            select(StoredReport.year)
            .where(StoredReport.body_id == body.id, StoredReport.current)
            .order_by(StoredReport.year)
        ).all()
        have = f"stored years: {', '.join(map(str, stored))}" if stored else "no report of it is stored"
        raise InputError(f"no {year} report of this body in the store ({have})", body.name, kind="no_report")
    return row


def _values(row: StoredReport) -> dict[str, Value]:
    out: dict[str, Value] = {}
    for key, cell in (row.cells or {}).items():
        if has_cell(row.template, key):
            out[key] = typed(cell.get("value"), cell_label(key).kind)
    return out


def _findings(session: Session, row: StoredReport) -> list[StoredFindingView]:
    """All stored findings of the report, errors first: its own and the cross-year ones (X-*)."""
    stored = session.scalars(
        select(StoredFinding).where(StoredFinding.report_id == row.id).order_by(StoredFinding.id)
    )
    views = [StoredFindingView(f.rule, f.severity, tuple(f.cells or ()), f.message, f.status) for f in stored]
    return sorted(views, key=lambda f: -SEVERITY_RANK[f.severity])


# --- terminal ----------------------------------------------------------------------------------


def _shown(value: Value, present: bool) -> Text:
    if not present:
        return Text("—", style="dim")  # not in this year's template
    if value is None:
        return Text("空", style="dim")
    return Text(plain(value))


def _delta(cell: CellChange) -> Text:
    change = cell.change
    if change is None:
        return Text("" if not cell.changed else "≠", style="yellow")
    if change == 0:
        return Text("0", style="dim")
    text = plain(change) if isinstance(change, Decimal) else str(change)
    return Text(("+" if change > 0 else "") + text, style="green" if change > 0 else "red")


def render_comparison(console: Console, comparison: Comparison, *, all_cells: bool = False) -> None:
    """Changed cells (or every cell), then each year's findings, then the text similarity."""
    first, second = comparison.years
    head = f"{comparison.body}  {first}年度（模板 {comparison.templates[0]}）→ {second}年度"
    console.print(Text(f"{head}（模板 {comparison.templates[1]}）", style="bold"))
    shown = comparison.cells if all_cells else comparison.changed
    if shown:
        with_ids = console.width >= WIDE_CONSOLE  # the ids are long; a narrow terminal gets labels only
        grid = Table(header_style="bold")
        if with_ids:
            grid.add_column("单元格", style="dim", no_wrap=True)
        grid.add_column("名称", overflow="fold", min_width=12)
        for heading in (str(first), str(second), "变化"):
            grid.add_column(heading, justify="right", no_wrap=True)
        for index, cell in enumerate(shown):
            following = shown[index + 1] if index + 1 < len(shown) else None
            new_table = following is not None and following.key.split(".")[0] != cell.key.split(".")[0]
            grid.add_row(
                *([cell.key] if with_ids else []),
                cell.label,
                _shown(cell.before, cell.in_before),
                _shown(cell.after, cell.in_after),
                _delta(cell),
                end_section=new_table,
            )
        console.print(grid)
    else:
        console.print(Text("统计表没有变化。", style="green"))
    changed = len(comparison.changed)
    only_one = sum(1 for c in comparison.cells if not c.comparable)
    summary = f"{changed} 个单元格有变化"
    if only_one:
        summary += f"；{only_one} 个单元格只在其中一年的模板中（“—”）"
    console.print(Text(summary, style="dim"))
    for year in comparison.years:
        findings = comparison.findings.get(year, [])
        console.print(Text(f"{year}年度报告的问题（{len(findings)}）", style="bold"))
        if not findings:
            console.print(Text("  没有发现问题。", style="green"))
        for finding in findings:
            status = "" if finding.status == "open" else f"（{finding.status}）"
            console.print(
                Text.assemble(
                    "  ",
                    (f"{finding.severity} ", _STYLE.get(finding.severity, "")),
                    (f"{finding.rule} ", "bold"),
                    finding.message,
                    (status, "dim"),
                )
            )
    if comparison.similarity is None:
        console.print(Text("正文相似度：无法计算（缺少正文）", style="dim"))
    else:
        percent = round(100 * comparison.similarity)
        style = "yellow" if comparison.similarity >= copy_threshold() else ""
        console.print(Text(f"正文相似度：{percent}%", style=style))


def copy_threshold() -> float:
    """The X-COPY-TEXT threshold, so the percentage is marked exactly when the rule would fire."""
    for rule in RULES:
        if rule.id == "X-COPY-TEXT":
            return float(rule.data["threshold"])
    return 1.0
