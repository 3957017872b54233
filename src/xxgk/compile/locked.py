"""A locked year's report against the one compiled now (issue 19): which cells an amendment
changed, from what to what, and the amendments behind each.

The locked report is kept as a snapshot of its tables taken when the lock was (`snapshot`), not
replayed: the register's events are append-only, but its appeals, documents and yearly figures
are updated in place and the recording times are only as fine as the database's clock, so a
replay "as recorded by then" could not give back exactly the tables that were locked.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from xxgk.model import Report
from xxgk.register.facts import RegisterFacts
from xxgk.templates import SECTIONS, TEMPLATES, Template, template_for_year


@dataclass(frozen=True)
class Amendment:
    """A change made to a locked year, as the audit log has it."""

    entry: str  # the register entry it changed, as the compiler names it (an application's number)
    reason: str
    actor: str
    at: datetime | None
    label: str = ""  # how a person names the entry where its name is no number (an appeal)

    def to_dict(self) -> dict[str, Any]:
        return {
            "entry": self.entry,
            "label": self.label or self.entry,
            "reason": self.reason,
            "by": self.actor,
            "at": self.at.isoformat(sep=" ", timespec="seconds") if self.at else None,
        }

    def text(self) -> str:
        when = self.at.strftime("%Y-%m-%d %H:%M") if self.at else ""
        return f"{self.label or self.entry}：{self.reason}（{self.actor}，{when}）"


@dataclass(frozen=True)
class Locked:
    """A year's lock: who took it when, the tables it froze, the amendments made since."""

    year: int
    locked_by: str
    locked_at: datetime | None
    snapshot: dict[str, Any] | None  # see `snapshot`; None: the register had errors when locked
    amendments: tuple[Amendment, ...] = ()


@dataclass(frozen=True)
class Change:
    """One cell of the report that differs from the locked one."""

    key: str
    table: str  # as the report heads it: 三、收到和处理政府信息公开申请情况
    row: str  # as the table prints it (a numbered row with its group: (三)不予公开·1.属于国家秘密)
    column: str
    locked: str
    now: str
    entries: tuple[str, ...]  # the entries that left or joined the cell
    amendments: tuple[Amendment, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "table": self.table,
            "row": self.row,
            "column": self.column,
            "locked": self.locked,
            "now": self.now,
            "entries": list(self.entries),
            "amendments": [a.to_dict() for a in self.amendments],
        }


def snapshot(facts: RegisterFacts, year: int) -> dict[str, Any] | None:
    """The year's tables as the compiler counts them from the facts: each cell's printed value
    and its entries. None when the register has errors (there is then no report to lock)."""
    from xxgk.compile import counted
    from xxgk.compile.validate import validate

    template = template_for_year(year)
    if template is None or validate(facts, year, template):
        return None
    values, entries = counted(facts, year, template)
    cells = {
        key: {"text": str(value), "entries": list(entries.get(key, ()))} for key, value in values.items()
    }
    return {"template": template.id, "cells": cells}


def row_label(template: Template, key: str) -> str:
    """A row as the table prints it; a numbered row (1. 2. …) with the group it is numbered in."""
    table, row, _ = template.cell(key)
    group = None
    for other in table.rows:
        group = other.group or group
        if other is row:
            break
    numbered = bool(row.enum) and row.enum[0].isdigit()
    return f"{group}·{row.printed}" if numbered and group else row.printed


def table_label(template: Template, key: str) -> str:
    table, _, _ = template.cell(key)
    number = next(s.number for s in SECTIONS if s.id == table.section)
    return f"{number}、{table.title}"


def changes(locked: Locked, report: Report) -> list[Change]:
    """The cells of `report` whose value differs from the locked tables, in the template's order,
    each with the amendments of the entries that moved (or, for a yearly figure, of its entry)."""
    if locked.snapshot is None:
        return []
    template = TEMPLATES[locked.snapshot["template"]]
    if template.id != report.template_id:
        raise ValueError(f"the lock froze template {template.id}, the report is {report.template_id}")
    before = locked.snapshot["cells"]
    out = []
    for key in template.cell_keys():
        cell = report.cells.get(key)
        now = (cell.text or "") if cell is not None and cell.found else ""
        then = before.get(key, {"text": "", "entries": []})
        if then["text"] == now:
            continue
        entries_now = cell.provenance.entries if cell and cell.provenance and cell.provenance.entries else ()
        moved = set(then["entries"]) ^ set(entries_now)
        named = moved or set(entries_now)
        column = template.cell(key)[2].label
        out.append(
            Change(
                key,
                table_label(template, key),
                row_label(template, key),
                column,
                then["text"],
                now,
                tuple(sorted(moved)),
                tuple(a for a in locked.amendments if a.entry in named),
            )
        )
    return out


def summary(locked: Locked, changes: list[Change]) -> str:
    """The note's first words: when and by whom the year was locked, what changed since."""
    at = locked.locked_at
    when = f"{at.year}年{at.month}月{at.day}日" if at else ""
    said = (
        f"{locked.year}年度台账已于{when}由{locked.locked_by}锁定。锁定后作了{len(locked.amendments)}项更正，"
    )
    if locked.snapshot is None:
        return said + "锁定时台账有错误、未能编成报告，无从比对。"
    return said + f"本报告有{len(changes)}个数字与锁定时的报告不同。"


def unmatched(locked: Locked, found: list[Change]) -> list[Amendment]:
    """The amendments behind no changed cell (a date moved within the year, say)."""
    behind = {a for change in found for a in change.amendments}
    return [a for a in locked.amendments if a not in behind]
